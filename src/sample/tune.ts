/**
 * Step-grid tuning (`sdekit tune`): for one scheme, score, sampler and budget of `steps`, find the
 * grid times that bring the sampler closest to the exact probability-flow map, in the spirit of
 * "Align Your Steps" (Sabour et al. 2024: optimise the discretisation for the given model and NFE),
 * but with the error measured directly instead of through their KL upper bound:
 *
 *   minimise  E(grid) = sqrt( mean_i || sampler(x_T^i; grid) - Phi(x_T^i) ||^2 )
 *
 * over `n` starting points x_T^i = sigma(T) z_i (z_i from `seed`), where Phi is the PF-ODE solution
 * from T to t0 by adaptive Dormand-Prince (rk45 at rtol = atol = 1e-8), computed once.
 *
 * The error of a few-step sampler on a mixture is dominated by the few starting points whose exact
 * path runs close to a boundary between the basins of two components (a small error there changes
 * the component reached): with a few hundred points the objective sees only a handful of them and a
 * tuned grid fits those (on the bench's multiscale mixture, 512 points: RMS 0.133 -> 0.020 on its
 * own points, no gain on others). So the default `n` is as large as the dimension makes cheap
 * ({@link defaultTuneN}: 16384 in 2-D); `n` does not change the tuning's cost in model evaluations,
 * only the batch size of each.
 *
 * The grid's interior points are parameterised by their logSnr positions: logSnr_i = l_T + (l_0 - l_T)
 * * (sum of the first i of softmax(z)) (always increasing, inside the range), and z is optimised by
 * Nelder-Mead (Nelder & Mead 1965; derivative free: the objective is a full sampler run, not
 * differentiable through the sampler's order switches), from each built-in spacing in turn (best
 * first; the budget split between them) and restarted once from each optimum; a second stage then moves
 * single grid points of the best optimum ({@link coordinateSearch}, `refine` evaluations). Against overfitting the
 * `n` points, every candidate (the best built-in grid and each start's optimum) is re-measured on `n`
 * other starting points (a validation set, its own rk45 reference) and the best there is returned:
 * the result is never worse than the best built-in grid on the validation points. The tuning cost in
 * model evaluations is reported: the two reference solves plus steps x (sampler runs).
 *
 * {@link tuneAuto} (`sdekit tune --sampler auto`) does this for the samplers of
 * {@link TUNE_CANDIDATES} that are best on the built-in grids and returns the sampler, its settings
 * and its grid that are best on the validation points.
 */
import { UserError } from '../errors.ts';
import type { ScoreModel } from '../score/model.ts';
import type { Scheme } from '../scheme/types.ts';
import { createRng } from '../rng.ts';
import { sample } from './sample.ts';
import type { SampleOptions } from './sample.ts';
import { finiteLogSnrAtStart, makeGrid, pointAt } from './steps.ts';
import type { Spacing } from '../scheme/spacing.ts';
import type { SamplerName } from './registry.ts';

/** Sampler settings a tuned grid is for (order, variant, form, ...). */
export type TuneSamplerOptions = Partial<Pick<SampleOptions, 'order' | 'variant' | 'lowerOrderFinal' | 'form' | 'eta' | 'rho'>>;

/** Options of {@link tuneGrid}. */
export interface TuneOptions {
  readonly scheme: Scheme;
  readonly model: ScoreModel;
  readonly sampler: string;
  readonly steps: number;
  /** starting points of the objective, and as many of the validation (default {@link defaultTuneN}) */
  readonly n?: number;
  /** seed of their noise (default 0) */
  readonly seed?: number;
  /** objective evaluations of the optimiser per sampler (default 60 steps + 200) */
  readonly maxEvals?: number;
  /** sampler settings passed through (order, variant, form, ...) */
  readonly samplerOptions?: TuneSamplerOptions;
  /** objective evaluations of the second stage ({@link coordinateSearch} from the best optimum; default {@link DEFAULT_REFINE}) */
  readonly refine?: number;
  readonly onProgress?: (fraction: number) => void;
}

