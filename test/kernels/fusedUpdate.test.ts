/**
 * The fused sampler-update kernel x_next = sum_k c_k y_k on Dawn (llvmpipe on CI) against the
 * float64 host result, to float32 tolerance. Skips with a message when no WebGPU adapter exists.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { probeDawn } from '../../src/backend/webgpu.ts';
import { KernelRuntime } from '../../src/kernels/runtime.ts';
import { FusedUpdate, fusedUpdateBindings, fusedUpdateHost, fusedUpdateKernel, fusedUpdateWgsl, packCoefficients } from '../../src/kernels/fusedUpdate.ts';
import { mulberry32 } from '../../src/backend/mlpWorkload.ts';

const U = 2 ** -24; // float32 unit roundoff

const probe = await probeDawn();
const skip = probe.ok ? false : `no WebGPU adapter, GPU kernel tests skipped: ${probe.reason}`;
if (skip) console.log(`# ${skip}`);

/** Float32 data in [-s, s] from a seed. */
function data(n: number, seed: number, s = 3): Float32Array {
  const u = mulberry32(seed);
  const out = new Float32Array(n);
  for (let i = 0; i < n; i++) out[i] = (2 * u() - 1) * s;
  return out;
}

/** Error bound for a K-term float32 dot product: (K + 2) u sum_k |c_k y_k| (coefficient rounding, products, sum). */
function bound(c: readonly number[], ys: readonly Float32Array[], i: number): number {
  let s = 0;
  for (let k = 0; k < c.length; k++) s += Math.abs(c[k] * ys[k][i]);
  return (c.length + 2) * U * s + 1e-30;
}

