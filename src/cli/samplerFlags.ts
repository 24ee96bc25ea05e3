/**
 * The sampler-specific flags shared by `sample` and `tune`: --order, --variant, --form,
 * --lower-order-final, each checked with a UserError naming the flag.
 */
import { num, str, type ParsedArgs } from './args.ts';
import { UserError } from '../errors.ts';
import type { SampleOptions } from '../sample/sample.ts';
import { readStepsFile } from '../sample/stepsFile.ts';
import type { Scheme } from '../scheme/types.ts';

/** The sampler settings given on the command line (absent flags stay undefined: the sampler's default). */
export function samplerSettings(a: ParsedArgs, sampler: string): Pick<SampleOptions, 'order' | 'variant' | 'form' | 'lowerOrderFinal'> {
  const order = a.flags.has('order') ? num(a, 'order', 3, { integer: true, min: 1, max: sampler === 'ipndm' ? 4 : 3 }) : undefined;
  const variant = str(a, 'variant');
  if (variant !== undefined && variant !== 'bh1' && variant !== 'bh2') throw new UserError('--variant', 'must be bh1 or bh2 (UniPC B(h) = h or e^h - 1)', { value: variant });
  const form = str(a, 'form');
  if (form !== undefined && form !== 'reference' && form !== 'taylor') throw new UserError('--form', 'must be reference or taylor', { value: form });
  const lof = str(a, 'lower-order-final');
  if (lof !== undefined && lof !== 'on' && lof !== 'off') throw new UserError('--lower-order-final', 'must be on or off', { value: lof });
  return { order, variant, form, lowerOrderFinal: lof === undefined ? undefined : lof === 'on' };
}

/**
 * `--steps N` and `--steps-file F` (DESIGN.md): the number of steps and, with a steps file, its
 * times (which fix the grid: --spacing is refused, and --steps must agree when given).
 */
export function gridSteps(a: ParsedArgs, scheme: Scheme): { steps: number; times?: number[] } {
  const stepsFile = str(a, 'steps-file');
  const times = stepsFile !== undefined ? readStepsFile(stepsFile, scheme) : undefined;
  let steps = num(a, 'steps', NaN, { integer: true, min: 1, max: 100000 });
  if (times) {
    if (!Number.isNaN(steps) && steps !== times.length - 1) throw new UserError('--steps', `disagrees with --steps-file (${times.length - 1} steps)`, { value: steps });
    if (a.flags.has('spacing')) throw new UserError('--spacing', 'cannot be combined with --steps-file (the file fixes the grid)');
    steps = times.length - 1;
  }
  if (Number.isNaN(steps)) throw new UserError('--steps', 'is required');
  return times ? { steps, times } : { steps };
}
