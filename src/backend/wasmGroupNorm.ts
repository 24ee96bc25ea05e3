/**
 * Group normalisation followed by SiLU, y = silu(gamma * xhat + beta), as one forward and one
 * backward kernel over the wasm heap (issue 14: through tf ops, moments + normalise + affine + SiLU
 * and their autodiff gradients were ~25 small kernels per use, each a pass over the activations).
 *
 * Group norm (Wu & He 2018), per sample b and group g of C/G channels, n = H W C/G values:
 *   mu = mean(x),  var = mean(x^2) - mu^2 (biased, as tf.moments; sums in float64),  xhat = (x - mu) / sqrt(var + eps)
 *   z = gamma_c xhat + beta_c,  y = z s with s = sigmoid(z)  (SiLU, Elfwing et al. 2018)
 * Backward, with dz = dy s (1 + z (1 - s)):
 *   dgamma_c = sum dz xhat,  dbeta_c = sum dz  (over b, h, w)
 *   dx = rstd (dxhat - mean_g(dxhat) - xhat mean_g(dxhat xhat)),  dxhat = gamma_c dz
 * Statistics are accumulated in float64. The forward kernel returns z and the per-(b, g) mean and
 * 1/sqrt(var + eps); s and y = z s are XNNPACK's sigmoid and multiply; the backward kernel reuses
 * z, s and the statistics (no second exp).
 */
import * as tf from '@tensorflow/tfjs';
import { registerHeapKernel } from './wasmConv3.ts';

/** Register the kernels (idempotent). */
export function registerWasmGroupNormKernels(): void {
  // z = gamma xhat + beta and the per-(b, g) mean and 1/sqrt(var + eps)
  registerHeapKernel('SdekitGroupNorm', (be, { x, gamma, beta }, attrs) => {
    const G = attrs.groups as number, eps = attrs.eps as number;
    const [B, H, W, C] = x.shape;
    const P = H * W, Cg = C / G, n = P * Cg;
    const z = be.makeOutput([B, H, W, C], 'float32');
    const stats = be.makeOutput([B, G, 2], 'float32');
    // views after the last allocation
    const xx = be.typedArrayFromHeap(x), zz = be.typedArrayFromHeap(z), st = be.typedArrayFromHeap(stats);
    const ga = be.typedArrayFromHeap(gamma), bt = be.typedArrayFromHeap(beta);
    const acc = new Float64Array(C), acc2 = new Float64Array(C), mu = new Float64Array(C), a = new Float64Array(C), sh = new Float64Array(C);
    for (let b = 0; b < B; b++) {
      const base = b * P * C, end = base + P * C;
      // one pass: per-channel sums of x and x^2 in float64, then the group mean and variance
      acc.fill(0);
      acc2.fill(0);
      for (let i = base; i < end; i += C) for (let c = 0; c < C; c++) { const v = xx[i + c]; acc[c] += v; acc2[c] += v * v; }
      for (let g = 0; g < G; g++) {
        let s = 0, s2 = 0;
        for (let c = g * Cg; c < (g + 1) * Cg; c++) { s += acc[c]; s2 += acc2[c]; }
        const m = s / n;
        for (let c = g * Cg; c < (g + 1) * Cg; c++) mu[c] = m;
        const rstd = 1 / Math.sqrt(Math.max(0, s2 / n - m * m) + eps);
        st[2 * (b * G + g)] = mu[g * Cg];
        st[2 * (b * G + g) + 1] = rstd;
        // z = a_c x + sh_c with a_c = gamma_c rstd, sh_c = beta_c - a_c mu
        for (let c = g * Cg; c < (g + 1) * Cg; c++) { a[c] = ga[c] * rstd; sh[c] = bt[c] - a[c] * mu[c]; }
      }
      for (let i = base; i < end; i += C) for (let c = 0; c < C; c++) zz[i + c] = xx[i + c] * a[c] + sh[c];
    }
    return [z, stats];
  });
  registerHeapKernel('SdekitGroupNormSiluGrad', (be, { dy, x, z, sig, gamma, stats }) => {
    const [B, H, W, C] = x.shape;
    const G = stats.shape[1];
    const P = H * W, Cg = C / G, n = P * Cg;
    const dx = be.makeOutput([B, H, W, C], 'float32');
    const dgamma = be.makeOutput([C], 'float32');
    const dbeta = be.makeOutput([C], 'float32');
    const d = be.typedArrayFromHeap(dy), xx = be.typedArrayFromHeap(x), ss = be.typedArrayFromHeap(sig), st = be.typedArrayFromHeap(stats);
    const ga = be.typedArrayFromHeap(gamma), zz = be.typedArrayFromHeap(z);
    const o = be.typedArrayFromHeap(dx), dg = be.typedArrayFromHeap(dgamma), db = be.typedArrayFromHeap(dbeta);
    const mu = new Float64Array(C), rs = new Float64Array(C), t1 = new Float64Array(C), t2 = new Float64Array(C);
    const sumG = new Float64Array(C), sumB = new Float64Array(C), m1 = new Float64Array(C), m2 = new Float64Array(C);
    for (let b = 0; b < B; b++) {
      const base = b * P * C;
      for (let c = 0; c < C; c++) { const g = (c / Cg) | 0; mu[c] = st[2 * (b * G + g)]; rs[c] = st[2 * (b * G + g) + 1]; }
      t1.fill(0);
      t2.fill(0);
      // pass 1: dz (kept in dx), and per channel sum dz, sum dz xhat
      for (let i = base; i < base + P * C; i += C) {
        for (let c = 0; c < C; c++) {
          const xh = (xx[i + c] - mu[c]) * rs[c];
          const s = ss[i + c];
          const dz = d[i + c] * s * (1 + zz[i + c] * (1 - s));
          o[i + c] = dz;
          t1[c] += dz;
          t2[c] += dz * xh;
        }
      }
      for (let g = 0; g < G; g++) {
        let s1 = 0, s2 = 0;
        for (let c = g * Cg; c < (g + 1) * Cg; c++) { s1 += ga[c] * t1[c]; s2 += ga[c] * t2[c]; }
        for (let c = g * Cg; c < (g + 1) * Cg; c++) { m1[c] = s1 / n; m2[c] = s2 / n; }
      }
      for (let c = 0; c < C; c++) { sumB[c] += t1[c]; sumG[c] += t2[c]; }
      // pass 2: dx = rstd (gamma dz - mean(dxhat) - xhat mean(dxhat xhat))
      for (let i = base; i < base + P * C; i += C) {
        for (let c = 0; c < C; c++) {
          const xh = (xx[i + c] - mu[c]) * rs[c];
          o[i + c] = rs[c] * (ga[c] * o[i + c] - m1[c] - xh * m2[c]);
        }
      }
    }
    for (let c = 0; c < C; c++) { dg[c] = sumG[c]; db[c] = sumB[c]; }
    return [dx, dgamma, dbeta];
  });
}

