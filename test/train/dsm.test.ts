/**
 * The DSM objective is one eps-space objective in every parameterisation: for any network output
 * F, the loss the device computes, weight * |F - target|^2, equals w(t) r(t) |eps_hat - eps|^2 with
 * eps_hat obtained from pred = a x + b F by the sampler's own view conversions (MATH.md sections 2
 * and 4). Also: the EDM head reproduces edmPrecond (Karras et al. Table 1) through the scheme's
 * sigma, and EDM's effective weight in F-space is 1.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { loadScheme } from '../../src/scheme/load.ts';
import { BUILTIN_NAMES } from '../../src/scheme/builtins.ts';
import { edmPrecond, weighting, WEIGHTINGS } from '../../src/reverse/weighting.ts';
import { convertViews } from '../../src/reverse/parameterization.ts';
import { headCoefficientsAt, PREDS, type HeadConfig } from '../../src/score/precond.ts';
import { DsmObjective } from '../../src/train/dsm.ts';
import { Rng } from '../../src/rng.ts';
import { LOGSNR_CLAMP, TIME_SAMPLINGS } from '../../src/train/timeSampling.ts';

const close = (a: number, b: number, rel: number): boolean => Math.abs(a - b) <= rel * Math.max(Math.abs(a), Math.abs(b), 1e-300);

test('device loss == w r |eps_hat - eps|^2 for every pred, weighting, time sampling and built-in scheme', () => {
  const conf = fc.record({
    scheme: fc.constantFrom(...BUILTIN_NAMES),
    pred: fc.constantFrom(...PREDS),
    weighting: fc.constantFrom(...WEIGHTINGS),
    time: fc.constantFrom(...TIME_SAMPLINGS),
    edm: fc.boolean(),
    seed: fc.integer({ min: 0, max: 1e6 }),
  });
  fc.assert(fc.property(conf, (c) => {
    const scheme = loadScheme(c.scheme);
    const head: HeadConfig = { pred: c.edm ? 'x0' : c.pred, precond: c.edm ? 'edm' : 'none', sigmaData: 0.7 };
    const obj = new DsmObjective(scheme, { head, weighting: c.weighting, time: c.time, pUncond: 0, numClasses: 0 });
    const n = 6, D = 3, rng = new Rng(c.seed);
    const x0 = rng.fillNormal(new Float32Array(n * D));
    // x_t = xIn / c_in and eps = (x_t - alpha x0)/sigma are recovered from the batch itself
    const b = obj.batch(x0, null, n, new Rng(c.seed + 1));
    const w = weighting(scheme, c.weighting, { sigmaData: head.sigmaData });
    const F = rng.fillNormal(new Float64Array(n * D));
    for (let i = 0; i < n; i++) {
      const t = b.t[i];
      const k = headCoefficientsAt(scheme, head, t);
      if (!(k.sigma > 1e-6 && k.alpha > 1e-6)) continue;
      const x = new Float64Array(D), eps = new Float64Array(D), pred = new Float64Array(D), epsHat = new Float64Array(D);
      for (let j = 0; j < D; j++) {
        x[j] = b.xIn[i * D + j] / k.cIn;
        eps[j] = (x[j] - k.alpha * x0[i * D + j]) / k.sigma;
        pred[j] = k.a * x[j] + k.b * F[i * D + j];
      }
      convertViews(head.pred, x, pred, { t, alpha: k.alpha, sigma: k.sigma }, { eps: epsHat });
      let dev = 0, ref = 0;
      for (let j = 0; j < D; j++) { dev += (F[i * D + j] - b.target[i * D + j]) ** 2; ref += (epsHat[j] - eps[j]) ** 2; }
      // r(t) = p_uniform(t)/p(t); importance sampling draws logSnr uniformly, p(t) = -dlogSnr / (range of logSnr)
      const lam0 = Math.min(scheme.logSnr(scheme.t0), LOGSNR_CLAMP), lamT = Math.max(scheme.logSnr(scheme.T), -LOGSNR_CLAMP);
      const r = c.time === 'importance' ? (lam0 - lamT) / (-scheme.dlogSnr(t) * (scheme.T - scheme.t0)) : 1;
      assert.ok(close(b.weight[i] * dev, w(t) * r * ref, 2e-3), `${JSON.stringify(c)} t=${t}: ${b.weight[i] * dev} vs ${w(t) * r * ref}`);
    }
  }), { numRuns: 150 });
});

test('importance sampling: logSnr is uniform and r(t) p(t) = 1/(T - t0), so the objective is the uniform-time one', () => {
  for (const name of ['vp-linear', 've', 'edm', 'vp-cosine']) {
    const scheme = loadScheme(name);
    const obj = new DsmObjective(scheme, { head: { pred: 'eps', precond: 'none', sigmaData: 1 }, weighting: 'likelihood', time: 'importance', pUncond: 0, numClasses: 0 });
    const n = 4000;
    const b = obj.batch(new Float32Array(n), null, n, new Rng(3));
    const w = weighting(scheme, 'likelihood');
    // for the likelihood weighting w = -2 dlogSnr, importance sampling makes w r constant = 2 (logSnr(t0) - logSnr(T)) / (T - t0)
    const expect = (2 * (scheme.logSnr(scheme.t0) - scheme.logSnr(scheme.T))) / (scheme.T - scheme.t0);
    for (let i = 0; i < n; i++) assert.ok(close(b.weight[i], expect, 1e-4), `${name}: weight ${b.weight[i]} vs ${expect}`);
    // logSnr of the drawn times is uniform: its mean is the midpoint (5 standard errors)
    const lams = Array.from(b.t, (t) => scheme.logSnr(t));
    const mid = (scheme.logSnr(scheme.t0) + scheme.logSnr(scheme.T)) / 2, half = (scheme.logSnr(scheme.t0) - scheme.logSnr(scheme.T)) / 2;
    assert.ok(Math.abs(lams.reduce((a, v) => a + v, 0) / n - mid) < 5 * half / Math.sqrt(3 * n), `${name}: logSnr mean`);
    // Monte Carlo: E_p[r h(t)] = mean_uniform h for a smooth bounded h
    const h = (t: number): number => Math.cos((3 * (t - scheme.t0)) / (scheme.T - scheme.t0));
    let est = 0, est2 = 0;
    for (let i = 0; i < n; i++) { const v = (b.weight[i] / w(b.t[i])) * h(b.t[i]); est += v / n; est2 += (v * v) / n; }
    const exact = Math.sin(3) / 3, se = Math.sqrt((est2 - est * est) / n);
    assert.ok(Math.abs(est - exact) < 5 * se + 1e-3, `${name}: ${est} vs ${exact} (se ${se})`);
  }
});

test('EDM head == edmPrecond through the scheme sigma, and the F-space weight is exactly 1', () => {
  for (const name of BUILTIN_NAMES) {
    const scheme = loadScheme(name);
    const head: HeadConfig = { pred: 'x0', precond: 'edm', sigmaData: 0.5 };
    const w = weighting(scheme, 'edm', { sigmaData: 0.5 });
    for (const u of [0.01, 0.2, 0.5, 0.8, 0.97]) {
      const t = scheme.t0 + u * (scheme.T - scheme.t0);
      const k = headCoefficientsAt(scheme, head, t), e = edmPrecond(scheme, t, 0.5);
      assert.ok(close(k.a * k.alpha, e.cSkip, 1e-9), `${name} c_skip at ${t}`);
      assert.ok(close(k.b, e.cOut, 1e-9), `${name} c_out at ${t}`);
      assert.ok(close(k.cIn * k.alpha, e.cIn, 1e-9), `${name} c_in at ${t}`);
      // weight w * (alpha/sigma)^2 * b^2 (eps per x0, times the F gain) is 1 in F-space
      assert.ok(close(w(t) * (k.alpha / k.sigma) ** 2 * k.b * k.b, 1, 1e-9), `${name} weight at ${t}`);
    }
  }
});
