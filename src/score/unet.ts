/**
 * A small U-Net for 28x28 images (Ronneberger et al. 2015, in the DDPM form of Ho et al. 2020):
 * residual blocks with group norm and SiLU, the noise-level embedding (and a class embedding with
 * a null class for classifier-free guidance) added inside each block, two 2x downsamplings
 * (28 -> 14 -> 7), skip connections by concatenation, convolution then nearest upsampling, and a
 * zero-initialised output convolution; optionally one self-attention block at the lowest resolution
 * (after the middle residual block, as in DDPM). NHWC layout.
 */
import * as tf from '@tensorflow/tfjs';
import { SpecBuilder, concatChannels, embedLookup, conv3, dense, down2, groupNorm, groupNormSilu, silu, sinusoidal, up2, type Net, type Weights } from './layers.ts';

/** JSON-serialisable U-Net configuration. */
export interface UnetConfig {
  readonly kind: 'unet';
  readonly height: number;
  readonly width: number;
  readonly channels: number;
  /** channel widths per resolution, e.g. [32, 64, 64] for 28, 14, 7 */
  readonly widths: readonly number[];
  readonly embDim: number;
  readonly groups: number;
  /** number of classes; 0 for unconditional */
  readonly numClasses: number;
  /** a single-head self-attention block at the lowest resolution (absent = off) */
  readonly attention?: boolean;
}

/** Default small U-Net for MNIST-sized images. */
export function defaultUnetConfig(height: number, width: number, channels: number, numClasses: number): UnetConfig {
  return { kind: 'unet', height, width, channels, widths: [32, 64, 64], embDim: 128, groups: 8, numClasses };
}

/** Declares a residual block's parameters. */
function resSpecs(b: SpecBuilder, name: string, cIn: number, cOut: number, embDim: number): void {
  b.norm(`${name}.n1`, cIn);
  b.conv3(`${name}.c1`, cIn, cOut);
  b.dense(`${name}.emb`, embDim, cOut);
  b.norm(`${name}.n2`, cOut);
  b.conv3(`${name}.c2`, cOut, cOut, 0.5);
  if (cIn !== cOut) b.dense(`${name}.skip`, cIn, cOut);
}

/** Residual block: x + conv(silu(gn(conv(silu(gn(x))) + emb))). */
function resBlock(w: Weights, name: string, x: tf.Tensor4D, emb: tf.Tensor2D, groups: number): tf.Tensor4D {
  let h = conv3(w, `${name}.c1`, groupNormSilu(w, `${name}.n1`, x, groups));
  const e = dense(w, `${name}.emb`, silu(emb));
  h = tf.add(h, tf.reshape(e, [e.shape[0], 1, 1, e.shape[e.rank - 1]])) as tf.Tensor4D;
  h = conv3(w, `${name}.c2`, groupNormSilu(w, `${name}.n2`, h, groups));
  const skip = w[`${name}.skip.w`] ? (dense(w, `${name}.skip`, x) as tf.Tensor4D) : x;
  return tf.add(h, skip) as tf.Tensor4D;
}

/** Declares a self-attention block's parameters (the output projection starts at zero). */
function attnSpecs(b: SpecBuilder, name: string, c: number): void {
  b.norm(`${name}.n`, c);
  b.dense(`${name}.qkv`, c, 3 * c);
  b.dense(`${name}.proj`, c, c, 0);
}

/**
 * Single-head self-attention over the H W positions (Vaswani et al. 2017, as in DDPM's U-Net):
 * x + proj(softmax(q k^T / sqrt(C)) v) with q, k, v = gn(x) W_qkv.
 */
