/**
 * Exact score model of an isotropic Gaussian mixture, the analytic test target of MATH.md section 3.
 *
 * Data x0 ~ sum_k w_k N(mu_k, s_k^2 I). Under any linear forward process x_t = alpha x0 + sigma eps,
 * component k of x_t is N(alpha mu_k, c_k I) with c_k = alpha^2 s_k^2 + sigma^2, so with the
 * responsibilities r_k(x) = softmax_k( log w_k - D/2 log c_k - |x - alpha mu_k|^2 / (2 c_k) )
 * (log-sum-exp, so no underflow far from every component):
 *
 *     E[x0 | x_t]  = sum_k r_k ( (alpha s_k^2 / c_k) x + (sigma^2 / c_k) mu_k )
 *     E[eps | x_t] = sum_k r_k ( (sigma / c_k) x - (alpha sigma / c_k) mu_k )
 *     score        = sum_k r_k ( -(1 / c_k) x + (alpha / c_k) mu_k )
 *     v            = alpha eps - sigma x0
 *                  = sum_k r_k ( (alpha sigma (1 - s_k^2) / c_k) x - (sigma (alpha^2 + sigma^2) / c_k) mu_k )
 *
 * Every view is "P_k x + Q_k mu_k" averaged over r_k, evaluated in one pass of plain typed-array
 * loops, and each is finite at alpha = 0 (zero terminal SNR) and at sigma = 0 (s_k > 0).
 */
import { UserError } from '../errors.ts';
import type { Rng } from '../rng.ts';
import type { NoiseLevel, Parameterization, ScoreModel } from './model.ts';


/** Responsibilities below e^-50 (relative to the largest, which is 1) are skipped: they cannot move a float64 sum. */
const NEGLIGIBLE = -50;
/** The DESIGN.md GMM file: isotropic standard deviation per component. */
export interface GmmSpec {
  readonly weights: readonly number[];
  readonly means: readonly (readonly number[])[];
  readonly stds: readonly number[];
}

/** The data level: alpha = 1, sigma = 0. */
export const DATA_LEVEL: NoiseLevel = { t: 0, alpha: 1, sigma: 0 };

/** Validate a GMM declaration; errors name the field (prefixed by `where`). */
export function validateGmm(spec: unknown, where = 'gmm'): GmmSpec {
  if (typeof spec !== 'object' || spec === null) throw new UserError(where, 'must be an object {weights, means, stds}');
  const o = spec as Record<string, unknown>;
  const arr = (name: string): unknown[] => {
    const v = o[name];
    if (!Array.isArray(v) || v.length === 0) throw new UserError(`${where}.${name}`, 'must be a non-empty array', { value: v });
    return v;
  };
  const weights = arr('weights');
  const means = arr('means');
  const stds = arr('stds');
  const K = weights.length;
  if (means.length !== K || stds.length !== K) {
    throw new UserError(where, `weights, means and stds must have the same length (got ${K}, ${means.length}, ${stds.length})`);
  }
  const w = weights.map((x, k) => {
    if (typeof x !== 'number' || !Number.isFinite(x) || x < 0) throw new UserError(`${where}.weights[${k}]`, 'must be a finite number >= 0', { value: x });
    return x;
  });
  if (!(w.reduce((a, b) => a + b, 0) > 0)) throw new UserError(`${where}.weights`, 'must have a positive sum', { value: w });
  let D = -1;
  const mu = means.map((row, k) => {
    if (!Array.isArray(row) || row.length === 0) throw new UserError(`${where}.means[${k}]`, 'must be a non-empty array of numbers', { value: row });
    if (D < 0) D = row.length;
    if (row.length !== D) throw new UserError(`${where}.means[${k}]`, `has dimension ${row.length}, expected ${D}`);
    return row.map((x, j) => {
      if (typeof x !== 'number' || !Number.isFinite(x)) throw new UserError(`${where}.means[${k}][${j}]`, 'must be a finite number', { value: x });
      return x;
    });
  });
  const s = stds.map((x, k) => {
    if (typeof x !== 'number' || !Number.isFinite(x) || x <= 0) throw new UserError(`${where}.stds[${k}]`, 'must be a finite number > 0', { value: x });
    return x;
  });
  return { weights: w, means: mu, stds: s };
}

