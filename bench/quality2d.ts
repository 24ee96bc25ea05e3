/**
 * 2-D sample-quality benchmark (issue 5, "how we will check it"): sdekit trained with its DEFAULTS
 * (`sdekit train --scheme vp-linear --data X --steps N`, nothing else) against an independent,
 * conventional PyTorch implementation of the score_sde / DDPM recipe trained for the same number
 * of steps on the same data distribution, both sampled with DPM-Solver++(2M) in 20 steps and
 * scored by the same code: sliced Wasserstein-2 (src/sample/slicedWasserstein.ts, 128 directions)
 * of 5000 samples to 5000 fresh held-out data points. The noise floor is SW2 between two
 * independent data sets of that size.
 *
 * The PyTorch side (bench/peers/torch_workloads.py `quality2d`, run with OPENBLAS_CORETYPE and
 * OPENBLAS_L2_SIZE unset, bench/peers/torchPeer.ts; it uses nothing of sdekit): MLP
 * 2 + 128-d sinusoidal embedding of 1000 t (DDPM's) -> 256 -> 256 -> 256 -> 2 with SiLU, PyTorch's
 * default init, eps prediction with the simple loss, t ~ U[1e-3, 1], vp-linear beta 0.1..20,
 * batch 512, Adam 1e-3, gradient-norm clip 1 (score_sde's default), EMA 0.999 with the usual
 * warm-up min(0.999, (1+k)/(10+k)); sampled with its own DPM-Solver++(2M) (Lu et al. 2022,
 * multistep, x0 = (x - sigma eps)/alpha, time-uniform grid from T = 1 to 1e-3: the DPM-Solver
 * defaults), float64 solver arithmetic. Its training data are a pool of N*512 points drawn by the
 * same TypeScript definitions from an independent seed, passed as a float32 file.
 *
 *   npx tsx bench/quality2d.ts [--quick] [--seeds 0,1,2] [--data ring8,moons,gmm5] [-- extra sdekit train args]
 *
 * `benchQuality2d()` returns BenchRow[] for bench/run.ts: value = sdekit SW2, peer = PyTorch SW2,
 * ratio = peer / value (> 1: sdekit better).
 */
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';
import { configFromArgs } from '../src/cli/train.ts';
import type { Dataset } from '../src/data/dataset.ts';
import { resolveDataset } from '../src/data/resolve.ts';
import { Rng } from '../src/rng.ts';
import { sample } from '../src/sample/sample.ts';
import { slicedWasserstein } from '../src/sample/slicedWasserstein.ts';
import { defaultSpacing, type Spacing } from '../src/scheme/spacing.ts';
import { loadScheme } from '../src/scheme/load.ts';
import { loadRun } from '../src/run/load.ts';
import { initTrainBackend } from '../src/train/backend.ts';
import { train } from '../src/train/loop.ts';
import { findTorchPython, peerEnv, TORCH_PEER_SCRIPT, type BlasInfo } from './peers/torchPeer.ts';
import type { BenchRow } from './row.ts';

const N_EVAL = 5000, DIRECTIONS = 128, SAMPLER_STEPS = 20, BATCH = 512;

/** A random 2-D Gaussian mixture (5 components, unequal weights, stds 0.05..0.3) in the DESIGN.md GMM file format. */
export function randomGmm2d(seed = 7): { weights: number[]; means: number[][]; stds: number[] } {
  const rng = new Rng(seed), K = 5;
  const raw = Array.from({ length: K }, () => 0.2 + rng.uniform());
  const total = raw.reduce((a, b) => a + b, 0);
  return {
    weights: raw.map((w) => +(w / total).toFixed(4)),
    means: Array.from({ length: K }, () => [+(3 * rng.uniform() - 1.5).toFixed(3), +(3 * rng.uniform() - 1.5).toFixed(3)]),
    stds: Array.from({ length: K }, () => +(0.05 + 0.25 * rng.uniform()).toFixed(3)),
  };
}

/** SW2 over the same fixed directions for every comparison. */
const sw2 = (a: ArrayLike<number>, b: ArrayLike<number>): number => slicedWasserstein(a, b, 2, DIRECTIONS, { p: 2 });

