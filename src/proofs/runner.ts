/**
 * Run the proofs of proofs/ on a scheme. Browser-safe (no node-only imports), so that the
 * playground and demos can call {@link runProofs} directly.
 */
import { PROOFS } from '../../proofs/index.ts';
import type { Scheme } from '../scheme/types.ts';
import type { Proof, ProofReport } from './types.ts';

export { PROOFS };
export type { Proof, ProofReport, ProofResult, ProofMethod } from './types.ts';

const now = (): number => (typeof performance !== 'undefined' ? performance.now() : Date.now());

/**
 * Run each proof on the scheme. A proof that throws is reported as failed (method `numeric`,
 * error NaN, the exception's message as detail); it never stops the others.
 */
export function runProofs(scheme: Scheme, proofs: readonly Proof[] = PROOFS): ProofReport[] {
  return proofs.map((p) => {
    const start = now();
    try {
      const r = p.check(scheme);
      // a NaN error can never pass, whatever the proof said
      const ok = r.ok && !Number.isNaN(r.error);
      return { id: p.id, title: p.title, ...r, ok, ms: now() - start };
    } catch (e) {
      const msg = e instanceof Error ? e.message : String(e);
      return { id: p.id, title: p.title, ok: false, method: 'numeric' as const, error: NaN, tolerance: 0, detail: `internal error: ${msg}`, ms: now() - start };
    }
  });
}

/** True when every report passed. */
export function allPassed(reports: readonly ProofReport[]): boolean {
  return reports.every((r) => r.ok);
}
