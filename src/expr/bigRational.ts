/**
 * Exact rational numbers p/q (bigint, q > 0, gcd(p, q) = 1) for the simplifier's literal
 * arithmetic: 0.1 + 0.2 is 3/10, not 0.30000000000000004. A float literal enters as the decimal
 * it prints as (its shortest round-trip representation), which is the number the user wrote.
 */

import { fromNumber } from './rational.ts';

/** An exact rational p/q in lowest terms with q > 0. */
export interface Rat { readonly p: bigint; readonly q: bigint }

const abs = (a: bigint): bigint => (a < 0n ? -a : a);
export function gcd(a: bigint, b: bigint): bigint {
  a = abs(a); b = abs(b);
  while (b) [a, b] = [b, a % b];
  return a;
}

/** p/q reduced; throws on q = 0 (callers never divide by an exact zero). */
export function rat(p: bigint, q: bigint = 1n): Rat {
  if (q === 0n) throw new Error('rational with zero denominator');
  if (q < 0n) { p = -p; q = -q; }
  const g = gcd(p, q);
  return g > 1n ? { p: p / g, q: q / g } : { p, q };
}

export const ZERO = rat(0n), ONE = rat(1n), MINUS_ONE = rat(-1n), HALF = rat(1n, 2n);

/** The decimal a finite double prints as, exactly (0.1 -> 1/10, 1e-300 -> 1/10^300): src/expr/rational.ts. */
export function ratOf(v: number): Rat {
  const r = fromNumber(v);
  return { p: r.n, q: r.d };
}

export const radd = (a: Rat, b: Rat): Rat => rat(a.p * b.q + b.p * a.q, a.q * b.q);
export const rsub = (a: Rat, b: Rat): Rat => rat(a.p * b.q - b.p * a.q, a.q * b.q);
export const rmul = (a: Rat, b: Rat): Rat => rat(a.p * b.p, a.q * b.q);
export const rdiv = (a: Rat, b: Rat): Rat => rat(a.p * b.q, a.q * b.p);
export const rneg = (a: Rat): Rat => ({ p: -a.p, q: a.q });
export const req = (a: Rat, b: Rat): boolean => a.p === b.p && a.q === b.q;
export const rcmp = (a: Rat, b: Rat): number => { const d = a.p * b.q - b.p * a.q; return d < 0n ? -1 : d > 0n ? 1 : 0; };
export const isInt = (a: Rat): boolean => a.q === 1n;
export const isZero = (a: Rat): boolean => a.p === 0n;
export const isOne = (a: Rat): boolean => a.p === 1n && a.q === 1n;
export const rabs = (a: Rat): Rat => (a.p < 0n ? rneg(a) : a);
/** The nearest double (also for numerators and denominators beyond the double range, 1.2e-310 = 12/10^311). */
export function toNumber(a: Rat): number {
  const fast = Number(a.p) / Number(a.q);
  if (Number.isFinite(fast) && fast !== 0) return fast;
  if (a.p === 0n) return 0;
  // 20 significant digits of p/q, then the decimal exponent
  const ap = abs(a.p);
  const shift = a.q.toString().length - ap.toString().length + 20;
  const m = shift >= 0 ? (ap * 10n ** BigInt(shift)) / a.q : ap / (a.q * 10n ** BigInt(-shift));
  const v = Number(`${m}e${-shift}`);
  return a.p < 0n ? -v : v;
}

/** a^k for an integer k (a = 0 with k < 0 is the caller's to avoid). */
export function rpowInt(a: Rat, k: bigint): Rat {
  if (k < 0n) return rpowInt(rat(a.q, a.p), -k);
  return rat(a.p ** k, a.q ** k);
}

/** Exact k-th root of a non-negative bigint, or undefined. */
function iroot(n: bigint, k: bigint): bigint | undefined {
  if (n < 0n) return undefined;
  if (n < 2n) return n;
  let x = BigInt(Math.round(Number(n) ** (1 / Number(k))));
  for (let i = 0; i < 4 && x > 0n; i++) {
    const xk = x ** k;
    if (xk === n) return x;
    x += xk < n ? 1n : -1n;
  }
  return x > 0n && x ** k === n ? x : undefined;
}

/** a^e exactly when the result is rational (4^(1/2) = 2, (8/27)^(2/3) = 4/9), else undefined. */
export function rpow(a: Rat, e: Rat): Rat | undefined {
  if (isInt(e)) {
    if (isZero(a) && e.p < 0n) return undefined;
    if (abs(e.p) > 4096n) return undefined; // keep the numbers bounded
    return rpowInt(a, e.p);
  }
  if (a.p < 0n || e.q > 64n) return undefined;
  const rp = iroot(a.p, e.q), rq = iroot(a.q, e.q);
  if (rp === undefined || rq === undefined) return undefined;
  if (rp === 0n && e.p < 0n) return undefined;
  return rpowInt(rat(rp, rq), e.p);
}

/** gcd of two rationals: the largest r with a/r and b/r both integers. */
export function rgcd(a: Rat, b: Rat): Rat {
  return rat(gcd(a.p, b.p), (a.q / gcd(a.q, b.q)) * b.q);
}

export function ratString(a: Rat): string {
  return a.q === 1n ? String(a.p) : `${a.p}/${a.q}`;
}
