/**
 * Schedules with a declared coefficient near zero, 10^-U(6, 100): the case where exact closed
 * forms cancel catastrophically in float64 (sigma^2/alpha^2 = g2 (1 - e^{-2kt}) / (2k) at k = 1e-100
 * prints as 5e98 - 5e98 e^{-1e-100 t}). SDE form with a tiny drift coefficient k next to an ordinary
 * one, or a log-SNR curve whose log t, linear or exponential part has a tiny coefficient.
 */
import fc from 'fast-check';
import type { SchemeDeclaration } from '../../src/scheme/declaration.ts';
import { lit, pieceSum } from './schedulePiece.ts';
import { timeRange } from './timeRange.ts';

/** A magnitude 10^-U(6, 100), with either sign when `signed`. */
export const tiny = (signed = true): fc.Arbitrary<number> =>
  fc.tuple(fc.double({ min: 6, max: 100, noNaN: true }), fc.boolean()).map(([e, neg]) => (signed && neg ? -1 : 1) * 10 ** -e);

export function tinyCoefficientSchedule(): fc.Arbitrary<SchemeDeclaration> {
  return timeRange().chain(({ t0, T }) => fc.oneof(
    // f = k + (ordinary drift), g2 > 0
    fc.tuple(tiny(), fc.oneof(fc.constant('0'), pieceSum({ shape: 'signed', T, scale: 2, maxPieces: 1 })), pieceSum({ shape: 'positive', T, scale: 8, maxPieces: 2 }))
      .map(([k, f, g2]): SchemeDeclaration => ({ name: 'tiny-sde', time: { t0, T }, sde: { f: `${lit(k)} + (${f})`, g2 } })),
    // logSnr = l0 - a t - k expm1(t) - c log t, one of them tiny
    fc.tuple(fc.double({ min: -1, max: 6, noNaN: true }), fc.double({ min: 0.5, max: 10, noNaN: true }), tiny(false), fc.constantFrom(0, 1))
      .map(([l0, a, k, c]): SchemeDeclaration => ({ name: 'tiny-logsnr', time: { t0, T }, logSnr: `${lit(l0)} - ${lit(a / T)} * t - ${lit(k)} * expm1(t)${c ? ' - log(t)' : ''}` })),
  ));
}
