/**
 * Random invalid scheme declarations, each tagged with why it is invalid and the field the error
 * must name (UserError.field starts with it):
 *   - negative-g2: g^2 dips below 0 inside [t0, T] (the forward process would remove noise);
 *   - alpha-zero: alpha reaches 0 (or below) before T;
 *   - increasing-logSnr: the log-SNR increases somewhere (logSnr form, or a marginal with sigma/alpha
 *     decreasing);
 *   - not-finite: a view is NaN/infinite inside the interval (sqrt of a negative, log of a negative);
 *   - bad-expression: an injection/syntax/unknown-name string (./injection.ts) in an expression field;
 *   - bad-structure: wrong types, unknown or missing fields, two forms, bad time interval, bad params,
 *     bad discrete tables.
 */
import fc from 'fast-check';
import type { SchemeDeclaration } from '../../src/scheme/declaration.ts';
import { injection, type InjectionConstraints } from './injection.ts';
import { lit } from './schedulePiece.ts';
import { timeRange } from './timeRange.ts';

export type InvalidReason = 'negative-g2' | 'alpha-zero' | 'increasing-logSnr' | 'not-finite' | 'bad-expression' | 'bad-structure';

export interface InvalidScheduleConstraints {
  reasons?: readonly InvalidReason[];
  injection?: InjectionConstraints;
}

export interface InvalidSchedule {
  reason: InvalidReason;
  /** the declaration, typed loosely: it is deliberately wrong */
  declaration: unknown;
  /** the UserError's field must start with this */
  field: string;
}

const d = (lo: number, hi: number) => fc.double({ min: lo, max: hi, noNaN: true, noDefaultInfinity: true });

/** a point well inside [t0, T] */
const inner = (t0: number, T: number, u: number) => t0 + (0.15 + 0.7 * u) * (T - t0);

function negativeG2(): fc.Arbitrary<InvalidSchedule> {
  return fc.tuple(timeRange(), d(0, 1), d(1, 10), d(0.02, 1), d(-2, 0)).map(([{ t0, T }, u, k, depth, f]) => {
    const c = inner(t0, T, u);
    const decl: SchemeDeclaration = { name: 'bad-g2', time: { t0, T }, sde: { f: lit(f), g2: `${lit(k / (T * T))} * (t - ${lit(c)})^2 - ${lit(depth)}` } };
    return { reason: 'negative-g2' as const, declaration: decl, field: 'sde' };
  });
}

function alphaZero(): fc.Arbitrary<InvalidSchedule> {
  return fc.tuple(timeRange(), d(0, 1), fc.boolean()).map(([{ t0, T }, u, linear]) => {
    const c = inner(t0, T, u);
    const alpha = linear ? `1 - t / ${lit(c)}` : `cos(${lit(Math.PI / 2 / c)} * t)`;
    const decl: SchemeDeclaration = { name: 'bad-alpha', time: { t0, T }, marginal: { alpha, sigma: 't' } };
    return { reason: 'alpha-zero' as const, declaration: decl, field: 'marginal' };
  });
}

function increasingLogSnr(): fc.Arbitrary<InvalidSchedule> {
  return fc.tuple(timeRange(), d(0.1, 5), d(1.5, 4), d(-1, 6), fc.boolean()).map(([{ t0, T }, k, ratio, l0, viaMarginal]) => {
    // l = l0 - k t + a sin(w t) with a w = ratio k > k: l' > 0 somewhere; w T >= 4 pi puts full periods inside
    const w = (4 * Math.PI) / (T - t0), a = (ratio * k) / w;
    if (viaMarginal) {
      // sigma/alpha = exp(-l) decreases where l increases
      const decl: SchemeDeclaration = { name: 'bad-logsnr-m', time: { t0, T }, marginal: { alpha: '1', sigma: `exp(-(${lit(l0)} - ${lit(k)} * t + ${lit(a)} * sin(${lit(w)} * t)))` } };
      return { reason: 'increasing-logSnr' as const, declaration: decl, field: 'marginal' };
    }
    const decl: SchemeDeclaration = { name: 'bad-logsnr', time: { t0, T }, logSnr: `${lit(l0)} - ${lit(k)} * t + ${lit(a)} * sin(${lit(w)} * t)` };
    return { reason: 'increasing-logSnr' as const, declaration: decl, field: 'logSnr' };
  });
}

function notFinite(): fc.Arbitrary<InvalidSchedule> {
  return fc.tuple(timeRange(), d(0, 1), fc.constantFrom('sqrt', 'log')).map(([{ t0, T }, u, fn]) => {
    const c = inner(t0, T, u);
    const decl: SchemeDeclaration = { name: 'bad-nan', time: { t0, T }, marginal: { alpha: `exp(-t)`, sigma: fn === 'sqrt' ? `sqrt(t - ${lit(c)})` : `log(t - ${lit(c)}) + 10` } };
    return { reason: 'not-finite' as const, declaration: decl, field: 'marginal' };
  });
}

