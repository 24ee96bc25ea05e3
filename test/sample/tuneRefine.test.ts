/**
 * The tuner's second stage (coordinateSearch, `sdekit tune --refine E`): never worse than its start,
 * within its budget, converging on a bowl in the grid's fractions; tuneGrid with it keeps the
 * guarantee that the result is never worse than the best built-in grid on the validation points.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { GaussianMixtureModel } from '../../src/score/gmm.ts';
import { createRng } from '../../src/rng.ts';
import { sample } from '../../src/sample/sample.ts';
import { coordinateSearch, rmsDistance, tuneGrid, tuneProblem } from '../../src/sample/tune.ts';
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

test('tuneGrid with the second stage: still never worse than the best built-in grid on validation', async () => {
  const model = mixture(3, 11);
  const r = await tuneGrid({ scheme: s, model, sampler: 'unipc', steps: 4, n: 64, seed: 2, maxEvals: 30, refine: 20 });
  assert.ok(r.validation.tuned <= r.validation.start);
  assert.ok(r.objectiveEvaluations > 30, 'the second stage ran');
  const p = await tuneProblem(s, model, 4, 64, 2);
  const tuned = rmsDistance((await sample({ scheme: s, model, sampler: 'unipc', steps: 4, times: r.times, noise: p.valid.noise })).samples, p.valid.exact, 64);
  assert.ok(Math.abs(tuned - r.validation.tuned) <= 1e-12 * (1 + tuned));
});
