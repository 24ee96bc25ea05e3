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
import { registerHeapKernel } from './wasmHeap.ts';

/** Register the kernels (idempotent). */
export function registerWasmGroupNormKernels(): void {
  // Loops run channel by channel over the pixels (stride C) with scalar accumulators: measured ~1.4x
  // faster in V8 than pixel-major loops updating per-channel accumulator arrays.
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
    for (let b = 0; b < B; b++) {
      const base = b * P * C, end = base + P * C;
      for (let g = 0; g < G; g++) {
        // one pass: the sums of x and x^2 in float64, then the group mean and variance
        let s1 = 0, s2 = 0;
        for (let c = g * Cg; c < (g + 1) * Cg; c++) {
          for (let i = base + c; i < end; i += C) { const v = xx[i]; s1 += v; s2 += v * v; }
        }
        const mu = s1 / n;
        const rstd = 1 / Math.sqrt(Math.max(0, s2 / n - mu * mu) + eps);
        st[2 * (b * G + g)] = mu;
        st[2 * (b * G + g) + 1] = rstd;
        for (let c = g * Cg; c < (g + 1) * Cg; c++) {
          // z = a x + sh with a = gamma_c rstd, sh = beta_c - a mu
          const a = ga[c] * rstd, sh = bt[c] - a * mu;
          for (let i = base + c; i < end; i += C) zz[i] = xx[i] * a + sh;
        }
      }
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
    // per channel of the current sample: sum dz and sum dz xhat; over all samples: dbeta, dgamma
    const t1 = new Float64Array(Cg), t2 = new Float64Array(Cg), sumB = new Float64Array(C), sumG = new Float64Array(C);
    for (let b = 0; b < B; b++) {
      const base = b * P * C, end = base + P * C;
      for (let g = 0; g < G; g++) {
        const mu = st[2 * (b * G + g)], rs = st[2 * (b * G + g) + 1];
        const c0 = g * Cg;
        // pass 1: dz (kept in dx) and the channel sums
        let m1 = 0, m2 = 0;
        for (let k = 0; k < Cg; k++) {
          let a1 = 0, a2 = 0;
          for (let i = base + c0 + k; i < end; i += C) {
            const s = ss[i];
            const dz = d[i] * s * (1 + zz[i] * (1 - s));
            o[i] = dz;
            a1 += dz;
            a2 += dz * (xx[i] - mu);
          }
          t1[k] = a1;
          t2[k] = a2 * rs;
          m1 += ga[c0 + k] * a1;
          m2 += ga[c0 + k] * t2[k];
          sumB[c0 + k] += a1;
          sumG[c0 + k] += t2[k];
        }
        // mean_g(dxhat) and mean_g(dxhat xhat), dxhat = gamma_c dz
        m1 /= n;
        m2 /= n;
        // pass 2: dx = rstd (gamma dz - mean(dxhat) - xhat mean(dxhat xhat))
        for (let k = 0; k < Cg; k++) {
          const gc = ga[c0 + k];
          for (let i = base + c0 + k; i < end; i += C) o[i] = rs * (gc * o[i] - m1 - (xx[i] - mu) * rs * m2);
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
