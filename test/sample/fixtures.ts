/**
 * Test fixtures for the sampler engine: the built-in schemes, an exact Gaussian target, custom
 * grids on sub-intervals, and a direct runner that calls a sampler on a given grid.
 */
import { ModelViews } from '../../src/score/model.ts';
import type { ScoreModel } from '../../src/score/model.ts';
import { loadScheme } from '../../src/scheme/load.ts';
import type { Scheme } from '../../src/scheme/types.ts';
import { SAMPLERS } from '../../src/sample/registry.ts';
import type { SamplerName } from '../../src/sample/registry.ts';
import { createRng } from '../../src/rng.ts';
import { pointAt, pointAtLogSnr } from '../../src/sample/steps.ts';
import type { GridPoint } from '../../src/sample/steps.ts';
import type { Spacing } from '../../src/scheme/spacing.ts';
import { DEFAULT_SAMPLER_OPTIONS } from '../../src/sample/types.ts';
import type { SamplerOptions } from '../../src/sample/types.ts';

/** Built-in continuous schemes (MATH.md section 1 table). */
export const CONTINUOUS = ['vp-linear', 'sub-vp', 've', 'vp-cosine', 'edm', 'rectified-flow'] as const;
/** Built-in discrete (beta-table) schemes. */
export const DISCRETE = ['ddpm-linear-1000', 'sd-scaled-linear', 'squaredcos-cap-v2'] as const;
/** Every built-in. */
export const ALL_SCHEMES = [...CONTINUOUS, ...DISCRETE] as const;

const cache = new Map<string, Scheme>();
/** A built-in scheme (cached). */
export function scheme(name: string): Scheme {
  let s = cache.get(name);
  if (!s) { s = loadScheme(name); cache.set(name, s); }
  return s;
}

/** n + 1 points uniform in logSnr from la to lb (la < lb, both inside the scheme's range). */
export function logSnrGrid(s: Scheme, la: number, lb: number, n: number): GridPoint[] {
  return Array.from({ length: n + 1 }, (_, i) => pointAtLogSnr(s, la + (i / n) * (lb - la)));
}

/** n + 1 points uniform in t from ta down to tb. */
export function tGrid(s: Scheme, ta: number, tb: number, n: number): GridPoint[] {
  return Array.from({ length: n + 1 }, (_, i) => pointAt(s, i === n ? tb : ta + (i / n) * (tb - ta)));
}

/** Run a sampler directly on a grid from x (which is not modified); returns samples and nfe. */
export async function runOnGrid(
  name: SamplerName, s: Scheme, model: ScoreModel, grid: GridPoint[], x: Float64Array,
  opts: Partial<SamplerOptions> & { seed?: number; spacing?: Spacing } = {},
): Promise<{ samples: Float64Array; nfe: number }> {
  const views = new ModelViews(model);
  const samples = await SAMPLERS[name].run(x, {
    scheme: s, model: views, grid, gridOptions: { spacing: opts.spacing ?? 'uniform-t', steps: grid.length - 1 },
    n: x.length / model.dim, dim: model.dim, rng: createRng(opts.seed ?? 1), options: { ...DEFAULT_SAMPLER_OPTIONS, ...opts },
    progress: () => {},
  });
  return { samples, nfe: views.nfe };
}

/** Least-squares slope of log(err) against log(h) with h = 1/steps. */
export function fittedOrder(steps: readonly number[], errs: readonly number[]): number {
  const X = steps.map((s) => -Math.log(s));
  const Y = errs.map((e) => Math.log(e));
  const mx = X.reduce((a, b) => a + b, 0) / X.length;
  const my = Y.reduce((a, b) => a + b, 0) / Y.length;
  let num = 0, den = 0;
  for (let i = 0; i < X.length; i++) { num += (X[i] - mx) * (Y[i] - my); den += (X[i] - mx) ** 2; }
  return num / den;
}

/** max |a - b| */
export function maxAbsDiff(a: Float64Array, b: Float64Array): number {
  let m = 0;
  for (let i = 0; i < a.length; i++) m = Math.max(m, Math.abs(a[i] - b[i]));
  return m;
}
