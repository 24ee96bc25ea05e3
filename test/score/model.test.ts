/**
 * ScoreModel views (MATH.md section 2): a model in any one parameterisation exposes the same
 * x0, eps, score and v through ModelViews; conversions refuse true singularities by name.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { GaussianMixtureModel } from '../../src/score/gmm.ts';
import { PARAMETERIZATIONS, ViewError, convert, convertViews, type Parameterization } from '../../src/reverse/parameterization.ts';
import { ModelViews } from '../../src/score/model.ts';

const spec = { weights: [0.2, 0.5, 0.3], means: [[-2, 1], [0.5, 0.5], [3, -1]], stds: [0.4, 1.1, 0.7] };

async function views(param: Parameterization, x: Float64Array, alpha: number, sigma: number) {
  const m = new ModelViews(new GaussianMixtureModel(spec, { parameterization: param }));
  const n = x.length / 2;
  const out = { x0: new Float64Array(x.length), eps: new Float64Array(x.length), score: new Float64Array(x.length), v: new Float64Array(x.length) };
  await m.evaluate(x, n, { t: 0.5, alpha, sigma }, out);
  assert.equal(m.nfe, 1);
  return out;
}

test('every parameterisation gives the same four views (x = alpha x0 + sigma eps, v = alpha eps - sigma x0)', async () => {
  await fc.assert(fc.asyncProperty(
    fc.array(fc.double({ min: -6, max: 6, noNaN: true }), { minLength: 2, maxLength: 8 }).filter((a) => a.length % 2 === 0),
    fc.double({ min: 0.05, max: 3, noNaN: true }), fc.double({ min: 0.05, max: 3, noNaN: true }),
    async (xs, alpha, sigma) => {
      const x = Float64Array.from(xs);
      const ref = await views('x0', x, alpha, sigma);
      for (let i = 0; i < x.length; i++) {
        // identities between the views of one evaluation
        assert.ok(Math.abs(alpha * ref.x0[i] + sigma * ref.eps[i] - x[i]) < 1e-9 * (1 + Math.abs(x[i])));
        assert.ok(Math.abs(ref.score[i] + ref.eps[i] / sigma) < 1e-9 * (1 + Math.abs(ref.score[i])));
        assert.ok(Math.abs(ref.v[i] - (alpha * ref.eps[i] - sigma * ref.x0[i])) < 1e-9 * (1 + Math.abs(ref.v[i])));
      }
      for (const p of PARAMETERIZATIONS) {
        const o = await views(p, x, alpha, sigma);
        for (const k of ['x0', 'eps', 'score', 'v'] as const) {
          for (let i = 0; i < x.length; i++) {
            const tol = 1e-8 * (1 + Math.abs(ref[k][i])) / Math.min(alpha, sigma, 1) ** 2;
            assert.ok(Math.abs(o[k][i] - ref[k][i]) <= tol, `${p} -> ${k}[${i}]: ${o[k][i]} vs ${ref[k][i]}`);
          }
        }
      }
    }), { numRuns: 60 });
});

test('x0 and v models are finite at alpha = 0 (zero terminal SNR); x0 there is the data mean', async () => {
  const x = Float64Array.from([0.3, -1.2, 5, 2]);
  const mean = [0, 1].map((j) => spec.weights.reduce((a, w, k) => a + w * spec.means[k][j], 0));
  for (const p of ['x0', 'v'] as const) {
    const o = await views(p, x, 0, 1);
    for (let i = 0; i < x.length; i++) assert.ok(Math.abs(o.x0[i] - mean[i % 2]) < 1e-12, `${p}: ${o.x0[i]}`);
    for (let i = 0; i < x.length; i++) assert.ok(Math.abs(o.eps[i] - x[i]) < 1e-12);
  }
});

test('conversions that divide by zero throw a ViewError naming the view', () => {
  const x = new Float64Array([1, 2]);
  const nat = new Float64Array([0.5, 0.1]);
  assert.throws(() => convertViews('eps', x, nat, { t: 1, alpha: 0, sigma: 1 }, { x0: new Float64Array(2) }), (e: unknown) => e instanceof ViewError && /x0/.test(e.message));
  assert.throws(() => convertViews('score', x, nat, { t: 1, alpha: 0, sigma: 1 }, { v: new Float64Array(2) }), ViewError);
  assert.throws(() => convertViews('x0', x, nat, { t: 0, alpha: 1, sigma: 0 }, { eps: new Float64Array(2) }), (e: unknown) => e instanceof ViewError && /eps/.test(e.message));
  assert.throws(() => convertViews('v', x, nat, { t: 0, alpha: 1, sigma: 0 }, { score: new Float64Array(2) }), ViewError);
  // allowed at the same points
  const out = new Float64Array(2);
  convertViews('x0', x, nat, { t: 0, alpha: 1, sigma: 0 }, { x0: out });
  assert.deepEqual(Array.from(out), [0.5, 0.1]);
  convertViews('v', x, nat, { t: 0, alpha: 1, sigma: 0 }, { x0: out });
  assert.deepEqual(Array.from(out), [1, 2]);
});

test('convert (one scalar, all four views) is convertViews on one element and refuses the same singular levels', () => {
  fc.assert(fc.property(
    fc.constantFrom(...PARAMETERIZATIONS), fc.double({ min: -6, max: 6, noNaN: true }), fc.double({ min: -6, max: 6, noNaN: true }),
    fc.double({ min: 0.01, max: 3, noNaN: true }), fc.double({ min: 0.01, max: 3, noNaN: true }),
    (from, value, x, alpha, sigma) => {
      const r = convert(from, value, x, alpha, sigma);
      const want = { x0: new Float64Array(1), eps: new Float64Array(1), score: new Float64Array(1), v: new Float64Array(1) };
      convertViews(from, Float64Array.of(x), Float64Array.of(value), { t: 0.5, alpha, sigma }, want);
      for (const p of PARAMETERIZATIONS) assert.equal(r[p], want[p][0]);
      assert.equal(r[from], value);
    }), { numRuns: 100 });
  assert.throws(() => convert('eps', 0.5, 1, 0, 1), (e: unknown) => e instanceof ViewError && /x0/.test(e.message) && !/t = /.test(e.message));
  assert.throws(() => convert('x0', 0.5, 1, 1, 0), ViewError);
});
