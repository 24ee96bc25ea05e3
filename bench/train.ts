/**
 * Training-speed benchmark (issues 5, 14): `sdekit train` with its defaults (ring8: EDM objective,
 * MLP 130-256-256-256-2 SiLU, batch 512, clip, Adam, EMA; every core: --threads default) timed over
 * 100 and 700 steps with start-up removed (the clock starts after step 5), against the PyTorch
 * reference DSM step (bench/peers/torch_workloads.py `train`) on one thread and on every thread, in
 * the same run, rounds interleaved; sdekit's one-thread path (--threads 1) as a second row. Then the
 * MNIST U-Net (widths 32,64,64, class-conditional, batch 32) against its PyTorch twin on one thread.
 * Each row also gives the CPU time per step (all threads of the process), which other load on a
 * shared machine disturbs less than wall time.
 *
 *   npx tsx bench/train.ts [--quick]        (or: npm run bench -- train [--quick])
 *
 * `benchTrain()` returns BenchRow[] for the top-level runner (bench/run.ts).
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';
import { configFromArgs } from '../src/cli/train.ts';
import { resolveDataset } from '../src/data/resolve.ts';
import { loadScheme } from '../src/scheme/load.ts';
import { initTrainBackend } from '../src/train/backend.ts';
import { train } from '../src/train/loop.ts';
import { findTorchPython, peerWarnings, TorchPeer, type PeerRequest } from './peers/torchPeer.ts';
import type { BenchRow } from './row.ts';

const WARM = 5;
const median = (xs: number[]): number => { const s = [...xs].sort((a, b) => a - b); return s[Math.floor(s.length / 2)]; };
const spread = (xs: number[]): string => xs.length > 1 ? `; rounds ${xs.map((x) => x.toFixed(2)).join(', ')}` : '';

/** ms and CPU ms per step of `sdekit train` (library call, as the CLI makes it) after WARM steps. */
async function sdekitMs(args: string[], data: string, steps: number, threads: number): Promise<{ ms: number; cpu: number }> {
  const ds = resolveDataset(data);
  const cfg = configFromArgs(['--scheme', 'vp-linear', ...args, '--steps', String(WARM + steps), '--checkpoint-every', String(10 * (WARM + steps))], ds);
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'sdekit-bench-'));
  let t0 = 0, c0 = process.cpuUsage();
  try {
    await train({ config: cfg, scheme: loadScheme('vp-linear'), data: ds, outDir: dir, progress: false, threads, onStep: (k) => { if (k === WARM) { t0 = performance.now(); c0 = process.cpuUsage(); } } });
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
  const c = process.cpuUsage(c0);
  // includes the final checkpoint write, as a real run does
  return { ms: (performance.now() - t0) / steps, cpu: (c.user + c.system) / 1000 / steps };
}

async function peerMs(p: TorchPeer | undefined, req: PeerRequest): Promise<{ ms: number; cpu: number } | undefined> {
  if (!p) return undefined;
  const t = await p.time(req);
  return { ms: t.ms.reduce((a, b) => a + b, 0) / t.ms.length, cpu: t.cpu.reduce((a, b) => a + b, 0) / t.cpu.length };
}

