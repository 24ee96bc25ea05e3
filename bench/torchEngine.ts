/**
 * The PyTorch engine against sdekit's own (issue 13): the same 2-D training (ring8, vp-linear, the
 * default MLP 2 + 128 -> 256 -> 256 -> 256 -> 2 and objective, batch 512, same seed) with
 * `--engine torch --nproc 1`, `--nproc 2` (DDP over gloo) and sdekit's engine; steps/s of the
 * training loop (torch: measured inside the program, without the torchrun start-up, which the note
 * gives) and the sliced Wasserstein-2 distance of 2000 samples (sdekit's dpm-solver++2m preview, 50
 * steps) to held-out data. OPENBLAS_CORETYPE / OPENBLAS_L2_SIZE are unset for the torch processes.
 *
 *   npm run bench -- torch-engine [--quick]
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { configFromArgs } from '../src/cli/train.ts';
import { toy2d } from '../src/data/toy2d.ts';
import { loadScheme } from '../src/scheme/load.ts';
import { initTrainBackend } from '../src/train/backend.ts';
import { train } from '../src/train/loop.ts';
import { renderSamples } from '../src/run/preview.ts';
import { trainTorch } from '../src/engines/torch/engine.ts';
import { findTorchPython } from '../src/engines/torch/findPython.ts';
import type { BenchRow } from './row.ts';

/** Rows of the engine comparison. */
export async function benchTorchEngine(opts: { quick?: boolean; log?: (s: string) => void } = {}): Promise<BenchRow[]> {
  const log = opts.log ?? (() => {});
  const steps = opts.quick ? 100 : 1000;
  const data = toy2d('ring8'), scheme = loadScheme('vp-linear');
  const config = configFromArgs(['--scheme', 'vp-linear', '--steps', String(steps), '--seed', '0', '--checkpoint-every', String(steps)], data);
  const py = findTorchPython();
  const backend = await initTrainBackend();
  const workload = `train ring8 ${steps} steps (vp-linear, MLP 256x3, batch 512, EDM objective)`;
  const rows: BenchRow[] = [];
  const runs: { name: string; run: (dir: string) => Promise<{ sps: number; wall: number }> }[] = [
    { name: `sdekit engine (${backend})`, run: async (dir) => { const t = performance.now(); const r = await train({ config, scheme, data, outDir: dir, progress: false }); return { sps: r.stepsPerSecond, wall: (performance.now() - t) / 1000 }; } },
    ...[1, 2].map((nproc) => ({
      name: `torch ${py.torchVersion} --nproc ${nproc}${nproc > 1 ? ' (DDP, gloo)' : ''}`,
      run: async (dir: string) => {
        const t = performance.now();
        const r = await trainTorch({ config, scheme, data, outDir: dir, nproc, progress: false, python: py.python, env: { OPENBLAS_CORETYPE: undefined, OPENBLAS_L2_SIZE: undefined } });
        return { sps: r.stepsPerSecond, wall: (performance.now() - t) / 1000 };
      },
    })),
  ];
  let base = NaN;
  for (const r of runs) {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'sdekit-bench-engine-'));
    log(`torch-engine: ${r.name} ...`);
    const { sps, wall } = await r.run(dir);
    const sw = (await renderSamples(dir, scheme, data, 2000)).slicedWasserstein!;
    if (Number.isNaN(base)) base = sps;
    rows.push({ workload, backend: r.name, value: sps, unit: 'steps/s', peerName: rows.length ? 'sdekit engine (same run)' : undefined, peer: rows.length ? base : undefined, ratio: rows.length ? base / sps : undefined, note: `SW2 to held-out ${sw.toFixed(4)}; wall ${wall.toFixed(1)} s incl. start-up` });
    fs.rmSync(dir, { recursive: true });
  }
  return rows;
}
