/**
 * The whitelist parser (src/expr/parse.ts): injections, assignments, member access, strings,
 * unknown names and syntax errors are rejected with a UserError naming the field before anything
 * is evaluated; everything else parses to a canonical tree; garbage never escapes as another error.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { compile1 } from '../../src/codegen/js.ts';
import { isUserError } from '../../src/errors.ts';
import { FUNCTIONS } from '../../src/expr/nodes.ts';
import { parseExpr, validateParams } from '../../src/expr/parse.ts';
import { garbage } from '../arbitraries/garbage.ts';
import { injection } from '../arbitraries/injection.ts';

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

test('whitelisted functions, constants and params parse; params are substituted by value', () => {
  for (const f of FUNCTIONS) assert.doesNotThrow(() => parseExpr(`${f}(t / 3)`, { field: 'x' }), f);
  const tree = parseExpr('b0 + (b1 - b0) * t + pi - e', { field: 'x', params: { b0: 0.1, b1: 20 } });
  assert.ok(Math.abs(compile1(tree)(0.5) - (0.1 + 19.9 * 0.5 + Math.PI - Math.E)) < 1e-14);
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
