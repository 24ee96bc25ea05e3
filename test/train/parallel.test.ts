/**
 * Multi-worker training (src/train/parallel.ts, trainWorker.ts, hostOptimizer.ts):
 * - the workers' reduced gradient and loss equal the one-thread autodiff gradient of the same
 *   global batch to float32 tolerance, for the MLP (class-conditional) and the U-Net;
 * - a 2-worker run follows the 1-thread run (loss curve, weights) to float32 tolerance;
 * - `--resume` with 2 workers is bit-identical to the uninterrupted 2-worker run;
 * - a killed worker stops the run with a clear error and the last good checkpoint intact (readable,
 *   at its step).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { configFromArgs } from '../../src/cli/train.ts';
import { toy2d } from '../../src/data/toy2d.ts';
import { loadScheme } from '../../src/scheme/load.ts';
import { initTrainBackend } from '../../src/train/backend.ts';
import { readCheckpoint } from '../../src/train/checkpoint.ts';
import { RUN_FILES } from '../../src/train/config.ts';
import { DsmObjective, disposeBatch, dsmLoss, uploadBatch } from '../../src/train/dsm.ts';
import { TrainingWorkerError, train } from '../../src/train/loop.ts';
import { flatLayout, TrainWorkerPool } from '../../src/train/parallel.ts';
import { fusedAdamEma, reduceGradients } from '../../src/train/hostOptimizer.ts';
import { adamInit, adamStep, globalNorm } from '../../src/train/adam.ts';
import { cloneWeights, emaUpdate } from '../../src/train/ema.ts';
import { DEFAULT_ADAM } from '../../src/train/adam.ts';
import { createNet, type NetConfig } from '../../src/score/net.ts';
import { initWeights, type Weights } from '../../src/score/layers.ts';
import { Rng } from '../../src/rng.ts';

await initTrainBackend('wasm');
const tmp = (): string => fs.mkdtempSync(path.join(os.tmpdir(), 'sdekit-parallel-'));
const scheme = loadScheme('vp-linear');
const bits = (a: Float32Array): Uint32Array => new Uint32Array(a.buffer, a.byteOffset, a.length);

/** max |a - b| / max(max |b|, tiny) over one tensor. */
function relErr(a: Float32Array, b: Float32Array): number {
  let d = 0, m = 1e-30;
  for (let i = 0; i < a.length; i++) { d = Math.max(d, Math.abs(a[i] - b[i])); m = Math.max(m, Math.abs(b[i])); }
  return d / m;
}

/** A random DSM batch of data shape `shape` for the objective of `cfg`. */
function randomBatch(rng: Rng, n: number, shape: number[], numClasses: number): ReturnType<DsmObjective['batch']> {
  const obj = new DsmObjective(scheme, { head: { pred: 'eps', precond: 'none', sigmaData: 0.5 }, weighting: 'simple', time: 'uniform', pUncond: numClasses ? 0.2 : 0, numClasses });
  const D = shape.reduce((a, b) => a * b, 1);
  const x = rng.fillNormal(new Float32Array(n * D));
  const labels = numClasses ? Int32Array.from({ length: n }, () => Math.floor(rng.uniform() * numClasses)) : null;
  return obj.batch(x, labels, n, rng);
}

