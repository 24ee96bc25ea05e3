/**
 * Theorem (Tweedie's formula, MATH.md section 2): E[x0 | x_t = x] = (x + sigma^2 grad log p_t(x)) / alpha,
 * and E[eps | x_t = x] = -sigma grad log p_t(x). Checked exactly for Gaussian data x0 ~ N(m, v),
 * whose posterior is known in closed form (conjugate Gaussian):
 *   E[x0 | x] = m + alpha v (x - alpha m) / (alpha^2 v + sigma^2),
 * against the score -> x0 and score -> eps conversions of src/reverse/parameterization.ts at random
 * times, data moments and points x (float64 throughout).
 */
import { fmt, mixedError, probeTimes, proofRng } from '../src/proofs/probe.ts';
import type { Proof, ProofResult } from '../src/proofs/types.ts';
import { verdict } from '../src/proofs/verdict.ts';
import { convert, type Parameterization } from '../src/reverse/parameterization.ts';
import type { Scheme } from '../src/scheme/types.ts';

/** Relative tolerance: a handful of float64 operations, amplified by at most 1/alpha^2 near zero SNR. */
export const TWEEDIE_TOL = 1e-9;

type Convert = typeof convert;

/** The check with an injectable converter (so that tests can show it catches a wrong one). */
export function checkTweedie(s: Scheme, conv: Convert = convert): ProofResult {
  const ts = probeTimes(s, 24, 6);
  const rng = proofRng(6);
  let error = 0, at = NaN;
  for (const t of ts) {
    const alpha = s.alpha(t), sigma = s.sigma(t);
    for (let k = 0; k < 4; k++) {
      const m = -2 + 4 * rng.uniform(), v = 0.05 + 3 * rng.uniform();
      const P = alpha * alpha * v + sigma * sigma;
      const x = alpha * m + Math.sqrt(P) * (-2 + 4 * rng.uniform());
      const score = -(x - alpha * m) / P;
      const postMean = m + (alpha * v * (x - alpha * m)) / P;
      // E[eps | x] = (x - alpha E[x0 | x]) / sigma = sigma (x - alpha m) / P, written without cancellation
      const postEps = (sigma * (x - alpha * m)) / P;
      const views: Record<Parameterization, number> = conv('score', score, x, alpha, sigma);
      // x0 from Tweedie is ill-conditioned by ~ P / (alpha^2 v) where alpha -> 0: measure relative to that scale
      const cond = Math.max(1, P / (alpha * alpha * v));
      const e = Math.max(mixedError(views.x0, postMean) / cond, mixedError(views.eps, postEps));
      if (!(e <= error)) { error = e; at = t; }
    }
  }
  return verdict('numeric', { error, at, identical: false }, TWEEDIE_TOL, `Tweedie x0 and eps vs the exact Gaussian posterior means (${ts.length} times x 4 draws; x0 error divided by its condition number P/(alpha^2 v), largest ${fmt(Math.max(...ts.map((t) => { const a = s.alpha(t); return Math.max(1, (a * a + s.sigma2(t)) / (a * a)); })))})`);
}

export const tweedie: Proof = {
  id: 'tweedie',
  title: "Tweedie's formula (Gaussian data)",
  statement: String.raw`\mathbb E[x_0 \mid x_t = x] = \frac{x + \sigma^2(t)\,\nabla_x \log p_t(x)}{\alpha(t)}, \qquad \mathbb E[\varepsilon \mid x_t = x] = -\sigma(t)\,\nabla_x \log p_t(x).`,
  source: 'MATH.md section 2 (Tweedie; Efron 2011)',
  check: (s) => checkTweedie(s),
};
