/**
 * Accuracy per model evaluation (issue 12, part 4): RMS over rows of the distance to the exact
 * probability-flow ODE solution at 5, 8 and 10 NFE, on vp-linear from t = 1 to 1e-3, with exact
 * mixture scores and the same noise for everyone:
 *
 * - cases: four 2-D mixtures of our own, 10000 points each (ring8: 8 components on a circle; random6:
 *   6 random components, drawn after the tuner was built; multiscale: stds 0.03 to
 *   1 with uneven weights; grid25: a 5 x 5 grid with random weights) and an MNIST-sized
 *   784-dimensional mixture of 10 Gaussians (exact solutions by rk45 at rtol = atol = 1e-10);
 * - sdekit: every multistep/singlestep sampler with NFE = steps on each built-in grid (logsnr,
 *   uniform-t, time-quadratic), and on the grid of `sdekit tune --sampler auto --seed 1` (its own
 *   tuning and validation points, its default n: 16384 in 2-D, 334 in 784-d; the three samplers best
 *   on the built-in grids are tuned, one in 784-d, and the one best on the validation points is
 *   reported; the tuning NFE is listed);
 * - peers: bench/accuracy_peers.py, our transcription in PyTorch float64 of DPM-Solver-3
 *   (singlestep), DPM-Solver++(2M)/(3M) and UniPC (bh1/bh2, orders 2/3) on each grid their
 *   reference code offers (time_uniform, logSNR, time_quadratic).
 *
 * A second table compares the two forms of dpm-solver++3m (and the other candidates of
 * `--sampler auto`) across the built-in continuous schemes at 5..20 steps on the three 2-D
 * mixtures: it is the provenance of src/sample/auto.ts and of DPMPP3M_DEFAULT_FORM.
 *
 *   npx tsx bench/accuracy.ts [--quick] [--no-tune] [--no-schemes] [--json]     (also a bench of npm run bench)
 *
 * --no-schemes keeps the second table as it is in bench/RESULTS.md (it is deterministic and long).
 *
 * Writes its tables into bench/RESULTS.md (between the accuracy markers) when run alone.
 */
import { spawn } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';
import { GaussianMixtureModel } from '../src/score/gmm.ts';
import { GaussianModel } from '../src/score/gaussian.ts';
import type { ScoreModel } from '../src/score/model.ts';
import { createRng } from '../src/rng.ts';
import { sample } from '../src/sample/sample.ts';
import type { SampleOptions } from '../src/sample/sample.ts';
import { pointAt } from '../src/sample/steps.ts';
import type { Spacing } from '../src/scheme/spacing.ts';
import { rmsDistance, tuneAuto } from '../src/sample/tune.ts';
import { loadScheme } from '../src/scheme/load.ts';
import type { Scheme } from '../src/scheme/types.ts';
import { findTorchPython } from './mlpStep.ts';
import type { BenchRow } from './row.ts';

const here = path.dirname(fileURLToPath(import.meta.url));
const NFES = [5, 8, 10];
const GRIDS: readonly Spacing[] = ['logsnr', 'uniform-t', 'time-quadratic'];

export interface Case { name: string; weights: number[]; means: number[][]; stds: number[]; n: number }

