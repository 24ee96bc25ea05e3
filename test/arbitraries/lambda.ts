/**
 * Random lambdas of the reverse family (MATH.md section 3): lambda >= 0, with the special
 * values 0 (probability-flow ODE) and 1 (reverse SDE) drawn often.
 */
import fc from 'fast-check';

export interface LambdaConstraints {
  /** largest lambda (default 5) */
  max?: number;
  /** draw 0 and 1 with extra weight (default true) */
  special?: boolean;
}

export function lambda(c: LambdaConstraints = {}): fc.Arbitrary<number> {
  const any = fc.double({ min: 0, max: c.max ?? 5, noNaN: true });
  return c.special ?? true ? fc.oneof(fc.constantFrom(0, 1), any) : any;
}
