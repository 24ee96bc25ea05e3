/**
 * Where a step of `sdekit train` (defaults on ring8: MLP 130-256-256-256-2, batch 512) goes, per
 * part, on this thread (issue 14 part 2): the host batch (data + DSM targets), one worker's share
 * (batch / threads rows) of the forward + backward pass as the workers run it (explicit
 * back-propagation in place on one wasm memory, src/train/mlpWasmBackprop.ts, broken down by its parts:
 * GEMMs, SiLU, ...), and each worker's share of the reduction + fused clip/Adam/EMA. Parts are medians
 * of CPU time (process.cpuUsage: less disturbed by other load than wall time); `overhead` is the
 * measured multi-worker step (CPU time of all threads / threads) minus one worker's parts.
 *
 *   npx tsx bench/trainProfile.ts [--threads N] [--quick]    (npm run bench -- profile)
 */
import * as os from 'node:os';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';
import { configFromArgs } from '../src/cli/train.ts';
import { resolveDataset } from '../src/data/resolve.ts';
import { loadScheme } from '../src/scheme/load.ts';
import { initTrainBackend } from '../src/train/backend.ts';
import { createNet } from '../src/score/net.ts';
import { initWeights } from '../src/score/layers.ts';
import { DsmObjective } from '../src/train/dsm.ts';
import { MlpWasmBackprop, type MlpStepPart } from '../src/train/mlpWasmBackprop.ts';
import type { MlpConfig } from '../src/score/mlp.ts';
import { fusedAdamEma, ownedRange, reduceSlots, stateRange } from '../src/train/hostOptimizer.ts';
import { flatLayout } from '../src/train/parallel.ts';
import { train } from '../src/train/loop.ts';
import { Rng } from '../src/rng.ts';
import type { BenchRow } from './row.ts';

const median = (xs: number[]): number => { const s = [...xs].sort((a, b) => a - b); return s[Math.floor(s.length / 2)]; };

const PART: Record<MlpStepPart, string> = {
  upload: 'parameters + rows into the wasm memory, time embedding',
  gemm: 'GEMMs (12 products, our wasm SIMD kernel)',
  silu: 'SiLU forward (sigmoid by an exp polynomial, wasm SIMD)',
  siluGrad: 'SiLU derivative (wasm SIMD)',
  colSums: 'bias gradients (column sums, wasm SIMD)',
  loss: 'loss and its gradient',
  copies: 'weight transposes, last-layer padding copies',
  'gradient out': 'gradient to shared memory',
};

/** Run the profile; rows for bench/run.ts (value: ms per step of each part). */
export async function benchTrainProfile(opts: { quick?: boolean; threads?: number; log?: (s: string) => void } = {}): Promise<BenchRow[]> {
  const log = opts.log ?? (() => {});
  const backend = await initTrainBackend('wasm');
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
  const reps = opts.quick ? 20 : 60;
  const parts: Record<string, number[]> = {};
  const add = (k: string, ms: number): void => { (parts[k] ??= []).push(ms); };
  const flat = new Float32Array(total);
  names.forEach((k, i) => flat.set(w[k].dataSync() as Float32Array, offsets[i]));
  const step = new MlpWasmBackprop(cfg.net as MlpConfig, net.specs, rows);
  const slot = new Float32Array(total);
  const worker = (part: string): string => `worker (${rows} rows): ${part}`;
  for (let r = 0; r < reps + 5; r++) {
    const keep = r >= 5;
    let t = cpuMs();
    const d = ds.sample(rng, n);
    const host = obj.batch(d.x, d.labels, d.n, rng);
    if (keep) add('host batch (data, times, noise, DSM targets; off the critical path)', cpuMs() - t);
    const shard = { xIn: host.xIn.subarray(0, rows * 2), cNoise: host.cNoise.subarray(0, rows), target: host.target.subarray(0, rows * 2), weight: host.weight.subarray(0, rows), labels: null };
    const sums: Partial<Record<MlpStepPart, number>> = {};
    const t0 = cpuMs();
    t = t0;
    step.run(flat, shard, rows / n, slot, (p) => { const now = cpuMs(); sums[p] = (sums[p] ?? 0) + now - t; t = now; });
    const fb = cpuMs() - t0;
    if (keep) {
      add(worker('forward + backward (explicit back-propagation in place, src/train/mlpWasmBackprop.ts)'), fb);
      for (const [k, v] of Object.entries(sums)) add(worker(`  ${PART[k as MlpStepPart]}`), v);
    }
    const own = ownedRange(total, 0, threads);
    const slots = Array.from({ length: threads }, () => slot.subarray(own.lo, own.hi));
    const h = stateRange({ w: Float32Array.from(flat), m: new Float32Array(total), v: new Float32Array(total), ema: Float32Array.from(flat) }, own.lo, own.hi);
    t = cpuMs();
    const sq = reduceSlots(slots, new Float32Array(own.hi - own.lo));
    fusedAdamEma(h, slot.subarray(own.lo, own.hi), Math.sqrt(sq * threads), r + 1, cfg.adam, cfg.emaDecay);
    if (keep) add(worker(`reduce ${threads} slots + fused clip/Adam/EMA over its 1/${threads} of the ${total} parameters`), cpuMs() - t);
  }
  // the whole multi-worker step, as sdekit train runs it
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'sdekit-profile-'));
  const steps = opts.quick ? 40 : 100;
  let t0 = 0, c0 = 0;
  await train({ config: { ...cfg, steps: steps + 10, checkpointEvery: 100000 }, scheme, data: ds, outDir: dir, progress: false, threads, onStep: (k) => { if (k === 10) { t0 = performance.now(); c0 = cpuMs(); } } });
  const wall = (performance.now() - t0) / steps, wholeStep = (cpuMs() - c0) / steps / threads;
  fs.rmSync(dir, { recursive: true, force: true });
  const rowsOut: BenchRow[] = [];
  const workload = (part: string): string => `train step profile (ring8 defaults, batch ${n}, ${threads} workers): ${part}`;
  const med: Record<string, number> = {};
  for (const [k, v] of Object.entries(parts)) med[k] = median(v);
  for (const k of Object.keys(parts)) rowsOut.push({ workload: workload(k), backend, value: med[k], unit: 'ms', note: k.includes('forward + backward') ? 'its parts below' : '' });
  // one worker's share: its forward + backward and its reduce + optimiser (not the parts, which the forward + backward contains)
  const share = Object.entries(med).filter(([k]) => k.startsWith('worker') && !k.includes(':   ')).reduce((a, [, v]) => a + v, 0);
  rowsOut.push({ workload: workload(`whole step (sdekit train --threads ${threads}, measured): CPU time of all threads / ${threads}`), backend, value: wholeStep, unit: 'ms', note: `wall ${wall.toFixed(2)} ms/step = ${(1000 / wall).toFixed(1)} steps/s` });
  rowsOut.push({ workload: workload('overhead: whole step - one worker\'s share (messages, scheduling, barriers, waiting for the slower worker)'), backend, value: wholeStep - share, unit: 'ms', note: `machine load average ${os.loadavg()[0].toFixed(1)}` });
  for (const r of rowsOut) log(`${r.workload.padEnd(120)} ${r.value.toFixed(2)} ms${r.note ? `  (${r.note})` : ''}`);
  return rowsOut;
}

if (process.argv[1] && fileURLToPath(import.meta.url) === path.resolve(process.argv[1])) {
  const i = process.argv.indexOf('--threads');
  await benchTrainProfile({ quick: process.argv.includes('--quick'), threads: i > 0 ? Number(process.argv[i + 1]) : undefined, log: (s) => console.log(s) });
}
