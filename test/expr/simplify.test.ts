/**
 * Properties of the canonical simplifier (src/expr/simplify.ts), the evaluation form
 * (src/expr/stabilize.ts) and the exact zero test (src/expr/zero.ts, src/expr/equal.ts):
 *   - simplify(x) equals x at random points where x is finite, and is idempotent;
 *   - no float literal that the input did not carry (exact rationals, no 0.010000000000000002);
 *   - canonical: pairs equal by construction (reordered, expanded, exp/log and trig rewrites)
 *     simplify to the same form, and the zero test proves their difference 0;
 *   - the zero test never says "identity" for a pair that differs by a small perturbation;
 *   - the evaluation form equals the display form (proved by the zero test) and is accurate.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { compile } from '../../src/expr/compile.ts';
import { parseExpr } from '../../src/expr/parse.ts';
import { simplify, simplifyWith } from '../../src/expr/simplify.ts';
import { stabilize } from '../../src/expr/stabilize.ts';
import { provedZero } from '../../src/expr/zero.ts';
import { zeroTest } from '../../src/expr/equal.ts';
import { depends, sub, view, type MathNode } from '../../src/expr/nodes.ts';
import { exprTree, literals, significantDigits } from '../arbitraries/exprTree.ts';

const VARS = ['t', 'a', 'b'];
const P = (src: string): MathNode => parseExpr(src, { field: 'expr', vars: VARS });
const ev = (n: MathNode, t: number, a = 0.7, b = 1.3): number => compile(n, VARS)(t, a, b);
const close = (x: number, y: number, tol: number) => Math.abs(x - y) <= tol * Math.max(1, Math.abs(x), Math.abs(y));


/** a random expression in t, a, b (symbolic parameters) */
const paramTree = exprTree({ maxDepth: 3 }).chain((src) => fc.tuple(fc.constant(src), fc.constantFrom('a', 'b', '(a + b)', 'a*b'), fc.constantFrom('t', '0.5')))
  // literals of at most 7 significant digits (a 17-digit literal's exact rational prints as its rounded value)
  .map(([src, p, x]) => src.replace(/\bt\b/g, `(${x} * ${p} + t)`).replace(/(\d\.\d{6})\d+/g, '$1'));

test('simplify(x) equals x where finite, is idempotent, and derives no float literal', () => {
  fc.assert(fc.property(paramTree, fc.double({ min: 0.1, max: 1.9, noNaN: true }), (src, t) => {
    const x = P(src);
    const s = simplify(x);
    const vx = ev(x, t), vs = ev(s, t);
    if (Number.isFinite(vx) && Math.abs(vx) < 1e8) assert.ok(close(vx, vs, 1e-9), `${src} -> ${s.toString()} at t = ${t}: ${vx} vs ${vs}`);
    assert.equal(simplify(s).toString(), s.toString(), `not idempotent: ${src}`);
    // every literal of the output is an integer or one whose digits are exact decimals of the input's rationals
    // (measured in significant digits: 2^-12 prints as 2.44140625e-4, exact; 0.010000000000000002 is float noise)
    for (const c of literals(s)) assert.ok(Number.isInteger(c) || significantDigits(c) <= 12 || literals(x).some((d) => significantDigits(d) > 12), `derived float literal ${c} in ${s.toString()} from ${src}`);
  }), { numRuns: 150 });
});

test('the readability rules of issue 10', () => {
  const cases: [string, string][] = [
    ['x - -y', 'x + y'], ['2 * 1 / x', '2 / x'], ['1 * x', 'x'], ['0.1 + 0.2', '3 / 10'],
    ['sin(x) / cos(x)', 'tan(x)'], ['exp(a) * exp(b)', 'exp(a + b)'], ['log(exp(x))', 'x'], ['exp(3 * log(u))', 'u ^ 3'],
    ['sqrt(x ^ 2)', 'abs(x)'], ['(x * y + x * z) / x', 'y + z'], ['(b1 - b0) / (b0 - b1)', '-1'], ['exp(x) * expm1(-x)', '1 - exp(x)'],
  ];
  for (const [src, want] of cases) {
    const got = simplify(parseExpr(src, { field: 'x', vars: ['x', 'y', 'z', 'a', 'b', 'u', 'b0', 'b1'] })).toString();
    assert.equal(got, want, src);
  }
  // sign assumptions: sqrt of a square and log of a product need the sign
  const sq = parseExpr('sqrt(b^2) + log(b * x)', { field: 'x', vars: ['x', 'b'] });
  assert.equal(simplifyWith(sq, { signs: { b: 'pos' } }).toString(), 'b + log(b) + log(x)');
  assert.equal(simplify(sq).toString(), 'abs(b) + log(b * x)');
  // SymPy's forms of issue 10 (parameters as symbols)
  const vp = simplify(P('exp(-(a * t + (b - a) * t ^ 2 / 2) / 2)'));
  assert.ok(provedZero(sub(vp, P('exp(t * (-2 * a + t * (a - b)) / 4)'))));
  assert.ok(!/\d\.\d{6,}/.test(vp.toString()), vp.toString());
});

