/**
 * The sampling engine's entry point: build the step grid, start at x_T = sigma(T) * noise
 * (DESIGN.md), run a registered sampler, and report the samples with the number of model
 * evaluations actually made and the wall time. With `device`, an analytic model runs entirely on
 * float32 device buffers (src/kernels/deviceOps.ts): upload x_T, run, one readback at the end.
 */
import { UserError } from '../errors.ts';
import type { SampleDevice } from './ops.ts';
import { ModelViews } from '../score/model.ts';
import type { ScoreModel } from '../score/model.ts';
import type { Scheme } from '../scheme/types.ts';
import { SAMPLERS, SAMPLER_NAMES, isSamplerName } from './registry.ts';
import type { SamplerName } from './registry.ts';
import { createRng } from '../rng.ts';
import { defaultSpacing } from '../scheme/spacing.ts';
import { makeGrid, type GridOptions, type GridPoint } from './steps.ts';
import type { Spacing } from '../scheme/spacing.ts';
import { DEFAULT_SAMPLER_OPTIONS } from './types.ts';
import { chooseAuto, type AutoChoice } from './auto.ts';
import type { Churn, SamplerOptions } from './types.ts';

/** Options of {@link sample}. */
export interface SampleOptions {
  readonly scheme: Scheme;
  readonly model: ScoreModel;
  /** a registered sampler, or 'auto' (src/sample/auto.ts: the measured best for the budget and scheme kind) */
  readonly sampler: SamplerName | 'auto' | string;
  readonly steps: number;
  /** default: the scheme's declared grid, else 'uniform-t'; with sampler 'auto', or 'auto': the measured best */
  readonly spacing?: Spacing | 'auto';
  /** Karras exponent (default 7) */
  readonly rho?: number;
  /** explicit grid times [T, ..., t_end] (`--steps-file`); replaces spacing and steps */
  readonly times?: readonly number[];
  /** standard-normal rows (n x dim); when absent, `n` rows are drawn from `seed` */
  readonly noise?: Float64Array;
  readonly n?: number;
  /** seed of the initial noise (when drawn) and of the in-loop noise of stochastic samplers (default 0) */
  readonly seed?: number;
  readonly lambda?: number;
  readonly eta?: number;
  readonly churn?: Partial<Churn>;
  readonly rtol?: number;
  readonly atol?: number;
  readonly snr?: number;
  readonly correctorSteps?: number;
  /** unipc / deis / ipndm order (see each sampler) */
  readonly order?: number;
  /** unipc: bh1 | bh2 */
  readonly variant?: 'bh1' | 'bh2';
  /** unipc: lower-order final steps as the reference (default true) */
  readonly lowerOrderFinal?: boolean;
  /** dpm-solver++3m: reference | taylor */
  readonly form?: 'reference' | 'taylor';
  /** progress in [0, 1] */
  readonly onProgress?: (fraction: number) => void;
  /** run on this device (WebGPU: `webgpuDevice` of src/kernels/deviceOps.ts; analytic models only) */
  readonly device?: SampleDevice;
}

/** What {@link sample} returns. */
export interface SampleResult {
  /** n x dim, row-major */
  readonly samples: Float64Array;
  readonly n: number;
  readonly dim: number;
  /** model evaluations actually made */
  readonly nfe: number;
  readonly seconds: number;
  /** the sampler used (the pick of 'auto') */
  readonly sampler: SamplerName;
  /** the grid used ('steps-file' for explicit times) */
  readonly spacing: Spacing | 'steps-file';
  /** the sampler settings picked by 'auto' (empty otherwise) */
  readonly picked: AutoChoice['options'];
  /** "host" (float64 loops) or the device's description */
  readonly backend: string;
}

/** The grid settings, the grid and the sampler settings of {@link sample} (also what export --target torch-sampler traces). */
export function samplerSetup(
  scheme: Scheme, opts: Omit<SampleOptions, 'scheme' | 'model' | 'sampler' | 'spacing'> & { spacing?: Spacing }, picked: AutoChoice['options'] = {},
): { gridOptions: GridOptions; grid: GridPoint[]; options: SamplerOptions } {
  // when the caller sets none: the scheme's declared grid (e.g. EDM's Karras grid), else uniform-t, and its rho
  const gridOptions = {
    spacing: opts.spacing ?? defaultSpacing(scheme, false), steps: opts.times ? opts.times.length - 1 : opts.steps,
    rho: opts.rho ?? scheme.sampling?.rho ?? 7, times: opts.times,
  } as const;
  const grid = makeGrid(scheme, gridOptions);
  const options: SamplerOptions = {
    lambda: opts.lambda ?? DEFAULT_SAMPLER_OPTIONS.lambda,
    eta: opts.eta,
    churn: { ...DEFAULT_SAMPLER_OPTIONS.churn, ...opts.churn },
    rtol: opts.rtol ?? DEFAULT_SAMPLER_OPTIONS.rtol,
    atol: opts.atol ?? DEFAULT_SAMPLER_OPTIONS.atol,
    snr: opts.snr ?? DEFAULT_SAMPLER_OPTIONS.snr,
    correctorSteps: opts.correctorSteps ?? DEFAULT_SAMPLER_OPTIONS.correctorSteps,
    order: opts.order ?? picked.order,
    variant: opts.variant ?? picked.variant,
    lowerOrderFinal: opts.lowerOrderFinal,
    form: opts.form ?? picked.form,
  };
  return { gridOptions, grid, options };
}

