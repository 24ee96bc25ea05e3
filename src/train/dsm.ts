/**
 * Denoising score matching (MATH.md section 4; Vincent 2011, Ho et al. 2020, Song et al. 2021):
 *
 *     L = E_{t, x0, eps} [ w(t) r(t) || eps_hat(alpha x0 + sigma eps, t) - eps ||^2 ]
 *
 * with w(t) the eps-space weighting derived from the scheme (simple | elbo | likelihood | edm,
 * src/reverse/weighting.ts) and r(t) the time sampler's importance ratio. The same objective is
 * regressed in the chosen parameterisation: with pred = a x + b F (src/score/precond.ts) and
 * |d eps / d pred| = k(t),
 *
 *     w r ||eps_hat - eps||^2 = w r k^2 b^2 || F - (target - a x)/b ||^2,
 *
 * so the host computes, in float64, the network's own target and one weight per sample; the
 * device only evaluates mean_b( weight_b * mean_d (F - target)^2 ).
 */
import { UserError } from '../errors.ts';
import type { Scheme } from '../scheme/types.ts';
import { weighting, type WeightingName } from '../reverse/weighting.ts';
import { epsPerPred, headCoefficientsAt, predTarget, type HeadConfig } from '../score/precond.ts';
import type { Rng } from '../rng.ts';
import { timeSampler, type TimeSampler, type TimeSampling } from './timeSampling.ts';

export { WEIGHTINGS, type WeightingName } from '../reverse/weighting.ts';
export { disposeBatch, dsmLoss, uploadBatch, type DsmBatch, type DsmTensors } from './dsmLoss.ts';
import type { DsmBatch } from './dsmLoss.ts';

/** Objective configuration (stored in config.json). */
export interface DsmConfig {
  readonly head: HeadConfig;
  readonly weighting: WeightingName;
  readonly time: TimeSampling;
  /** probability of replacing the label by the null class (classifier-free guidance) */
  readonly pUncond: number;
  /** classes of the data (0: unconditional) */
  readonly numClasses: number;
}

/** Builds DSM batches for one scheme and config. */
export class DsmObjective {
  private readonly w: (t: number) => number;
  private readonly sampleT: TimeSampler;

  constructor(readonly scheme: Scheme, readonly cfg: DsmConfig) {
    this.w = weighting(scheme, cfg.weighting, { sigmaData: cfg.head.sigmaData });
    this.sampleT = timeSampler(scheme, cfg.time);
    if (!(cfg.pUncond >= 0 && cfg.pUncond < 1)) throw new UserError('--p-uncond', 'must be in [0, 1)', { value: cfg.pUncond });
  }

  /**
   * Draw times, label dropout and noise (in this order, from `rng`) for the clean batch `x0`
   * ([n * D]) and produce the device batch.
   */
  batch(x0: Float32Array, labels: Int32Array | null, n: number, rng: Rng): DsmBatch {
    const D = x0.length / n;
    const { head, numClasses } = this.cfg;
    const t = new Float64Array(n), cNoise = new Float32Array(n), weight = new Float32Array(n);
    const coeffs = [];
    for (let i = 0; i < n; i++) {
      const s = this.sampleT(rng);
      const c = headCoefficientsAt(this.scheme, head, s.t);
      const k = epsPerPred(head.pred, c.alpha, c.sigma);
      const lw = this.w(s.t) * s.ratio * k * k * c.b * c.b;
      if (!Number.isFinite(lw) || lw < 0) throw new Error(`loss weight ${lw} at t = ${s.t} (${this.cfg.weighting}, pred ${head.pred})`);
      t[i] = s.t; cNoise[i] = c.cNoise; weight[i] = lw;
      coeffs.push(c);
    }
    let lab: Int32Array | null = null;
    if (numClasses > 0) {
      if (!labels) throw new Error('a class-conditional objective needs labels');
      lab = Int32Array.from(labels);
      if (this.cfg.pUncond > 0) for (let i = 0; i < n; i++) if (rng.uniform() < this.cfg.pUncond) lab[i] = numClasses;
    }
    const eps = rng.fillNormal(new Float64Array(n * D));
    const xIn = new Float32Array(n * D), target = new Float32Array(n * D);
    for (let i = 0; i < n; i++) {
      const c = coeffs[i];
      for (let j = i * D; j < (i + 1) * D; j++) {
        const xt = c.alpha * x0[j] + c.sigma * eps[j];
        xIn[j] = c.cIn * xt;
        target[j] = (predTarget(head.pred, c.alpha, c.sigma, x0[j], eps[j]) - c.a * xt) / c.b;
      }
    }
    return { n, xIn, cNoise, labels: lab, target, weight, t };
  }
}
