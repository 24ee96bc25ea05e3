/**
 * The integrated form of an ODE y' = r(t) on short intervals [t - w, t + w] around probe times:
 * y(t + w) - y(t - w) against int r by adaptive Gauss-Kronrod (src/expr/quadrature.ts, rtol 1e-13).
 * The error is relative to the increment, so that it measures the accuracy of r itself.
 */
import { integrate } from '../expr/quadrature.ts';
import type { Scheme } from '../scheme/types.ts';
import { localWidth, type Comparison } from './probe.ts';

/** Max over probe times of |dy - int r| / max(|dy|, |int r|, 1e-12 |y|). */
export function integratedOdeCheck(s: Scheme, ts: readonly number[], y: (t: number) => number, r: (t: number) => number): Comparison {
  let error = 0, at = NaN;
  for (const t of ts) {
    const w = localWidth(s, t, 0.01);
    const a = t - w, b = t + w;
    const ya = y(a), yb = y(b);
    const dy = yb - ya;
    const q = integrate(r, a, b, 1e-13).value;
    const scale = Math.max(Math.abs(dy), Math.abs(q), 1e-12 * Math.max(Math.abs(ya), Math.abs(yb)), 1e-300);
    const e = Number.isFinite(dy) && Number.isFinite(q) ? Math.abs(dy - q) / scale : Infinity;
    if (!(e <= error)) { error = e; at = t; }
  }
  return { error, at, identical: false };
}
