/**
 * The training-data interface: batches drawn with replacement from the seeded RNG (so a
 * resumed run draws exactly what an uninterrupted one would), labels when the data has
 * classes, and a held-out set for likelihood / evaluation.
 */
import type { Rng } from '../train/rng.ts';

/** A batch of n points: x is [n * dim] row-major, labels [n] or null. */
export interface DataBatch {
  readonly n: number;
  readonly x: Float32Array;
  readonly labels: Int32Array | null;
}

/** Image layout of image data (values on [-1, 1], `levels` quantisation levels). */
export interface ImageInfo {
  readonly height: number;
  readonly width: number;
  readonly channels: number;
  readonly levels: number;
}

/** A training data set. */
export interface Dataset {
  /** the name it was requested by (ring8, moons, gmm:FILE, mnist, ...) */
  readonly name: string;
  /** per-sample shape, e.g. [2] or [28, 28, 1] */
  readonly shape: readonly number[];
  readonly dim: number;
  /** number of classes; 0 when unlabelled */
  readonly numClasses: number;
  /** per-coordinate standard deviation (EDM's sigma_data) */
  readonly sigmaData: number;
  /** set for quantised image data */
  readonly image?: ImageInfo;
  /** n points drawn from the RNG */
  sample(rng: Rng, n: number): DataBatch;
  /** held-out points (a test split, or fresh samples from a fixed seed) */
  heldOut(n: number): DataBatch;
}
