/**
 * MLP noise-prediction network for low-dimensional data: the D inputs are concatenated with a
 * 128-d sinusoidal embedding of the noise level (plus a learned class embedding when the model is
 * class-conditional, with index `numClasses` as the null class for classifier-free guidance),
 * then D + 128 -> 256 -> 256 -> 256 -> D with SiLU (the issue-5 reference architecture).
 */
import * as tf from '@tensorflow/tfjs';
import { SpecBuilder, dense, silu, sinusoidal, type Net } from './layers.ts';

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
}

/** Default MLP of issue 5 for D-dimensional data. */
export function defaultMlpConfig(dim: number, numClasses = 0): MlpConfig {
  return { kind: 'mlp', dim, hidden: [256, 256, 256], embDim: 128, numClasses };
}

/** Build the MLP. */
export function createMlp(cfg: MlpConfig): Net {
  const b = new SpecBuilder();
  if (cfg.numClasses > 0) b.add('class.emb', [cfg.numClasses + 1, cfg.embDim], { kind: 'normal', std: 1 });
  const widths = [cfg.dim + cfg.embDim, ...cfg.hidden, cfg.dim];
  for (let i = 0; i + 1 < widths.length; i++) b.dense(`fc${i}`, widths[i], widths[i + 1]);
  const nLayers = widths.length - 1;
  return {
    specs: b.specs,
    apply(w, x, cNoise, labels) {
      let emb: tf.Tensor = sinusoidal(cNoise, cfg.embDim);
      if (cfg.numClasses > 0) {
        if (!labels) throw new Error('class-conditional MLP needs labels (use the null class for none)');
        emb = tf.add(emb, tf.gather(w['class.emb'], labels));
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
