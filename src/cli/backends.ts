/**
 * `sdekit backends [--json]`: the capability report. Lists each backend in the order automatic
 * selection tries them (DESIGN.md "Backends"), whether it is available or why not, its adapter,
 * and which one a plain `sdekit train` / `sdekit sample` would use here.
 */
import { allowOnly, bool, parseArgs } from './args.ts';
import { BACKEND_NAMES, listBackends } from '../backend/select.ts';

/** Run the command; exit 0. */
export async function run(argv: string[]): Promise<number> {
  const args = parseArgs(argv);
  allowOnly(args, []);
  const statuses = await listBackends();
  const automatic = statuses.find((s) => s.available && s.automatic)?.name ?? null;
  const env = process.env.SDEKIT_BACKEND;
  const override = env !== undefined && env !== '' ? env : null;
  if (bool(args, 'json')) {
    console.log(JSON.stringify({ order: BACKEND_NAMES, automatic, override, backends: statuses }, null, 2));
    return 0;
  }
  for (const s of statuses) {
    const mark = s.available ? (s.name === automatic ? '*' : '+') : '-';
    const detail = s.available ? (s.adapter ?? '') + (s.reason ? ` [${s.reason}]` : '') : `unavailable: ${s.reason ?? ''}`;
    console.log(`${mark} ${s.name.padEnd(10)} ${detail}`);
  }
  console.log(`\nautomatic choice: ${automatic ?? 'none'}${override ? `; SDEKIT_BACKEND=${override} overrides it` : ''}`);
  console.log('(* chosen automatically, + available, - unavailable; override with --backend NAME or SDEKIT_BACKEND)');
  return 0;
}
