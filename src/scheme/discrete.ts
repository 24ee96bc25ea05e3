/**
 * Discrete beta tables as continuous schemes (MATH.md section 1, DPM-Solver's NoiseScheduleVP):
 * alphabar_i = prod_{j<=i} (1 - beta_j) at t_i = (i + 1)/N, log alpha piecewise linear in t,
 * with the knot (0, log alpha = 0) added so that the process starts at the data.
 */
import { UserError } from '../errors.ts';
import { softplus } from '../expr/special.ts';
import type { DiscreteInfo } from './types.ts';
import type { Fns } from './views.ts';
import type { SchemeDeclaration } from './declaration.ts';

/** diffusers' cosine alpha-bar of improved DDPM, s = 0.008 */
const cosineAlphaBar = (u: number) => Math.cos(((u + 0.008) / 1.008) * Math.PI / 2) ** 2;

/** The beta table a `discrete` declaration describes (diffusers' beta_schedule conventions). */
export function betaTable(d: NonNullable<SchemeDeclaration['discrete']>): Float64Array {
  const field = 'discrete';
  if (d.betas !== undefined) {
    if (d.schedule !== undefined) throw new UserError(`${field}.schedule`, 'give either betas or schedule, not both');
    if (!Array.isArray(d.betas) || d.betas.length < 2) throw new UserError(`${field}.betas`, 'must be an array of at least 2 numbers');
    d.betas.forEach((b, i) => {
      if (typeof b !== 'number' || !Number.isFinite(b) || b <= 0 || b >= 1) throw new UserError(`${field}.betas[${i}]`, 'must be a number in (0, 1)', { value: b });
    });
    return Float64Array.from(d.betas);
  }
  const n = d.steps ?? 1000;
  if (!Number.isInteger(n) || n < 2 || n > 1e6) throw new UserError(`${field}.steps`, 'must be an integer in [2, 1e6]', { value: n });
  const out = new Float64Array(n);
  switch (d.schedule) {
    case 'linear':
    case 'scaled_linear': {
      const b0 = num(d.betaStart, `${field}.betaStart`), b1 = num(d.betaEnd, `${field}.betaEnd`);
      for (let i = 0; i < n; i++) {
        const u = i / (n - 1);
        out[i] = d.schedule === 'linear' ? b0 + u * (b1 - b0) : (Math.sqrt(b0) + u * (Math.sqrt(b1) - Math.sqrt(b0))) ** 2;
      }
      break;
    }
    case 'squaredcos_cap_v2':
      for (let i = 0; i < n; i++) out[i] = Math.min(1 - cosineAlphaBar((i + 1) / n) / cosineAlphaBar(i / n), 0.999);
      break;
    default:
      throw new UserError(`${field}.schedule`, 'must be one of linear, scaled_linear, squaredcos_cap_v2 (or give betas)', { value: d.schedule });
  }
  out.forEach((b, i) => { if (!(b > 0 && b < 1)) throw new UserError(`${field}`, `beta[${i}] = ${b} is not in (0, 1)`); });
  return out;
}

function num(v: unknown, field: string): number {
  if (typeof v !== 'number' || !Number.isFinite(v) || v <= 0 || v >= 1) throw new UserError(field, 'must be a number in (0, 1)', { value: v });
  return v;
}

export interface DiscreteViews { fns: Fns; info: DiscreteInfo; inverse: (l: number) => number }

/** Every view of a discrete table. */
export function fromDiscrete(betas: Float64Array): DiscreteViews {
  const n = betas.length;
  const alphasCumprod = new Float64Array(n), times = new Float64Array(n);
  // knots: (0, 0) then (t_i, log alpha_i)
  const kt = new Float64Array(n + 1), kl = new Float64Array(n + 1);
  let logAbar = 0;
  for (let i = 0; i < n; i++) {
    logAbar += Math.log1p(-betas[i]);
    alphasCumprod[i] = Math.exp(logAbar);
    times[i] = (i + 1) / n;
    kt[i + 1] = times[i];
    kl[i + 1] = 0.5 * logAbar;
  }
  /** segment k spans (kt[k], kt[k+1]]; outside [0, 1] the end segments extrapolate */
  const seg = (t: number): number => {
    if (t <= kt[1]) return 0;
    if (t > kt[n - 1]) return n - 1;
    // uniform knots: index from t directly
    let k = Math.min(n - 1, Math.max(0, Math.ceil(t * n - 1e-12) - 1));
    while (k > 0 && t <= kt[k]) k--;
    while (k < n - 1 && t > kt[k + 1]) k++;
    return k;
  };
  const slope = (k: number) => (kl[k + 1] - kl[k]) / (kt[k + 1] - kt[k]);
  const logAlpha = (t: number) => { const k = seg(t); return kl[k] + slope(k) * (t - kt[k]); };
  const f = (t: number) => slope(seg(t));
  const sigma2 = (t: number) => -Math.expm1(2 * logAlpha(t));
  const fns: Fns = {
    alpha: (t) => Math.exp(logAlpha(t)),
    sigma2,
    sigma: (t) => Math.sqrt(sigma2(t)),
    f,
    g2: (t) => -2 * f(t),
    logSnr: (t) => logAlpha(t) - 0.5 * Math.log(sigma2(t)),
    dlogSnr: (t) => f(t) / sigma2(t),
    dalpha: (t) => f(t) * Math.exp(logAlpha(t)),
    dsigma: (t) => (-f(t) * Math.exp(2 * logAlpha(t))) / Math.sqrt(sigma2(t)),
  };
  // logSnr = y  <=>  log alpha = 0.5 log sigmoid(2y) = -0.5 softplus(-2y); solve on the linear piece
  const inverse = (y: number) => {
    const la = -0.5 * softplus(-2 * y);
    if (!Number.isFinite(la) && y !== Infinity) throw new RangeError(`logSnr = ${y} is outside the schedule`);
    if (y === Infinity) return 0;
    // kl is decreasing: find k with kl[k] >= la >= kl[k+1]
    let lo = 0, hi = n;
    if (la >= kl[0]) return kt[0] + (la - kl[0]) / slope(0);
    if (la <= kl[n]) return kt[n - 1] + (la - kl[n - 1]) / slope(n - 1);
    while (hi - lo > 1) { const m = (lo + hi) >> 1; if (kl[m] >= la) lo = m; else hi = m; }
    return kt[lo] + (la - kl[lo]) / slope(lo);
  };
  return { fns, info: { betas, alphasCumprod, times }, inverse };
}
