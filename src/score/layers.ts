/**
 * Functional neural-network building blocks over TensorFlow.js tensors: parameter specs with
 * seeded host initialisation, dense, 3x3 convolution as im2col + one matmul, space-to-depth
 * downsampling, nearest upsampling, group norm (Wu & He 2018), SiLU, and the sinusoidal
 * noise-level embedding (Vaswani et al. 2017, as used by DDPM / EDM).
 *
 * Weights are plain tensors passed in (no tf.Variable): the same network runs with training
 * weights, EMA weights or weights restored from a checkpoint, and `tf.grads` differentiates
 * with respect to them. The convolution carries its own gradients, written as forward
 * convolutions (the wasm backend has no Conv2DBackpropFilter kernel, see conv3Op).
 */
import * as tf from '@tensorflow/tfjs';
import type { Rng } from '../rng.ts';
import { conv3Wasm } from '../backend/wasmConv3.ts';
import { groupNormSiluWasm } from '../backend/wasmGroupNorm.ts';
import { concatLastWasm, up2Wasm } from '../backend/wasmUnetGlue.ts';

let fusedKernels = true;
/**
 * Whether the layers use sdekit's fused wasm kernels (src/backend/wasmConv3.ts, wasmGroupNorm.ts)
 * when the wasm backend is active: on by default; off gives the plain tf-op reference path (tests,
 * profiles before/after).
 */
export function setFusedLayerKernels(on: boolean): void { fusedKernels = on; }
const fused = (): boolean => fusedKernels && tf.getBackend() === 'wasm';

/** How a parameter is initialised (host-side, from the seeded RNG, so runs are reproducible). */
export type Init =
  | { kind: 'normal'; std: number }
  /** normal with a separate std for consecutive blocks of rows (e.g. data inputs vs embedding inputs) */
  | { kind: 'rowBlocks'; blocks: readonly (readonly [rows: number, std: number])[] }
  | { kind: 'zeros' }
  | { kind: 'ones' };

/** One named parameter tensor. */
export interface ParamSpec {
  readonly name: string;
  readonly shape: readonly number[];
  readonly init: Init;
}

/** Named weight tensors, in the order of the network's specs. */
export type Weights = Record<string, tf.Tensor>;

/** Number of scalars in a shape. */
export const sizeOf = (shape: readonly number[]): number => shape.reduce((a, b) => a * b, 1);

/** Create weights for `specs` from the seeded RNG (float32). */
export function initWeights(specs: readonly ParamSpec[], rng: Rng): Weights {
  const w: Weights = {};
  for (const s of specs) {
    const a = new Float32Array(sizeOf(s.shape));
    if (s.init.kind === 'normal') { rng.fillNormal(a); for (let i = 0; i < a.length; i++) a[i] *= s.init.std; }
    else if (s.init.kind === 'rowBlocks') {
      rng.fillNormal(a);
      const cols = s.shape[s.shape.length - 1];
      let r = 0;
      for (const [rows, std] of s.init.blocks) { for (let i = r * cols; i < (r + rows) * cols; i++) a[i] *= std; r += rows; }
      if (r * cols !== a.length) throw new Error(`rowBlocks init of ${s.name} covers ${r} rows of ${a.length / cols}`);
    } else if (s.init.kind === 'ones') a.fill(1);
    w[s.name] = tf.tensor(a, [...s.shape], 'float32');
  }
  return w;
}

/** Collects parameter specs while a network is declared. */
export class SpecBuilder {
  readonly specs: ParamSpec[] = [];
  /** Dense layer `name.w` [nIn, nOut] (LeCun normal, or `scale` times it) and `name.b`. */
  dense(name: string, nIn: number, nOut: number, scale = 1): void {
    this.add(`${name}.w`, [nIn, nOut], scale === 0 ? { kind: 'zeros' } : { kind: 'normal', std: scale / Math.sqrt(nIn) });
    this.add(`${name}.b`, [nOut], { kind: 'zeros' });
  }
  /** 3x3 convolution stored as an im2col matrix [9 cIn, cOut]. */
  conv3(name: string, cIn: number, cOut: number, scale = 1): void { this.dense(name, 9 * cIn, cOut, scale); }
  /** Group-norm affine parameters. */
  norm(name: string, c: number): void {
    this.add(`${name}.g`, [c], { kind: 'ones' });
    this.add(`${name}.b`, [c], { kind: 'zeros' });
  }
  /** A raw parameter. */
  add(name: string, shape: readonly number[], init: Init): void {
    if (this.specs.some((s) => s.name === name)) throw new Error(`duplicate parameter ${name}`);
    this.specs.push({ name, shape, init });
  }
}

