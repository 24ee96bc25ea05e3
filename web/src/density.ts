/**
 * The marginal density p_t of a 2-D isotropic Gaussian mixture on a pixel grid, evaluated with
 * TensorFlow.js on the page's backend (the density background of the particle view).
 *
 * Under any linear forward process x_t = alpha x0 + sigma eps (MATH.md sections 1 and 3), component
 * k of x_t is N(alpha mu_k, c_k I) with c_k = alpha^2 s_k^2 + sigma^2, so
 *
 *     log p_t(x) = logsumexp_k ( log w_k - (D/2) log(2 pi c_k) - |x - alpha mu_k|^2 / (2 c_k) ),
 *
 * the same density as GaussianMixtureModel.logDensity in src/score/gmm.ts (the test compares
 * the two). |x - alpha mu|^2 = |x|^2 - 2 alpha x.mu + alpha^2 |mu|^2 is one matMul.
 */
import * as tf from '@tensorflow/tfjs';
import type { GmmSpec } from '../../src/score/gmm.ts';

/** log p_t at n points (row-major n x 2), as a tensor of shape [n]. */
export function logDensityTensor(points: tf.Tensor2D, g: GmmSpec, alpha: number, sigma: number): tf.Tensor1D {
  return tf.tidy(() => {
    const K = g.weights.length;
    const W = g.weights.reduce((a, b) => a + b, 0);
    const mu = tf.tensor2d(g.means.map((m) => [m[0], m[1]]), [K, 2]);
    const s2 = tf.tensor1d(g.stds.map((s) => s * s));
    const c = tf.add(tf.mul(s2, alpha * alpha), sigma * sigma); // [K]
    const logW = tf.tensor1d(g.weights.map((w) => Math.log(w / W)));
    const x2 = tf.sum(tf.square(points), 1, true); // [n, 1]
    const cross = tf.matMul(points, mu, false, true); // [n, K]
    const mu2 = tf.mul(tf.sum(tf.square(mu), 1), alpha * alpha); // [K]
    const d2 = tf.add(tf.sub(x2, tf.mul(cross, 2 * alpha)), mu2); // [n, K]
    const logNorm = tf.sub(logW, tf.log(tf.mul(c, 2 * Math.PI))); // D = 2: (D/2) log(2 pi c) = log(2 pi c)
    const logits = tf.sub(logNorm, tf.div(tf.relu(d2), tf.mul(c, 2)));
    return tf.logSumExp(logits, 1) as tf.Tensor1D;
  });
}

/** Pixel-centre coordinates of an n x n grid over [-r, r]^2 (row 0 at the top: y = +r). */
export function gridPoints(n: number, r: number): tf.Tensor2D {
  return tf.tidy(() => {
    const u = tf.linspace(-r + r / n, r - r / n, n);
    const xs = tf.tile(tf.reshape(u, [1, n]), [n, 1]);
    const ys = tf.tile(tf.reshape(tf.reverse(u), [n, 1]), [1, n]);
    return tf.stack([tf.reshape(xs, [-1]), tf.reshape(ys, [-1])], 1) as tf.Tensor2D;
  });
}

/**
 * RGBA pixels (n x n) of the density: brightness sqrt(p / max p) through a white-to-blue ramp,
 * computed on the backend and read back once.
 */
export async function densityImage(g: GmmSpec, alpha: number, sigma: number, r: number, n: number): Promise<ImageData> {
  const rgba = tf.tidy(() => {
    const logp = logDensityTensor(gridPoints(n, r), g, alpha, sigma);
    const v = tf.sqrt(tf.exp(tf.sub(logp, tf.max(logp)))); // [n*n] in [0, 1]
    const one = tf.onesLike(v);
    // white (255,255,255) -> blue (40, 90, 200)
    const rC = tf.sub(one, tf.mul(v, 215 / 255));
    const gC = tf.sub(one, tf.mul(v, 165 / 255));
    const bC = tf.sub(one, tf.mul(v, 55 / 255));
    return tf.cast(tf.mul(tf.stack([rC, gC, bC, one], 1), 255), 'int32');
  });
  const data = await rgba.data();
  rgba.dispose();
  return new ImageData(Uint8ClampedArray.from(data), n, n);
}

/** log p_t at host points (n x 2), computed on the backend (for the cross-check against the library). */
export async function logDensityAt(xy: Float64Array, g: GmmSpec, alpha: number, sigma: number): Promise<Float64Array> {
  const pts = tf.tensor2d(Float32Array.from(xy), [xy.length / 2, 2]);
  const out = logDensityTensor(pts, g, alpha, sigma);
  const v = await out.data();
  pts.dispose();
  out.dispose();
  return Float64Array.from(v);
}
