/**
 * Closed-form antiderivatives (src/expr/integrate.ts) against adaptive quadrature: the rule
 * patterns schedules produce must integrate in closed form, and any closed form returned for a
 * random tree must be right.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { compile1 } from '../../src/codegen/js.ts';
import { antiderivative, definiteIntegral } from '../../src/expr/integrate.ts';
import { parseExpr } from '../../src/expr/parse.ts';
import { integrate } from '../../src/expr/quadrature.ts';
import { lit } from '../arbitraries/schedulePiece.ts';
import { exprTree } from '../arbitraries/exprTree.ts';

const c = (lo: number, hi: number) => fc.double({ min: lo, max: hi, noNaN: true, noDefaultInfinity: true }).map((x) => Math.round(x * 1e4) / 1e4);
const nz = (lo: number, hi: number) => c(lo, hi).filter((x) => Math.abs(x) > 0.05);

/** Integrands of the documented rule patterns, as strings. */
const pattern = fc.oneof(
  // polynomials
  fc.array(c(-5, 5), { minLength: 1, maxLength: 6 }).map((cs) => cs.map((x, k) => `${lit(x)} * t^${k}`).join(' + ')),
  // P(t) e^{a t + b}
  fc.tuple(c(-3, 3), c(-3, 3), nz(-3, 3), c(-1, 1)).map(([p0, p1, a, b]) => `(${lit(p0)} + ${lit(p1)} * t) * exp(${lit(a)} * t + ${lit(b)})`),
  // c Q'(t) exp(Q(t)), Q quadratic
  fc.tuple(c(-3, 3), nz(-2, 2), nz(-2, 2)).map(([k, q1, q2]) => `${lit(k)} * (${lit(q1)} + 2 * ${lit(q2)} * t) * exp(${lit(q1)} * t + ${lit(q2)} * t^2)`),
  // c u' F(u) for F in sin, cos, sigmoid, tanh, exp with u = a t^2 + b t
  fc.tuple(fc.constantFrom('sin', 'cos', 'sigmoid', 'tanh', 'exp', 'cosh'), c(-2, 2), nz(-2, 2), nz(0.2, 2)).map(([F, k, a, b]) => `${lit(k)} * (2 * ${lit(a)} * t + ${lit(b)}) * ${F}(${lit(a)} * t^2 + ${lit(b)} * t)`),
  // u' F(u) with u = a t + b log t (a u' that is a sum, integrated as a whole)
  fc.tuple(nz(0.2, 2), nz(0.2, 2)).map(([a, b]) => `(${lit(a)} + ${lit(b)} / t) * sigmoid(${lit(a)} * t + ${lit(b)} * log(t))`),
  // sums of the above with constants pulled out
  fc.tuple(c(-3, 3), nz(-3, 3)).map(([k, a]) => `${lit(k)} + 3 * exp(${lit(a)} * t) - t^2 / 4`),
);

function checkAgainstQuadrature(src: string, F: NonNullable<ReturnType<typeof antiderivative>>, a: number, b: number) {
  const f = compile1(parseExpr(src, { field: 'f' })), Ff = compile1(F);
  const q = integrate(f, a, b);
  const v = Ff(b) - Ff(a);
  const scale = Math.max(1, Math.abs(q.value), Math.abs(Ff(a)), Math.abs(Ff(b)));
  assert.ok(Math.abs(v - q.value) <= 1e-10 * scale, `${src}: F = ${F.toString()}: ${v} vs quadrature ${q.value}`);
}

test('every rule pattern integrates in closed form, agreeing with quadrature', () => {
  fc.assert(fc.property(pattern, fc.double({ min: 0.05, max: 0.5, noNaN: true }), fc.double({ min: 0.6, max: 1, noNaN: true }), (src, a, b) => {
    const F = antiderivative(parseExpr(src, { field: 'f' }), [0.05, 1]);
    assert.ok(F, `no closed form for ${src}`);
    checkAgainstQuadrature(src, F, a, b);
  }), { numRuns: 150 });
});

test('a closed form returned for a random tree is a correct antiderivative', () => {
  let found = 0;
  fc.assert(fc.property(exprTree({ maxDepth: 2 }), (src) => {
    const F = antiderivative(parseExpr(src, { field: 'f' }), [0.1, 1.5]);
    if (!F) return;
    found++;
    checkAgainstQuadrature(src, F, 0.1, 1.5);
  }), { numRuns: 150 });
  assert.ok(found > 10, `only ${found} random trees had closed forms`);
});

test('definite integrals from 0 (the schedule integrals B(t) = int_0^t beta)', () => {
  const cases: [string, (t: number) => number][] = [
    ['0.1 + 19.9 * t', (t) => 0.1 * t + 9.95 * t * t],
    ['exp(-2 * t)', (t) => (1 - Math.exp(-2 * t)) / 2],
    ['(0.1 + 19.9 * t) * exp(-(0.1 * t + 9.95 * t^2))', (t) => 1 - Math.exp(-(0.1 * t + 9.95 * t * t))],
  ];
  for (const [src, exact] of cases) {
    const I = definiteIntegral(parseExpr(src, { field: 'f' }), 0, [0, 1]);
    assert.ok(I, src);
    for (const t of [0.01, 0.3, 1]) assert.ok(Math.abs(compile1(I)(t) - exact(t)) <= 1e-13 * Math.max(1, exact(t)), `${src} at ${t}`);
  }
});

test('a closed form that cancels catastrophically is refused (quadrature is used instead)', () => {
  // int_0^t 0.05 e^{-1e-12 s} ds = 0.05 (1 - e^{-1e-12 t}) / 1e-12: F(t) - F(0) loses every digit
  const I = definiteIntegral(parseExpr('0.05 * exp(-1e-12 * t)', { field: 'f' }), 0, [0, 1]);
  if (I) for (const t of [0.01, 0.5]) assert.ok(Math.abs(compile1(I)(t) - 0.05 * t) <= 1e-12, `accepted an inaccurate closed form: ${I.toString()}`);
});
