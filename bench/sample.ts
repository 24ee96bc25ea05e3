/**
 * Sampling benchmark (issue 4): 100,000 points of a 2-D, 8-component Gaussian mixture (means on a
 * circle of radius 4, std 0.5) with the exact score, 20 steps of DPM-Solver++(2M) on vp-linear with
 * a uniform-t grid from 1 to 1e-3 (the DPM-Solver reference setting). Ours: float64 host loops.
 * Peer: the same computation in PyTorch CPU float32 (Debian python3-torch), from the same noise,
 * run round by round in the same process lifetime so both see the same machine load; reported as
 * seconds per run (median) and the ratio peer / ours (> 1: we are faster), at 1 thread and at all
 * cores for PyTorch. The PyTorch result also cross-checks ours (max |difference|, float32-limited).
 * When a WebGPU adapter opens (Dawn), the same run on float32 device buffers (src/kernels/deviceOps.ts:
 * one fused launch per linear combination, one mixture-views launch per evaluation, one readback)
 * is a second row, timed from upload to readback with its kernels already compiled; on a machine
 * without a GPU that adapter is Mesa's llvmpipe, i.e. software rendering on the CPU cores.
 *
 *   npx tsx bench/sample.ts [--rounds 5]
 */
import { spawn, spawnSync } from 'node:child_process';
import type { ChildProcessWithoutNullStreams } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { cpus, tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describeAdapter, probeDawn } from '../src/backend/webgpu.ts';
import { KernelRuntime } from '../src/kernels/runtime.ts';
import { webgpuDevice } from '../src/kernels/deviceOps.ts';
import { GaussianMixtureModel } from '../src/score/gmm.ts';
import { ParallelGaussianMixtureModel } from '../src/score/gmmParallel.ts';
import type { GmmSpec } from '../src/score/gmm.ts';
import { loadScheme } from '../src/scheme/load.ts';
import { createRng } from '../src/rng.ts';
import { sample } from '../src/sample/sample.ts';
import type { BenchRow } from './row.ts';

const N = 100_000;
const STEPS = 20;
const WORKLOAD = `sample ${N} pts, 2-D 8-GMM exact score, ${STEPS} steps dpm-solver++2m (vp-linear, uniform-t)`;

/** The benchmark mixture: 8 components on a circle of radius 4, std 0.5. */
export const BENCH_GMM: GmmSpec = {
  weights: Array.from({ length: 8 }, () => 1 / 8),
  means: Array.from({ length: 8 }, (_, k) => [4 * Math.cos((2 * Math.PI * k) / 8), 4 * Math.sin((2 * Math.PI * k) / 8)]),
  stds: Array.from({ length: 8 }, () => 0.5),
};

/** PyTorch peer: DPM-Solver++(2M) with the exact mixture x0-prediction, float32, vp-linear closed forms in float64. */
const TORCH_SCRIPT = String.raw`
import sys, json, math, time
import numpy as np
import torch
torch.set_grad_enabled(False)
spec = json.loads(sys.argv[1]); noise_path = sys.argv[2]; out_path = sys.argv[3]; steps = int(sys.argv[4])
mu = torch.tensor(spec["means"], dtype=torch.float32); s2 = torch.tensor(spec["stds"], dtype=torch.float32) ** 2
w = torch.tensor(spec["weights"], dtype=torch.float32); logw = torch.log(w / w.sum()); D = mu.shape[1]
noise = torch.from_numpy(np.fromfile(noise_path, dtype=np.float64).astype(np.float32)).reshape(-1, D)
b0, b1 = 0.1, 20.0
def log_alpha(t): return -0.25 * t * t * (b1 - b0) - 0.5 * t * b0
def alpha(t): return math.exp(log_alpha(t))
def sigma(t): return math.sqrt(-math.expm1(2 * log_alpha(t)))
def lam(t): return log_alpha(t) - math.log(sigma(t))
def x0_hat(x, a, s):
    c = a * a * s2 + s * s
    d2 = (x * x).sum(1, keepdim=True) - 2 * a * (x @ mu.T) + (a * a) * (mu * mu).sum(1)
    r = torch.softmax(logw - 0.5 * D * torch.log(c) - d2 / (2 * c), dim=1)
    return (r @ (a * s2 / c))[:, None] * x + r @ ((s * s / c)[:, None] * mu)
def run():
    ts = [1.0 + i / steps * (1e-3 - 1.0) for i in range(steps + 1)]
    x = sigma(ts[0]) * noise
    prev = None
    for i in range(steps):
        t, tn = ts[i], ts[i + 1]
        d = x0_hat(x, alpha(t), sigma(t))
        h = lam(tn) - lam(t)
        phi1 = math.expm1(-h)
        if prev is None or (steps < 10 and i == steps - 1):
            x = (sigma(tn) / sigma(t)) * x - alpha(tn) * phi1 * d
        else:
            r0 = (lam(t) - lam(ts[i - 1])) / h
            x = (sigma(tn) / sigma(t)) * x - alpha(tn) * phi1 * d - 0.5 * alpha(tn) * phi1 * (d - prev) / r0
        prev = d
    return x
x = run()
x.numpy().astype(np.float64).tofile(out_path)
print(json.dumps({"ready": True, "version": torch.__version__}), flush=True)
for line in sys.stdin:
    torch.set_num_threads(int(line))
    t0 = time.perf_counter(); run(); dt = time.perf_counter() - t0
    print(json.dumps({"s": dt}), flush=True)
`;

