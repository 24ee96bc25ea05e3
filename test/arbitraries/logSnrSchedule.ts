/**
 * Random valid variance-preserving schedules declared by their half log-SNR (DESIGN.md "logSnr"
 * form): logSnr(t) = l0 - D(t) with D increasing, D(0) = 0, optionally minus a log t term
 * (infinite SNR at t = 0, the process starts at the data).
 */
import fc from 'fast-check';
import type { SchemeDeclaration } from '../../src/scheme/declaration.ts';
import { lit, pieceSum } from './schedulePiece.ts';
import { timeRange, type TimeRangeConstraints } from './timeRange.ts';

export interface LogSnrScheduleConstraints {
  time?: TimeRangeConstraints;
  maxPieces?: number;
  /** range of logSnr(0) (default [-1, 8]) */
  l0?: { min: number; max: number };
  /** size of the decrease D(T) (default 8) */
  scale?: number;
  /** allow a -a log(t) term (default true) */
  allowLogT?: boolean;
}

export function logSnrSchedule(c: LogSnrScheduleConstraints = {}): fc.Arbitrary<SchemeDeclaration> {
  const l0r = c.l0 ?? { min: -1, max: 8 };
  return timeRange(c.time).chain(({ t0, T }) => fc.tuple(
    fc.double({ min: l0r.min, max: l0r.max, noNaN: true }).map((x) => (Math.abs(x) < 1e-100 ? 0 : x)),
    pieceSum({ shape: 'increasing', T, scale: c.scale ?? 8, maxPieces: c.maxPieces }),
    c.allowLogT ?? true ? fc.oneof(fc.constant(0), fc.double({ min: 0.5, max: 2, noNaN: true })) : fc.constant(0),
  ).map(([l0, D, a]): SchemeDeclaration => ({
    name: 'random-logsnr',
    time: { t0, T },
    logSnr: `${lit(l0)} - (${D})${a ? ` - ${lit(a)} * log(t)` : ''}`,
  })));
}
