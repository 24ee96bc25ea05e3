/**
 * Turning measurements into proof results.
 */
import { fmt, type Comparison } from './probe.ts';
import type { ProofMethod, ProofResult } from './types.ts';

/** Tolerance for identities between closed forms evaluated in float64 at probe times. */
export const SYMBOLIC_TOL = 1e-9;

/** A result from a comparison: ok iff error <= tolerance (a NaN error fails). */
export function verdict(method: Exclude<ProofMethod, 'n/a'>, c: Comparison, tolerance: number, what: string): ProofResult {
  const ok = c.error <= tolerance;
  const where = Number.isFinite(c.at) ? ` (worst at t = ${fmt(c.at)})` : '';
  const how = c.identical ? 'difference simplifies to 0' : `max error ${fmt(c.error)}${where}`;
  return { ok, method, error: c.error, tolerance, detail: `${what}: ${how}` };
}

/** The theorem does not apply to this scheme. */
export function notApplicable(why: string): ProofResult {
  return { ok: true, method: 'n/a', error: 0, tolerance: 0, detail: why };
}
