/**
 * `sdekit check <scheme> [--json]`: run every proof of proofs/ on one scheme (built-in name or
 * scheme file) and print each proof's method, error and tolerance. Exit 0 when all pass, 1 when
 * one fails, 2 on bad input (an invalid schedule is bad input: it never gets a Scheme).
 */
import { allowOnly, bool, parseArgs } from './args.ts';
import { UserError } from '../errors.ts';
import { loadDeclared } from '../scheme/load.ts';
import { allPassed, runProofs } from '../proofs/runner.ts';
import { errorText, reportJson, table } from '../proofs/report.ts';

export async function run(argv: string[]): Promise<number> {
  const a = parseArgs(argv);
  allowOnly(a, []);
  if (a.positionals.length !== 1) throw new UserError('scheme', 'usage: sdekit check <built-in name | scheme.json> [--json]', a.positionals.length ? { value: a.positionals.join(' ') } : {});
  const { scheme } = loadDeclared(a.positionals[0]);
  const reports = runProofs(scheme);
  const ok = allPassed(reports);
  if (bool(a, 'json')) {
    console.log(JSON.stringify({ scheme: scheme.name, form: scheme.form, t0: scheme.t0, T: scheme.T, ok, proofs: reports.map(reportJson) }, null, 2));
    return ok ? 0 : 1;
  }
  console.log(`scheme ${scheme.name} (declared by ${scheme.form}, t in [${scheme.t0}, ${scheme.T}])\n`);
  const rows = reports.map((r) => [r.id, r.method, errorText(r), r.method === 'n/a' ? '-' : r.tolerance === 0 ? '0' : r.tolerance.toExponential(0), r.ok ? (r.method === 'n/a' ? 'n/a' : 'ok') : 'FAIL']);
  console.log(table(['proof', 'method', 'error', 'tolerance', 'ok'], rows));
  const failed = reports.filter((r) => !r.ok);
  const notes = reports.filter((r) => r.ok && r.id === 'validity');
  console.log('');
  for (const r of [...notes, ...failed]) console.log(`${r.ok ? '' : 'FAILED '}${r.id}: ${r.detail ?? ''}`);
  const na = reports.filter((r) => r.method === 'n/a').length;
  console.log(`${reports.length} proofs: ${reports.length - failed.length} passed${na ? ` (${na} not applicable)` : ''}, ${failed.length} failed`);
  return ok ? 0 : 1;
}
