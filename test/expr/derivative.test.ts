/**
 * Symbolic derivatives (src/expr/derivative.ts) agree with Richardson-extrapolated central finite
 * differences of the compiled expression, over random well-conditioned trees.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { compile1 } from '../../src/codegen/js.ts';
import { derivative } from '../../src/expr/derivative.ts';
import { parseExpr } from '../../src/expr/parse.ts';
import { exprTree } from '../arbitraries/exprTree.ts';

/** 5-point stencil at h and h/2, extrapolated; returns the value and an error estimate. */
function fd(f: (t: number) => number, t: number, h: number): { value: number; error: number } {
  const d5 = (k: number) => (f(t - 2 * k) - 8 * f(t - k) + 8 * f(t + k) - f(t + 2 * k)) / (12 * k);
  const a = d5(h), b = d5(h / 2);
  return { value: b + (b - a) / 15, error: Math.abs(b - a) };
}

test('derivative of random trees matches finite differences', () => {
  fc.assert(fc.property(exprTree(), fc.double({ min: 0.1, max: 1.9, noNaN: true }), (src, t) => {
    const tree = parseExpr(src, { field: 'expr' });
    const f = compile1(tree), df = compile1(derivative(tree));
    const num = fd(f, t, 1e-3);
    const sym = df(t);
    const scale = Math.max(1, Math.abs(num.value), Math.abs(f(t)));
    if (!Number.isFinite(num.value) || scale > 1e6) return; // outside the well-conditioned range
    // the FD estimate's own error bounds what can be resolved
    assert.ok(Math.abs(sym - num.value) <= 1e-6 * scale + 10 * num.error, `${src}: d/dt at ${t}: symbolic ${sym}, FD ${num.value} (+- ${num.error})`);
  }), { numRuns: 300 });
});

test('derivative rules of every whitelisted function', () => {
  const cases = ['exp(2*t)', 'log(t)', 'log1p(t)', 'expm1(t)', 'sqrt(t)', 'sin(t)', 'cos(t)', 'tan(t)', 'atan(t)', 'tanh(t)',
    'sigmoid(t)', 'erf(t)', 'abs(t - 2)', 'sinh(t)', 'cosh(t)', 'asin(t/2)', 'acos(t/2)', 'atanh(t/2)', 'softplus(t)', 'logit(t/2)',
    't^t', '2^t', 't^0.5', '1/t'];
  for (const src of cases) {
    const tree = parseExpr(src, { field: 'expr' });
    const f = compile1(tree), df = compile1(derivative(tree));
    for (const t of [0.3, 0.7, 1.1]) {
      const num = fd(f, t, 1e-3);
      assert.ok(Math.abs(df(t) - num.value) <= 1e-8 * Math.max(1, Math.abs(num.value)), `${src} at ${t}: ${df(t)} vs ${num.value}`);
    }
  }
});
