/**
 * The 3x3 'same' convolution of the U-Net (src/score/layers.ts) on the TensorFlow.js wasm backend
 * (the backend has no Conv2DBackpropFilter and runs Conv2DBackpropInput ~9x slower than Conv2D).
 * W is stored as the im2col matrix [9 C, C_out] (= HWIO [3, 3, C, C_out] flattened; rows dy, dx, c):
 *
 *   y  = conv(x, W) + b                  (XNNPACK FusedConv2D, the bias fused)
 *   dx = conv(dy, W'),  W'[i, j, co, c] = W[2 - i, 2 - j, c, co]  (the transposed convolution as a
 *        convolution with the flipped kernel; Dumoulin & Visin 2016, "A guide to convolution arithmetic")
 *   dW = sum over the B H W positions of the shifted input times dy: 9 x B GEMMs X_shift^T dY on our
 *        SIMD GEMM (wasmGemm.ts) over zero-padded grids (filterGrad3); where the channel counts are
 *        not whole GEMM tiles, an XNNPACK convolution of x^T [C, H, W, B] with dy^T [H, W, B, C_out]
 *        as the filter
 *   db = column sums of dy over the B H W rows
 *
 * Measured per layer with `npx tsx bench/probes/unetConv.ts` (issue 14): the filter gradient on our GEMM
 * takes 0.55-0.75x the time of the XNNPACK convolution; the forward convolution on our GEMM (3 products
 * of K = 3 C per image) was no faster than XNNPACK's, so forward and dx stay there. The flip is a plain
 * loop over the wasm heap (wasmHeap.ts).
 */
import * as tf from '@tensorflow/tfjs';
import { registerHeapKernel, type WasmHeap } from './wasmHeap.ts';
import { WasmArena, wasmSimdSupported } from './wasmArena.ts';
import { GEMM_MR, GEMM_NR } from './wasmGemm.ts';

/** The flipped, transposed kernel W'[i, j, co, c] = W[2 - i, 2 - j, c, co] from W [9 C, C_out]; attr `c` = C. */
function flip3(be: WasmHeap, wm: tf.TensorInfo, C: number): tf.TensorInfo {
  const Co = wm.shape[1];
  const out = be.makeOutput([3, 3, Co, C], 'float32');
  const f = be.typedArrayFromHeap(out), w = be.typedArrayFromHeap(wm);
  for (let tap = 0; tap < 9; tap++) {
    const src = (8 - tap) * C * Co, dst = tap * Co * C;
    for (let c = 0; c < C; c++) for (let co = 0; co < Co; co++) f[dst + co * C + c] = w[src + c * Co + co];
  }
  return out;
}

let arena: WasmArena | null = null;
/** Our SIMD GEMM's memory (wasmArena.ts), grown when a call needs more. */
function arenaFor(floats: number): WasmArena {
  if (arena === null || arena.floats < floats) arena = new WasmArena(Math.ceil(1.25 * floats));
  return arena;
}

/** Whether the filter gradient of a C -> C_out convolution runs on our GEMM (whole tiles: C % 4, C_out % 8; SIMD validated). */
let simd: boolean | undefined;
const onArena = (C: number, Co: number): boolean => C % GEMM_MR === 0 && Co % GEMM_NR === 0 && (simd ??= wasmSimdSupported());

/**
 * Copy the images [B, H, W, ch] (flat) into the zero-padded grid [B, H + 2, W + 2, ch] at `off` of f
 * (zeroing the grid first); the grid's row p is f[off + p ch ...].
 */
function toGrid(f: Float32Array, off: number, src: Float32Array, B: number, H: number, W: number, ch: number): void {
  const Wp = W + 2;
  f.fill(0, off, off + B * (H + 2) * Wp * ch);
  for (let b = 0; b < B; b++) {
    for (let h = 0; h < H; h++) {
      const s = (b * H + h) * W, d = (b * (H + 2) + h + 1) * Wp + 1;
      f.set(src.subarray(s * ch, (s + W) * ch), off + d * ch);
    }
  }
}

/**
 * dW [9 C, C_out], dW[(ty, tx, c), co] = sum_{b, h, w} x(b, h + ty - 1, w + tx - 1, c) dy(b, h, w, co), on
 * our SIMD GEMM (wasmGemm.ts): x and dy are copied into zero-padded grids [B, H + 2, W + 2, *] (with a
 * zero guard row at each end), where tap (ty, tx) is the row shift (ty - 1)(W + 2) + tx - 1; per tap
 * and image, dW_tap += X_shift^T dY is one GEMM over the image's H (W + 2) grid rows (A read
 * transposed through its strides, no copy; the pad columns of dY are zero and add nothing).
 */