// the MLP runs explicit back-propagation in the workers (mlpBackprop.ts), the U-Net autodiff
const nets: [string, NetConfig, number[], number][] = [
  ['class-conditional MLP', { kind: 'mlp', dim: 2, hidden: [32, 24], embDim: 16, numClasses: 3 }, [2], 24],
  ['class-conditional U-Net', { kind: 'unet', height: 8, width: 8, channels: 1, widths: [8, 16], embDim: 16, groups: 8, numClasses: 3 }, [8, 8, 1], 6],
];
for (const [label, netCfg, shape, n] of nets) {
  test(`2 workers: reduced gradient and loss = one-thread autodiff of the same batch (${label})`, async () => {
    const net = createNet(netCfg);
    const rng = new Rng(3);
    const w = initWeights(net.specs, rng);
    // move the zero-initialised parameters off zero so that every gradient is non-trivial
    for (const k of Object.keys(w)) { const t = w[k]; w[k] = tf.add(t, tf.mul(tf.randomNormal(t.shape, 0, 1, 'float32', 5), 0.05)); t.dispose(); }
    const host = randomBatch(rng, n, shape, 'numClasses' in netCfg ? netCfg.numClasses : 0);
    const b = uploadBatch(host, shape);
    const names = net.specs.map((s) => s.name);
    const { value, grads } = tf.valueAndGrads((...ws: tf.Tensor[]) => { const o: Weights = {}; names.forEach((k, i) => (o[k] = ws[i])); return dsmLoss(net, o, b); })(names.map((k) => w[k]));
    disposeBatch(b);
    const pool = await TrainWorkerPool.create({ workers: 2, backend: 'wasm', net: netCfg, specs: net.specs, dataShape: shape, batch: n, conditional: netCfg.numClasses > 0, adam: DEFAULT_ADAM, emaDecay: 0.999 });
    try {
      const { offsets, total } = flatLayout(net.specs);
      names.forEach((k, i) => pool.state.w.set(w[k].dataSync() as Float32Array, offsets[i]));
      pool.state.ema.set(pool.state.w);
      pool.writeBatch(1, host);
      const { loss, gradNorm } = await pool.run(1, 1); // the workers' gradient and, in place, their update
      const g = new Float32Array(total);
      const norm = reduceGradients(pool.slots, g);
      assert.ok(Math.abs(gradNorm - norm) <= 1e-12 * norm, `the workers' norm ${gradNorm} vs ${norm}`);
      const l1 = value.dataSync()[0];
      assert.ok(Math.abs(loss - l1) <= 1e-5 * Math.abs(l1), `loss ${loss} vs ${l1}`);
      assert.ok(Math.abs(norm - globalNorm(Object.fromEntries(names.map((k, i) => [k, grads[i]]))).dataSync()[0]) <= 1e-4 * norm);
      // float32 tolerance relative to the tensor's largest gradient, floored at 1% of the largest
      // overall (a conv bias followed by a one-channel-per-group norm has a gradient of rounding noise)
      const refs = grads.map((t) => t.dataSync() as Float32Array);
      const top = Math.max(...refs.map((r) => r.reduce((m, x) => Math.max(m, Math.abs(x)), 0)));
      names.forEach((k, i) => {
        const ref = refs[i];
        const mine = g.subarray(offsets[i], offsets[i] + ref.length);
        const scale = Math.max(ref.reduce((m, x) => Math.max(m, Math.abs(x)), 0), 1e-2 * top);
        const err = mine.reduce((m, x, j) => Math.max(m, Math.abs(x - ref[j])), 0) / scale;
        assert.ok(err < 2e-5, `${k}: relative error ${err}`);
      });
      // the workers' in-place update (each its own range) = the fused update of the whole vector
      const before = new Float32Array(total);
      names.forEach((k, i) => before.set(w[k].dataSync() as Float32Array, offsets[i]));
      const h = { w: before, m: new Float32Array(total), v: new Float32Array(total), ema: Float32Array.from(before) };
      fusedAdamEma(h, g, norm, 1, DEFAULT_ADAM, 0.999);
      for (const k of ['w', 'm', 'v', 'ema'] as const) assert.ok(relErr(pool.state[k], h[k]) < 1e-6, `${k}: ${relErr(pool.state[k], h[k])}`);
      // each worker held a different half: neither slot alone is the batch gradient
      assert.ok(relErr(pool.slots[0], g) > 1e-3 && relErr(pool.slots[1], g) > 1e-3);
      // a non-finite loss (NaN data in the second worker's half) reports NaN and changes nothing
      const saved = { w: pool.state.w.slice(), m: pool.state.m.slice(), v: pool.state.v.slice(), ema: pool.state.ema.slice() };
      pool.writeBatch(0, { ...host, xIn: host.xIn.map((x, i) => (i === host.xIn.length - 1 ? NaN : x)) });
      const bad = await pool.run(0, 2);
      assert.ok(Number.isNaN(bad.loss) || Number.isNaN(bad.gradNorm));
      for (const k of ['w', 'm', 'v', 'ema'] as const) assert.deepEqual(bits(pool.state[k]), bits(saved[k]), k);
    } finally {
      await pool.dispose();
      tf.dispose([value, ...grads, ...Object.values(w)]);
    }
  });
}