/** What {@link tuneGrid} returns. */
export interface TuneResult {
  /** the tuned grid, [T, ..., t0] strictly descending */
  readonly times: number[];
  /** RMS distance to the exact PF-ODE solution on the returned grid (tuning points) */
  readonly rms: number;
  /** RMS of each built-in spacing tried (tuning points), and the best of them */
  readonly baselines: Readonly<Record<string, number>>;
  readonly start: string;
  /** RMS of the returned and of the best built-in grid on the validation points */
  readonly validation: { readonly tuned: number; readonly start: number };
  /** model evaluations the tuning cost: the reference solves, and all sampler runs */
  readonly referenceNfe: number;
  readonly nfe: number;
  readonly objectiveEvaluations: number;
  /** starting points used for the objective (and as many for validation) */
  readonly n: number;
}

const SPACINGS_TRIED: readonly Spacing[] = ['logsnr', 'uniform-t', 'time-quadratic'];

/**
 * Default number of tuning points for a data dimension: min(16384, max(256, 2^18 / dim)) (16384 in
 * 2-D, 334 for 784): enough points near the basin boundaries that the tuned grid does not fit a
 * handful of them, at a cost per sampler run of at most about 2^18 coordinates. (A random 5-component
 * mixture, 10 steps, RMS on 40000 held-out points: 0.0946 tuned on 4096 points, 0.0586 on 16384,
 * against 0.149 for the best peer configuration.)
 */
export function defaultTuneN(dim: number): number {
  return Math.min(16384, Math.max(256, Math.floor(262144 / dim)));
}

/** RMS over rows of the Euclidean distance between two n x dim arrays. */
export function rmsDistance(a: Float64Array, b: Float64Array, n: number): number {
  let s = 0;
  for (let i = 0; i < a.length; i++) s += (a[i] - b[i]) ** 2;
  return Math.sqrt(s / n);
}

/** Starting points with their exact PF-ODE end points. */
interface PointSet { readonly noise: Float64Array; readonly exact: Float64Array }

/** RMS of a sampler's end points against a point set; Infinity for NaN. */
function setRms(samples: Float64Array, set: PointSet, dim: number): number {
  const e = rmsDistance(samples, set.exact, set.noise.length / dim);
  return Number.isFinite(e) ? e : Infinity;
}

/** The shared part of a tuning problem: the tuning and validation points and their references. */
export interface TuneProblem {
  readonly scheme: Scheme;
  readonly model: ScoreModel;
  readonly steps: number;
  readonly n: number;
  readonly train: PointSet;
  readonly valid: PointSet;
  readonly referenceNfe: number;
}

/** Check the budget and scheme, draw the points (seed, and seed + 1000003 for validation) and solve their references. */
export async function tuneProblem(scheme: Scheme, model: ScoreModel, steps: number, n = defaultTuneN(model.dim), seed = 0): Promise<TuneProblem> {
  if (!Number.isInteger(steps) || steps < 2) throw new UserError('--steps', 'must be an integer >= 2 to tune (one step has no interior point)', { value: steps });
  if (!Number.isInteger(n) || n < 1) throw new UserError('--n', 'must be an integer >= 1', { value: n });
  const lB = pointAt(scheme, scheme.t0).logSnr;
  if (!Number.isFinite(lB)) throw new UserError('--scheme', `tune needs sigma(t0) > 0 (${scheme.name} has sigma = 0 at t0 = ${scheme.t0})`, { value: scheme.name });
  let referenceNfe = 0;
  const points = async (s: number): Promise<PointSet> => {
    const noise = createRng(s).fillNormal(new Float64Array(n * model.dim));
    const ref = await sample({ scheme, model, sampler: 'rk45', steps: 1, spacing: 'uniform-t', noise, rtol: 1e-8, atol: 1e-8 });
    referenceNfe += ref.nfe;
    return { noise, exact: ref.samples };
  };
  const train = await points(seed);
  const valid = await points(seed + 1_000_003);
  return { scheme, model, steps, n, train, valid, referenceNfe };
}

/** Tune the grid of a sampler for a scheme and score. */
export async function tuneGrid(opts: TuneOptions): Promise<TuneResult> {
  const problem = await tuneProblem(opts.scheme, opts.model, opts.steps, opts.n, opts.seed);
  const r = await tuneOn(problem, opts.sampler, opts.samplerOptions ?? {}, opts.maxEvals, opts.onProgress, opts.refine ?? DEFAULT_REFINE);
  return { ...r, nfe: r.nfe + problem.referenceNfe, referenceNfe: problem.referenceNfe };
}

