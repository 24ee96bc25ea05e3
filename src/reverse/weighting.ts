/**
 * Loss weightings of denoising score matching in eps-prediction form (MATH.md section 4):
 *   L = E[ w(t) || eps_theta(alpha x0 + sigma eps, t) - eps ||^2 ]
 *   simple:     w = 1                                   (DDPM)
 *   elbo:       w = -d/dt logSnr                        (continuous VDM bound)
 *   likelihood: w = g^2 / sigma^2 = -2 d/dt logSnr      (score-SDE form)
 *   edm:        w = (sigma_ve^2 + sd^2) / (sigma_ve sd)^2 * c_out^2 ... expressed per eps
 * derived from the scheme's views, never per scheme.
 */
import type { MathNode } from 'mathjs';
import { call, div, mul, neg, num, add } from '../expr/nodes.ts';
import { simplifyWith } from '../expr/simplify.ts';
import { signsOf } from '../expr/assumptions.ts';
import type { Scheme } from '../scheme/types.ts';

/** Loss weightings of MATH.md section 4. */
export type WeightingName = 'simple' | 'elbo' | 'likelihood' | 'edm';
/** Every {@link WeightingName}, in `--weighting` order. */
export const WEIGHTINGS: readonly WeightingName[] = ['simple', 'elbo', 'likelihood', 'edm'];

/**
 * EDM preconditioning (Karras et al. 2022, Table 1) in terms of the VE-equivalent noise level
 * sigma_ve = sigma / alpha = exp(-logSnr) of the scheme, for inputs x_t = alpha (x0 + sigma_ve eps):
 * D(x) = c_skip x_ve + c_out F(c_in x_ve, c_noise), with x_ve = x_t / alpha.
 */
export interface EdmPrecond { cSkip: number; cOut: number; cIn: number; cNoise: number; sigmaVe: number; lossWeight: number }

/** c_skip, c_out, c_in, c_noise and the EDM loss weight lambda(sigma) at time t. */
export function edmPrecond(scheme: Scheme, t: number, sigmaData = 0.5): EdmPrecond {
  const sigmaVe = Math.exp(-scheme.logSnr(t));
  const s2 = sigmaVe * sigmaVe, d2 = sigmaData * sigmaData;
  return {
    sigmaVe,
    cSkip: d2 / (s2 + d2),
    cOut: (sigmaVe * sigmaData) / Math.sqrt(s2 + d2),
    cIn: 1 / Math.sqrt(s2 + d2),
    cNoise: Math.log(sigmaVe) / 4,
    lossWeight: (s2 + d2) / (s2 * d2),
  };
}

/**
 * The eps-prediction weight w(t). For `edm`: EDM's x0-loss lambda(sigma) ||D - x0||^2 equals
 * lambda sigma_ve^2 ||eps_hat - eps||^2, so w = lambda(sigma_ve) sigma_ve^2 = (sigma_ve^2 + sd^2)/sd^2.
 */
export function weighting(scheme: Scheme, name: WeightingName, opts: { sigmaData?: number } = {}): (t: number) => number {
  switch (name) {
    case 'simple': return () => 1;
    case 'elbo': return (t) => -scheme.dlogSnr(t);
    case 'likelihood': return (t) => scheme.g2(t) / scheme.sigma2(t);
    case 'edm': {
      const sd = opts.sigmaData ?? 0.5;
      return (t) => { const sv = Math.exp(-scheme.logSnr(t)); return (sv * sv + sd * sd) / (sd * sd); };
    }
  }
}

/** Closed form of a weighting, when the scheme's views have one. */
export function weightingExpr(scheme: Scheme, name: WeightingName, opts: { sigmaData?: number } = {}): MathNode | null {
  const q = scheme.quantities;
  const simplify = (n: MathNode): MathNode => simplifyWith(n, { signs: signsOf(scheme.assumptions) });
  switch (name) {
    case 'simple': return num(1);
    case 'elbo': return q.dlogSnr.expr && simplify(neg(q.dlogSnr.expr));
    case 'likelihood': return q.g2.expr && q.sigma2.expr && simplify(div(q.g2.expr, q.sigma2.expr));
    case 'edm': {
      const sd = opts.sigmaData ?? 0.5;
      return q.logSnr.expr && simplify(add(num(1), div(call('exp', mul(num(-2), q.logSnr.expr)), num(sd * sd))));
    }
  }
}


