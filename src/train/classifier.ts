/**
 * Classifier guidance (Dhariwal & Nichol 2021; Song et al. 2021; MATH.md section 7): a
 * time-conditioned classifier p_t(c | x_t) trained with cross-entropy on noisy data
 * x_t = alpha x0 + sigma eps, t ~ U[t0, T], and the guided score
 *
 *     s(x, t | c) = s(x, t) + w grad_x log p_t(c | x),   i.e.  eps_tilde = eps_hat - w sigma grad_x log p_t(c | x).
 *
 * The classifier is the MLP of mlp.ts with one logit per class, fed the same normalised input
 * c_in x and noise level c_noise as the score network (precond.ts), so it works for any scheme.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { UserError } from '../errors.ts';
import type { Dataset } from '../data/dataset.ts';
import type { Scheme } from '../scheme/types.ts';
import { initWeights, type Weights } from '../score/layers.ts';
import { createMlp, type MlpConfig } from '../score/mlp.ts';
import { convertViews } from '../reverse/parameterization.ts';
import type { NoiseLevel, ScoreModel } from '../score/model.ts';
import { headCoefficients, headCoefficientsAt, type HeadConfig } from '../score/precond.ts';
import { adamInit, adamStep, globalNorm, type AdamConfig } from './adam.ts';
import { checkpointIn, loadWeights, readCheckpoint, saveCheckpoint, storeWeights, writeFileAtomic } from './checkpoint.ts';
import type { SchemeSpec } from './config.ts';
import { progressBar } from './progress.ts';
import { Rng } from '../rng.ts';

/** A classifier run's configuration (classifier.json in its folder). */
export interface ClassifierConfig {
  readonly format: 'sdekit-classifier';
  readonly version: 1;
  readonly scheme: SchemeSpec;
  readonly data: string;
  readonly net: MlpConfig;
  readonly head: HeadConfig;
  readonly adam: AdamConfig;
  readonly batch: number;
  readonly steps: number;
  readonly seed: number;
}

/** File names of a classifier run folder. */
export const CLASSIFIER_FILES = { config: 'classifier.json', checkpoint: 'classifier.safetensors', legacyCheckpoint: 'classifier.sdkt' } as const;

function asWeights(names: string[], ws: tf.Tensor[]): Weights {
  const w: Weights = {};
  names.forEach((n, i) => (w[n] = ws[i]));
  return w;
}

/** Train a noisy classifier; returns its accuracy on a fresh noisy batch at a few noise levels. */
export async function trainClassifier(opts: { config: ClassifierConfig; scheme: Scheme; data: Dataset; outDir: string; progress?: boolean }): Promise<{ seconds: number; accuracy: { t: number; accuracy: number }[] }> {
  const { config: cfg, scheme, data } = opts;
  if (data.numClasses < 2) throw new UserError('--data', `a classifier needs labelled data; ${data.name} has ${data.numClasses} classes`, { value: data.name });
  const net = createMlp(cfg.net);
  const names = net.specs.map((s) => s.name);
  const rng = new Rng(cfg.seed);
  let w = initWeights(net.specs, rng);
  let adam = adamInit(w);
  const D = data.dim, K = data.numClasses, B = cfg.batch;
  const bar = progressBar(0, cfg.steps, opts.progress);
  const t0 = performance.now();
  const noisy = (x0: Float32Array, n: number, r: Rng, tFixed?: number): { x: tf.Tensor; c: tf.Tensor1D } => {
    const x = new Float32Array(n * D), c = new Float32Array(n);
    for (let i = 0; i < n; i++) {
      const t = tFixed ?? scheme.t0 + (scheme.T - scheme.t0) * r.uniform();
      const k = headCoefficientsAt(scheme, cfg.head, t);
      c[i] = k.cNoise;
      for (let j = 0; j < D; j++) x[i * D + j] = k.cIn * (k.alpha * x0[i * D + j] + k.sigma * r.normal());
    }
    return { x: tf.tensor2d(x, [n, D]), c: tf.tensor1d(c) };
  };
  for (let step = 1; step <= cfg.steps; step++) {
    const b = data.sample(rng, B);
    const { x, c } = noisy(b.x, B, rng);
    const y = tf.oneHot(tf.tensor1d(b.labels as Int32Array, 'int32'), K);
    const { value, grads } = tf.valueAndGrads((...ws: tf.Tensor[]) => tf.losses.softmaxCrossEntropy(y, net.apply(asWeights(names, ws), x, c, null)) as tf.Scalar)(names.map((n) => w[n]));
    const loss = (await value.data())[0];
    tf.dispose([x, c, y, value]);
    if (!Number.isFinite(loss)) throw new Error(`classifier training: loss ${loss} at step ${step}`);
    const g = asWeights(names, grads);
    const norm = globalNorm(g);
    ({ w, s: adam } = adamStep(w, g, adam, step, cfg.adam, norm));
    norm.dispose();
    bar.update(step, loss);
  }
  bar.done();
  fs.mkdirSync(opts.outDir, { recursive: true });
  writeFileAtomic(path.join(opts.outDir, CLASSIFIER_FILES.config), JSON.stringify(cfg, null, 2) + '\n');
  saveCheckpoint(path.join(opts.outDir, CLASSIFIER_FILES.checkpoint), { step: cfg.steps, config: cfg }, { weights: await storeWeights(w) });
  const seconds = (performance.now() - t0) / 1000;
  const accuracy: { t: number; accuracy: number }[] = [];
  const held = data.heldOut(2000), er = new Rng(cfg.seed + 1);
  for (const u of [0.05, 0.25, 0.5]) {
    const t = scheme.t0 + u * (scheme.T - scheme.t0);
    const { x, c } = noisy(held.x, held.n, er, t);
    const pred = tf.tidy(() => tf.argMax(net.apply(w, x, c, null), 1).dataSync());
    tf.dispose([x, c]);
    let ok = 0;
    for (let i = 0; i < held.n; i++) if (pred[i] === (held.labels as Int32Array)[i]) ok++;
    accuracy.push({ t, accuracy: ok / held.n });
  }
  tf.dispose([...Object.values(w), ...Object.values(adam.m), ...Object.values(adam.v)]);
  return { seconds, accuracy };
}