/** A python3 that can import torch, or null. */
function torchPython(): string | null {
  for (const py of ['python3', '/usr/bin/python3']) {
    if (spawnSync(py, ['-c', 'import torch, numpy'], { encoding: 'utf8' }).status === 0) return py;
  }
  return null;
}

/** A persistent PyTorch process answering one timing per request line. */
class TorchPeer {
  private buf = '';
  private pending: { resolve: (line: string) => void; reject: (e: Error) => void }[] = [];
  version = '';
  constructor(private readonly proc: ChildProcessWithoutNullStreams) {
    proc.once('exit', (code) => { for (const p of this.pending.splice(0)) p.reject(new Error(`PyTorch peer exited with ${code}`)); });
    proc.stdout.setEncoding('utf8');
    proc.stdout.on('data', (d: string) => {
      this.buf += d;
      for (let i = this.buf.indexOf('\n'); i >= 0; i = this.buf.indexOf('\n')) {
        const line = this.buf.slice(0, i);
        this.buf = this.buf.slice(i + 1);
        this.pending.shift()?.resolve(line);
      }
    });
  }
  line(): Promise<string> {
    return new Promise((resolve, reject) => { this.pending.push({ resolve, reject }); });
  }
  async time(threads: number): Promise<number> {
    const reply = this.line();
    this.proc.stdin.write(`${threads}\n`);
    return (JSON.parse(await reply) as { s: number }).s;
  }
  stop(): void {
    this.proc.stdin.end();
    this.proc.kill();
  }
}

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[(s.length - 1) >> 1] : 0.5 * (s[s.length / 2 - 1] + s[s.length / 2]);
}

