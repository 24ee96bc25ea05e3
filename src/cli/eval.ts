/**
 * `sdekit eval <scheme> --t 0.1,0.5,0.9 [--json]`: float64 values of alpha sigma f g2 logSnr dlogSnr.
 * JSON: {"t": [...], "alpha": [...], ...}; non-finite values print as the strings "Infinity"/"-Infinity".
 */
import { allowOnly, bool, numList, parseArgs } from './args.ts';
import { UserError } from '../errors.ts';
import { loadScheme } from '../scheme/load.ts';

export const EVAL_KEYS = ['alpha', 'sigma', 'f', 'g2', 'logSnr', 'dlogSnr'] as const;

const jsonNum = (v: number): number | string => (Number.isFinite(v) ? v : Number.isNaN(v) ? 'NaN' : v > 0 ? 'Infinity' : '-Infinity');

export async function run(argv: string[]): Promise<number> {
  const a = parseArgs(argv);
  allowOnly(a, ['t']);
  const spec = a.positionals[0];
  if (!spec) throw new UserError('scheme', 'missing: sdekit eval <scheme> --t 0.1,0.5');
  const scheme = loadScheme(spec);
  const ts = numList(a, 't') ?? [scheme.t0, 0.5 * (scheme.t0 + scheme.T), scheme.T];
  for (const t of ts) if (t < 0 || t > scheme.T) throw new UserError('--t', `must lie in [0, T = ${scheme.T}]`, { value: t });
  const out: Record<string, (number | string)[]> = { t: ts };
  for (const k of EVAL_KEYS) out[k] = ts.map((t) => jsonNum(scheme[k](t)));
  if (bool(a, 'json')) { console.log(JSON.stringify(out)); return 0; }
  console.log(['t', ...EVAL_KEYS].map((k) => k.padStart(24)).join(''));
  ts.forEach((_, i) => console.log(['t', ...EVAL_KEYS].map((k) => String(out[k][i]).padStart(24)).join('')));
  return 0;
}