test('fused host clipping + Adam + EMA = the tensor path (adam.ts, ema.ts)', () => {
  const rng = new Rng(9);
  const n = 1000;
  const w0 = rng.fillNormal(new Float32Array(n)), g0 = rng.fillNormal(new Float32Array(n));
  for (const [cfg, step] of [[{ ...DEFAULT_ADAM, clip: 1 }, 1], [{ ...DEFAULT_ADAM, clip: 0, warmup: 10, lr: 3e-3 }, 4]] as const) {
    const W: Weights = { p: tf.tensor1d(w0) };
    const ema = cloneWeights(W);
    const st = adamInit(W);
    const gT = { p: tf.tensor1d(g0) };
    const normT = globalNorm(gT);
    const up = adamStep(W, gT, st, step, cfg, normT);
    const emaT = emaUpdate(ema, up.w, 0.999, step);
    const h = { w: Float32Array.from(w0), m: new Float32Array(n), v: new Float32Array(n), ema: Float32Array.from(w0) };
    const g = new Float32Array(n);
    const norm = reduceGradients([g0.map((x) => x / 2), g0.map((x) => x / 2)], g);
    fusedAdamEma(h, g, norm, step, cfg, 0.999);
    assert.ok(relErr(h.w, up.w.p.dataSync() as Float32Array) < 1e-6);
    assert.ok(relErr(h.m, up.s.m.p.dataSync() as Float32Array) < 1e-6);
    assert.ok(relErr(h.v, up.s.v.p.dataSync() as Float32Array) < 1e-5);
    assert.ok(relErr(h.ema, emaT.p.dataSync() as Float32Array) < 1e-6);
    tf.dispose([normT, ...Object.values(up.w), up.s.m.p, up.s.v.p, emaT.p]);
  }
});

test('2 workers: follows the 1-thread run; --resume is bit-identical; a killed worker keeps the last good checkpoint', async () => {
  const data = toy2d('ring8');
  const cfg = configFromArgs(['--scheme', 'vp-linear', '--steps', '8', '--hidden', '32,32', '--batch', '64', '--checkpoint-every', '4', '--seed', '5', '--cond', 'on', '--pred', 'eps'], data);
  const one = tmp(), two = tmp(), resumed = tmp(), killed = tmp();
  await train({ config: cfg, scheme, data, outDir: one, progress: false, threads: 1 });
  const r2 = await train({ config: cfg, scheme, data, outDir: two, progress: false, threads: 2 });
  const c1 = readCheckpoint(path.join(one, RUN_FILES.checkpoint)), c2 = readCheckpoint(path.join(two, RUN_FILES.checkpoint));
  // same batches (same RNG order), same losses and weights to float32 tolerance
  assert.deepEqual(c2.meta.rng, c1.meta.rng);
  const l1 = c1.meta.lossLog as [number, number][], l2 = r2.lossLog;
  assert.equal(l2.length, l1.length);
  l1.forEach(([k, v], i) => { assert.equal(l2[i][0], k); assert.ok(Math.abs(l2[i][1] - v) <= 1e-4 * v, `loss at ${k}: ${l2[i][1]} vs ${v}`); });
  for (const [name, t] of Object.entries(c1.groups.weights)) {
    const d = t.data.reduce((m, x, i) => Math.max(m, Math.abs(x - c2.groups.weights[name].data[i])), 0);
    assert.ok(d < 1e-4, `${name}: max |w1 - w2| = ${d}`); // an Adam step moves each weight by up to lr = 1e-3
  }
  // resume: stop after 6 (checkpoint at 4), resume to 8: bit-identical to the uninterrupted 2-worker run
  await train({ config: cfg, scheme, data, outDir: resumed, progress: false, threads: 2, stopAfter: 6 });
  assert.equal(readCheckpoint(path.join(resumed, RUN_FILES.checkpoint)).meta.step, 4);
  await train({ config: cfg, scheme, data, outDir: resumed, progress: false, threads: 2, resume: true });
  const c3 = readCheckpoint(path.join(resumed, RUN_FILES.checkpoint));
  assert.equal(c3.meta.step, 8);
  assert.deepEqual(c3.meta.rng, c2.meta.rng);
  assert.deepEqual(c3.meta.lossLog, c2.meta.lossLog);
  for (const g of ['weights', 'adam.m', 'adam.v', 'ema']) {
    for (const [name, t] of Object.entries(c2.groups[g])) assert.deepEqual(bits(c3.groups[g][name].data), bits(t.data), `${g}/${name}`);
  }
  // a worker killed during step 7: clear error, checkpoint of step 4 intact and resumable
  await assert.rejects(train({ config: cfg, scheme, data, outDir: killed, progress: false, threads: 2, killWorker: { worker: 1, step: 7 } }), (e: unknown) => {
    assert.ok(e instanceof TrainingWorkerError);
    assert.match(e.message, /step 7: training worker 2 of 2 failed: .*exited.*last good checkpoint \(step 4\) is kept/);
    return true;
  });
  const ck = readCheckpoint(path.join(killed, RUN_FILES.checkpoint));
  assert.equal(ck.meta.step, 4);
  // the CRC-checked file holds the run as it was at step 4 (same losses as the uninterrupted run)
  assert.deepEqual(ck.meta.lossLog, (c2.meta.lossLog as [number, number][]).filter(([k]) => k <= 4));
});
