/**
 * The proofs of proofs/ (via runProofs, src/proofs/runner.ts):
 *   - every proof passes on every built-in, with a well-formed report and a KaTeX-renderable statement;
 *   - every proof passes on random valid schedules in each declaration form (so the round trips
 *     SDE <-> marginal, logSnr <-> t, parameterisations, ... hold on them);
 *   - every proof can fail: each one is run on a scheme broken in the way it checks (a proof that
 *     cannot fail is a defect);
 *   - the lambda-family keeps the Gaussian moments for random lambdas (arbitrary), m, v;
 *   - a proof that throws is reported as failed, never crashes the run.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import katex from 'katex';
import { mul, num } from '../../src/expr/nodes.ts';
import { PROOFS, runProofs } from '../../src/proofs/runner.ts';
import type { Proof } from '../../src/proofs/types.ts';
import { convert } from '../../src/reverse/parameterization.ts';
import { reverseDiffusion, reverseDrift } from '../../src/reverse/family.ts';
import { BUILTIN_NAMES } from '../../src/scheme/builtins.ts';
import { declareScheme } from '../../src/scheme/declare.ts';
import { loadScheme } from '../../src/scheme/load.ts';
import type { Quantity, QuantityName, Scheme } from '../../src/scheme/types.ts';
import { checkParameterizations } from '../../proofs/parameterizationRoundTrip.ts';
import { checkTweedie } from '../../proofs/tweedie.ts';
import { lambda } from '../arbitraries/lambda.ts';
import { validSchedule } from '../arbitraries/validSchedule.ts';

/** runs per property: SDEKIT_PROPERTY_RUNS, else 40 under `npm run test:slow` (SDEKIT_SLOW=1), else 5 */
const RUNS = Number(process.env.SDEKIT_PROPERTY_RUNS ?? (process.env.SDEKIT_SLOW ? 40 : 5));
const proof = (id: string): Proof => { const p = PROOFS.find((x) => x.id === id); assert.ok(p, id); return p; };

test('every proof passes on every built-in; reports are well formed', () => {
  assert.equal(new Set(PROOFS.map((p) => p.id)).size, PROOFS.length, 'unique ids');
  for (const name of BUILTIN_NAMES) {
    const s = loadScheme(name);
    const reports = runProofs(s);
    assert.equal(reports.length, PROOFS.length);
    for (const r of reports) {
      assert.ok(r.ok, `${r.id} on ${name}: ${r.detail}`);
      assert.ok(['identity', 'probe', 'numeric', 'statistical', 'n/a'].includes(r.method));
      if (r.method !== 'n/a') assert.ok(r.error <= r.tolerance, `${r.id} on ${name}: ${r.error} > ${r.tolerance}`);
      assert.equal(typeof r.detail, 'string');
    }
    const discrete = reports.find((r) => r.id === 'discrete-consistency')!;
    assert.equal(discrete.method === 'n/a', s.form !== 'discrete', `${name}: discrete consistency applies exactly to tables`);
  }
});

test('statements render with KaTeX; titles and sources are present', () => {
  for (const p of PROOFS) {
    assert.doesNotThrow(() => katex.renderToString(p.statement, { throwOnError: true, displayMode: true }), p.id);
    assert.ok(p.title.length > 5 && p.source.length > 5, p.id);
  }
});

for (const form of ['sde', 'marginal', 'logSnr', 'discrete'] as const) {
  test(`every proof passes on random valid schedules declared by ${form}`, () => {
    fc.assert(fc.property(validSchedule({ forms: [form] }), ({ declaration }) => {
      const s = declareScheme(declaration).scheme;
      for (const r of runProofs(s)) assert.ok(r.ok, `${r.id}: ${r.detail} (${JSON.stringify(declaration)})`);
    }), { numRuns: RUNS });
  });
}

// ---- every proof can fail ----

/** A copy of the scheme with one view scaled by k (its float64 function and its closed form). */
function scaled(s: Scheme, name: QuantityName, k: number): Scheme {
  const q = s.quantities[name];
  const fn = (t: number) => k * q.fn(t);
  const nq: Quantity = { fn, expr: q.expr && mul(num(k), q.expr), evalExpr: q.evalExpr && mul(num(k), q.evalExpr), method: q.method };
  return { ...s, quantities: { ...s.quantities, [name]: nq }, [name]: fn };
}

function assertFails(id: string, s: Scheme, why: string) {
  const r = runProofs(s, [proof(id)])[0];
  assert.ok(!r.ok, `${id} passed on a scheme with ${why}: ${r.detail}`);
}

