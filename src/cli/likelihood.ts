/**
 * `sdekit likelihood --scheme S --score gmm:FILE | --model DIR --points FILE|test
 *   [--div exact|hutchinson] --out FILE` (DESIGN.md), plus [--rtol R] [--atol A] [--t-start T]
 * [--seed K] [--n N] [--batch B] [--dequantize] [--class C] [--backend B] [--json].
 *
 * Log-densities by the probability-flow ODE (MATH.md section 5). Writes {"logp": [...]} (nats, one
 * per point) plus the run's details; for image data also "bpd" (bits/dim with uniform
 * dequantisation) and their mean. `--points test` takes the model's held-out split (first N points).
 */
import * as fs from 'node:fs';
import { UserError } from '../errors.ts';
import { allowOnly, bool, num, parseArgs, req, str } from './args.ts';
import { prepareOutput, writeOutput } from './output.ts';
import { readGmmFile } from '../data/gmmFile.ts';
import { resolveDataset } from '../data/resolve.ts';
import { bitsPerDim, dequantize } from '../likelihood/bpd.ts';
import { pfOdeLikelihood } from '../likelihood/pfOde.ts';
import { loadScheme } from '../scheme/load.ts';
import { GaussianMixtureModel } from '../score/gmm.ts';
import type { ScoreModel } from '../score/model.ts';
import { openModelForCli, type CliModel } from '../run/load.ts';
import { Rng } from '../rng.ts';

const KNOWN = ['scheme', 'score', 'model', 'points', 'div', 'out', 'rtol', 'atol', 't-start', 'seed', 'n', 'batch', 'dequantize', 'class'];

/** Read a points file: {"points": rows}, {"samples": rows} (a sample output file) or a bare array of rows. */
export function readPointsFile(file: string, dim: number): { x: Float64Array; n: number } {
  let obj: unknown;
  try { obj = JSON.parse(fs.readFileSync(file, 'utf8')); } catch (e) { throw new UserError('--points', `cannot read a JSON points file: ${(e as Error).message}`, { value: file }); }
  const rows = Array.isArray(obj) ? obj : (obj as { points?: unknown; samples?: unknown }).points ?? (obj as { samples?: unknown }).samples;
  if (!Array.isArray(rows) || rows.length === 0) throw new UserError('--points', 'must hold {"points": [[...], ...]}, {"samples": ...} or a non-empty array of rows', { value: file });
  const x = new Float64Array(rows.length * dim);
  rows.forEach((r: unknown, i: number) => {
    if (!Array.isArray(r) || r.length !== dim) throw new UserError(`--points ${file} [${i}]`, `must be a row of ${dim} numbers`, { value: r });
    r.forEach((v: unknown, j: number) => {
      if (typeof v !== 'number' || !Number.isFinite(v)) throw new UserError(`--points ${file} [${i}][${j}]`, 'must be a finite number', { value: v });
      x[i * dim + j] = v;
    });
  });
  return { x, n: rows.length };
}

