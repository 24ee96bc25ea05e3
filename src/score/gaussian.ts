/**
 * Exact score model of Gaussian data x0 ~ N(m, v I) (MATH.md section 3): under any linear forward
 * process x_t ~ N(alpha m, (alpha^2 v + sigma^2) I), so with c = alpha^2 v + sigma^2
 *
 *     score = -(x - alpha m)/c,  E[eps | x_t] = sigma (x - alpha m)/c,
 *     E[x0 | x_t] = m + (alpha v / c)(x - alpha m),  v-pred = alpha eps - sigma x0.
 *
 * The probability-flow ODE is linear here and its exact flow map is known in closed form,
 * x_to = alpha_to m + (std_to / std_from)(x_from - alpha_from m), std = sqrt(c): the oracle of the
 * convergence-order tests.
 */
import { UserError } from '../errors.ts';
import type { Rng } from '../rng.ts';
import type { NoiseLevel, Parameterization, ScoreModel } from './model.ts';

/** Options of the exact Gaussian model. */
export interface GaussianModelOptions {
  readonly parameterization?: Parameterization;
}

/** Exact model of N(m, v I) data. */
export class GaussianModel implements ScoreModel {
  readonly dim: number;
  readonly parameterization: Parameterization;
  readonly mean: Float64Array;
  readonly variance: number;

  constructor(mean: readonly number[] | Float64Array, variance: number, opts: GaussianModelOptions = {}) {
    if (mean.length === 0) throw new UserError('gaussian.mean', 'must be non-empty');
    for (let j = 0; j < mean.length; j++) {
      if (!Number.isFinite(mean[j])) throw new UserError(`gaussian.mean[${j}]`, 'must be finite', { value: mean[j] });
    }
    if (!Number.isFinite(variance) || variance <= 0) throw new UserError('gaussian.variance', 'must be a finite number > 0', { value: variance });
    this.mean = Float64Array.from(mean);
    this.variance = variance;
    this.dim = mean.length;
    this.parameterization = opts.parameterization ?? 'x0';
  }

  /** marginal variance alpha^2 v + sigma^2 per coordinate */
  marginalVariance(at: NoiseLevel): number {
    return at.alpha * at.alpha * this.variance + at.sigma * at.sigma;
  }

  predict(x: Float64Array, n: number, at: NoiseLevel, out: Float64Array): void {
    const { alpha, sigma } = at;
    const c = this.marginalVariance(at);
    const D = this.dim;
    // native view = P (x - alpha m) + R m
    let P: number, R: number;
    switch (this.parameterization) {
      case 'x0': P = (alpha * this.variance) / c; R = 1; break;
      case 'eps': P = sigma / c; R = 0; break;
      case 'score': P = -1 / c; R = 0; break;
      case 'v': P = (alpha * sigma * (1 - this.variance)) / c; R = -sigma; break;
    }
    for (let r = 0; r < n; r++) {
      for (let j = 0; j < D; j++) {
        const i = r * D + j;
        const m = this.mean[j];
        out[i] = P * (x[i] - alpha * m) + R * m;
      }
    }
  }

  /**
   * Exact PF-ODE flow map from one noise level to another (either direction):
   * x_to = alpha_to m + sqrt(c_to / c_from) (x_from - alpha_from m).
   */
  flow(x: Float64Array, n: number, from: NoiseLevel, to: NoiseLevel): Float64Array {
    const ratio = Math.sqrt(this.marginalVariance(to) / this.marginalVariance(from));
    const D = this.dim;
    const out = new Float64Array(n * D);
    for (let r = 0; r < n; r++) {
      for (let j = 0; j < D; j++) {
        const i = r * D + j;
        out[i] = to.alpha * this.mean[j] + ratio * (x[i] - from.alpha * this.mean[j]);
      }
    }
    return out;
  }

  /** Exact samples of the data distribution. */
  sampleData(n: number, rng: Rng): Float64Array {
    const D = this.dim;
    const s = Math.sqrt(this.variance);
    const out = new Float64Array(n * D);
    for (let r = 0; r < n; r++) for (let j = 0; j < D; j++) out[r * D + j] = this.mean[j] + s * rng.normal();
    return out;
  }

  /** Exact log-density (nats) of the marginal at `at` (the data by default), one value per row. */
  logDensity(x: Float64Array, n: number, at: NoiseLevel = { t: 0, alpha: 1, sigma: 0 }): Float64Array {
    const c = this.marginalVariance(at);
    const D = this.dim;
    const out = new Float64Array(n);
    const norm = -0.5 * D * Math.log(2 * Math.PI * c);
    for (let r = 0; r < n; r++) {
      let d2 = 0;
      for (let j = 0; j < D; j++) {
        const d = x[r * D + j] - at.alpha * this.mean[j];
        d2 += d * d;
      }
      out[r] = norm - d2 / (2 * c);
    }
    return out;
  }
}