test('each proof fails on a scheme broken in the way it checks', () => {
  const vp = loadScheme('vp-linear'), ve = loadScheme('ve'), ddpm = loadScheme('ddpm-linear-1000');
  for (const s of [vp, ddpm]) {
    assertFails('mean-ode', scaled(s, 'f', 1.01), `${s.name}: f off by 1%`);
    assertFails('variance-ode', scaled(s, 'g2', 1.01), `${s.name}: g2 off by 1%`);
    assertFails('sde-marginal-round-trip', scaled(s, 'g2', 1.01), `${s.name}: g2 off by 1%`);
    assertFails('lambda-family-marginals', scaled(s, 'g2', 1.01), `${s.name}: g2 off by 1%`);
    assertFails('likelihood-equals-2-elbo', scaled(s, 'dlogSnr', 1.01), `${s.name}: dlogSnr off by 1%`);
    assertFails('logsnr-inverse', { ...s, tOfLogSnr: (l: number) => s.tOfLogSnr(l) * (1 + 1e-6) }, `${s.name}: inverse off by 1e-6`);
    assertFails('transition-kernel', { ...s, transition: (a: number, b: number) => { const k = s.transition(a, b); return { alpha: k.alpha, sigma: k.sigma * 1.001 }; } }, `${s.name}: transition sigma off`);
  }
  assertFails('sde-marginal-round-trip', scaled(ve, 'g2', 1.01), 've (marginal form): g2 off by 1%');
  // closed forms vs functions: a float64 function off by 1e-6 while its closed form is right
  assertFails('closed-forms', { ...vp, quantities: { ...vp.quantities, sigma: { ...vp.quantities.sigma, fn: (t: number) => vp.sigma(t) * (1 + 1e-6) } } }, 'sigma fn off by 1e-6');
  // discrete tables
  const abar = Float64Array.from(ddpm.discrete!.alphasCumprod);
  abar[500] *= 1 + 1e-9;
  assertFails('discrete-consistency', { ...ddpm, discrete: { ...ddpm.discrete!, alphasCumprod: abar } }, 'alphabar_500 off by 1e-9');
  // validity: g2 < 0 somewhere
  assertFails('validity', { ...vp, g2: (t: number) => (t > 0.5 && t < 0.6 ? -1 : vp.g2(t)) }, 'g2 < 0 on (0.5, 0.6)');
  // converters: Tweedie with sigma instead of sigma^2; v with the wrong sign
  const badTweedie: typeof convert = (from, value, x, a, s) => {
    const r = convert(from, value, x, a, s);
    return from === 'score' ? { ...r, x0: (x + s * value) / a } : r;
  };
  assert.ok(!checkTweedie(vp, badTweedie).ok, 'Tweedie with sigma instead of sigma^2');
  const badV: typeof convert = (from, value, x, a, s) => { const r = convert(from, value, x, a, s); return { ...r, v: -r.v }; };
  assert.ok(!checkParameterizations(vp, badV).ok, 'v with the wrong sign');
});

test('a proof that throws is reported as failed with its message', () => {
  const boom: Proof = { id: 'boom', title: 'throws', statement: 'x', source: 'test', check: () => { throw new Error('kaboom'); } };
  const [r] = runProofs(loadScheme('edm'), [boom]);
  assert.equal(r.ok, false);
  assert.ok(Number.isNaN(r.error));
  assert.match(r.detail ?? '', /kaboom/);
  const nan: Proof = { ...boom, check: () => ({ ok: true, method: 'numeric', error: NaN, tolerance: 1 }) };
  assert.equal(runProofs(loadScheme('edm'), [nan])[0].ok, false, 'a NaN error never passes');
});

test('lambda-family: for random lambda, Gaussian m, v the reverse moment rates equal the forward ones', () => {
  const schemes = BUILTIN_NAMES.map(loadScheme);
  fc.assert(fc.property(
    fc.constantFrom(...schemes), lambda(), fc.double({ min: -3, max: 3, noNaN: true }), fc.double({ min: 0.01, max: 4, noNaN: true }), fc.double({ min: 0.02, max: 0.98, noNaN: true }),
    (s, lam, m, v, u) => {
      const t = s.t0 + u * (s.T - s.t0);
      const a = s.alpha(t), P = a * a * v + s.sigma2(t), mu = a * m;
      const score = (x: number) => -(x - mu) / P;
      const drift = (x: number) => reverseDrift(s, t, x, score(x), lam);
      const slope = (drift(mu + Math.sqrt(P)) - drift(mu - Math.sqrt(P))) / (2 * Math.sqrt(P));
      const meanRate = drift(mu), varRate = 2 * slope * P - reverseDiffusion(s, t, lam) ** 2;
      const fwdMean = s.dalpha(t) * m, fwdVar = 2 * a * s.dalpha(t) * v + 2 * s.sigma(t) * s.dsigma(t);
      const tol = (x: number, y: number, scale: number) => Math.abs(x - y) <= 1e-9 * Math.max(1, Math.abs(y), scale);
      // the variance rate is a difference of terms of size (1 + lambda^2) g^2: rounding scales with them
      const terms = (1 + lam * lam) * s.g2(t) + Math.abs(2 * s.f(t) * P);
      assert.ok(tol(meanRate, fwdMean, Math.abs(s.f(t) * mu)), `${s.name} t=${t} lambda=${lam}: mean rate ${meanRate} vs ${fwdMean}`);
      assert.ok(tol(varRate, fwdVar, terms), `${s.name} t=${t} lambda=${lam}: variance rate ${varRate} vs ${fwdVar}`);
    }), { numRuns: 300 });
});
