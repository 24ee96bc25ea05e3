/**
 * Adam (Kingma & Ba 2015) with global-norm gradient clipping (Pascanu et al. 2013), written
 * over plain weight tensors so its whole state (m, v, step) can be checkpointed and restored
 * exactly. Bias corrections are host float64 scalars.
 */
import * as tf from '@tensorflow/tfjs';
import type { Weights } from '../score/layers.ts';

/** Adam hyper-parameters. */
export interface AdamConfig {
  readonly lr: number;
  readonly beta1: number;
  readonly beta2: number;
  readonly eps: number;
  /** global gradient-norm bound; 0 or Infinity disables clipping */
  readonly clip: number;
  /** linear learning-rate warm-up steps (0: none) */
  readonly warmup: number;
}

export const DEFAULT_ADAM: AdamConfig = { lr: 1e-3, beta1: 0.9, beta2: 0.999, eps: 1e-8, clip: 1, warmup: 0 };

/** Adam's first and second moments. */
export interface AdamState { m: Weights; v: Weights }

/** Zero moments shaped like `w`. */
export function adamInit(w: Weights): AdamState {
  const m: Weights = {}, v: Weights = {};
  for (const [k, t] of Object.entries(w)) { m[k] = tf.zerosLike(t); v[k] = tf.zerosLike(t); }
  return { m, v };
}

/** Global L2 norm of the gradients (a scalar tensor). */
export function globalNorm(g: Weights): tf.Scalar {
  return tf.tidy(() => tf.sqrt(tf.addN(Object.values(g).map((t) => tf.sum(tf.square(t))))) as tf.Scalar);
}

/**
 * One Adam update at step `step` (1-based) with gradients `g`, clipped to global norm
 * `cfg.clip` by the factor min(1, clip/norm). Returns the new weights and state; the old
 * weights, moments and the gradients are disposed.
 */
export function adamStep(w: Weights, g: Weights, s: AdamState, step: number, cfg: AdamConfig, norm: tf.Scalar): { w: Weights; s: AdamState } {
  const lr = cfg.warmup > 0 ? cfg.lr * Math.min(1, step / cfg.warmup) : cfg.lr;
  const bc1 = 1 - Math.pow(cfg.beta1, step), bc2 = 1 - Math.pow(cfg.beta2, step);
  const out = tf.tidy(() => {
    const scale = cfg.clip > 0 && Number.isFinite(cfg.clip) ? tf.minimum(1, tf.div(cfg.clip, tf.add(norm, 1e-6))) : null;
    const nw: Weights = {}, m: Weights = {}, v: Weights = {};
    for (const k of Object.keys(w)) {
      const gk = scale ? tf.mul(g[k], scale) : g[k];
      m[k] = tf.add(tf.mul(s.m[k], cfg.beta1), tf.mul(gk, 1 - cfg.beta1));
      v[k] = tf.add(tf.mul(s.v[k], cfg.beta2), tf.mul(tf.square(gk), 1 - cfg.beta2));
      const upd = tf.div(tf.div(m[k], bc1), tf.add(tf.sqrt(tf.div(v[k], bc2)), cfg.eps));
      nw[k] = tf.sub(w[k], tf.mul(upd, lr));
    }
    return { nw, m, v };
  });
  tf.dispose([...Object.values(w), ...Object.values(g), ...Object.values(s.m), ...Object.values(s.v)]);
  return { w: out.nw, s: { m: out.m, v: out.v } };
}
