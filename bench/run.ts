/**
 * `npm run bench`: every benchmark in one run, printed as one markdown table (workload x backend,
 * with the peer measured in the same run and the ratio), and written to bench/RESULTS.md with the
 * machine it ran on. Ratios are the numbers to compare: machines here are noisy.
 * A bench that fails is reported as a failed row; the run exits 1.
 */
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { cpus, totalmem, loadavg } from 'node:os';
import { fileURLToPath } from 'node:url';
import { dirname, join } from 'node:path';
import type { BenchRow } from './row.ts';

const here = dirname(fileURLToPath(import.meta.url));

type Bench = { name: string; load: () => Promise<BenchRow[]> };
/** the accuracy bench's detailed tables, kept in RESULTS.md between its markers (bench/accuracy.ts) */
let accuracySection: string | undefined;
const BENCHES: Bench[] = [
  { name: 'derive', load: async () => (await import('./derive.ts')).benchDerive() },
  { name: 'sample', load: async () => (await import('./sample.ts')).benchSample({ rounds: quick ? 1 : undefined, log: (s) => console.error(s) }).then((r) => r.rows) },
  { name: 'mlp step', load: async () => (await import('./mlpStep.ts')).benchMlpStep({ quick, log: (s) => console.error(s) }) },
  { name: 'train', load: async () => (await import('./train.ts')).benchTrain({ quick, log: (s) => console.error(s) }) },
  { name: 'profile', load: async () => (await import('./trainProfile.ts')).benchTrainProfile({ quick, log: (s) => console.error(s) }) },
  { name: 'kernels', load: async () => (await import('./kernels.ts')).benchKernels({ quick, log: (s) => console.error(s) }) },
  { name: 'quality2d', load: async () => (await import('./quality2d.ts')).benchQuality2d({ quick, log: (s) => console.error(s) }) },
  { name: 'readability', load: async () => (await import('./readability.ts')).benchReadability({ log: (s) => console.error(s) }) },
  { name: 'accuracy', load: async () => { const m = await import('./accuracy.ts'); const r = await m.benchAccuracy({ quick, log: (s) => console.error(s) }); accuracySection = r.markdown; return r.rows; } },
  { name: 'torch-engine', load: async () => (await import('./torchEngine.ts')).benchTorchEngine({ quick, log: (s) => console.error(s) }) },
  // BENCHES: one line per bench module
];

const fmt = (v: number | undefined, digits = 3) => (v === undefined || !Number.isFinite(v) ? '' : Math.abs(v) >= 100 ? v.toFixed(0) : v.toPrecision(digits));

const args = process.argv.slice(2);
const json = args.includes('--json');
const quick = args.includes('--quick');
const only = args.filter((a) => !a.startsWith('--'));
// the benches log to stderr; with --json, stdout carries only the JSON document

const rows: BenchRow[] = [];
let failed = 0;
for (const b of BENCHES) {
  if (only.length && !only.includes(b.name)) continue;
  console.error(`bench: ${b.name} ...`);
  try { rows.push(...(await b.load())); } catch (e) {
    failed++;
    rows.push({ workload: `${b.name}: FAILED (${e instanceof Error ? e.message : String(e)})`, backend: '', value: NaN, unit: '' });
  }
}
const cpu = cpus();
const machine = `${cpu.length} x ${cpu[0]?.model ?? 'cpu'}, ${(totalmem() / 2 ** 30).toFixed(0)} GiB, Node ${process.version}, load average ${loadavg()[0].toFixed(2)} at the end`;
const lines = [
  '| workload | backend | value | unit | peer (same run) | peer value | ratio (>1: sdekit faster) | note |',
  '|---|---|---|---|---|---|---|---|',
  ...rows.map((r) => `| ${r.workload} | ${r.backend} | ${fmt(r.value)} | ${r.unit} | ${r.peerName ?? ''} | ${fmt(r.peer)} | ${fmt(r.ratio)} | ${r.note ?? ''} |`),
];
const table = lines.join('\n');
if (json) console.log(JSON.stringify({ machine, date: new Date().toISOString(), quick, rows: rows.map((r) => ({ ...r, value: Number.isFinite(r.value) ? r.value : null })) }, null, 2));
else console.log(table);
// analyses written by hand below NOTES_MARKER (profiles, probes) survive a rerun
const NOTES_MARKER = '<!-- notes: kept by bench/run.ts -->';
const resultsFile = join(here, 'RESULTS.md');
const previous = existsSync(resultsFile) ? readFileSync(resultsFile, 'utf8') : '';
const notes = previous.includes(NOTES_MARKER) ? previous.slice(previous.indexOf(NOTES_MARKER)) : '';
writeFileSync(resultsFile, `# Benchmark results\n\nMachine: ${machine}. Date: ${new Date().toISOString()}.\nCommand: \`npm run bench${only.length ? ` -- ${only.join(' ')}` : ''}${quick ? ' --quick' : ''}\`.\n\n${table}\n${notes ? `\n${notes}` : ''}`);
{
  // the accuracy bench's tables (bench/accuracy.ts markers): this run's, else the previous file's section is kept
  const begin = previous.indexOf('<!-- accuracy: begin'), end = previous.indexOf('<!-- accuracy: end -->');
  const { writeAccuracySection } = await import('./accuracy.ts');
  if (accuracySection !== undefined) writeAccuracySection(`Command: \`npm run bench\` (or \`npx tsx bench/accuracy.ts\` alone).\n\n${accuracySection}`);
  else if (begin >= 0 && end > begin && !readFileSync(resultsFile, 'utf8').includes('<!-- accuracy: begin')) {
    writeFileSync(resultsFile, `${readFileSync(resultsFile, 'utf8').trimEnd()}\n\n${previous.slice(begin, end + '<!-- accuracy: end -->'.length)}\n`);
  }
}
console.error(`bench: wrote bench/RESULTS.md`);
process.exitCode = failed ? 1 : 0;
