/**
 * The fast wasm training paths compute the same thing as the autodiff reference: explicit
 * back-propagation gives autodiff's gradients, its Adam steps give tf.train.adam's losses, and the
 * data-parallel trainer (2 worker threads, shared-memory gradients) gives the single-thread losses.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as tf from '@tensorflow/tfjs';
import { initBackend } from '../../src/backend/select.ts';
import { MlpTrainer, initMlpParams, makeMlpBatch, type MlpConfig } from '../../src/backend/mlpWorkload.ts';
import { WasmMlpTrainer } from '../../src/backend/mlpWasmStep.ts';
import { ParallelMlpTrainer } from '../../src/backend/mlpParallel.ts';
import { adamUpdate } from '../../src/backend/wasmKernels.ts';

await initBackend('wasm');
const cfg: MlpConfig = { dataDim: 2, embDim: 16, hidden: 32, depth: 3 };
const params = initMlpParams(cfg, 21);
const batch = makeMlpBatch(cfg, 64, 22);
const opts = { embDim: cfg.embDim, learningRate: 1e-2 };

function closeArrays(a: Float32Array, b: Float32Array, rel: number, what: string): void {
  const scale = Math.max(...b.map(Math.abs), 1e-12);
  for (let i = 0; i < a.length; i++) assert.ok(Math.abs(a[i] - b[i]) <= rel * scale, `${what}[${i}]: ${a[i]} vs ${b[i]}`);
}

test('explicit back-propagation equals autodiff gradients', () => {
  const ref = new MlpTrainer(params, opts);
  ref.setBatch(batch);
  const fast = new WasmMlpTrainer(params, opts);
  fast.setBatch(batch);
  const g0 = ref.gradients(), g1 = fast.gradients();
  assert.equal(g1.length, g0.length);
  g0.forEach((g, i) => closeArrays(g1[i], g, 1e-5, `grad ${i}`));
  ref.dispose();
  fast.dispose();
});

test('explicit-backprop Adam steps follow tf.train.adam losses', () => {
  const ref = new MlpTrainer(params, opts);
  ref.setBatch(batch);
  const fast = new WasmMlpTrainer(params, opts);
  fast.setBatch(batch);
  let after1 = 0;
  for (let i = 0; i < 6; i++) {
    const a = ref.step(), b = fast.step();
    assert.ok(Math.abs(a - b) <= 1e-5 * (1 + i) * a, `step ${i}: ${b} vs ${a}`);
    if (i === 0) after1 = tf.memory().numTensors; // tf.train.adam creates its moments on step 1
  }
  assert.equal(tf.memory().numTensors, after1, 'no tensors leak per step');
  ref.dispose();
  fast.dispose();
});

test('host Adam update matches the closed form of one step from zero moments', () => {
  // from m = v = 0 at t = 1: mhat = g, vhat = g^2, so p' = p - lr g / (|g| + eps)
  const p = Float32Array.from([1, -2, 3, 0.5]), g = Float32Array.from([0.1, -4, 0, 1e-3]);
  const out = new Float32Array(4);
  adamUpdate(p, g, out, new Float32Array(4), new Float32Array(4), { lr: 0.01, beta1: 0.9, beta2: 0.999, eps: 1e-7, t: 1 });
  for (let i = 0; i < 4; i++) assert.ok(Math.abs(out[i] - (p[i] - (0.01 * g[i]) / (Math.abs(g[i]) + 1e-7))) <= 1e-6);
});

test('two worker threads with shared-memory gradients match the single-thread losses (1 and 4 shards each)', async () => {
  const single = new WasmMlpTrainer(params, opts);
  single.setBatch(batch);
  const par = await Promise.all([1, 4].map((shardsPerWorker) => ParallelMlpTrainer.create(params, { ...opts, workers: 2, shardsPerWorker })));
  try {
    for (const p of par) await p.setBatch(batch);
    for (let i = 0; i < 5; i++) {
      const a = single.step();
      for (const [k, p] of par.entries()) {
        const b = await p.step();
        assert.ok(Math.abs(a - b) <= 2e-5 * (1 + i) * a, `step ${i}, trainer ${k}: parallel ${b} vs single ${a}`);
      }
    }
  } finally {
    await Promise.all(par.map((p) => p.dispose()));
    single.dispose();
  }
});
