/**
 * Where a step of `sdekit train` (defaults on ring8: MLP 130-256-256-256-2, batch 512) goes, per
 * part, on this thread (issue 14 part 2): the host batch (data + DSM targets), one worker's share
 * (batch / threads rows: weights and batch upload, forward + backward by explicit back-propagation
 * as the workers run it (src/train/mlpBackprop.ts), broken down by TensorFlow.js kernel with
 * tf.profile: matmul, activation, other), the gradient readback, and each worker's share of the reduction +
 * fused clip/Adam/EMA. Parts are medians of CPU time (process.cpuUsage: less disturbed by other load
 * than wall time); kernel times are tf.profile's; `overhead` is the measured multi-worker step (CPU
 * time of all threads / threads) minus one worker's share and the optimiser.
 *
 *   npx tsx bench/trainProfile.ts [--threads N] [--quick]    (npm run bench -- profile)
 */
import * as os from 'node:os';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';
import * as tf from '@tensorflow/tfjs';
import { configFromArgs } from '../src/cli/train.ts';
import { resolveDataset } from '../src/data/resolve.ts';
import { loadScheme } from '../src/scheme/load.ts';
import { initTrainBackend } from '../src/train/backend.ts';
import { createNet } from '../src/score/net.ts';
import { initWeights, type Weights } from '../src/score/layers.ts';
import { DsmObjective, uploadBatch, disposeBatch } from '../src/train/dsm.ts';
import { mlpDsmGradients } from '../src/train/mlpBackprop.ts';
import { registerWasmTrainingKernels } from '../src/backend/wasmKernels.ts';
import { wasmHeap } from '../src/backend/wasmHeap.ts';
import type { MlpConfig } from '../src/score/mlp.ts';
import { fusedAdamEma, ownedRange, reduceSlots, stateRange } from '../src/train/hostOptimizer.ts';
import { flatLayout } from '../src/train/parallel.ts';
import { train } from '../src/train/loop.ts';
import { Rng } from '../src/rng.ts';
import type { BenchRow } from './row.ts';

const median = (xs: number[]): number => { const s = [...xs].sort((a, b) => a - b); return s[Math.floor(s.length / 2)]; };

/** Kernel name -> part of the step. */
function category(kernel: string): string {
  if (/MatMul/.test(kernel)) return 'matmul (GEMM, incl. transposes of the patch)';
  if (/Sigmoid|Sdekit(Silu)/.test(kernel)) return 'activation (sigmoid of SiLU)';
  if (/^(Mul|Multiply|Add|Sub|AddN|Neg|Square|SquaredDifference|RealDiv)$/.test(kernel)) return 'elementwise (SiLU products, bias adds, loss, their gradients)';
  if (/Sum|Mean|Max|Reshape|Transpose|Concat|Slice|Tile|Cast|Fill|ZerosLike|OnesLike|Sin|Cos|Identity/.test(kernel)) return 'reductions, shapes, embedding';
  return `other (${kernel})`;
}

