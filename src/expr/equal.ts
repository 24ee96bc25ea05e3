/**
 * Zero-testing of identities: first exact (src/expr/zero.ts: the difference is 0 as a rational
 * function of its atoms, for all t and all parameters), then a probe (evaluation at deterministic
 * pseudo-random points of the domain, max relative error). An exact verdict is cross-checked at the
 * probe points too, so that a wrong rewrite rule can never turn into a false "identity".
 */
import { compile } from './compile.ts';
import { sub, type MathNode } from './nodes.ts';
import { provedZero } from './zero.ts';

/** Deterministic pseudo-random probe points in (lo, hi), endpoints excluded. */
export function probePoints(domain: [number, number], count = 24, seed = 12345): number[] {
  const [lo, hi] = domain;
  let s = seed >>> 0;
  const out: number[] = [];
  for (let i = 0; i < count; i++) {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    out.push(lo + (hi - lo) * (0.02 + 0.96 * (s / 2 ** 32)));
  }
  return out;
}

/** Relative difference |a - b| / max(1, |a|, |b|), with equal infinities counting as equal. */
export function relDiff(a: number, b: number): number {
  if (a === b) return 0;
  if (Number.isNaN(a) || Number.isNaN(b)) return Infinity;
  return Math.abs(a - b) / Math.max(1, Math.abs(a), Math.abs(b));
}

/** Max relative difference of two trees in t over probe points of the domain. */
export function maxRelDiff(a: MathNode, b: MathNode, domain: [number, number]): number {
  const fa = compile(a) as (t: number) => number, fb = compile(b) as (t: number) => number;
  return maxRelDiffFn(fa, fb, domain);
}

/** Max relative difference of two functions over probe points of the domain. */
export function maxRelDiffFn(fa: (t: number) => number, fb: (t: number) => number, domain: [number, number], points = probePoints(domain)): number {
  let m = 0;
  for (const t of points) m = Math.max(m, relDiff(fa(t), fb(t)));
  return m;
}

/**
 * Verdict of {@link zeroTest}: whether a - b is identically zero, how that was decided
 * (`identity`: exactly, in t and every other symbol; `probe`: numerically at probe points), and
 * the max error seen at the probe points.
 */
export interface ZeroTest { zero: boolean; method: 'identity' | 'probe'; error: number }

/** Is a - b identically zero? Exactly if the zero test proves it, else at probe points of the domain (t only). */
export function zeroTest(a: MathNode, b: MathNode, domain: [number, number], tol = 1e-10): ZeroTest {
  const exact = provedZero(sub(a, b));
  let error: number;
  try { error = maxRelDiff(a, b, domain); } catch { error = NaN; } // symbols other than t: nothing to probe
  if (exact && !(error > 1e-6)) return { zero: true, method: 'identity', error: Number.isNaN(error) ? 0 : error };
  return { zero: error <= tol, method: 'probe', error };
}
