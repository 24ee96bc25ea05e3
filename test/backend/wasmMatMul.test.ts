/**
 * The wasm matmul patch (explicit transposes, flag-free XNNPACK path) computes the same products
 * and the same gradients as the kernels tfjs ships, for random shapes and transpose flags, and
 * leaves an MLP training step's losses and gradients unchanged.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import * as tf from '@tensorflow/tfjs';
import '@tensorflow/tfjs-backend-wasm';
import { isWasmMatMulPatched, patchWasmMatMul, unpatchWasmMatMul } from '../../src/backend/wasmMatMul.ts';
import { MlpTrainer, initMlpParams, makeMlpBatch, mulberry32, type MlpConfig } from '../../src/backend/mlpWorkload.ts';

const U = 2 ** -24;
await tf.setBackend('wasm');
await tf.ready();

function rand(shape: number[], seed: number): tf.Tensor {
  const u = mulberry32(seed);
  const n = shape.reduce((a, b) => a * b, 1);
  return tf.tensor(Float32Array.from({ length: n }, () => 2 * u() - 1), shape);
}

/** Transpose the last two axes. */
function swapLast2(t: tf.Tensor): tf.Tensor {
  const r = t.rank;
  return tf.transpose(t, Array.from({ length: r }, (_, i) => (i < r - 2 ? i : 2 * r - 3 - i)));
}

/** Run f with the patch on and off; returns both results as host arrays. */
function both(f: () => tf.Tensor[]): { patched: Float32Array[]; shipped: Float32Array[] } {
  patchWasmMatMul();
  const patched = tf.tidy(f).map((t) => { const d = t.dataSync() as Float32Array; t.dispose(); return d; });
  unpatchWasmMatMul();
  const shipped = tf.tidy(f).map((t) => { const d = t.dataSync() as Float32Array; t.dispose(); return d; });
  return { patched, shipped };
}

/** |x - y| <= 2 (K + 2) u m elementwise, m = the same product on absolute values (a rigorous bound for each). */
function assertClose(x: Float32Array, y: Float32Array, absProduct: Float32Array, K: number, what: string): void {
  assert.equal(x.length, y.length);
  for (let i = 0; i < x.length; i++) {
    const tol = 2 * (K + 2) * U * absProduct[i] + 1e-30;
    assert.ok(Math.abs(x[i] - y[i]) <= tol, `${what}[${i}]: ${x[i]} vs ${y[i]} (tol ${tol})`);
  }
}

const shapes = fc.record({
  batch: fc.constantFrom<number[]>([], [1], [3], [2, 2]),
  m: fc.integer({ min: 1, max: 40 }),
  k: fc.integer({ min: 1, max: 70 }),
  n: fc.integer({ min: 1, max: 40 }),
  ta: fc.boolean(),
  tb: fc.boolean(),
  seed: fc.integer({ min: 0, max: 1e6 }),
});

test('patched BatchMatMul: same products and gradients as shipped', () => {
  fc.assert(fc.property(shapes, ({ batch, m, k, n, ta, tb, seed }) => {
    const aShape = [...batch, ...(ta ? [k, m] : [m, k])];
    const bShape = [...batch, ...(tb ? [n, k] : [k, n])];
    const run = (): tf.Tensor[] => {
      const a = rand(aShape, seed), b = rand(bShape, seed + 1), w = rand([...batch, m, n], seed + 2);
      const f = (x: tf.Tensor, y: tf.Tensor): tf.Tensor => tf.sum(tf.mul(w, tf.matMul(x, y, ta, tb)));
      const [da, db] = tf.grads(f)([a, b]);
      const absProd = tf.matMul(tf.abs(a), tf.abs(b), ta, tb);
      const absDa = tf.matMul(tf.abs(w), tf.abs(b), false, !tb); // dA = w B^T (then transposed if ta)
      const absDb = tf.matMul(tf.abs(a), tf.abs(w), !ta, false); // dB = A^T w
      return [tf.matMul(a, b, ta, tb), da, db, absProd, ta ? swapLast2(absDa) : absDa, tb ? swapLast2(absDb) : absDb];
    };
    const { patched: p, shipped: s } = both(run);
    assertClose(p[0], s[0], s[3], k, 'a@b');
    assertClose(p[1], s[1], s[4], n, 'dA');
    assertClose(p[2], s[2], s[5], m, 'dB');
  }), { numRuns: 60 });
  assert.equal(isWasmMatMulPatched(), false);
});

/** Run f on the cpu backend (the reference), then switch back to wasm. */
async function onCpu(f: () => tf.Tensor[]): Promise<Float32Array[]> {
  await tf.setBackend('cpu');
  const out = tf.tidy(f).map((t) => { const d = t.dataSync() as Float32Array; t.dispose(); return d; });
  await tf.setBackend('wasm');
  return out;
}

