/**
 * The MNIST U-Net training step as bench/train.ts's last section runs it (sdekit train, mnist, widths
 * 32,64,64, batch 32, 2 workers, 3 warm-up steps), wall and CPU (all threads) per step, the wall and CPU
 * time of each step, and with --torch the PyTorch twin on one thread. To compare two versions of sdekit
 * on a busy machine, run it alternately in two checkouts (e.g. a `git worktree` of an older commit):
 *
 *   npx tsx bench/probes/unetTrainStep.mts [steps=6] [--torch]
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { configFromArgs } from '../../src/cli/train.ts';
import { resolveDataset } from '../../src/data/resolve.ts';
import { loadScheme } from '../../src/scheme/load.ts';
import { initTrainBackend } from '../../src/train/backend.ts';
import { train } from '../../src/train/loop.ts';
import { findTorchPython, TorchPeer } from '../peers/torchPeer.ts';
await initTrainBackend();
const steps = Number(process.argv[2] ?? 6), WARM = 3;
const ds = resolveDataset('mnist');
const cfg = configFromArgs(['--scheme', 'vp-linear', '--channels', '32,64,64', '--steps', String(WARM + steps), '--checkpoint-every', '100000'], ds);
const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'sdekit-ab-'));
let t0 = 0, c0 = process.cpuUsage();
const deltas: string[] = []; let tl = performance.now(), cl = 0;
await train({ config: cfg, scheme: loadScheme('vp-linear'), data: ds, outDir: dir, progress: false, threads: 2, onStep: (k) => { const now = performance.now(); const cc = process.cpuUsage(); deltas.push(`${k}:${(now - tl).toFixed(0)}/${((cc.user + cc.system - cl) / 1000).toFixed(0)}`); tl = now; cl = cc.user + cc.system; if (k === WARM) { t0 = performance.now(); c0 = process.cpuUsage(); } } });
console.log(deltas.join(' '));
const c = process.cpuUsage(c0);
fs.rmSync(dir, { recursive: true, force: true });
let out = `sdekit ${((performance.now() - t0) / steps).toFixed(0)} ms/step (CPU ${((c.user + c.system) / 1000 / steps).toFixed(0)})`;
if (process.argv.includes('--torch')) {
  const p = await TorchPeer.start(findTorchPython()!, 1);
  const t = await p.time({ workload: 'unet', steps, warmup: 2 });
  out += `; torch ${(t.ms.reduce((a, b) => a + b) / t.ms.length).toFixed(0)} ms/step (CPU ${(t.cpu.reduce((a, b) => a + b) / t.cpu.length).toFixed(0)})`;
  p.stop();
}
console.log(out);
process.exit(0);
