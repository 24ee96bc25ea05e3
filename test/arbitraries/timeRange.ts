/**
 * Random time intervals [t0, T] for continuous schedules: T = 1 most of the time (the common
 * convention), else in [0.5, 3]; t0 a small fraction of T.
 */
import fc from 'fast-check';

export interface TimeRangeConstraints {
  /** allowed T values' range (default [0.5, 3]; T = 1 is drawn half of the time regardless) */
  T?: { min: number; max: number };
  /** t0 / T range (default [1e-5, 1e-2]) */
  t0Fraction?: { min: number; max: number };
}

export interface TimeRange { t0: number; T: number }

export function timeRange(c: TimeRangeConstraints = {}): fc.Arbitrary<TimeRange> {
  const Tr = c.T ?? { min: 0.5, max: 3 };
  const fr = c.t0Fraction ?? { min: 1e-5, max: 1e-2 };
  const T = fc.oneof(fc.constant(1), fc.double({ min: Tr.min, max: Tr.max, noNaN: true }));
  // log-uniform fraction
  const frac = fc.double({ min: Math.log(fr.min), max: Math.log(fr.max), noNaN: true }).map(Math.exp);
  return fc.tuple(T, frac).map(([T, f]) => ({ T, t0: f * T }));
}
