/**
 * The reference MLP training step that issue 6 uses to compare and benchmark backends:
 * input = [x (2), sinusoidal time embedding of t (128)] = 130 -> 256 -> 256 -> 256 -> 2, SiLU
 * activations, mean-squared error against a target (an epsilon-prediction loss, Ho et al. 2020,
 * eq. 14, with the noising done outside), Adam (Kingma & Ba 2015). Weights and batches come from a
 * seeded host PRNG, so every backend starts from bit-identical float32 values.
 *
 * Two formulations of the same function:
 * - 'plain': tf ops as a user would write them (matMul, add, x*sigmoid(x)) with `optimizer.minimize`;
 * - 'fused': one `tf.fused.matMul` per layer (matmul + bias in one kernel) and a SiLU with a
 *   hand-written gradient (fewer tape nodes), still through `optimizer.minimize`.
 */
import * as tf from '@tensorflow/tfjs';

/** Layer widths: [130, 256, 256, 256, 2] by default. */
export interface MlpConfig {
  readonly dataDim: number;
  readonly embDim: number;
  readonly hidden: number;
  readonly depth: number;
}

/** The workload: 2-d data, 128-d time embedding, three hidden layers of 256. */
export const REFERENCE_MLP: MlpConfig = { dataDim: 2, embDim: 128, hidden: 256, depth: 3 };

/** One training batch, host float32. */
export interface MlpBatch {
  readonly batch: number;
  /** batch x dataDim noisy inputs */
  readonly x: Float32Array;
  /** batch times in (0, 1) */
  readonly t: Float32Array;
  /** batch x dataDim regression targets (the noise) */
  readonly target: Float32Array;
}

/** Host float32 parameters: W0, b0, W1, b1, ... (W row-major fanIn x fanOut). */
export type MlpParams = Float32Array[];