/** Entry point. */
export async function run(argv: string[]): Promise<number> {
  const a = parseArgs(argv, ['dequantize']);
  if (bool(a, 'help')) {
    console.log(`usage: sdekit likelihood --scheme S --score gmm:FILE | --model DIR --points FILE|test --out FILE
  [--div exact|hutchinson] [--rtol 1e-5 (1e-8 with --score)] [--atol same] [--t-start T] [--seed K] [--n N] [--batch B]
  [--dequantize] [--class C] [--backend B] [--json]
FILE holds {"points": [[...], ...]} (or a sample output file); "test" is the model's held-out split.
Writes {"logp": [...]} in nats (plus "bpd" for image data, with uniform dequantisation).`);
    return 0;
  }
  allowOnly(a, KNOWN);
  const scheme = loadScheme(req(a, 'scheme'));
  const out = req(a, 'out');
  prepareOutput(out, '--out');
  const pointsArg = req(a, 'points');
  const scoreSpec = str(a, 'score'), modelDir = str(a, 'model');
  let model: ScoreModel;
  let cli: CliModel | null = null;
  let backend = 'host';
  if (modelDir !== undefined) {
    if (scoreSpec !== undefined) throw new UserError('--model', 'cannot be combined with --score', { value: modelDir });
    cli = await openModelForCli(modelDir, { classArg: str(a, 'class'), backend: str(a, 'backend') });
    model = cli.guided; backend = cli.backend;
  } else {
    if (scoreSpec === undefined) throw new UserError('--score', 'is required (gmm:FILE), or --model DIR');
    if (!scoreSpec.startsWith('gmm:') || scoreSpec.length <= 4) throw new UserError('--score', 'must be gmm:FILE (a GMM file, DESIGN.md)', { value: scoreSpec });
    // the score view is finite at sigma = 0, so the ODE can start at the data (t = 0)
    model = new GaussianMixtureModel(readGmmFile(scoreSpec.slice(4), '--score'), { parameterization: 'score' });
  }
  const D = model.dim;
  const seed = num(a, 'seed', 0, { integer: true });
  let x: Float64Array, n: number;
  let levels: number | undefined;
  if (pointsArg === 'test') {
    if (!cli) throw new UserError('--points', '"test" (the held-out split) needs --model DIR', { value: pointsArg });
    const data = resolveDataset(cli.config.data, '--points');
    const held = data.heldOut(num(a, 'n', 100, { integer: true, min: 1 }));
    n = held.n;
    levels = data.image?.levels;
    x = levels ? dequantize(held.x, levels, new Rng(seed + 1)) : Float64Array.from(held.x);
  } else {
    ({ x, n } = readPointsFile(pointsArg, D));
    if (a.flags.has('n')) { n = Math.min(n, num(a, 'n', n, { integer: true, min: 1 })); x = x.slice(0, n * D); }
    if (bool(a, 'dequantize')) {
      const lv = cli ? resolveDataset(cli.config.data, '--points').image?.levels : undefined;
      if (!lv) throw new UserError('--dequantize', 'needs a model trained on quantised image data');
      levels = lv;
      x = dequantize(x, lv, new Rng(seed + 1));
    }
  }
  const div = (str(a, 'div') ?? (D <= 64 ? 'exact' : 'hutchinson')) as 'exact' | 'hutchinson';
  if (div !== 'exact' && div !== 'hutchinson') throw new UserError('--div', 'must be exact or hutchinson', { value: div });
  const tStart = num(a, 't-start', cli ? scheme.t0 : 0, { min: 0, max: scheme.T });
  const r = await pfOdeLikelihood(model, scheme, x, n, {
    div, seed, tStart,
    // an analytic score is cheap, so its default tolerance is tight enough that far-tail points
    // (log p ~ -400, where the ODE's relative error is amplified by |log p|) stay within 1e-3 nats
    rtol: num(a, 'rtol', cli ? 1e-5 : 1e-8, { min: 1e-12 }), atol: num(a, 'atol', cli ? 1e-5 : 1e-8, { min: 1e-12 }),
    batch: num(a, 'batch', cli && D > 64 ? 64 : n, { integer: true, min: 1 }),
    dataMoments: cli?.config.dataMoments,
  });
  const logp = Array.from(r.logp);
  const bpd = levels ? logp.map((l) => bitsPerDim(l, D, levels)) : undefined;
  const mean = (v: number[]): number => v.reduce((s, y) => s + y, 0) / v.length;
  const doc = {
    logp, ...(bpd ? { bpd, bpdMean: mean(bpd) } : {}),
    logpMean: mean(logp), n, dim: D, scheme: scheme.name, div, tStart: r.tStart, tEnd: r.tEnd, prior: r.prior,
    nfe: r.nfe, steps: r.steps, seconds: r.seconds, backend,
  };
  writeOutput(out, JSON.stringify(doc) + '\n', '--out');
  if (bool(a, 'json')) console.log(JSON.stringify({ logpMean: doc.logpMean, ...(bpd ? { bpdMean: doc.bpdMean } : {}), n, nfe: r.nfe, seconds: r.seconds, backend }));
  else {
    console.log(`log p of ${n} points (D = ${D}) under ${scheme.name}: mean ${doc.logpMean.toFixed(4)} nats` +
      `${bpd ? `, ${mean(bpd).toFixed(3)} bits/dim (dequantised)` : ''}; ${div} divergence, t from ${r.tStart} to ${r.tEnd}, prior ${r.prior}; ` +
      `${r.nfe} evaluations per point batch, ${r.seconds.toFixed(2)} s, backend ${backend} -> ${out}`);
  }
  cli?.dispose();
  return 0;
}
