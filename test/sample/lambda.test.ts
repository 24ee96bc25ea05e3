/**
 * The lambda-family is marginal-exact (MATH.md section 3; issue 4, part 7b): Euler-Maruyama samples
 * of dx = [f x - (1 + lambda^2)/2 g^2 s] dt + lambda g dW_bar, lambda in {0, 0.5, 1, 2}, for Gaussian
 * data N(1.5, 0.5) with the exact score, have the exact marginal mean alpha(t0) m and variance
 * alpha(t0)^2 v + sigma(t0)^2 at t0.
 *
 * Statistical tolerance: n = 20000 samples, |mean error| <= 4.5 SE + 0.01 sd and
 * |variance error| / variance <= 4.5 sqrt(2/(n-1)) + 0.03. The 4.5-standard-error part has a
 * two-sided false-alarm rate of 7e-6 per check (24 checks: < 2e-4 per run); the fixed part allows
 * the Euler-Maruyama discretisation bias at 400 logSnr-uniform steps (measured <= 0.4% of sd in the
 * mean and <= 2.2% in the variance on these schemes). A wrong (1 + lambda^2)/2 factor or a wrong
 * noise scale moves the variance by tens of percent at lambda = 2.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { GaussianModel } from '../../src/score/gaussian.ts';
import { sample } from '../../src/sample/sample.ts';
import { scheme } from './fixtures.ts';

const m = 1.5, v = 0.5, n = 20000;
const model = new GaussianModel([m], v);

for (const name of ['vp-linear', 'edm', 'rectified-flow']) {
  test(`euler-maruyama is marginal-exact for lambda in {0, 0.5, 1, 2} on ${name}`, async () => {
    const s = scheme(name);
    const a = s.alpha(s.t0), sg = s.sigma(s.t0);
    const mean = a * m, variance = a * a * v + sg * sg;
    for (const lambda of [0, 0.5, 1, 2]) {
      const r = await sample({ scheme: s, model, sampler: 'euler-maruyama', lambda, steps: 400, spacing: 'logsnr', n, seed: 17 + lambda * 4 });
      let mu = 0, s2 = 0;
      for (const x of r.samples) mu += x / n;
      for (const x of r.samples) s2 += (x - mu) ** 2 / (n - 1);
      const sd = Math.sqrt(variance);
      assert.ok(Math.abs(mu - mean) <= 4.5 * sd / Math.sqrt(n) + 0.01 * sd, `${name} lambda ${lambda}: mean ${mu} vs ${mean}`);
      assert.ok(Math.abs(s2 - variance) / variance <= 4.5 * Math.sqrt(2 / (n - 1)) + 0.03, `${name} lambda ${lambda}: variance ${s2} vs ${variance}`);
    }
  });
}
