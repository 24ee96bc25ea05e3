/**
 * The whitelist parser (src/expr/parse.ts) and the simplifier (src/expr/simplify.ts):
 * injections, assignments, member access, strings, unknown names and syntax errors are UserErrors
 * naming the field before anything is evaluated; garbage never escapes as another error;
 * simplification preserves values; parse + compile agree with stock mathjs on the same text.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { compile1 } from '../../src/expr/compile.ts';
import { isUserError } from '../../src/errors.ts';
import { FUNCTIONS, freeSymbols } from '../../src/expr/nodes.ts';
import { parseExpr, validateParams } from '../../src/expr/parse.ts';
import { garbage } from '../arbitraries/garbage.ts';
import { injection } from '../arbitraries/injection.ts';
import { compile as mathjsCompile } from 'mathjs';
import { simplify } from '../../src/expr/simplify.ts';
import { exprTree } from '../arbitraries/exprTree.ts';

// ---- parser whitelist ----
test('every injection / non-whitelisted construct is a UserError naming the field', () => {
  fc.assert(fc.property(injection(), fc.constantFrom('sde.f', 'marginal.sigma', 'logSnr'), (inj, field) => {
    try {
      parseExpr(inj.source, { field });
    } catch (e) {
      assert.ok(isUserError(e), `${inj.cls} ${JSON.stringify(inj.source)}: ${String(e)}`);
      assert.equal(e.field, field);
      return;
    }
    assert.fail(`${inj.cls} ${JSON.stringify(inj.source)} was accepted`);
  }), { numRuns: 400 });
});

test('random garbage: a UserError, or a canonical tree that compiles', () => {
  fc.assert(fc.property(garbage(), (src) => {
    let tree;
    try { tree = parseExpr(src, { field: 'g2' }); } catch (e) {
      assert.ok(isUserError(e), `${JSON.stringify(src)}: ${String(e)}`);
      assert.equal(e.field, 'g2');
      return;
    }
    const v = compile1(tree)(0.5);
    assert.equal(typeof v, 'number');
  }), { numRuns: 500 });
});

test('whitelisted functions, constants and params parse; params, pi and e stay symbols, bound at evaluation', () => {
  for (const f of FUNCTIONS) assert.doesNotThrow(() => parseExpr(`${f}(t / 3)`, { field: 'x' }), f);
  const tree = parseExpr('b0 + (b1 - b0) * t + pi - e', { field: 'x', params: { b0: 0.1, b1: 20 } });
  assert.deepEqual(freeSymbols(tree), ['b0', 'b1', 'e', 'pi', 't']);
  assert.ok(Math.abs(compile1(tree, { b0: 0.1, b1: 20 })(0.5) - (0.1 + 19.9 * 0.5 + Math.PI - Math.E)) < 1e-14);
  assert.ok(Math.abs(compile1(tree, { b0: 1, b1: 3 })(0.5) - (1 + 2 * 0.5 + Math.PI - Math.E)) < 1e-14);
  assert.throws(() => compile1(tree), /unbound symbol b0/);
  assert.equal(compile1(parseExpr(3, { field: 'x' }))(0), 3);
});

test('bad params and non-finite numbers are UserErrors', () => {
  for (const p of [{ t: 1 }, { exp: 1 }, { pi: 2 }, { 'a-b': 1 }, { a: 'x' }, { a: Infinity }, [1], 'x']) {
    assert.throws(() => validateParams(p), (e: unknown) => isUserError(e), JSON.stringify(p));
  }
  assert.throws(() => parseExpr(NaN, { field: 'x' }), (e: unknown) => isUserError(e));
  assert.throws(() => parseExpr('1e400 * t', { field: 'x' }), (e: unknown) => isUserError(e));
  assert.throws(() => parseExpr('t'.repeat(5000), { field: 'x' }), (e: unknown) => isUserError(e));
  assert.throws(() => parseExpr({}, { field: 'x' }), (e: unknown) => isUserError(e));
});

// ---- simplification ----
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