function attnBlock(w: Weights, name: string, x: tf.Tensor4D, groups: number): tf.Tensor4D {
  const [B, H, W, C] = x.shape;
  const qkv = dense(w, `${name}.qkv`, tf.reshape(groupNorm(w, `${name}.n`, x, groups), [B, H * W, C]));
  const [q, k, v] = tf.split(qkv, 3, 2) as [tf.Tensor3D, tf.Tensor3D, tf.Tensor3D];
  const p = tf.softmax(tf.mul(tf.matMul(q, k, false, true), 1 / Math.sqrt(C)));
  const o = dense(w, `${name}.proj`, tf.matMul(p as tf.Tensor3D, v));
  return tf.add(x, tf.reshape(o, [B, H, W, C])) as tf.Tensor4D;
}

/** Build the U-Net. */
export function createUnet(cfg: UnetConfig): Net {
  const levels = cfg.widths.length;
  if (cfg.height % 2 ** (levels - 1) || cfg.width % 2 ** (levels - 1)) {
    throw new Error(`U-Net: ${cfg.height}x${cfg.width} is not divisible by 2^${levels - 1}`);
  }
  const b = new SpecBuilder();
  const E = cfg.embDim;
  b.dense('temb0', E, E);
  b.dense('temb1', E, E);
  if (cfg.numClasses > 0) b.add('class.emb', [cfg.numClasses + 1, E], { kind: 'normal', std: 1 });
  b.conv3('in', cfg.channels, cfg.widths[0]);
  for (let l = 0; l < levels; l++) {
    resSpecs(b, `down${l}`, cfg.widths[l], cfg.widths[l], E);
    if (l + 1 < levels) b.dense(`ds${l}`, 4 * cfg.widths[l], cfg.widths[l + 1]);
  }
  resSpecs(b, 'mid', cfg.widths[levels - 1], cfg.widths[levels - 1], E);
  if (cfg.attention) attnSpecs(b, 'mid.attn', cfg.widths[levels - 1]);
  for (let l = levels - 1; l >= 0; l--) {
    // upsampling path: a 3x3 conv to the finer level's width at the coarse resolution, then
    // nearest 2x upsampling (4x cheaper than convolving after upsampling), then concat the skip
    if (l < levels - 1) b.conv3(`us${l}`, cfg.widths[l + 1], cfg.widths[l]);
    resSpecs(b, `up${l}`, 2 * cfg.widths[l], cfg.widths[l], E);
  }
  b.norm('out.n', cfg.widths[0]);
  b.conv3('out', cfg.widths[0], cfg.channels, 0);
  return {
    specs: b.specs,
    apply(w, x, cNoise, labels) {
      let emb = dense(w, 'temb1', silu(dense(w, 'temb0', sinusoidal(cNoise, E)))) as tf.Tensor2D;
      if (cfg.numClasses > 0) {
        if (!labels) throw new Error('class-conditional U-Net needs labels (use the null class for none)');
        emb = tf.add(emb, embedLookup(w['class.emb'], labels)) as tf.Tensor2D;
      }
      const B = x.shape[0];
      let h = conv3(w, 'in', tf.reshape(x, [B, cfg.height, cfg.width, cfg.channels]) as tf.Tensor4D);
      const skips: tf.Tensor4D[] = [];
      for (let l = 0; l < levels; l++) {
        h = resBlock(w, `down${l}`, h, emb, cfg.groups);
        skips.push(h);
        if (l + 1 < levels) h = down2(w, `ds${l}`, h);
      }
      h = resBlock(w, 'mid', h, emb, cfg.groups);
      if (cfg.attention) h = attnBlock(w, 'mid.attn', h, cfg.groups);
      for (let l = levels - 1; l >= 0; l--) {
        if (l < levels - 1) h = up2(conv3(w, `us${l}`, h));
        h = resBlock(w, `up${l}`, concatChannels(h, skips[l]), emb, cfg.groups);
      }
      h = conv3(w, 'out', groupNormSilu(w, 'out.n', h, cfg.groups));
      return tf.reshape(h, x.shape);
    },
  };
}

/** Internals exposed for tests (not part of the public API). */
export const unetInternals = { attnBlockForTest: attnBlock };
