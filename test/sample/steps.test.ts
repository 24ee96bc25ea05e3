/**
 * Step grids: n + 1 points from T to t0 (or to the data point), monotone, with the spacing's
 * defining property; Karras on EDM is EDM eq. 5 verbatim; diffusers' discrete spacings.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { UserError } from '../../src/errors.ts';
import { discreteTimesteps, makeGrid, roundHalfEven } from '../../src/sample/steps.ts';
import type { Spacing } from '../../src/scheme/spacing.ts';
import { ALL_SCHEMES, CONTINUOUS, DISCRETE, scheme } from './fixtures.ts';

test('every spacing on every built-in: steps + 1 points, t decreasing, logSnr increasing, right ends', () => {
  fc.assert(fc.property(
    fc.constantFrom(...ALL_SCHEMES), fc.constantFrom<Spacing>('uniform-t', 'logsnr', 'karras', 'leading', 'trailing', 'linspace'),
    fc.integer({ min: 1, max: 1000 }), fc.double({ min: 1, max: 12, noNaN: true }),
    (name, spacing, steps, rho) => {
      const s = scheme(name);
      const discrete = spacing === 'leading' || spacing === 'trailing' || spacing === 'linspace';
      if (discrete && !s.discrete) {
        assert.throws(() => makeGrid(s, { spacing, steps }), (e: unknown) => e instanceof UserError && e.field === '--spacing');
        return;
      }
      const g = makeGrid(s, { spacing, steps, rho });
      assert.equal(g.length, steps + 1);
      for (let i = 0; i + 1 < g.length; i++) {
        if (!g[i + 1].data) assert.ok(g[i + 1].t < g[i].t, `${name} ${spacing} ${steps}: t not decreasing at ${i}`);
        assert.ok(g[i + 1].logSnr > g[i].logSnr, `${name} ${spacing}: logSnr not increasing at ${i}`);
        assert.ok(!g[i].data, 'only the last point may be the data point');
        assert.ok(Number.isFinite(g[i].alpha) && Number.isFinite(g[i].sigma) && g[i].sigma > 0);
      }
      if (!discrete || spacing === 'trailing') assert.equal(g[0].t, s.T);
      if (spacing === 'uniform-t' || spacing === 'logsnr') assert.equal(g[steps].t, s.t0);
      if (spacing === 'karras' || discrete) assert.ok(g[steps].data && g[steps].sigma === 0);
      if (spacing === 'karras' && steps >= 2) assert.equal(g[steps - 1].t, s.t0);
    }), { numRuns: 300 });
});

test('uniform-t and logsnr spacings are uniform in their variable', () => {
  for (const name of CONTINUOUS) {
    const s = scheme(name);
    const n = 37;
    const gt = makeGrid(s, { spacing: 'uniform-t', steps: n });
    for (let i = 1; i < n; i++) assert.ok(Math.abs(gt[i].t - gt[i - 1].t - (s.t0 - s.T) / n) < 1e-12 * s.T);
    const gl = makeGrid(s, { spacing: 'logsnr', steps: n });
    const d = gl[2].logSnr - gl[1].logSnr;
    for (let i = 2; i < n; i++) assert.ok(Math.abs(gl[i].logSnr - gl[i - 1].logSnr - d) < 1e-7, `${name} at ${i}`);
    if (Number.isFinite(gl[0].logSnr)) assert.ok(Math.abs(gl[1].logSnr - gl[0].logSnr - d) < 1e-7);
  }
});

test('karras on EDM is EDM eq. 5 with a final 0 (k-diffusion get_sigmas_karras)', () => {
  const s = scheme('edm');
  for (const [n, rho] of [[1, 7], [2, 7], [18, 7], [40, 3]]) {
    const g = makeGrid(s, { spacing: 'karras', steps: n, rho });
    const a = 80 ** (1 / rho), b = 0.002 ** (1 / rho);
    for (let i = 0; i < n; i++) {
      const expect = (a + (n === 1 ? 0 : i / (n - 1)) * (b - a)) ** rho;
      assert.ok(Math.abs(g[i].sigma - expect) < 1e-13 * expect, `n ${n} i ${i}: ${g[i].sigma} vs ${expect}`);
    }
    assert.equal(g[n].sigma, 0);
  }
});

test("diffusers' timestep spacings (N = 1000, 10 steps) and round-half-even", () => {
  assert.deepEqual(discreteTimesteps(1000, 10, 'leading'), [900, 800, 700, 600, 500, 400, 300, 200, 100, 0]);
  assert.deepEqual(discreteTimesteps(1000, 10, 'trailing'), [999, 899, 799, 699, 599, 499, 399, 299, 199, 99]);
  assert.deepEqual(discreteTimesteps(1000, 10, 'linspace'), [999, 888, 777, 666, 555, 444, 333, 222, 111, 0]);
  assert.deepEqual(discreteTimesteps(1000, 3, 'trailing'), [999, 666, 332]);
  assert.deepEqual(discreteTimesteps(1000, 1, 'linspace'), [0]);
  assert.deepEqual([0.5, 1.5, 2.5, -0.5, 2.4, 2.6].map(roundHalfEven), [0, 2, 2, -0, 2, 3]);
  assert.throws(() => discreteTimesteps(1000, 1001, 'leading'), (e: unknown) => e instanceof UserError && e.field === '--steps');
  const s = scheme(DISCRETE[0]);
  const g = makeGrid(s, { spacing: 'trailing', steps: 4 });
  assert.deepEqual(g.slice(0, 4).map((p) => Math.round(p.t * 1000)), [1000, 750, 500, 250]);
});

test('a bad step count or rho is a UserError naming the flag', () => {
  const s = scheme('vp-linear');
  assert.throws(() => makeGrid(s, { spacing: 'uniform-t', steps: 0 }), (e: unknown) => e instanceof UserError && e.field === '--steps');
  assert.throws(() => makeGrid(s, { spacing: 'karras', steps: 5, rho: -1 }), (e: unknown) => e instanceof UserError && e.field === '--rho');
});

test('a scheme file may name its default grid (edm: Karras); --spacing overrides it', async () => {
  const { loadScheme } = await import('../../src/scheme/load.ts');
  const { sample } = await import('../../src/sample/sample.ts');
  const { GaussianModel } = await import('../../src/score/gaussian.ts');
  const edm = loadScheme('edm');
  assert.equal(edm.sampling?.spacing, 'karras');
  const model = new GaussianModel([0], 0.04);
  const noise = Float64Array.from({ length: 64 }, (_, i) => Math.sin(i + 1));
  const run = (spacing?: 'karras' | 'uniform-t') => sample({ scheme: edm, model, sampler: 'euler', steps: 6, noise, spacing });
  assert.deepEqual((await run()).samples, (await run('karras')).samples);
  assert.notDeepEqual((await run()).samples, (await run('uniform-t')).samples);
  const { declareScheme } = await import('../../src/scheme/declare.ts');
  assert.throws(() => declareScheme({ marginal: { alpha: '1', sigma: 't' }, time: { t0: 0.01, T: 10 }, sampling: { spacing: 'geometric' } }),
    (e: unknown) => e instanceof UserError && e.field === 'sampling.spacing');
});

test('default grid: the scheme\'s declared one, else logSnr for a learned model and uniform-t for an analytic score', async () => {
  const { defaultSpacing } = await import('../../src/scheme/spacing.ts');
  const { loadScheme } = await import('../../src/scheme/load.ts');
  assert.equal(defaultSpacing(loadScheme('edm'), false), 'karras');
  assert.equal(defaultSpacing(loadScheme('edm'), true), 'karras');
  assert.equal(defaultSpacing(loadScheme('vp-linear'), false), 'uniform-t');
  assert.equal(defaultSpacing(loadScheme('vp-linear'), true), 'logsnr');
});
