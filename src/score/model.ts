/**
 * Score models (MATH.md section 2): a model implements ONE parameterisation on a host batch
 * (row-major n x dim Float64Array) at a single noise level; {@link ModelViews} derives the other
 * three by the conversions of src/reverse/parameterization.ts.
 */
import { convertViews, type NoiseLevel, type Parameterization, type ViewRequest } from '../reverse/parameterization.ts';

/** The types a {@link ScoreModel}'s API is written in (defined with the conversions). */
export type { NoiseLevel, Parameterization, ViewRequest };

/**
 * A denoising model in one parameterisation. `predict` writes the native prediction for the
 * n x dim batch `x` (x_t at `at`) into `out` (same shape). A tensor model (TF.js) implements it
 * by uploading `x`, running its graph and downloading into `out`; it may return a promise.
 */
export interface ScoreModel {
  readonly dim: number;
  readonly parameterization: Parameterization;
  predict(x: Float64Array, n: number, at: NoiseLevel, out: Float64Array): void | Promise<void>;
}

/**
 * Wraps a {@link ScoreModel}: one `evaluate` call is one model evaluation (counted in `nfe`)
 * and fills any of the four views by {@link convertViews}.
 */
export class ModelViews {
  /** number of model evaluations made so far */
  nfe = 0;
  private scratch: Float64Array = new Float64Array(0);

  constructor(readonly model: ScoreModel) {}

  get dim(): number {
    return this.model.dim;
  }

  /** Evaluate the model once at `at` and fill the requested views. */
  async evaluate(x: Float64Array, n: number, at: NoiseLevel, want: ViewRequest): Promise<void> {
    const len = n * this.model.dim;
    if (x.length < len) throw new Error(`ModelViews.evaluate: x has ${x.length} entries, expected ${len}`);
    if (this.scratch.length < len) this.scratch = new Float64Array(len);
    const native = this.scratch.length === len ? this.scratch : this.scratch.subarray(0, len);
    await this.model.predict(x, n, at, native);
    this.nfe++;
    convertViews(this.model.parameterization, x, native, at, want, len);
  }
}