/** Run the profile; rows for bench/run.ts (value: ms per step of each part). */
export async function benchTrainProfile(opts: { quick?: boolean; threads?: number; log?: (s: string) => void } = {}): Promise<BenchRow[]> {
  const log = opts.log ?? (() => {});
  const backend = await initTrainBackend('wasm');
  registerWasmTrainingKernels();
  const cpuMs = (): number => { const c = process.cpuUsage(); return (c.user + c.system) / 1000; };
  const threads = opts.threads ?? os.availableParallelism();
  const ds = resolveDataset('ring8');
  const cfg = configFromArgs(['--scheme', 'vp-linear', '--steps', '100'], ds);
  const scheme = loadScheme('vp-linear');
  const net = createNet(cfg.net);
  const obj = new DsmObjective(scheme, cfg.objective);
  const rng = new Rng(0);
  const w = initWeights(net.specs, rng);
  const names = net.specs.map((s) => s.name);
  const { offsets, total } = flatLayout(net.specs);
  const n = cfg.batch, rows = Math.ceil(n / threads);
  const reps = opts.quick ? 10 : 30;
  const parts: Record<string, number[]> = {};
  const add = (k: string, ms: number): void => { (parts[k] ??= []).push(ms); };
  const kernels: Record<string, number[]> = {};
  const flat = new Float32Array(total);
  names.forEach((k, i) => flat.set(w[k].dataSync() as Float32Array, offsets[i]));
  for (let r = 0; r < reps + 3; r++) {
    const keep = r >= 3;
    let t = cpuMs();
    const d = ds.sample(rng, n);
    const host = obj.batch(d.x, d.labels, d.n, rng);
    if (keep) add('host batch (data, times, noise, DSM targets; off the critical path)', cpuMs() - t);
    const shard = { ...host, n: rows, xIn: host.xIn.subarray(0, rows * 2), cNoise: host.cNoise.subarray(0, rows), target: host.target.subarray(0, rows * 2), weight: host.weight.subarray(0, rows), labels: null };
    t = cpuMs();
    const ws = net.specs.map((s, i) => tf.tensor(flat.subarray(offsets[i], offsets[i] + s.shape.reduce((a, b) => a * b, 1)), [...s.shape], 'float32'));
    const b = uploadBatch(shard, cfg.dataShape);
    if (keep) add(`worker: upload weights + its ${rows} rows`, cpuMs() - t);
    let value: tf.Scalar | undefined, grads: tf.Tensor[] = [];
    const named: Weights = {};
    names.forEach((k, i) => (named[k] = ws[i]));
    const run = (): tf.Tensor[] => { const out = mlpDsmGradients(cfg.net as MlpConfig, named, b, rows / n); value = out.loss; grads = out.grads; return [out.loss, ...out.grads]; };
    t = cpuMs();
    tf.dispose(run()); // timed without the profiler
    const fb = cpuMs() - t;
    const prof = await tf.profile(run);
    if (keep) {
      add(`worker: forward + backward (explicit backprop), ${rows} rows`, fb);
      const byCat: Record<string, number> = {};
      for (const k of prof.kernels) byCat[category(k.name)] = (byCat[category(k.name)] ?? 0) + (typeof k.kernelTimeMs === 'number' ? k.kernelTimeMs : 0);
      for (const [k, v] of Object.entries(byCat)) (kernels[k] ??= []).push(v);
    }
    t = cpuMs();
    const g = new Float32Array(total);
    grads.forEach((x, i) => {
      const a = wasmHeap().typedArrayFromHeap(x), m = net.specs[i].shape.reduce((p, q) => p * q, 1); // a view, as the worker reads it
      g.set(a.subarray(0, m), offsets[i]);
      for (let r = m; r < a.length; r += m) for (let j = 0; j < m; j++) g[offsets[i] + j] += a[r + j]; // a bias's dZ rows
    });
    if (keep) add('worker: gradients to shared memory', cpuMs() - t);
    tf.dispose([value!, ...grads, ...ws]);
    disposeBatch(b);
    const own = ownedRange(total, 0, threads);
    const slots = Array.from({ length: threads }, () => g.subarray(own.lo, own.hi));
    const h = stateRange({ w: flat, m: new Float32Array(total), v: new Float32Array(total), ema: Float32Array.from(flat) }, own.lo, own.hi);
    t = cpuMs();
    const sq = reduceSlots(slots, new Float32Array(own.hi - own.lo));
    fusedAdamEma(h, g.subarray(own.lo, own.hi), Math.sqrt(sq * threads), r + 1, cfg.adam, cfg.emaDecay);
    if (keep) add(`worker: reduce ${threads} slots + fused clip/Adam/EMA over its 1/${threads} of the ${total} parameters`, cpuMs() - t);
  }
  // the whole multi-worker step, as sdekit train runs it
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'sdekit-profile-'));
  const steps = opts.quick ? 40 : 100;
  let t0 = 0, c0 = 0;
  await train({ config: { ...cfg, steps: steps + 10, checkpointEvery: 100000 }, scheme, data: ds, outDir: dir, progress: false, threads, onStep: (k) => { if (k === 10) { t0 = performance.now(); c0 = cpuMs(); } } });
  const wall = (performance.now() - t0) / steps, step = (cpuMs() - c0) / steps / threads;
  fs.rmSync(dir, { recursive: true, force: true });
  const rowsOut: BenchRow[] = [];
  const workload = (part: string): string => `train step profile (ring8 defaults, batch ${n}, ${threads} workers): ${part}`;
  const med: Record<string, number> = {};
  for (const [k, v] of Object.entries(parts)) med[k] = median(v);
  for (const [k, v] of Object.entries(parts)) rowsOut.push({ workload: workload(k), backend, value: med[k], unit: 'ms', note: k.startsWith('worker: forward') ? 'kernel breakdown below' : '' });
  for (const [k, v] of Object.entries(kernels)) rowsOut.push({ workload: workload(`  kernels: ${k}`), backend, value: median(v), unit: 'ms', note: 'tf.profile kernel time (wall), one worker' });
  const worker = Object.entries(med).filter(([k]) => k.startsWith('worker:')).reduce((a, [, v]) => a + v, 0);
  const opt = 0; // part of the worker's share now
  rowsOut.push({ workload: workload(`whole step (sdekit train --threads ${threads}, measured): CPU time of all threads / ${threads}`), backend, value: step, unit: 'ms', note: `wall ${wall.toFixed(2)} ms/step = ${(1000 / wall).toFixed(1)} steps/s` });
  rowsOut.push({ workload: workload('overhead: whole step - one worker share - one worker share (messages, scheduling, barriers, waiting for the slower worker)'), backend, value: step - worker - opt, unit: 'ms', note: `machine load average ${os.loadavg()[0].toFixed(1)}` });
  for (const r of rowsOut) log(`${r.workload.padEnd(120)} ${r.value.toFixed(2)} ms`);
  return rowsOut;
}

if (process.argv[1] && fileURLToPath(import.meta.url) === path.resolve(process.argv[1])) {
  const i = process.argv.indexOf('--threads');
  await benchTrainProfile({ quick: process.argv.includes('--quick'), threads: i > 0 ? Number(process.argv[i + 1]) : undefined, log: (s) => console.log(s) });
}
