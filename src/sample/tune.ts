/**
 * Step-grid tuning (`sdekit tune`): for one scheme, score, sampler and budget of `steps`, find the
 * grid times that bring the sampler closest to the exact probability-flow map, in the spirit of
 * "Align Your Steps" (Sabour et al. 2024: optimise the discretisation for the given model and NFE),
 * but with the error measured directly instead of through their KL upper bound:
 *
 *   minimise  E(grid) = sqrt( mean_i || sampler(x_T^i; grid) - Phi(x_T^i) ||^2 )
 *
 * over `n` starting points x_T^i = sigma(T) z_i (z_i from `seed`), where Phi is the PF-ODE solution
 * from T to t0 by adaptive Dormand-Prince (rk45 at rtol = atol = 1e-8), computed once. The grid's
 * interior points are parameterised by their logSnr positions: logSnr_i = l_T + (l_0 - l_T) * (sum of the
 * first i of softmax(z)) (always increasing, inside the range), and z is optimised by Nelder-Mead
 * (Nelder & Mead 1965; derivative free; the objective is a full sampler run, not differentiable
 * through the sampler's order switches), started from the best of the built-in spacings and
 * restarted once from its optimum. Against overfitting the `n` points, the tuned grid is kept only
 * if it also beats the start grid on `n` other starting points (a validation set, its own rk45
 * reference); else the start grid is returned. The tuning cost in model evaluations is reported: the
 * two reference solves plus steps x (objective evaluations + validation runs).
 */
import { UserError } from '../errors.ts';
import type { ScoreModel } from '../score/model.ts';
import type { Scheme } from '../scheme/types.ts';
import { createRng } from '../rng.ts';
import { sample } from './sample.ts';
import type { SampleOptions } from './sample.ts';
import { finiteLogSnrAtStart, makeGrid, pointAt } from './steps.ts';
import type { Spacing } from '../scheme/spacing.ts';

/** Options of {@link tuneGrid}. */
export interface TuneOptions {
  readonly scheme: Scheme;
  readonly model: ScoreModel;
  readonly sampler: string;
  readonly steps: number;
  /** starting points of the objective (default 512) */
  readonly n?: number;
  /** seed of their noise (default 0) */
  readonly seed?: number;
  /** objective evaluations of the optimiser (default 60 steps + 200) */
  readonly maxEvals?: number;
  /** sampler settings passed through (order, variant, form, ...) */
  readonly samplerOptions?: Partial<Pick<SampleOptions, 'order' | 'variant' | 'lowerOrderFinal' | 'form' | 'eta' | 'rho'>>;
  readonly onProgress?: (fraction: number) => void;
}

/** What {@link tuneGrid} returns. */
export interface TuneResult {
  /** the tuned grid, [T, ..., t0] strictly descending */
  readonly times: number[];
  /** RMS distance to the exact PF-ODE solution on the tuned grid */
  readonly rms: number;
  /** RMS of each built-in spacing tried, and the one the search started from */
  readonly baselines: Readonly<Record<string, number>>;
  readonly start: string;
  /** RMS of the tuned and of the start grid on the validation points */
  readonly validation: { readonly tuned: number; readonly start: number };
  /** model evaluations the tuning cost: the reference solves, and all sampler runs */
  readonly referenceNfe: number;
  readonly nfe: number;
  readonly objectiveEvaluations: number;
}

const SPACINGS_TRIED: readonly Spacing[] = ['logsnr', 'uniform-t', 'time-quadratic'];

/** RMS over rows of the Euclidean distance between two n x dim arrays. */
export function rmsDistance(a: Float64Array, b: Float64Array, n: number): number {
  let s = 0;
  for (let i = 0; i < a.length; i++) s += (a[i] - b[i]) ** 2;
  return Math.sqrt(s / n);
}

