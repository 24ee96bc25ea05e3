/**
 * The training-data interface: batches drawn with replacement from the seeded RNG (so a
 * resumed run draws exactly what an uninterrupted one would), labels when the data has
 * classes, and a held-out set for likelihood / evaluation.
 */
import { Rng } from '../rng.ts';

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

/** Per-coordinate mean and isotropic variance of a data set, from `n` draws of a fixed seed. */
export function dataMoments(data: Dataset, n = 10000): { mean: number[]; variance: number } {
  const b = data.sample(new Rng(0x6d6f6d), n);
  const D = data.dim, mean = new Float64Array(D);
  for (let i = 0; i < n; i++) for (let j = 0; j < D; j++) mean[j] += b.x[i * D + j] / n;
  let v = 0;
  for (let i = 0; i < n; i++) for (let j = 0; j < D; j++) v += (b.x[i * D + j] - mean[j]) ** 2;
  return { mean: Array.from(mean), variance: v / (n * D) };
}
