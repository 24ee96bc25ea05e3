/**
 * Exponential moving average of the weights (Polyak averaging; DDPM / score-SDE use it for
 * sampling). The decay ramps up as min(decay, (1 + k)/(10 + k)) so that short runs are not
 * dominated by the random initialisation.
 */
import * as tf from '@tensorflow/tfjs';
import type { Weights } from '../score/layers.ts';

/** Decay used at step k (1-based). */
export function emaDecay(decay: number, k: number): number {
  return Math.min(decay, (1 + k) / (10 + k));
}

/** Copy of weights (new tensors). */
export function cloneWeights(w: Weights): Weights {
  const o: Weights = {};
  for (const [k, t] of Object.entries(w)) o[k] = tf.clone(t);
  return o;
}

/** ema <- d ema + (1 - d) w at step k; disposes the old EMA tensors. */
export function emaUpdate(ema: Weights, w: Weights, decay: number, k: number): Weights {
  const d = emaDecay(decay, k);
  const out = tf.tidy(() => {
    const o: Weights = {};
    for (const key of Object.keys(ema)) o[key] = tf.add(tf.mul(ema[key], d), tf.mul(w[key], 1 - d));
    return o;
  });
  tf.dispose(Object.values(ema));
  return out;
}
