/**
 * Random valid schedules declared by their forward SDE (DESIGN.md "sde" form). Any drift f and
 * any g^2 > 0 give a valid process (alpha = exp(int f) > 0, logSnr decreasing because g^2 > 0), so:
 *   - `vp`: f = -beta/2, g^2 = beta with beta a positive sum of pieces (the VP family);
 *   - `general`: f a signed sum of pieces, g^2 a positive sum.
 * Optionally the coefficients of a VP-linear core are given as params (b0, b1).
 */
import fc from 'fast-check';
import type { SchemeDeclaration } from '../../src/scheme/declaration.ts';
import { lit, pieceSum } from './schedulePiece.ts';
import { timeRange, type TimeRangeConstraints } from './timeRange.ts';

export interface SdeScheduleConstraints {
  /** which kinds to draw (default both) */
  kinds?: readonly ('vp' | 'general')[];
  time?: TimeRangeConstraints;
  /** most pieces per sum (default 3) */
  maxPieces?: number;
  /** size of beta / g^2 (default 8) */
  scale?: number;
  /** give g instead of g2 sometimes (default true) */
  allowG?: boolean;
}

export function sdeSchedule(c: SdeScheduleConstraints = {}): fc.Arbitrary<SchemeDeclaration> {
  const kinds = c.kinds ?? ['vp', 'general'];
  const scale = c.scale ?? 8;
  return fc.tuple(timeRange(c.time), fc.constantFrom(...kinds), fc.boolean(), fc.boolean()).chain(([{ t0, T }, kind, withParams, useG]) => {
    const rate = pieceSum({ shape: 'positive', T, scale, maxPieces: c.maxPieces });
    if (kind === 'vp') {
      return rate.map((beta): SchemeDeclaration => {
        if (withParams) {
          // beta = b0 + (b1 - b0) t / T + pieces, with b0, b1 as declared params
          const b = `(b0 + (b1 - b0) * t / ${lit(T)} + ${beta})`;
          return { name: 'random-vp-params', params: { b0: 0.1, b1: 5 }, time: { t0, T }, sde: { f: `-${b} / 2`, g2: b } };
        }
        return { name: 'random-vp', time: { t0, T }, sde: { f: `-(${beta}) / 2`, g2: beta } };
      });
    }
    const drift = pieceSum({ shape: 'signed', T, scale: scale / 4, maxPieces: c.maxPieces });
    return fc.tuple(drift, rate).map(([f, g2]): SchemeDeclaration => (useG && (c.allowG ?? true)
      ? { name: 'random-sde-g', time: { t0, T }, sde: { f, g: `sqrt(${g2})` } }
      : { name: 'random-sde', time: { t0, T }, sde: { f, g2 } }));
  });
}
