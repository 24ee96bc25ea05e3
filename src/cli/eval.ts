/**
 * `sdekit eval <scheme> --t 0.1,0.5,0.9 [--param NAME=VALUE ...] [--json]`: float64 values of alpha
 * sigma f g2 logSnr dlogSnr. `--param` (repeatable) evaluates at other parameter values: the closed
 * forms are re-bound (Scheme.with), not re-derived, and validation runs for the new values.
 * JSON: {"t": [...], "alpha": [...], ...}; non-finite values print as the strings "Infinity"/"-Infinity".
 */
import { allowOnly, bool, numList, parseArgs } from './args.ts';
import { UserError } from '../errors.ts';
import { loadScheme } from '../scheme/load.ts';
import { rebindValues } from '../expr/assumptions.ts';

/** Every `--param NAME=VALUE` (or `--param=NAME=VALUE`) of argv, in order; a later one wins. */
export function paramValues(argv: readonly string[]): Record<string, number> {
  const out: Record<string, number> = {};
  for (let i = 0; i < argv.length; i++) {
    let spec: string | undefined;
    if (argv[i] === '--param') spec = argv[++i];
    else if (argv[i].startsWith('--param=')) spec = argv[i].slice('--param='.length);
    else continue;
    if (spec === undefined || spec.startsWith('--')) throw new UserError('--param', 'expects NAME=VALUE', { value: spec ?? '' });
    const eq = spec.indexOf('=');
    if (eq <= 0) throw new UserError('--param', 'expects NAME=VALUE', { value: spec });
    const name = spec.slice(0, eq), text = spec.slice(eq + 1), v = Number(text);
    if (text.trim() === '' || !Number.isFinite(v)) throw new UserError(`--param ${name}`, 'must be a finite number', { value: text });
    out[name] = v;
  }
  return out;
}

export const EVAL_KEYS = ['alpha', 'sigma', 'f', 'g2', 'logSnr', 'dlogSnr'] as const;

const jsonNum = (v: number): number | string => (Number.isFinite(v) ? v : Number.isNaN(v) ? 'NaN' : v > 0 ? 'Infinity' : '-Infinity');

export async function run(argv: string[]): Promise<number> {
  const a = parseArgs(argv);
  allowOnly(a, ['t', 'param']);
  const spec = a.positionals[0];
  if (!spec) throw new UserError('scheme', 'missing: sdekit eval <scheme> --t 0.1,0.5');
  const declared = loadScheme(spec);
  const values = paramValues(argv);
  if (Object.keys(values).length) rebindValues(declared.params, values, declared.assumptions, '--param'); // errors name --param NAME
  const scheme = Object.keys(values).length ? declared.with(values) : declared;
  const ts = numList(a, 't') ?? [scheme.t0, 0.5 * (scheme.t0 + scheme.T), scheme.T];
  for (const t of ts) if (t < 0 || t > scheme.T) throw new UserError('--t', `must lie in [0, T = ${scheme.T}]`, { value: t });
  const out: Record<string, (number | string)[]> = { t: ts };
  for (const k of EVAL_KEYS) out[k] = ts.map((t) => jsonNum(scheme[k](t)));
  if (bool(a, 'json')) { console.log(JSON.stringify(out)); return 0; }
  console.log(['t', ...EVAL_KEYS].map((k) => k.padStart(24)).join(''));
  ts.forEach((_, i) => console.log(['t', ...EVAL_KEYS].map((k) => String(out[k][i]).padStart(24)).join('')));
  return 0;
}