/** The built-in grids of a sampler on the tuning points: RMS of each and the best. */
async function baselinesOf(p: TuneProblem, sampler: string, so: TuneSamplerOptions): Promise<{ baselines: Record<string, number>; start: Spacing; nfe: number }> {
  const baselines: Record<string, number> = {};
  let start: Spacing = SPACINGS_TRIED[0];
  let nfe = 0;
  for (const spacing of SPACINGS_TRIED) {
    const r = await sample({ scheme: p.scheme, model: p.model, sampler, steps: p.steps, spacing, noise: p.train.noise, ...so });
    nfe += r.nfe;
    baselines[spacing] = setRms(r.samples, p.train, p.model.dim);
    if (baselines[spacing] < baselines[start]) start = spacing;
  }
  return { baselines, start, nfe };
}

/** {@link tuneGrid} on a prepared problem (its reference NFE not included). */
export async function tuneOn(p: TuneProblem, sampler: string, so: TuneSamplerOptions, maxEvalsOpt?: number, onProgress?: (f: number) => void, refineEvals = 0): Promise<Omit<TuneResult, 'referenceNfe'>> {
  const { scheme, model, steps, n } = p;
  const lA = finiteLogSnrAtStart(scheme);
  const lB = pointAt(scheme, scheme.t0).logSnr;
  const progress = onProgress ?? (() => {});
  const maxEvals = maxEvalsOpt ?? 60 * steps + 200;
  const base = await baselinesOf(p, sampler, so);
  let nfe = base.nfe;
  let evals = 0;
  const run = async (times: number[], set: PointSet): Promise<number> => {
    const r = await sample({ scheme, model, sampler, steps, times, noise: set.noise, ...so });
    nfe += r.nfe;
    return setRms(r.samples, set, model.dim);
  };
  const toTimes = (z: readonly number[]): number[] | null => {
    const m = Math.max(...z);
    const w = z.map((v) => Math.exp(v - m));
    const sum = w.reduce((a, b) => a + b, 0);
    const times = [scheme.T];
    let acc = 0;
    for (let i = 0; i < steps - 1; i++) {
      acc += w[i] / sum;
      times.push(Math.min(scheme.T, Math.max(scheme.t0, scheme.tOfLogSnr(lA + (lB - lA) * acc))));
    }
    times.push(scheme.t0);
    for (let i = 1; i < times.length; i++) if (!(times[i] < times[i - 1])) return null;
    return times;
  };
  const objective = async (z: number[]): Promise<number> => {
    const times = toTimes(z);
    if (!times) return Infinity;
    evals++;
    progress(Math.min(0.999, evals / maxEvals));
    return run(times, p.train);
  };
  // z of a built-in grid: log of its logSnr increments (the first from the finite cap lA)
  const zOf = (spacing: Spacing): number[] => {
    const g = makeGrid(scheme, { spacing, steps });
    const ls = g.map((q, i) => (i === 0 ? lA : i === steps ? lB : q.logSnr));
    return ls.slice(1).map((l, i) => Math.log(Math.max(1e-6 * (lB - lA), l - ls[i])));
  };
  const startTimes = makeGrid(scheme, { spacing: base.start, steps }).map((q) => q.t);
  // candidates: the best built-in grid, and the optimum from each built-in start (best first) when
  // it beats that grid on the tuning points
  const candidates: { times: number[]; rms: number }[] = [{ times: startTimes, rms: base.baselines[base.start] }];
  const starts = [...SPACINGS_TRIED].filter((s) => Number.isFinite(base.baselines[s])).sort((a, b) => base.baselines[a] - base.baselines[b]);
  let bestZ: { x: number[]; f: number } = { x: [], f: Infinity };
  for (let k = 0; k < starts.length && evals < maxEvals; k++) {
    const budget = Math.floor((maxEvals - evals) / (starts.length - k));
    const stop = evals + budget;
    let best = { x: zOf(starts[k]), f: base.baselines[starts[k]] };
    for (let round = 0; round < 2 && evals < stop; round++) {
      const r = await nelderMead(objective, best.x, 0.4 / (round + 1), stop - evals);
      if (r.f < best.f) best = r;
    }
    const times = toTimes(best.x);
    if (times && best.f < candidates[0].rms) candidates.push({ times, rms: best.f });
    if (best.f < bestZ.f) bestZ = best;
  }
  // second stage: single grid points moved one at a time from the best optimum
  if (refineEvals > 0 && bestZ.f < Infinity) {
    const r = await coordinateSearch(objective, bestZ.x, refineEvals);
    const times = toTimes(r.x);
    if (times && r.f < bestZ.f) candidates.push({ times, rms: r.f });
  }
  // validation on other starting points: the best candidate there
  const scored: { times: number[]; rms: number; v: number }[] = [];
  for (const c of candidates) scored.push({ ...c, v: await run(c.times, p.valid) });
  const pick = scored.reduce((a, b) => (b.v < a.v ? b : a));
  progress(1);
  return {
    times: pick.times, rms: pick.rms, baselines: base.baselines, start: base.start, validation: { tuned: pick.v, start: scored[0].v },
    nfe, objectiveEvaluations: evals, n,
  };
}

