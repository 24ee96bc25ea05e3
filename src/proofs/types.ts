/**
 * A proof is a claim of MATH.md with an executable check over any scheme (DESIGN.md "Proofs"):
 * symbolic first (the difference of two closed forms simplifies to 0 or vanishes at probe points
 * of the derived trees), else numeric at probe points over [t0, T] with a stated tolerance, and for
 * stochastic claims a statistical test with a stated false-alarm rate.
 */
import type { Scheme } from '../scheme/types.ts';

/**
 * How a check was decided. `identity`: the difference of the two sides reduces to exactly 0,
 * symbolically in t and every parameter (src/expr/zero.ts); `probe`: the closed forms are compared
 * at probe times because the exact reduction did not succeed; `numeric`: on the float64 functions
 * at probe points (a side has no closed form); `statistical`: a hypothesis test; `n/a`: the theorem
 * does not apply to this scheme (e.g. a discrete table check on a continuous scheme) and counts as passed.
 */
export type ProofMethod = 'identity' | 'probe' | 'numeric' | 'statistical' | 'n/a';

/** The outcome of one proof on one scheme. */
export interface ProofResult {
  /** the claim holds within `tolerance` (always true for `n/a`) */
  readonly ok: boolean;
  readonly method: ProofMethod;
  /** the largest error measured (relative unless `detail` says otherwise); 0 for `n/a` */
  readonly error: number;
  /** the bound `error` is held to */
  readonly tolerance: number;
  /** one line: what was compared, where the worst point is, or why n/a */
  readonly detail?: string;
}

/** A theorem with an executable check. */
export interface Proof {
  /** stable kebab-case identifier, e.g. "mean-ode" */
  readonly id: string;
  /** short human title */
  readonly title: string;
  /** the statement as in a paper, KaTeX-renderable LaTeX */
  readonly statement: string;
  /** the MATH.md section or paper the claim comes from */
  readonly source: string;
  /** run the check; throws only on internal failure (the runner reports it as failed) */
  check(scheme: Scheme): ProofResult;
}

/** A proof's result with its identity, as the runner returns it. */
export interface ProofReport extends ProofResult {
  readonly id: string;
  readonly title: string;
  /** wall time of the check in milliseconds */
  readonly ms: number;
}
