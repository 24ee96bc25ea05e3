/**
 * MLP noise-prediction network for low-dimensional data: the D inputs are concatenated with a
 * 128-d sinusoidal embedding of the noise level (plus a learned class embedding when the model is
 * class-conditional, with index `numClasses` as the null class for classifier-free guidance),
 * then D + 128 -> 256 -> 256 -> 256 -> D with SiLU (the issue-5 reference architecture).
 */
import * as tf from '@tensorflow/tfjs';
import { SpecBuilder, embedLookup, dense, silu, sinusoidal, type Net } from './layers.ts';

/** JSON-serialisable MLP configuration. */
export interface MlpConfig {
  readonly kind: 'mlp';
  /** data dimension D (inputs and outputs) */
  readonly dim: number;
  /** hidden widths, e.g. [256, 256, 256] */
  readonly hidden: readonly number[];
  /** embedding width (even) */
  readonly embDim: number;
  /** number of classes; 0 for an unconditional model */
  readonly numClasses: number;
  /** output width (default: dim; a noisy classifier outputs one logit per class) */
  readonly outDim?: number;
}

/** Default MLP of issue 5 for D-dimensional data. */
export function defaultMlpConfig(dim: number, numClasses = 0): MlpConfig {
  return { kind: 'mlp', dim, hidden: [256, 256, 256], embDim: 128, numClasses };
}

/** Build the MLP. */
export function createMlp(cfg: MlpConfig): Net {
  const b = new SpecBuilder();
  if (cfg.numClasses > 0) b.add('class.emb', [cfg.numClasses + 1, cfg.embDim], { kind: 'normal', std: 1 });
  const widths = [cfg.dim + cfg.embDim, ...cfg.hidden, cfg.outDim ?? cfg.dim];
  // first layer: the D data rows are initialised with fan-in D, the embedding rows with fan-in D + E,
  // so that x is not drowned by the 128 embedding features at initialisation (same function class as
  // one dense layer on the concatenation; found to halve the sliced Wasserstein distance of short runs)
  b.add('fc0.w', [widths[0], widths[1]], { kind: 'rowBlocks', blocks: [[cfg.dim, 1 / Math.sqrt(cfg.dim)], [cfg.embDim, 1 / Math.sqrt(widths[0])]] });
  b.add('fc0.b', [widths[1]], { kind: 'zeros' });
  for (let i = 1; i + 1 < widths.length; i++) b.dense(`fc${i}`, widths[i], widths[i + 1]);
  const nLayers = widths.length - 1;
  return {
    specs: b.specs,
    apply(w, x, cNoise, labels) {
      let emb: tf.Tensor = sinusoidal(cNoise, cfg.embDim);
      if (cfg.numClasses > 0) {
        if (!labels) throw new Error('class-conditional MLP needs labels (use the null class for none)');
        emb = tf.add(emb, embedLookup(w['class.emb'], labels));
      }
      let h: tf.Tensor = tf.concat([x as tf.Tensor2D, emb as tf.Tensor2D], 1);
      for (let i = 0; i < nLayers; i++) {
        h = dense(w, `fc${i}`, h);
        if (i + 1 < nLayers) h = silu(h);
      }
      return h;
    },
  };
}
