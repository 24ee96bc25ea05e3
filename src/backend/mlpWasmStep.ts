/**
 * The reference MLP training step (see mlpWorkload.ts) with explicit back-propagation for the wasm
 * backend: no autodiff tape, matmul + bias fused in the forward pass, transposed products on the
 * flag-free XNNPACK path (wasmMatMul.ts), the SiLU derivative and Adam as single kernels
 * (wasmKernels.ts), bias gradients summed inside the Adam kernel, everything in one tf.tidy.
 *
 * Back-propagation for L = mean((y - target)^2) over B x D values (Rumelhart et al. 1986):
 *   dY = 2 (y - target) / (B D);  for each layer z = h W + b, h' = silu(z):
 *   dW = h^T dZ,  db = 1^T dZ,  dH = dZ W^T,  dZ_prev = dH * silu'(z_prev).
 */
import * as tf from '@tensorflow/tfjs';
import { DeviceBatchSlot, embeddingFrequencies, paramShapes, REFERENCE_MLP, type DeviceBatch, type MlpBatch, type MlpParams } from './mlpWorkload.ts';
import { adamState, adamStep, mlpInput, registerWasmTrainingKernels, siluGrad, type AdamState } from './wasmKernels.ts';
import { patchWasmMatMul } from './wasmMatMul.ts';

/**
 * Loss and gradients of the reference MLP by explicit back-propagation (one tf.tidy). With
 * `rowSumBias` false a bias's "gradient" is the B x n matrix dZ whose column sums are the gradient
 * (the caller sums it where that is cheaper). Needs the wasm backend (SiLU-derivative kernel).
 */
export function mlpForwardBackward(params: readonly tf.Tensor[], inp: DeviceBatch, freqs: tf.Tensor1D, rowSumBias = true): { grads: tf.Tensor[]; loss: tf.Scalar } {
  return tf.tidy(() => {
    const L = params.length / 2;
    const hs: tf.Tensor2D[] = [mlpInput(inp.x, inp.t, freqs)];
    const zs: tf.Tensor2D[] = [];
    const ss: tf.Tensor2D[] = [];
    for (let l = 0; l < L; l++) {
      const z = tf.fused.matMul({ a: hs[l], b: params[2 * l] as tf.Tensor2D, bias: params[2 * l + 1] }) as tf.Tensor2D;
      zs.push(z);
      if (l < L - 1) {
        const s = tf.sigmoid(z) as tf.Tensor2D;
        ss.push(s);
        hs.push(tf.mul(z, s));
      }
    }
    const diff = tf.sub(zs[L - 1], inp.target);
    const loss = tf.mean(tf.square(diff)) as tf.Scalar;
    let dZ: tf.Tensor2D = tf.mul(diff, 2 / diff.size);
    const grads: tf.Tensor[] = new Array(2 * L);
    for (let l = L - 1; l >= 0; l--) {
      grads[2 * l] = tf.matMul(hs[l], dZ, true, false);
      grads[2 * l + 1] = rowSumBias ? tf.sum(dZ, 0) : dZ;
      if (l > 0) dZ = siluGrad(tf.matMul(dZ, params[2 * l] as tf.Tensor2D, false, true), zs[l - 1], ss[l - 1]) as tf.Tensor2D;
    }
    return { grads, loss };
  });
}

/** Adam options; defaults are tf.train.adam's (eps 1e-7 on float32 backends). */
export interface AdamOptions {
  readonly learningRate?: number;
  readonly beta1?: number;
  readonly beta2?: number;
  readonly eps?: number;
}

/** Explicit-backprop MLP trainer for the wasm backend. */
export class WasmMlpTrainer {
  private params: tf.Tensor[];
  private readonly states: AdamState[];
  private readonly freqs: tf.Tensor1D;
  private readonly input = new DeviceBatchSlot('WasmMlpTrainer');
  private t = 0;
  private readonly adam: Required<AdamOptions>;

  constructor(params: MlpParams, opts: AdamOptions & { embDim?: number } = {}) {
    if (tf.getBackend() !== 'wasm') throw new Error(`WasmMlpTrainer needs the wasm backend (active: ${tf.getBackend()})`);
    registerWasmTrainingKernels();
    patchWasmMatMul();
    const shapes = paramShapes(params);
    this.params = params.map((p, i) => tf.tensor(p, shapes[i], 'float32'));
    this.states = params.map((p) => adamState(p.length));
    this.freqs = tf.tensor1d(embeddingFrequencies(opts.embDim ?? REFERENCE_MLP.embDim));
    this.adam = { learningRate: opts.learningRate ?? 1e-3, beta1: opts.beta1 ?? 0.9, beta2: opts.beta2 ?? 0.999, eps: opts.eps ?? 1e-7 };
  }

  /** Upload a batch once; later steps reuse it. */
  setBatch(b: MlpBatch): void {
    this.input.set(b);
  }

  /** Current parameters as host arrays (W0, b0, ...). */
  parameters(): Float32Array[] {
    return this.params.map((p) => p.dataSync() as Float32Array);
  }

  /** Gradients (no update) in parameter order, for tests. */
  gradients(): Float32Array[] {
    const { grads, loss } = this.forwardBackward();
    const out = grads.map((g) => g.dataSync() as Float32Array);
    tf.dispose([...grads, loss]);
    return out;
  }

  /** Forward and backward pass on the current batch. */
  private forwardBackward(rowSumBias = true): { grads: tf.Tensor[]; loss: tf.Scalar } {
    return mlpForwardBackward(this.params, this.input.get(), this.freqs, rowSumBias);
  }

  /** One Adam step; returns the loss before the update. */
  step(): number {
    this.t++;
    const attrs = { lr: this.adam.learningRate, beta1: this.adam.beta1, beta2: this.adam.beta2, eps: this.adam.eps, t: this.t };
    const { grads, loss } = this.forwardBackward(false);
    const next = tf.tidy(() => this.params.map((p, i) => adamStep(p, grads[i], this.states[i], attrs, i % 2 === 1)));
    tf.dispose([...grads, ...this.params]);
    this.params = next;
    const v = loss.dataSync()[0];
    loss.dispose();
    return v;
  }

  /** Same as {@link step} (wasm reads are synchronous); for interface parity with MlpTrainer. */
  async stepAsync(): Promise<number> {
    return this.step();
  }

  /** Free every tensor this trainer owns. */
  dispose(): void {
    this.input.dispose();
    tf.dispose([...this.params, this.freqs]);
  }
}
