/**
 * Our WebAssembly SIMD kernels (src/backend/wasmArena.ts: wasmGemm.ts, wasmVector.ts) against plain
 * float64 references on random shapes, strides and values, and the in-place MLP back-propagation built
 * on them (src/train/mlpWasmBackprop.ts) against TensorFlow.js autodiff of the DSM loss, for random
 * MLPs (widths, depth, classes, rows).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import * as tf from '@tensorflow/tfjs';
import { WasmArena, wasmSimdSupported } from '../../src/backend/wasmArena.ts';
import { MlpWasmBackprop } from '../../src/train/mlpWasmBackprop.ts';
import { dsmLoss, disposeBatch, uploadBatch } from '../../src/train/dsmLoss.ts';
import { createMlp, type MlpConfig } from '../../src/score/mlp.ts';
import { initWeights, type Weights } from '../../src/score/layers.ts';
import { flatLayout } from '../../src/train/parallel.ts';
import { Rng } from '../../src/rng.ts';

const U = 2 ** -24;
await tf.setBackend('cpu');

test('the SIMD module validates on this engine', () => assert.ok(wasmSimdSupported()));

test('gemm = float64 reference (random M, N, K, A transposed or not, zero / accumulate / bias start)', () => {
  fc.assert(fc.property(
    fc.integer({ min: 0, max: 23 }), fc.integer({ min: 0, max: 37 }), fc.integer({ min: 0, max: 29 }),
    fc.boolean(), fc.constantFrom('zero', 'acc', 'bias'), fc.integer({ min: 0, max: 5 }), fc.integer({ min: 1, max: 1e9 }),
    (M, N, K, transA, start, pad, seed) => {
      const rng = new Rng(seed);
      const lda = (transA ? M : K) + pad, ldb = N + pad, ldc = N + pad;
      const aLen = (transA ? K : M) * lda, bLen = K * ldb, cLen = M * ldc;
      const A0 = 3, B0 = A0 + aLen + 1, C0 = B0 + bLen + 2, bias = C0 + cLen;
      const ar = new WasmArena(bias + N + 4);
      const f = ar.f32;
      for (let i = 0; i < f.length; i++) f[i] = 4 * rng.uniform() - 2;
      const before = f.slice();
      const A = transA ? { off: A0, si: 1, sk: lda } : { off: A0, si: lda, sk: 1 };
      ar.gemm(M, N, K, A, { off: B0, ld: ldb }, { off: C0, ld: ldc }, start === 'bias' ? { bias } : (start as 'zero' | 'acc'));
      for (let i = 0; i < M; i++) {
        for (let j = 0; j < N; j++) {
          let s = start === 'zero' ? 0 : start === 'acc' ? before[C0 + i * ldc + j] : before[bias + j];
          let m = Math.abs(s);
          for (let k = 0; k < K; k++) { const p = before[A.off + i * A.si + k * A.sk] * before[B0 + k * ldb + j]; s += p; m += Math.abs(p); }
          const got = f[C0 + i * ldc + j];
          assert.ok(Math.abs(got - s) <= 2 * (K + 2) * U * m + 1e-30, `C[${i},${j}] = ${got} vs ${s} (M ${M} N ${N} K ${K})`);
        }
      }
      // nothing outside C is written (the padding of C included)
      for (let i = 0; i < f.length; i++) {
        const inC = i >= C0 && i < C0 + cLen && (i - C0) % ldc < N;
        if (!inC) assert.equal(f[i], before[i], `wrote outside C at ${i}`);
      }
    }), { numRuns: 150 });
});

test('silu, siluGrad, colSums = float64 references (random lengths, values over the whole float32 exp range)', () => {
  fc.assert(fc.property(fc.integer({ min: 0, max: 41 }), fc.integer({ min: 1, max: 9 }), fc.integer({ min: 1, max: 1e9 }), (n, rows, seed) => {
    const rng = new Rng(seed);
    const ar = new WasmArena(4 * n + rows * n + n + 8);
    const f = ar.f32;
    const z = 0, s = n, h = 2 * n, d = 3 * n, x = 4 * n, out = 4 * n + rows * n;
    for (let i = 0; i < n; i++) { f[z + i] = (rng.uniform() - 0.5) * 200; f[d + i] = 2 * rng.uniform() - 1; }
    for (let i = 0; i < rows * n; i++) f[x + i] = 2 * rng.uniform() - 1;
    const d0 = f.slice(d, d + n);
    ar.silu(z, s, h, n);
    ar.siluGrad(d, z, s, n);
    ar.colSums(x, rows, n, n, out);
    for (let i = 0; i < n; i++) {
      const zi = f[z + i], si = 1 / (1 + Math.exp(-zi));
      // sigmoid to a few float32 ulps where it is a normal float32, else to the smallest normal
      assert.ok(Math.abs(f[s + i] - si) <= 8 * U * si + 2 ** -126, `sigmoid(${zi}) = ${f[s + i]} vs ${si}`);
      assert.ok(Math.abs(f[h + i] - zi * si) <= 8 * U * Math.abs(zi * si) + 2 ** -120, `silu(${zi})`);
      const si32 = f[s + i], g = d0[i] * si32 * (1 + zi * (1 - si32));
      assert.ok(Math.abs(f[d + i] - g) <= 8 * U * (Math.abs(d0[i]) * si32 * (1 + Math.abs(zi) * (1 - si32))) + 1e-30, `siluGrad at ${zi}`);
      let c = 0, m = 0;
      for (let r = 0; r < rows; r++) { c += f[x + r * n + i]; m += Math.abs(f[x + r * n + i]); }
      assert.ok(Math.abs(f[out + i] - c) <= (rows + 1) * U * m, `colSums[${i}]`);
    }
  }), { numRuns: 100 });
});

test('transpose = the index permutation (random shapes; nothing else written)', () => {
  fc.assert(fc.property(fc.integer({ min: 0, max: 23 }), fc.integer({ min: 0, max: 23 }), fc.integer({ min: 1, max: 1e9 }), (rows, cols, seed) => {
    const rng = new Rng(seed);
    const src = 1, dst = 2 + rows * cols;
    const ar = new WasmArena(dst + rows * cols + 3);
    for (let i = 0; i < ar.f32.length; i++) ar.f32[i] = rng.uniform();
    const before = ar.f32.slice();
    ar.transpose(src, rows, cols, dst);
    for (let i = 0; i < rows; i++) for (let j = 0; j < cols; j++) assert.equal(ar.f32[dst + j * rows + i], before[src + i * cols + j]);
    for (let i = 0; i < ar.f32.length; i++) if (i < dst || i >= dst + rows * cols) assert.equal(ar.f32[i], before[i]);
  }), { numRuns: 100 });
});

test('MLP back-propagation in place = TensorFlow.js autodiff of the DSM loss (random MLPs, classes, rows)', () => {
  fc.assert(fc.property(
    fc.integer({ min: 1, max: 3 }), fc.array(fc.integer({ min: 1, max: 40 }), { minLength: 1, maxLength: 3 }), fc.integer({ min: 1, max: 8 }),
    fc.integer({ min: 0, max: 3 }), fc.integer({ min: 1, max: 13 }), fc.double({ min: 0.1, max: 1, noNaN: true }), fc.integer({ min: 1, max: 1e9 }),
    (dim, hidden, halfEmb, numClasses, rows, share, seed) => {
      const cfg: MlpConfig = { kind: 'mlp', dim, hidden, embDim: 2 * halfEmb, numClasses };
      const net = createMlp(cfg);
      const rng = new Rng(seed);
      const w0 = initWeights(net.specs, rng);
      const { offsets, total } = flatLayout(net.specs);
      const params = new Float32Array(total);
      net.specs.forEach((sp, i) => {
        const v = w0[sp.name].dataSync() as Float32Array;
        for (let j = 0; j < v.length; j++) params[offsets[i] + j] = v[j] + 0.1 * (2 * rng.uniform() - 1); // zero biases moved off zero
      });
      tf.dispose(Object.values(w0));
      const shard = {
        xIn: Float32Array.from({ length: rows * dim }, () => 2 * rng.uniform() - 1),
        cNoise: Float32Array.from({ length: rows }, () => 4 * rng.uniform() - 2),
        target: Float32Array.from({ length: rows * dim }, () => 2 * rng.uniform() - 1),
        weight: Float32Array.from({ length: rows }, () => 0.5 + rng.uniform()),
        labels: numClasses ? Int32Array.from({ length: rows }, () => Math.floor(rng.uniform() * (numClasses + 1))) : null,
      };
      const grad = new Float32Array(total);
      const step = new MlpWasmBackprop(cfg, net.specs, rows);
      const loss = step.run(params, shard, share, grad);
      // warming up (zero parameters and data) leaves nothing behind: the same step gives the same bits
      step.warmUp(2);
      const again = new Float32Array(total);
      assert.equal(step.run(params, shard, share, again), loss);
      assert.deepEqual(new Uint32Array(again.buffer), new Uint32Array(grad.buffer));
      const b = uploadBatch({ ...shard, n: rows, t: new Float64Array(rows) }, [dim]);
      const ws = net.specs.map((sp, i) => tf.tensor(params.subarray(offsets[i], offsets[i] + sp.shape.reduce((p, q) => p * q, 1)), [...sp.shape]));
      const { value, grads } = tf.valueAndGrads((...t: tf.Tensor[]) => {
        const o: Weights = {};
        net.specs.forEach((sp, i) => (o[sp.name] = t[i]));
        return tf.mul(dsmLoss(net, o, b), share) as tf.Scalar;
      })(ws);
      const ref = value.dataSync()[0];
      // F - target cancels where the network output is close to the target: float32 rounding of F is
      // relative to |F| + |target|, so the tolerances scale with that where it exceeds |F - target|
      const o: Weights = {};
      net.specs.forEach((sp, i) => (o[sp.name] = ws[i]));
      const Fout = tf.tidy(() => net.apply(o, b.x, b.cNoise, b.labels).dataSync() as Float32Array);
      let maxDiff = 0, maxSum = 0, lossScale = 0;
      for (let r = 0; r < rows; r++) {
        let e = 0;
        for (let d = 0; d < dim; d++) {
          const F = Fout[r * dim + d], t = shard.target[r * dim + d];
          maxDiff = Math.max(maxDiff, Math.abs(F - t)); maxSum = Math.max(maxSum, Math.abs(F) + Math.abs(t));
          e += (Math.abs(F) + Math.abs(t)) ** 2 / dim;
        }
        lossScale += (share * shard.weight[r] * e) / rows;
      }
      assert.ok(Math.abs(loss - ref) <= 1e-5 * (Math.abs(ref) + lossScale), `loss ${loss} vs ${ref}`);
      const refs = grads.map((g) => g.dataSync() as Float32Array);
      // gradients are linear in dZ = c (F - target): their float32 error scales with |F| + |target|
      const top = Math.max(...refs.map((r) => r.reduce((m, x) => Math.max(m, Math.abs(x)), 0)), 1e-30) * Math.max(1, maxSum / Math.max(maxDiff, 1e-30));
      net.specs.forEach((sp, i) => {
        const mine = grad.subarray(offsets[i], offsets[i] + refs[i].length);
        const err = mine.reduce((m, x, j) => Math.max(m, Math.abs(x - refs[i][j])), 0);
        assert.ok(err <= 1e-5 * top, `${sp.name}: max error ${err} (largest gradient, scaled for cancellation, ${top})`);
      });
      tf.dispose([value, ...grads, ...ws]);
      disposeBatch(b);
    }), { numRuns: 25 });
});
