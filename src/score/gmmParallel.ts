/**
 * The exact mixture score on both cores (Node only): a {@link GaussianMixtureModel} whose large
 * evaluations are split by rows between this thread and one worker thread (gmmWorker.ts) sharing
 * memory. The arithmetic per row is the same code, so the result is bit-identical to the
 * single-thread model; small batches, or a worker that cannot start, stay on this thread.
 */
import { availableParallelism } from 'node:os';
import { Worker } from 'node:worker_threads';
import { GaussianMixtureModel, type GmmModelOptions, type GmmSpec } from './gmm.ts';
import type { GmmJob } from './gmmWorker.ts';
import type { NoiseLevel } from './model.ts';

/** Rows below which one thread is faster than handing half to a worker. */
export const PARALLEL_MIN_ROWS = 20000;

function startWorker(data: { spec: GmmSpec; opts: GmmModelOptions }): Worker {
  const here = import.meta.url;
  // bundled (dist/*.mjs, built with gmmWorker as its own entry) or compiled: the sibling module
  if (!here.endsWith('.ts')) return new Worker(new URL('./gmmWorker.mjs', here), { workerData: data });
  // from TypeScript sources: Node 20 does not pass tsx's loader to workers, so register it first
  const worker = new URL('./gmmWorker.ts', here).href;
  const tsx = import.meta.resolve('tsx/esm/api');
  return new Worker(`import(${JSON.stringify(tsx)}).then((m) => { m.register(); return import(${JSON.stringify(worker)}); })`, { eval: true, workerData: data });
}

/** A Gaussian mixture model that uses a second core for large batches. */
export class ParallelGaussianMixtureModel extends GaussianMixtureModel {
  private worker: Worker | null = null;
  private failed = availableParallelism() < 2;
  private x = new Float64Array(new SharedArrayBuffer(0));
  private out = new Float64Array(new SharedArrayBuffer(0));

  constructor(spec: GmmSpec, private readonly modelOpts: GmmModelOptions = {}) {
    super(spec, modelOpts);
  }

  override predict(x: Float64Array, n: number, at: NoiseLevel, out: Float64Array): void | Promise<void> {
    if (this.failed || n < PARALLEL_MIN_ROWS) return super.predict(x, n, at, out);
    return this.predictSplit(x, n, at, out);
  }

  private async predictSplit(x: Float64Array, n: number, at: NoiseLevel, out: Float64Array): Promise<void> {
    const D = this.dim, h = n >> 1;
    try {
      this.worker ??= startWorker({ spec: this.spec, opts: this.modelOpts });
      this.worker.unref();
    } catch {
      this.failed = true;
      return super.predict(x, n, at, out);
    }
    if (this.x.length < n * D) {
      this.x = new Float64Array(new SharedArrayBuffer(8 * n * D));
      this.out = new Float64Array(new SharedArrayBuffer(8 * n * D));
    }
    this.x.set(x.subarray(h * D, n * D), h * D);
    const w = this.worker;
    const done = new Promise<void>((resolve, reject) => {
      const onMessage = (m: { ok: boolean; message?: string }): void => { w.off('error', onError); if (m.ok) resolve(); else reject(new Error(m.message)); };
      const onError = (e: Error): void => { w.off('message', onMessage); reject(e); };
      w.once('message', onMessage);
      w.once('error', onError);
    });
    const job: GmmJob = { x: this.x.buffer, out: this.out.buffer, r0: h, r1: n, at: { t: at.t, alpha: at.alpha, sigma: at.sigma } };
    w.postMessage(job);
    this.predictRows(x, 0, h, at, out);
    try {
      await done;
    } catch {
      // the worker broke: finish on this thread and stop using it
      this.failed = true;
      void w.terminate();
      this.worker = null;
      this.predictRows(x, h, n, at, out);
      return;
    }
    out.set(this.out.subarray(h * D, n * D), h * D);
  }

  /** Stop the worker thread (it is unref'ed, so a process may also simply exit). */
  async dispose(): Promise<void> {
    if (this.worker) await this.worker.terminate();
    this.worker = null;
  }
}
