/**
 * Importance for the tuning points (boostProblem): the boosted objective is a weighted mean over the
 * original n points (weights sum to n); with perturbation scale 0 every copy repeats its point, so for
 * any grid the weighted RMS equals the plain RMS on the original points; the copies sit around the
 * points the pilot sampler serves worst and their references are the exact PF-ODE end points.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { GaussianMixtureModel } from '../../src/score/gmm.ts';
import { createRng } from '../../src/rng.ts';
import { sample } from '../../src/sample/sample.ts';
import { boostProblem, coordinateSearch, rmsDistance, tuneGrid, tuneProblem, weightedRms } from '../../src/sample/tune.ts';
import { scheme } from './fixtures.ts';

const s = scheme('vp-linear');
const mixture = (k: number, seed: number): GaussianMixtureModel => {
  const rng = createRng(seed);
  return new GaussianMixtureModel({
    weights: Array.from({ length: k }, () => 0.2 + rng.uniform()),
    means: Array.from({ length: k }, () => [4 * rng.uniform() - 2, 4 * rng.uniform() - 2]),
    stds: Array.from({ length: k }, () => 0.05 + 0.3 * rng.uniform()),
  });
};

test('boostProblem: weights sum to n; scale 0 leaves the objective unchanged on any grid; copies are exact', async () => {
  const arb = fc.record({
    k: fc.integer({ min: 2, max: 4 }), seed: fc.integer({ min: 0, max: 1000 }),
    copies: fc.integer({ min: 1, max: 4 }), fraction: fc.double({ min: 0.05, max: 0.5, noNaN: true }),
    steps: fc.integer({ min: 3, max: 6 }), cut: fc.double({ min: 0.1, max: 0.9, noNaN: true }),
  });
  await fc.assert(fc.asyncProperty(arb, async ({ k, seed, copies, fraction, steps, cut }) => {
    const model = mixture(k, seed);
    const n = 40;
    const p = await tuneProblem(s, model, steps, n, seed);
    const flat = await boostProblem(p, { fraction, copies, scale: 0 }, seed + 1);
    const m = Math.ceil(n * fraction);
    const w = flat.train.weights!;
    assert.equal(w.length, n + m * copies);
    assert.ok(Math.abs(w.reduce((a, b) => a + b, 0) - n) < 1e-9);
    assert.ok(p.valid === flat.valid, 'validation points untouched');
    // a random grid: the weighted objective on the boosted set equals the plain one (scale 0)
    const times = [s.T, ...Array.from({ length: steps - 1 }, (_, i) => s.T - (s.T - s.t0) * cut ** (steps - 1 - i)), s.t0];
    for (let i = 1; i < times.length; i++) assert.ok(times[i] < times[i - 1]);
    const run = async (noise: Float64Array) => (await sample({ scheme: s, model, sampler: 'dpm-solver++2m', steps, times, noise })).samples;
    const plain = rmsDistance(await run(p.train.noise), p.train.exact, n);
    const weighted = weightedRms(await run(flat.train.noise), flat.train.exact, w);
    assert.ok(Math.abs(plain - weighted) <= 1e-6 * plain + 1e-9, `${plain} vs ${weighted}`);
    // with a real perturbation: copies near their points, references = rk45 of their noise
    const b = await boostProblem(p, { fraction, copies, scale: 0.05 }, seed + 1);
    const extra = b.train.noise.subarray(n * 2);
    const ref = await sample({ scheme: s, model, sampler: 'rk45', steps: 1, spacing: 'uniform-t', noise: extra, rtol: 1e-8, atol: 1e-8 });
    assert.ok(rmsDistance(ref.samples, b.train.exact.subarray(n * 2), m * copies) < 1e-12);
    for (let r = 0; r < m * copies; r++) {
      const d = Math.min(...Array.from({ length: n }, (_, i) => Math.hypot(extra[2 * r] - p.train.noise[2 * i], extra[2 * r + 1] - p.train.noise[2 * i + 1])));
      assert.ok(d < 0.05 * 6, `copy ${r} is ${d} from every point`);
    }
    assert.ok(b.referenceNfe > p.referenceNfe);
  }), { numRuns: 5, seed: 7 });
});

test('coordinateSearch: never worse than its start, within budget, and finds the minimum of a separable bowl in grid fractions', async () => {
  await fc.assert(fc.asyncProperty(fc.array(fc.double({ min: 0.05, max: 0.95, noNaN: true }), { minLength: 2, maxLength: 6 }), fc.integer({ min: 0, max: 99 }), async (raw, zs) => {
    const target = [...raw].sort((a, b) => a - b).filter((v, i, a) => i === 0 || v - a[i - 1] > 0.02);
    const d = target.length + 1;
    // f: squared distance of the interior cumulative fractions to the target
    let calls = 0;
    const f = async (z: number[]) => {
      calls++;
      const w = z.map(Math.exp), sum = w.reduce((a, b) => a + b, 0);
      let c = 0, e = 0;
      for (let i = 0; i < d - 1; i++) { c += w[i] / sum; e += (c - target[i]) ** 2; }
      return e;
    };
    const rng = createRng(zs);
    const z0 = Array.from({ length: d }, () => rng.normal());
    const f0 = await f(z0);
    calls = 0;
    const r = await coordinateSearch(f, z0, 400);
    assert.ok(calls <= 400);
    assert.ok(r.f <= f0);
    assert.equal(r.x.length, d);
    assert.ok(Math.abs(await f(r.x) - r.f) < 1e-15);
    assert.ok(r.f < 1e-3 * Math.max(f0, 1e-6) + 1e-6, `${r.f} from ${f0}`);
  }), { numRuns: 30, seed: 5 });
});

test('tuneGrid with importance and the second stage: still never worse than the best built-in grid on validation', async () => {
  const model = mixture(3, 11);
  const r = await tuneGrid({ scheme: s, model, sampler: 'unipc', steps: 4, n: 64, seed: 2, maxEvals: 30, refine: 20, boost: { fraction: 0.25, copies: 2, scale: 0.05 } });
  assert.ok(r.validation.tuned <= r.validation.start);
  assert.ok(r.objectiveEvaluations > 30, 'the second stage ran');
  const p = await tuneProblem(s, model, 4, 64, 2);
  const tuned = rmsDistance((await sample({ scheme: s, model, sampler: 'unipc', steps: 4, times: r.times, noise: p.valid.noise })).samples, p.valid.exact, 64);
  assert.ok(Math.abs(tuned - r.validation.tuned) <= 1e-12 * (1 + tuned));
});
