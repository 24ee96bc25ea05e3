/**
 * Closed-form inversion (src/expr/invert.ts): for random compositions of invertible functions of
 * t, one of the candidates t(y) returns t when applied to y = F(t).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { compile1 } from '../../src/codegen/js.ts';
import { invert } from '../../src/expr/invert.ts';
import { substitute, sym } from '../../src/expr/nodes.ts';
import { parseExpr } from '../../src/expr/parse.ts';
import { lit } from '../arbitraries/schedulePiece.ts';

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
