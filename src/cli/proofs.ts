/**
 * `sdekit proofs [--json]`: run every proof of proofs/ over every built-in scheme and print a
 * theorem x scheme table (method and error). Exit 1 when any proof fails on any scheme.
 */
import { allowOnly, bool, parseArgs } from './args.ts';
import { BUILTIN_NAMES } from '../scheme/builtins.ts';
import { loadScheme } from '../scheme/load.ts';
import { PROOFS, runProofs } from '../proofs/runner.ts';
import { errorText, reportJson, table } from '../proofs/report.ts';
import type { ProofReport } from '../proofs/types.ts';

const SHORT = { identity: 'id', probe: 'probe', numeric: 'num', statistical: 'stat', 'n/a': 'n/a' } as const;

export async function run(argv: string[]): Promise<number> {
  const a = parseArgs(argv);
  allowOnly(a, []);
  const start = performance.now();
  const results = new Map<string, ProofReport[]>();
  for (const name of BUILTIN_NAMES) results.set(name, runProofs(loadScheme(name)));
  const seconds = (performance.now() - start) / 1000;
  const all = [...results.values()].flat();
  const ok = all.every((r) => r.ok);
  const applicable = all.filter((r) => r.method !== 'n/a');
  const identities = all.filter((r) => r.method === 'identity');
  if (bool(a, 'json')) {
    const theorems = PROOFS.map((p, i) => ({
      id: p.id, title: p.title, statement: p.statement, source: p.source,
      ok: BUILTIN_NAMES.every((n) => results.get(n)![i].ok),
      maxError: Math.max(...BUILTIN_NAMES.map((n) => results.get(n)![i]).filter((r) => r.method !== 'n/a').map((r) => (Number.isNaN(r.error) ? Infinity : r.error)), 0),
      results: Object.fromEntries(BUILTIN_NAMES.map((n) => [n, reportJson(results.get(n)![i])])),
    })).map((t) => ({ ...t, maxError: Number.isFinite(t.maxError) ? t.maxError : 'Infinity' }));
    console.log(JSON.stringify({ ok, seconds, schemes: BUILTIN_NAMES, identities: identities.length, applicable: applicable.length, theorems }, null, 2));
    return ok ? 0 : 1;
  }
  const cell = (r: ProofReport) => (r.method === 'n/a' ? 'n/a' : `${r.ok ? '' : 'FAIL '}${SHORT[r.method]} ${errorText(r)}`);
  const rows = PROOFS.map((p, i) => {
    const rs = BUILTIN_NAMES.map((n) => results.get(n)![i]);
    const applicable = rs.filter((r) => r.method !== 'n/a');
    const max = applicable.length ? errorText({ method: 'numeric', error: Math.max(...applicable.map((r) => (Number.isNaN(r.error) ? Infinity : r.error))) }) : '-';
    return [p.id, ...rs.map(cell), max];
  });
  console.log(table(['theorem', ...BUILTIN_NAMES, 'max error'], rows));
  const failed = all.filter((r) => !r.ok);
  console.log(`\nid: identity (lhs - rhs reduces to exactly 0 in t and the parameters); probe: closed forms compared at probe times; num: float64 views at probe times; stat: statistical test; n/a: does not apply`);
  console.log(`${identities.length} of ${applicable.length} applicable (theorem, scheme) pairs are identities`);
  for (const [name, rs] of results) for (const r of rs) if (!r.ok) console.log(`FAILED ${r.id} on ${name}: ${r.detail ?? ''}`);
  console.log(`${PROOFS.length} theorems x ${BUILTIN_NAMES.length} schemes: ${all.length - failed.length} passed, ${failed.length} failed (${seconds.toFixed(2)} s)`);
  return ok ? 0 : 1;
}