/** mulberry32: a small seeded uniform PRNG on [0, 1). */
export function mulberry32(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** Standard normal draws by Box-Muller from a uniform source. */
function gaussian(u: () => number, n: number): Float32Array {
  const out = new Float32Array(n);
  for (let i = 0; i < n; i += 2) {
    const r = Math.sqrt(-2 * Math.log(1 - u()));
    const th = 2 * Math.PI * u();
    out[i] = r * Math.cos(th);
    if (i + 1 < n) out[i + 1] = r * Math.sin(th);
  }
  return out;
}

/** Shapes of the parameters W0, b0, ...: W is fanIn x fanOut (fanOut = its bias's length), b is [fanOut]. */
export function paramShapes(params: MlpParams): number[][] {
  return params.map((p, i) => (i % 2 === 0 ? [p.length / params[i + 1].length, params[i + 1].length] : [p.length]));
}

/** A batch on the device. */
export interface DeviceBatch {
  readonly x: tf.Tensor2D;
  readonly t: tf.Tensor1D;
  readonly target: tf.Tensor2D;
}

/** Upload rows [lo, hi) of a host batch (all rows by default). */
export function uploadBatch(b: MlpBatch, lo = 0, hi = b.batch): DeviceBatch {
  const d = b.x.length / b.batch, rows = hi - lo;
  return {
    x: tf.tensor2d(b.x.subarray(lo * d, hi * d), [rows, d]),
    t: tf.tensor1d(b.t.subarray(lo, hi)),
    target: tf.tensor2d(b.target.subarray(lo * d, hi * d), [rows, d]),
  };
}

/** Free a device batch. */
export function disposeBatch(b: DeviceBatch): void {
  tf.dispose([b.x, b.t, b.target]);
}

/** A trainer's current device batch: uploaded once by `set`, reused by every step. */
export class DeviceBatchSlot {
  private batch: DeviceBatch | undefined;

  /** `owner` names the trainer in the error of {@link get} before any {@link set}. */
  constructor(private readonly owner: string) {}

  set(b: MlpBatch): void {
    this.dispose();
    this.batch = uploadBatch(b);
  }

  get(): DeviceBatch {
    if (this.batch === undefined) throw new Error(`${this.owner}: call setBatch first`);
    return this.batch;
  }

  dispose(): void {
    if (this.batch) disposeBatch(this.batch);
    this.batch = undefined;
  }
}

/** Layer widths of a config. */
export function layerWidths(c: MlpConfig): number[] {
  return [c.dataDim + c.embDim, ...Array.from({ length: c.depth }, () => c.hidden), c.dataDim];
}

/** Glorot-uniform weights (Glorot & Bengio 2010), zero biases, from a seed. */
export function initMlpParams(c: MlpConfig, seed: number): MlpParams {
  const u = mulberry32(seed);
  const w = layerWidths(c);
  const out: MlpParams = [];
  for (let l = 0; l + 1 < w.length; l++) {
    const limit = Math.sqrt(6 / (w[l] + w[l + 1]));
    const W = new Float32Array(w[l] * w[l + 1]);
    for (let i = 0; i < W.length; i++) W[i] = (2 * u() - 1) * limit;
    out.push(W, new Float32Array(w[l + 1]));
  }
  return out;
}

/** A seeded batch: x ~ N(0, I), t ~ U(0, 1), target ~ N(0, I). */
export function makeMlpBatch(c: MlpConfig, batch: number, seed: number): MlpBatch {
  const u = mulberry32(seed);
  const x = gaussian(u, batch * c.dataDim);
  const t = new Float32Array(batch);
  for (let i = 0; i < batch; i++) t[i] = u();
  return { batch, x, t, target: gaussian(u, batch * c.dataDim) };
}

/** Frequencies of the sinusoidal embedding: w_j = 10000^(-j/half) (Vaswani et al. 2017), times 1000. */
export function embeddingFrequencies(embDim: number): Float32Array {
  const half = embDim / 2;
  const f = new Float32Array(half);
  for (let j = 0; j < half; j++) f[j] = 1000 * Math.exp((-Math.log(10000) * j) / half);
  return f;
}

/** [sin(t w), cos(t w)] for a batch of times: shape batch x embDim. */
export function timeEmbedding(t: tf.Tensor1D, freqs: tf.Tensor1D): tf.Tensor2D {
  return tf.tidy(() => {
    const arg = tf.mul(tf.reshape(t, [-1, 1]), tf.reshape(freqs, [1, -1]));
    return tf.concat([tf.sin(arg), tf.cos(arg)], 1) as tf.Tensor2D;
  });
}

/** SiLU (Elfwing et al. 2018) with its derivative s(z) (1 + z (1 - s(z))) written by hand. */
const siluCustom = tf.customGrad((...args: Array<tf.Tensor | ((ts: tf.Tensor[]) => void)>) => {
  const [z, save] = args as [tf.Tensor, (ts: tf.Tensor[]) => void];
  const s = tf.sigmoid(z);
  save([z, s]);
  return {
    value: tf.mul(z, s),
    gradFunc: (dy: tf.Tensor, saved: tf.Tensor[]) => {
      const [zz, ss] = saved;
      return tf.mul(dy, tf.mul(ss, tf.add(1, tf.mul(zz, tf.sub(1, ss)))));
    },
  };
}) as (z: tf.Tensor) => tf.Tensor;

/** Which formulation of the step to run. */
export type MlpVariant = 'plain' | 'fused';

/** Owns the tf variables, the Adam state and the device-side batch. */
export class MlpTrainer {
  readonly vars: tf.Variable[];
  private readonly optimizer: tf.Optimizer;
  private readonly freqs: tf.Tensor1D;
  private readonly input = new DeviceBatchSlot('MlpTrainer');
  private readonly variant: MlpVariant;

  private static instances = 0;

  constructor(params: MlpParams, opts: { variant?: MlpVariant; learningRate?: number; embDim?: number } = {}) {
    MlpTrainer.instances++;
    this.variant = opts.variant ?? 'plain';
    const embDim = opts.embDim ?? REFERENCE_MLP.embDim;
    const shapes = paramShapes(params);
    this.vars = params.map((p, i) => {
      const init = tf.tensor(p, shapes[i], 'float32');
      const v = tf.variable(init, true, `mlp_${i % 2 === 0 ? 'W' : 'b'}${i >> 1}_${MlpTrainer.instances}`);
      init.dispose();
      return v;
    });
    this.optimizer = tf.train.adam(opts.learningRate ?? 1e-3);
    this.freqs = tf.tensor1d(embeddingFrequencies(embDim));
  }

  /** Upload a batch once; later steps reuse it (no per-step host-device traffic). */
  setBatch(b: MlpBatch): void {
    this.input.set(b);
  }

  /** The network output for the current batch (no gradient). */
  forward(): tf.Tensor2D {
    const inp = this.input.get();
    return tf.tidy(() => this.net(inp.x, inp.t));
  }

  private net(x: tf.Tensor2D, t: tf.Tensor1D): tf.Tensor2D {
    let h: tf.Tensor2D = tf.concat([x, timeEmbedding(t, this.freqs)], 1);
    const L = this.vars.length / 2;
    for (let l = 0; l < L; l++) {
      const W = this.vars[2 * l] as tf.Tensor2D;
      const b = this.vars[2 * l + 1];
      const last = l === L - 1;
      if (this.variant === 'fused') {
        const z = tf.fused.matMul({ a: h, b: W, bias: b });
        h = (last ? z : siluCustom(z)) as tf.Tensor2D;
      } else {
        const z = tf.add(tf.matMul(h, W), b) as tf.Tensor2D;
        h = last ? z : tf.mul(z, tf.sigmoid(z));
      }
    }
    return h;
  }

  private minimize(): tf.Scalar {
    const inp = this.input.get();
    const loss = this.optimizer.minimize(() => tf.losses.meanSquaredError(inp.target, this.net(inp.x, inp.t)) as tf.Scalar, true, this.vars);
    if (loss === null) throw new Error('optimizer returned no loss');
    return loss;
  }

  /** One Adam step on the current batch; returns the loss before the update (synchronous read: cpu, wasm). */
  step(): number {
    const loss = this.minimize();
    const v = loss.dataSync()[0];
    loss.dispose();
    return v;
  }

  /** {@link step} with an asynchronous read of the loss (required on WebGPU in Node). */
  async stepAsync(): Promise<number> {
    const loss = this.minimize();
    const v = (await loss.data())[0];
    loss.dispose();
    return v;
  }

  /** Gradients of the loss (no update), host float32 in parameter order; for tests. */
  gradients(): Float32Array[] {
    const inp = this.input.get();
    const { grads, value } = tf.variableGrads(() => tf.losses.meanSquaredError(inp.target, this.net(inp.x, inp.t)) as tf.Scalar, this.vars);
    const out = this.vars.map((v) => grads[v.name].dataSync() as Float32Array);
    tf.dispose([value, ...Object.values(grads)]);
    return out;
  }

  /** Free every tensor this trainer owns. */
  dispose(): void {
    this.input.dispose();
    this.optimizer.dispose();
    tf.dispose([...this.vars, this.freqs]);
  }
}
