/**
 * The sampler contract: every sampler is a function of (x_start, context) -> samples that reads
 * only the scheme's float64 views (alpha, sigma, logSnr, its inverse, dalpha, dsigma, g2) and the
 * model's views; no sampler contains per-scheme code. A sampler is written once against
 * {@link VectorOps} (`runOn`) and runs on host float64 arrays (`run`) or on device buffers.
 */
import type { ModelViews } from '../score/model.ts';
import type { VectorOps } from './ops.ts';
import type { Scheme } from '../scheme/types.ts';
import type { Rng } from '../rng.ts';
import type { GridOptions, GridPoint } from './steps.ts';

/** Stochastic churn of EDM Algorithm 2 (k-diffusion names). */
export interface Churn {
  readonly sChurn: number;
  readonly sTmin: number;
  readonly sTmax: number;
  readonly sNoise: number;
}

/** Sampler-specific settings; each sampler reads the ones it documents. */
export interface SamplerOptions {
  /** lambda of the reverse lambda-family (euler-maruyama); 1 = reverse SDE, 0 = PF-ODE */
  readonly lambda: number;
  /** DDIM eta (default 0) / DPM-Solver++(2M) SDE eta (default 1) */
  readonly eta?: number;
  readonly churn: Churn;
  /** rk45 tolerances */
  readonly rtol: number;
  readonly atol: number;
  /** pc: Langevin corrector signal-to-noise ratio and corrector steps per predictor step */
  readonly snr: number;
  readonly correctorSteps: number;
  /** unipc / deis / ipndm: the multistep order (unipc and deis 1..3, default 3; ipndm 1..4, default 4) */
  readonly order?: number;
  /** unipc: B(h) = h (bh1) or e^h - 1 (bh2, default) */
  readonly variant?: 'bh1' | 'bh2';
  /** unipc: step i of n uses order <= n + 1 - i (the reference's lower_order_final; default true) */
  readonly lowerOrderFinal?: boolean;
  /** dpm-solver++3m: dpm-solver's reference D2 term and no start-up corrector, or ours (see the sampler) */
  readonly form?: 'reference' | 'taylor';
}

/** Default sampler settings (score_sde: snr 0.16, one corrector step; EDM: no churn; rk45: 1e-5). */
export const DEFAULT_SAMPLER_OPTIONS: SamplerOptions = {
  lambda: 1,
  churn: { sChurn: 0, sTmin: 0, sTmax: Infinity, sNoise: 1 },
  rtol: 1e-5,
  atol: 1e-5,
  snr: 0.16,
  correctorSteps: 1,
};

/** Everything a sampler needs besides the starting state. */
export interface SamplerContext {
  readonly scheme: Scheme;
  readonly model: ModelViews;
  /** the step grid (steps + 1 points, first = start of sampling) */
  readonly grid: readonly GridPoint[];
  /** how the grid was built (samplers that re-split `--steps` rebuild from it) */
  readonly gridOptions: GridOptions;
  /** batch rows and dimension */
  readonly n: number;
  readonly dim: number;
  /** noise for stochastic steps */
  readonly rng: Rng;
  readonly options: SamplerOptions;
  /** progress report in [0, 1] */
  readonly progress: (fraction: number) => void;
}

/** The context of a sampler run on arrays of type V: the model and the noise come through `ops`. */
export interface OpsContext<V> extends Omit<SamplerContext, 'model'> {
  readonly ops: VectorOps<V>;
}

/** The algorithm of a sampler, once, for any array type. */
export interface SamplerAlgorithm {
  readonly name: string;
  /** one line for `--help` */
  readonly summary: string;
  /** true when the sampler draws noise during sampling */
  readonly stochastic: boolean;
  /** Run from x at grid[0] (not modified); returns the samples (a new array). */
  runOn<V>(x: V, ctx: OpsContext<V>): Promise<V>;
}

/** A registered sampler. */
export interface Sampler extends SamplerAlgorithm {
  /** Run on host float64 arrays from x at grid[0] (not modified); returns the samples. */
  run(x: Float64Array, ctx: SamplerContext): Promise<Float64Array>;
}
