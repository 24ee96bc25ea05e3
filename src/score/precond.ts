/**
 * The network head: how the raw network F is wrapped into a prediction of the chosen
 * parameterisation, for any scheme, through the scheme's alpha(t) and sigma(t) only.
 *
 *     pred(x, t) = a(t) x + b(t) F( c_in(t) x, c_noise(t), class )
 *
 * Write x = alpha (x0 + sigmaTilde eps) with sigmaTilde = sigma/alpha (the VE-equivalent noise
 * level, exp(-logSnr)). Inputs are always normalised to unit variance for data of standard
 * deviation sigma_data: c_in = 1/sqrt(sigma^2 + alpha^2 sigma_data^2), and the noise level enters
 * through log(sigmaTilde) = -logSnr (Karras et al. 2022, "EDM", Table 1, in VE coordinates). Without preconditioning a = 0, b = 1. With EDM preconditioning the prediction is
 * x0 = c_skip x/alpha + c_out F, c_skip = sigma_data^2/(sigmaTilde^2 + sigma_data^2),
 * c_out = sigmaTilde sigma_data / sqrt(sigmaTilde^2 + sigma_data^2).
 *
 * Also here: the per-parameterisation regression target and the factor d(eps)/d(pred) that turns
 * the eps-space loss weight of MATH.md section 4 into a weight in the prediction's space.
 */
import { UserError } from '../errors.ts';
import type { Scheme } from '../scheme/types.ts';

/** What the model predicts (MATH.md section 2). */
export type Pred = 'eps' | 'x0' | 'v' | 'score';
/** Input/output preconditioning. */
export type Precond = 'none' | 'edm';

export const PREDS: readonly Pred[] = ['eps', 'x0', 'v', 'score'];

/** JSON-serialisable head configuration. */
export interface HeadConfig {
  readonly pred: Pred;
  readonly precond: Precond;
  /** data standard deviation sigma_data (EDM uses 0.5 for images in [-1, 1]) */
  readonly sigmaData: number;
}

/** Host float64 head coefficients at one time t. */
export interface HeadCoeffs {
  readonly alpha: number;
  readonly sigma: number;
  readonly cIn: number;
  readonly cNoise: number;
  /** pred = a x + b F */
  readonly a: number;
  readonly b: number;
}

/** Head coefficients at time t of `scheme`. */
export function headCoefficientsAt(scheme: Scheme, head: HeadConfig, t: number): HeadCoeffs {
  return headCoefficients(head, scheme.alpha(t), scheme.sigma(t), t);
}

/**
 * Head coefficients at a noise level (alpha, sigma), written so that they stay finite at zero
 * terminal SNR (alpha = 0, e.g. rectified flow at t = T) and at sigma = 0:
 *   c_in = 1/sqrt(sigma^2 + alpha^2 sd^2), c_noise = 2 tanh(log(sigma/alpha)/8),
 *   EDM: a = c_skip/alpha = sd^2 alpha/(sigma^2 + alpha^2 sd^2), b = c_out = sigma sd/sqrt(sigma^2 + alpha^2 sd^2).
 * c_noise is EDM's log(sigmaTilde)/4 softly bounded to (-2, 2) (equal to first order near 0), so the
 * endpoints map to finite network inputs. Throws, naming t, where alpha = sigma = 0.
 */
export function headCoefficients(head: HeadConfig, alpha: number, sigma: number, t = NaN): HeadCoeffs {
  if (!(alpha >= 0) || !(sigma >= 0) || !(alpha + sigma > 0) || !Number.isFinite(alpha) || !Number.isFinite(sigma)) {
    throw new UserError('t', `the network head needs alpha, sigma >= 0, not both 0 (alpha = ${alpha}, sigma = ${sigma})`, Number.isNaN(t) ? {} : { t });
  }
  const sd = head.sigmaData;
  const r2 = sigma * sigma + alpha * alpha * sd * sd;
  const cIn = 1 / Math.sqrt(r2);
  const cNoise = 2 * Math.tanh((Math.log(sigma) - Math.log(alpha)) / 8);
  if (head.precond === 'none') return { alpha, sigma, cIn, cNoise, a: 0, b: 1 };
  if (head.pred !== 'x0') throw new UserError('--pred', 'EDM preconditioning predicts x0', { value: head.pred });
  return { alpha, sigma, cIn, cNoise, a: (sd * sd * alpha) / r2, b: (sigma * sd) / Math.sqrt(r2) };
}

/**
 * The regression target of `pred` for x_t = alpha x0 + sigma eps (MATH.md section 2):
 * eps; x0; v = alpha eps - sigma x0; score = -eps / sigma.
 */
export function predTarget(pred: Pred, alpha: number, sigma: number, x0: number, eps: number): number {
  switch (pred) {
    case 'eps': return eps;
    case 'x0': return x0;
    case 'v': return alpha * eps - sigma * x0;
    case 'score': return -eps / sigma;
  }
}

/**
 * |d eps_hat / d pred| at fixed x: the eps-space error is this factor times the pred-space error.
 * eps = (x - alpha x0)/sigma; eps = (alpha v + sigma x)/(alpha^2 + sigma^2); eps = -sigma s.
 */
export function epsPerPred(pred: Pred, alpha: number, sigma: number): number {
  switch (pred) {
    case 'eps': return 1;
    case 'x0': return alpha / sigma;
    case 'v': return alpha / (alpha * alpha + sigma * sigma);
    case 'score': return sigma;
  }
}
