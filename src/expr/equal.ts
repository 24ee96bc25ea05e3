/**
 * Zero-testing of identities: first symbolic (the simplified difference is the constant 0),
 * then numeric (evaluation at deterministic pseudo-random points of the domain, max relative error).
 */
import { compile } from './compile.ts';
import { sub, type MathNode } from './nodes.ts';
import { simplify } from './simplify.ts';

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

/** Verdict of {@link zeroTest}: whether the expression is identically zero, how that was decided, and the max error seen. */
export interface ZeroTest { zero: boolean; method: 'symbolic' | 'numeric'; error: number }

/** Is a - b identically zero on the domain? */
export function zeroTest(a: MathNode, b: MathNode, domain: [number, number], tol = 1e-10): ZeroTest {
  const d = simplify(sub(a, b));
  if (d.type === 'ConstantNode' && (d as unknown as { value: number }).value === 0) return { zero: true, method: 'symbolic', error: 0 };
  const error = maxRelDiff(a, b, domain);
  return { zero: error <= tol, method: 'numeric', error };
}