/**
 * silu(groupNorm(x) * gamma + beta) for x [B, H, W, C] on the wasm backend, differentiable in x,
 * gamma and beta.
 */
export function groupNormSiluWasm(x: tf.Tensor4D, gamma: tf.Tensor1D, beta: tf.Tensor1D, groups: number, eps = 1e-5): tf.Tensor4D {
  registerWasmGroupNormKernels();
  const C = x.shape[3];
  if (C % groups) throw new Error(`groupNorm: ${C} channels not divisible by ${groups} groups`);
  const op = tf.customGrad(((...args: (tf.Tensor | tf.GradSaveFunc)[]) => {
    const [xi, g, bb, save] = args as [tf.Tensor4D, tf.Tensor1D, tf.Tensor1D, tf.GradSaveFunc];
    const [z, stats] = tf.engine().runKernel('SdekitGroupNorm', { x: xi, gamma: g, beta: bb }, { groups, eps }) as tf.Tensor[];
    const sig = tf.sigmoid(z); // XNNPACK's vectorised sigmoid (a JS Math.exp loop was ~10x slower)
    save([xi, z, sig, g, stats]);
    return {
      value: tf.mul(z, sig) as tf.Tensor4D,
      gradFunc: (dy: tf.Tensor, saved: tf.Tensor[]) => {
        const [xs, zs, ss, gs, st] = saved;
        return tf.engine().runKernel('SdekitGroupNormSiluGrad', { dy, x: xs, z: zs, sig: ss, gamma: gs, stats: st }, {}) as tf.Tensor[];
      },
    };
  })) as (x: tf.Tensor4D, g: tf.Tensor1D, b: tf.Tensor1D) => tf.Tensor4D;
  return op(x, gamma, beta);
}
