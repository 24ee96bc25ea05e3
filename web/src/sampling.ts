/**
 * Sampling for the animation: the library's own engine (src/sample/sample.ts, every registered
 * sampler) on the exact mixture score (src/score/gmm.ts). The frames of the animation are the
 * states at which the sampler evaluates the model: a thin wrapper around the model records a copy
 * of x_t and its noise level at every evaluation, plus the start x_T and the returned samples.
 * No sampler code is touched and nothing is recomputed in the page.
 */
import type { NoiseLevel, ScoreModel } from '../../src/score/model.ts';
import { GaussianMixtureModel, type GmmSpec } from '../../src/score/gmm.ts';
import { sample } from '../../src/sample/sample.ts';
import { makeGrid } from '../../src/sample/steps.ts';
import type { Spacing } from '../../src/scheme/spacing.ts';
import type { Scheme } from '../../src/scheme/types.ts';

/** One animation frame: particle positions (n x 2, float32) at a noise level. */
export interface Frame {
  readonly t: number;
  readonly alpha: number;
  readonly sigma: number;
  readonly x: Float32Array;
}

/** Result of one run. */
export interface Run {
  readonly frames: Frame[];
  /** final samples in float64 (n x 2) */
  readonly samples: Float64Array;
  readonly nfe: number;
  readonly seconds: number;
}

/** Settings of one run. */
export interface RunOptions {
  readonly scheme: Scheme;
  readonly gmm: GmmSpec;
  readonly sampler: string;
  readonly spacing: Spacing;
  readonly steps: number;
  readonly lambda: number;
  readonly n: number;
  readonly seed: number;
  /** keep at most this many frames (evenly thinned; first and last kept) */
  readonly maxFrames?: number;
  /** polled at every model evaluation; true aborts the run with {@link RunCancelled} */
  readonly cancelled?: () => boolean;
}

/**
 * Wraps a model and records x_t at every evaluation. The frames keep a decreasing time axis:
 * an evaluation at a time at or above earlier frames (a rejected adaptive step, Hairer's
 * initial-step probe, a corrector or Heun's re-evaluation at the same t) replaces them.
 */
class RecordingModel implements ScoreModel {
  readonly frames: Frame[] = [];
  private lastYield = performance.now();
  constructor(private readonly inner: ScoreModel, private readonly cancelled: () => boolean) {}
  get dim(): number { return this.inner.dim; }
  get parameterization() { return this.inner.parameterization; }
  predict(x: Float64Array, n: number, at: NoiseLevel, out: Float64Array): void | Promise<void> {
    if (this.cancelled()) throw new RunCancelled();
    this.record(x, n, at);
    this.inner.predict(x, n, at, out);
    // give the page a turn every ~30 ms of sampling, so sliders stay responsive
    if (performance.now() - this.lastYield < 30) return;
    return new Promise<void>((ok) => setTimeout(() => { this.lastYield = performance.now(); ok(); }, 0));
  }
  private record(x: Float64Array, n: number, at: NoiseLevel): void {
    while (this.frames.length > 1 && this.frames[this.frames.length - 1].t <= at.t) this.frames.pop();
    const keepStart = this.frames.length === 1 && this.frames[0].t <= at.t;
    if (!keepStart) this.frames.push({ t: at.t, alpha: at.alpha, sigma: at.sigma, x: Float32Array.from(x.subarray(0, n * this.dim)) });
  }
}

/** Thrown inside a run that a newer run has replaced. */
export class RunCancelled extends Error {
  constructor() { super('run replaced by a newer one'); this.name = 'RunCancelled'; }
}

/** Run a sampler on the exact mixture score and collect the animation frames. */
export async function runSampler(o: RunOptions): Promise<Run> {
  const rec = new RecordingModel(new GaussianMixtureModel(o.gmm), o.cancelled ?? (() => false));
  const r = await sample({
    scheme: o.scheme, model: rec, sampler: o.sampler, steps: o.steps, spacing: o.spacing,
    n: o.n, seed: o.seed, lambda: o.lambda,
  });
  const frames = rec.frames;
  // the returned samples sit at the last grid point (t0, or the data point sigma = 0)
  const grid = makeGrid(o.scheme, { spacing: o.spacing, steps: o.steps, rho: 7 });
  const last = grid[grid.length - 1];
  const end = { t: last.t, alpha: last.alpha, sigma: last.sigma };
  // (an evaluation at the last time itself, e.g. Heun's corrector at t0, is replaced by the result)
  while (frames.length > 1 && frames[frames.length - 1].t <= end.t) frames.pop();
  frames.push({ ...end, x: Float32Array.from(r.samples) });
  return { frames: thin(frames, o.maxFrames ?? 400), samples: r.samples, nfe: r.nfe, seconds: r.seconds };
}

function thin(frames: Frame[], max: number): Frame[] {
  if (frames.length <= max) return frames;
  const out: Frame[] = [];
  for (let i = 0; i < max; i++) out.push(frames[Math.round((i * (frames.length - 1)) / (max - 1))]);
  return out;
}

/** How well final samples match the mixture: the share within 3 std of a mode and the occupancy gap. */
export interface ModeStats {
  /** fraction of samples within 3 standard deviations of some component mean */
  readonly onMode: number;
  /** total variation between the share of samples nearest each component and the weights */
  readonly occupancyTv: number;
}

/** Compare final samples (n x 2) with the mixture's components. */
export function modeStats(samples: Float64Array, g: GmmSpec): ModeStats {
  const K = g.weights.length, n = samples.length / 2;
  const W = g.weights.reduce((a, b) => a + b, 0);
  const count = new Float64Array(K);
  let on = 0;
  for (let i = 0; i < n; i++) {
    const x = samples[2 * i], y = samples[2 * i + 1];
    let best = 0, bestZ = Infinity;
    for (let k = 0; k < K; k++) {
      const z = Math.hypot(x - g.means[k][0], y - g.means[k][1]) / g.stds[k];
      if (z < bestZ) { bestZ = z; best = k; }
    }
    count[best]++;
    // within 3 std in 2-D: chi-square(2) leaves exp(-4.5) = 1.1% outside
    if (bestZ < 3) on++;
  }
  let tv = 0;
  for (let k = 0; k < K; k++) tv += Math.abs(count[k] / n - g.weights[k] / W);
  return { onMode: on / n, occupancyTv: tv / 2 };
}
