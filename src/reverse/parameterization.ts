/**
 * Conversions between the four parameterisations of a denoiser at (x, t) with marginal
 * coefficients alpha, sigma (MATH.md section 2):
 *   eps = -sigma s,  x0 = (x - sigma eps)/alpha = (x + sigma^2 s)/alpha (Tweedie),
 *   v = alpha eps - sigma x0   (for alpha^2 + sigma^2 = 1; in general the same formula defines v).
 */
export type Parameterization = 'score' | 'eps' | 'x0' | 'v';
export const PARAMETERIZATIONS: readonly Parameterization[] = ['score', 'eps', 'x0', 'v'];

/** All four views from one, per coordinate. Singular only where the formula itself is (alpha = 0 for x0 from eps, sigma = 0 for eps). */
export function convert(from: Parameterization, value: number, x: number, alpha: number, sigma: number): Record<Parameterization, number> {
  let eps: number, x0: number;
  switch (from) {
    case 'eps': eps = value; x0 = (x - sigma * value) / alpha; break;
    case 'score': eps = -sigma * value; x0 = (x + sigma * sigma * value) / alpha; break;
    case 'x0': x0 = value; eps = (x - alpha * value) / sigma; break;
    case 'v': {
      // x = alpha x0 + sigma eps, v = alpha eps - sigma x0  =>  x0 = (alpha x - sigma v)/(alpha^2 + sigma^2)
      const n2 = alpha * alpha + sigma * sigma;
      x0 = (alpha * x - sigma * value) / n2;
      eps = (sigma * x + alpha * value) / n2;
      break;
    }
  }
  return { eps, x0, score: -eps / sigma, v: alpha * eps - sigma * x0 };
}
