/**
 * Parameter signs reach the simplifier (src/expr/assumptions.ts signsOf, canonical.ts withAssumptions):
 *   - simplified under a sign assumption, an expression equals the unsimplified one (evaluated by
 *     stock mathjs) at random values admissible under the assumption;
 *   - for a parameter whose range allows both signs nothing sign-dependent is simplified: the form
 *     equals the one without assumptions, and the original at values of both signs;
 *   - end to end: a declared positive (or "ranges" [0, null]) parameter prints sqrt(b^2) as b in the
 *     derivation (views, inverse, reverse family), [null, null] keeps abs(b).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { compile as mathjsCompile } from 'mathjs';
import { compile } from '../../src/expr/compile.ts';
import { parseExpr } from '../../src/expr/parse.ts';
import { simplifyWith } from '../../src/expr/simplify.ts';
import { signsOf, assumptionsOf } from '../../src/expr/assumptions.ts';
import { toMathjs } from '../../src/codegen/mathjs.ts';
import { declareScheme } from '../../src/scheme/declare.ts';
import { familyExprs } from '../../src/reverse/family.ts';
import { signedExpr, signWithValues } from '../arbitraries/signedExpr.ts';

const RUNS = Number(process.env.SDEKIT_PROPERTY_RUNS ?? (process.env.SDEKIT_SLOW ? 300 : 60));
const TS = [0.1, 0.55, 1.3, 2];
const stock = (src: string) => { const c = mathjsCompile(src); return (t: number, b: number) => Number(c.evaluate({ t, b, sigmoid: (x: number) => 1 / (1 + Math.exp(-x)) })); };
const close = (x: number, y: number) => Math.abs(x - y) <= 1e-9 * Math.max(1, Math.abs(x), Math.abs(y));

test('simplified under a sign assumption, an expression equals the original at admissible values; a two-signed parameter is left alone', () => {
  fc.assert(fc.property(signedExpr(), signWithValues(), (src, { sign, values }) => {
    const tree = parseExpr(src, { field: 'expr', vars: ['t', 'b'] });
    const simplified = simplifyWith(tree, sign === 'real' ? {} : { signs: { b: sign } });
    const f = compile(simplified, ['t', 'b']), g = stock(src);
    for (const b of values) for (const t of TS) {
      const want = g(t, b);
      if (!Number.isFinite(want) || Math.abs(want) > 1e12) continue; // outside the expression's domain (log of 0, ...)
      const got = f(t, b);
      assert.ok(close(got, want), `${src} under b ${sign}: simplified ${toMathjs(simplified)} = ${got} vs ${want} at b = ${b}, t = ${t}`);
    }
  }), { numRuns: RUNS });
});

test('the signs of a declaration: declared > 0 or ranges [0, null] simplify sqrt(b^2) to b; [null, null] keeps abs(b)', () => {
  assert.deepEqual(signsOf(assumptionsOf({ b: 2, c: -1, z: 0 })), { b: 'pos', c: 'neg' });
  assert.deepEqual(signsOf(assumptionsOf({ b: 2 }, { b: [0, null] })), { b: 'nonneg' });
  assert.deepEqual(signsOf(assumptionsOf({ b: 2 }, { b: [null, null] })), {});
  const printed = (ranges?: Record<string, [number | null, number | null]>) => {
    const s = declareScheme({ name: 'signs', params: { b: 2, c: 0.5 }, ...(ranges ? { ranges } : {}), sde: { f: '0', g: 'b * exp(c * t)' } }).scheme;
    const fam = familyExprs(s);
    return { s, texts: [...Object.values(s.quantities).map((q) => q.expr), s.inverse.expr, fam.diffusion, fam.drift].filter((x) => x).map((x) => toMathjs(x!)) };
  };
  for (const ranges of [undefined, { b: [0, null] as [number, null] }]) {
    const { s, texts } = printed(ranges);
    assert.ok(texts.every((x) => !x.includes('abs')), `${JSON.stringify(ranges)}: ${texts.join('; ')}`);
    assert.equal(toMathjs(familyExprs(s).diffusion!), 'b * exp(c * t) * lambda');
    // the simplified closed forms hold at other admissible values (compared with the definition g2 = b^2 e^{2ct})
    const fam = familyExprs(s);
    for (const b of [0.3, 7]) {
      const d = compile(fam.diffusion!, ['t', 'lambda', 'b', 'c']);
      for (const t of TS) assert.ok(close(d(t, 1.5, b, 0.5), 1.5 * Math.sqrt(b * b * Math.exp(2 * 0.5 * t))));
    }
  }
  const { texts } = printed({ b: [null, null] });
  assert.ok(texts.some((x) => x.includes('abs(b)')), texts.join('; '));
});
