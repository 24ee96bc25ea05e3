/**
 * Random valid schedules declared by their marginal (DESIGN.md "marginal" form):
 *   - `vp`: alpha = exp(-A(t)), sigma = sqrt(1 - alpha^2) with A increasing, A(0) = 0;
 *   - `general`: alpha = exp(-S(t)) with S any smooth function, sigma = alpha (r0 + R(t)) with R
 *     increasing, R(0) = 0 (sigma/alpha increasing is exactly g^2 >= 0); r0 = 0 starts at the
 *     data, r0 > 0 is a VE-like start with sigma(0) > 0.
 */
import fc from 'fast-check';
import type { SchemeDeclaration } from '../../src/scheme/declaration.ts';
import { lit, pieceSum } from './schedulePiece.ts';
import { timeRange, type TimeRangeConstraints } from './timeRange.ts';

export interface MarginalScheduleConstraints {
  kinds?: readonly ('vp' | 'general')[];
  time?: TimeRangeConstraints;
  maxPieces?: number;
  /** size of A, S, R (default 4) */
  scale?: number;
  /** allow sigma(0) > 0 (default true) */
  allowNoisyStart?: boolean;
}

export function marginalSchedule(c: MarginalScheduleConstraints = {}): fc.Arbitrary<SchemeDeclaration> {
  const kinds = c.kinds ?? ['vp', 'general'];
  const scale = c.scale ?? 4;
  return fc.tuple(timeRange(c.time), fc.constantFrom(...kinds)).chain(([{ t0, T }, kind]) => {
    const inc = pieceSum({ shape: 'increasing', T, scale, maxPieces: c.maxPieces });
    if (kind === 'vp') {
      return inc.map((A): SchemeDeclaration => ({ name: 'random-marginal-vp', time: { t0, T }, marginal: { alpha: `exp(-(${A}))`, sigma: `sqrt(-expm1(-2 * (${A})))` } }));
    }
    const S = pieceSum({ shape: 'signed', T, scale: scale / 4, maxPieces: c.maxPieces });
    const r0 = c.allowNoisyStart ?? true ? fc.oneof(fc.constant(0), fc.double({ min: 0.001, max: 0.5, noNaN: true })) : fc.constant(0);
    return fc.tuple(S, inc, r0).map(([s, R, r]): SchemeDeclaration => ({
      name: 'random-marginal',
      time: { t0, T },
      marginal: { alpha: `exp(-(${s}))`, sigma: `exp(-(${s})) * (${r === 0 ? '' : `${lit(r)} + `}${R})` },
    }));
  });
}
