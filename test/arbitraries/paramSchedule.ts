/**
 * Random valid schedules whose coefficients are declared parameters with random names (issue 10
 * part 5): the derivation must keep them as symbols. Kinds (each a published family, with every
 * coefficient a parameter):
 *   - vp-poly:  beta = p0 + p1 t^k1 (+ p2 t^k2), f = -beta/2, g^2 = beta   (VP-linear/quadratic);
 *   - sub-vp:   beta = p0 + p1 t, g^2 = beta (1 - e^{-2 B}), B = p0 t + p1 t^2 / 2;
 *   - ve-exp:   f = 0, g = c e^{k t};
 *   - ve-geom:  f = 0, g^2 = c r^t;
 *   - ou:       marginal alpha = e^{-a t}, sigma = sqrt(1 - e^{-2 a t});
 *   - loglin:   logSnr = l0 - l1 t.
 * Every parameter is positive; `values` draws other admissible values (each value times a factor
 * in [0.5, 2]) for `scheme.with`.
 */
import fc from 'fast-check';
import type { SchemeDeclaration } from '../../src/scheme/declaration.ts';

const NAMES = ['b0', 'b1', 'b2', 'beta_min', 'beta_max', 'c', 'k', 'r', 'a', 'gamma', 'sigma_max', 'rho1', 'l0', 'l1', 'kappa'];

/** Short decimals (at most 4 significant digits), so that every literal of a closed form is readable. */
const val = (lo: number, hi: number) => fc.double({ min: lo, max: hi, noNaN: true }).map((x) => Number(x.toPrecision(3)));

/** A random schedule declared with named parameters, and the names it uses. */
export interface ParamSchedule { declaration: SchemeDeclaration; used: string[] }

export function paramSchedule(): fc.Arbitrary<ParamSchedule> {
  const names = (n: number) => fc.shuffledSubarray(NAMES, { minLength: n, maxLength: n });
  const time = { t0: 1e-3, T: 1 };
  const vpPoly = fc.tuple(names(3), val(0.05, 1), val(1, 15), val(0.5, 5), fc.integer({ min: 1, max: 3 }), fc.integer({ min: 2, max: 4 }), fc.boolean())
    .map(([[p0, p1, p2], v0, v1, v2, k1, k2, three]): ParamSchedule => {
      const beta = `(${p0} + ${p1} * t^${k1}${three ? ` + ${p2} * t^${k2}` : ''})`;
      const params: Record<string, number> = { [p0]: v0, [p1]: v1 };
      if (three) params[p2] = v2;
      return { declaration: { name: 'vp-poly', params, time, sde: { f: `-${beta} / 2`, g2: beta } }, used: Object.keys(params) };
    });
  const subVp = fc.tuple(names(2), val(0.05, 1), val(2, 15)).map(([[p0, p1], v0, v1]): ParamSchedule => ({
    declaration: { name: 'sub-vp', params: { [p0]: v0, [p1]: v1 }, time, sde: { f: `-(${p0} + ${p1} * t) / 2`, g2: `(${p0} + ${p1} * t) * (1 - exp(-2 * (${p0} * t + ${p1} * t^2 / 2)))` } },
    used: [p0, p1],
  }));
  const veExp = fc.tuple(names(2), val(0.05, 3), val(0.2, 4)).map(([[c, k], vc, vk]): ParamSchedule => ({
    declaration: { name: 've-exp', params: { [c]: vc, [k]: vk }, time, sde: { f: '0', g: `${c} * exp(${k} * t)` } }, used: [c, k],
  }));
  const veGeom = fc.tuple(names(2), val(0.05, 3), val(1.5, 1000)).map(([[c, r], vc, vr]): ParamSchedule => ({
    declaration: { name: 've-geom', params: { [c]: vc, [r]: vr }, time, sde: { f: '0', g2: `${c} * ${r}^t` } }, used: [c, r],
  }));
  const ou = fc.tuple(names(1), val(0.5, 8)).map(([[a], va]): ParamSchedule => ({
    declaration: { name: 'ou', params: { [a]: va }, time, marginal: { alpha: `exp(-${a} * t)`, sigma: `sqrt(1 - exp(-2 * ${a} * t))` } }, used: [a],
  }));
  const loglin = fc.tuple(names(2), val(1, 6), val(2, 12)).map(([[l0, l1], v0, v1]): ParamSchedule => ({
    declaration: { name: 'loglin', params: { [l0]: v0, [l1]: v1 }, time, logSnr: `${l0} - ${l1} * t` }, used: [l0, l1],
  }));
  return fc.oneof(vpPoly, subVp, veExp, veGeom, ou, loglin);
}

/** Other admissible values for the parameters: each declared value times a factor in [0.5, 2]. */
export function otherValues(params: Record<string, number>): fc.Arbitrary<Record<string, number>> {
  const keys = Object.keys(params);
  return fc.tuple(...keys.map(() => fc.double({ min: 0.5, max: 2, noNaN: true })))
    .map((fs) => Object.fromEntries(keys.map((k, i) => [k, Number((params[k] * fs[i]).toPrecision(4))])));
}
