/**
 * Training-time distributions p(t) on [t0, T], each written against the scheme's derived views
 * (logSnr and its inverse), never per scheme.
 *
 * - uniform:    t ~ U[t0, T]; ratio r = 1.
 * - lognormal:  EDM's noise distribution (Karras et al. 2022): ln sigmaTilde ~ N(pMean, pStd^2)
 *               with sigmaTilde = sigma/alpha = exp(-logSnr), so t = tOfLogSnr(-ln sigmaTilde);
 *               restricted to [t0, T] by rejection. Part of the objective (EDM), ratio r = 1.
 * - importance: p(t) proportional to -dlogSnr/dt, i.e. logSnr uniform on [logSnr(T), logSnr(t0)];
 *               this is the ELBO / likelihood weighting itself (w = -dlogSnr or -2 dlogSnr,
 *               MATH.md section 4; Song et al. 2021, "Maximum likelihood training of score-based
 *               diffusion models", section 5). The ratio r(t) = p_uniform(t)/p(t) keeps the
 *               objective equal to the uniform-time objective, with lower variance.
 */
import { UserError } from '../errors.ts';
import type { Scheme } from '../scheme/types.ts';
import type { Rng } from '../rng.ts';

export type TimeSampling = 'uniform' | 'lognormal' | 'importance';
export const TIME_SAMPLINGS: readonly TimeSampling[] = ['uniform', 'lognormal', 'importance'];

/** A sampled training time and its importance ratio p_uniform(t)/p(t) (1 unless importance). */
export interface TimeSample { readonly t: number; readonly ratio: number }

/** Draws training times. */
export type TimeSampler = (rng: Rng) => TimeSample;

/** Options of the log-normal sampler (EDM defaults). */
export interface LogNormalOpts { readonly pMean?: number; readonly pStd?: number }

/** |logSnr| bound used by the logSnr-based samplers. */
export const LOGSNR_CLAMP = 20;

/** Build the time sampler `kind` for `scheme`. */
export function timeSampler(scheme: Scheme, kind: TimeSampling, opts: LogNormalOpts = {}): TimeSampler {
  const { t0, T } = scheme;
  if (kind === 'uniform') return (rng) => ({ t: t0 + (T - t0) * rng.uniform(), ratio: 1 });
  // zero terminal SNR (logSnr(T) = -inf, e.g. rectified flow) or infinite SNR at t0: clamp the
  // logSnr range; the cut-off tails hold a negligible share of any of these distributions
  const lamT = Math.max(scheme.logSnr(T), -LOGSNR_CLAMP), lam0 = Math.min(scheme.logSnr(t0), LOGSNR_CLAMP);
  if (!Number.isFinite(lamT) || !Number.isFinite(lam0) || !(lam0 > lamT)) {
    throw new UserError('--time', `needs a finite, decreasing logSnr on [t0, T] (logSnr(t0) = ${lam0}, logSnr(T) = ${lamT})`, { value: kind });
  }
  const clampT = (t: number): number => Math.min(T, Math.max(t0, t));
  if (kind === 'importance') {
    return (rng) => {
      const t = clampT(scheme.tOfLogSnr(lamT + (lam0 - lamT) * rng.uniform()));
      const p = -scheme.dlogSnr(t) / (lam0 - lamT);
      const ratio = 1 / ((T - t0) * p);
      if (!(ratio > 0) || !Number.isFinite(ratio)) throw new Error(`importance sampling: dlogSnr(${t}) = ${scheme.dlogSnr(t)} gives ratio ${ratio}`);
      return { t, ratio };
    };
  }
  if (kind === 'lognormal') {
    const pMean = opts.pMean ?? -1.2, pStd = opts.pStd ?? 1.2;
    return (rng) => {
      for (let i = 0; i < 64; i++) {
        const lam = -(pMean + pStd * rng.normal());
        if (lam >= lamT && lam <= lam0) return { t: clampT(scheme.tOfLogSnr(lam)), ratio: 1 };
      }
      throw new UserError('--time', `lognormal(${pMean}, ${pStd}) puts almost no mass on logSnr in [${lamT}, ${lam0}]`, { value: kind });
    };
  }
  throw new UserError('--time', `unknown time sampling; known: ${TIME_SAMPLINGS.join(', ')}`, { value: kind });
}