/** A sampler with the settings a tuned grid is for. */
export interface TuneCandidate { readonly sampler: SamplerName; readonly options: TuneSamplerOptions }

/** The samplers `sdekit tune --sampler auto` considers (the multistep solvers with NFE = steps). */
export const TUNE_CANDIDATES: readonly TuneCandidate[] = [
  { sampler: 'unipc', options: { variant: 'bh2', order: 2 } },
  { sampler: 'unipc', options: { variant: 'bh2', order: 3 } },
  { sampler: 'dpm-solver++2m', options: {} },
  { sampler: 'dpm-solver++3m', options: { form: 'taylor' } },
  { sampler: 'deis', options: { order: 3 } },
  { sampler: 'ipndm', options: { order: 4 } },
];

/** Options of {@link tuneAuto}. */
export interface TuneAutoOptions extends Omit<TuneOptions, 'sampler' | 'samplerOptions'> {
  /** how many of the candidates (the best on their best built-in grid) are tuned (default 3) */
  readonly tuned?: number;
  readonly candidates?: readonly TuneCandidate[];
}

/** What {@link tuneAuto} returns: the pick, and the result of each tuned candidate. */
export interface TuneAutoResult extends TuneResult {
  readonly sampler: SamplerName;
  readonly samplerOptions: TuneSamplerOptions;
  readonly tried: readonly { readonly sampler: SamplerName; readonly options: TuneSamplerOptions; readonly validation: number; readonly builtin: number }[];
}

/**
 * Tune the grids of the `tuned` candidates that are best on their best built-in grid (tuning
 * points) and return the sampler, settings and grid best on the validation points.
 */
export async function tuneAuto(opts: TuneAutoOptions): Promise<TuneAutoResult> {
  const candidates = opts.candidates ?? TUNE_CANDIDATES;
  const k = opts.tuned ?? 3;
  if (!Number.isInteger(k) || k < 1) throw new UserError('--candidates', 'must be an integer >= 1', { value: k });
  const p = await tuneProblem(opts.scheme, opts.model, opts.steps, opts.n, opts.seed);
  const progress = opts.onProgress ?? (() => {});
  let nfe = p.referenceNfe;
  const ranked: { c: TuneCandidate; rms: number }[] = [];
  for (const c of candidates) {
    const b = await baselinesOf(p, c.sampler, c.options);
    nfe += b.nfe;
    ranked.push({ c, rms: b.baselines[b.start] });
  }
  ranked.sort((a, b) => a.rms - b.rms);
  const top = ranked.slice(0, Math.min(k, ranked.length));
  let pick: { c: TuneCandidate; r: Omit<TuneResult, 'referenceNfe'> } | null = null;
  const tried: TuneAutoResult['tried'][number][] = [];
  let evals = 0;
  for (let i = 0; i < top.length; i++) {
    const r = await tuneOn(p, top[i].c.sampler, top[i].c.options, opts.maxEvals, (f) => progress(Math.min(0.999, (i + f) / top.length)), opts.refine ?? DEFAULT_REFINE);
    nfe += r.nfe;
    evals += r.objectiveEvaluations;
    tried.push({ sampler: top[i].c.sampler, options: top[i].c.options, validation: r.validation.tuned, builtin: top[i].rms });
    if (!pick || r.validation.tuned < pick.r.validation.tuned) pick = { c: top[i].c, r };
  }
  progress(1);
  const { c, r } = pick!;
  return { ...r, sampler: c.sampler, samplerOptions: c.options, tried, nfe, referenceNfe: p.referenceNfe, objectiveEvaluations: evals };
}

