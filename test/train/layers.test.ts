/**
 * Network building blocks: the 3x3 convolution's hand-written gradients (forward convolutions,
 * because wasm lacks Conv2DBackpropFilter) equal autodiff through the im2col reference; the U-Net
 * maps [B, 28, 28, 1] to the same shape, starts at F = 0 (zero-initialised output conv) and has
 * finite gradients for every parameter; the MLP's first layer initialises data rows with fan-in D.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as tf from '@tensorflow/tfjs';
import { initTrainBackend } from '../../src/train/backend.ts';
import { conv3, initWeights, patches3, type Weights } from '../../src/score/layers.ts';
import { createUnet, defaultUnetConfig, unetInternals } from '../../src/score/unet.ts';
import { createMlp, defaultMlpConfig } from '../../src/score/mlp.ts';
import { Rng } from '../../src/rng.ts';

await initTrainBackend('wasm');

function maxRel(a: tf.Tensor, b: tf.Tensor): number {
  return tf.tidy(() => tf.max(tf.abs(tf.sub(a, b))).dataSync()[0] / Math.max(1e-12, tf.max(tf.abs(b)).dataSync()[0]));
}

test('conv3 value and gradients == autodiff of im2col + matmul', () => {
  for (const [B, H, W, C, Co] of [[2, 6, 5, 3, 4], [3, 7, 7, 8, 2]]) {
    const x = tf.randomNormal([B, H, W, C], 0, 1, 'float32', 1) as tf.Tensor4D;
    const Wm = tf.randomNormal([9 * C, Co], 0, 1, 'float32', 2) as tf.Tensor2D;
    const bias = tf.randomNormal([Co], 0, 1, 'float32', 3);
    const probe = tf.randomNormal([B, H, W, Co], 0, 1, 'float32', 4);
    const ours = (xx: tf.Tensor, ww: tf.Tensor): tf.Tensor => conv3({ 'c.w': ww, 'c.b': bias } as Weights, 'c', xx as tf.Tensor4D);
    const ref = (xx: tf.Tensor, ww: tf.Tensor): tf.Tensor => tf.reshape(tf.add(tf.matMul(patches3(xx as tf.Tensor4D), ww as tf.Tensor2D), bias), [B, H, W, Co]);
    assert.ok(maxRel(ours(x, Wm), ref(x, Wm)) < 1e-5, 'value');
    const g1 = tf.grads((xx: tf.Tensor, ww: tf.Tensor) => tf.sum(tf.mul(ours(xx, ww), probe)))([x, Wm]);
    const g2 = tf.grads((xx: tf.Tensor, ww: tf.Tensor) => tf.sum(tf.mul(ref(xx, ww), probe)))([x, Wm]);
    assert.ok(maxRel(g1[0], g2[0]) < 1e-5, `dx ${maxRel(g1[0], g2[0])}`);
    assert.ok(maxRel(g1[1], g2[1]) < 1e-5, `dW ${maxRel(g1[1], g2[1])}`);
  }
});

for (const attention of [false, true]) test(`U-Net${attention ? ' with attention' : ''}: shape, F = 0 at initialisation, finite nonzero gradients for the parameters feeding the output`, () => {
  const cfg = { ...defaultUnetConfig(28, 28, 1, 10), widths: [8, 16, 16], attention };
  const net = createUnet(cfg);
  const w = initWeights(net.specs, new Rng(3));
  const x = tf.randomNormal([2, 28, 28, 1]);
  const c = tf.tensor1d([0.1, -0.5]);
  const lab = tf.tensor1d([3, 10], 'int32'); // class 3 and the null class
  const F = net.apply(w, x, c, lab);
  assert.deepEqual(F.shape, [2, 28, 28, 1]);
  assert.equal(tf.max(tf.abs(F)).dataSync()[0], 0);
  const names = net.specs.map((s) => s.name);
  const grads = tf.grads((...ws: tf.Tensor[]) => {
    const W: Weights = {};
    names.forEach((n, i) => (W[n] = ws[i]));
    return tf.sum(tf.mul(net.apply(W, x, c, lab), x));
  })(names.map((n) => w[n]));
  grads.forEach((g, i) => assert.ok(g.dataSync().every(Number.isFinite), names[i]));
  // with a zero output layer only the output layer gets gradient at step 0
  assert.ok(tf.max(tf.abs(grads[names.indexOf('out.w')])).dataSync()[0] > 0);
  if (attention) assert.ok(names.includes('mid.attn.qkv.w') && names.includes('mid.attn.proj.w'));
});

test('attention block: a permutation of the positions permutes its output (no positional mixing beyond attention)', () => {
  const cfg = { ...defaultUnetConfig(28, 28, 1, 0), widths: [8, 16, 16], attention: true };
  const net = createUnet(cfg);
  const w = initWeights(net.specs, new Rng(4));
  // give the zero-initialised projection weights so the block is not the identity
  w['mid.attn.proj.w'] = tf.randomNormal([16, 16], 0, 0.3, 'float32', 9);
  const names = net.specs.map((s) => s.name);
  assert.ok(names.includes('mid.attn.n.g'));
  const x = tf.randomNormal([1, 7, 7, 16], 0, 1, 'float32', 5) as tf.Tensor4D;
  const flat = tf.reshape(x, [1, 49, 16]);
  const perm = Array.from({ length: 49 }, (_, i) => (i * 10) % 49); // 10 is coprime to 49
  const xp = tf.reshape(tf.gather(flat, perm, 1), [1, 7, 7, 16]) as tf.Tensor4D;
  const { attnBlockForTest } = unetInternals;
  const y = tf.reshape(attnBlockForTest(w, 'mid.attn', x, 8), [1, 49, 16]);
  const yp = tf.reshape(attnBlockForTest(w, 'mid.attn', xp, 8), [1, 49, 16]);
  assert.ok(maxRel(yp, tf.gather(y, perm, 1)) < 1e-5);
  assert.ok(maxRel(y, flat) > 1e-3, 'the block changes its input');
});

test('MLP: data rows of the first layer start with fan-in D, embedding rows with fan-in D + E', () => {
  const net = createMlp(defaultMlpConfig(2));
  const w = initWeights(net.specs, new Rng(5));
  const W0 = w['fc0.w'].arraySync() as number[][];
  const rms = (rows: number[][]): number => Math.sqrt(rows.flat().reduce((a, v) => a + v * v, 0) / rows.flat().length);
  assert.ok(Math.abs(rms(W0.slice(0, 2)) - 1 / Math.SQRT2) < 0.05, `${rms(W0.slice(0, 2))}`);
  assert.ok(Math.abs(rms(W0.slice(2)) - 1 / Math.sqrt(130)) < 0.01, `${rms(W0.slice(2))}`);
});