/** Train sdekit with its defaults (plus `extra` args, for investigations), sample, return samples and seconds. */
async function sdekitRun(ds: Dataset, steps: number, seed: number, extra: string[], dir: string, spacing: Spacing | undefined): Promise<{ samples: Float64Array; trainS: number }> {
  const cfg = configFromArgs(['--scheme', 'vp-linear', '--data', ds.name, '--steps', String(steps), '--out', dir, ...(seed ? ['--seed', String(seed)] : []), ...extra], ds);
  const scheme = loadScheme('vp-linear');
  const r = await train({ config: cfg, scheme, data: ds, outDir: dir, progress: false });
  const run = loadRun(dir);
  try {
    const s = await sample({ scheme, model: run.model, sampler: 'dpm-solver++2m', steps: SAMPLER_STEPS, n: N_EVAL, seed: 1000 + seed, spacing: spacing ?? defaultSpacing(scheme, true) });
    return { samples: s.samples, trainS: r.seconds };
  } finally { run.model.dispose(); }
}

/** Train and sample the PyTorch peer on a pool drawn from `ds`. */
function torchRun(py: string, ds: Dataset, steps: number, seed: number, dir: string, skip: 'time_uniform' | 'logSNR'): { samples: Float32Array; trainS: number; version: string; threads: number; blas: string } {
  const pool = ds.sample(new Rng(0x70c4 + seed), steps * BATCH).x;
  const poolFile = path.join(dir, 'pool.f32'), outFile = path.join(dir, 'torch.f32');
  fs.writeFileSync(poolFile, Buffer.from(pool.buffer, pool.byteOffset, pool.byteLength));
  const threads = 1; // one thread: the machines here are shared and OpenMP oversubscription stalls
  const r = spawnSync(py, [TORCH_PEER_SCRIPT, 'quality2d', poolFile, String(steps), String(seed), String(N_EVAL), outFile, String(threads), skip],
    { encoding: 'utf8', env: peerEnv(threads), maxBuffer: 1 << 24 });
  if (r.status !== 0) throw new Error(`PyTorch peer failed: ${r.stderr.slice(-600)}`);
  const j = JSON.parse(r.stdout.trim().split('\n').pop() ?? '{}') as { train_s: number; version: string; threads: number; blas: BlasInfo };
  const buf = fs.readFileSync(outFile);
  return { samples: new Float32Array(buf.buffer.slice(buf.byteOffset, buf.byteOffset + buf.byteLength)), trainS: j.train_s, version: j.version, threads: j.threads, blas: j.blas.summary };
}

const mean = (xs: number[]): number => xs.reduce((a, b) => a + b, 0) / xs.length;
const fmtList = (xs: number[]): string => xs.map((x) => x.toFixed(4)).join(', ');

/** Options of {@link benchQuality2d}. */
export interface Quality2dOptions {
  quick?: boolean;
  log?: (s: string) => void;
  /** training seeds (default [0]); the row reports the mean */
  seeds?: number[];
  /** data sets among ring8, moons, gmm5 (default all three) */
  data?: string[];
  /** extra `sdekit train` arguments (investigations only; the benchmark uses none) */
  sdekitArgs?: string[];
  /** skip the PyTorch peer */
  noTorch?: boolean;
  /** sdekit's sampler grid (default: what `sdekit sample --model` uses, {@link defaultSpacing}) */
  spacing?: Spacing;
  /** the peer's grid (default time_uniform, DPM-Solver's default skip type) */
  torchSkip?: 'time_uniform' | 'logSNR';
  /** training steps (default 2000; quick 300) */
  steps?: number;
}