export function cases(quick: boolean): Case[] {
  const rng = createRng(2024);
  // 2-D: 10000 points. The RMS of a few-step sampler is dominated by the few points whose exact path
  // runs near a boundary between basins (multiscale, 10 NFE, 1000 points: the 5 largest errors carry
  // 69% of the mean square), so 1000 points measure a handful of them and rank configurations by luck.
  const n2 = quick ? 1000 : 10000;
  const ring8: Case = {
    name: 'ring8', n: n2, weights: Array(8).fill(1), stds: Array(8).fill(0.1),
    means: Array.from({ length: 8 }, (_, k) => [3 * Math.cos((2 * Math.PI * k) / 8), 3 * Math.sin((2 * Math.PI * k) / 8)]),
  };
  const multiscale: Case = { name: 'multiscale', n: n2, weights: [0.6, 0.3, 0.1], means: [[-2, 0.5], [2, 1], [0, -3]], stds: [0.03, 0.3, 1] };
  const grid25: Case = {
    name: 'grid25', n: n2, weights: Array.from({ length: 25 }, () => 0.2 + rng.uniform()), stds: Array(25).fill(0.08),
    means: Array.from({ length: 25 }, (_, k) => [1.5 * ((k % 5) - 2), 1.5 * (Math.floor(k / 5) - 2)]),
  };
  // MNIST-sized: 10 Gaussians in 784 dimensions (one per "digit"), stds 0.2..0.5. (A single isotropic
  // Gaussian is degenerate for tuning: its flow map is affine with one scalar gain, which a tuned
  // grid matches exactly: RMS 1.6e-7 at 5 NFE in a run of this bench.)
  const mnist: Case = {
    name: 'gmm784', n: quick ? 50 : 100, weights: Array.from({ length: 10 }, () => 0.5 + rng.uniform()),
    stds: Array.from({ length: 10 }, () => 0.2 + 0.3 * rng.uniform()),
    means: Array.from({ length: 10 }, () => Array.from({ length: 784 }, () => 1.6 * rng.uniform() - 0.8)),
  };
  // drawn, not designed, and added after the tuner was built (no setting was chosen on it): 6
  // components in [-3, 3]^2 with log-uniform stds in [0.04, 0.5] and uneven weights
  const random6: Case = {
    name: 'random6', n: n2, weights: Array.from({ length: 6 }, () => 0.1 + rng.uniform()),
    stds: Array.from({ length: 6 }, () => 0.04 * Math.exp(rng.uniform() * Math.log(0.5 / 0.04))),
    means: Array.from({ length: 6 }, () => [6 * rng.uniform() - 3, 6 * rng.uniform() - 3]),
  };
  return [ring8, multiscale, grid25, mnist, random6];
}

/** The sdekit configurations: a label and the sample() settings. */
type Config = { label: string; sampler: string; opts: Partial<SampleOptions> };
const SAMPLER_CONFIGS: Config[] = [
  { label: 'dpm-solver++2m', sampler: 'dpm-solver++2m', opts: {} },
  { label: 'dpm-solver++3m taylor', sampler: 'dpm-solver++3m', opts: { form: 'taylor' } },
  { label: 'dpm-solver++3m reference', sampler: 'dpm-solver++3m', opts: { form: 'reference' } },
  { label: 'dpm-solver-3', sampler: 'dpm-solver-3', opts: {} },
  { label: 'unipc bh1 order 2', sampler: 'unipc', opts: { variant: 'bh1', order: 2 } },
  { label: 'unipc bh2 order 2', sampler: 'unipc', opts: { variant: 'bh2', order: 2 } },
  { label: 'unipc bh1 order 3', sampler: 'unipc', opts: { variant: 'bh1', order: 3 } },
  { label: 'unipc bh2 order 3', sampler: 'unipc', opts: { variant: 'bh2', order: 3 } },
  { label: 'deis order 3', sampler: 'deis', opts: { order: 3 } },
  { label: 'ipndm order 4', sampler: 'ipndm', opts: { order: 4 } },
];

function modelOf(c: Case): ScoreModel {
  return new GaussianMixtureModel({ weights: c.weights, means: c.means, stds: c.stds });
}

/** The exact PF-ODE solution from T to t0: closed form for one Gaussian, else rk45 at 1e-10. */
async function exactSolution(s: Scheme, c: Case, noise: Float64Array): Promise<Float64Array> {
  if (c.weights.length === 1) {
    const g = new GaussianModel(c.means[0], c.stds[0] ** 2);
    const a = pointAt(s, s.T), b = pointAt(s, s.t0);
    return g.flow(noise.map((v) => v * a.sigma), c.n, a, b);
  }
  return (await sample({ scheme: s, model: modelOf(c), sampler: 'rk45', steps: 1, spacing: 'uniform-t', noise, rtol: 1e-10, atol: 1e-10 })).samples;
}

interface Result { case: string; nfe: number; config: string; rms: number; who: 'sdekit' | 'peer'; note?: string }

async function runPeers(py: string, job: unknown, log: (s: string) => void): Promise<Result[]> {
  const jobFile = path.join(os.tmpdir(), `sdekit-accuracy-${process.pid}.json`);
  fs.writeFileSync(jobFile, JSON.stringify(job));
  const env = { ...process.env };
  delete env.OPENBLAS_CORETYPE; delete env.OPENBLAS_L2_SIZE;
  return new Promise((resolve, reject) => {
    const p = spawn(py, [path.join(here, 'accuracy_peers.py'), jobFile], { env });
    let out = '', err = '';
    p.stdout.on('data', (d: Buffer) => { out += d.toString(); });
    p.stderr.on('data', (d: Buffer) => { err += d.toString(); });
    p.on('close', (code) => {
      fs.rmSync(jobFile, { force: true });
      if (code !== 0) { reject(new Error(`accuracy_peers.py exited ${code}: ${err.slice(-500)}`)); return; }
      const rows = out.trim().split('\n').map((l) => JSON.parse(l) as { case: string; config: string; nfe: number; rms: number; calls: number });
      for (const r of rows) if (r.calls !== r.nfe) log(`accuracy: peer ${r.config} made ${r.calls} model calls at ${r.nfe} NFE`);
      resolve(rows.map((r) => ({ case: r.case, nfe: r.nfe, config: r.config, rms: r.rms, who: 'peer' as const })));
    });
  });
}

