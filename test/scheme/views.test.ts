/**
 * Derived views against an independent integration of the forward moment ODEs (MATH.md section 1)
 *   alpha' = f alpha,   (sigma^2)' = 2 f sigma^2 + g^2
 * by classical RK4 on a fine grid (4000 and 8000 steps graded towards the start, Richardson-
 * extrapolated), for random valid
 * schedules in the three continuous forms. The declared expressions are evaluated by stock mathjs,
 * not by our parser and compiler:
 *   - sde: integrate with the declared f, g^2 from (1, 0) at t = 0; compare alpha, sigma^2, logSnr;
 *   - marginal, logSnr: integrate with the derived f, g^2 from the declared values at t0; compare
 *     with the declared alpha, sigma^2 (logSnr form: alpha^2 = sigmoid(2 l), sigma^2 = sigmoid(-2 l)).
 * Discrete tables: alphabar from betas generated here with diffusers' formulas.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { declareScheme } from '../../src/scheme/declare.ts';
import type { SchemeDeclaration } from '../../src/scheme/declaration.ts';
import type { Scheme } from '../../src/scheme/types.ts';
import { discreteSchedule } from '../arbitraries/discreteSchedule.ts';
import { validSchedule } from '../arbitraries/validSchedule.ts';
import { mjs, reference, rel, sigmoid, type State } from './momentOde.ts';

const REL = 1e-9;
/** runs per property: SDEKIT_PROPERTY_RUNS, else 60 under `npm run test:slow` (SDEKIT_SLOW=1), else 8 */
const RUNS = Number(process.env.SDEKIT_PROPERTY_RUNS ?? (process.env.SDEKIT_SLOW ? 60 : 8));

function compare(s: Scheme, ref: { t: number; y: State }[], label: string, decl: SchemeDeclaration) {
  for (const { t, y: [al, P] } of ref) {
    if (t < s.t0) continue;
    const where = `${label} at t = ${t} (${JSON.stringify(decl)})`;
    assert.ok(rel(s.alpha(t), al) <= REL, `alpha ${s.alpha(t)} vs RK4 ${al}: ${where}`);
    assert.ok(rel(s.sigma2(t), P) <= REL, `sigma^2 ${s.sigma2(t)} vs RK4 ${P}: ${where}`);
    assert.ok(Math.abs(s.logSnr(t) - 0.5 * Math.log((al * al) / P)) <= REL * Math.max(1, Math.abs(s.logSnr(t))), `logSnr: ${where}`);
  }
}

test('sde form: alpha, sigma^2, logSnr agree with RK4 of the declared f, g^2 to 1e-9 relative', () => {
  fc.assert(fc.property(validSchedule({ forms: ['sde'] }), ({ declaration: d }) => {
    const s = declareScheme(d).scheme;
    const F = mjs(d.sde!.f, d.params);
    const G = d.sde!.g2 !== undefined ? mjs(d.sde!.g2, d.params) : ((g) => (t: number) => g(t) ** 2)(mjs(d.sde!.g!, d.params));
    compare(s, reference(F, G, 0, [1, 0], s.T), 'sde', d);
  }), { numRuns: RUNS });
});

test('marginal form: RK4 of the derived f, g^2 reproduces the declared alpha, sigma^2 to 1e-9 relative', () => {
  fc.assert(fc.property(validSchedule({ forms: ['marginal'] }), ({ declaration: d }) => {
    const s = declareScheme(d).scheme;
    const alpha = mjs(d.marginal!.alpha, d.params), sigma = mjs(d.marginal!.sigma, d.params);
    const ref = reference(s.f, s.g2, s.t0, [alpha(s.t0), sigma(s.t0) ** 2], s.T);
    for (const { t, y: [al, P] } of ref) {
      assert.ok(rel(alpha(t), al) <= REL, `alpha at ${t}: declared ${alpha(t)} vs RK4 ${al} (${JSON.stringify(d)})`);
      assert.ok(rel(sigma(t) ** 2, P) <= REL, `sigma^2 at ${t}: declared ${sigma(t) ** 2} vs RK4 ${P} (${JSON.stringify(d)})`);
    }
    compare(s, ref, 'marginal', d);
  }), { numRuns: RUNS });
});

test('logSnr form: RK4 of the derived f, g^2 reproduces sigmoid(+-2 logSnr) to 1e-9 relative', () => {
  fc.assert(fc.property(validSchedule({ forms: ['logSnr'] }), ({ declaration: d }) => {
    const s = declareScheme(d).scheme;
    const l = mjs(d.logSnr!, d.params);
    const ref = reference(s.f, s.g2, s.t0, [Math.sqrt(sigmoid(2 * l(s.t0))), sigmoid(-2 * l(s.t0))], s.T);
    for (const { t, y: [al, P] } of ref) {
      assert.ok(rel(sigmoid(2 * l(t)), al * al) <= REL, `alpha^2 at ${t} (${JSON.stringify(d)})`);
      assert.ok(rel(sigmoid(-2 * l(t)), P) <= REL, `sigma^2 at ${t}: ${sigmoid(-2 * l(t))} vs RK4 ${P} (${JSON.stringify(d)})`);
    }
    compare(s, ref, 'logSnr', d);
  }), { numRuns: RUNS });
});

/** diffusers' beta tables, written again here from the published formulas. */
function betasOf(d: NonNullable<SchemeDeclaration['discrete']>): number[] {
  if (d.betas) return d.betas;
  const n = d.steps ?? 1000;
  const out: number[] = [];
  for (let i = 0; i < n; i++) {
    if (d.schedule === 'linear') out.push(d.betaStart! + (i / (n - 1)) * (d.betaEnd! - d.betaStart!));
    else if (d.schedule === 'scaled_linear') out.push((Math.sqrt(d.betaStart!) + (i / (n - 1)) * (Math.sqrt(d.betaEnd!) - Math.sqrt(d.betaStart!))) ** 2);
    else {
      const abar = (u: number) => Math.cos(((u + 0.008) / 1.008) * (Math.PI / 2)) ** 2;
      out.push(Math.min(1 - abar((i + 1) / n) / abar(i / n), 0.999));
    }
  }
  return out;
}

test('discrete form: alpha(t_i)^2 = prod (1 - beta_j) at every grid point, log alpha linear between', () => {
  fc.assert(fc.property(discreteSchedule(), (d) => {
    const s = declareScheme(d).scheme;
    const betas = betasOf(d.discrete!);
    const n = betas.length;
    let logAbar = 0, prevLog = 0;
    for (let i = 0; i < n; i++) {
      logAbar += Math.log1p(-betas[i]);
      const t = (i + 1) / n;
      assert.ok(Math.abs(2 * Math.log(s.alpha(t)) - logAbar) <= 1e-12 * Math.max(1, -logAbar), `log alphabar_${i}: ${JSON.stringify(d)}`);
      assert.ok(rel(s.sigma2(t), -Math.expm1(logAbar)) <= 1e-11, `sigma^2 at t_${i}`);
      // the midpoint of the piece: log alpha is the mean of its ends, f is the piece's slope
      const mid = t - 0.5 / n;
      assert.ok(Math.abs(Math.log(s.alpha(mid)) - 0.25 * (prevLog + logAbar)) <= 1e-12 * Math.max(1, -logAbar), `midpoint ${mid}`);
      assert.ok(rel(s.f(mid), 0.5 * (logAbar - prevLog) * n) <= 1e-9, `f at ${mid}`);
      assert.ok(rel(s.g2(mid), -2 * s.f(mid)) <= 1e-15, 'g2 = -2 f (VP)');
      prevLog = logAbar;
    }
  }), { numRuns: 40 });
});
