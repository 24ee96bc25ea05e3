/**
 * A random valid schedule in any of the four declaration forms, tagged with its form.
 */
import fc from 'fast-check';
import type { SchemeDeclaration } from '../../src/scheme/declaration.ts';
import type { SchemeForm } from '../../src/scheme/types.ts';
import { discreteSchedule, type DiscreteScheduleConstraints } from './discreteSchedule.ts';
import { logSnrSchedule, type LogSnrScheduleConstraints } from './logSnrSchedule.ts';
import { marginalSchedule, type MarginalScheduleConstraints } from './marginalSchedule.ts';
import { sdeSchedule, type SdeScheduleConstraints } from './sdeSchedule.ts';

export interface ValidScheduleConstraints {
  /** forms to draw (default all four) */
  forms?: readonly SchemeForm[];
  sde?: SdeScheduleConstraints;
  marginal?: MarginalScheduleConstraints;
  logSnr?: LogSnrScheduleConstraints;
  discrete?: DiscreteScheduleConstraints;
}

export interface TaggedSchedule { form: SchemeForm; declaration: SchemeDeclaration }

export function validSchedule(c: ValidScheduleConstraints = {}): fc.Arbitrary<TaggedSchedule> {
  const forms = c.forms ?? ['sde', 'marginal', 'logSnr', 'discrete'];
  const byForm: Record<SchemeForm, () => fc.Arbitrary<SchemeDeclaration>> = {
    sde: () => sdeSchedule(c.sde),
    marginal: () => marginalSchedule(c.marginal),
    logSnr: () => logSnrSchedule(c.logSnr),
    discrete: () => discreteSchedule(c.discrete),
  };
  return fc.oneof(...forms.map((form) => byForm[form]().map((declaration) => ({ form, declaration }))));
}