const fmt = (v: number) => (Number.isFinite(v) ? v.toPrecision(3) : 'n/a');

/** Options of {@link benchAccuracy}. */
export interface AccuracyOptions { quick?: boolean; tune?: boolean; schemes?: boolean; log?: (s: string) => void }

/** Run the bench; returns rows for bench/run.ts and the markdown tables. */
export async function benchAccuracy(opts: AccuracyOptions = {}): Promise<{ rows: BenchRow[]; markdown: string; results: Result[] }> {
  const log = opts.log ?? (() => {});
  const s = loadScheme('vp-linear');
  const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'sdekit-accuracy-'));
  const results: Result[] = [];
  const peerCases: unknown[] = [];
  try {
    for (const c of cases(opts.quick ?? false)) {
      const dim = c.means[0].length;
      const noise = createRng(0).fillNormal(new Float64Array(c.n * dim));
      const exact = await exactSolution(s, c, noise);
      const model = modelOf(c);
      fs.writeFileSync(path.join(tmp, `${c.name}.noise`), Buffer.from(noise.buffer));
      fs.writeFileSync(path.join(tmp, `${c.name}.exact`), Buffer.from(exact.buffer));
      peerCases.push({ name: c.name, weights: c.weights, means: c.means, stds: c.stds, noise: path.join(tmp, `${c.name}.noise`), exact: path.join(tmp, `${c.name}.exact`) });
      for (const nfe of NFES) {
        const untuned: { cfg: Config; rms: number }[] = [];
        for (const cfg of SAMPLER_CONFIGS) {
          let own = Infinity;
          for (const spacing of GRIDS) {
            const r = await sample({ scheme: s, model, sampler: cfg.sampler, steps: nfe, spacing, noise, ...cfg.opts });
            if (r.nfe !== nfe) throw new Error(`${cfg.label}: nfe ${r.nfe} at ${nfe} steps`);
            const rms = rmsDistance(r.samples, exact, c.n);
            results.push({ case: c.name, nfe, config: `${cfg.label} ${spacing}`, rms, who: 'sdekit' });
            own = Math.min(own, rms);
          }
          untuned.push({ cfg, rms: own });
        }
        if (opts.tune !== false) {
          // what `sdekit tune --sampler auto --steps N --seed 1` does (its default n, its own tuning and
          // validation points, not this noise); the 784-d case tunes only the best candidate (time)
          const t0 = performance.now();
          const tuned = await tuneAuto({ scheme: s, model, steps: nfe, seed: 1, tuned: dim > 2 ? 1 : 3 });
          const r = await sample({ scheme: s, model, sampler: tuned.sampler, steps: nfe, times: tuned.times, noise, ...tuned.samplerOptions });
          const rms = rmsDistance(r.samples, exact, c.n);
          const label = SAMPLER_CONFIGS.find((k) => k.sampler === tuned.sampler && JSON.stringify(k.opts) === JSON.stringify(tuned.samplerOptions))?.label ?? tuned.sampler;
          const kept = tuned.validation.tuned < tuned.validation.start ? '' : `; validation kept its start grid ${tuned.start}`;
          results.push({ case: c.name, nfe, config: `${label} tuned`, rms, who: 'sdekit', note: `tune --sampler auto, ${tuned.n} points: ${tuned.nfe} NFE for ${tuned.tried.length} sampler(s)${kept}` });
          const best = untuned.reduce((x, y) => (y.rms < x.rms ? y : x));
          log(`accuracy: ${c.name} ${nfe} NFE: ${label} tuned ${fmt(rms)} (untuned best ${fmt(best.rms)} ${best.cfg.label}; validation ${fmt(tuned.validation.tuned)} vs ${fmt(tuned.validation.start)} on ${tuned.start}; tuning ${tuned.nfe} NFE, ${((performance.now() - t0) / 1000).toFixed(1)} s)`);
        }
      }
    }
    const py = findTorchPython();
    if (py) results.push(...(await runPeers(py, { cases: peerCases, nfe: NFES, threads: 1 }, log)));
    else log('accuracy: no python3 with torch; peers skipped');
  } finally {
    fs.rmSync(tmp, { recursive: true, force: true });
  }
  // --no-schemes: keep the schemes table of bench/RESULTS.md (deterministic; its own run is long)
  const forms = opts.schemes === false ? previousSchemesTable() : await compareAcrossSchemes(opts.quick ?? false, log);
  const { rows, markdown } = tables(results);
  return { rows, markdown: `${markdown}\n\n${forms}`, results };
}

