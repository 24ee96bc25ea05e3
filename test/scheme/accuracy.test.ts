/**
 * Closed forms are measured at declaration time (src/scheme/accuracy.ts): a closed form whose
 * float64 evaluation (as the engines compile it, or as `derive` prints it) loses accuracy is set
 * aside for the numeric view and reported; a kept one is accurate. In particular the inverse
 * t(logSnr) is never silently wrong, whatever the size of the declared coefficients.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { compile as mathjsCompile } from 'mathjs';
import { toMathjs } from '../../src/codegen/mathjs.ts';
import { BUILTIN_NAMES } from '../../src/scheme/builtins.ts';
import { declareScheme } from '../../src/scheme/declare.ts';
import { loadScheme } from '../../src/scheme/load.ts';
import { QUANTITY_NAMES, type Scheme } from '../../src/scheme/types.ts';
import { CLOSED_FORM_TOL, DISPLAY_TOL } from '../../src/scheme/accuracy.ts';
import { tinyCoefficientSchedule } from '../arbitraries/tinyCoefficient.ts';
import { reference, mjs, rel } from './momentOde.ts';

const RUNS = Number(process.env.SDEKIT_PROPERTY_RUNS ?? (process.env.SDEKIT_SLOW ? 60 : 10));

/** Random times in [t0, T], log-uniform towards t0 for half of them. */
const times = (s: Scheme, n = 40): number[] => Array.from({ length: n }, (_, i) => {
  const u = (i + 0.37) / n;
  return i % 2 ? s.t0 + (s.T - s.t0) * u : Math.max(s.t0, 1e-6 * s.T) * (s.T / Math.max(s.t0, 1e-6 * s.T)) ** u;
});

/** The inverse round-trips t -> logSnr -> t (to the t-width of 4 ulps of logSnr where that is coarser). */
function assertInverse(s: Scheme, why: string) {
  for (const t of times(s)) {
    const l = s.logSnr(t);
    if (!Number.isFinite(l)) continue;
    const width = (4 * Number.EPSILON * Math.max(1, Math.abs(l))) / Math.abs(s.dlogSnr(t));
    const err = Math.abs(s.tOfLogSnr(l) - t);
    assert.ok(err <= Math.max(1e-9 * t, width), `${why}: t(logSnr(${t})) = ${s.tOfLogSnr(l)} (${s.inverse.method})`);
  }
}

/** Every kept closed form, printed and evaluated by stock mathjs, equals its float64 view. */
function assertPrintedForms(s: Scheme, why: string) {
  const ts = times(s);
  for (const k of QUANTITY_NAMES) {
    const q = s.quantities[k];
    if (!q.expr) continue;
    const c = mathjsCompile(toMathjs(q.expr));
    const scale = k === 'dsigma' ? (t: number) => (Math.abs(2 * s.f(t) * s.sigma2(t)) + Math.abs(s.g2(t))) / (2 * s.sigma(t)) : () => 1e-12;
    for (const t of ts) {
      const a = Number(c.evaluate({ ...s.params, t })), b = q.fn(t);
      if (!Number.isFinite(b)) continue;
      assert.ok(Math.abs(a - b) <= 100 * DISPLAY_TOL * Math.max(Math.abs(a), Math.abs(b), scale(t)), `${why}: ${k} printed ${toMathjs(q.expr)} = ${a} vs ${b} at t = ${t}`);
    }
  }
  if (s.inverse.expr) {
    const c = mathjsCompile(toMathjs(s.inverse.expr));
    for (const t of ts) {
      const l = s.logSnr(t);
      if (!Number.isFinite(l)) continue;
      const a = Number(c.evaluate({ ...s.params, t: l }));
      assert.ok(Math.abs(a - t) <= 100 * DISPLAY_TOL * t + (4 * Number.EPSILON * Math.max(1, Math.abs(l))) / Math.abs(s.dlogSnr(t)), `${why}: inverse printed ${toMathjs(s.inverse.expr)} = ${a} at logSnr(${t})`);
    }
  }
}

