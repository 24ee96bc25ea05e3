/**
 * Training-speed benchmark (issue 5): sdekit's own training step, end to end (host DSM batch from
 * the scheme's derived views, forward/backward through the issue-5 MLP 2 + 128 -> 256 -> 256 ->
 * 256 -> 2 with SiLU, global-norm clipping, Adam, EMA) at batch 512 on the best local backend,
 * against the same step in PyTorch CPU float32 (Debian python3-torch) measured in the same run,
 * rounds interleaved; and MNIST U-Net steps per second (batch 32).
 *
 *   npx tsx bench/train.ts [--quick]
 *
 * `benchTrain()` returns BenchRow[] for the top-level runner (bench/run.ts).
 */
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';
import { configFromArgs } from '../src/cli/train.ts';
import { resolveDataset } from '../src/data/resolve.ts';
import { loadScheme } from '../src/scheme/load.ts';
import { initTrainBackend } from '../src/train/backend.ts';
import { train } from '../src/train/loop.ts';
import type { BenchRow } from './row.ts';

const BATCH = 512;

/** PyTorch: the same DSM step (vp-linear, eps target, simple weighting, clip 1, Adam 1e-3, EMA 0.999). */
const TORCH_SCRIPT = String.raw`
import sys, json, math, time
import torch
threads, steps, rounds = map(int, sys.argv[1:4])
torch.set_num_threads(threads)
B, D, E, H = ${BATCH}, 2, 128, 256
torch.manual_seed(0)
net = torch.nn.Sequential(torch.nn.Linear(D + E, H), torch.nn.SiLU(), torch.nn.Linear(H, H), torch.nn.SiLU(),
                          torch.nn.Linear(H, H), torch.nn.SiLU(), torch.nn.Linear(H, D))
ema = [p.detach().clone() for p in net.parameters()]
opt = torch.optim.Adam(net.parameters(), lr=1e-3)
freqs = 0.25 * (1000.0 ** (torch.arange(E // 2, dtype=torch.float32) / (E // 2 - 1)))
centers = torch.tensor([[math.cos(2 * math.pi * k / 8), math.sin(2 * math.pi * k / 8)] for k in range(8)]) * math.sqrt(2)
def step(k):
    x0 = centers[torch.randint(0, 8, (B,))] + 0.1 * torch.randn(B, D)
    t = 1e-3 + (1 - 1e-3) * torch.rand(B)
    logalpha = -0.25 * t ** 2 * (20 - 0.1) - 0.5 * t * 0.1
    alpha = torch.exp(logalpha); sigma = torch.sqrt(1 - alpha ** 2)
    eps = torch.randn(B, D)
    xt = alpha[:, None] * x0 + sigma[:, None] * eps
    c = 2 * torch.tanh(torch.log(sigma / alpha) / 8)
    arg = c[:, None] * freqs[None, :]
    h = torch.cat([xt / torch.sqrt(sigma ** 2 + alpha ** 2)[:, None], torch.sin(arg), torch.cos(arg)], 1)
    loss = torch.mean((net(h) - eps) ** 2)
    opt.zero_grad(set_to_none=True)
    loss.backward()
    torch.nn.utils.clip_grad_norm_(net.parameters(), 1.0)
    opt.step()
    d = min(0.999, (1 + k) / (10 + k))
    with torch.no_grad():
        for e, p in zip(ema, net.parameters()): e.mul_(d).add_(p, alpha=1 - d)
    return loss.item()
for k in range(5): step(k)
out = []
for r in range(rounds):
    s = time.perf_counter()
    for k in range(steps): step(k)
    out.append((time.perf_counter() - s) * 1000 / steps)
print(json.dumps({"ms": out, "version": torch.__version__, "threads": torch.get_num_threads()}))
`;

function torchPython(): string | null {
  for (const py of ['python3', '/usr/bin/python3']) if (spawnSync(py, ['-c', 'import torch'], { encoding: 'utf8' }).status === 0) return py;
  return null;
}

function torchMs(py: string, threads: number, steps: number): { ms: number; version: string } {
  const r = spawnSync(py, ['-c', TORCH_SCRIPT, String(threads), String(steps), '1'], { encoding: 'utf8', env: { ...process.env, OMP_NUM_THREADS: String(threads), OPENBLAS_NUM_THREADS: String(threads) } });
  if (r.status !== 0) throw new Error(`PyTorch peer failed: ${r.stderr.slice(-400)}`);
  const j = JSON.parse(r.stdout) as { ms: number[]; version: string };
  return { ms: j.ms[0], version: j.version };
}