function filterGrad3(be: WasmHeap, x: tf.TensorInfo, dy: tf.TensorInfo): tf.TensorInfo {
  const [B, H, W, C] = x.shape, Co = dy.shape[3];
  const Wp = W + 2, Hp = H + 2, R = B * Hp * Wp;
  const xOff = C, dyOff = xOff + (R + 1) * C, wOff = dyOff + R * Co; // guard row, x grid, guard row, dy grid, dW
  const ar = arenaFor(wOff + 9 * C * Co);
  const f = ar.f32;
  f.fill(0, 0, xOff);
  f.fill(0, dyOff - C, dyOff);
  toGrid(f, xOff, be.typedArrayFromHeap(x), B, H, W, C);
  toGrid(f, dyOff, be.typedArrayFromHeap(dy), B, H, W, Co);
  for (let tap = 0; tap < 9; tap++) {
    const shift = (((tap / 3) | 0) - 1) * Wp + (tap % 3) - 1, out = { off: wOff + tap * C * Co, ld: Co };
    for (let b = 0; b < B; b++) {
      const p0 = (b * Hp + 1) * Wp;
      ar.gemm(C, Co, H * Wp, { off: xOff + (p0 + shift) * C, si: 1, sk: C }, { off: dyOff + p0 * Co, ld: Co }, out, b === 0 ? 'zero' : 'acc');
    }
  }
  const dw = be.makeOutput([9 * C, Co], 'float32');
  be.typedArrayFromHeap(dw).set(f.subarray(wOff, wOff + 9 * C * Co));
  return dw;
}

/** Register the convolution's heap kernel (idempotent). */
export function registerWasmConvKernels(): void {
  registerHeapKernel('SdekitFlip3', (be, { w }, attrs) => flip3(be, w, attrs.c as number));
  registerHeapKernel('SdekitFilterGrad3', (be, { x, dy }) => filterGrad3(be, x, dy));
}

/** The kernel of the input gradient, [3, 3, C_out, C], from W [9 C, C_out] (wasm only). */
export function flip3Wasm(w: tf.Tensor2D, c: number): tf.Tensor4D {
  registerWasmConvKernels();
  return tf.engine().runKernel('SdekitFlip3', { w }, { c }) as tf.Tensor4D;
}

/**
 * y = conv3x3_same(x, W) + b with W the im2col matrix [9 C, C_out], and its gradients as above
 * (wasm backend only; layers.ts falls back to tf ops elsewhere).
 */
export const conv3Wasm = tf.customGrad(((...args: (tf.Tensor | tf.GradSaveFunc)[]) => {
  const [x, wm, bias, save] = args as [tf.Tensor4D, tf.Tensor2D, tf.Tensor1D, tf.GradSaveFunc];
  const C = x.shape[3], Co = wm.shape[1];
  save([x, wm]);
  return {
    value: tf.fused.conv2d({ x, filter: tf.reshape(wm, [3, 3, C, Co]) as tf.Tensor4D, strides: 1, pad: 'same', bias }),
    gradFunc: (dy: tf.Tensor, saved: tf.Tensor[]) => {
      const [xs, ws] = saved as [tf.Tensor4D, tf.Tensor2D];
      const [B, H, W, c] = xs.shape, co = ws.shape[1];
      const dx = tf.conv2d(dy as tf.Tensor4D, flip3Wasm(ws, c), 1, 'same');
      const dy2 = tf.reshape(dy, [B * H * W, co]) as tf.Tensor2D;
      if (onArena(c, co)) return [dx, tf.engine().runKernel('SdekitFilterGrad3', { x: xs, dy }, {}) as tf.Tensor, tf.sum(dy2, 0)];
      // x^T [C, H, W, B] convolved with dy^T [H, W, B, C_out] as the filter, padding 1 -> [C, 3, 3, C_out]
      const dWt = tf.conv2d(tf.transpose(xs, [3, 1, 2, 0]) as tf.Tensor4D, tf.transpose(dy, [1, 2, 0, 3]) as tf.Tensor4D, 1, [[0, 0], [1, 1], [1, 1], [0, 0]]);
      const dW = tf.reshape(tf.transpose(dWt, [1, 2, 0, 3]), [9 * c, co]);
      return [dx, dW, tf.sum(dy2, 0)];
    },
  };
})) as (x: tf.Tensor4D, w: tf.Tensor2D, b: tf.Tensor1D) => tf.Tensor4D;
