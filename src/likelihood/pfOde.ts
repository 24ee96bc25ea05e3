/**
 * Exact log-likelihood through the probability-flow ODE (MATH.md section 5; Song et al. 2021,
 * appendix D.2; Chen et al. 2018, instantaneous change of variables):
 *
 *     dx/dt = v(x, t) = f(t) x - 1/2 g^2(t) s(x, t),   div v = f(t) D - 1/2 g^2(t) div s
 *     log p_{t_s}(x) = log p_T(x_T) + int_{t_s}^T div v(x_t, t) dt
 *
 * solved forward from the data point with adaptive Dormand-Prince (rk45.ts), the state of each
 * point being [x (D), accumulated divergence], its error controlled per point.
 *
 * The terminal density log p_T(x_T) is, in order of preference: the model's own exact marginal
 * (analytic models with `logDensity`, e.g. the Gaussian mixture); the Gaussian with the data's
 * first two moments pushed through the forward process, N(alpha_T m, (alpha_T^2 v + sigma_T^2) I);
 * or N(0, sigma_T^2 I). (The plain N(0, sigma_T^2) prior is off by about alpha_T |m| |x_T|, e.g.
 * 0.01-0.03 nats for VP and VE schemes with O(1) data means.) With zero terminal SNR (alpha(T) = 0,
 * f(T) infinite, e.g. rectified flow) the ODE stops at logSnr = -12 instead of at T.
 */
import type { Scheme } from '../scheme/types.ts';
import type { NoiseLevel, ScoreModel } from '../score/model.ts';
import { Rng } from '../rng.ts';
import { rademacher, scoreAndDivergence } from './divergence.ts';
import { rk45, type Rk45Stats } from './rk45.ts';

/** Likelihood options. */
export interface LikelihoodOptions {
  /** divergence: exact, or Hutchinson's estimator (one Rademacher probe per point) */
  readonly div?: 'exact' | 'hutchinson';
  readonly rtol?: number;
  readonly atol?: number;
  /** start time t_s (default: the scheme's t0) */
  readonly tStart?: number;
  /** seed of the Hutchinson probes */
  readonly seed?: number;
  /** points per ODE solve (default: all) */
  readonly batch?: number;
  /** data moments for the Gaussian prior: per-coordinate mean and isotropic variance */
  readonly dataMoments?: { readonly mean: ArrayLike<number>; readonly variance: number };
}

/** A model that knows its exact marginal log-density (e.g. the Gaussian mixture). */
interface ExactMarginal {
  logDensity(x: Float64Array, n: number, at: NoiseLevel): Float64Array;
}

function hasExactMarginal(m: ScoreModel): m is ScoreModel & ExactMarginal {
  return typeof (m as Partial<ExactMarginal>).logDensity === 'function';
}

/** Which terminal density was used. */
export type PriorKind = 'exact-marginal' | 'moment-matched-gaussian' | 'gaussian';

/** logSnr where the ODE stops when f(T) or g2(T) is infinite (zero terminal SNR). */
export const ZERO_SNR_STOP = -12;

/** The time the likelihood ODE ends at: T, or where logSnr = -12 when the drift is singular at T. */
export function likelihoodEndTime(scheme: Scheme): number {
  const T = scheme.T;
  if (Number.isFinite(scheme.f(T)) && Number.isFinite(scheme.g2(T)) && scheme.alpha(T) > 0) return T;
  const t = scheme.tOfLogSnr(Math.max(ZERO_SNR_STOP, scheme.logSnr(T)));
  if (!(t > scheme.t0 && t < T)) throw new Error(`likelihood: cannot find an end time below T = ${T} (logSnr inverse gave ${t})`);
  return t;
}

/** Log-densities (nats) of the t_s-marginal at the points, and what it cost. */
export interface LikelihoodResult {
  readonly logp: Float64Array;
  /** the prior term log p_T(x_T) and the divergence integral, per point */
  readonly logPrior: Float64Array;
  readonly deltaLogp: Float64Array;
  readonly tStart: number;
  readonly tEnd: number;
  readonly prior: PriorKind;
  readonly nfe: number;
  readonly steps: number;
  readonly seconds: number;
}

