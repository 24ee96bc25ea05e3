/**
 * Score models and their four views (MATH.md section 2).
 *
 * A model implements ONE parameterisation on a host batch (row-major n x dim Float64Array) at a
 * single noise level; {@link ModelViews} derives the other three with
 *
 *     eps = -sigma s,   x0 = (x - sigma eps) / alpha = (x + sigma^2 s) / alpha     (Tweedie)
 *     v = alpha eps - sigma x0,  x0 = (alpha x - sigma v)/(alpha^2 + sigma^2),
 *                                eps = (sigma x + alpha v)/(alpha^2 + sigma^2)
 *
 * (the v formulas are the general linear inverse of x = alpha x0 + sigma eps, v = alpha eps - sigma x0;
 * for alpha^2 + sigma^2 = 1 they reduce to the usual ones). A conversion that would divide by a zero
 * alpha or sigma throws an error naming the view and the noise level instead of producing NaN:
 * eps- and score-models cannot give x0 at alpha = 0 (zero terminal SNR needs x0- or v-prediction),
 * and no model gives eps or a finite score at sigma = 0.
 */

/** The four prediction targets of MATH.md section 2. */
export type Parameterization = 'score' | 'eps' | 'x0' | 'v';

/** All parameterisations, in a fixed order. */
export const PARAMETERIZATIONS: readonly Parameterization[] = ['score', 'eps', 'x0', 'v'];

/** The noise level a model is evaluated at: time t and the marginal coefficients there. */
export interface NoiseLevel {
  readonly t: number;
  readonly alpha: number;
  readonly sigma: number;
}

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

/** Buffers a caller wants filled by one model evaluation; omitted views are not computed. */
export interface ViewRequest {
  x0?: Float64Array;
  eps?: Float64Array;
  score?: Float64Array;
  v?: Float64Array;
}

/** Thrown when a view cannot be derived at this noise level (a true singularity, not a bug). */
export class ViewError extends Error {
  constructor(view: Parameterization, from: Parameterization, at: NoiseLevel, why: string) {
    super(`cannot derive the ${view} view from a ${from}-model at t = ${at.t} (alpha = ${at.alpha}, sigma = ${at.sigma}): ${why}`);
    this.name = 'ViewError';
  }
}

/**
 * Wraps a {@link ScoreModel}: one `evaluate` call is one model evaluation (counted in `nfe`)
 * and fills any of the four views by the conversions above.
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

/**
 * Convert a native prediction to the requested views (MATH.md section 2), element by element.
 * Exported for tests and for models that want to reuse the algebra.
 */
export function convertViews(
  from: Parameterization,
  x: Float64Array,
  native: Float64Array,
  at: NoiseLevel,
  want: ViewRequest,
  len: number = native.length,
): void {
  const { alpha, sigma } = at;
  const need = (view: Parameterization, cond: boolean, why: string): void => {
    if (!cond) throw new ViewError(view, from, at, why);
  };
  const { x0, eps, score, v } = want;
  switch (from) {
    case 'x0': {
      if (eps || score || v) need(eps ? 'eps' : score ? 'score' : 'v', sigma > 0, 'eps = (x - alpha x0)/sigma needs sigma > 0');
      const inv = 1 / sigma;
      const inv2 = inv * inv;
      for (let i = 0; i < len; i++) {
        const d = native[i];
        const r = x[i] - alpha * d;
        if (x0) x0[i] = d;
        if (eps) eps[i] = r * inv;
        if (score) score[i] = -r * inv2;
        if (v) v[i] = alpha * r * inv - sigma * d; // v = alpha eps - sigma x0
      }
      return;
    }
    case 'eps': {
      if (x0 || v) need(x0 ? 'x0' : 'v', alpha !== 0, 'x0 = (x - sigma eps)/alpha needs alpha != 0 (use an x0- or v-model at zero terminal SNR)');
      if (score) need('score', sigma > 0, 'score = -eps/sigma needs sigma > 0');
      const ia = 1 / alpha;
      for (let i = 0; i < len; i++) {
        const e = native[i];
        const d = (x[i] - sigma * e) * ia;
        if (eps) eps[i] = e;
        if (x0) x0[i] = d;
        if (score) score[i] = -e / sigma;
        if (v) v[i] = alpha * e - sigma * d;
      }
      return;
    }
    case 'score': {
      if (x0 || v) need(x0 ? 'x0' : 'v', alpha !== 0, 'x0 = (x + sigma^2 s)/alpha needs alpha != 0 (use an x0- or v-model at zero terminal SNR)');
      const ia = 1 / alpha;
      const s2 = sigma * sigma;
      for (let i = 0; i < len; i++) {
        const s = native[i];
        const e = -sigma * s;
        const d = (x[i] + s2 * s) * ia;
        if (score) score[i] = s;
        if (eps) eps[i] = e;
        if (x0) x0[i] = d;
        if (v) v[i] = alpha * e - sigma * d;
      }
      return;
    }
    case 'v': {
      const r2 = alpha * alpha + sigma * sigma;
      need('x0', r2 > 0, 'alpha^2 + sigma^2 must be positive');
      if (score) need('score', sigma > 0, 'score = -eps/sigma needs sigma > 0');
      const ir = 1 / r2;
      for (let i = 0; i < len; i++) {
        const vv = native[i];
        const xi = x[i];
        const e = (sigma * xi + alpha * vv) * ir;
        if (v) v[i] = vv;
        if (x0) x0[i] = (alpha * xi - sigma * vv) * ir;
        if (eps) eps[i] = e;
        if (score) score[i] = -e / sigma;
      }
      return;
    }
  }
}
