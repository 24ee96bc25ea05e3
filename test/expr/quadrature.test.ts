/**
 * Adaptive Gauss-Kronrod quadrature (src/expr/quadrature.ts): known integrals to 1e-12, and a
 * noisy integrand (rounding noise above the requested tolerance) terminates quickly with an honest
 * error estimate instead of exhausting 2000 bisections.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { integrate } from '../../src/expr/quadrature.ts';

test('known integrals', () => {
  const cases: [string, (t: number) => number, number, number, number][] = [
    ['exp', Math.exp, 0, 1, Math.E - 1],
    ['1/(1+t^2)', (t) => 1 / (1 + t * t), 0, 1, Math.PI / 4],
    ['sqrt (endpoint singular derivative)', Math.sqrt, 0, 1, 2 / 3],
    ['1/sqrt (integrable singularity)', (t) => 1 / Math.sqrt(t), 0, 1, 2],
    ['sin on [0, pi]', Math.sin, 0, Math.PI, 2],
    ['reversed bounds', Math.exp, 1, 0, 1 - Math.E],
    ['log', Math.log, 0, 1, -1],
  ];
  for (const [name, f, a, b, exact] of cases) {
    const r = integrate(f, a, b);
    assert.ok(Math.abs(r.value - exact) <= 1e-12 * Math.abs(exact), `${name}: ${r.value} vs ${exact}`);
    assert.ok(r.error <= 1e-11 * Math.abs(exact), `${name}: error estimate ${r.error}`);
  }
});

test('polynomials of degree <= 20 are exact (Kronrod 15 points, adaptivity)', () => {
  fc.assert(fc.property(fc.array(fc.double({ min: -5, max: 5, noNaN: true }), { minLength: 1, maxLength: 20 }), (c) => {
    const f = (t: number) => c.reduceRight((acc, x) => acc * t + x, 0);
    const exact = c.reduce((acc, x, k) => acc + x / (k + 1), 0);
    const r = integrate(f, 0, 1);
    const scale = c.reduce((acc, x, k) => acc + Math.abs(x) / (k + 1), 0);
    assert.ok(Math.abs(r.value - exact) <= 1e-13 * Math.max(scale, 1e-300) + 1e-300);
  }), { numRuns: 100 });
});

test('an integrand with rounding noise above the tolerance stops early and reports its error', () => {
  // 1 + 1e-11 x (deterministic pseudo-noise): no bisection can reach rtol 1e-13
  const noisy = (t: number) => 1 + 1e-11 * Math.sin(1e7 * t * t);
  const r = integrate(noisy, 0, 1, 1e-13);
  assert.ok(Math.abs(r.value - 1) < 1e-10, `value ${r.value}`);
  assert.ok(r.evaluations < 20000, `evaluations ${r.evaluations} (2000 bisections would be 60000)`);
  assert.ok(r.error > 0, 'the achieved error estimate is reported');
});

test('a non-finite integrand throws a RangeError naming t', () => {
  assert.throws(() => integrate((t) => (t > 0.5 ? NaN : 1), 0, 1), /not finite at t = /);
});
