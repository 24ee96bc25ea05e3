/**
 * `sdekit tune` (DESIGN.md): optimise the step grid of a sampler for one scheme, score and budget,
 *
 *     sdekit tune --scheme S --score gmm:FILE | --model DIR [--sampler auto | NAME] --steps N
 *                 [--n N] [--seed 0] [--evals E] [--candidates 3] [--refine E]
 *                 [--order K] [--variant bh1|bh2] [--form F]
 *                 --out steps.json [--json]
 *
 * and write {"t": [T, ..., t0]} (plus the sampler and settings the grid is for, "options", and its
 * provenance: scheme, steps, rms, baselines, validation, tuning cost) atomically to --out, for
 * `sdekit sample --steps-file steps.json` (which samples with the file's sampler and options when
 * --sampler is not given). `--sampler auto` (the default) tunes the --candidates samplers best on the
 * built-in grids and keeps the one best on the validation points. The method is src/sample/tune.ts.
 * Progress bar on stderr when it is a terminal; --json prints one document.
 */
import { allowOnly, bool, num, parseArgs, req, str } from './args.ts';
import { prepareOutput, writeOutput } from './output.ts';
import { UserError } from '../errors.ts';
import { readGmmFile } from '../data/gmmFile.ts';
import { ParallelGaussianMixtureModel } from '../score/gmmParallel.ts';
import type { ScoreModel } from '../score/model.ts';
import { openModelForCli } from '../run/load.ts';
import { loadScheme } from '../scheme/load.ts';
import { SAMPLER_NAMES, isSamplerName } from '../sample/registry.ts';
import { DEFAULT_REFINE, defaultTuneN, tuneAuto, tuneGrid } from '../sample/tune.ts';
import { TUNE_CANDIDATES } from '../sample/tune.ts';
import type { TuneAutoResult, TuneResult, TuneSamplerOptions } from '../sample/tune.ts';
import { progressBar } from './progress.ts';
import { samplerSettings } from './samplerFlags.ts';

const FLAGS = ['scheme', 'score', 'model', 'sampler', 'steps', 'n', 'seed', 'evals', 'out', 'order', 'variant', 'form', 'lower-order-final', 'backend', 'candidates', 'refine'];

