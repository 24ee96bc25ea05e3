/**
 * Sampler properties over random valid schemes (issue 4, part 7c): outputs are finite, deterministic
 * samplers reproduce from the same noise and stochastic ones from the same seed, and a one-step DDIM
 * from T is the denoised estimate (to the data point) or alpha x0_hat + sigma eps_hat (to t0).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { GaussianMixtureModel } from '../../src/score/gmm.ts';
import { SAMPLERS, SAMPLER_NAMES } from '../../src/sample/registry.ts';
import { sample } from '../../src/sample/sample.ts';
import { loadScheme } from '../../src/scheme/load.ts';
import type { Scheme } from '../../src/scheme/types.ts';
import type { SchemeDeclaration } from '../../src/scheme/declaration.ts';
import { randomScheme } from './randomScheme.ts';

const gmm = new GaussianMixtureModel({ weights: [0.5, 0.5], means: [[-1.5, 0.5], [1, -1]], stds: [0.4, 0.7] });
const built = new Map<string, Scheme>();
const load = (d: SchemeDeclaration): Scheme => {
  const k = JSON.stringify(d);
  let s = built.get(k);
  if (!s) { s = loadScheme(d); built.set(k, s); }
  return s;
};
const noiseArb = fc.array(fc.double({ min: -4, max: 4, noNaN: true }), { minLength: 6, maxLength: 6 }).map((a) => Float64Array.from(a));
const spacingArb = fc.constantFrom('uniform-t', 'logsnr', 'karras') as fc.Arbitrary<'uniform-t' | 'logsnr' | 'karras'>;

test('every sampler gives finite output on random valid schemes', async () => {
  await fc.assert(fc.asyncProperty(randomScheme(), fc.constantFrom(...SAMPLER_NAMES), spacingArb, fc.integer({ min: 1, max: 40 }), noiseArb, fc.double({ min: 0, max: 3, noNaN: true }),
    async (decl, sampler, spacing, steps, noise, lambda) => {
      const s = load(decl);
      const r = await sample({ scheme: s, model: gmm, sampler, steps, spacing, noise, lambda, rtol: 1e-3, atol: 1e-3 });
      assert.ok(r.samples.every(Number.isFinite), `${decl.name} ${sampler} ${spacing} ${steps}`);
    }), { numRuns: 60 });
});

test('same noise, same seed: same samples (deterministic and stochastic samplers)', async () => {
  await fc.assert(fc.asyncProperty(randomScheme(), fc.constantFrom(...SAMPLER_NAMES), spacingArb, fc.integer({ min: 1, max: 12 }), noiseArb, fc.integer({ min: 0, max: 1000 }),
    async (decl, sampler, spacing, steps, noise, seed) => {
      const s = load(decl);
      const opts = { scheme: s, model: gmm, sampler, steps, spacing, noise, seed, eta: 0.5, rtol: 1e-3, atol: 1e-3 };
      const a = await sample(opts);
      const b = await sample(opts);
      assert.deepEqual(Array.from(a.samples), Array.from(b.samples));
      assert.equal(a.nfe, b.nfe);
      if (!SAMPLERS[sampler].stochastic) {
        const c = await sample({ ...opts, seed: seed + 1 });
        assert.deepEqual(Array.from(a.samples), Array.from(c.samples), `${sampler} depends on the seed`);
      }
    }), { numRuns: 40 });
});

test('one DDIM step from T is the denoised estimate (Karras: to sigma = 0) or alpha x0_hat + sigma eps_hat (to t0)', async () => {
  await fc.assert(fc.asyncProperty(randomScheme(), noiseArb, async (decl, noise) => {
    const s = load(decl);
    const xT = noise.map((v) => v * s.sigma(s.T));
    const at = { t: s.T, alpha: s.alpha(s.T), sigma: s.sigma(s.T) };
    const x0 = new Float64Array(6);
    gmm.predict(xT, 3, at, x0);
    const toData = await sample({ scheme: s, model: gmm, sampler: 'ddim', steps: 1, spacing: 'karras', noise });
    for (let i = 0; i < 6; i++) assert.ok(Math.abs(toData.samples[i] - x0[i]) <= 1e-12 * (1 + Math.abs(x0[i])));
    const toT0 = await sample({ scheme: s, model: gmm, sampler: 'ddim', steps: 1, spacing: 'uniform-t', noise });
    const a0 = s.alpha(s.t0), s0 = s.sigma(s.t0);
    for (let i = 0; i < 6; i++) {
      const eps = (xT[i] - at.alpha * x0[i]) / at.sigma;
      const expect = a0 * x0[i] + s0 * eps;
      assert.ok(Math.abs(toT0.samples[i] - expect) <= 1e-10 * (1 + Math.abs(expect)), `${toT0.samples[i]} vs ${expect}`);
    }
    assert.equal(toData.nfe, 1);
    assert.equal(toT0.nfe, 1);
  }), { numRuns: 40 });
});

test('pc stays finite when the score is too small for its SNR step rule (found by the property above)', async () => {
  const s = load({ name: 'random-rf', time: { t0: 0.01, T: 1 }, marginal: { alpha: '1 - t', sigma: 't' } });
  const noise = Float64Array.from([0, 0, 0, 1.5717277847026288e-162, 0, 0]);
  for (const steps of [1, 2, 5]) {
    const r = await sample({ scheme: s, model: gmm, sampler: 'pc', steps, spacing: 'uniform-t', noise });
    assert.ok(r.samples.every(Number.isFinite), `steps ${steps}`);
  }
});
