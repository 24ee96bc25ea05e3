/**
 * Where and how the proofs measure: deterministic probe times over [t0, T] (uniform and
 * log-uniform, so that both ends of wide ranges such as EDM's [0.002, 80] are exercised; inside one
 * linear piece for discrete tables), error measures, and comparisons of trees and functions.
 */
import { compile1 } from '../expr/compile.ts';
import { sub, type Env, type MathNode } from '../expr/nodes.ts';
import { provedZero } from '../expr/zero.ts';
import { createRng, type Rng } from '../rng.ts';
import type { Scheme } from '../scheme/types.ts';

/** Seed of every proof's pseudo-random draws: a proof's verdict is reproducible. */
export const PROOF_SEED = 20240601;

/** A fresh deterministic generator for a proof (`salt` separates the proofs' streams). */
export function proofRng(salt: number): Rng {
  return createRng(PROOF_SEED + 7919 * salt);
}

/**
 * Mixed relative error |a - b| / max(1, |a|, |b|) (absolute below 1, relative above);
 * equal values (infinities included) give 0, a NaN on either side gives Infinity.
 */
export function mixedError(a: number, b: number): number {
  if (a === b) return 0;
  if (Number.isNaN(a) || Number.isNaN(b)) return Infinity;
  return Math.abs(a - b) / Math.max(1, Math.abs(a), Math.abs(b));
}

/** Relative error |a - b| / max(|a|, |b|, floor); NaN gives Infinity. */
export function relativeError(a: number, b: number, floor = 1e-300): number {
  if (a === b) return 0;
  if (Number.isNaN(a) || Number.isNaN(b)) return Infinity;
  return Math.abs(a - b) / Math.max(Math.abs(a), Math.abs(b), floor);
}

/** Knots of a discrete scheme's piecewise-linear log alpha: 0 and t_i. */
function knots(s: Scheme): number[] | undefined {
  return s.discrete ? [0, ...s.discrete.times] : undefined;
}

/**
 * `count` sorted probe times strictly inside [t0, T]: half uniform, half log-uniform (when t0 is
 * small against T), kept a fraction `margin` of the range away from both ends. For a discrete
 * scheme every probe time is the midpoint of one linear piece, so that smooth-function arguments
 * (derivatives, quadrature) apply.
 */
export function probeTimes(s: Scheme, count = 24, salt = 0, margin = 0.002): number[] {
  const rng = proofRng(1000 + salt);
  const { t0, T } = s;
  const out: number[] = [];
  const k = knots(s);
  if (k) {
    const mids: number[] = [];
    for (let i = 0; i + 1 < k.length; i++) { const m = 0.5 * (k[i] + k[i + 1]); if (m > t0 && m < T) mids.push(m); }
    for (let i = 0; i < count && mids.length; i++) out.push(mids[Math.floor(rng.uniform() * mids.length)]);
    return [...new Set(out)].sort((a, b) => a - b);
  }
  const lo = t0 + margin * (T - t0), hi = T - margin * (T - t0);
  const llo = Math.max(lo, 1e-6 * T);
  const logSpan = Math.log(hi / llo);
  for (let i = 0; i < count; i++) {
    const u = rng.uniform();
    out.push(i % 2 === 0 || !(logSpan > 1) ? lo + u * (hi - lo) : llo * Math.exp(u * logSpan));
  }
  return [...new Set(out)].sort((a, b) => a - b);
}

/**
 * Half-width of a finite-difference stencil or quadrature interval around t that stays inside
 * [t0, T] and, for discrete schemes, inside t's linear piece.
 */
export function localWidth(s: Scheme, t: number, fraction = 1e-3): number {
  const k = knots(s);
  if (k) {
    const n = s.discrete!.times.length;
    return 0.4 / n; // probe times are piece midpoints; pieces are 1/n wide
  }
  return Math.min(fraction * (s.T - s.t0), 0.5 * (t - s.t0), 0.5 * (s.T - t), fraction * Math.max(t, 1e-300) * 10);
}

/**
 * d/dt fn(t) by the 5-point central stencil at h and h/2 combined by Richardson extrapolation
 * (error O(h^6)); `error` estimates the remaining error from the two stencils' difference.
 */
export function derivativeFd(fn: (t: number) => number, t: number, h: number): { value: number; error: number } {
  const d5 = (k: number) => (fn(t - 2 * k) - 8 * fn(t - k) + 8 * fn(t + k) - fn(t + 2 * k)) / (12 * k);
  const a = d5(h), b = d5(h / 2);
  return { value: b + (b - a) / 15, error: Math.abs(b - a) / 15 };
}

/** Outcome of comparing two sides of an identity. */
export interface Comparison {
  /** max error over the probe times */
  error: number;
  /** the probe time of the max error */
  at: number;
  /** true when the difference of the trees is proved 0 exactly (src/expr/zero.ts) */
  identical: boolean;
}

/** Compare two functions at probe times with an error measure (default mixed). */
export function compareFns(a: (t: number) => number, b: (t: number) => number, ts: readonly number[], measure = mixedError): Comparison {
  let error = 0, at = NaN;
  for (const t of ts) {
    const e = measure(a(t), b(t));
    if (!(e <= error)) { error = e; at = t; }
  }
  return { error, at, identical: false };
}

/**
 * Compare two closed forms in t: the max error of their compiled float64 values at the probe
 * times (the parameters bound to `env`), and whether their difference is proved exactly 0 for all
 * t and all parameters. The probe runs in both cases: an exact verdict contradicted by the values
 * (a wrong rewrite rule) is not reported as an identity.
 */
export function compareTrees(a: MathNode, b: MathNode, ts: readonly number[], measure = mixedError, env: Env = {}): Comparison {
  const c = compareFns(compile1(a, env), compile1(b, env), ts, measure);
  const exact = provedZero(sub(a, b)) === true && c.error <= 1e-6;
  return { ...c, identical: exact };
}

/** Merge comparisons: the worst error wins; identical only when all are. */
export function worst(...cs: Comparison[]): Comparison {
  let w: Comparison = { error: 0, at: NaN, identical: true };
  for (const c of cs) {
    const identical = w.identical && c.identical;
    w = !(c.error <= w.error) ? { ...c, identical } : { ...w, identical };
  }
  return w;
}

/** Compact number for messages. */
export function fmt(x: number): string {
  return Number.isFinite(x) ? (x === 0 ? '0' : Math.abs(x) >= 1e-3 && Math.abs(x) < 1e4 ? String(+x.toPrecision(4)) : x.toExponential(2)) : String(x);
}
