/**
 * Text and JSON renderings of proof reports, shared by `sdekit check` and `sdekit proofs`
 * (browser-safe: plain strings).
 */
import type { ProofReport } from './types.ts';

/** JSON has no Infinity/NaN: they print as strings, as `sdekit eval` does. */
export function jsonNumber(v: number): number | string {
  return Number.isFinite(v) ? v : Number.isNaN(v) ? 'NaN' : v > 0 ? 'Infinity' : '-Infinity';
}

/** A report as a JSON-safe object. */
export function reportJson(r: ProofReport): Record<string, unknown> {
  return { id: r.id, title: r.title, ok: r.ok, method: r.method, error: jsonNumber(r.error), tolerance: jsonNumber(r.tolerance), detail: r.detail ?? null, ms: Math.round(r.ms * 1000) / 1000 };
}

/** Error in a fixed-width scientific form ("-" for n/a). */
export function errorText(r: Pick<ProofReport, 'method' | 'error'>): string {
  if (r.method === 'n/a') return '-';
  if (r.error === 0) return '0';
  return Number.isFinite(r.error) ? r.error.toExponential(1) : String(r.error);
}

/** Left-aligned table with a header rule. */
export function table(header: readonly string[], rows: readonly (readonly string[])[]): string {
  const w = header.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? '').length)));
  const line = (cells: readonly string[]) => cells.map((c, i) => (c ?? '').padEnd(w[i])).join('  ').trimEnd();
  return [line(header), w.map((n) => '-'.repeat(n)).join('  '), ...rows.map(line)].join('\n');
}
