/**
 * The full sweep of issue 4, part 5 (slow; `npm run test:slow`): every sampler on every built-in
 * scheme gives finite output at step counts 1..100 and every 37th count up to 1000, on uniform-t,
 * logsnr and karras grids, plus trailing/leading/linspace on the discrete schemes.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { GaussianMixtureModel } from '../../src/score/gmm.ts';
import { SAMPLER_NAMES } from '../../src/sample/registry.ts';
import { sample } from '../../src/sample/sample.ts';
import type { Spacing } from '../../src/scheme/spacing.ts';
import { createRng } from '../../src/rng.ts';
import { ALL_SCHEMES, scheme } from './fixtures.ts';

const gmm = new GaussianMixtureModel({ weights: [0.3, 0.7], means: [[-2, 1], [1.5, -0.5]], stds: [0.3, 0.6] });
const noise = createRng(4).fillNormal(new Float64Array(2 * 2));
const COUNTS = [...Array.from({ length: 100 }, (_, i) => i + 1), ...Array.from({ length: 25 }, (_, i) => 101 + 37 * i), 1000];

for (const name of ALL_SCHEMES) {
  test(`every sampler finite on ${name} at steps 1..1000`, { timeout: 1_800_000 }, async () => {
    const s = scheme(name);
    const spacings: Spacing[] = s.discrete ? ['uniform-t', 'logsnr', 'karras', 'trailing', 'leading', 'linspace'] : ['uniform-t', 'logsnr', 'karras'];
    for (const sampler of SAMPLER_NAMES) {
      if (sampler === 'rk45') continue; // --steps only fixes its end points (covered by the default suite)
      for (const spacing of spacings) {
        for (const steps of COUNTS) {
          const r = await sample({ scheme: s, model: gmm, sampler, steps, spacing, noise, seed: steps });
          assert.ok(r.samples.every(Number.isFinite), `${name} ${sampler} ${spacing} ${steps}`);
        }
      }
    }
  });
}
