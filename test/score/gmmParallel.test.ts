/**
 * The two-core mixture model is bit-identical to the one-core model (same per-row code), for every
 * parameterisation, below and above the size where it splits the rows.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { GaussianMixtureModel, type GmmSpec } from '../../src/score/gmm.ts';
import { ParallelGaussianMixtureModel, PARALLEL_MIN_ROWS } from '../../src/score/gmmParallel.ts';
import { createRng } from '../../src/rng.ts';

const spec: GmmSpec = { weights: [0.2, 0.5, 0.3], means: [[-1, 0.5, 0], [1, 1, 2], [0.5, -1.2, -1]], stds: [0.2, 0.4, 0.1] };

test('ParallelGaussianMixtureModel == GaussianMixtureModel, bit for bit', async () => {
  for (const parameterization of ['x0', 'eps', 'score', 'v'] as const) {
    const one = new GaussianMixtureModel(spec, { parameterization });
    const two = new ParallelGaussianMixtureModel(spec, { parameterization });
    for (const n of [100, PARALLEL_MIN_ROWS + 1001]) {
      const x = createRng(n).fillNormal(new Float64Array(3 * n));
      const a = new Float64Array(3 * n), b = new Float64Array(3 * n);
      const at = { t: 0.3, alpha: 0.8, sigma: 0.6 };
      one.predict(x, n, at, a);
      await two.predict(x, n, at, b);
      assert.ok(a.every((v, i) => Object.is(v, b[i])), `${parameterization}, n = ${n}`);
    }
    await two.dispose();
  }
});
