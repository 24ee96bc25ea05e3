/**
 * Worker thread of src/score/gmmParallel.ts: holds its own copy of the mixture and evaluates the
 * rows it is sent, reading x from and writing the views into shared memory.
 */
import { parentPort, workerData } from 'node:worker_threads';
import { GaussianMixtureModel, type GmmModelOptions, type GmmSpec } from './gmm.ts';
import type { NoiseLevel } from './model.ts';

/** One request: rows [r0, r1) of the shared x at a noise level. */
export interface GmmJob { x: SharedArrayBuffer; out: SharedArrayBuffer; r0: number; r1: number; at: NoiseLevel }

const init = workerData as { spec: GmmSpec; opts: GmmModelOptions };
const model = new GaussianMixtureModel(init.spec, init.opts);
parentPort?.on('message', (job: GmmJob) => {
  try {
    model.predictRows(new Float64Array(job.x), job.r0, job.r1, job.at, new Float64Array(job.out));
    parentPort?.postMessage({ ok: true });
  } catch (e) {
    parentPort?.postMessage({ ok: false, message: e instanceof Error ? e.message : String(e) });
  }
});
