/**
 * The exact mixture and Gaussian models: score = grad log p_t (finite differences of the exact
 * marginal density), Tweedie x0 = (x + sigma^2 s)/alpha, one component = the Gaussian model,
 * normalised density, exact data sampling, log-sum-exp stability far from every component.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { GaussianMixtureModel, validateGmm } from '../../src/score/gmm.ts';
import { GaussianModel } from '../../src/score/gaussian.ts';
import { UserError } from '../../src/errors.ts';
import { createRng } from '../../src/rng.ts';

const spec = { weights: [1, 2, 1], means: [[-2, 1], [0.5, 0.5], [3, -1]], stds: [0.4, 1.1, 0.7] };

test('score is the gradient of the exact marginal log-density at any noise level', () => {
  const g = new GaussianMixtureModel(spec, { parameterization: 'score' });
  fc.assert(fc.property(
    fc.double({ min: -5, max: 5, noNaN: true }), fc.double({ min: -5, max: 5, noNaN: true }),
    fc.double({ min: 0, max: 2, noNaN: true }), fc.double({ min: 0.05, max: 3, noNaN: true }),
    (a, b, alpha, sigma) => {
      const at = { t: 0.5, alpha, sigma };
      const s = new Float64Array(2);
      g.predict(Float64Array.from([a, b]), 1, at, s);
      const h = 1e-5;
      const fd = [0, 1].map((j) => {
        const xp = Float64Array.from([a, b]), xm = Float64Array.from([a, b]);
        xp[j] += h; xm[j] -= h;
        return (g.logDensity(xp, 1, at)[0] - g.logDensity(xm, 1, at)[0]) / (2 * h);
      });
      for (let j = 0; j < 2; j++) assert.ok(Math.abs(fd[j] - s[j]) < 1e-5 * (1 + Math.abs(s[j])) / Math.min(1, sigma * sigma), `${fd[j]} vs ${s[j]}`);
    }), { numRuns: 100 });
});

test('Tweedie: x0_hat = (x + sigma^2 score)/alpha', () => {
  const sc = new GaussianMixtureModel(spec, { parameterization: 'score' });
  const x0m = new GaussianMixtureModel(spec, { parameterization: 'x0' });
  const x = Float64Array.from([0.1, 0.2, -3, 4, 8, -8]);
  const at = { t: 0.3, alpha: 0.8, sigma: 0.6 };
  const s = new Float64Array(6), d = new Float64Array(6);
  sc.predict(x, 3, at, s);
  x0m.predict(x, 3, at, d);
  for (let i = 0; i < 6; i++) assert.ok(Math.abs(d[i] - (x[i] + 0.36 * s[i]) / 0.8) < 1e-12);
});

test('a one-component mixture is the Gaussian model, in every parameterisation', () => {
  for (const p of ['x0', 'eps', 'score', 'v'] as const) {
    const a = new GaussianMixtureModel({ weights: [1], means: [[1, -0.5]], stds: [Math.sqrt(0.3)] }, { parameterization: p });
    const b = new GaussianModel([1, -0.5], 0.3, { parameterization: p });
    const x = Float64Array.from([0.3, 2, -1, 0]);
    for (const at of [{ t: 1, alpha: 0, sigma: 1 }, { t: 0.5, alpha: 0.7, sigma: 0.7 }, { t: 0, alpha: 1, sigma: 1e-3 }]) {
      const oa = new Float64Array(4), ob = new Float64Array(4);
      a.predict(x, 2, at, oa);
      b.predict(x, 2, at, ob);
      for (let i = 0; i < 4; i++) assert.ok(Math.abs(oa[i] - ob[i]) < 1e-9 * (1 + Math.abs(ob[i])), `${p} ${oa[i]} ${ob[i]}`);
      const la = a.logDensity(x, 2, at), lb = b.logDensity(x, 2, at);
      for (let r = 0; r < 2; r++) assert.ok(Math.abs(la[r] - lb[r]) < 1e-9);
    }
  }
});

test('the data density integrates to 1 (1-D mixture, trapezoid rule)', () => {
  const g = new GaussianMixtureModel({ weights: [0.3, 0.7], means: [[-1], [2]], stds: [0.3, 0.8] });
  const n = 20001, lo = -10, hi = 12, dx = (hi - lo) / (n - 1);
  const xs = Float64Array.from({ length: n }, (_, i) => lo + i * dx);
  const lp = g.logDensity(xs, n);
  let s = 0;
  for (let i = 0; i < n; i++) s += Math.exp(lp[i]) * (i === 0 || i === n - 1 ? 0.5 : 1) * dx;
  assert.ok(Math.abs(s - 1) < 1e-9, `integral ${s}`);
});

test('exact data samples have the mixture mean and variance (5 standard errors)', () => {
  const g = new GaussianMixtureModel({ weights: [0.3, 0.7], means: [[-1], [2]], stds: [0.3, 0.8] });
  const n = 40000;
  const x = g.sampleData(n, createRng(3));
  const mean = 0.3 * -1 + 0.7 * 2;
  const m2 = 0.3 * (1 + 0.09) + 0.7 * (4 + 0.64);
  const variance = m2 - mean * mean;
  let m = 0, v = 0;
  for (const xi of x) m += xi / n;
  for (const xi of x) v += (xi - m) ** 2 / (n - 1);
  assert.ok(Math.abs(m - mean) < 5 * Math.sqrt(variance / n), `mean ${m}`);
  assert.ok(Math.abs(v - variance) < 5 * variance * Math.sqrt(2 / n) * 1.5, `variance ${v}`);
});

test('log-sum-exp keeps every view finite far from every component', () => {
  for (const p of ['x0', 'eps', 'score', 'v'] as const) {
    const g = new GaussianMixtureModel(spec, { parameterization: p });
    const x = Float64Array.from([1e6, -1e6, -3e4, 2e4]);
    const out = new Float64Array(4);
    g.predict(x, 2, { t: 0, alpha: 1, sigma: 1e-3 }, out);
    assert.ok(out.every(Number.isFinite), `${p}: ${out}`);
    assert.ok(g.logDensity(x, 2).every(Number.isFinite));
  }
});

test('GMM validation names the field', () => {
  assert.throws(() => validateGmm({ weights: [1], means: [[0]], stds: [0] }), (e: unknown) => e instanceof UserError && e.field === 'gmm.stds[0]');
  assert.throws(() => validateGmm({ weights: [1, 1], means: [[0]], stds: [1, 1] }), UserError);
  assert.throws(() => validateGmm({ weights: [1, 1], means: [[0], [0, 1]], stds: [1, 1] }), (e: unknown) => e instanceof UserError && e.field === 'gmm.means[1]');
  assert.throws(() => validateGmm({ weights: [0], means: [[0]], stds: [1] }), (e: unknown) => e instanceof UserError && e.field === 'gmm.weights');
});

test('sampleData labels: each row comes from its labelled component, labels follow the weights', () => {
  const g = new GaussianMixtureModel({ weights: [1, 2, 1], means: [[-10, 0], [0, 10], [10, 0]], stds: [0.1, 0.2, 0.3] });
  const n = 20000, labels = new Int32Array(n);
  const x = g.sampleData(n, createRng(5), labels);
  const count = [0, 0, 0];
  for (let r = 0; r < n; r++) {
    const k = labels[r];
    count[k]++;
    const d = Math.hypot(x[2 * r] - g.spec.means[k][0], x[2 * r + 1] - g.spec.means[k][1]) / g.spec.stds[k];
    assert.ok(d < 6, `row ${r} is ${d} stds from its component ${k}`);
  }
  // binomial sd of a share at n = 20000 is <= 0.0036
  [0.25, 0.5, 0.25].forEach((w, k) => assert.ok(Math.abs(count[k] / n - w) < 0.018, `share of ${k}: ${count[k] / n}`));
  // the labels do not change the samples
  assert.deepEqual(g.sampleData(50, createRng(6)), g.sampleData(50, createRng(6), new Int32Array(50)));
});
