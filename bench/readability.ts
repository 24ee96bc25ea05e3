/**
 * Readability (issue 10 part 4): every continuous built-in derived by sdekit (`sdekit derive --json`)
 * and by SymPy (python3-sympy, parameters as symbols, `simplify`), with SymPy's count_ops of each
 * quantity side by side. Our strings are parsed by SymPy's parser, so both sides are measured the
 * same way. Goal: our total no larger than SymPy's, and no quantity above 1.5x SymPy's.
 * Writes the full side-by-side table to bench/READABILITY.md; `npm run bench readability` or
 * `npx tsx bench/readability.ts` runs it alone.
 */
import { spawnSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { dirname, join } from 'node:path';
import { BUILTIN_NAMES, BUILTINS } from '../src/scheme/builtins.ts';
import type { BenchRow } from './row.ts';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const PYTHON = '/usr/bin/python3';
/** the goal of issue 10: no quantity above this multiple of SymPy's count */
const MAX_RATIO = 1.5;

/** One quantity of one scheme: SymPy's count_ops and ours (null: no closed form / SymPy failed). */
export interface ReadabilityRow {
  scheme: string;
  quantity: string;
  sympy: number | null;
  ours: number | null;
  /**
   * the two expressions are the same function at sample points: "yes" at the declared and at other
   * parameter values, "declared" only at the declared ones (parameters baked in), "no" (null: nothing to compare)
   */
  agree: 'yes' | 'declared' | 'no' | null;
  sympy_expr: string | null;
  ours_expr: string | null;
  sympy_error?: string;
}

/** Run both derivations and return the per-quantity rows. */
export function readabilityRows(opts: { schemes?: readonly string[]; log?: (s: string) => void } = {}): ReadabilityRow[] {
  const names = (opts.schemes ?? BUILTIN_NAMES).filter((n) => !BUILTINS[n].discrete);
  const cli = spawnSync(process.execPath, ['--import', 'tsx', join(root, 'src/cli/main.ts'), 'derive', ...names, '--json'], { cwd: root, encoding: 'utf8', maxBuffer: 1 << 28 });
  if (cli.status !== 0) throw new Error(`sdekit derive failed: ${cli.stderr}`);
  const parsed = JSON.parse(cli.stdout) as { name: string } | { name: string }[];
  const derivations = Array.isArray(parsed) ? parsed : [parsed]; // one scheme: one document
  const docs = derivations.map((d) => ({ declaration: BUILTINS[d.name], derivation: d }));
  opts.log?.(`readability: SymPy derives and simplifies ${names.length} schemes (about a minute) ...`);
  const py = spawnSync(PYTHON, [join(root, 'bench', 'sympy_readability.py')], { input: JSON.stringify(docs), encoding: 'utf8', maxBuffer: 1 << 28 });
  if (py.status !== 0) throw new Error(`SymPy side failed (${PYTHON} with python3-sympy): ${py.stderr.slice(-2000)}`);
  return py.stdout.trim().split('\n').filter(Boolean).map((l) => JSON.parse(l) as ReadabilityRow);
}

interface Totals { ours: number; sympy: number; compared: number; worst: { ratio: number; row?: ReadabilityRow }; disagree: number; baked: number }

/** Totals over the quantities both sides have in closed form. */
export function totals(rows: readonly ReadabilityRow[]): Totals {
  const t: Totals = { ours: 0, sympy: 0, compared: 0, worst: { ratio: 0 }, disagree: 0, baked: 0 };
  for (const r of rows) {
    if (r.agree === 'no') t.disagree++;
    if (r.agree === 'declared') t.baked++;
    if (r.ours === null || r.sympy === null) continue;
    t.ours += r.ours; t.sympy += r.sympy; t.compared++;
    const ratio = r.ours / Math.max(1, r.sympy);
    if (ratio > t.worst.ratio) t.worst = { ratio, row: r };
  }
  return t;
}

const cell = (v: number | null) => (v === null ? '-' : String(v));
const code = (s: string | null) => (s === null ? '' : '`' + s.replace(/\|/g, '\\|') + '`');

/** The side-by-side markdown table. */
export function readabilityTable(rows: readonly ReadabilityRow[]): string {
  const t = totals(rows);
  const lines = [
    '| scheme | quantity | SymPy ops | sdekit ops | ratio | same function | SymPy | sdekit |',
    '|---|---|---|---|---|---|---|---|',
    ...rows.map((r) => {
      const ratio = r.ours !== null && r.sympy !== null && (r.ours > 0 || r.sympy > 0) ? r.ours / Math.max(1, r.sympy) : null;
      const flag = ratio !== null && ratio > MAX_RATIO ? ' **>1.5x**' : '';
      return `| ${r.scheme} | ${r.quantity} | ${cell(r.sympy)} | ${cell(r.ours)} | ${ratio === null ? '' : ratio.toFixed(2) + flag} | ${r.agree === null ? '' : r.agree === 'yes' ? 'yes' : r.agree === 'declared' ? 'at declared params only' : '**NO**'} | ${code(r.sympy_expr)} | ${code(r.ours_expr)} |`;
    }),
    `| **total** (${t.compared} quantities with both counts) | | ${t.sympy} | ${t.ours} | ${(t.ours / Math.max(1, t.sympy)).toFixed(2)} | ${t.disagree ? `**${t.disagree} differ**` : ''}${t.baked ? ` ${t.baked} only at declared params` : ''} | | |`,
  ];
  return lines.join('\n');
}

/** Write the side-by-side table to bench/READABILITY.md. */
function writeReport(rows: readonly ReadabilityRow[]): void {
  writeFileSync(join(root, 'bench', 'READABILITY.md'), `# Readability: count_ops of sdekit's derivations vs SymPy's\n\nCommand: \`npx tsx bench/readability.ts\` (also part of \`npm run bench\`). Date: ${new Date().toISOString()}.\nBoth columns are SymPy's \`count_ops\`; sdekit's strings from \`sdekit derive --json\` are parsed with SymPy's parser (log1p, expm1, sigmoid written as SymPy's elementary functions). Goal (issue 10): total no larger than SymPy's, no quantity above ${MAX_RATIO}x. "same function": the pair agrees at the declared and at other parameter values.\n\n${readabilityTable(rows)}\n`);
}

/** The bench rows of `npm run bench`: totals and the worst quantity (the full table goes to bench/READABILITY.md). */
export async function benchReadability(opts: { log?: (s: string) => void } = {}): Promise<BenchRow[]> {
  const t0 = performance.now();
  const rows = readabilityRows({ log: opts.log });
  const t = totals(rows);
  writeReport(rows);
  opts.log?.(`readability: ${((performance.now() - t0) / 1000).toFixed(0)} s; full table in bench/READABILITY.md`);
  const w = t.worst.row;
  return [
    { workload: `readability: count_ops total over ${t.compared} closed forms of the continuous built-ins`, backend: 'symbolic', value: t.ours, unit: 'ops', peer: t.sympy, peerName: 'SymPy simplify (params as symbols)', ratio: t.sympy / Math.max(1, t.ours), note: `ratio > 1: ours shorter; ${t.disagree} pairs differ, ${t.baked} equal only at the declared params; table: bench/READABILITY.md` },
    { workload: `readability: worst quantity (${w ? `${w.scheme} ${w.quantity}` : 'none'})`, backend: 'symbolic', value: w?.ours ?? NaN, unit: 'ops', peer: w?.sympy ?? undefined, peerName: 'SymPy simplify', ratio: w ? Math.max(1, w.sympy ?? 0) / Math.max(1, w.ours ?? 0) : undefined, note: `goal: ours / SymPy <= ${MAX_RATIO}` },
  ];
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  const rows = readabilityRows({ schemes: process.argv.slice(2).length ? process.argv.slice(2) : undefined, log: (s) => console.error(s) });
  console.log(readabilityTable(rows));
  if (process.argv.length <= 2) writeReport(rows); // the full run only
  const t = totals(rows);
  console.log(`\ntotal: sdekit ${t.ours} ops, SymPy ${t.sympy} ops (${t.compared} quantities); worst ${t.worst.row ? `${t.worst.row.scheme} ${t.worst.row.quantity} ${t.worst.ratio.toFixed(2)}x` : '-'}; ${t.disagree} pairs differ, ${t.baked} equal only at the declared params`);
}
