/**
 * Step grids (MATH.md section 6, DESIGN.md `--steps` / `--spacing`). A grid is a list of points
 * from the start of sampling down to its end, each carrying t and the float64 coefficients
 * alpha, sigma and logSnr = log(alpha/sigma) there. `steps = n` gives n + 1 points:
 *
 * - `uniform-t`: t_i = T + i/n (t0 - T)                         (DPM-Solver `time_uniform`)
 * - `logsnr`:    logSnr_i uniform from logSnr(T) to logSnr(t0)   (DPM-Solver `logSNR`)
 * - `time-quadratic`: sqrt(t_i) uniform from sqrt(T) to sqrt(t0)   (DPM-Solver / UniPC `time_quadratic`)
 * - `karras`:    n points rho-spaced in the VE-equivalent sigma = sigma/alpha = exp(-logSnr),
 *                sigma_i = (smax^(1/rho) + i/(n-1) (smin^(1/rho) - smax^(1/rho)))^rho (EDM eq. 5,
 *                k-diffusion `get_sigmas_karras`), mapped to t by tOfLogSnr, then the data point
 *                sigma = 0 (EDM's t_N = 0)
 * - `leading` | `trailing` | `linspace`: diffusers' timestep spacings over a discrete table of N
 *                entries (index i at t = (i+1)/N), steps_offset 0, then the data point
 *                (set_alpha_to_one: the last step returns the denoised estimate).
 *
 * The data point is {t: 0, alpha: 1, sigma: 0, logSnr: +Infinity, data: true}; a step ending there
 * returns the denoised estimate. With zero terminal SNR (logSnr(T) = -Infinity) the logsnr and
 * karras grids still start at T, and space their remaining points from the finite cap
 * {@link finiteLogSnrAtStart} (the logSnr at T - 1e-3 (T - t0)).
 */
import { UserError } from '../errors.ts';
import { SPACINGS, type Spacing } from '../scheme/spacing.ts';
import type { Scheme } from '../scheme/types.ts';

/** A point of a step grid: the time and the marginal coefficients there. */
export interface GridPoint {
  readonly t: number;
  readonly alpha: number;
  readonly sigma: number;
  /** log(alpha/sigma); -Infinity at zero SNR, +Infinity at the data point */
  readonly logSnr: number;
  /** true for the data point sigma = 0 (a step ending here returns the denoised estimate) */
  readonly data: boolean;
}

/** The data point: alpha = 1, sigma = 0 (the process starts at the data, MATH.md section 1). */
export const DATA_POINT: GridPoint = Object.freeze({ t: 0, alpha: 1, sigma: 0, logSnr: Infinity, data: true });

/** Evaluate the scheme at time t. */
export function pointAt(scheme: Scheme, t: number): GridPoint {
  const alpha = scheme.alpha(t);
  const sigma = scheme.sigma(t);
  if (!(alpha >= 0) || !(sigma >= 0) || !Number.isFinite(alpha) || !Number.isFinite(sigma)) {
    throw new Error(`scheme ${scheme.name}: alpha/sigma not finite and >= 0 at t = ${t} (alpha = ${alpha}, sigma = ${sigma})`);
  }
  if (sigma === 0) return { t, alpha, sigma, logSnr: Infinity, data: true };
  const logSnr = alpha === 0 ? -Infinity : Math.log(alpha / sigma);
  return { t, alpha, sigma, logSnr, data: false };
}

/** The point with a given logSnr (t from the scheme's inverse; logSnr clamped to its range on [t0, T]). */
export function pointAtLogSnr(scheme: Scheme, logSnr: number): GridPoint {
  if (logSnr === Infinity) return DATA_POINT;
  if (!(logSnr > scheme.logSnr(scheme.T))) return pointAt(scheme, scheme.T);
  if (logSnr >= scheme.logSnr(scheme.t0)) return pointAt(scheme, scheme.t0);
  const t = Math.min(scheme.T, Math.max(scheme.t0, scheme.tOfLogSnr(logSnr)));
  return pointAt(scheme, t);
}