/** Run the command; returns the exit code. */
export async function run(argv: string[]): Promise<number> {
  const a = parseArgs(argv);
  if (bool(a, 'help')) {
    console.log(`usage: sdekit tune --scheme S --score gmm:FILE | --model DIR [--sampler auto|NAME (default auto)] --steps N --out steps.json
  [--n N (tuning points, and as many validation points; default min(16384, max(256, 262144 / dim)))] [--seed 0]
  [--evals E (optimiser budget per sampler, default 60 N + 200)] [--candidates 3 (samplers tuned by --sampler auto)]
  [--refine E (second stage: E evaluations per sampler moving single grid points; default ${DEFAULT_REFINE}; 0: none)]
  [--order K] [--variant bh1|bh2] [--form reference|taylor] [--json]
Minimises the RMS distance of the sampler's output to the exact probability-flow solution (rk45, tol 1e-8)
over the grid's logSnr positions (Nelder-Mead from each of logsnr, uniform-t, time-quadratic) and returns
the grid best on --n other (validation) points (never worse there than the best built-in grid).
--sampler auto tunes the --candidates best of ${TUNE_LIST} on the built-in grids and keeps the best on the validation points.
Writes {"t": [T, ..., t0], "sampler": ..., "options": {...}, ...}; sdekit sample --steps-file uses its sampler
and options when --sampler is not given. samplers: auto, ${SAMPLER_NAMES.filter((x) => x !== 'rk45').join(', ')}`);
    return 0;
  }
  allowOnly(a, FLAGS);
  const scheme = loadScheme(req(a, 'scheme'));
  const samplerName = str(a, 'sampler') ?? 'auto';
  if (samplerName !== 'auto' && (!isSamplerName(samplerName) || samplerName === 'rk45')) throw new UserError('--sampler', `unknown or adaptive sampler; known: auto, ${SAMPLER_NAMES.filter((s) => s !== 'rk45').join(', ')}`, { value: samplerName });
  const steps = num(a, 'steps', NaN, { integer: true, min: 2, max: 1000 });
  if (Number.isNaN(steps)) throw new UserError('--steps', 'is required');
  const nGiven = a.flags.has('n') ? num(a, 'n', 0, { integer: true, min: 1, max: 1_000_000 }) : undefined;
  const candidates = num(a, 'candidates', 3, { integer: true, min: 1, max: TUNE_CANDIDATES.length });
  if (samplerName !== 'auto' && a.flags.has('candidates')) throw new UserError('--candidates', 'needs --sampler auto', { value: candidates });
  const seed = num(a, 'seed', 0, { integer: true });
  const evals = a.flags.has('evals') ? num(a, 'evals', 0, { integer: true, min: 1, max: 1_000_000 }) : undefined;
  const refine = num(a, 'refine', DEFAULT_REFINE, { integer: true, min: 0, max: 1_000_000 });
  const out = req(a, 'out');
  prepareOutput(out, '--out');
  const settings = samplerSettings(a, samplerName);
  if (samplerName === 'auto') {
    for (const f of ['order', 'variant', 'form', 'lower-order-final']) if (a.flags.has(f)) throw new UserError(`--${f}`, 'needs a named --sampler (auto picks the settings)', { value: str(a, f) });
  }
  const scoreSpec = str(a, 'score');
  const modelDir = str(a, 'model');
  let model: ScoreModel;
  let dispose = (): void => {};
  if (modelDir !== undefined) {
    if (scoreSpec !== undefined) throw new UserError('--model', 'cannot be combined with --score', { value: modelDir });
    const m = await openModelForCli(modelDir, { backend: str(a, 'backend') });
    model = m.guided;
    dispose = m.dispose;
  } else {
    if (scoreSpec === undefined) throw new UserError('--score', 'is required (gmm:FILE), or --model DIR');
    if (!scoreSpec.startsWith('gmm:') || scoreSpec.length <= 4) throw new UserError('--score', 'must be gmm:FILE (a GMM file, DESIGN.md)', { value: scoreSpec });
    model = new ParallelGaussianMixtureModel(readGmmFile(scoreSpec.slice(4), '--score'));
  }
  const n = nGiven ?? defaultTuneN(model.dim);
  const bar = progressBar(`tune ${samplerName} ${steps} steps`);
  let r: TuneResult;
  let sampler: string = samplerName;
  let options: TuneSamplerOptions = definedOnly(settings);
  let tried: TuneAutoResult['tried'] | undefined;
  try {
    if (samplerName === 'auto') {
      const auto = await tuneAuto({ scheme, model, steps, n, seed, maxEvals: evals, tuned: candidates, refine, onProgress: bar.update });
      r = auto;
      sampler = auto.sampler;
      options = auto.samplerOptions;
      tried = auto.tried;
    } else {
      r = await tuneGrid({ scheme, model, sampler: samplerName, steps, n, seed, maxEvals: evals, samplerOptions: settings, refine, onProgress: bar.update });
    }
  } finally {
    bar.done();
    dispose();
  }
  const doc = {
    t: r.times, sampler, options, scheme: scheme.name, steps, rms: r.rms, start: r.start, baselines: r.baselines, validation: r.validation,
    ...(tried ? { tried } : {}), n, seed, tuningNfe: r.nfe, referenceNfe: r.referenceNfe, objectiveEvaluations: r.objectiveEvaluations,
  };
  writeOutput(out, JSON.stringify(doc, null, 1), '--out');
  if (bool(a, 'json')) console.log(JSON.stringify(doc));
  else {
    const base = Object.entries(r.baselines).map(([k, v]) => `${k} ${v.toPrecision(3)}`).join(', ');
    const opt = Object.entries(options).map(([k, v]) => ` ${k} ${String(v)}`).join('');
    console.log(`tuned ${steps}-step grid for ${sampler}${opt}${samplerName === 'auto' ? ` (auto, best of ${tried?.length ?? 0} tuned on the validation points)` : ''} on ${scheme.name}: RMS to the exact PF-ODE solution ${r.rms.toPrecision(3)} (built-in grids: ${base}; on validation points ${r.validation.tuned.toPrecision(3)} vs ${r.validation.start.toPrecision(3)} for ${r.start}${r.validation.tuned < r.validation.start ? '' : ': kept ' + r.start}); tuning cost ${r.nfe} model evaluations (${r.referenceNfe} for the reference) -> ${out}`);
  }
  return 0;
}

/** The settings given on the command line, without the absent ones (they stay the sampler's defaults). */
function definedOnly(o: TuneSamplerOptions): TuneSamplerOptions {
  return Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined)) as TuneSamplerOptions;
}

const TUNE_LIST = TUNE_CANDIDATES.map((c) => `${c.sampler}${Object.values(c.options).map((v) => ` ${String(v)}`).join('')}`).join(', ');