/** Options of the exact mixture model. */
export interface GmmModelOptions {
  /** which view `predict` returns natively (default 'x0', finite at both endpoints) */
  readonly parameterization?: Parameterization;
}

/** Exact score model of an isotropic Gaussian mixture, for any linear forward process. */
export class GaussianMixtureModel implements ScoreModel {
  readonly dim: number;
  /** number of components */
  readonly k: number;
  readonly parameterization: Parameterization;
  readonly spec: GmmSpec;
  private readonly logW: Float64Array;
  private readonly w: Float64Array;
  private readonly mu: Float64Array;
  private readonly s2: Float64Array;
  private readonly std: Float64Array;
  // per-call scratch
  private readonly P: Float64Array;
  private readonly Q: Float64Array;
  private readonly A: Float64Array;
  private readonly B: Float64Array;
  private readonly logit: Float64Array;

  constructor(spec: GmmSpec, opts: GmmModelOptions = {}) {
    const g = validateGmm(spec);
    this.spec = g;
    this.k = g.weights.length;
    this.dim = g.means[0].length;
    this.parameterization = opts.parameterization ?? 'x0';
    const total = g.weights.reduce((a, b) => a + b, 0);
    this.w = Float64Array.from(g.weights, (x) => x / total);
    this.logW = Float64Array.from(this.w, (x) => Math.log(x));
    this.mu = new Float64Array(this.k * this.dim);
    g.means.forEach((row, k) => row.forEach((x, j) => { this.mu[k * this.dim + j] = x; }));
    this.std = Float64Array.from(g.stds);
    this.s2 = Float64Array.from(g.stds, (s) => s * s);
    this.P = new Float64Array(this.k);
    this.Q = new Float64Array(this.k);
    this.A = new Float64Array(this.k);
    this.B = new Float64Array(this.k);
    this.logit = new Float64Array(this.k);
  }

  /** Per-component log-normaliser and variance at a noise level: B_k = log w_k - D/2 log c_k, A_k = c_k. */
  private levelCoefficients(at: NoiseLevel): void {
    const { alpha, sigma } = at;
    const a2 = alpha * alpha;
    const sg2 = sigma * sigma;
    for (let k = 0; k < this.k; k++) {
      const c = a2 * this.s2[k] + sg2;
      this.A[k] = c;
      this.B[k] = this.logW[k] - 0.5 * this.dim * Math.log(c);
    }
  }

  predict(x: Float64Array, n: number, at: NoiseLevel, out: Float64Array): void {
    this.predictRows(x, 0, n, at, out);
  }