/**
 * Default second-stage budget per sampler: 100 evaluations (about +12 % tuning NFE at 10 steps).
 * Random mixtures, 10 NFE, RMS on 40000 held-out points: 0.0846 -> 0.0781, 0.0665 -> 0.0665,
 * 0.100 -> 0.0992 (bench/RESULTS.md, accuracy-random notes).
 */
export const DEFAULT_REFINE = 100;

/**
 * Coordinate search on single grid points: z are the log increments of the grid's logSnr fractions
 * (as in tuneOn); each interior point i moves to a fraction `delta` of the way towards either
 * neighbour (the others stay), improvements are kept, and delta halves after a sweep without one.
 */
export async function coordinateSearch(f: (z: number[]) => Promise<number>, z0: readonly number[], budget: number): Promise<{ x: number[]; f: number }> {
  const toC = (z: readonly number[]): number[] => {
    const m = Math.max(...z);
    const w = z.map((v) => Math.exp(v - m));
    const sum = w.reduce((a, b) => a + b, 0);
    const c = [0];
    for (let i = 0; i < z.length - 1; i++) c.push(c[i] + w[i] / sum);
    return [...c, 1];
  };
  const toZ = (c: readonly number[]): number[] => c.slice(1).map((v, i) => Math.log(v - c[i]));
  let c = toC(z0);
  let best = { x: [...z0], f: await f([...z0]) };
  let used = 1;
  for (let delta = 0.3; delta > 1e-3 && used < budget; ) {
    let improved = false;
    for (let i = 1; i < c.length - 1 && used < budget; i++) {
      for (const side of [1, -1]) {
        if (used >= budget) break;
        const trial = [...c];
        trial[i] = c[i] + delta * (c[i + side] - c[i]);
        const x = toZ(trial);
        const v = await f(x); used++;
        if (v < best.f) { best = { x, f: v }; c = trial; improved = true; break; }
      }
    }
    if (!improved) delta /= 2;
  }
  return best;
}

/** Nelder-Mead minimisation (standard coefficients 1, 2, 1/2, 1/2) within a budget of evaluations. */
export async function nelderMead(f: (x: number[]) => Promise<number>, x0: readonly number[], step: number, budget: number): Promise<{ x: number[]; f: number }> {
  const d = x0.length;
  const pts: { x: number[]; f: number }[] = [{ x: [...x0], f: await f([...x0]) }];
  let used = 1;
  for (let i = 0; i < d && used < budget; i++) {
    const x = [...x0];
    x[i] += step;
    pts.push({ x, f: await f(x) });
    used++;
  }
  if (pts.length < d + 1) return pts.reduce((a, b) => (b.f < a.f ? b : a));
  const at = (c: number[], w: number[], t: number): number[] => c.map((v, i) => v + t * (w[i] - v));
  while (used < budget) {
    pts.sort((a, b) => a.f - b.f);
    if (pts[d].f - pts[0].f <= 1e-12 * Math.abs(pts[0].f)) break;
    const c = new Array<number>(d).fill(0);
    for (let k = 0; k < d; k++) for (let i = 0; i < d; i++) c[i] += pts[k].x[i] / d;
    const worst = pts[d];
    const xr = at(c, worst.x, -1);
    const fr = await f(xr); used++;
    if (fr < pts[0].f) {
      const xe = at(c, worst.x, -2);
      const fe = await f(xe); used++;
      pts[d] = fe < fr ? { x: xe, f: fe } : { x: xr, f: fr };
    } else if (fr < pts[d - 1].f) {
      pts[d] = { x: xr, f: fr };
    } else {
      const xc = fr < worst.f ? at(c, xr, 0.5) : at(c, worst.x, 0.5);
      const fc = await f(xc); used++;
      if (fc < Math.min(fr, worst.f)) pts[d] = { x: xc, f: fc };
      else {
        for (let k = 1; k <= d && used < budget; k++) {
          const x = at(pts[0].x, pts[k].x, 0.5);
          pts[k] = { x, f: await f(x) }; used++;
        }
      }
    }
  }
  return pts.reduce((a, b) => (b.f < a.f ? b : a));
}