function badExpression(c: InjectionConstraints | undefined): fc.Arbitrary<InvalidSchedule> {
  const slots: { form: 'sde' | 'marginal' | 'logSnr'; key: string }[] = [
    { form: 'sde', key: 'f' }, { form: 'sde', key: 'g2' }, { form: 'sde', key: 'g' },
    { form: 'marginal', key: 'alpha' }, { form: 'marginal', key: 'sigma' }, { form: 'logSnr', key: '' },
  ];
  return fc.tuple(injection(c), fc.constantFrom(...slots)).map(([inj, slot]) => {
    let decl: Record<string, unknown>;
    if (slot.form === 'logSnr') decl = { logSnr: inj.source };
    else if (slot.form === 'sde') decl = { sde: slot.key === 'f' ? { f: inj.source, g2: '1' } : slot.key === 'g2' ? { f: '-0.5', g2: inj.source } : { f: '-0.5', g: inj.source } };
    else decl = { marginal: slot.key === 'alpha' ? { alpha: inj.source, sigma: 't' } : { alpha: '1', sigma: inj.source } };
    return { reason: 'bad-expression' as const, declaration: { name: 'bad-expr', ...decl }, field: slot.form === 'logSnr' ? 'logSnr' : `${slot.form}.${slot.key}` };
  });
}

function badStructure(): fc.Arbitrary<InvalidSchedule> {
  const ok = { f: '-0.5', g2: '1' };
  const cases: InvalidSchedule[] = [
    { reason: 'bad-structure', declaration: null, field: 'scheme' },
    { reason: 'bad-structure', declaration: [1, 2], field: 'scheme' },
    { reason: 'bad-structure', declaration: 'vp-linear', field: 'scheme' },
    { reason: 'bad-structure', declaration: {}, field: 'scheme' },
    { reason: 'bad-structure', declaration: { sde: ok, logSnr: '-t' }, field: 'sde+logSnr' },
    { reason: 'bad-structure', declaration: { sde: ok, extra: 1 }, field: 'extra' },
    { reason: 'bad-structure', declaration: { sde: { ...ok, h: 1 } }, field: 'sde.h' },
    { reason: 'bad-structure', declaration: { sde: { f: '0' } }, field: 'sde' },
    { reason: 'bad-structure', declaration: { sde: { f: '0', g2: '1', g: '1' } }, field: 'sde' },
    { reason: 'bad-structure', declaration: { sde: 'f = 1' }, field: 'sde' },
    { reason: 'bad-structure', declaration: { sde: { f: [1], g2: '1' } }, field: 'sde.f' },
    { reason: 'bad-structure', declaration: { sde: { f: null, g2: '1' } }, field: 'sde.f' },
    { reason: 'bad-structure', declaration: { sde: { f: true, g2: '1' } }, field: 'sde.f' },
    { reason: 'bad-structure', declaration: { marginal: { alpha: '1' } }, field: 'marginal' },
    { reason: 'bad-structure', declaration: { logSnr: ['-t'] }, field: 'logSnr' },
    { reason: 'bad-structure', declaration: { sde: ok, time: { t0: 0.5, T: 0.1 } }, field: 'time.T' },
    { reason: 'bad-structure', declaration: { sde: ok, time: { t0: -1 } }, field: 'time.t0' },
    { reason: 'bad-structure', declaration: { sde: ok, time: { T: 'one' } }, field: 'time.T' },
    { reason: 'bad-structure', declaration: { sde: ok, time: 1 }, field: 'time' },
    { reason: 'bad-structure', declaration: { sde: ok, time: { t1: 1 } }, field: 'time.t1' },
    { reason: 'bad-structure', declaration: { sde: ok, params: { t: 1 } }, field: 'params.t' },
    { reason: 'bad-structure', declaration: { sde: ok, params: { exp: 1 } }, field: 'params.exp' },
    { reason: 'bad-structure', declaration: { sde: ok, params: { b: 'x' } }, field: 'params.b' },
    { reason: 'bad-structure', declaration: { sde: ok, params: { 'a b': 1 } }, field: 'params.a b' },
    { reason: 'bad-structure', declaration: { sde: ok, params: [1] }, field: 'params' },
    { reason: 'bad-structure', declaration: { sde: ok, name: '' }, field: 'name' },
    { reason: 'bad-structure', declaration: { sde: ok, name: 3 }, field: 'name' },
    { reason: 'bad-structure', declaration: { discrete: { betas: [0.1, 1.5] } }, field: 'discrete.betas[1]' },
    { reason: 'bad-structure', declaration: { discrete: { betas: [0.1, -0.1] } }, field: 'discrete.betas[1]' },
    { reason: 'bad-structure', declaration: { discrete: { betas: [0.1] } }, field: 'discrete.betas' },
    { reason: 'bad-structure', declaration: { discrete: { betas: 'x' } }, field: 'discrete.betas' },
    { reason: 'bad-structure', declaration: { discrete: { schedule: 'cubic' } }, field: 'discrete.schedule' },
    { reason: 'bad-structure', declaration: { discrete: { schedule: 'linear', betaStart: 0.1, betaEnd: 2 } }, field: 'discrete.betaEnd' },
    { reason: 'bad-structure', declaration: { discrete: { schedule: 'linear', betaStart: 0.1, betaEnd: 0.2, steps: 2.5 } }, field: 'discrete.steps' },
    { reason: 'bad-structure', declaration: { discrete: 7 }, field: 'discrete' },
  ];
  return fc.constantFrom(...cases);
}

export function invalidSchedule(c: InvalidScheduleConstraints = {}): fc.Arbitrary<InvalidSchedule> {
  const all: Record<InvalidReason, () => fc.Arbitrary<InvalidSchedule>> = {
    'negative-g2': negativeG2, 'alpha-zero': alphaZero, 'increasing-logSnr': increasingLogSnr,
    'not-finite': notFinite, 'bad-expression': () => badExpression(c.injection), 'bad-structure': badStructure,
  };
  const reasons = c.reasons ?? (Object.keys(all) as InvalidReason[]);
  return fc.oneof(...reasons.map((r) => all[r]()));
}
