/**
 * `sdekit tune` (DESIGN.md): optimise the step grid of a sampler for one scheme, score and budget,
 *
 *     sdekit tune --scheme S --score gmm:FILE | --model DIR --sampler NAME --steps N
 *                 [--n 512] [--seed 0] [--evals E] [--order K] [--variant bh1|bh2] [--form F]
 *                 --out steps.json [--json]
 *
 * and write {"t": [T, ..., t0]} (plus its provenance: scheme, sampler, steps, rms, baselines,
 * tuning cost) atomically to --out, for `sdekit sample --steps-file steps.json`. The method is
 * src/sample/tune.ts. Progress bar on stderr when it is a terminal; --json prints one document.
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
import { tuneGrid } from '../sample/tune.ts';
import { progressBar } from './progress.ts';
import { samplerSettings } from './samplerFlags.ts';

const FLAGS = ['scheme', 'score', 'model', 'sampler', 'steps', 'n', 'seed', 'evals', 'out', 'order', 'variant', 'form', 'lower-order-final', 'backend'];

/** Run the command; returns the exit code. */
export async function run(argv: string[]): Promise<number> {
  const a = parseArgs(argv);
  if (bool(a, 'help')) {
    console.log(`usage: sdekit tune --scheme S --score gmm:FILE | --model DIR --sampler NAME --steps N --out steps.json
  [--n 512] [--seed 0] [--evals E (optimiser budget, default 60 N + 200)] [--order K] [--variant bh1|bh2] [--form reference|taylor] [--json]
Minimises the RMS distance of the sampler's output to the exact probability-flow solution (rk45, tol 1e-8)
over the grid's logSnr positions (Nelder-Mead from the best of logsnr, uniform-t, time-quadratic),
kept only if also better on --n other (validation) points;
writes {"t": [T, ..., t0], ...} for sdekit sample --steps-file. samplers: ${SAMPLER_NAMES.join(', ')}`);
    return 0;
  }
  allowOnly(a, FLAGS);
  const scheme = loadScheme(req(a, 'scheme'));
  const samplerName = req(a, 'sampler');
  if (!isSamplerName(samplerName) || samplerName === 'rk45') throw new UserError('--sampler', `unknown or adaptive sampler; known: ${SAMPLER_NAMES.filter((s) => s !== 'rk45').join(', ')}`, { value: samplerName });
  const steps = num(a, 'steps', NaN, { integer: true, min: 2, max: 1000 });
  if (Number.isNaN(steps)) throw new UserError('--steps', 'is required');
  const n = num(a, 'n', 512, { integer: true, min: 1, max: 1_000_000 });
  const seed = num(a, 'seed', 0, { integer: true });
  const evals = a.flags.has('evals') ? num(a, 'evals', 0, { integer: true, min: 1, max: 1_000_000 }) : undefined;
  const out = req(a, 'out');
  prepareOutput(out, '--out');
  const settings = samplerSettings(a, samplerName);
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
  const bar = progressBar(`tune ${samplerName} ${steps} steps`);
  let r;
  try {
    r = await tuneGrid({ scheme, model, sampler: samplerName, steps, n, seed, maxEvals: evals, samplerOptions: settings, onProgress: bar.update });
  } finally {
    bar.done();
    dispose();
  }
  const doc = {
    t: r.times, scheme: scheme.name, sampler: samplerName, steps, rms: r.rms, start: r.start, baselines: r.baselines, validation: r.validation,
    n, seed, tuningNfe: r.nfe, referenceNfe: r.referenceNfe, objectiveEvaluations: r.objectiveEvaluations,
  };
  writeOutput(out, JSON.stringify(doc, null, 1), '--out');
  if (bool(a, 'json')) console.log(JSON.stringify(doc));
  else {
    const base = Object.entries(r.baselines).map(([k, v]) => `${k} ${v.toPrecision(3)}`).join(', ');
    console.log(`tuned ${steps}-step grid for ${samplerName} on ${scheme.name}: RMS to the exact PF-ODE solution ${r.rms.toPrecision(3)} (built-in grids: ${base}; on validation points ${r.validation.tuned.toPrecision(3)} vs ${r.validation.start.toPrecision(3)} for ${r.start}${r.validation.tuned < r.validation.start ? '' : ': kept ' + r.start}); tuning cost ${r.nfe} model evaluations (${r.referenceNfe} for the reference) -> ${out}`);
  }
  return 0;
}
