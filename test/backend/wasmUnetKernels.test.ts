/**
 * sdekit's fused wasm kernels of the U-Net (src/backend/wasmConv3.ts, wasmGroupNorm.ts) against
 * the plain tf-op layers (setFusedLayerKernels(false): autodiff through im2col + matmul for the
 * convolution, tf.moments + affine + x sigmoid(x) for group norm + SiLU): values and gradients on
 * random shapes, channel counts, groups and values; and the whole U-Net's loss gradients.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import * as tf from '@tensorflow/tfjs';
import { initTrainBackend } from '../../src/train/backend.ts';
import { concatChannels, conv3, groupNormSilu, initWeights, patches3, setFusedLayerKernels, up2, type Weights } from '../../src/score/layers.ts';
import { createUnet } from '../../src/score/unet.ts';
import { dsmLoss } from '../../src/train/dsmLoss.ts';
import { Rng } from '../../src/rng.ts';

await initTrainBackend('wasm');

/** Host copies of f's outputs with the fused kernels on and off. */
function both(f: () => tf.Tensor[]): { fused: Float32Array[]; ref: Float32Array[] } {
  const run = (on: boolean): Float32Array[] => {
    setFusedLayerKernels(on);
    try {
      return tf.tidy(f).map((t) => { const d = t.dataSync() as Float32Array; t.dispose(); return d; });
    } finally {
      setFusedLayerKernels(true);
    }
  };
  return { fused: run(true), ref: run(false) };
}

/**
 * max |a - b| <= tol * max(max |b|, floor): float32 tolerance relative to the tensor's scale, or to
 * `floor` for a tensor that is zero up to rounding (e.g. a group of two values has dx = 0 exactly).
 */
function assertClose(a: Float32Array, b: Float32Array, tol: number, what: string, floor = 0): void {
  assert.equal(a.length, b.length, what);
  let scale = Math.max(1e-30, floor), err = 0;
  for (let i = 0; i < a.length; i++) { scale = Math.max(scale, Math.abs(b[i])); err = Math.max(err, Math.abs(a[i] - b[i])); }
  assert.ok(a.every(Number.isFinite), `${what}: not finite`);
  assert.ok(err <= tol * scale, `${what}: max error ${err} > ${tol} x ${scale}`);
}

const rand = (shape: number[], seed: number, mean = 0, std = 1): tf.Tensor => tf.randomNormal(shape, mean, std, 'float32', seed);

// channel counts: any, or whole tiles of our SIMD GEMM (C % 4 = 0, C_out % 8 = 0), where the filter gradient runs on it
test('conv3 on wasm: value and gradients (x, W, b) == autodiff of im2col + matmul, random shapes and values', () => {
  fc.assert(fc.property(
    fc.record({ B: fc.integer({ min: 1, max: 3 }), H: fc.integer({ min: 1, max: 9 }), W: fc.integer({ min: 1, max: 9 }), C: fc.oneof(fc.integer({ min: 1, max: 12 }), fc.constantFrom(4, 8, 16)), Co: fc.oneof(fc.integer({ min: 1, max: 12 }), fc.constantFrom(8, 16)), seed: fc.integer({ min: 0, max: 1e6 }) }),
    ({ B, H, W, C, Co, seed }) => {
      const x = rand([B, H, W, C], seed), Wm = rand([9 * C, Co], seed + 1, 0, 0.3), bias = rand([Co], seed + 2), probe = rand([B, H, W, Co], seed + 3);
      const { fused, ref } = both(() => {
        const f = (xx: tf.Tensor, ww: tf.Tensor, bb: tf.Tensor): tf.Scalar => tf.sum(tf.mul(conv3({ 'c.w': ww, 'c.b': bb } as Weights, 'c', xx as tf.Tensor4D), probe));
        return [conv3({ 'c.w': Wm, 'c.b': bias } as Weights, 'c', x as tf.Tensor4D), ...tf.grads(f)([x, Wm, bias])];
      });
      // the reference path's convolution is itself the im2col product: check it once against patches3
      const im2col = tf.tidy(() => tf.add(tf.matMul(patches3(x as tf.Tensor4D), Wm as tf.Tensor2D), bias).dataSync() as Float32Array);
      assertClose(ref[0], im2col, 1e-5, 'reference value vs im2col');
      ['value', 'dx', 'dW', 'db'].forEach((k, i) => assertClose(fused[i], ref[i], 1e-5, k));
      tf.dispose([x, Wm, bias, probe]);
    }), { numRuns: 40 });
});