test('the 1e-100 coefficient of the integration run: the closed forms print through expm1/log1p and are accurate as printed', () => {
  // before: sigma^2/alpha^2 printed as 5e98 - 5e98 e^{-1e-100 t} (0 in float64) and t(lambda) as -1e100 log(1 - 2e-99 e^{-2 lambda}) (0)
  const d = { name: 'tiny', time: { t0: 0.0007700190482870541, T: 1 }, sde: { f: '1e-100 * sigmoid(0 * t)', g: 'sqrt(0.05)' } };
  const { scheme: s, report } = declareScheme(d);
  assert.deepEqual(s.fallbacks, [], report.warnings.join('\n'));
  assert.equal(s.inverse.method, 'symbolic');
  assert.match(toMathjs(s.inverse.expr!), /log1p/);
  assert.match(toMathjs(s.quantities.sigma2.expr!), /expm1/);
  assertInverse(s, 'k = 1e-100');
  assertPrintedForms(s, 'k = 1e-100');
  // f = 5e-101 is a constant: sigma^2 = 0.05 t to 1e-16, logSnr = -log(0.05 t)/2
  for (const t of [1e-3, 0.1, 0.7, 1]) assert.ok(rel(s.logSnr(t), -0.5 * Math.log(0.05 * t)) <= 1e-12, `logSnr(${t}) = ${s.logSnr(t)}`);
});

test('a closed-form inverse whose evaluation loses accuracy is set aside for the numeric inverse, and reported', () => {
  // found by the property test below: the candidate t(lambda) loses 6e-5 relative near t0
  const d = { name: 'tiny-f', time: { t0: 0.004757089241963336, T: 1 }, sde: { f: '5.61717864370263e-50 + (-6.654653396096465e-25) * sigmoid(0 * t) + 3.762429066069743e-9 * sigmoid(0 * (t - 9.11500510397839e-44))', g: 'sqrt(1.421500858825954)' } };
  const { scheme: s, report } = declareScheme(d);
  assert.equal(s.inverse.method, 'numeric');
  assert.equal(s.inverse.expr, null);
  assert.ok(report.warnings.some((w) => /^tOfLogSnr: the closed form's evaluation form loses accuracy in float64 \(relative error [0-9.e+-]+ > 1e-10 at t = /.test(w)), report.warnings.join('\n'));
  assertInverse(s, 'numeric fallback');
  assertPrintedForms(s, 'numeric fallback');
});

test('tiny coefficients: every kept closed form is accurate as printed, the inverse round-trips, the views match RK4', () => {
  fc.assert(fc.property(tinyCoefficientSchedule(), (d) => {
    const { scheme: s, report } = declareScheme(d);
    const why = JSON.stringify(d);
    // a fallback is reported exactly when a view has no closed form although the form derives one
    for (const w of report.warnings.filter((x) => x.includes('computed numerically'))) {
      const k = w.slice(0, w.indexOf(':'));
      assert.ok(k === 'tOfLogSnr' ? s.inverse.method === 'numeric' : s.quantities[k as 'alpha'].method === 'numeric', `${why}: ${w}`);
    }
    assertInverse(s, why);
    assertPrintedForms(s, why);
    if (d.sde) {
      const ref = reference(mjs(d.sde.f), mjs(d.sde.g2!), 0, [1, 0], s.T);
      for (const { t, y: [al, P] } of ref) {
        if (t < s.t0) continue;
        assert.ok(rel(s.alpha(t), al) <= 1e-9 && rel(s.sigma2(t), P) <= 1e-9, `${why}: alpha, sigma^2 at ${t}: ${s.alpha(t)}, ${s.sigma2(t)} vs RK4 ${al}, ${P}`);
      }
    }
  }), { numRuns: RUNS });
});

test('the accuracy check keeps every built-in closed form (nothing set aside) and is stricter for the engines than for printing', () => {
  assert.ok(CLOSED_FORM_TOL < DISPLAY_TOL);
  for (const name of BUILTIN_NAMES) {
    const s = loadScheme(name);
    assert.deepEqual(s.fallbacks ?? [], [], name);
    assertPrintedForms(s, name);
  }
  assert.equal(loadScheme('vp-linear').inverse.method, 'symbolic');
});
