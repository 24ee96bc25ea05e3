/**
 * A trained network as a {@link ScoreModel} for the samplers and the likelihood ODE.
 *
 * The model predicts its training parameterisation, pred = a x + b F(c_in x, c_noise, class)
 * (precond.ts), at any noise level (alpha, sigma) the sampler asks for. Class conditioning and
 * classifier-free guidance (Ho & Salimans 2022; MATH.md section 7) act on F:
 * F_tilde = (1 + w) F(c) - w F(null). The parameterisations are affine in F at fixed x, so this
 * is exactly eps_tilde = (1 + w) eps(x, t, c) - w eps(x, t, null) in every view.
 *
 * For the likelihood ODE the model also returns the divergence of its score, exactly (one
 * backward pass over a D-fold replicated batch) or by Hutchinson's estimator z^T (dF/du) z.
 */
import * as tf from '@tensorflow/tfjs';
import { UserError } from '../errors.ts';
import type { Net, Weights } from './layers.ts';
import type { NoiseLevel, ScoreModel } from './model.ts';
import { headCoefficients, type HeadConfig, type Pred } from './precond.ts';

/** Sampling-time conditioning. */
export interface Conditioning {
  /** class of every row (a number), per-row classes, or null/undefined for unconditional */
  readonly classLabel?: number | Int32Array | null;
  /** classifier-free guidance weight w (0: plain conditional model) */
  readonly guidance?: number;
}

/** How the score's divergence is computed. */
export type DivergenceMode = { kind: 'exact' } | { kind: 'hutchinson'; z: Float64Array };

/** A score model that can also return div_x s(x, t) (used by the likelihood ODE). */
export interface DifferentiableScoreModel extends ScoreModel {
  /** score s(x, t) into `score` and its divergence into `div` (n values). */
  scoreAndDivergence(x: Float64Array, n: number, at: NoiseLevel, mode: DivergenceMode, score: Float64Array, div: Float64Array): Promise<void>;
}

/** True when `m` implements {@link DifferentiableScoreModel}. */
export function isDifferentiable(m: ScoreModel): m is DifferentiableScoreModel {
  return typeof (m as Partial<DifferentiableScoreModel>).scoreAndDivergence === 'function';
}

/** Score s = p x + q pred at (alpha, sigma), for each parameterisation (MATH.md section 2). */
function scoreFromPred(pred: Pred, alpha: number, sigma: number): { p: number; q: number } {
  switch (pred) {
    case 'eps': return { p: 0, q: -1 / sigma };
    case 'x0': return { p: -1 / (sigma * sigma), q: alpha / (sigma * sigma) };
    case 'v': { const r2 = alpha * alpha + sigma * sigma; return { p: -1 / r2, q: -alpha / (sigma * r2) }; }
    case 'score': return { p: 0, q: 1 };
  }
}

/** Trained network + head + conditioning, evaluated on host batches. */
export class NeuralScoreModel implements DifferentiableScoreModel {
  readonly dim: number;
  readonly parameterization: Pred;
  private readonly chunk: number;

  constructor(
    readonly net: Net,
    readonly weights: Weights,
    readonly head: HeadConfig,
    /** per-sample data shape */
    readonly shape: readonly number[],
    readonly numClasses: number,
    readonly cond: Conditioning = {},
  ) {
    this.dim = shape.reduce((a, b) => a * b, 1);
    this.parameterization = head.pred;
    this.chunk = this.dim <= 16 ? 8192 : 256;
    const c = cond.classLabel;
    if (typeof c === 'number' && (numClasses === 0 || !Number.isInteger(c) || c < 0 || c >= numClasses)) {
      throw new UserError('--class', numClasses === 0 ? 'the model is unconditional' : `must be an integer in [0, ${numClasses - 1}]`, { value: c });
    }
    if ((cond.guidance ?? 0) !== 0 && numClasses === 0) throw new UserError('--guidance', 'needs a class-conditional model', { value: cond.guidance });
    if ((cond.guidance ?? 0) !== 0 && (c === null || c === undefined)) throw new UserError('--guidance', 'needs --class');
  }

  /** Labels for rows [r0, r0 + n) (the null class when unconditional), or null for an unconditional net. */
  private labels(r0: number, n: number, nullClass = false): tf.Tensor1D | null {
    if (this.numClasses === 0) return null;
    const a = new Int32Array(n);
    const c = this.cond.classLabel;
    for (let i = 0; i < n; i++) a[i] = nullClass || c === null || c === undefined ? this.numClasses : typeof c === 'number' ? c : c[r0 + i];
    return tf.tensor1d(a, 'int32');
  }

  /** The guided network output G(u) for rows [r0, r0 + n) (u = c_in x, shape [n, ...shape]). */
  private guided(u: tf.Tensor, cNoise: tf.Tensor1D, r0: number): tf.Tensor {
    const n = u.shape[0];
    const w = this.cond.guidance ?? 0;
    const lc = this.labels(r0, n);
    const Fc = this.net.apply(this.weights, u, cNoise, lc);
    if (w === 0) return Fc;
    const Fu = this.net.apply(this.weights, u, cNoise, this.labels(r0, n, true));
    return tf.sub(tf.mul(Fc, 1 + w), tf.mul(Fu, w));
  }

