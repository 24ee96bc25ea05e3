/**
 * The calculus of the expression layer, as properties (one file: loading mathjs dominates a test
 * file's cost):
 *   - derivatives (src/expr/derivative.ts) against Richardson finite differences, random trees;
 *   - closed-form antiderivatives (src/expr/integrate.ts) against adaptive quadrature;
 *   - closed-form inversion (src/expr/invert.ts) round trips;
 *   - adaptive Gauss-Kronrod quadrature (src/expr/quadrature.ts): known integrals, noise floor.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { compile1 } from '../../src/expr/compile.ts';
import { derivative } from '../../src/expr/derivative.ts';
import { parseExpr } from '../../src/expr/parse.ts';
import { exprTree } from '../arbitraries/exprTree.ts';
import { antiderivative, definiteIntegral } from '../../src/expr/integrate.ts';
import { integrate } from '../../src/expr/quadrature.ts';
import { lit } from '../arbitraries/schedulePiece.ts';
import { invert } from '../../src/expr/invert.ts';
import { substitute, sym } from '../../src/expr/nodes.ts';

// ---- derivatives ----
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

// ---- antiderivatives ----
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
  // P(t) sin/cos(a t + b), by parts
  fc.tuple(fc.constantFrom('sin', 'cos'), fc.array(c(-3, 3), { minLength: 1, maxLength: 4 }), nz(-8, 8), c(-1, 1)).map(([F, cs, a, b]) =>
    `(${cs.map((x, k) => `${lit(x)} * t^${k}`).join(' + ')}) * ${F}(${lit(a)} * t + ${lit(b)})`),
  // b0 + b1 sin^2(a t) / cos^2(a t) (half-angle)
  fc.tuple(fc.constantFrom('sin', 'cos'), c(0, 1), c(-20, 20), nz(-4, 4)).map(([F, b0, b1, a]) => `${lit(b0)} + ${lit(b1)} * ${F}(${lit(a)} * t)^2`),
  // log(1 + k t) (simplified to log1p) and log(c + t)
  fc.tuple(nz(0.1, 5), c(0.1, 3)).map(([k, c0]) => `log(1 + ${lit(k)} * t) + log(${lit(c0)} + t)`),
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

// ---- inversion ----
/** Invertible steps u -> g(u), each keeping u in a range where the next step is invertible. */
const step = fc.oneof(
  fc.tuple(fc.double({ min: 0.3, max: 2, noNaN: true }), fc.boolean(), fc.double({ min: -1, max: 1, noNaN: true })).map(([a, neg, b]) => (u: string) => `${lit(neg ? -a : a)} * (${u}) + ${lit(b)}`),
  fc.constant((u: string) => `exp(${u})`),
  fc.constant((u: string) => `atan(${u})`),
  fc.constant((u: string) => `tanh(${u})`),
  fc.constant((u: string) => `sigmoid(${u})`),
  fc.constant((u: string) => `log(1 + exp(${u}))`), // softplus-like: log of a positive
  fc.constant((u: string) => `sqrt(1 + exp(${u}))`),
);

test('one candidate of invert(F) round-trips t -> F(t) -> t', () => {
  fc.assert(fc.property(fc.array(step, { minLength: 1, maxLength: 3 }), (steps) => {
    const src = steps.reduce((u, g) => g(u), 't');
    const F = parseExpr(src, { field: 'F' });
    const f = compile1(F);
    const cands = invert(F).map((c) => compile1(substitute(c, 'y', sym('t'))));
    assert.ok(cands.length > 0, `no inverse candidates for ${src}`);
    const ts = [0.2, 0.45, 0.7, 0.95];
    const ok = cands.some((g) => ts.every((t) => Math.abs(g(f(t)) - t) <= 1e-7));
    assert.ok(ok, `${src}: no candidate returns t (${cands.map((g) => g(f(0.45))).join(', ')})`);
  }), { numRuns: 200 });
});

test('quadratic and linear-fractional cores are solved', () => {
  for (const src of ['0.1 * t + 9.95 * t^2', '(1 - t) / (1 + 2 * t)', '-log(expm1(0.1 * t + 9.95 * t^2)) / 2']) {
    const F = parseExpr(src, { field: 'F' });
    const f = compile1(F);
    const ok = invert(F).map((c) => compile1(substitute(c, 'y', sym('t')))).some((g) => [0.1, 0.5, 0.9].every((t) => Math.abs(g(f(t)) - t) <= 1e-10));
    assert.ok(ok, src);
  }
});

// ---- quadrature ----
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