// Found while writing this test: tfjs 4.22's shipped wasm _FusedMatMul is wrong when a transpose
// flag is set: it adds the bias at the wrong index (a^T b + bias puts bias[1] into row 1, column 0)
// and its fused relu let a negative product through as 0.0318 (m=1, k=49, n=1, transposeB). The
// patch never passes a flag to it, so it is also a correctness fix. Hence the reference below is
// the cpu backend; patched and shipped must agree where the shipped kernel is right (no flags).
test('patched _FusedMatMul (bias, activation): outputs match the cpu backend, gradients match shipped', async () => {
  await fc.assert(fc.asyncProperty(shapes, fc.boolean(), fc.constantFrom<('linear' | 'relu' | 'sigmoid' | 'elu')>('linear', 'relu', 'sigmoid', 'elu'), async ({ m, k, n, ta, tb, seed }, withBias, activation) => {
    const run = (): tf.Tensor[] => {
      const a = rand(ta ? [k, m] : [m, k], seed), b = rand(tb ? [n, k] : [k, n], seed + 1);
      const bias = rand([n], seed + 3), w = rand([m, n], seed + 2);
      const fused = (x: tf.Tensor, y: tf.Tensor, z: tf.Tensor): tf.Tensor =>
        tf.fused.matMul({ a: x as tf.Tensor2D, b: y as tf.Tensor2D, bias: withBias ? z : undefined, transposeA: ta, transposeB: tb, activation });
      const [da, db, dbias] = tf.grads((x: tf.Tensor, y: tf.Tensor, z: tf.Tensor) => tf.sum(tf.mul(w, tf.add(fused(x, y, z), tf.mul(0, z)))))([a, b, bias]);
      const scale = tf.add(tf.matMul(tf.abs(a), tf.abs(b), ta, tb), withBias ? tf.abs(bias) : 0);
      return [fused(a, b, bias), da, db, dbias, scale];
    };
    const ref = await onCpu(run);
    const { patched: p, shipped: s } = both(run);
    // activations are 1-Lipschitz here; elu/sigmoid evaluate exp: allow a few more ulps of the output scale
    assertClose(p[0], ref[0], ref[4].map((v) => v * 1.5 + 8), k, `${activation}(a@b${withBias ? '+bias' : ''}) vs cpu`);
    if (!ta && !tb) assertClose(p[0], s[0], s[4].map((v) => v * 1.5 + 8), k, `${activation}(a@b) vs shipped`);
    for (const [j, name] of [[1, 'dA'], [2, 'dB'], [3, 'dBias']] as const) {
      const scale = Math.max(...ref[j].map(Math.abs), 1e-6);
      for (let i = 0; i < ref[j].length; i++) {
        const tol = 2e-5 * scale * Math.sqrt(Math.max(m, n, k));
        assert.ok(Math.abs(p[j][i] - ref[j][i]) <= tol, `${activation} ${name}[${i}] vs cpu: ${p[j][i]} vs ${ref[j][i]}`);
        assert.ok(Math.abs(p[j][i] - s[j][i]) <= tol, `${activation} ${name}[${i}] vs shipped: ${p[j][i]} vs ${s[j][i]}`);
      }
    }
  }), { numRuns: 40 });
});

test('MLP training: losses and gradients unchanged by the patch', () => {
  const cfg: MlpConfig = { dataDim: 2, embDim: 16, hidden: 32, depth: 3 };
  const params = initMlpParams(cfg, 11);
  const batch = makeMlpBatch(cfg, 64, 12);
  const trace = (patch: boolean): { losses: number[]; grads: Float32Array[] } => {
    if (patch) patchWasmMatMul(); else unpatchWasmMatMul();
    const tr = new MlpTrainer(params, { embDim: cfg.embDim, learningRate: 1e-2 });
    tr.setBatch(batch);
    const grads = tr.gradients();
    const losses = Array.from({ length: 5 }, () => tr.step());
    tr.dispose();
    return { losses, grads };
  };
  const p = trace(true), s = trace(false);
  for (let i = 0; i < p.losses.length; i++) assert.ok(Math.abs(p.losses[i] - s.losses[i]) <= 1e-5 * s.losses[i], `step ${i}: ${p.losses[i]} vs ${s.losses[i]}`);
  assert.ok(s.losses[4] < s.losses[0], 'training reduces the loss');
  for (let j = 0; j < p.grads.length; j++) {
    const scale = Math.max(...s.grads[j].map(Math.abs));
    for (let i = 0; i < s.grads[j].length; i++) assert.ok(Math.abs(p.grads[j][i] - s.grads[j][i]) <= 1e-5 * scale, `grad ${j}[${i}]`);
  }
  unpatchWasmMatMul();
});

test('patch is idempotent and reversible', () => {
  const shipped = tf.getKernel('BatchMatMul', 'wasm');
  assert.ok(patchWasmMatMul());
  assert.ok(patchWasmMatMul());
  assert.notEqual(tf.getKernel('BatchMatMul', 'wasm')?.kernelFunc, shipped?.kernelFunc);
  unpatchWasmMatMul();
  assert.equal(tf.getKernel('BatchMatMul', 'wasm')?.kernelFunc, shipped?.kernelFunc);
});