/** A trained noisy classifier: grad_x log p_t(c | x) on host batches. */
export class NoisyClassifier {
  private readonly net;
  constructor(readonly config: ClassifierConfig, private readonly weights: Weights) {
    this.net = createMlp(config.net);
  }

  /** Load from a classifier run folder. */
  static load(dir: string): NoisyClassifier {
    const f = checkpointIn(dir, CLASSIFIER_FILES.checkpoint, CLASSIFIER_FILES.legacyCheckpoint);
    if (!fs.existsSync(f)) throw new UserError('--classifier', `${dir} holds no trained classifier (${CLASSIFIER_FILES.checkpoint})`, { value: dir });
    const { meta, groups } = readCheckpoint(f);
    return new NoisyClassifier(meta.config as ClassifierConfig, loadWeights(groups.weights));
  }

  get numClasses(): number { return this.config.net.outDim ?? 0; }

  /** log p_t(c | x) per row and its gradient in x (n x D) at noise level `at`. */
  logProbAndGrad(x: Float64Array, n: number, at: NoiseLevel, label: number): { logp: Float64Array; grad: Float64Array } {
    const D = this.config.net.dim;
    const k = headCoefficients(this.config.head, at.alpha, at.sigma, at.t);
    const u = new Float32Array(n * D);
    for (let i = 0; i < n * D; i++) u[i] = k.cIn * x[i];
    const K = this.numClasses;
    let lp: tf.Tensor | null = null;
    const g = tf.tidy(() => {
      const c = tf.fill([n], k.cNoise) as tf.Tensor1D;
      const onehot = tf.oneHot(tf.fill([n], label, 'int32') as tf.Tensor1D, K);
      return tf.grad((uu: tf.Tensor) => {
        const l = tf.sum(tf.mul(tf.logSoftmax(this.net.apply(this.weights, uu, c, null)), onehot), 1);
        lp = tf.keep(l);
        return tf.sum(l);
      })(tf.tensor2d(u, [n, D]));
    });
    const gv = g.dataSync(), lv = (lp as unknown as tf.Tensor).dataSync();
    tf.dispose([g, lp as unknown as tf.Tensor]);
    const grad = new Float64Array(n * D);
    for (let i = 0; i < n * D; i++) grad[i] = k.cIn * gv[i]; // chain rule through u = c_in x
    return { logp: Float64Array.from(lv), grad };
  }

  dispose(): void { tf.dispose(Object.values(this.weights)); }
}

/**
 * The classifier-guided model: eps_tilde = eps_hat - w sigma grad_x log p_t(c | x) (score shifted by
 * w grad log p), returned in the eps parameterisation.
 */
export class ClassifierGuidedModel implements ScoreModel {
  readonly dim: number;
  readonly parameterization = 'eps' as const;
  constructor(readonly base: ScoreModel, readonly classifier: NoisyClassifier, readonly label: number, readonly w: number) {
    this.dim = base.dim;
    const K = classifier.numClasses;
    if (!Number.isInteger(label) || label < 0 || label >= K) throw new UserError('--class', `must be an integer in [0, ${K - 1}]`, { value: label });
    if (classifier.config.net.dim !== base.dim) throw new UserError('--classifier', `was trained on ${classifier.config.net.dim}-D data; the model is ${base.dim}-D`);
  }

  async predict(x: Float64Array, n: number, at: NoiseLevel, out: Float64Array): Promise<void> {
    const nat = new Float64Array(n * this.dim);
    await this.base.predict(x, n, at, nat);
    convertViews(this.base.parameterization, x, nat, at, { eps: out }, n * this.dim);
    if (this.w === 0) return;
    const { grad } = this.classifier.logProbAndGrad(x, n, at, this.label);
    for (let i = 0; i < n * this.dim; i++) out[i] -= this.w * at.sigma * grad[i];
  }
}