  /**
   * Synchronous on the cpu / wasm / native backends; on TensorFlow.js's WebGPU backend a promise,
   * since in Node it can only read results back asynchronously (dataSync needs OffscreenCanvas).
   */
  predict(x: Float64Array, n: number, at: NoiseLevel, out: Float64Array): void | Promise<void> {
    const c = headCoefficients(this.head, at.alpha, at.sigma, at.t);
    const D = this.dim;
    const pending: [number, tf.Tensor][] = [];
    const write = (r0: number, F: tf.Tensor, f: ArrayLike<number>): void => {
      for (let i = 0; i < F.size; i++) out[r0 * D + i] = c.a * x[r0 * D + i] + c.b * f[i];
      F.dispose();
    };
    const readAsync = tf.getBackend() === 'webgpu';
    for (let r0 = 0; r0 < n; r0 += this.chunk) {
      const m = Math.min(this.chunk, n - r0);
      const u = new Float32Array(m * D);
      for (let i = 0; i < m * D; i++) u[i] = c.cIn * x[r0 * D + i];
      const F = tf.tidy(() => this.guided(tf.tensor(u, [m, ...this.shape]), tf.fill([m], c.cNoise) as tf.Tensor1D, r0));
      if (readAsync) pending.push([r0, F]);
      else write(r0, F, F.dataSync());
    }
    if (readAsync) return (async () => { for (const [r0, F] of pending) write(r0, F, await F.data()); })();
  }

  async scoreAndDivergence(x: Float64Array, n: number, at: NoiseLevel, mode: DivergenceMode, score: Float64Array, div: Float64Array): Promise<void> {
    const c = headCoefficients(this.head, at.alpha, at.sigma, at.t);
    const { p, q } = scoreFromPred(this.head.pred, at.alpha, at.sigma);
    if (!Number.isFinite(p) || !Number.isFinite(q)) throw new Error(`score of a ${this.head.pred}-model is undefined at t = ${at.t} (sigma = ${at.sigma})`);
    const D = this.dim;
    // s = (p + q a) x + q b F(c_in x);  div s = D (p + q a) + q b c_in div_u F
    const lin = p + q * c.a, gain = q * c.b;
    const rep = mode.kind === 'exact' ? D : 1;
    const rows = Math.max(1, Math.floor(this.chunk / rep));
    for (let r0 = 0; r0 < n; r0 += rows) {
      const m = Math.min(rows, n - r0);
      const u = new Float32Array(rep * m * D), cot = new Float32Array(rep * m * D);
      for (let k = 0; k < rep; k++) {
        for (let i = 0; i < m; i++) {
          for (let j = 0; j < D; j++) {
            const src = (r0 + i) * D + j, dst = (k * m + i) * D + j;
            u[dst] = c.cIn * x[src];
            cot[dst] = mode.kind === 'exact' ? (j === k ? 1 : 0) : mode.z[src];
          }
        }
      }
      let Fkept: tf.Tensor | null = null;
      const labelsRow0 = r0;
      const g = tf.tidy(() => {
        const uT = tf.tensor(u, [rep * m, ...this.shape]);
        const cotT = tf.tensor(cot, [rep * m, ...this.shape]);
        const cn = tf.fill([rep * m], c.cNoise) as tf.Tensor1D;
        return tf.grad((uu: tf.Tensor) => {
          const F = rep === 1 ? this.guided(uu, cn, labelsRow0) : this.guidedRep(uu, cn, labelsRow0, m, rep);
          Fkept = tf.keep(F);
          return tf.sum(tf.mul(F, cotT));
        })(uT);
      });
      const gv = g.dataSync(), fv = (Fkept as unknown as tf.Tensor).dataSync();
      tf.dispose([g, Fkept as unknown as tf.Tensor]);
      for (let i = 0; i < m; i++) {
        let d = 0;
        for (let k = 0; k < rep; k++) {
          for (let j = 0; j < D; j++) {
            const idx = (k * m + i) * D + j;
            d += mode.kind === 'exact' ? (j === k ? gv[idx] : 0) : gv[idx] * cot[idx];
          }
        }
        div[r0 + i] = D * lin + gain * c.cIn * d;
        for (let j = 0; j < D; j++) score[(r0 + i) * D + j] = lin * x[(r0 + i) * D + j] + gain * fv[i * D + j];
      }
    }
  }

  /** G on a D-fold replicated batch: copy k holds rows [r0, r0 + m) again. */
  private guidedRep(u: tf.Tensor, cNoise: tf.Tensor1D, r0: number, m: number, rep: number): tf.Tensor {
    if (this.numClasses === 0 || typeof this.cond.classLabel !== 'object' || this.cond.classLabel === null) return this.guided(u, cNoise, r0);
    // per-row labels: replicate them for every copy
    const per = this.cond.classLabel;
    const lab = new Int32Array(rep * m);
    for (let k = 0; k < rep; k++) for (let i = 0; i < m; i++) lab[k * m + i] = per[r0 + i];
    const sub = new NeuralScoreModel(this.net, this.weights, this.head, this.shape, this.numClasses, { ...this.cond, classLabel: lab });
    return sub.guided(u, cNoise, 0);
  }

  /** Free the weights. */
  dispose(): void { tf.dispose(Object.values(this.weights)); }
}
