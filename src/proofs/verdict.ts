/**
 * Turning measurements into proof results.
 */
import { fmt, type Comparison } from './probe.ts';
import type { ProofMethod, ProofResult } from './types.ts';

/** Tolerance for identities between closed forms evaluated in float64 at probe times. */
export const SYMBOLIC_TOL = 1e-9;

/**
 * How a proof compared: `symbolic` on closed-form trees (reported as `identity` when the exact zero
 * test succeeded, else `probe`), or on float64 functions (`numeric`), or by a test (`statistical`).
 */
export type CheckKind = 'symbolic' | 'numeric' | 'statistical';

/** A result from a comparison: ok iff error <= tolerance (a NaN error fails). */
export function verdict(kind: CheckKind, c: Comparison, tolerance: number, what: string): ProofResult {
  const method: ProofMethod = kind === 'symbolic' ? (c.identical ? 'identity' : 'probe') : kind;
  // an exact identity holds whatever float64 makes of it (compareTrees only grants it when the values agree to 1e-6)
  const ok = c.identical || c.error <= tolerance;
  const where = Number.isFinite(c.at) ? ` (worst at t = ${fmt(c.at)})` : '';
  const how = c.identical ? `difference is exactly 0 in t and the parameters (float64 max error ${fmt(c.error)})` : `max error ${fmt(c.error)}${where}`;
  return { ok, method, error: c.error, tolerance, detail: `${what}: ${how}` };
}

/** The theorem does not apply to this scheme. */
export function notApplicable(why: string): ProofResult {
  return { ok: true, method: 'n/a', error: 0, tolerance: 0, detail: why };
}