test('group norm + SiLU on wasm: value and gradients (x, gamma, beta) == tf ops, random shapes, groups and values', () => {
  fc.assert(fc.property(
    fc.record({ B: fc.integer({ min: 1, max: 3 }), H: fc.integer({ min: 1, max: 7 }), W: fc.integer({ min: 1, max: 7 }), G: fc.integer({ min: 1, max: 4 }), Cg: fc.integer({ min: 1, max: 5 }), mean: fc.double({ min: -3, max: 3, noNaN: true }), std: fc.double({ min: 0.1, max: 10, noNaN: true }), seed: fc.integer({ min: 0, max: 1e6 }) }),
    ({ B, H, W, G, Cg, mean, std, seed }) => {
      const C = G * Cg;
      if (H * W * Cg < 2) return; // a group of one value has zero variance: xhat = 0 both ways, nothing to compare
      const x = rand([B, H, W, C], seed, mean, std), g = rand([C], seed + 1, 1, 0.5), b = rand([C], seed + 2, 0, 0.5), probe = rand([B, H, W, C], seed + 3);
      const { fused, ref } = both(() => {
        const f = (xx: tf.Tensor, gg: tf.Tensor, bb: tf.Tensor): tf.Scalar => tf.sum(tf.mul(groupNormSilu({ 'n.g': gg, 'n.b': bb }, 'n', xx as tf.Tensor4D, G), probe));
        return [groupNormSilu({ 'n.g': g, 'n.b': b }, 'n', x as tf.Tensor4D, G), ...tf.grads(f)([x, g, b])];
      });
      // the scale of dx: |dy| |gamma| / std
      const floor = (tf.max(tf.abs(probe)).dataSync()[0] * tf.max(tf.abs(g)).dataSync()[0]) / std;
      ['value', 'dx', 'dgamma', 'dbeta'].forEach((k, i) => assertClose(fused[i], ref[i], 1e-4, k, floor));
      tf.dispose([x, g, b, probe]);
    }), { numRuns: 30 });
});

test('channel concat and nearest 2x upsampling on wasm: values and gradients == tf ops, random shapes', () => {
  fc.assert(fc.property(
    fc.record({ B: fc.integer({ min: 1, max: 3 }), H: fc.integer({ min: 1, max: 6 }), W: fc.integer({ min: 1, max: 6 }), C1: fc.integer({ min: 1, max: 9 }), C2: fc.integer({ min: 1, max: 9 }), seed: fc.integer({ min: 0, max: 1e6 }) }),
    ({ B, H, W, C1, C2, seed }) => {
      const a = rand([B, H, W, C1], seed), b = rand([B, H, W, C2], seed + 1), pc = rand([B, H, W, C1 + C2], seed + 2), pu = rand([B, 2 * H, 2 * W, C1], seed + 3);
      const { fused, ref } = both(() => {
        const f = (aa: tf.Tensor, bb: tf.Tensor): tf.Scalar => tf.add(tf.sum(tf.mul(concatChannels(aa as tf.Tensor4D, bb as tf.Tensor4D), pc)), tf.sum(tf.mul(up2(aa as tf.Tensor4D), pu)));
        return [concatChannels(a as tf.Tensor4D, b as tf.Tensor4D), up2(a as tf.Tensor4D), ...tf.grads(f)([a, b])];
      });
      ['concat', 'up2', 'da', 'db'].forEach((k, i) => assertClose(fused[i], ref[i], 1e-6, k));
      tf.dispose([a, b, pc, pu]);
    }), { numRuns: 25 });
});

test('U-Net (class-conditional, 16x16, widths 16,32,32): DSM loss and every gradient equal with and without the fused kernels', () => {
  const net = createUnet({ kind: 'unet', height: 16, width: 16, channels: 1, widths: [16, 32, 32], embDim: 16, groups: 8, numClasses: 3 });
  const rng = new Rng(11);
  const w = initWeights(net.specs, rng);
  // nonzero output layer and biases, so that every parameter gets gradient
  for (const s of net.specs) if (/(^out\.w|\.b)$/.test(s.name) || s.name.endsWith('.c2.w')) { w[s.name].dispose(); w[s.name] = rand([...s.shape], s.name.length, 0, 0.2); }
  const names = net.specs.map((s) => s.name);
  const b = { x: rand([3, 16, 16, 1], 1), target: rand([3, 16, 16, 1], 2), cNoise: tf.tensor1d([-0.7, 0.1, 0.9]), labels: tf.tensor1d([0, 2, 3], 'int32'), weight: tf.tensor1d([1, 0.5, 2]) };
  const { fused, ref } = both(() => {
    const r = tf.valueAndGrads((...ws: tf.Tensor[]) => { const o: Weights = {}; names.forEach((n, i) => (o[n] = ws[i])); return dsmLoss(net, o, b); })(names.map((n) => w[n]));
    return [r.value, ...r.grads];
  });
  assertClose(fused[0], ref[0], 1e-5, 'loss');
  const scale = Math.max(...ref.slice(1).map((g) => Math.max(...g.map(Math.abs))));
  names.forEach((n, i) => {
    assertClose(fused[i + 1], ref[i + 1], 1e-4, `d${n}`, 1e-3 * scale);
    assert.ok(ref[i + 1].some((v) => v !== 0), `d${n} is not identically zero`);
  });
});