/** The summary rows and the full table. */
function tables(results: Result[]): { rows: BenchRow[]; markdown: string } {
  const caseNames = [...new Set(results.map((r) => r.case))];
  const rows: BenchRow[] = [];
  const summary = ['| case | NFE | best sdekit | RMS | best sdekit, built-in grid | RMS | best peer | RMS | peer / sdekit |', '|---|---|---|---|---|---|---|---|---|'];
  for (const c of caseNames) {
    for (const nfe of NFES) {
      const here = results.filter((r) => r.case === c && r.nfe === nfe);
      const pick = (f: (r: Result) => boolean) => here.filter(f).reduce<Result | null>((a, b) => (!a || b.rms < a.rms ? b : a), null);
      const ours = pick((r) => r.who === 'sdekit');
      const oursBuiltin = pick((r) => r.who === 'sdekit' && !r.config.endsWith('tuned'));
      const peer = pick((r) => r.who === 'peer');
      if (!ours) continue;
      summary.push(`| ${c} | ${nfe} | ${ours.config}${ours.note ? ` (${ours.note})` : ''} | ${fmt(ours.rms)} | ${oursBuiltin?.config ?? ''} | ${fmt(oursBuiltin?.rms ?? NaN)} | ${peer?.config ?? 'n/a'} | ${fmt(peer?.rms ?? NaN)} | ${peer ? (peer.rms / ours.rms).toFixed(2) : ''} |`);
      rows.push({
        workload: `accuracy ${c} ${nfe} NFE, vp-linear (RMS to exact PF-ODE; best: ${ours.config})`, backend: 'host float64', value: ours.rms, unit: 'RMS',
        peer: peer?.rms, peerName: peer ? `${peer.config} (PyTorch transcription)` : undefined, ratio: peer ? peer.rms / ours.rms : undefined,
        note: 'ratio = peer RMS / sdekit RMS (> 1: sdekit more accurate)',
      });
    }
  }
  const cols = caseNames.flatMap((c) => NFES.map((n) => `${c} ${n}`));
  const configs = [...new Set(results.map((r) => `${r.who}|${r.config}`))];
  const full = [`| configuration | ${cols.join(' | ')} |`, `|---|${cols.map(() => '---').join('|')}|`];
  for (const key of configs) {
    const [who, config] = key.split('|');
    const cells = caseNames.flatMap((c) => NFES.map((n) => fmt(results.find((r) => r.who === who && r.config === config && r.case === c && r.nfe === n)?.rms ?? NaN)));
    full.push(`| ${who === 'peer' ? 'peer: ' : ''}${config} | ${cells.join(' | ')} |`);
  }
  return {
    rows,
    markdown: `### Accuracy per model evaluation (vp-linear, t 1 -> 1e-3, RMS to the exact PF-ODE solution)\n\n${summary.join('\n')}\n\nAll configurations:\n\n${full.join('\n')}`,
  };
}

/** Candidates of --sampler auto (and the two dpm-solver++3m forms) over the built-in schemes on ring8. */
export const AUTO_CANDIDATES: Config[] = [
  { label: 'dpm-solver++2m', sampler: 'dpm-solver++2m', opts: {} },
  { label: 'dpm-solver++3m taylor', sampler: 'dpm-solver++3m', opts: { form: 'taylor' } },
  { label: 'dpm-solver++3m reference', sampler: 'dpm-solver++3m', opts: { form: 'reference' } },
  { label: 'unipc bh2 order 2', sampler: 'unipc', opts: { variant: 'bh2', order: 2 } },
  { label: 'unipc bh2 order 3', sampler: 'unipc', opts: { variant: 'bh2', order: 3 } },
  { label: 'unipc bh1 order 3', sampler: 'unipc', opts: { variant: 'bh1', order: 3 } },
  { label: 'deis order 3', sampler: 'deis', opts: { order: 3 } },
];
const SCHEMES = ['vp-linear', 'sub-vp', 've', 'vp-cosine', 'edm', 'rectified-flow'];
const STEPS = [5, 8, 10, 15, 20];

