/**
 * Float64 implementations of the whitelisted functions JavaScript's Math lacks, written to be
 * stable where the naive formula is not (sigmoid and softplus for large |u|).
 */

/** logistic sigmoid 1/(1+e^-u), without overflow for either sign of u */
export function sigmoid(u: number): number {
  if (u >= 0) return 1 / (1 + Math.exp(-u));
  const e = Math.exp(u);
  return e / (1 + e);
}

/** softplus log(1 + e^u), stable for large |u| */
export function softplus(u: number): number {
  return Math.max(u, 0) + Math.log1p(Math.exp(-Math.abs(u)));
}

/** logit log(p / (1 - p)) */
export function logit(p: number): number {
  return Math.log(p) - Math.log1p(-p);
}

/**
 * Error function to ~1e-15 relative: Maclaurin series for |x| < 2.5, a continued fraction for
 * erfc beyond (Abramowitz & Stegun 7.1.5 and 7.1.14).
 */
export function erf(x: number): number {
  if (Number.isNaN(x)) return NaN;
  const ax = Math.abs(x);
  if (ax < 2.5) {
    // erf x = 2/sqrt(pi) sum_n (-1)^n x^(2n+1) / (n! (2n+1))
    let term = ax, sum = ax;
    const x2 = ax * ax;
    for (let n = 1; n < 200; n++) {
      term *= -x2 / n;
      const c = term / (2 * n + 1);
      sum += c;
      if (Math.abs(c) < 1e-17 * Math.abs(sum)) break;
    }
    const r = (2 / Math.sqrt(Math.PI)) * sum;
    return x < 0 ? -r : r;
  }
  if (ax > 6) return x < 0 ? -1 : 1;
  // erfc x = exp(-x^2)/sqrt(pi) * 1/(x + (1/2)/(x + 1/(x + (3/2)/(x + ...)))), evaluated bottom-up
  let f = ax;
  for (let n = 60; n >= 1; n--) f = ax + (n / 2) / f;
  const erfc = Math.exp(-ax * ax) / Math.sqrt(Math.PI) / f;
  const r = 1 - erfc;
  return x < 0 ? -r : r;
}

/** The function table the compiled closures call. */
export const FN_TABLE = {
  exp: Math.exp, log: Math.log, log1p: Math.log1p, expm1: Math.expm1, sqrt: Math.sqrt,
  sin: Math.sin, cos: Math.cos, tan: Math.tan, atan: Math.atan, tanh: Math.tanh,
  sigmoid, erf, abs: Math.abs, sinh: Math.sinh, cosh: Math.cosh, asin: Math.asin,
  acos: Math.acos, atanh: Math.atanh, softplus, logit,
} as const;
