/**
 * Theorem (discrete tables as continuous schedules, MATH.md section 1): with
 * alphabar_i = prod_{j <= i} (1 - beta_j) and t_i = (i + 1)/N, the continuous schedule
 * interpolating log alpha piecewise linearly in t satisfies alpha(t_i)^2 = alphabar_i and
 * sigma(t_i)^2 = 1 - alphabar_i at every grid point, and the table's betas are recovered as
 * beta_i = 1 - alphabar_i / alphabar_{i-1}. Not applicable to continuous schemes.
 */
import { relativeError } from '../src/proofs/probe.ts';
import type { Proof } from '../src/proofs/types.ts';
import { notApplicable, verdict } from '../src/proofs/verdict.ts';

/** Relative tolerance at the grid points (the interpolation passes through them exactly). */
export const DISCRETE_TOL = 1e-12;

export const discreteConsistency: Proof = {
  id: 'discrete-consistency',
  title: 'discrete table = continuous schedule at the grid points',
  statement: String.raw`\bar\alpha_i = \prod_{j=0}^{i}(1-\beta_j),\ t_i = \tfrac{i+1}{N}:\quad \alpha(t_i)^2 = \bar\alpha_i,\ \ \sigma(t_i)^2 = 1 - \bar\alpha_i,\ \ \beta_i = 1 - \bar\alpha_i/\bar\alpha_{i-1}\quad (i = 0, \dots, N-1).`,
  source: 'MATH.md section 1 (discrete tables); Ho et al. 2020; Lu et al. 2022 (DPM-Solver, discrete-time noise schedule)',
  check(s) {
    const d = s.discrete;
    if (!d) return notApplicable(`continuous scheme (declared by ${s.form}): no discrete table`);
    let error = 0, at = NaN, prod = 1, logProd = 0;
    for (let i = 0; i < d.betas.length; i++) {
      const t = d.times[i];
      prod *= 1 - d.betas[i];
      logProd += Math.log1p(-d.betas[i]);
      const abar = d.alphasCumprod[i];
      const prev = i === 0 ? 1 : d.alphasCumprod[i - 1];
      const e = Math.max(
        relativeError(s.alpha(t) ** 2, abar),
        relativeError(s.sigma2(t), -Math.expm1(logProd)), // 1 - alphabar_i without cancellation
        relativeError(prev * (1 - d.betas[i]), abar), // the recurrence alphabar_i = alphabar_{i-1} (1 - beta_i)
        relativeError(prod, abar), // the running product, computed independently here
        Math.abs(t - (i + 1) / d.betas.length),
      );
      if (!(e <= error)) { error = e; at = t; }
    }
    return verdict('numeric', { error, at, identical: false }, DISCRETE_TOL, `alpha(t_i)^2 = alphabar_i, sigma(t_i)^2 = 1 - alphabar_i, betas recovered, at all ${d.betas.length} grid points`);
  },
};
