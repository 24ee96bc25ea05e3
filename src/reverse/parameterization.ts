/**
 * The four parameterisations of a denoiser and the conversions between them (MATH.md section 2),
 * at a noise level x_t = alpha x0 + sigma eps:
 *
 *     eps = -sigma s,   x0 = (x - sigma eps) / alpha = (x + sigma^2 s) / alpha     (Tweedie)
 *     v = alpha eps - sigma x0,  x0 = (alpha x - sigma v)/(alpha^2 + sigma^2),
 *                                eps = (sigma x + alpha v)/(alpha^2 + sigma^2)
 *
 * (the v formulas are the general linear inverse of x = alpha x0 + sigma eps, v = alpha eps - sigma x0;
 * for alpha^2 + sigma^2 = 1 they reduce to the usual ones). A conversion that would divide by a zero
 * alpha or sigma throws a {@link ViewError} naming the view and the noise level instead of producing
 * NaN: eps- and score-predictions cannot give x0 at alpha = 0 (zero terminal SNR needs x0- or
 * v-prediction), and no prediction gives eps or a finite score at sigma = 0.
 */

/** The four prediction targets of MATH.md section 2. */
export type Parameterization = 'score' | 'eps' | 'x0' | 'v';

/** All parameterisations, in a fixed order. */
export const PARAMETERIZATIONS: readonly Parameterization[] = ['score', 'eps', 'x0', 'v'];

/** A noise level: time t and the marginal coefficients alpha(t), sigma(t) there. */
export interface NoiseLevel {
  readonly t: number;
  readonly alpha: number;
  readonly sigma: number;
}

/** Buffers a caller wants filled by one conversion; omitted views are not computed. */
export interface ViewRequest {
  x0?: Float64Array;
  eps?: Float64Array;
  score?: Float64Array;
  v?: Float64Array;
}

/** Thrown when a view cannot be derived at this noise level (a true singularity, not a bug). */
export class ViewError extends Error {
  constructor(view: Parameterization, from: Parameterization, at: NoiseLevel, why: string) {
    const where = Number.isFinite(at.t) ? `t = ${at.t} (alpha = ${at.alpha}, sigma = ${at.sigma})` : `alpha = ${at.alpha}, sigma = ${at.sigma}`;
    super(`cannot derive the ${view} view from a ${from}-model at ${where}: ${why}`);
    this.name = 'ViewError';
  }
}

/**
 * Convert a native prediction (`from`) of the batch `x` at `at` to the requested views, element by
 * element over the first `len` entries.
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

/**
 * All four views of one scalar prediction (`value`, in parameterisation `from`) at x with
 * coefficients alpha, sigma: {@link convertViews} on one element, so it throws a
 * {@link ViewError} where a view is singular (alpha = 0 for x0 from eps or score, sigma = 0 for eps).
 */
export function convert(from: Parameterization, value: number, x: number, alpha: number, sigma: number): Record<Parameterization, number> {
  const want = { x0: new Float64Array(1), eps: new Float64Array(1), score: new Float64Array(1), v: new Float64Array(1) };
  convertViews(from, Float64Array.of(x), Float64Array.of(value), { t: NaN, alpha, sigma }, want);
  return { score: want.score[0], eps: want.eps[0], x0: want.x0[0], v: want.v[0] };
}