/** pairs equal by construction: the same expression rewritten by identities */
const REWRITES: ((u: string, v: string) => [string, string])[] = [
  (u, v) => [`(${u}) + (${v})`, `(${v}) + (${u})`],
  (u, v) => [`(${u}) * ((${v}) + 1)`, `(${u}) * (${v}) + (${u})`],
  (u, v) => [`((${u}) + (${v}))^2`, `(${u})^2 + 2 * (${u}) * (${v}) + (${v})^2`],
  (u, v) => [`exp(${u}) * exp(${v})`, `exp((${u}) + (${v}))`],
  (u, v) => [`(${u}) / (1 + (${v})^2) + (${v})`, `((${u}) + (${v}) * (1 + (${v})^2)) / (1 + (${v})^2)`],
  (u) => [`sin(${u})^2`, `1 - cos(${u})^2`],
  (u) => [`sigmoid(${u})`, `1 - sigmoid(-(${u}))`],
  (u) => [`expm1(${u})`, `exp(${u}) - 1`],
  (u) => [`log1p((${u})^2)`, `log(1 + (${u})^2)`],
  (u) => [`tanh(${u})`, `(exp(2 * (${u})) - 1) / (exp(2 * (${u})) + 1)`],
  (u) => [`sqrt(1 + (${u})^2)^3`, `(1 + (${u})^2) * sqrt(1 + (${u})^2)`],
  (u) => [`exp(2 * log(1 + (${u})^2))`, `(1 + (${u})^2)^2`],
];

test('zero test: pairs equal by construction are proved identical (often), and the proof is never wrong', () => {
  let proved = 0, total = 0;
  fc.assert(fc.property(paramTree, paramTree, fc.integer({ min: 0, max: REWRITES.length - 1 }), (u, v, k) => {
    const [l, r] = REWRITES[k](u, v);
    const L = P(l), R = P(r);
    total++;
    const z = zeroTest(L, R, [0.1, 1.9]);
    if (z.method === 'identity') proved++;
    // an identity must hold numerically (where both sides are finite and moderate)
    for (const t of [0.3, 0.8, 1.5]) {
      const x = ev(L, t), y = ev(R, t);
      if (z.method === 'identity' && Number.isFinite(x) && Number.isFinite(y) && Math.abs(x) < 1e6) assert.ok(close(x, y, 1e-7), `${l} = ${r} claimed at t = ${t}: ${x} vs ${y}`);
    }
  }), { numRuns: 120 });
  assert.ok(proved >= 0.8 * total, `only ${proved}/${total} equal-by-construction pairs proved`);
});

test('zero test: a small perturbation is never an identity', () => {
  fc.assert(fc.property(paramTree, fc.integer({ min: 0, max: REWRITES.length - 1 }), fc.constantFrom('1e-9', '1e-6 * t', '1e-8 * a', '1e-7 * exp(t)', '1e-9 * sin(b * t)'), (u, k, eps) => {
    const [l, r] = REWRITES[k](u, u);
    const R = P(`(${r}) + ${eps}`);
    assert.equal(provedZero(sub(P(l), R)), undefined, `${l} vs ${r} + ${eps} proved zero`);
    assert.notEqual(zeroTest(P(l), R, [0.1, 1.9]).method, 'identity');
  }), { numRuns: 120 });
});

test('the evaluation form equals the display form and is accurate where the display form cancels', () => {
  fc.assert(fc.property(paramTree, (src) => {
    const s = simplify(P(src));
    if (!VARS.some((x) => depends(s, x))) return; // a constant: stabilize folds it to its float64 value
    const st = stabilize(s);
    if (provedZero(sub(st, s))) return;
    // stabilize folds symbol-free subtrees (sqrt(1.000001)) to float64 literals, which the exact zero test
    // cannot equate with the exact subtree: then the two must agree numerically
    for (const t of [0.15, 0.5, 0.9, 1.4, 1.85]) {
      const vs = ev(s, t), vt = ev(st, t);
      if (Number.isFinite(vs) && Math.abs(vs) < 1e8) assert.ok(close(vs, vt, 1e-12), `stabilize changed the value of ${s.toString()} at t = ${t}: ${vs} vs ${vt}`);
    }
  }), { numRuns: 100 });
  // 1 - exp(-B) for tiny B: the display form loses every digit, the evaluation form none
  const s = simplify(P('1 - exp(-a * t^2)'));
  const f = compile(s, VARS);
  const t = 1e-9, exact = 0.7 * t * t;
  assert.ok(Math.abs(f(t, 0.7, 0) - exact) <= 1e-15 * exact, `${f(t, 0.7, 0)} vs ${exact}`);
  assert.match(stabilize(s).toString(), /expm1/);
  assert.match(stabilize(P('log(1 + a * t)')).toString(), /log1p/);
});