/** Run the benchmark; rows for bench/run.ts. */
export async function benchTrain(opts: { quick?: boolean; log?: (s: string) => void } = {}): Promise<BenchRow[]> {
  const log = opts.log ?? (() => {});
  const backend = await initTrainBackend();
  const cores = os.availableParallelism();
  const rounds = opts.quick ? 1 : 3;
  const lengths = opts.quick ? [100] : [100, 700];
  const py = findTorchPython();
  const peers = new Map<number, TorchPeer>();
  if (py) for (const th of new Set([1, cores])) peers.set(th, await TorchPeer.start(py, th));
  else log('# PyTorch not available (apt-get install python3-torch): no peer column');
  for (const p of peers.values()) { log(`# peer: ${p.describe()}`); for (const w of peerWarnings(p)) log(`# warning: ${w}`); }
  const rows: BenchRow[] = [];
  try {
    const workload = (n: number): string => `sdekit train defaults (ring8: EDM, MLP 130-256-256-256-2, batch 512, clip, Adam, EMA), ${n} steps, start-up removed`;
    for (const n of lengths) {
      const ours: Record<string, { ms: number; cpu: number }[]> = { all: [], one: [] };
      const torch: Record<number, { ms: number; cpu: number }[]> = { 1: [], [cores]: [] };
      for (let r = 0; r < rounds; r++) {
        ours.all.push(await sdekitMs([], 'ring8', n, cores));
        for (const [th, p] of peers) torch[th].push((await peerMs(p, { workload: 'train', steps: n }))!);
        ours.one.push(await sdekitMs([], 'ring8', n, 1));
        log(`bench train ${n} steps, round ${r + 1}: sdekit --threads ${cores} ${ours.all[r].ms.toFixed(2)} ms (CPU ${ours.all[r].cpu.toFixed(2)}), --threads 1 ${ours.one[r].ms.toFixed(2)} ms` +
          [...peers.keys()].map((th) => `; PyTorch ${th} thread(s) ${torch[th][r].ms.toFixed(2)} ms (CPU ${torch[th][r].cpu.toFixed(2)})`).join(''));
      }
      for (const [label, th] of [['all', cores], ['one', 1]] as const) {
        const m = median(ours[label].map((x) => x.ms)), cpu = median(ours[label].map((x) => x.cpu));
        // with workers the MLP step runs on sdekit's own wasm SIMD kernels (src/train/mlpWasmBackprop.ts), not tfjs
        const be = th > 1 ? `${th} workers, wasm SIMD: sdekit GEMM/SiLU kernels (src/backend/wasmGemm.ts)` : `${backend}; --threads 1`;
        if (peers.size === 0) rows.push({ workload: workload(n), backend: be, value: 1000 / m, unit: 'steps/s', note: `${m.toFixed(2)} ms/step` });
        for (const [pth, p] of peers) {
          const pm = median(torch[pth].map((x) => x.ms)), pc = median(torch[pth].map((x) => x.cpu));
          const ratios = ours[label].map((x, r) => torch[pth][r].ms / x.ms);
          rows.push({
            workload: workload(n), backend: be, value: 1000 / m, unit: 'steps/s', peerName: p.describe(), peer: 1000 / pm, ratio: pm / m,
            note: `${m.toFixed(2)} vs ${pm.toFixed(2)} ms/step; CPU ${cpu.toFixed(2)} vs ${pc.toFixed(2)} ms/step${spread(ratios)}`,
          });
        }
      }
    }
    // MNIST U-Net, class-conditional, batch 32
    const uSteps = opts.quick ? 3 : 6;
    const uOurs: { ms: number; cpu: number }[] = [], uTorch: { ms: number; cpu: number }[] = [];
    for (let r = 0; r < rounds; r++) {
      uOurs.push(await sdekitMs(['--channels', '32,64,64'], 'mnist', uSteps, cores));
      const t = await peerMs(peers.get(1), { workload: 'unet', steps: uSteps, warmup: 2 });
      if (t) uTorch.push(t);
      log(`bench train MNIST U-Net round ${r + 1}: sdekit ${uOurs[r].ms.toFixed(0)} ms (CPU ${uOurs[r].cpu.toFixed(0)})${t ? `; PyTorch 1 thread ${t.ms.toFixed(0)} ms (CPU ${t.cpu.toFixed(0)})` : ''}`);
    }
    const um = median(uOurs.map((x) => x.ms)), uc = median(uOurs.map((x) => x.cpu));
    const uw = 'sdekit train step: MNIST U-Net widths 32,64,64, class-conditional, batch 32';
    const p1 = peers.get(1);
    if (p1 && uTorch.length) {
      const pm = median(uTorch.map((x) => x.ms)), pc = median(uTorch.map((x) => x.cpu));
      rows.push({ workload: uw, backend: `${backend} + sdekit conv/group-norm kernels; --threads ${cores}`, value: 1000 / um, unit: 'steps/s', peerName: `${p1.describe()} (the twin U-Net, bench/peers/torch_workloads.py)`, peer: 1000 / pm, ratio: pm / um, note: `${um.toFixed(0)} vs ${pm.toFixed(0)} ms/step; CPU ${uc.toFixed(0)} vs ${pc.toFixed(0)} ms/step${spread(uOurs.map((x, r) => uTorch[r].ms / x.ms))}` });
    } else rows.push({ workload: uw, backend: `${backend}; --threads ${cores}`, value: 1000 / um, unit: 'steps/s', note: `${um.toFixed(0)} ms/step` });
  } finally {
    for (const p of peers.values()) p.stop();
  }
  return rows;
}

if (process.argv[1] && fileURLToPath(import.meta.url) === path.resolve(process.argv[1])) {
  const rows = await benchTrain({ quick: process.argv.includes('--quick'), log: (s) => console.error(s) });
  for (const r of rows) console.log(`${r.workload} | ${r.backend} | ${r.value.toPrecision(4)} ${r.unit}${r.peer !== undefined ? ` | ${r.peerName} ${r.peer.toPrecision(4)} | ratio ${r.ratio?.toFixed(3)}` : ''}${r.note ? ` | ${r.note}` : ''}`);
}
