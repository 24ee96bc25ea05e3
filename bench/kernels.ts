/**
 * Fused sampler-update benchmark (issue 6): one step x <- a x + b e + c z over n float32 values
 * (a, b, c host float64 scalars), the elementwise core of Euler-Maruyama / DDPM / DDIM steps, as
 *   - a plain typed-array loop on the host (the path for wasm/cpu sampling with analytic scores),
 *   - the TensorFlow.js op chain (mul, mul, mul, add, add) on the wasm backend,
 *   - the generated WGSL kernel on Dawn (src/kernels, one dispatch per step; llvmpipe when no GPU),
 * against PyTorch CPU float32 in-place ops (x.mul_(a).add_(e, alpha=b).add_(z, alpha=c)) in the
 * same run. value = median ms per step, ratio = PyTorch / value (> 1: faster).
 *
 *   npx tsx bench/kernels.ts [--quick]
 */
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import * as tf from '@tensorflow/tfjs';
import { initBackend } from '../src/backend/select.ts';
import { probeDawn } from '../src/backend/webgpu.ts';
import { KernelRuntime } from '../src/kernels/runtime.ts';
import { FusedUpdate, fusedUpdateHost } from '../src/kernels/fusedUpdate.ts';
import { mulberry32 } from '../src/backend/mlpWorkload.ts';
import { findTorchPython } from './mlpStep.ts';
import type { BenchRow } from './row.ts';

const TORCH = String.raw`
import sys, time, json, torch
n, steps = int(sys.argv[1]), int(sys.argv[2])
torch.set_num_threads(1)
x = torch.randn(n); e = torch.randn(n); z = torch.randn(n)
ts = []
for k in range(steps + 3):
    a, b, c = 0.999 - 1e-4 * k, -0.01, 0.005
    s = time.perf_counter()
    x.mul_(a).add_(e, alpha=b).add_(z, alpha=c)
    if k >= 3: ts.append((time.perf_counter() - s) * 1000)
ts.sort()
print(json.dumps({"ms": ts[len(ts) // 2]}))
`;

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[s.length >> 1];
}

function data(n: number, seed: number): Float32Array {
  const u = mulberry32(seed);
  return Float32Array.from({ length: n }, () => 2 * u() - 1);
}

const coef = (k: number): [number, number, number] => [0.999 - 1e-4 * k, -0.01, 0.005];

/** Run the benchmark for n = 2^20 elements (2^16 with `quick`). */
export async function benchKernels(opts: { quick?: boolean; log?: (s: string) => void } = {}): Promise<BenchRow[]> {
  const log = opts.log ?? ((s: string) => console.error(s));
  const n = opts.quick ? 1 << 16 : 1 << 20;
  const steps = opts.quick ? 20 : 50;
  const workload = `sampler update x = a x + b e + c z (n = ${n}, f32)`;
  const x0 = data(n, 1), e = data(n, 2), z = data(n, 3);
  const times: Record<string, number[]> = {};

  // host typed-array loop, in place (float64 accumulation per element)
  {
    const x = x0.slice();
    const t: number[] = [];
    for (let k = 0; k < steps + 3; k++) {
      const s = performance.now();
      fusedUpdateHost(coef(k), [x, e, z], x);
      if (k >= 3) t.push(performance.now() - s);
    }
    times['host typed-array loop (1 thread)'] = t;
  }
  // tfjs op chain on wasm
  {
    await initBackend('wasm');
    let x = tf.tensor1d(x0);
    const te = tf.tensor1d(e), tz = tf.tensor1d(z);
    const t: number[] = [];
    for (let k = 0; k < steps + 3; k++) {
      const [a, b, c] = coef(k);
      const s = performance.now();
      const next = tf.tidy(() => tf.add(tf.add(tf.mul(x, a), tf.mul(te, b)), tf.mul(tz, c)));
      x.dispose();
      x = next as tf.Tensor1D;
      x.dataSync(); // wait for the result (wasm is synchronous; this reads back n values)
      if (k >= 3) t.push(performance.now() - s);
    }
    tf.dispose([x, te, tz]);
    times['wasm tfjs op chain (5 ops + readback)'] = t;
  }
  // generated WGSL on Dawn
  const dawn = await probeDawn();
  if (dawn.ok) {
    const rt = await KernelRuntime.open();
    const fu = await FusedUpdate.create(rt, 3, { inPlace: true });
    const gx = rt.array(x0), ge = rt.array(e), gz = rt.array(z);
    const t: number[] = [];
    for (let k = 0; k < steps + 3; k++) {
      const s = performance.now();
      fu.step(coef(k), gx, [ge, gz]);
      await rt.finish();
      if (k >= 3) t.push(performance.now() - s);
    }
    fu.destroy();
    rt.destroy();
    const info = dawn.context.info;
    times[`webgpu fused kernel, 1 dispatch (${info.software ? 'software: ' : ''}${info.device || info.vendor})`] = t;
  } else log(`# webgpu skipped: ${dawn.reason}`);

  let peer: number | undefined;
  const py = findTorchPython();
  if (py) {
    const r = spawnSync(py, ['-c', TORCH, String(n), String(steps)], { encoding: 'utf8', env: { ...process.env, OMP_NUM_THREADS: '1' } });
    if (r.status === 0) peer = (JSON.parse(r.stdout) as { ms: number }).ms;
    else log(`# PyTorch failed: ${r.stderr.split('\n').slice(-2).join(' ')}`);
  } else log('# PyTorch not available: no peer column');

  const rows: BenchRow[] = Object.entries(times).map(([backend, t]) => {
    const value = median(t);
    return {
      workload, backend, value, unit: 'ms/step',
      ...(peer !== undefined ? { peer, peerName: 'PyTorch CPU f32 in-place ops, 1 thread', ratio: peer / value } : {}),
      note: `${((n / value) * 1e-3).toFixed(0)} M elements/s`,
    };
  });
  for (const r of rows) log(`${r.backend.padEnd(56)} ${r.value.toFixed(3).padStart(8)} ms${r.peer !== undefined ? `   PyTorch ${r.peer.toFixed(3)} ms   ratio ${r.ratio?.toFixed(2)}` : ''}   (${r.note})`);
  return rows;
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  console.log(JSON.stringify(await benchKernels({ quick: process.argv.includes('--quick') }), null, 2));
}