/** SiLU, x * sigmoid(x) (Elfwing et al. 2018). */
export const silu = (x: tf.Tensor): tf.Tensor => tf.mul(x, tf.sigmoid(x));

/** y = x W + b on the last axis (any leading shape). */
export function dense(w: Weights, name: string, x: tf.Tensor): tf.Tensor {
  const W = w[`${name}.w`] as tf.Tensor2D, b = w[`${name}.b`];
  if (x.rank === 2) return tf.add(tf.matMul(x as tf.Tensor2D, W), b);
  const lead = x.shape.slice(0, -1);
  const y = tf.add(tf.matMul(tf.reshape(x, [-1, x.shape[x.rank - 1]]) as tf.Tensor2D, W), b);
  return tf.reshape(y, [...lead, W.shape[1]]);
}

/** im2col for a 3x3 'same' convolution: [B, H, W, C] -> [B H W, 9 C] (row order dy, dx, c); the reference for tests. */
export function patches3(x: tf.Tensor4D): tf.Tensor2D {
  const [B, H, W, C] = x.shape;
  const p = tf.pad(x, [[0, 0], [1, 1], [1, 1], [0, 0]]);
  const cols: tf.Tensor4D[] = [];
  for (let dy = 0; dy < 3; dy++) for (let dx = 0; dx < 3; dx++) cols.push(tf.slice(p, [0, dy, dx, 0], [B, H, W, C]));
  return tf.reshape(tf.concat(cols, 3), [B * H * W, 9 * C]);
}

/**
 * 3x3 'same' convolution y = conv(x, W) with W stored as the im2col matrix [9 C, C_out] (= HWIO
 * [3, 3, C, C_out] flattened). The wasm backend lacks Conv2DBackpropFilter and runs
 * Conv2DBackpropInput ~9x slower than Conv2D, so both gradients are written as forward
 * convolutions (the standard identities, e.g. Dumoulin & Visin 2016, "A guide to convolution
 * arithmetic"):
 *   dx = conv(dy, W') with W'[i, j, co, c] = W[2 - i, 2 - j, c, co]   (flipped, in/out swapped)
 *   dW = conv over (H, W) of x^T [C, H, W, B] with dy^T [H, W, B, C_out] as the filter, padding 1,
 *        giving [C, 3, 3, C_out] -> [3, 3, C, C_out].
 */
const conv3Op = tf.customGrad(((...args: (tf.Tensor | tf.GradSaveFunc)[]) => {
  const [x, Wm, save] = args as [tf.Tensor4D, tf.Tensor2D, tf.GradSaveFunc];
  const C = x.shape[3], Co = Wm.shape[1];
  save([x, Wm]);
  return {
    value: tf.conv2d(x, tf.reshape(Wm, [3, 3, C, Co]) as tf.Tensor4D, 1, 'same'),
    gradFunc: (dy: tf.Tensor, saved: tf.Tensor[]) => {
      const [xs, Ws] = saved as [tf.Tensor4D, tf.Tensor2D];
      const c = xs.shape[3], co = Ws.shape[1];
      const f = tf.reshape(Ws, [3, 3, c, co]) as tf.Tensor4D;
      const dx = tf.conv2d(dy as tf.Tensor4D, tf.transpose(tf.reverse(f, [0, 1]), [0, 1, 3, 2]) as tf.Tensor4D, 1, 'same');
      const dWt = tf.conv2d(tf.transpose(xs, [3, 1, 2, 0]) as tf.Tensor4D, tf.transpose(dy, [1, 2, 0, 3]) as tf.Tensor4D, 1, [[0, 0], [1, 1], [1, 1], [0, 0]]);
      return [dx, tf.reshape(tf.transpose(dWt, [1, 2, 0, 3]), [9 * c, co])];
    },
  };
})) as (x: tf.Tensor4D, Wm: tf.Tensor2D) => tf.Tensor4D;

/** 3x3 'same' convolution layer `name` (weights `name.w` [9 C, C_out], bias `name.b`). */
export function conv3(w: Weights, name: string, x: tf.Tensor4D): tf.Tensor4D {
  if (fused()) return conv3Wasm(x, w[`${name}.w`] as tf.Tensor2D, w[`${name}.b`] as tf.Tensor1D);
  return tf.add(conv3Op(x, w[`${name}.w`] as tf.Tensor2D), w[`${name}.b`]) as tf.Tensor4D;
}

