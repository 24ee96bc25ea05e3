/**
 * Theorem (parameterisations are interchangeable, MATH.md section 2): score, eps, x0 and v are
 * affine functions of one another at fixed (x, t) with sigma > 0, alpha > 0:
 *   eps = -sigma s,  x0 = (x - sigma eps)/alpha,  v = alpha eps - sigma x0.
 * Check: from each parameterisation, convert to all four (src/reverse/parameterization.ts), then
 * from each of those back to all four; every path must give the same numbers.
 */
import { mixedError, probeTimes, proofRng } from '../src/proofs/probe.ts';
import type { Proof, ProofResult } from '../src/proofs/types.ts';
import { verdict } from '../src/proofs/verdict.ts';
import { convert, PARAMETERIZATIONS } from '../src/reverse/parameterization.ts';
import type { Scheme } from '../src/scheme/types.ts';

/** Relative tolerance after dividing by the conversion's condition number. */
export const PARAMETERIZATION_TOL = 1e-9;

/** The check with an injectable converter (so that tests can show it catches a wrong one). */
export function checkParameterizations(s: Scheme, conv: typeof convert = convert): ProofResult {
  const ts = probeTimes(s, 16, 7);
  const rng = proofRng(7);
  let error = 0, at = NaN;
  for (const t of ts) {
    const alpha = s.alpha(t), sigma = s.sigma(t);
    // conversions divide by alpha or sigma: errors scale with 1/min(alpha, sigma)^2 relative to the inputs
    const cond = Math.max(1, 1 / (alpha * alpha), 1 / (sigma * sigma), alpha * alpha + sigma * sigma);
    for (let k = 0; k < 3; k++) {
      const x0 = -2 + 4 * rng.uniform(), eps = -2 + 4 * rng.uniform();
      const x = alpha * x0 + sigma * eps;
      const truth = { x0, eps, score: -eps / sigma, v: alpha * eps - sigma * x0 };
      for (const from of PARAMETERIZATIONS) {
        const views = conv(from, truth[from], x, alpha, sigma);
        for (const via of PARAMETERIZATIONS) {
          const back = conv(via, views[via], x, alpha, sigma);
          for (const p of PARAMETERIZATIONS) {
            const e = mixedError(back[p], truth[p]) / cond;
            if (!(e <= error)) { error = e; at = t; }
          }
        }
      }
    }
  }
  return verdict('numeric', { error, at, identical: false }, PARAMETERIZATION_TOL, 'score/eps/x0/v: every conversion path returns the truth (error / condition number)');
}

export const parameterizationRoundTrip: Proof = {
  id: 'parameterization-round-trip',
  title: 'score / eps / x0 / v conversions round-trip',
  statement: String.raw`x = \alpha x_0 + \sigma\varepsilon:\quad \varepsilon = -\sigma\, s,\ \ x_0 = \frac{x - \sigma\varepsilon}{\alpha},\ \ v = \alpha\varepsilon - \sigma x_0,\ \ x_0 = \frac{\alpha x - \sigma v}{\alpha^2+\sigma^2},\ \ \varepsilon = \frac{\sigma x + \alpha v}{\alpha^2+\sigma^2}.`,
  source: 'MATH.md section 2; Salimans & Ho 2022 (v-prediction)',
  check: (s) => checkParameterizations(s),
};
