/**
 * Bad input is a UserError naming the field, and nothing else (DESIGN.md: exit 2 with a message
 * naming the field, value and reason; never a silent NaN, never a stack trace):
 *   - every generated invalid schedule (negative g^2 inside the interval, alpha reaching 0, an
 *     increasing log-SNR, non-finite views, injections/syntax errors/unknown names in any expression
 *     field, structural errors) makes declareScheme throw a UserError whose field starts with the
 *     expected one; validation errors also name the first t where the condition fails;
 *   - random garbage in an expression field gives a UserError or a valid scheme whose views are
 *     finite on [t0, T] (garbage is sometimes a valid expression).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { isUserError } from '../../src/errors.ts';
import { declareScheme } from '../../src/scheme/declare.ts';
import type { Scheme } from '../../src/scheme/types.ts';
import { garbage } from '../arbitraries/garbage.ts';
import { invalidSchedule } from '../arbitraries/invalidSchedule.ts';

test('every generated invalid schedule is a UserError naming the field (and t for validation failures)', () => {
  fc.assert(fc.property(invalidSchedule(), (x) => {
    let err: unknown;
    try { declareScheme(x.declaration); } catch (e) { err = e; }
    assert.ok(err !== undefined, `accepted (${x.reason}): ${JSON.stringify(x.declaration)}`);
    assert.ok(isUserError(err), `${x.reason}: not a UserError: ${String(err)}`);
    assert.ok(err.field.startsWith(x.field), `${x.reason}: field ${err.field}, expected ${x.field}: ${err.message}`);
    assert.ok(err.message.startsWith(`${err.field}: `), 'the message starts with the field');
    if (['negative-g2', 'alpha-zero', 'increasing-logSnr', 'not-finite'].includes(x.reason)) {
      assert.ok(err.t !== undefined && err.message.includes(`at t = ${err.t}`), `${x.reason}: no t in ${err.message}`);
      const { t0, T } = (x.declaration as { time: { t0: number; T: number } }).time;
      assert.ok(err.t >= t0 && err.t <= T, `t = ${err.t} outside [${t0}, ${T}]`);
    }
  }), { numRuns: 300 });
});

test('the first failing t is where the condition first fails (alpha = 1 - t/c reaches 0 at c)', () => {
  for (const c of [0.3, 0.55, 0.8]) {
    try { declareScheme({ marginal: { alpha: `1 - t / ${c}`, sigma: 't' } }); assert.fail('accepted'); } catch (e) {
      assert.ok(isUserError(e) && e.t !== undefined);
      assert.ok(Math.abs(e.t - c) <= 1e-3, `t = ${e.t}, expected ${c}`);
      assert.match(e.message, /alpha/);
    }
  }
});

test('random garbage in an expression field: a UserError or a valid, finite scheme', () => {
  const slots = ['sde.f', 'sde.g2', 'marginal.alpha', 'marginal.sigma', 'logSnr'] as const;
  fc.assert(fc.property(garbage(), fc.constantFrom(...slots), (g, slot) => {
    const decl = slot === 'sde.f' ? { sde: { f: g, g2: '1' } } : slot === 'sde.g2' ? { sde: { f: '-0.5', g2: g } }
      : slot === 'marginal.alpha' ? { marginal: { alpha: g, sigma: 't' } } : slot === 'marginal.sigma' ? { marginal: { alpha: '1', sigma: g } } : { logSnr: g };
    let s: Scheme;
    try { s = declareScheme(decl).scheme; } catch (e) {
      assert.ok(isUserError(e), `${JSON.stringify(g)} in ${slot}: ${e instanceof Error ? e.stack : String(e)}`);
      assert.ok(e.field.startsWith(slot.split('.')[0]), `field ${e.field} for ${slot}`);
      return;
    }
    for (let i = 1; i <= 20; i++) {
      const t = s.t0 + (i / 20) * (s.T - s.t0);
      for (const v of [s.alpha(t), s.sigma(t)]) assert.ok(Number.isFinite(v), `${JSON.stringify(g)} in ${slot}: non-finite view at ${t}`);
    }
  }), { numRuns: 300 });
});
