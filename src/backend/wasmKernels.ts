/**
 * Small fused kernels for the TensorFlow.js wasm backend, written as plain typed-array loops over
 * the wasm heap (one kernel call instead of a chain of ~5-15 tfjs ops, each of which allocates):
 *
 * - `SdekitSiluGrad`: dZ = dH * s * (1 + z (1 - s)), the SiLU derivative (Elfwing et al. 2018)
 *   with s = sigmoid(z) saved from the forward pass;
 * - `SdekitAdam`: one Adam step (Kingma & Ba 2015, Algorithm 1, in the form tf.train.adam uses:
 *   p - lr * mhat / (sqrt(vhat) + eps)) on a parameter, with the moments kept in host Float32Arrays
 *   (persistent, no per-step allocation). For a bias the gradient is given as the B x n matrix dZ
 *   and summed over rows inside the kernel (no separate Sum op, which on wasm transposes first).
 *
 * - `SdekitMlpInput`: the network input [x, sin(t w), cos(t w)] (sinusoidal time embedding,
 *   Vaswani et al. 2017) in one pass, instead of mul + sin + cos + two concats.
 *
 * Parameters are never mutated in place: the wasm matmul caches XNNPACK operators with packed
 * weights keyed by the weight tensor, so each step produces fresh parameter tensors.
 */
import * as tf from '@tensorflow/tfjs';
import { registerHeapKernel } from './wasmHeap.ts';

/** Adam hyper-parameters and the moment buffers of one parameter. */
export interface AdamState {
  readonly m: Float32Array;
  readonly v: Float32Array;
  /** scratch for a bias gradient (row sums of dZ); length of the bias */
  readonly g: Float32Array;
}

/** Adam step attributes. */
export interface AdamAttrs {
  readonly lr: number;
  readonly beta1: number;
  readonly beta2: number;
  readonly eps: number;
  /** 1-based step count */
  readonly t: number;
}

/**
 * One Adam update on host arrays, in the form tf.train.adam uses (Kingma & Ba 2015, Algorithm 1):
 * m <- b1 m + (1 - b1) g; v <- b2 v + (1 - b2) g^2; out = p - lr mhat / (sqrt(vhat) + eps) with
 * mhat = m / (1 - b1^t), vhat = v / (1 - b2^t). `out` may alias `p`.
 */
export function adamUpdate(p: Float32Array, g: Float32Array, out: Float32Array, m: Float32Array, v: Float32Array, a: AdamAttrs): void {
  const b1 = a.beta1, b2 = a.beta2;
  const c1 = 1 / (1 - Math.pow(b1, a.t)), c2 = 1 / (1 - Math.pow(b2, a.t));
  const lr = a.lr, eps = a.eps;
  const n = p.length;
  for (let i = 0; i < n; i++) {
    const gi = g[i];
    const mi = b1 * m[i] + (1 - b1) * gi;
    const vi = b2 * v[i] + (1 - b2) * gi * gi;
    m[i] = mi;
    v[i] = vi;
    out[i] = p[i] - (lr * (mi * c1)) / (Math.sqrt(vi * c2) + eps);
  }
}

/** Register the kernels for the wasm backend (idempotent). */
export function registerWasmTrainingKernels(): void {
  registerHeapKernel('SdekitMlpInput', (be, { x, t, freqs }) => {
    const rows = x.shape[0], d = x.shape[1], half = freqs.shape[0];
    const width = d + 2 * half;
    const out = be.makeOutput([rows, width], 'float32');
    const o = be.typedArrayFromHeap(out), xx = be.typedArrayFromHeap(x), tt = be.typedArrayFromHeap(t), w = be.typedArrayFromHeap(freqs);
    for (let r = 0; r < rows; r++) {
      const base = r * width;
      for (let j = 0; j < d; j++) o[base + j] = xx[r * d + j];
      const tr = tt[r];
      for (let j = 0; j < half; j++) {
        const a = Math.fround(tr * w[j]); // the float32 argument, as tf.mul would round it
        o[base + d + j] = Math.sin(a);
        o[base + d + half + j] = Math.cos(a);
      }
    }
    return out;
  });
  registerHeapKernel('SdekitSiluGrad', (be, { dh, z, s }) => {
    const out = be.makeOutput([...z.shape], 'float32');
    // views after makeOutput: an allocation may grow (and detach) the heap
    const o = be.typedArrayFromHeap(out), d = be.typedArrayFromHeap(dh), zz = be.typedArrayFromHeap(z), ss = be.typedArrayFromHeap(s);
    for (let i = 0; i < o.length; i++) {
      const si = ss[i];
      o[i] = d[i] * si * (1 + zz[i] * (1 - si));
    }
    return out;
  });
  registerHeapKernel('SdekitAdam', (be, { p, g }, attrs) => {
    const a = attrs as unknown as AdamAttrs & { state: AdamState; rowSum: boolean };
    const out = be.makeOutput([...p.shape], 'float32');
    const o = be.typedArrayFromHeap(out), pp = be.typedArrayFromHeap(p), gg = be.typedArrayFromHeap(g);
    const { m, v } = a.state;
    const n = pp.length;
    let grad: Float32Array = gg;
    if (a.rowSum) {
      grad = a.state.g;
      grad.fill(0);
      const rows = gg.length / n;
      for (let r = 0; r < rows; r++) {
        const off = r * n;
        for (let j = 0; j < n; j++) grad[j] += gg[off + j];
      }
    }
    adamUpdate(pp, grad, o, m, v, a);
    return out;
  });
}

/** dZ = dH * silu'(z) given s = sigmoid(z) (one wasm kernel). */
export function siluGrad(dh: tf.Tensor, z: tf.Tensor, s: tf.Tensor): tf.Tensor {
  return tf.engine().runKernel('SdekitSiluGrad', { dh, z, s }, {}) as tf.Tensor;
}

/** [x, sin(t w), cos(t w)]: the MLP input with its time embedding (one wasm kernel). */
export function mlpInput(x: tf.Tensor2D, t: tf.Tensor1D, freqs: tf.Tensor1D): tf.Tensor2D {
  return tf.engine().runKernel('SdekitMlpInput', { x, t, freqs }, {}) as tf.Tensor2D;
}

/** A fresh Adam state for a parameter of `n` values. */
export function adamState(n: number): AdamState {
  return { m: new Float32Array(n), v: new Float32Array(n), g: new Float32Array(n) };
}

/**
 * One Adam step; returns the new parameter tensor. With `rowSum`, `g` is a B x n matrix whose
 * column sums are the gradient (a bias's gradient from dZ).
 */
export function adamStep(p: tf.Tensor, g: tf.Tensor, state: AdamState, attrs: AdamAttrs, rowSum = false): tf.Tensor {
  const all = { ...attrs, state, rowSum } as unknown as tf.NamedAttrMap;
  return tf.engine().runKernel('SdekitAdam', { p, g }, all) as tf.Tensor;
}
