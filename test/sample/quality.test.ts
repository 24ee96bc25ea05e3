/**
 * Sample quality on a 2-D Gaussian mixture (issue 4, part 7d): the sliced Wasserstein-1 distance
 * (64 directions) of 4000 samples to 4000 exact mixture samples decreases with the number of
 * function evaluations and ends near the two-sample floor (exact vs exact: about 0.036).
 * Tolerances: consecutive values may rise by at most 0.015 (two-sample noise at n = 4000), the
 * first must exceed the last by 0.02, and the last must be below 0.08.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { GaussianMixtureModel } from '../../src/score/gmm.ts';
import type { SamplerName } from '../../src/sample/registry.ts';
import { createRng } from '../../src/rng.ts';
import { sample } from '../../src/sample/sample.ts';
import { slicedWasserstein } from '../../src/sample/slicedWasserstein.ts';
import type { Spacing } from '../../src/scheme/spacing.ts';
import { scheme } from './fixtures.ts';

const spec = {
  weights: Array.from({ length: 8 }, () => 1 / 8),
  means: Array.from({ length: 8 }, (_, k) => [2 * Math.cos((k * Math.PI) / 4), 2 * Math.sin((k * Math.PI) / 4)]),
  stds: Array.from({ length: 8 }, () => 0.25),
};
const model = new GaussianMixtureModel(spec);
const n = 4000;
const exact = model.sampleData(n, createRng(99));

const CASES: [string, Spacing, SamplerName[], number[]][] = [
  ['vp-linear', 'logsnr', ['euler', 'heun', 'ddim', 'dpm-solver++2m', 'ddpm', 'euler-maruyama'], [6, 12, 48]],
  ['edm', 'karras', ['euler', 'heun', 'dpm-solver++2m'], [12, 24, 64]],
  ['rectified-flow', 'uniform-t', ['euler', 'heun', 'dpm-solver++2m'], [1, 4, 32]],
];

for (const [name, spacing, samplers, ladder] of CASES) {
  test(`sliced Wasserstein to exact samples decreases with NFE on ${name} (${spacing})`, async () => {
    const lines: string[] = [];
    for (const sampler of samplers) {
      const sw: number[] = [];
      const nfe: number[] = [];
      for (const steps of ladder) {
        const r = await sample({ scheme: scheme(name), model, sampler, steps, spacing, n, seed: 1 });
        sw.push(slicedWasserstein(r.samples, exact, 2));
        nfe.push(r.nfe);
      }
      lines.push(`${sampler} ${nfe.map((k, i) => `${k}:${sw[i].toFixed(3)}`).join(' ')}`);
      for (let i = 1; i < sw.length; i++) assert.ok(sw[i] <= sw[i - 1] + 0.015, `${sampler}: SW rose from ${sw[i - 1]} (nfe ${nfe[i - 1]}) to ${sw[i]} (nfe ${nfe[i]})`);
      assert.ok(sw[0] - sw[sw.length - 1] >= 0.02, `${sampler}: no real decrease (${sw.join(', ')})`);
      assert.ok(sw[sw.length - 1] < 0.08, `${sampler}: final SW ${sw[sw.length - 1]}`);
    }
    console.log(`# ${name}: ${lines.join('; ')}`);
  });
}

test('sliced Wasserstein: zero for identical sets, the shift for a translated set, symmetric', () => {
  const a = model.sampleData(500, createRng(1));
  assert.equal(slicedWasserstein(a, a, 2), 0);
  const b = a.map((v, i) => (i % 2 === 0 ? v + 0.5 : v));
  // for a translation by c: W1 along u is |<c, u>|; mean over evenly spaced angles of |cos| is 2/pi
  assert.ok(Math.abs(slicedWasserstein(a, b, 2, 256) - 0.5 * (2 / Math.PI)) < 1e-3);
  const c = model.sampleData(500, createRng(2));
  assert.ok(Math.abs(slicedWasserstein(a, c, 2) - slicedWasserstein(c, a, 2)) < 1e-12);
});
