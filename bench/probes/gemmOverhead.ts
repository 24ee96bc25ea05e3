/**
 * Issue 14: where did the training worker's matmul time go on tfjs-backend-wasm (XNNPACK), and what
 * does our own wasm SIMD GEMM (src/backend/wasmGemm.ts) take for the same products? One R x 256 x
 * 256 product (R = 256, a worker's shard), CPU time per call, median of rounds:
 *
 * - XNNPACK, the same weight tensor every call (its cached operator, weights packed once);
 * - XNNPACK, a new weight tensor every call (as a training step has: a new operator, weights packed per call);
 * - XNNPACK, A^T B through the matmul patch (transpose copy + new operator), as dW = h^T dZ ran;
 * - ours, A B and A^T B (A read through its strides), on one memory, nothing allocated.
 *
 *   npx tsx bench/probes/gemmOverhead.ts [R]
 */
import * as tf from '@tensorflow/tfjs';
import { initTrainBackend } from '../../src/train/backend.ts';
import { WasmArena } from '../../src/backend/wasmArena.ts';

const R = Number(process.argv[2] ?? 256), N = 256, K = 256, reps = 40;
await initTrainBackend('wasm');
const cpu = (): number => { const c = process.cpuUsage(); return (c.user + c.system) / 1000; };
const rand = (n: number): Float32Array => Float32Array.from({ length: n }, () => Math.random() - 0.5);
const median = (xs: number[]): number => [...xs].sort((a, b) => a - b)[xs.length >> 1];

/** CPU ms per call of f (after warm-up), median of 5 rounds. */
function perCall(f: () => void): number {
  for (let i = 0; i < 10; i++) f();
  const rounds: number[] = [];
  for (let r = 0; r < 5; r++) { const t = cpu(); for (let i = 0; i < reps; i++) f(); rounds.push((cpu() - t) / reps); }
  return median(rounds);
}

const aHost = rand(R * K), wHost = rand(K * N);
const a = tf.tensor2d(aHost, [R, K]), aT = tf.tensor2d(rand(K * R), [K, R]), w = tf.tensor2d(wHost, [K, N]);
const rows: [string, number][] = [];
rows.push(['XNNPACK, same weight tensor', perCall(() => tf.matMul(a, w).dispose())]);
rows.push(['XNNPACK, new weight tensor per call (upload included)', perCall(() => { const w2 = tf.tensor2d(wHost, [K, N]); tf.matMul(a, w2).dispose(); w2.dispose(); })]);
rows.push(['upload of the weight tensor alone', perCall(() => tf.tensor2d(wHost, [K, N]).dispose())]);
rows.push(['XNNPACK, A^T B (patch: transpose + new operator)', perCall(() => { const d = tf.tensor2d(wHost, [K, N]); tf.matMul(aT, d, true, false).dispose(); d.dispose(); })]);
const ar = new WasmArena(R * K + K * N + R * N + K * R);
ar.f32.set(aHost, 0); ar.f32.set(wHost, R * K);
const C = R * K + K * N, AT = C + R * N;
rows.push(['ours, A B', perCall(() => ar.gemm(R, N, K, { off: 0, si: K, sk: 1 }, { off: R * K, ld: N }, { off: C, ld: N }, 'zero'))]);
rows.push(['ours, A^T B (strides)', perCall(() => ar.gemm(R, N, K, { off: AT, si: 1, sk: R }, { off: R * K, ld: N }, { off: C, ld: N }, 'zero'))]);
const flop = 2 * R * N * K;
for (const [k, ms] of rows) console.log(`${k.padEnd(56)} ${ms.toFixed(3)} ms CPU per call${k.startsWith('upload') ? '' : `  (${(flop / ms / 1e6).toFixed(1)} GFLOP/s)`}`);