  /** {@link predict} for rows [r0, r1) only (the unit of work of src/score/gmmParallel.ts). */
  predictRows(x: Float64Array, r0: number, r1: number, at: NoiseLevel, out: Float64Array): void {
    const { alpha, sigma } = at;
    const K = this.k;
    const D = this.dim;
    this.levelCoefficients(at);
    const { P, Q, A, B, logit, mu } = this;
    for (let k = 0; k < K; k++) {
      const c = A[k];
      switch (this.parameterization) {
        case 'x0': P[k] = (alpha * this.s2[k]) / c; Q[k] = (sigma * sigma) / c; break;
        case 'eps': P[k] = sigma / c; Q[k] = -(alpha * sigma) / c; break;
        case 'score': P[k] = -1 / c; Q[k] = alpha / c; break;
        case 'v': P[k] = (alpha * sigma * (1 - this.s2[k])) / c; Q[k] = -(sigma * (alpha * alpha + sigma * sigma)) / c; break;
      }
    }
    const halfInvA = new Float64Array(K);
    for (let k = 0; k < K; k++) halfInvA[k] = 0.5 / A[k];
    if (D === 2) {
      // the common 2-D case, unrolled
      for (let r = r0; r < r1; r++) {
        const x0 = x[2 * r];
        const x1 = x[2 * r + 1];
        let m = -Infinity;
        for (let k = 0; k < K; k++) {
          const d0 = x0 - alpha * mu[2 * k];
          const d1 = x1 - alpha * mu[2 * k + 1];
          const l = B[k] - (d0 * d0 + d1 * d1) * halfInvA[k];
          logit[k] = l;
          if (l > m) m = l;
        }
        let z = 0, p = 0, q0 = 0, q1 = 0;
        for (let k = 0; k < K; k++) {
          const l = logit[k] - m;
          if (l < NEGLIGIBLE) continue; // e^l < 2e-22 of the largest term (which is 1): below float64 resolution
          const e = Math.exp(l);
          z += e;
          p += e * P[k];
          const eq = e * Q[k];
          q0 += eq * mu[2 * k];
          q1 += eq * mu[2 * k + 1];
        }
        const iz = 1 / z;
        out[2 * r] = (p * x0 + q0) * iz;
        out[2 * r + 1] = (p * x1 + q1) * iz;
      }
      return;
    }
    const q = new Float64Array(D);
    for (let r = r0; r < r1; r++) {
      const o = r * D;
      let m = -Infinity;
      for (let k = 0; k < K; k++) {
        let d2 = 0;
        for (let j = 0; j < D; j++) {
          const d = x[o + j] - alpha * mu[k * D + j];
          d2 += d * d;
        }
        const l = B[k] - d2 * halfInvA[k];
        logit[k] = l;
        if (l > m) m = l;
      }
      let z = 0, p = 0;
      q.fill(0);
      for (let k = 0; k < K; k++) {
        const l = logit[k] - m;
        if (l < NEGLIGIBLE) continue;
        const e = Math.exp(l);
        z += e;
        p += e * P[k];
        const eq = e * Q[k];
        for (let j = 0; j < D; j++) q[j] += eq * mu[k * D + j];
      }
      const iz = 1 / z;
      for (let j = 0; j < D; j++) out[o + j] = (p * x[o + j] + q[j]) * iz;
    }
  }

  /**
   * Exact samples from the data distribution (n x dim); per row one uniform picks the component
   * (written to `labels` when given), then dim standard normals.
   */
  sampleData(n: number, rng: Rng, labels?: Int32Array): Float64Array {
    const D = this.dim;
    const out = new Float64Array(n * D);
    const cum = new Float64Array(this.k);
    let acc = 0;
    for (let k = 0; k < this.k; k++) { acc += this.w[k]; cum[k] = acc; }
    for (let r = 0; r < n; r++) {
      const u = rng.uniform() * acc;
      let k = 0;
      while (k < this.k - 1 && u >= cum[k]) k++;
      if (labels) labels[r] = k;
      for (let j = 0; j < D; j++) out[r * D + j] = this.mu[k * D + j] + this.std[k] * rng.normal();
    }
    return out;
  }

  /** Exact samples of the marginal p_t at a noise level: alpha x0 + sigma eps. */
  sampleMarginal(n: number, at: NoiseLevel, rng: Rng): Float64Array {
    const out = this.sampleData(n, rng);
    for (let i = 0; i < out.length; i++) out[i] = at.alpha * out[i] + at.sigma * rng.normal();
    return out;
  }

  /** Exact log-density (nats) of the marginal p_t at `at` (the data density by default), one value per row. */
  logDensity(x: Float64Array, n: number, at: NoiseLevel = DATA_LEVEL): Float64Array {
    const D = this.dim;
    const { alpha } = at;
    this.levelCoefficients(at);
    const logNorm = -0.5 * D * Math.log(2 * Math.PI);
    const out = new Float64Array(n);
    for (let r = 0; r < n; r++) {
      let m = -Infinity;
      for (let k = 0; k < this.k; k++) {
        let d2 = 0;
        for (let j = 0; j < D; j++) {
          const d = x[r * D + j] - alpha * this.mu[k * D + j];
          d2 += d * d;
        }
        const l = this.B[k] - d2 / (2 * this.A[k]);
        this.logit[k] = l;
        if (l > m) m = l;
      }
      let z = 0;
      for (let k = 0; k < this.k; k++) z += Math.exp(this.logit[k] - m);
      out[r] = logNorm + m + Math.log(z);
    }
    return out;
  }
}