async function compareAcrossSchemes(quick: boolean, log: (s: string) => void): Promise<string> {
  const n = quick ? 200 : 500;
  const noise = createRng(3).fillNormal(new Float64Array(n * 2));
  const json: Record<string, Record<string, Record<number, Record<string, number>>>> = {};
  const sections: string[] = [];
  for (const c of cases(quick).filter((k) => k.means[0].length === 2 && k.name !== 'random6')) {
    const model = modelOf(c);
    json[c.name] = {};
    const lines = ['| scheme | steps | ' + AUTO_CANDIDATES.flatMap((k) => GRIDS.map((g) => `${k.label} ${g}`)).join(' | ') + ' |'];
    lines.push(`|---|---|${AUTO_CANDIDATES.flatMap(() => GRIDS.map(() => '---')).join('|')}|`);
    for (const name of SCHEMES) {
      const s = loadScheme(name);
      const exact = (await sample({ scheme: s, model, sampler: 'rk45', steps: 1, spacing: 'uniform-t', noise, rtol: 1e-10, atol: 1e-10 })).samples;
      json[c.name][name] = {};
      for (const steps of STEPS) {
        const cells: string[] = [];
        json[c.name][name][steps] = {};
        for (const k of AUTO_CANDIDATES) {
          for (const g of GRIDS) {
            const r = await sample({ scheme: s, model, sampler: k.sampler, steps, spacing: g, noise, ...k.opts });
            const rms = rmsDistance(r.samples, exact, n);
            json[c.name][name][steps][`${k.label} ${g}`] = rms;
            cells.push(fmt(rms));
          }
        }
        lines.push(`| ${name} | ${steps} | ${cells.join(' | ')} |`);
      }
    }
    log(`accuracy: schemes table ${c.name} done`);
    sections.push(`#### ${c.name}\n\n${lines.join('\n')}`);
  }
  fs.writeFileSync(path.join(here, 'accuracy-schemes.json'), JSON.stringify(json));
  return `${SCHEMES_HEADING} (${n} points per 2-D mixture, RMS to the exact PF-ODE solution; raw numbers in bench/accuracy-schemes.json, reduced by bench/autoTable.ts)\n\n${sections.join('\n\n')}`;
}

const SCHEMES_HEADING = '### Candidates of --sampler auto across the built-in schemes';

/** The schemes table of the accuracy section now in bench/RESULTS.md ('' if none). */
function previousSchemesTable(): string {
  const file = path.join(here, 'RESULTS.md');
  const text = fs.existsSync(file) ? fs.readFileSync(file, 'utf8') : '';
  const i = text.indexOf(SCHEMES_HEADING), j = text.indexOf('<!-- accuracy: end -->');
  return i >= 0 && j > i ? text.slice(i, j).trimEnd() : '';
}

/** Replace the accuracy section of bench/RESULTS.md (or append it). */
export function writeAccuracySection(markdown: string): void {
  const file = path.join(here, 'RESULTS.md');
  const begin = '<!-- accuracy: begin (npx tsx bench/accuracy.ts) -->', end = '<!-- accuracy: end -->';
  const old = fs.existsSync(file) ? fs.readFileSync(file, 'utf8') : '# Benchmark results\n';
  const section = `${begin}\n${markdown}\n${end}`;
  const i = old.indexOf(begin), j = old.indexOf(end);
  fs.writeFileSync(file, i >= 0 && j > i ? old.slice(0, i) + section + old.slice(j + end.length) : `${old.trimEnd()}\n\n${section}\n`);
}

if (process.argv[1] && fileURLToPath(import.meta.url) === path.resolve(process.argv[1])) {
  const args = process.argv.slice(2);
  const r = await benchAccuracy({ quick: args.includes('--quick'), tune: !args.includes('--no-tune'), schemes: !args.includes('--no-schemes'), log: (s) => console.error(s) });
  if (args.includes('--json')) console.log(JSON.stringify(r.results));
  else console.log(r.markdown);
  writeAccuracySection(`Machine: ${os.cpus().length} x ${os.cpus()[0]?.model ?? 'cpu'}, Node ${process.version}. Date: ${new Date().toISOString()}. Command: \`npx tsx bench/accuracy.ts${args.length ? ` ${args.join(' ')}` : ''}\`${args.includes('--no-schemes') ? ' (the schemes table is kept from the previous full run)' : ''}.\n\n${r.markdown}`);
}
