/**
 * The parts of the U-Net's 3x3 convolution on the wasm backend, per layer shape of one worker's
 * 16 rows (issue 14): forward (XNNPACK FusedConv2D), input gradient (XNNPACK, a convolution with the
 * flipped kernel), filter gradient as an XNNPACK convolution with dy as the filter, on our SIMD GEMM
 * over a padded grid (what src/backend/wasmConv3.ts runs), and as one XNNPACK im2col GEMM P^T dy with
 * dy fresh (as in training) or cached (XNNPACK keeps the packed right operand of a tensor it has
 * seen). Median CPU ms of 8 runs.
 *
 *   npx tsx bench/probes/unetConv.ts
 */
import * as tf from '@tensorflow/tfjs';
import { initTrainBackend } from '../../src/train/backend.ts';
import { flip3Wasm, registerWasmConvKernels } from '../../src/backend/wasmConv3.ts';
import { patches3 } from '../../src/score/layers.ts';

await initTrainBackend('wasm');
registerWasmConvKernels();
const cpuMs = (): number => { const c = process.cpuUsage(); return (c.user + c.system) / 1000; };
const median = (xs: number[]): number => { const s = [...xs].sort((a, b) => a - b); return s[Math.floor(s.length / 2)]; };
const fresh = <T extends tf.Tensor>(t: T): T => tf.add(t, 0) as T; // a new tensor id, as each step has
console.log('| layer (16 rows) | MFLOP | forward (XNNPACK) | dx (XNNPACK, flipped kernel) | dW (XNNPACK conv, dy as filter) | dW (ours) | dW (XNNPACK im2col GEMM, fresh dy) | dW (same, cached dy) |\n|---|---:|---:|---:|---:|---:|---:|---:|');
for (const [B, H, C, Co] of [[16, 28, 32, 32], [16, 28, 64, 32], [16, 14, 64, 64], [16, 14, 128, 64], [16, 7, 64, 64]]) {
  const x = tf.randomNormal([B, H, H, C]) as tf.Tensor4D, wm = tf.randomNormal([9 * C, Co]) as tf.Tensor2D, bias = tf.randomNormal([Co]) as tf.Tensor1D;
  const dy = tf.randomNormal([B, H, H, Co]) as tf.Tensor4D, dy2 = tf.reshape(dy, [-1, Co]) as tf.Tensor2D;
  const pt = tf.transpose(patches3(x)) as tf.Tensor2D;
  const parts: Record<string, () => tf.Tensor> = {
    dwArena: () => tf.engine().runKernel('SdekitFilterGrad3', { x, dy }, {}) as tf.Tensor,
    fwd: () => tf.fused.conv2d({ x, filter: tf.reshape(fresh(wm), [3, 3, C, Co]) as tf.Tensor4D, strides: 1, pad: 'same', bias }),
    dx: () => tf.conv2d(dy, flip3Wasm(fresh(wm), C), 1, 'same'),
    dwConv: () => tf.conv2d(tf.transpose(x, [3, 1, 2, 0]) as tf.Tensor4D, tf.transpose(dy, [1, 2, 0, 3]) as tf.Tensor4D, 1, [[0, 0], [1, 1], [1, 1], [0, 0]]),
    dwGemmFresh: () => tf.matMul(pt, fresh(dy2)),
    dwGemmCached: () => tf.matMul(pt, dy2),
  };
  const res: Record<string, number[]> = {};
  for (let r = 0; r < 9; r++) for (const [k, f] of Object.entries(parts)) { const t = cpuMs(); tf.dispose(tf.tidy(f)); if (r > 0) (res[k] ??= []).push(cpuMs() - t); }
  const m = (k: string): string => median(res[k]).toFixed(1);
  console.log(`| ${H}x${H}, ${C} -> ${Co} | ${((2 * B * H * H * 9 * C * Co) / 1e6).toFixed(0)} | ${m('fwd')} | ${m('dx')} | ${m('dwConv')} | ${m('dwArena')} | ${m('dwGemmFresh')} | ${m('dwGemmCached')} |`);
  tf.dispose([x, wm, bias, dy, pt]);
}
