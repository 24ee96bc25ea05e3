/**
 * `sdekit bench [--json] [--quick] [NAME ...]` (DESIGN.md): run the benchmark suite of bench/run.ts
 * (the same as `npm run bench`): one markdown table, workload x backend, with PyTorch / SymPy peers
 * measured in the same run when installed; written to bench/RESULTS.md. With --json, stdout is one
 * JSON document {machine, date, rows}. The benchmarks are TypeScript run through tsx, so this needs
 * the source checkout (bench/ and the dev dependencies), not only the bundle.
 */
import { existsSync } from 'node:fs';
import { spawnSync } from 'node:child_process';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { UserError } from '../errors.ts';

/** The package root: the nearest folder above this module holding bench/run.ts. */
function packageRoot(): string | null {
  let dir = dirname(fileURLToPath(import.meta.url));
  for (let i = 0; i < 6; i++) {
    if (existsSync(join(dir, 'bench', 'run.ts'))) return dir;
    dir = dirname(dir);
  }
  return null;
}

/** Run the command; returns the exit code. */
export async function run(argv: string[]): Promise<number> {
  if (argv.includes('--help')) {
    console.log('usage: sdekit bench [--json] [--quick] [derive|sample|mlp step|train|kernels|quality2d|readability ...]\nRuns every benchmark (or the named ones) and writes bench/RESULTS.md.');
    return 0;
  }
  const root = packageRoot();
  if (!root) throw new UserError('bench', 'needs the source checkout: bench/run.ts was not found next to this installation');
  const tsx = join(root, 'node_modules', 'tsx');
  if (!existsSync(tsx)) throw new UserError('bench', 'needs the dev dependencies (npm ci in the checkout): tsx is not installed', { value: tsx });
  const r = spawnSync(process.execPath, ['--import', 'tsx', join(root, 'bench', 'run.ts'), ...argv], { stdio: 'inherit', cwd: root });
  return r.status ?? 1;
}