/** Tune the grid of a sampler for a scheme and score. */
export async function tuneGrid(opts: TuneOptions): Promise<TuneResult> {
  const { scheme, model, sampler, steps } = opts;
  const n = opts.n ?? 512;
  const seed = opts.seed ?? 0;
  if (!Number.isInteger(steps) || steps < 2) throw new UserError('--steps', 'must be an integer >= 2 to tune (one step has no interior point)', { value: steps });
  const lA = finiteLogSnrAtStart(scheme);
  const lB = pointAt(scheme, scheme.t0).logSnr;
  if (!Number.isFinite(lB)) throw new UserError('--scheme', `tune needs sigma(t0) > 0 (${scheme.name} has sigma = 0 at t0 = ${scheme.t0})`, { value: scheme.name });
  const noise = createRng(seed).fillNormal(new Float64Array(n * model.dim));
  const progress = opts.onProgress ?? (() => {});
  const ref = await sample({ scheme, model, sampler: 'rk45', steps: 1, spacing: 'uniform-t', noise, rtol: 1e-8, atol: 1e-8 });
  let nfe = ref.nfe;
  let evals = 0;
  const maxEvals = opts.maxEvals ?? 60 * steps + 200;
  const run = async (times: number[] | undefined, spacing?: Spacing): Promise<number> => {
    const r = await sample({ scheme, model, sampler, steps, spacing, times, noise, ...opts.samplerOptions });
    nfe += r.nfe;
    evals++;
    progress(Math.min(0.999, evals / (maxEvals + SPACINGS_TRIED.length)));
    return rmsDistance(r.samples, ref.samples, n);
  };
  // the built-in spacings; the search starts from the best
  const baselines: Record<string, number> = {};
  let start: Spacing = 'logsnr';
  for (const sp of SPACINGS_TRIED) {
    baselines[sp] = await run(undefined, sp);
    if (baselines[sp] < baselines[start]) start = sp;
  }
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
    const e = await run(times);
    return Number.isFinite(e) ? e : Infinity;
  };
  // z of the start grid: log of its logSnr increments (the first from the finite cap lA)
  const g = makeGrid(scheme, { spacing: start, steps });
  const ls = g.map((p, i) => (i === 0 ? lA : i === steps ? lB : p.logSnr));
  let z = ls.slice(1).map((l, i) => Math.log(Math.max(1e-6 * (lB - lA), l - ls[i])));
  let best = baselines[start];
  for (let round = 0; round < 2 && evals < maxEvals + SPACINGS_TRIED.length; round++) {
    const r = await nelderMead(objective, z, 0.4 / (round + 1), maxEvals + SPACINGS_TRIED.length - evals);
    if (r.f < best) { best = r.f; z = r.x; }
  }
  // validation on other starting points: keep the tuned grid only if it is better there too
  const startTimes = g.map((p) => p.t);
  const tunedTimes = best < baselines[start] ? toTimes(z)! : startTimes;
  const vNoise = createRng(seed + 1_000_003).fillNormal(new Float64Array(n * model.dim));
  const vRef = await sample({ scheme, model, sampler: 'rk45', steps: 1, spacing: 'uniform-t', noise: vNoise, rtol: 1e-8, atol: 1e-8 });
  nfe += vRef.nfe;
  const check = async (times: number[]): Promise<number> => {
    const r = await sample({ scheme, model, sampler, steps, times, noise: vNoise, ...opts.samplerOptions });
    nfe += r.nfe;
    return rmsDistance(r.samples, vRef.samples, n);
  };
  const vStart = await check(startTimes);
  const vTuned = tunedTimes === startTimes ? vStart : await check(tunedTimes);
  const keep = vTuned < vStart;
  progress(1);
  return {
    times: keep ? tunedTimes : startTimes, rms: keep ? best : baselines[start], baselines, start, validation: { tuned: vTuned, start: vStart },
    referenceNfe: ref.nfe + vRef.nfe, nfe, objectiveEvaluations: evals,
  };
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
