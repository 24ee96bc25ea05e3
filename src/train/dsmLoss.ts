/**
 * The device side of denoising score matching (dsm.ts builds the batches on the host): a batch's
 * tensors and the weighted loss mean_b( weight_b mean_d (F - target)^2 ). Kept apart from dsm.ts
 * so that a training worker (trainWorker.ts) loads it without the scheme machinery.
 */
import * as tf from '@tensorflow/tfjs';
import type { Net, Weights } from '../score/layers.ts';

/** One training batch, ready for the device (all float32 except labels). */
export interface DsmBatch {
  readonly n: number;
  /** c_in x_t, [n * D] */
  readonly xIn: Float32Array;
  readonly cNoise: Float32Array;
  readonly labels: Int32Array | null;
  /** the network's regression target, [n * D] */
  readonly target: Float32Array;
  /** per-sample loss weight w r k^2 b^2 */
  readonly weight: Float32Array;
  /** sampled times (float64, for diagnostics) */
  readonly t: Float64Array;
}

/** Device tensors of a {@link DsmBatch}; dispose with {@link disposeBatch}. */
export interface DsmTensors {
  readonly x: tf.Tensor;
  readonly cNoise: tf.Tensor1D;
  readonly labels: tf.Tensor1D | null;
  readonly target: tf.Tensor;
  readonly weight: tf.Tensor1D;
}

/** Upload a batch; `shape` is the per-sample data shape. */
export function uploadBatch(b: DsmBatch, shape: readonly number[]): DsmTensors {
  return {
    x: tf.tensor(b.xIn, [b.n, ...shape]),
    cNoise: tf.tensor1d(b.cNoise),
    labels: b.labels ? tf.tensor1d(b.labels, 'int32') : null,
    target: tf.tensor(b.target, [b.n, ...shape]),
    weight: tf.tensor1d(b.weight),
  };
}

/** Free a batch's tensors. */
export function disposeBatch(b: DsmTensors): void {
  tf.dispose([b.x, b.cNoise, b.target, b.weight]);
  if (b.labels) b.labels.dispose();
}

/** The weighted DSM loss mean_b( weight_b mean_d (F - target)^2 ). */
export function dsmLoss(net: Net, w: Weights, b: DsmTensors): tf.Scalar {
  const F = net.apply(w, b.x, b.cNoise, b.labels);
  const n = b.x.shape[0];
  const perSample = tf.mean(tf.reshape(tf.squaredDifference(F, b.target), [n, -1]), 1);
  return tf.mean(tf.mul(perSample, b.weight)) as tf.Scalar;
}