/** log N(x; mean, s2 I) for one row. */
function logGauss(x: Float64Array, off: number, D: number, mean: Float64Array, s2: number): number {
  let r2 = 0;
  for (let j = 0; j < D; j++) r2 += (x[off + j] - mean[j]) ** 2;
  return -0.5 * D * Math.log(2 * Math.PI * s2) - r2 / (2 * s2);
}

/** PF-ODE log-likelihood of `points` (n x D, row-major) under `model` and `scheme`. */
export async function pfOdeLikelihood(model: ScoreModel, scheme: Scheme, points: Float64Array, n: number, opts: LikelihoodOptions = {}): Promise<LikelihoodResult> {
  const D = model.dim;
  if (points.length !== n * D) throw new Error(`likelihood: ${points.length} values for ${n} points of dimension ${D}`);
  const tS = opts.tStart ?? scheme.t0, T = likelihoodEndTime(scheme);
  const atT: NoiseLevel = { t: T, alpha: scheme.alpha(T), sigma: scheme.sigma(T) };
  const prior: PriorKind = hasExactMarginal(model) ? 'exact-marginal' : opts.dataMoments ? 'moment-matched-gaussian' : 'gaussian';
  const batch = Math.max(1, Math.min(n, opts.batch ?? n));
  const rng = new Rng(opts.seed ?? 0);
  const logp = new Float64Array(n), logPrior = new Float64Array(n), delta = new Float64Array(n);
  const mom = opts.dataMoments;
  const priorMean = new Float64Array(D), priorVar = atT.sigma ** 2 + (mom ? atT.alpha ** 2 * mom.variance : 0);
  if (mom) for (let j = 0; j < D; j++) priorMean[j] = atT.alpha * mom.mean[j];
  const t0 = performance.now();
  const total: Rk45Stats = { nfe: 0, steps: 0, rejected: 0 };
  for (let b0 = 0; b0 < n; b0 += batch) {
    const m = Math.min(batch, n - b0), W = D + 1;
    const y = new Float64Array(m * W);
    for (let i = 0; i < m; i++) for (let j = 0; j < D; j++) y[i * W + j] = points[(b0 + i) * D + j];
    const mode = opts.div === 'hutchinson' ? { kind: 'hutchinson' as const, z: rademacher(rng, m * D) } : { kind: 'exact' as const };
    const x = new Float64Array(m * D), s = new Float64Array(m * D), dv = new Float64Array(m);
    const rhs = async (t: number, yy: Float64Array, out: Float64Array): Promise<void> => {
      for (let i = 0; i < m; i++) for (let j = 0; j < D; j++) x[i * D + j] = yy[i * W + j];
      const at = { t, alpha: scheme.alpha(t), sigma: scheme.sigma(t) };
      await scoreAndDivergence(model, x, m, at, mode, s, dv);
      const f = scheme.f(t), g2 = scheme.g2(t);
      for (let i = 0; i < m; i++) {
        for (let j = 0; j < D; j++) out[i * W + j] = f * x[i * D + j] - 0.5 * g2 * s[i * D + j];
        out[i * W + D] = f * D - 0.5 * g2 * dv[i];
      }
    };
    const st = await rk45(rhs, y, tS, T, { rtol: opts.rtol ?? 1e-5, atol: opts.atol ?? 1e-5, blockSize: W });
    total.nfe += st.nfe; total.steps += st.steps; total.rejected += st.rejected;
    let exact: Float64Array | null = null;
    if (prior === 'exact-marginal' && hasExactMarginal(model)) {
      const xT = new Float64Array(m * D);
      for (let i = 0; i < m; i++) for (let j = 0; j < D; j++) xT[i * D + j] = y[i * W + j];
      exact = model.logDensity(xT, m, atT);
    }
    for (let i = 0; i < m; i++) {
      logPrior[b0 + i] = exact ? exact[i] : logGauss(y, i * W, D, priorMean, priorVar);
      delta[b0 + i] = y[i * W + D];
      logp[b0 + i] = logPrior[b0 + i] + delta[b0 + i];
    }
  }
  return { logp, logPrior, deltaLogp: delta, tStart: tS, tEnd: T, prior, nfe: total.nfe, steps: total.steps, seconds: (performance.now() - t0) / 1000 };
}
