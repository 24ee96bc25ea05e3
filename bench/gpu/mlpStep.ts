/**
 * The reference MLP training step of issue 6 (src/backend/mlpWorkload.ts: [x (2), 128-d time
 * embedding] = 130 -> 256 -> 256 -> 256 -> 2, SiLU, Adam, MSE, batch 512) on one TensorFlow.js
 * backend, for the GPU machine (bench/gpu/run.sh). It runs where no tsx is carried: prepare.sh
 * bundles it with esbuild into .gpu/mlp_step.mjs (TensorFlow.js and Dawn stay external).
 *
 * Two timings, both after warm-up steps (pipeline compilation):
 * - synced: each step awaits its own loss (what a training loop that logs every loss pays);
 * - pipelined: `steps` steps queued before any loss is awaited (closer to the device's own throughput).
 * Prints one JSON line.
 *
 *   npx tsx bench/gpu/mlpStep.ts [--backend webgpu] [--variant plain|fused] [--steps 200] [--batch 512]
 */
import * as tf from '@tensorflow/tfjs';
import { initBackend } from '../../src/backend/select.ts';
import { MlpTrainer, REFERENCE_MLP, initMlpParams, makeMlpBatch, type MlpVariant } from '../../src/backend/mlpWorkload.ts';

/** The value after `--name`, or the fallback. */
function flag(name: string, fallback: string): string {
  const i = process.argv.indexOf(`--${name}`);
  return i > 0 && i + 1 < process.argv.length ? process.argv[i + 1] : fallback;
}

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[(s.length - 1) >> 1] : 0.5 * (s[s.length / 2 - 1] + s[s.length / 2]);
}

const backend = flag('backend', 'webgpu');
const variant = flag('variant', 'plain') as MlpVariant;
if (variant !== 'plain' && variant !== 'fused') throw new Error(`--variant must be plain or fused, not ${variant}`);
const steps = Number(flag('steps', '200'));
const batchSize = Number(flag('batch', '512'));
const warm = 5;

const info = await initBackend(backend);
const trainer = new MlpTrainer(initMlpParams(REFERENCE_MLP, 1), { variant });
trainer.setBatch(makeMlpBatch(REFERENCE_MLP, batchSize, 2));
const lossFirst = await trainer.stepAsync();
for (let i = 1; i < warm; i++) await trainer.stepAsync();

const synced: number[] = [];
let lossLast = NaN;
for (let i = 0; i < steps; i++) {
  const t0 = performance.now();
  lossLast = await trainer.stepAsync();
  synced.push(performance.now() - t0);
}
if (!Number.isFinite(lossLast)) throw new Error(`non-finite loss ${lossLast}`);

// pipelined: every step's work queued at once, each loss read back when its step is done
const t0 = performance.now();
const pending: Promise<number>[] = [];
for (let i = 0; i < steps; i++) pending.push(trainer.stepAsync());
lossLast = (await Promise.all(pending))[steps - 1];
const pipelinedMs = (performance.now() - t0) / steps;
trainer.dispose();

const msSynced = median(synced);
console.log(JSON.stringify({
  workload: 'mlpstep',
  impl: `sdekit ${info.name}`,
  variant,
  adapter: info.adapter ?? info.tfBackend,
  batch: batchSize,
  steps,
  ms_per_step: msSynced,
  ms_min: Math.min(...synced),
  steps_per_s: 1000 / msSynced,
  ms_per_step_pipelined: pipelinedMs,
  steps_per_s_pipelined: 1000 / pipelinedMs,
  loss_first: lossFirst,
  loss_last: lossLast,
  tfjs: tf.version.tfjs,
}));
