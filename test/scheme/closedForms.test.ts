/**
 * Closed forms for the shapes users write: g = c e^{k t} and g^2 = c r^t (VE-type SDEs) integrate
 * symbolically; a marginal sigma = sqrt(a t) has a finite g^2 at t = 0 (g^2 is derived from
 * sigma^2, not from 2 sigma sigma', which is 0 * infinity there).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { declareScheme } from '../../src/scheme/declare.ts';

const rel = (a: number, b: number): number => Math.abs(a - b) / Math.max(Math.abs(b), 1e-300);

test('g = c exp(k t) with f = 0: sigma^2 = c^2 expm1(2 k t) / (2 k), symbolic', () => {
  fc.assert(fc.property(fc.double({ min: 0.05, max: 3, noNaN: true }), fc.double({ min: 0.2, max: 4, noNaN: true }), fc.double({ min: 0.01, max: 1, noNaN: true }), (c, k, t) => {
    const { scheme } = declareScheme({ params: { c, k }, time: { t0: 1e-4, T: 1 }, sde: { f: '0', g: 'c * exp(k * t)' } });
    assert.equal(scheme.quantities.sigma2.method, 'symbolic');
    assert.ok(rel(scheme.sigma2(t), (c * c * Math.expm1(2 * k * t)) / (2 * k)) < 1e-12);
  }), { numRuns: 25 });
});

test('g^2 = c r^t (r > 1) with f = 0: sigma^2 = c (r^t - 1) / log r, symbolic', () => {
  fc.assert(fc.property(fc.double({ min: 0.05, max: 3, noNaN: true }), fc.double({ min: 1.5, max: 1e5, noNaN: true }), fc.double({ min: 0.01, max: 1, noNaN: true }), (c, r, t) => {
    const { scheme } = declareScheme({ params: { c, r }, time: { t0: 1e-4, T: 1 }, sde: { f: '0', g2: 'c * r^t' } });
    assert.equal(scheme.quantities.sigma2.method, 'symbolic');
    assert.ok(rel(scheme.sigma2(t), (c * Math.expm1(t * Math.log(r))) / Math.log(r)) < 1e-12);
  }), { numRuns: 25 });
});

test('marginal sigma = sqrt(a t): g^2 is finite at t = 0 and equals its limit a', () => {
  fc.assert(fc.property(fc.double({ min: 0.1, max: 5, noNaN: true }), (a) => {
    const { scheme } = declareScheme({ params: { a }, time: { t0: 1e-3, T: 0.9 }, marginal: { alpha: '1 - t', sigma: 'sqrt(a * t)' } });
    // g^2 = (sigma^2)' - 2 f sigma^2 = a + 2 a t / (1 - t)
    assert.ok(rel(scheme.g2(0), a) < 1e-12, `g2(0) = ${scheme.g2(0)}`);
    assert.ok(rel(scheme.g2(0.5), a + a * 2 * 0.5 / 0.5) < 1e-12);
  }), { numRuns: 20 });
});

test('F(t) - F(0) with exponentials is rewritten through expm1: closed forms stay accurate near t0', async () => {
  const { integrate } = await import('../../src/expr/quadrature.ts');
  const { compile1 } = await import('../../src/expr/compile.ts');
  // found by the proofs' property test: a tiny rate makes I(t) = A (1 - e^{-2kt}) + tiny terms with
  // A ~ 2.5e5, whose closed form (without the expm1 pattern) loses 8 digits at small t
  const { scheme } = declareScheme({
    time: { t0: 0.0036342846844284083, T: 0.559150496959844 },
    sde: { f: '1.623963061618651e-7', g: 'sqrt(0.01 + 0.07073572388782631 * (1 + 1.9374280530823394e-13 * cos(0.17884272757282663 * t)))' },
  });
  const k = 1.623963061618651e-7;
  const g2 = (t: number): number => 0.01 + 0.07073572388782631 * (1 + 1.9374280530823394e-13 * Math.cos(0.17884272757282663 * t));
  for (const t of [scheme.t0, 0.005432, 0.1, scheme.T]) {
    const I = integrate((u) => g2(u) * Math.exp(-2 * k * u), 0, t, 1e-14).value;
    assert.ok(rel(scheme.sigma2(t), Math.exp(2 * k * t) * I) < 1e-9, `t = ${t}: ${scheme.sigma2(t)} vs ${Math.exp(2 * k * t) * I}`);
    // the closed form itself, evaluated naively in float64, is as accurate (it was 3.6e-8 off before)
    const expr = scheme.quantities.sigma2.expr;
    assert.ok(expr, 'sigma2 has a closed form');
    assert.ok(rel(compile1(scheme.quantities.sigma2.evalExpr!, scheme.params)(t), Math.exp(2 * k * t) * I) < 1e-9, `closed form at t = ${t}`);
  }
  // sub-VP: sigma^2 = alpha^2 (e^B + e^{-B} - 2), written as alpha^2 (expm1(B) + expm1(-B))
  const subVp = (await import('../../src/scheme/load.ts')).loadScheme('sub-vp');
  const B = (t: number): number => 0.1 * t + 9.95 * t * t;
  // relative error ~ eps / B (1e-10 at B = 1e-6); e^B + e^{-B} - 2 itself had eps / B^2 (1e-4 there)
  for (const t of [1e-5, 1e-3, 0.5]) {
    const exact = Math.exp(-2 * B(t)) * 4 * Math.sinh(B(t) / 2) ** 2 * Math.exp(B(t)); // alpha^2 (2 cosh B - 2), alpha = e^{-B/2}
    assert.ok(rel(compile1(subVp.quantities.sigma2.evalExpr!, subVp.params)(t), exact) < 1e-9, `sub-vp closed form at t = ${t}`);
  }
});
