/**
 * Endpoints by construction (issue 4, part 5): every sampler gives finite output on every built-in
 * scheme, on every spacing the scheme admits, at step counts across 1..1000 (the full sweep of
 * every count is test/sample/endpoints.slow.ts); a step to sigma = 0 returns the denoised
 * estimate; zero terminal SNR (rectified-flow) converges from T.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { GaussianMixtureModel } from '../../src/score/gmm.ts';
import { GaussianModel } from '../../src/score/gaussian.ts';
import { SAMPLER_NAMES } from '../../src/sample/registry.ts';
import { sample } from '../../src/sample/sample.ts';
import type { Spacing } from '../../src/scheme/spacing.ts';
import { makeGrid } from '../../src/sample/steps.ts';
import { createRng } from '../../src/rng.ts';
import { ALL_SCHEMES, maxAbsDiff, scheme, tGrid, runOnGrid } from './fixtures.ts';

const gmm = new GaussianMixtureModel({ weights: [0.3, 0.7], means: [[-2, 1], [1.5, -0.5]], stds: [0.3, 0.6] });
const noise = createRng(2).fillNormal(new Float64Array(4 * 2));

export const STEP_COUNTS = [1, 2, 3, 5, 10, 31, 1000];

test('every sampler x every built-in x every spacing x steps in {1, 2, 3, 5, 10, 31, 1000}: finite, nfe reported', async () => {
  for (const name of ALL_SCHEMES) {
    const s = scheme(name);
    const spacings: Spacing[] = s.discrete ? ['uniform-t', 'logsnr', 'karras', 'leading', 'trailing', 'linspace'] : ['uniform-t', 'logsnr', 'karras'];
    for (const sampler of SAMPLER_NAMES) {
      for (const spacing of spacings) {
        for (const steps of sampler === 'rk45' ? [1, 7] : STEP_COUNTS) {
          if (steps === 1000 && spacing !== 'uniform-t') continue;
          const r = await sample({ scheme: s, model: gmm, sampler, steps, spacing, noise, seed: 3, rtol: 1e-3, atol: 1e-3 });
          assert.ok(r.samples.every(Number.isFinite), `${name} ${sampler} ${spacing} ${steps}`);
          assert.ok(r.nfe >= 1);
        }
      }
    }
  }
});

test('a step to sigma = 0 returns the denoised estimate: one Karras step from T is x0_hat(x_T) for every sampler but rk45/pc', async () => {
  for (const name of ['vp-linear', 'edm', 'rectified-flow', 'sd-scaled-linear']) {
    const s = scheme(name);
    const xT = noise.map((v) => v * s.sigma(s.T));
    const x0 = new Float64Array(xT.length);
    gmm.predict(xT, 4, { t: s.T, alpha: s.alpha(s.T), sigma: s.sigma(s.T) }, x0);
    for (const sampler of SAMPLER_NAMES) {
      if (sampler === 'pc') continue; // the corrector moves x first
      const r = await sample({ scheme: s, model: gmm, sampler, steps: 1, spacing: 'karras', noise });
      assert.ok(maxAbsDiff(r.samples, x0) < 1e-12, `${name} ${sampler}`);
      if (sampler !== 'rk45') assert.equal(r.nfe, 1, `${name} ${sampler} nfe`);
    }
  }
});

test('zero terminal SNR: ODE samplers from T on rectified-flow converge to the exact Gaussian flow', async () => {
  const s = scheme('rectified-flow');
  const g = new GaussianModel([1, -0.5], 0.3);
  const x = Float64Array.from([0.3, -1.2, 1.5, 0.7]);
  for (const sampler of ['euler', 'heun', 'ddim', 'dpm-solver-1', 'dpm-solver-2', 'dpm-solver-3', 'dpm-solver++2m', 'dpm-solver++3m'] as const) {
    const errs: number[] = [];
    for (const n of [20, 80]) {
      const grid = tGrid(s, s.T, 0.5, n);
      const { samples } = await runOnGrid(sampler, s, g, grid, x);
      errs.push(maxAbsDiff(samples, g.flow(x, 2, grid[0], grid[n])));
    }
    assert.ok(errs[1] < errs[0] / 3 && errs[1] < 1e-2, `${sampler}: ${errs.map((e) => e.toExponential(2))}`);
  }
  const r = await sample({ scheme: s, model: g, sampler: 'rk45', steps: 1, noise: x, rtol: 1e-8, atol: 1e-8 });
  const grid = makeGrid(s, { spacing: 'uniform-t', steps: 1 });
  assert.ok(maxAbsDiff(r.samples, g.flow(x, 2, grid[0], grid[1])) < 1e-5);
});

test('heun with EDM churn (S_churn > 0): finite, 2n - 1 evaluations, seeded, and different from no churn', async () => {
  const s = scheme('edm');
  const base = { scheme: s, model: gmm, sampler: 'heun', steps: 12, spacing: 'karras', noise } as const;
  const plain = await sample(base);
  const a = await sample({ ...base, seed: 5, churn: { sChurn: 40, sTmin: 0.05, sTmax: 50, sNoise: 1.003 } });
  const b = await sample({ ...base, seed: 5, churn: { sChurn: 40, sTmin: 0.05, sTmax: 50, sNoise: 1.003 } });
  assert.ok(a.samples.every(Number.isFinite));
  assert.equal(a.nfe, 2 * 12 - 1);
  assert.deepEqual(Array.from(a.samples), Array.from(b.samples));
  assert.ok(maxAbsDiff(a.samples, plain.samples) > 1e-3);
  for (const name of ['vp-linear', 'rectified-flow']) {
    const r = await sample({ ...base, scheme: scheme(name), churn: { sChurn: 80 } });
    assert.ok(r.samples.every(Number.isFinite), name);
  }
});