/** logSnr(T) when finite, else the logSnr at T - 1e-3 (T - t0) (zero terminal SNR). */
export function finiteLogSnrAtStart(scheme: Scheme): number {
  const lT = pointAt(scheme, scheme.T).logSnr;
  if (Number.isFinite(lT)) return lT;
  for (let eps = 1e-3; eps < 1; eps *= 2) {
    const l = pointAt(scheme, scheme.T - eps * (scheme.T - scheme.t0)).logSnr;
    if (Number.isFinite(l)) return l;
  }
  throw new Error(`scheme ${scheme.name}: logSnr is not finite anywhere near T = ${scheme.T}`);
}

/** The logSnr at t0 (must be finite: sigma(t0) > 0), or +Infinity when sigma(t0) = 0. */
function logSnrAtEnd(scheme: Scheme): number {
  return pointAt(scheme, scheme.t0).logSnr;
}

/** Options of {@link makeGrid}. */
export interface GridOptions {
  readonly spacing: Spacing;
  readonly steps: number;
  /** Karras exponent (default 7) */
  readonly rho?: number;
  /** explicit times [T, ..., t_end] (a `--steps-file`); replaces `spacing`, steps = times.length - 1 */
  readonly times?: readonly number[];
}

/** Build the grid of `steps + 1` points for a spacing. */
export function makeGrid(scheme: Scheme, opts: GridOptions): GridPoint[] {
  if (opts.times) return gridFromTimes(scheme, opts.times);
  const n = opts.steps;
  if (!Number.isInteger(n) || n < 1) throw new UserError('--steps', 'must be an integer >= 1', { value: n });
  switch (opts.spacing) {
    case 'uniform-t': return uniformT(scheme, n);
    case 'logsnr': return uniformLogSnr(scheme, n);
    case 'time-quadratic': return timeQuadratic(scheme, n);
    case 'karras': return dedupeData(karras(scheme, n, opts.rho ?? 7));
    case 'leading':
    case 'trailing':
    case 'linspace': return discreteSpacing(scheme, n, opts.spacing);
    default: throw new UserError('--spacing', `unknown spacing; known: ${SPACINGS.join(', ')}`, { value: opts.spacing });
  }
}

/**
 * The grid through explicit times (`--steps-file`): at least two finite numbers, strictly
 * descending, within [t0, T]; a bad entry is a UserError on `field` naming it.
 */
export function gridFromTimes(scheme: Scheme, times: readonly unknown[], field = '--steps-file'): GridPoint[] {
  if (times.length < 2) throw new UserError(field, `"t" needs at least 2 times (one step); got ${times.length}`);
  const { T, t0 } = scheme;
  times.forEach((t, i) => {
    if (typeof t !== 'number' || !Number.isFinite(t)) throw new UserError(field, `t[${i}] is not a finite number`, { value: JSON.stringify(t) });
    if (t > T || t < t0) throw new UserError(field, `t[${i}] = ${t} is outside [t0, T] = [${t0}, ${T}] of ${scheme.name}`, { value: t });
    if (i > 0 && !(t < (times[i - 1] as number))) throw new UserError(field, `t[${i}] = ${t} is not below t[${i - 1}] = ${times[i - 1] as number}: times must be strictly descending`, { value: t });
  });
  return (times as number[]).map((t) => pointAt(scheme, t));
}

/** n + 1 points uniform in t from T to t0 (endpoints exact). */
export function uniformT(scheme: Scheme, n: number): GridPoint[] {
  const { T, t0 } = scheme;
  const pts: GridPoint[] = [];
  for (let i = 0; i <= n; i++) {
    const t = i === 0 ? T : i === n ? t0 : T + (i / n) * (t0 - T);
    pts.push(pointAt(scheme, t));
  }
  return pts;
}

/** n + 1 points uniform in sqrt(t) from T to t0 (DPM-Solver's `time_quadratic`, t = linspace(sqrt T, sqrt t0)^2). */
export function timeQuadratic(scheme: Scheme, n: number): GridPoint[] {
  const { T, t0 } = scheme;
  if (!(t0 >= 0)) throw new UserError('--spacing', `time-quadratic needs t0 >= 0 (${scheme.name} has t0 = ${t0})`, { value: 'time-quadratic' });
  const a = Math.sqrt(T), b = Math.sqrt(t0);
  const pts: GridPoint[] = [];
  for (let i = 0; i <= n; i++) {
    const t = i === 0 ? T : i === n ? t0 : (a + (i / n) * (b - a)) ** 2;
    pts.push(pointAt(scheme, t));
  }
  return pts;
}

