/**
 * Grid spacing names (DESIGN.md `--spacing`, a scheme's `"sampling"`) and the default-spacing rule.
 * Declared with the scheme, which names its preferred spacing; the grids themselves are built by
 * the samplers (src/sample/steps.ts).
 */
import type { Scheme } from './types.ts';

/** Spacing names accepted by `--spacing`. */
export const SPACINGS = ['uniform-t', 'logsnr', 'time-quadratic', 'karras', 'leading', 'trailing', 'linspace'] as const;
/** One of {@link SPACINGS}. */
export type Spacing = (typeof SPACINGS)[number];

/**
 * The grid used when the caller names none: the scheme's declared `"sampling"` spacing (edm: its
 * Karras grid), else uniform in logSnr for a learned model and uniform in t for an analytic score.
 * Uniform-t is DPM-Solver's and score_sde's default, which the reference comparisons assume;
 * for trained networks the logSnr grid measured better on every 2-D set (bench/quality2d.ts:
 * ring8 SW2 0.045 vs 0.081 with vp-linear, 2 seeds).
 */
export function defaultSpacing(scheme: Pick<Scheme, 'sampling'>, learned: boolean): Spacing {
  return scheme.sampling?.spacing ?? (learned ? 'logsnr' : 'uniform-t');
}