/** Run the benchmark; rows for the top-level bench runner. */
export async function benchSample(opts: { rounds?: number; log?: (s: string) => void } = {}): Promise<{ rows: BenchRow[] }> {
  const rounds = opts.rounds ?? 5;
  const log = opts.log ?? ((s: string) => console.error(s));
  const scheme = loadScheme('vp-linear');
  const model = new GaussianMixtureModel(BENCH_GMM);
  const noise = createRng(0).fillNormal(new Float64Array(N * 2));
  const ours = async (): Promise<{ seconds: number; samples: Float64Array; nfe: number }> => {
    const r = await sample({ scheme, model, sampler: 'dpm-solver++2m', steps: STEPS, spacing: 'uniform-t', noise });
    return { seconds: r.seconds, samples: r.samples, nfe: r.nfe };
  };
  const first = await ours(); // warm-up (JIT)
  // the same host loops on both cores (what `sdekit sample --score gmm:` uses); bit-identical
  const model2 = new ParallelGaussianMixtureModel(BENCH_GMM);
  const ours2 = async (): Promise<{ seconds: number; samples: Float64Array }> => {
    const r = await sample({ scheme, model: model2, sampler: 'dpm-solver++2m', steps: STEPS, spacing: 'uniform-t', noise });
    return { seconds: r.seconds, samples: r.samples };
  };
  const second = await ours2(); // warm-up (worker start)
  if (second.samples.some((v, i) => v !== first.samples[i])) throw new Error('two-thread host sampling differs from one thread');
  const dawn = await probeDawn();
  const device = dawn.ok ? webgpuDevice(new KernelRuntime(dawn.context.device), `webgpu (${describeAdapter(dawn.context.info)})`) : undefined;
  const onDevice = async (): Promise<{ seconds: number; samples: Float64Array }> => {
    const r = await sample({ scheme, model, sampler: 'dpm-solver++2m', steps: STEPS, spacing: 'uniform-t', noise, device });
    return { seconds: r.seconds, samples: r.samples };
  };
  let gpuDiff = NaN;
  if (device) {
    const g = await onDevice(); // warm-up (shader compilation)
    gpuDiff = 0;
    for (let i = 0; i < g.samples.length; i++) gpuDiff = Math.max(gpuDiff, Math.abs(g.samples[i] - first.samples[i]));
    log(`# ${device.description}: max |webgpu f32 - host f64| = ${gpuDiff.toExponential(2)} over ${N} points`);
  } else {
    log(`# no WebGPU adapter: no webgpu row (${dawn.ok ? '' : dawn.reason})`);
  }
  const py = torchPython();
  let peer: TorchPeer | null = null;
  let maxDiff = NaN;
  const dir = mkdtempSync(join(tmpdir(), 'sdekit-bench-'));
  try {
    if (py) {
      writeFileSync(join(dir, 'noise.f64'), new Uint8Array(noise.buffer));
      peer = new TorchPeer(spawn(py, ['-c', TORCH_SCRIPT, JSON.stringify(BENCH_GMM), join(dir, 'noise.f64'), join(dir, 'out.f64'), String(STEPS)], { stdio: ['pipe', 'pipe', 'pipe'] }));
      peer.version = (JSON.parse(await peer.line()) as { version: string }).version;
      const theirs = new Float64Array(readFileSync(join(dir, 'out.f64')).buffer.slice(0));
      maxDiff = 0;
      for (let i = 0; i < theirs.length; i++) maxDiff = Math.max(maxDiff, Math.abs(theirs[i] - first.samples[i]));
      log(`# PyTorch ${peer.version}: max |ours - PyTorch float32| = ${maxDiff.toExponential(2)} over ${N} points`);
    } else {
      log('# PyTorch not available (apt-get install python3-torch): no peer column');
    }
    const cores = cpus().length;
    const t: { ours: number[]; ours2: number[]; gpu: number[]; torch1: number[]; torchAll: number[] } = { ours: [], ours2: [], gpu: [], torch1: [], torchAll: [] };
    for (let r = 0; r < rounds; r++) {
      t.ours.push((await ours()).seconds);
      t.ours2.push((await ours2()).seconds);
      if (device) t.gpu.push((await onDevice()).seconds);
      if (peer) {
        t.torch1.push(await peer.time(1));
        t.torchAll.push(await peer.time(cores));
      }
      log(`# round ${r + 1}/${rounds}: ours ${t.ours[r].toFixed(3)} s${device ? `, webgpu ${t.gpu[r].toFixed(3)} s` : ''}${peer ? `, PyTorch 1 thread ${t.torch1[r].toFixed(3)} s, ${cores} threads ${t.torchAll[r].toFixed(3)} s` : ''}`);
    }
    const rows: BenchRow[] = [];
    const addRows = (backend: string, mine: number, note: string): void => {
      if (!peer) { rows.push({ workload: WORKLOAD, backend, value: mine, unit: 's/run', note }); return; }
      for (const [threads, xs] of [[1, t.torch1], [cores, t.torchAll]] as const) {
        const p = median(xs);
        rows.push({ workload: WORKLOAD, backend, value: mine, unit: 's/run', peer: p, peerName: `PyTorch ${peer.version} CPU f32, ${threads} thread${threads > 1 ? 's' : ''}`, ratio: p / mine, note });
      }
    };
    addRows('host-f64 x2 threads', median(t.ours2), `nfe ${first.nfe}; host float64 on 2 cores (main + 1 worker, shared memory), bit-identical to 1 thread; the CLI's default`);
    addRows('host-f64', median(t.ours), `nfe ${first.nfe}; host float64, 1 thread${Number.isFinite(maxDiff) ? `; max |diff| vs PyTorch ${maxDiff.toExponential(1)}` : ''}`);
    if (device && dawn.ok) {
      const software = dawn.context.info.software
        ? `SOFTWARE rendering (${dawn.context.info.device || 'software adapter'} on ${cores} CPU cores), not a GPU measurement; `
        : '';
      addRows('webgpu-f32', median(t.gpu), `${software}${device.description}; device buffers, upload to readback; max |diff| vs host f64 ${gpuDiff.toExponential(1)}`);
    }
    return { rows };
  } finally {
    peer?.stop();
    rmSync(dir, { recursive: true, force: true });
  }
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const i = process.argv.indexOf('--rounds');
  const rounds = i > 0 ? Number(process.argv[i + 1]) : 5;
  const { rows } = await benchSample({ rounds });
  for (const r of rows) {
    console.log(`${r.workload} | ${r.backend} ${r.value.toFixed(3)} ${r.unit}${r.peer !== undefined ? ` | ${r.peerName} ${r.peer.toFixed(3)} ${r.unit} | ratio ${r.ratio!.toFixed(2)}` : ''} | ${r.note ?? ''}`);
  }
}