/** n + 1 points uniform in logSnr from logSnr(T) to logSnr(t0) (endpoints exact). */
export function uniformLogSnr(scheme: Scheme, n: number): GridPoint[] {
  const lEnd = logSnrAtEnd(scheme);
  const lStart = finiteLogSnrAtStart(scheme);
  if (!Number.isFinite(lEnd)) return uniformT(scheme, n); // degenerate: sigma(t0) = 0; spacing in t
  const pts: GridPoint[] = [pointAt(scheme, scheme.T)];
  for (let i = 1; i < n; i++) pts.push(pointAtLogSnr(scheme, lStart + (i / n) * (lEnd - lStart)));
  if (n >= 1) pts.push(pointAt(scheme, scheme.t0));
  return pts;
}

/** Karras rho-spacing in the VE-equivalent sigma, then the data point (n + 1 points). */
export function karras(scheme: Scheme, n: number, rho: number): GridPoint[] {
  if (!Number.isFinite(rho) || rho <= 0) throw new UserError('--rho', 'must be a finite number > 0', { value: rho });
  const sMax = Math.exp(-finiteLogSnrAtStart(scheme));
  const lEnd = logSnrAtEnd(scheme);
  const sMin = Number.isFinite(lEnd) ? Math.exp(-lEnd) : 0;
  const aMax = Math.pow(sMax, 1 / rho);
  const aMin = Math.pow(sMin, 1 / rho);
  const pts: GridPoint[] = [pointAt(scheme, scheme.T)];
  for (let i = 1; i < n; i++) {
    const sVe = Math.pow(aMax + (i / (n - 1)) * (aMin - aMax), rho);
    pts.push(i === n - 1 ? pointAt(scheme, scheme.t0) : pointAtLogSnr(scheme, -Math.log(sVe)));
  }
  pts.push(DATA_POINT);
  return pts;
}

/** Drop a data point that follows another data point (a scheme whose sigma(t0) = 0). */
function dedupeData(pts: GridPoint[]): GridPoint[] {
  return pts.filter((p, i) => !(p.data && i > 0 && pts[i - 1].data));
}

/** numpy's round-half-to-even, as diffusers' `.round()` does. */
export function roundHalfEven(x: number): number {
  const r = Math.round(x);
  return Math.abs(x % 1) === 0.5 && r % 2 !== 0 ? r - 1 : r;
}

/** diffusers' discrete timestep indices (descending) for `steps` over a table of N. */
export function discreteTimesteps(N: number, steps: number, spacing: 'leading' | 'trailing' | 'linspace'): number[] {
  if (steps > N) throw new UserError('--steps', `must be <= the discrete table length ${N} for --spacing ${spacing}`, { value: steps });
  const idx: number[] = [];
  if (spacing === 'linspace') {
    for (let i = 0; i < steps; i++) idx.push(roundHalfEven(steps === 1 ? 0 : (i * (N - 1)) / (steps - 1)));
    idx.reverse();
  } else if (spacing === 'leading') {
    const ratio = Math.floor(N / steps);
    for (let i = steps - 1; i >= 0; i--) idx.push(i * ratio);
  } else {
    const ratio = N / steps;
    for (let i = 0; i < steps; i++) idx.push(roundHalfEven(N - i * ratio) - 1);
  }
  return idx;
}

function discreteSpacing(scheme: Scheme, n: number, spacing: 'leading' | 'trailing' | 'linspace'): GridPoint[] {
  const d = scheme.discrete;
  if (!d) throw new UserError('--spacing', `${spacing} needs a discrete scheme (a beta table); ${scheme.name} is continuous`, { value: spacing });
  const N = d.betas.length;
  const pts = discreteTimesteps(N, n, spacing).map((i) => pointAt(scheme, d.times[i]));
  pts.push(DATA_POINT);
  return pts;
}