/** Space-to-depth by 2 ([B,H,W,C] -> [B,H/2,W/2,4C]) followed by a dense map: a learned 2x2 stride-2 conv. */
export function down2(w: Weights, name: string, x: tf.Tensor4D): tf.Tensor4D {
  const [B, H, W, C] = x.shape;
  if (H % 2 || W % 2) throw new Error(`down2: spatial size ${H}x${W} is not even`);
  const r = tf.reshape(tf.transpose(tf.reshape(x, [B, H / 2, 2, W / 2, 2 * C]), [0, 1, 3, 2, 4]), [B, H / 2, W / 2, 4 * C]);
  return dense(w, name, r) as tf.Tensor4D;
}

/** Nearest-neighbour upsampling by 2. */
export function up2(x: tf.Tensor4D): tf.Tensor4D {
  if (fused()) return up2Wasm(x);
  return tf.image.resizeNearestNeighbor(x, [x.shape[1] * 2, x.shape[2] * 2]);
}

/** [a, b] along the channel axis (the gradient a heap split on wasm, src/backend/wasmUnetGlue.ts). */
export function concatChannels(a: tf.Tensor4D, b: tf.Tensor4D): tf.Tensor4D {
  return fused() ? concatLastWasm(a, b) : tf.concat([a, b], 3);
}

/** Group normalisation over (H, W, C/G) per sample and group, then a per-channel affine map. */
export function groupNorm(w: Weights, name: string, x: tf.Tensor4D, groups: number, eps = 1e-5): tf.Tensor4D {
  const [B, H, W, C] = x.shape;
  if (C % groups) throw new Error(`groupNorm: ${C} channels not divisible by ${groups} groups`);
  const g = tf.reshape(x, [B, H, W, groups, C / groups]);
  const { mean, variance } = tf.moments(g, [1, 2, 4], true);
  const n = tf.reshape(tf.mul(tf.sub(g, mean), tf.rsqrt(tf.add(variance, eps))), [B, H, W, C]);
  return tf.add(tf.mul(n, w[`${name}.g`]), w[`${name}.b`]) as tf.Tensor4D;
}

/** silu(groupNorm(x)): one fused kernel each way on wasm (src/backend/wasmGroupNorm.ts), else tf ops. */
export function groupNormSilu(w: Weights, name: string, x: tf.Tensor4D, groups: number): tf.Tensor4D {
  if (fused()) return groupNormSiluWasm(x, w[`${name}.g`] as tf.Tensor1D, w[`${name}.b`] as tf.Tensor1D, groups);
  return silu(groupNorm(w, name, x, groups)) as tf.Tensor4D;
}

/** Angular frequencies of the sinusoidal embedding: geometric from `wMin` to `wMax`. */
export function embeddingFrequencies(half: number, wMin = 0.25, wMax = 250): Float32Array {
  const f = new Float32Array(half);
  for (let k = 0; k < half; k++) f[k] = wMin * Math.pow(wMax / wMin, half === 1 ? 0 : k / (half - 1));
  return f;
}

/**
 * Sinusoidal embedding [sin(c w_k), cos(c w_k)] of the noise-level input c ([B] -> [B, dim]).
 * c is c_noise, a bounded function of log(sigma/alpha) (see precond.ts).
 */
export function sinusoidal(c: tf.Tensor1D, dim: number): tf.Tensor2D {
  if (dim % 2) throw new Error(`embedding dimension ${dim} must be even`);
  const freqs = tf.tensor1d(embeddingFrequencies(dim / 2));
  const arg = tf.mul(tf.reshape(c, [-1, 1]), tf.reshape(freqs, [1, -1]));
  return tf.concat([tf.sin(arg), tf.cos(arg)], 1) as tf.Tensor2D;
}

/**
 * Rows of an embedding table [K, E] for int32 labels [B], as one-hot x table (a matmul), because
 * the gradient of tf.gather needs UnsortedSegmentSum, which the wasm backend lacks.
 */
export function embedLookup(table: tf.Tensor, labels: tf.Tensor1D): tf.Tensor2D {
  return tf.matMul(tf.oneHot(labels, table.shape[0]).toFloat() as tf.Tensor2D, table as tf.Tensor2D);
}

/** A network: its parameter specs and a pure function of (weights, x, c_noise, labels). */
export interface Net {
  readonly specs: readonly ParamSpec[];
  /**
   * Raw network output F, same shape as x. `cNoise` [B] is the noise-level input; `labels` [B]
   * int32 with `numClasses` meaning "no class", or null for an unconditional model.
   */
  apply(w: Weights, x: tf.Tensor, cNoise: tf.Tensor1D, labels: tf.Tensor1D | null): tf.Tensor;
}

