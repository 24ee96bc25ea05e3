/** `sdekit schemes [--json]`: list the built-in schemes. */
import { allowOnly, bool, parseArgs } from './args.ts';
import { BUILTINS } from '../scheme/builtins.ts';
import { FORMS } from '../scheme/declaration.ts';

export async function run(argv: string[]): Promise<number> {
  const a = parseArgs(argv);
  allowOnly(a, []);
  const rows = Object.values(BUILTINS).map((d) => ({
    name: d.name as string,
    form: FORMS.find((k) => d[k] !== undefined) as string,
    t0: d.time?.t0 ?? (d.discrete ? 1 / (d.discrete.steps ?? 1000) : 1e-3),
    T: d.time?.T ?? 1,
    description: d.description ?? '',
  }));
  if (bool(a, 'json')) { console.log(JSON.stringify(rows, null, 2)); return 0; }
  for (const r of rows) console.log(`${r.name.padEnd(20)} ${r.form.padEnd(9)} [${r.t0}, ${r.T}]  ${r.description}`);
  return 0;
}
