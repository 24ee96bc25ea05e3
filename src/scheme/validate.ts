/**
 * Validity of a schedule on [t0, T] (MATH.md section 1): finite views, alpha > 0 (alpha(T) = 0 is
 * allowed: zero terminal SNR), sigma > 0 for t > 0, g^2 >= 0, logSnr non-increasing; and the KL of
 * the terminal marginal of unit-variance data to the prior N(0, sigma_T^2), reported.
 * The first failing t is named in the error.
 */
import { UserError } from '../errors.ts';
import type { Scheme } from './types.ts';

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

/** Throws a UserError naming the first t where a condition fails. */
export function validateScheme(s: Scheme, field = s.form): ValidationReport {
  const ts = checkGrid(s.t0, s.T);
  let prevL = Infinity, prevT = NaN;
  const g2scale = Math.max(...ts.filter((_, i) => i % 50 === 0).map((t) => Math.abs(s.g2(t))).filter(Number.isFinite), 1e-300);
  for (const t of ts) {
    const atT = t === s.T;
    const alpha = s.alpha(t), sigma = s.sigma(t), l = s.logSnr(t), f = s.f(t), g2 = s.g2(t);
    const zeroTerminal = atT && alpha === 0;
    for (const [k, v] of [['alpha', alpha], ['sigma', sigma]] as const) if (!Number.isFinite(v)) throw new UserError(field, `${k} is not finite`, { value: v, t });
    if (!zeroTerminal) {
      for (const [k, v] of [['f', f], ['g2', g2], ['logSnr', l]] as const) if (!Number.isFinite(v) && !(k === 'logSnr' && v === Infinity && sigma === 0 && t === 0)) throw new UserError(field, `${k} is not finite`, { value: v, t });
      if (!(alpha > 0)) throw new UserError(field, 'alpha must be > 0 (it reaches 0 or below before T)', { value: alpha, t });
    }
    if (alpha < 0) throw new UserError(field, 'alpha must be >= 0', { value: alpha, t });
    if (!(sigma > 0) && t > 0) throw new UserError(field, 'sigma must be > 0 for t > 0', { value: sigma, t });
    if (!zeroTerminal && g2 < -1e-9 * g2scale) throw new UserError(field, 'g2 must be >= 0 (the forward process would remove noise)', { value: g2, t });
    if (l > prevL + 1e-9 * Math.max(1, Math.abs(prevL))) throw new UserError(field, `logSnr must be non-increasing, but it increases from ${prevL} at t = ${prevT}`, { value: l, t });
    prevL = l; prevT = t;
  }
  const snrT = Math.exp(2 * s.logSnr(s.T));
  // KL(N(0, a^2 + s^2) || N(0, s^2)) = (r - 1 - log r)/2, r = 1 + SNR_T
  const terminalKl = 0.5 * (snrT - Math.log1p(snrT));
  const warnings: string[] = [];
  if (terminalKl > 1e-3) warnings.push(`terminal marginal is far from its prior N(0, sigma_T^2): KL = ${terminalKl.toExponential(3)} nats/dim (SNR(T) = ${snrT.toExponential(3)})`);
  return { terminalKl, points: ts.length, warnings };
}
