/**
 * Step files (`--steps-file F`, written by `sdekit tune`): a JSON object {"t": [T, ..., t_end]}
 * whose times are strictly descending within [t0, T] of the scheme (other keys are ignored: tune
 * records its provenance there). Every problem is a UserError naming the flag and the entry.
 */
import * as fs from 'node:fs';
import { UserError } from '../errors.ts';
import type { Scheme } from '../scheme/types.ts';
import { gridFromTimes } from './steps.ts';

/** Read and check a steps file for a scheme; returns its times. */
export function readStepsFile(file: string, scheme: Scheme, field = '--steps-file'): number[] {
  let text: string;
  try {
    text = fs.readFileSync(file, 'utf8');
  } catch (e) {
    throw new UserError(field, `cannot be read (${(e as NodeJS.ErrnoException).code ?? (e as Error).message})`, { value: file });
  }
  let doc: unknown;
  try {
    doc = JSON.parse(text);
  } catch (e) {
    throw new UserError(field, `is not JSON (${(e as Error).message})`, { value: file });
  }
  if (typeof doc !== 'object' || doc === null || !Array.isArray((doc as { t?: unknown }).t)) {
    throw new UserError(field, 'must be a JSON object {"t": [T, ..., t_end]}', { value: file });
  }
  const t = (doc as { t: unknown[] }).t;
  gridFromTimes(scheme, t, field);
  return t as number[];
}