/** Run the benchmark; rows for bench/run.ts. */
export async function benchQuality2d(opts: Quality2dOptions = {}): Promise<BenchRow[]> {
  const log = opts.log ?? (() => {});
  const steps = opts.steps ?? (opts.quick ? 300 : 2000);
  const seeds = opts.seeds ?? [0];
  const extra = opts.sdekitArgs ?? [];
  const spacing = opts.spacing, torchSkip = opts.torchSkip ?? 'time_uniform';
  const backend = await initTrainBackend();
  const py = opts.noTorch ? null : findTorchPython();
  const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'sdekit-quality2d-'));
  const gmmFile = path.join(tmp, 'gmm5.json');
  fs.writeFileSync(gmmFile, JSON.stringify(randomGmm2d()));
  const sets: [string, string][] = [['ring8', 'ring8'], ['moons', 'moons'], ['gmm5', `gmm:${gmmFile}`]];
  const rows: BenchRow[] = [];
  try {
    for (const [label, name] of sets) {
      if (opts.data && !opts.data.includes(label)) continue;
      const ds = resolveDataset(name);
      const ref = ds.sample(new Rng(0xe7a1), N_EVAL).x, ref2 = ds.sample(new Rng(0xe7a2), N_EVAL).x;
      const floor = sw2(ref, ref2);
      const ours: number[] = [], theirs: number[] = [], oursS: number[] = [], theirsS: number[] = [];
      let peerName = 'PyTorch DDPM recipe';
      for (const seed of seeds) {
        const dir = path.join(tmp, `${label}-${seed}`);
        const a = await sdekitRun(ds, steps, seed, extra, dir, spacing);
        ours.push(sw2(a.samples, ref)); oursS.push(a.trainS);
        if (py) {
          const b = torchRun(py, ds, steps, seed, dir, torchSkip);
          theirs.push(sw2(b.samples, ref)); theirsS.push(b.trainS);
          peerName = `PyTorch ${b.version} DDPM recipe (eps, simple, uniform t; ${torchSkip} grid; ${b.threads} thread; ${b.blas})`;
        }
        log(`quality2d ${label} seed ${seed}: sdekit SW2 ${ours[ours.length - 1].toFixed(4)} (${a.trainS.toFixed(0)} s)` +
          `${py ? `, PyTorch ${theirs[theirs.length - 1].toFixed(4)} (${theirsS[theirsS.length - 1].toFixed(0)} s)` : ''}, floor ${floor.toFixed(4)}`);
        fs.rmSync(dir, { recursive: true, force: true });
      }
      const value = mean(ours);
      const note = `floor ${floor.toFixed(4)}; train s sdekit ${mean(oursS).toFixed(0)}${py ? ` / PyTorch ${mean(theirsS).toFixed(0)}` : ''}` +
        `${seeds.length > 1 ? `; seeds ${seeds.join(',')}: sdekit ${fmtList(ours)}${py ? `; PyTorch ${fmtList(theirs)}` : ''}` : ''}` +
        `${extra.length ? `; sdekit args ${extra.join(' ')}` : ''}`;
      const workload = `2-D quality ${label} (${steps} steps): SW2 of 5000 dpm-solver++2m (20 ${spacing ?? defaultSpacing(loadScheme('vp-linear'), true)} steps) samples to held-out data`;
      rows.push(py
        ? { workload, backend, value, unit: 'SW2', peerName, peer: mean(theirs), ratio: mean(theirs) / value, note }
        : { workload, backend, value, unit: 'SW2', note: `${note}; no PyTorch peer` });
    }
  } finally { fs.rmSync(tmp, { recursive: true, force: true }); }
  return rows;
}

if (process.argv[1] && fileURLToPath(import.meta.url) === path.resolve(process.argv[1])) {
  const argv = process.argv.slice(2);
  const dd = argv.indexOf('--');
  const own = dd >= 0 ? argv.slice(0, dd) : argv, extra = dd >= 0 ? argv.slice(dd + 1) : [];
  const opt = (k: string): string | undefined => { const i = own.indexOf(k); return i >= 0 ? own[i + 1] : undefined; };
  const rows = await benchQuality2d({
    quick: own.includes('--quick'), log: (s) => console.error(s), sdekitArgs: extra, noTorch: own.includes('--no-torch'),
    seeds: opt('--seeds')?.split(',').map(Number), data: opt('--data')?.split(','), steps: opt('--steps') ? Number(opt('--steps')) : undefined,
    spacing: opt('--spacing') as Spacing | undefined, torchSkip: opt('--torch-skip') as 'time_uniform' | 'logSNR' | undefined,
  });
  for (const r of rows) console.log(`${r.workload} | ${r.backend} | ${r.value.toPrecision(4)} ${r.unit}${r.peer !== undefined ? ` | ${r.peerName} ${r.peer.toPrecision(4)} | ratio ${r.ratio?.toFixed(3)}` : ''}${r.note ? ` | ${r.note}` : ''}`);
}
