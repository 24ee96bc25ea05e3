/**
 * The vector space a sampler runs in. Every sampler is written once against {@link VectorOps}: the
 * state and the model's views are opaque n x dim arrays V, and a step is a linear combination
 * out = sum_k c_k y_k with float64 coefficients computed on the host from the scheme's views.
 * Two implementations: host Float64Array loops (src/sample/hostOps.ts, the reference numbers) and
 * float32 device buffers on Dawn (src/kernels/deviceOps.ts), where each `lin` is one launch of the
 * generated fused kernel x_next = sum_k c_k y_k.
 */
import type { NoiseLevel, ScoreModel } from '../score/model.ts';
import type { Rng } from '../rng.ts';

/** Views to fill in one model evaluation (MATH.md section 2); omitted views are not computed. */
export interface Views<V> {
  x0?: V;
  eps?: V;
  score?: V;
  v?: V;
}

/** One term c * y of a linear combination; c is a host float64 scalar. */
export type Term<V> = readonly [c: number, y: V];

/** Linear algebra, noise and model evaluation on n x dim arrays of type V. */
export interface VectorOps<V> {
  /** where the arrays live, for reports ("host", "webgpu (...)") */
  readonly backend: string;
  /** model evaluations made so far */
  readonly nfe: number;
  /** a fresh zero-filled n x dim array */
  alloc(): V;
  /** a new array holding a copy of x */
  clone(x: V): V;
  /** dst <- src */
  copy(dst: V, src: V): V;
  /**
   * out <- sum_k c_k y_k, elementwise; `out` may be one of the y_k (in place). Terms with c = 0 are
   * skipped (so a zero coefficient never turns an infinite or NaN array into NaN).
   */
  lin(out: V, terms: readonly Term<V>[]): V;
  /** out <- out + c z, z standard normal from the sampler's Rng in row-major order; no draw when c = 0 */
  addNoise(out: V, c: number): V;
  /** out <- z, standard normal from the sampler's Rng in row-major order */
  fillNormal(out: V): V;
  /** One model evaluation at a noise level, filling the requested views (none may be x itself). */
  evaluate(x: V, at: NoiseLevel, want: Views<V>): Promise<void>;
  /** mean over rows of the Euclidean norm of each row (score_sde's Langevin step rule) */
  meanRowNorm(v: V): Promise<number>;
  /**
   * RMS over all entries of v_i / (atol + rtol max(|y_i|, |yNew_i|)) (|y_i| alone when yNew is
   * null): the scaled error norm of scipy's RK45.
   */
  rmsScaled(v: V, y: V, yNew: V | null, rtol: number, atol: number): Promise<number>;
}

/** One sampler run's arrays on a device: the ops, and the transfers at both ends. */
export interface DeviceRun<V> {
  readonly ops: VectorOps<V>;
  /** a device array holding x (rounded to the device's precision) */
  upload(x: Float64Array): V;
  /** read an array back after every launch so far */
  download(v: V): Promise<Float64Array>;
  /** free everything the run allocated */
  destroy(): Promise<void>;
}

/**
 * A device the sampling engine can run a whole sampler on (WebGPU: src/kernels/deviceOps.ts).
 * Injected by the caller, so the engine itself stays free of device code (and runs in a browser).
 */
export interface SampleDevice {
  /** reported as the backend, e.g. "webgpu (<adapter>)" */
  readonly description: string;
  /** Prepare a run of n rows; null when the device cannot evaluate this model (a network). */
  open(model: ScoreModel, rng: Rng, n: number): Promise<DeviceRun<unknown> | null>;
}