const median = (xs: number[]): number => { const s = [...xs].sort((a, b) => a - b); return s[Math.floor(s.length / 2)]; };

/** ms per step of sdekit's training loop after `warm` warm-up steps. */
async function sdekitMs(args: string[], data: string, steps: number, warm: number): Promise<number> {
  const ds = resolveDataset(data);
  const cfg = configFromArgs([...args, '--steps', String(warm + steps), '--checkpoint-every', String(10 * (warm + steps))], ds);
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'sdekit-bench-'));
  let t0 = 0;
  await train({ config: cfg, scheme: loadScheme(typeof cfg.scheme === 'string' ? cfg.scheme : 'vp-linear'), data: ds, outDir: dir, progress: false, onStep: (k) => { if (k === warm) t0 = performance.now(); } });
  const ms = (performance.now() - t0) / steps; // includes the final checkpoint write, as a real run does
  fs.rmSync(dir, { recursive: true, force: true });
  return ms;
}

/** Run the benchmark; rows for bench/run.ts. */
export async function benchTrain(opts: { quick?: boolean; log?: (s: string) => void } = {}): Promise<BenchRow[]> {
  const log = opts.log ?? (() => {});
  const backend = await initTrainBackend();
  const rounds = opts.quick ? 1 : 3, steps = opts.quick ? 20 : 40;
  const py = torchPython();
  const ours: number[] = [], torch1: number[] = [], torch2: number[] = [];
  let version = '';
  for (let r = 0; r < rounds; r++) {
    ours.push(await sdekitMs(['--scheme', 'vp-linear', '--batch', String(BATCH)], 'ring8', steps, 5));
    if (py) {
      const a = torchMs(py, 1, steps), b = torchMs(py, os.cpus().length, steps);
      torch1.push(a.ms); torch2.push(b.ms); version = a.version;
    }
    log(`bench train round ${r + 1}: sdekit ${ours[r].toFixed(1)} ms${py ? `, torch 1 thread ${torch1[r].toFixed(1)} ms, ${os.cpus().length} threads ${torch2[r].toFixed(1)} ms` : ''}`);
  }
  const m = median(ours);
  const rows: BenchRow[] = [];
  const workload = `sdekit train step: DSM + MLP 130-256-256-256-2 SiLU + clip + Adam + EMA, batch ${BATCH}`;
  if (py) {
    const p1 = median(torch1), p2 = median(torch2);
    rows.push({ workload, backend, value: m, unit: 'ms/step', peerName: `PyTorch ${version} CPU f32, 1 thread`, peer: p1, ratio: p1 / m, note: `${(1000 / m).toFixed(1)} steps/s` });
    rows.push({ workload, backend, value: m, unit: 'ms/step', peerName: `PyTorch ${version} CPU f32, ${os.cpus().length} threads`, peer: p2, ratio: p2 / m });
  } else rows.push({ workload, backend, value: m, unit: 'ms/step', note: 'python3-torch not installed: no peer' });
  for (const widths of ['32,64,64', '16,32,64']) {
    const ms = await sdekitMs(['--scheme', 'vp-linear', '--channels', widths, '--weighting', 'edm'], 'mnist', opts.quick ? 3 : 6, 2);
    log(`bench train: MNIST U-Net [${widths}] ${ms.toFixed(0)} ms/step`);
    rows.push({ workload: `sdekit train step: MNIST U-Net widths ${widths}, class-conditional, batch 32`, backend, value: 1000 / ms, unit: 'steps/s', note: `${ms.toFixed(0)} ms/step` });
  }
  return rows;
}

if (process.argv[1] && fileURLToPath(import.meta.url) === path.resolve(process.argv[1])) {
  const rows = await benchTrain({ quick: process.argv.includes('--quick'), log: (s) => console.error(s) });
  for (const r of rows) console.log(`${r.workload} | ${r.backend} | ${r.value.toPrecision(4)} ${r.unit}${r.peer !== undefined ? ` | ${r.peerName} ${r.peer.toPrecision(4)} | ratio ${r.ratio?.toFixed(3)}` : ''}${r.note ? ` | ${r.note}` : ''}`);
}
