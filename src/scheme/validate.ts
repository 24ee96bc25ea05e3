/**
 * Validity of a schedule on [t0, T] (MATH.md section 1): finite views, alpha > 0 (alpha(T) = 0 is
 * allowed: zero terminal SNR), sigma > 0 for t > 0, g^2 >= 0, logSnr non-increasing; and the KL of
 * the terminal marginal of unit-variance data to the prior N(0, sigma_T^2), reported.
 * The first failing t is named in the error.
 */
import { UserError } from '../errors.ts';
import type { Scheme } from './types.ts';

/** What validation found on [t0, T]: the checks passed, the terminal KL to the prior, warnings. */
export interface ValidationReport {
  /** KL( N(0, alpha_T^2 + sigma_T^2) || N(0, sigma_T^2) ) per dimension, nats */
  terminalKl: number;
  /** grid points checked */
  points: number;
  warnings: string[];
}

/** Check grid: uniform in t plus geometric near t0, sorted, on [t0, T]. */
export function checkGrid(t0: number, T: number, n = 1500): number[] {
  const ts = new Set<number>();
  for (let i = 0; i <= n; i++) ts.add(t0 + ((T - t0) * i) / n);
  const lo = Math.max(t0, T * 1e-9);
  for (let i = 0; i <= 200; i++) ts.add(lo * (T / lo) ** (i / 200));
  return [...ts].filter((t) => t >= t0 && t <= T).sort((a, b) => a - b);
}

/** The first condition that fails at t, or null. */
function failureAt(s: Scheme, t: number, g2scale: number): { reason: string; value: number } | null {
  const alpha = s.alpha(t), sigma = s.sigma(t);
  const zeroTerminal = t === s.T && alpha === 0;
  if (Number.isNaN(alpha) || !(alpha > 0 || zeroTerminal)) return { reason: 'alpha must be > 0 (the signal vanishes or turns negative before T)', value: alpha };
  if (!Number.isFinite(alpha)) return { reason: 'alpha is not finite', value: alpha };
  if (!Number.isFinite(sigma) || sigma < 0) return { reason: 'sigma must be finite and >= 0', value: sigma };
  if (!(sigma > 0) && t > 0) return { reason: 'sigma must be > 0 for t > 0', value: sigma };
  if (zeroTerminal) return null;
  const g2 = s.g2(t), f = s.f(t), l = s.logSnr(t);
  if (!Number.isFinite(f)) return { reason: 'f is not finite', value: f };
  if (!Number.isFinite(g2)) return { reason: 'g2 is not finite', value: g2 };
  if (g2 < -1e-9 * g2scale) return { reason: 'g2 must be >= 0 (the forward process would remove noise; logSnr increases)', value: g2 };
  if (!Number.isFinite(l) && !(l === Infinity && sigma === 0)) return { reason: 'logSnr is not finite', value: l };
  return null;
}

/** Throws a UserError naming the first t where a condition fails (refined by bisection between grid points). */
export function validateScheme(s: Scheme, field = s.form): ValidationReport {
  const ts = checkGrid(s.t0, s.T);
  const g2scale = Math.max(...ts.filter((_, i) => i % 50 === 0).map((t) => Math.abs(s.g2(t))).filter(Number.isFinite), 1e-300);
  let prevL = Infinity, prevT = NaN;
  for (let i = 0; i < ts.length; i++) {
    const t = ts[i];
    const bad = failureAt(s, t, g2scale);
    if (bad) {
      // refine: the condition holds at ts[i-1] and fails at t
      let lo = i > 0 ? ts[i - 1] : t, hi = t, why = bad;
      for (let k = 0; k < 80 && i > 0 && hi - lo > 1e-12 * Math.max(1, hi); k++) {
        const m = 0.5 * (lo + hi);
        const b = failureAt(s, m, g2scale);
        if (b) { hi = m; why = b; } else lo = m;
      }
      throw new UserError(field, why.reason, { value: why.value, t: hi });
    }
    const l = s.logSnr(t);
    if (l > prevL + 1e-9 * Math.max(1, Math.abs(prevL))) throw new UserError(field, `logSnr must be non-increasing, but it increases from ${prevL} at t = ${prevT}`, { value: l, t });
    prevL = l; prevT = t;
  }
  const snrT = Math.exp(2 * s.logSnr(s.T));
  // KL(N(0, a^2 + s^2) || N(0, s^2)) = (r - 1 - log r)/2, r = 1 + SNR_T
  const terminalKl = 0.5 * (snrT - Math.log1p(snrT));
  const warnings: string[] = [...(s.fallbacks ?? [])];
  if (terminalKl > 1e-3) warnings.push(`terminal marginal is far from its prior N(0, sigma_T^2): KL = ${terminalKl.toExponential(3)} nats/dim (SNR(T) = ${snrT.toExponential(3)})`);
  return { terminalKl, points: ts.length, warnings };
}