/**
 * The sampler, grid spacing and settings a call runs with: `sampler: 'auto'` takes the measured
 * pick (src/sample/auto.ts) and its grid unless a spacing is given; `spacing: 'auto'` with a named
 * sampler takes that sampler's measured best grid; else the spacing given or the default rule.
 */
export function resolveSampler(scheme: Scheme, opts: Pick<SampleOptions, 'sampler' | 'spacing' | 'steps' | 'times'>): { name: SamplerName; spacing: Spacing; picked: AutoChoice['options'] } {
  if (opts.sampler !== 'auto' && !isSamplerName(opts.sampler)) throw new UserError('--sampler', `unknown sampler; known: auto, ${SAMPLER_NAMES.join(', ')}`, { value: opts.sampler });
  const budget = opts.times ? opts.times.length - 1 : opts.steps;
  if (opts.sampler === 'auto') {
    const c = chooseAuto(scheme, budget);
    return { name: c.sampler, spacing: opts.spacing === undefined || opts.spacing === 'auto' ? c.spacing : opts.spacing, picked: c.options };
  }
  const name = opts.sampler as SamplerName;
  return { name, spacing: opts.spacing === 'auto' ? chooseAuto(scheme, budget, name).spacing : opts.spacing ?? defaultSpacing(scheme, false), picked: {} };
}

/** Draw samples with a registered sampler. */
export async function sample(opts: SampleOptions): Promise<SampleResult> {
  const { scheme, model } = opts;
  const { name, spacing, picked } = resolveSampler(scheme, opts);
  const sampler = SAMPLERS[name];
  const dim = model.dim;
  const seed = opts.seed ?? 0;
  const rng = createRng(seed);
  const loopRng = rng.fork();
  let noise: Float64Array;
  let n: number;
  if (opts.noise) {
    if (opts.noise.length % dim !== 0) throw new UserError('--noise', `has ${opts.noise.length} numbers, not a multiple of the dimension ${dim}`);
    noise = opts.noise;
    n = noise.length / dim;
  } else {
    n = opts.n ?? 1;
    if (!Number.isInteger(n) || n < 1) throw new UserError('--n', 'must be an integer >= 1', { value: n });
    noise = rng.fillNormal(new Float64Array(n * dim));
  }
  const { gridOptions, grid, options } = samplerSetup(scheme, { ...opts, spacing }, picked);
  const sigmaT = grid[0].sigma; // sigma(T) unless a steps file starts below T
  const x = new Float64Array(n * dim);
  for (let i = 0; i < x.length; i++) x[i] = sigmaT * noise[i];
  const common = { scheme, grid, gridOptions, n, dim, rng: loopRng, options, progress: opts.onProgress ?? (() => {}) };
  let samples: Float64Array, nfe: number, backend: string;
  const start = performance.now();
  let seconds: number;
  if (opts.device) {
    const dev = await opts.device.open(model, loopRng, n);
    if (dev === null) throw new UserError('--backend', `sampling on ${opts.device.description} needs an analytic score (--score gmm:FILE)`);
    try {
      const t0 = performance.now(); // kernels compiled: time the run itself, upload to readback
      const out = await sampler.runOn(dev.upload(x), { ...common, ops: dev.ops });
      samples = await dev.download(out);
      seconds = (performance.now() - t0) / 1000;
      nfe = dev.ops.nfe;
      backend = opts.device.description;
    } finally {
      await dev.destroy();
    }
  } else {
    const views = new ModelViews(model);
    samples = await sampler.run(x, { ...common, model: views });
    seconds = (performance.now() - start) / 1000;
    nfe = views.nfe;
    backend = 'host';
  }
  for (let i = 0; i < samples.length; i++) {
    if (!Number.isFinite(samples[i])) {
      throw new Error(`sampler ${sampler.name} produced a non-finite value (row ${Math.floor(i / dim)}) on scheme ${scheme.name} with ${opts.steps} steps`);
    }
  }
  return { samples, n, dim, nfe, seconds, sampler: name, spacing: opts.times ? 'steps-file' : spacing, picked, backend };
}
