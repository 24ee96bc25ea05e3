/**
 * The U-Net's data-movement ops with gradients as single loops over the wasm heap (issue 14: the
 * wasm backend's SplitV on the channel axis, the gradient of concat, and ResizeNearestNeighborGrad
 * were each several times slower than the copy they do):
 *
 * - channel concat [a, b] along the last axis; gradient: the split of dy (da, db);
 * - nearest 2x upsampling; gradient: the sum of dy over each 2x2 block (the adjoint of repetition).
 */
import * as tf from '@tensorflow/tfjs';
import { registerHeapKernel } from './wasmHeap.ts';

/** Register the kernels (idempotent). */
export function registerWasmGlueKernels(): void {
  registerHeapKernel('SdekitSplitLast', (be, { x }, attrs) => {
    const c1 = attrs.c1 as number, C = x.shape[x.shape.length - 1], c2 = C - c1;
    const lead = x.shape.slice(0, -1), rows = lead.reduce((p, q) => p * q, 1);
    const a = be.makeOutput([...lead, c1], 'float32'), b = be.makeOutput([...lead, c2], 'float32');
    const xx = be.typedArrayFromHeap(x), aa = be.typedArrayFromHeap(a), bb = be.typedArrayFromHeap(b);
    for (let r = 0; r < rows; r++) {
      aa.set(xx.subarray(r * C, r * C + c1), r * c1);
      bb.set(xx.subarray(r * C + c1, (r + 1) * C), r * c2);
    }
    return [a, b];
  });
  registerHeapKernel('SdekitUp2Grad', (be, { dy }) => {
    const [B, H2, W2, C] = dy.shape, H = H2 / 2, W = W2 / 2;
    const out = be.makeOutput([B, H, W, C], 'float32');
    const o = be.typedArrayFromHeap(out), d = be.typedArrayFromHeap(dy);
    for (let b = 0; b < B; b++) {
      for (let h = 0; h < H; h++) {
        for (let w = 0; w < W; w++) {
          const t = ((b * H + h) * W + w) * C;
          const s0 = ((b * H2 + 2 * h) * W2 + 2 * w) * C, s1 = s0 + W2 * C;
          for (let c = 0; c < C; c++) o[t + c] = d[s0 + c] + d[s0 + C + c] + d[s1 + c] + d[s1 + C + c];
        }
      }
    }
    return out;
  });
}

/** [a, b] along the last axis (wasm backend), differentiable in both. */
export const concatLastWasm = tf.customGrad(((...args: (tf.Tensor | tf.GradSaveFunc)[]) => {
  const [a, b] = args as [tf.Tensor4D, tf.Tensor4D];
  registerWasmGlueKernels();
  const c1 = a.shape[3];
  return {
    value: tf.concat([a, b], 3),
    gradFunc: (dy: tf.Tensor) => tf.engine().runKernel('SdekitSplitLast', { x: dy }, { c1 }) as tf.Tensor[],
  };
})) as (a: tf.Tensor4D, b: tf.Tensor4D) => tf.Tensor4D;

/** Nearest 2x upsampling of [B, H, W, C] (wasm backend), differentiable. */
export const up2Wasm = tf.customGrad(((...args: (tf.Tensor | tf.GradSaveFunc)[]) => {
  const [x] = args as [tf.Tensor4D];
  registerWasmGlueKernels();
  return {
    value: tf.image.resizeNearestNeighbor(x, [2 * x.shape[1], 2 * x.shape[2]]),
    gradFunc: (dy: tf.Tensor) => tf.engine().runKernel('SdekitUp2Grad', { dy }, {}) as tf.Tensor,
  };
})) as (x: tf.Tensor4D) => tf.Tensor4D;
