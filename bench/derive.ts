/**
 * Foundation speed (issue 3): `sdekit derive` of every built-in in one cold CLI process, the same
 * derivations in SymPy (python3-sympy) in the same run when it is installed, and float64 evaluations
 * per second of the compiled alpha(t) of vp-linear on one core.
 */
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { dirname, join } from 'node:path';
import { loadScheme } from '../src/scheme/load.ts';
import { BUILTIN_NAMES } from '../src/scheme/builtins.ts';
import type { BenchRow } from './row.ts';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');

function timeCommand(cmd: string, args: string[]): number | null {
  const t0 = performance.now();
  const r = spawnSync(cmd, args, { cwd: root, encoding: 'utf8' });
  const ms = performance.now() - t0;
  return r.status === 0 ? ms / 1000 : null;
}

export async function benchDerive(): Promise<BenchRow[]> {
  const rows: BenchRow[] = [];
  const bundle = join(root, 'dist', 'sdekit.mjs');
  const cli = existsSync(bundle) ? ['node', [bundle]] as const : ['npx', ['tsx', 'src/cli/main.ts']] as const;
  const sec = timeCommand(cli[0], [...cli[1], 'derive', ...BUILTIN_NAMES, '--json']);
  const sympy = timeCommand('/usr/bin/python3', [join(root, 'bench', 'sympy_derive.py')]);
  rows.push({ workload: `derive all ${BUILTIN_NAMES.length} built-ins, cold CLI (${existsSync(bundle) ? 'bundled' : 'tsx'})`, backend: 'host f64', value: sec ?? NaN, unit: 's', peer: sympy ?? undefined, peerName: 'SymPy (same derivations)', ratio: sec && sympy ? sympy / sec : undefined });
  // compiled alpha(t) evaluations per second
  const s = loadScheme('vp-linear');
  const n = 20_000_000;
  let acc = 0;
  const t0 = performance.now();
  for (let i = 0; i < n; i++) acc += s.alpha((i & 1023) * 9.765625e-4);
  const dt = (performance.now() - t0) / 1000;
  if (!Number.isFinite(acc)) throw new Error('non-finite');
  rows.push({ workload: 'vp-linear alpha(t) compiled float64', backend: 'host f64', value: n / dt / 1e6, unit: 'M evals/s' });
  return rows;
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  for (const r of await benchDerive()) console.log(r);
}
