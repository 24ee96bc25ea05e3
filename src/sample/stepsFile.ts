/**
 * Step files (`--steps-file F`, written by `sdekit tune`): a JSON object {"t": [T, ..., t_end]}
 * whose times are strictly descending within [t0, T] of the scheme. `sdekit tune` adds the sampler the
 * grid is for, {"sampler": NAME, "options": {order, variant, form, lowerOrderFinal}}, which
 * `sdekit sample --steps-file` uses when --sampler is not given (both optional; other keys are
 * ignored: tune records its provenance there). Every problem is a UserError naming the flag and the entry.
 */
import * as fs from 'node:fs';
import { UserError } from '../errors.ts';
import type { Scheme } from '../scheme/types.ts';
import { gridFromTimes } from './steps.ts';
import { SAMPLER_NAMES, isSamplerName } from './registry.ts';
import type { SamplerName } from './registry.ts';

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

/** The sampler and settings a steps file is for (written by `sdekit tune`; both optional). */
export interface StepsFileSampler {
  readonly sampler?: SamplerName;
  readonly options: { readonly order?: number; readonly variant?: 'bh1' | 'bh2'; readonly form?: 'reference' | 'taylor'; readonly lowerOrderFinal?: boolean };
}

/**
 * Read the optional "sampler" and "options" of a steps file (`sdekit sample --steps-file` uses them
 * when --sampler is not given); every problem is a UserError naming the flag and the entry.
 */
export function readStepsFileSampler(file: string, field = '--steps-file'): StepsFileSampler {
  const doc = JSON.parse(fs.readFileSync(file, 'utf8')) as { sampler?: unknown; options?: unknown };
  if (doc.sampler === undefined) return { options: {} };
  if (typeof doc.sampler !== 'string' || !isSamplerName(doc.sampler) || doc.sampler === 'rk45') throw new UserError(field, `"sampler" must name a sampler (known: ${SAMPLER_NAMES.filter((s) => s !== 'rk45').join(', ')})`, { value: String(doc.sampler) });
  const o = (doc.options ?? {}) as Record<string, unknown>;
  if (typeof o !== 'object' || o === null || Array.isArray(o)) throw new UserError(field, '"options" must be an object', { value: JSON.stringify(doc.options) });
  const allowed = ['order', 'variant', 'form', 'lowerOrderFinal'];
  for (const k of Object.keys(o)) if (!allowed.includes(k)) throw new UserError(field, `"options.${k}" is not a sampler option (known: ${allowed.join(', ')})`, { value: JSON.stringify(o[k]) });
  const { order, variant, form, lowerOrderFinal } = o;
  if (order !== undefined && !(Number.isInteger(order) && (order as number) >= 1 && (order as number) <= 4)) throw new UserError(field, '"options.order" must be an integer in 1..4', { value: JSON.stringify(order) });
  if (variant !== undefined && variant !== 'bh1' && variant !== 'bh2') throw new UserError(field, '"options.variant" must be bh1 or bh2', { value: JSON.stringify(variant) });
  if (form !== undefined && form !== 'reference' && form !== 'taylor') throw new UserError(field, '"options.form" must be reference or taylor', { value: JSON.stringify(form) });
  if (lowerOrderFinal !== undefined && typeof lowerOrderFinal !== 'boolean') throw new UserError(field, '"options.lowerOrderFinal" must be true or false', { value: JSON.stringify(lowerOrderFinal) });
  return { sampler: doc.sampler, options: Object.fromEntries(Object.entries({ order, variant, form, lowerOrderFinal }).filter(([, v]) => v !== undefined)) };
}
