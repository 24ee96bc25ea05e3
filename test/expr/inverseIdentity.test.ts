/**
 * The exact inverse proof (src/expr/inverseIdentity.ts): logSnr(t(l)) = l for closed-form
 * inverses of random schedules whose log-SNR core is linear or quadratic in t (VP with a linear
 * beta in symbolic b0, b1; a declared log-SNR l0 - a t - c t^2; VE-like log-linear sigma; cosine
 * with a random offset, whose inverse goes through acos), and
 * never "proved" for an inverse that is off by a small perturbation.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { provedInverse } from '../../src/expr/inverseIdentity.ts';
import { add, mul, num, sym } from '../../src/expr/nodes.ts';
import { toMathjs } from '../../src/codegen/mathjs.ts';
import { declareScheme } from '../../src/scheme/declare.ts';
import type { SchemeDeclaration } from '../../src/scheme/declaration.ts';
import { lit } from '../arbitraries/schedulePiece.ts';
import { BUILTIN_NAMES } from '../../src/scheme/builtins.ts';
import { loadScheme } from '../../src/scheme/load.ts';

const RUNS = Number(process.env.SDEKIT_PROPERTY_RUNS ?? (process.env.SDEKIT_SLOW ? 60 : 12));
const r3 = (x: number) => Number(x.toPrecision(3));
// three significant digits, |x| >= 1e-3 or 0 (a 1e-100 literal's exact rational makes the zero test run past its budget: 'not proved', never wrong)
const pos = (lo: number, hi: number) => fc.double({ min: lo, max: hi, noNaN: true }).map((x) => (Math.abs(x) < 1e-3 ? 0 : r3(x)));

/** Schedules with a closed-form inverse whose log-SNR core is linear or quadratic in t. */
const quadraticCore: fc.Arbitrary<SchemeDeclaration> = fc.oneof(
  fc.tuple(pos(0.01, 1), pos(2, 30)).map(([b0, b1]): SchemeDeclaration => ({ name: 'vp', params: { b0, b1 }, sde: { f: '-(b0 + (b1 - b0) * t) / 2', g2: 'b0 + (b1 - b0) * t' } })),
  fc.tuple(pos(-1, 6), pos(0.5, 8), pos(0.1, 8)).map(([l0, a, c]): SchemeDeclaration => ({ name: 'quad', logSnr: `${lit(l0)} - ${lit(a)} * t - ${lit(c)} * t^2` })),
  fc.tuple(pos(0.5, 6), pos(0.5, 8)).map(([l0, a]): SchemeDeclaration => ({ name: 'lin', params: { l0, a }, logSnr: 'l0 - a * t' })),
  fc.tuple(pos(0.001, 0.1), pos(5, 80)).map(([lo, hi]): SchemeDeclaration => ({ name: 've', params: { lo, hi }, marginal: { alpha: '1', sigma: 'lo * (hi / lo)^t' } })),
  // cosine (Nichol & Dhariwal) with a random offset s: the inverse goes through acos
  pos(0.002, 0.2).map((s): SchemeDeclaration => ({ name: 'cosine', params: { s }, time: { t0: 1e-3, T: 0.99 }, marginal: { alpha: 'cos((t + s) / (1 + s) * pi / 2) / cos(s / (1 + s) * pi / 2)', sigma: 'sqrt(1 - (cos((t + s) / (1 + s) * pi / 2) / cos(s / (1 + s) * pi / 2))^2)' } })),
);

test('every built-in closed-form inverse is proved exactly', () => {
  for (const name of BUILTIN_NAMES) {
    const s = loadScheme(name);
    if (s.inverse.expr) assert.equal(provedInverse(s.quantities.logSnr.expr!, s.inverse.expr), true, name);
  }
  assert.ok(['vp-linear', 've', 'vp-cosine', 'edm', 'rectified-flow'].every((n) => loadScheme(n).inverse.expr), 'the five closed-form inverses');
});

test('closed-form inverses of linear and quadratic log-SNR cores are proved exactly; perturbed ones never', () => {
  fc.assert(fc.property(quadraticCore, fc.constantFrom(1e-6, -1e-9, 1e-3), (d, eps) => {
    const s = declareScheme(d).scheme;
    const l = s.quantities.logSnr.expr, inv = s.inverse.expr;
    assert.ok(l && inv, `${JSON.stringify(d)}: closed forms`);
    assert.equal(provedInverse(l, inv), true, `${JSON.stringify(d)}: logSnr = ${toMathjs(l)}, t(l) = ${toMathjs(inv)}`);
    // off by a relative eps, or by eps added to t: not an inverse, never proved
    assert.equal(provedInverse(l, mul(num(1 + eps), inv)), undefined, `${JSON.stringify(d)}: scaled by 1 + ${eps}`);
    assert.equal(provedInverse(l, add(inv, mul(num(eps), sym('t')))), undefined, `${JSON.stringify(d)}: + ${eps} lambda`);
  }), { numRuns: RUNS });
});
