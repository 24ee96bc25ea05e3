/**
 * Random discrete beta tables (DESIGN.md "discrete" form): diffusers' generated schedules
 * (linear, scaled_linear, squaredcos_cap_v2) with random start/end/steps, or explicit betas.
 */
import fc from 'fast-check';
import type { SchemeDeclaration } from '../../src/scheme/declaration.ts';

export interface DiscreteScheduleConstraints {
  /** number of steps (default 10..300; small tables keep tests fast) */
  steps?: { min: number; max: number };
  /** draw explicit betas arrays too (default true) */
  explicit?: boolean;
}

export function discreteSchedule(c: DiscreteScheduleConstraints = {}): fc.Arbitrary<SchemeDeclaration> {
  const steps = fc.integer({ min: c.steps?.min ?? 10, max: c.steps?.max ?? 300 });
  const logU = (lo: number, hi: number) => fc.double({ min: Math.log(lo), max: Math.log(hi), noNaN: true }).map(Math.exp);
  const generated = fc.tuple(fc.constantFrom('linear', 'scaled_linear') as fc.Arbitrary<'linear' | 'scaled_linear'>, logU(1e-5, 2e-3), logU(5e-3, 0.05), steps)
    .map(([schedule, betaStart, betaEnd, n]): SchemeDeclaration => ({ name: `random-${schedule}`, discrete: { schedule, betaStart, betaEnd, steps: n } }));
  const cosine = steps.map((n): SchemeDeclaration => ({ name: 'random-squaredcos', discrete: { schedule: 'squaredcos_cap_v2', steps: n } }));
  const explicit = fc.array(logU(1e-4, 0.2), { minLength: Math.max(2, c.steps?.min ?? 5), maxLength: Math.min(c.steps?.max ?? 100, 100) })
    .map((betas): SchemeDeclaration => ({ name: 'random-betas', discrete: { betas } }));
  return c.explicit ?? true ? fc.oneof(generated, cosine, explicit) : fc.oneof(generated, cosine);
}