test('WGSL source declares one storage binding per array and a uniform for the coefficients', () => {
  for (const terms of [1, 3, 5, 9]) {
    for (const inPlace of [false, true]) {
      const src = fusedUpdateWgsl(terms, { inPlace });
      const b = fusedUpdateBindings(terms, { inPlace });
      assert.equal(b.length, terms + (inPlace ? 1 : 2));
      assert.equal((src.match(/var<storage/g) ?? []).length, b.length - 1);
      assert.equal((src.match(/coef\.c\[/g) ?? []).length, terms);
      assert.match(src, new RegExp(`array<vec4<f32>, ${Math.ceil(terms / 4)}>`));
      assert.deepEqual(b.map((x) => x.binding), b.map((_, i) => i));
    }
  }
  assert.throws(() => fusedUpdateWgsl(0), /positive integer/);
  assert.throws(() => packCoefficients([1, Number.NaN]), /c_1 is NaN/);
});

test('host reference is linear in the coefficients', () => {
  fc.assert(fc.property(fc.integer({ min: 1, max: 5 }), fc.integer({ min: 1, max: 50 }), fc.integer(), (K, n, seed) => {
    const u = mulberry32(seed);
    const ys = Array.from({ length: K }, (_, k) => data(n, seed + k));
    const c = Array.from({ length: K }, () => 4 * u() - 2);
    const d = Array.from({ length: K }, () => 4 * u() - 2);
    const a = new Float64Array(n), b = new Float64Array(n), ab = new Float64Array(n);
    fusedUpdateHost(c, ys, a);
    fusedUpdateHost(d, ys, b);
    fusedUpdateHost(c.map((x, k) => x + d[k]), ys, ab);
    for (let i = 0; i < n; i++) assert.ok(Math.abs(ab[i] - a[i] - b[i]) <= 1e-12 * (1 + Math.abs(ab[i])));
  }), { numRuns: 50 });
});

test('fused update on Dawn matches the float64 host result (random terms, sizes, in place or not)', { skip }, async () => {
  const rt = await KernelRuntime.open();
  try {
    await fc.assert(fc.asyncProperty(
      fc.integer({ min: 1, max: 6 }), fc.integer({ min: 1, max: 3000 }), fc.boolean(), fc.integer({ min: 0, max: 2 ** 30 }),
      async (K, n, inPlace, seed) => {
        const u = mulberry32(seed);
        const c = Array.from({ length: K }, () => (u() < 0.1 ? 0 : (2 * u() - 1) * 10 ** (4 * u() - 2)));
        const ys = Array.from({ length: K }, (_, k) => data(n, seed * 7 + k));
        const fu = await FusedUpdate.create(rt, K, { inPlace });
        const out = rt.array(inPlace ? ys[0] : new Float32Array(n));
        const inputs = ys.slice(inPlace ? 1 : 0).map((y) => rt.array(y));
        fu.step(c, out, inputs);
        const got = await rt.read(out);
        const want = new Float64Array(n);
        fusedUpdateHost(c, ys, want);
        for (let i = 0; i < n; i++) {
          const err = Math.abs(got[i] - want[i]);
          assert.ok(err <= bound(c, ys, i), `K=${K} n=${n} inPlace=${inPlace} i=${i}: ${got[i]} vs ${want[i]} (err ${err})`);
        }
        fu.destroy();
        for (const a of [out, ...inputs]) rt.free(a);
      }), { numRuns: 12 });
  } finally {
    rt.destroy();
  }
});

test('a 2-d dispatch grid covers arrays beyond 65535 workgroups exactly once', { skip }, async () => {
  const rt = await KernelRuntime.open();
  try {
    const n = 70001; // > 65535 workgroups of size 1: forces a (65535, 2) grid
    const kernel = await rt.compile({ ...fusedUpdateKernel(1, { workgroupSize: 1, inPlace: true }), label: 'grid2d' });
    assert.deepEqual(kernel.grid(n), [65535, 2]);
    const x = rt.array(new Float32Array(n).fill(1));
    kernel.run({ x_next: x, coef: packCoefficients([2]) }, n);
    const got = await rt.read(x);
    assert.equal(got.filter((v) => v === 2).length, n, 'every element doubled exactly once');
    kernel.destroy();
  } finally {
    rt.destroy();
  }
});

test('a 40-step sampler-like run x <- a x + b e + c z stays within the float32 error bound', { skip }, async () => {
  const rt = await KernelRuntime.open();
  try {
    const n = 4096, steps = 40;
    const x0 = data(n, 1), e = data(n, 2), z = data(n, 3);
    const fu = await FusedUpdate.create(rt, 3, { inPlace: true });
    const gx = rt.array(x0), ge = rt.array(e), gz = rt.array(z);
    const ref = Float64Array.from(x0);
    const err = new Float64Array(n); // running error bound
    for (let k = 0; k < steps; k++) {
      const t = 1 - k / steps;
      const c = [Math.exp(-0.05 * t), -0.1 * Math.sqrt(t), 0.05 * t]; // float64 host coefficients
      fu.step(c, gx, [ge, gz]);
      for (let i = 0; i < n; i++) {
        const local = (3 + 2) * U * (Math.abs(c[0] * ref[i]) + Math.abs(c[1] * e[i]) + Math.abs(c[2] * z[i]));
        ref[i] = c[0] * ref[i] + c[1] * e[i] + c[2] * z[i];
        err[i] = Math.abs(c[0]) * err[i] * (1 + 4 * U) + local;
      }
    }
    const got = await rt.read(gx);
    for (let i = 0; i < n; i++) assert.ok(Math.abs(got[i] - ref[i]) <= 2 * err[i] + 1e-30, `i=${i}: ${got[i]} vs ${ref[i]}`);
    fu.destroy();
  } finally {
    rt.destroy();
  }
});

test('a WGSL compile error names the kernel and the line', { skip }, async () => {
  const rt = await KernelRuntime.open();
  await assert.rejects(
    rt.compile({ wgsl: '@compute @workgroup_size(1) fn main() { let x: f32 = y; }', entryPoint: 'main', workgroupSize: 1, bindings: [], label: 'broken' }),
    /broken.*does not compile[\s\S]*line 1/,
  );
});
