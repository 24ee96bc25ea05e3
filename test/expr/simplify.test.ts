/**
 * Simplification preserves values (src/expr/simplify.ts), and parse + compile agree with an
 * independent evaluator (stock mathjs) on the original text.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { compile as mathjsCompile } from 'mathjs';
import { compile1 } from '../../src/codegen/js.ts';
import { parseExpr } from '../../src/expr/parse.ts';
import { simplify } from '../../src/expr/simplify.ts';
import { exprTree } from '../arbitraries/exprTree.ts';

const mixed = (a: number, b: number) => Math.abs(a - b) / Math.max(1, Math.abs(a), Math.abs(b));
const sigmoid = (x: number) => 1 / (1 + Math.exp(-x));

test('simplify(tree) evaluates like tree', () => {
  fc.assert(fc.property(exprTree(), fc.double({ min: 0.05, max: 2, noNaN: true }), (src, t) => {
    const tree = parseExpr(src, { field: 'expr' });
    const a = compile1(tree)(t), b = compile1(simplify(tree))(t);
    if (!Number.isFinite(a) || Math.abs(a) > 1e8) return;
    assert.ok(mixed(a, b) <= 1e-10, `${src} at ${t}: ${a} vs simplified ${simplify(tree).toString()} = ${b}`);
  }), { numRuns: 400 });
});

test('parse + compile agree with stock mathjs evaluation of the same text', () => {
  fc.assert(fc.property(exprTree(), fc.double({ min: 0.05, max: 2, noNaN: true }), (src, t) => {
    const ours = compile1(parseExpr(src, { field: 'expr' }))(t);
    const theirs = Number(mathjsCompile(src).evaluate({ t, sigmoid }));
    if (!Number.isFinite(theirs) || Math.abs(theirs) > 1e8) return;
    // erf differs: mathjs uses a rational approximation (~1e-13)
    assert.ok(mixed(ours, theirs) <= 1e-11, `${src} at ${t}: ${ours} vs mathjs ${theirs}`);
  }), { numRuns: 300 });
});

test('simplifier identities', () => {
  const same = (a: string, b: string) => assert.equal(simplify(parseExpr(a, { field: 'x' })).toString(), simplify(parseExpr(b, { field: 'x' })).toString(), `${a} vs ${b}`);
  same('exp(log(t))', 't');
  same('0 * exp(t) + t', 't');
  same('--t', 't');
  same('2 + 3', '5');
  const d = simplify(parseExpr('(t + 1)^2 - (t^2 + 2*t + 1)', { field: 'x' }));
  assert.equal(d.toString(), '0');
});
