/**
 * The integrated form of an ODE y' = r(t) on short intervals [t - w, t + w] around probe times:
 * y(t + w) - y(t - w) against int r by adaptive Gauss-Kronrod (src/expr/quadrature.ts, rtol 1e-13).
 * The error is relative to the increment, so that it measures the accuracy of r itself; where the
 * increment is tiny against the magnitudes involved (|y|, and int |terms| when r is a sum that
 * cancels) it is relative to 1e-6 of those magnitudes instead, i.e. the check then resolves
 * discrepancies down to about 100 float64 roundings of them.
 */
import { integrate } from '../expr/quadrature.ts';
import type { Scheme } from '../scheme/types.ts';
import { localWidth, type Comparison } from './probe.ts';

/** Max over probe times of |dy - int r| / max(|dy|, |int r|, 1e-6 (|y| + int |terms|)). */
export function integratedOdeCheck(s: Scheme, ts: readonly number[], y: (t: number) => number, r: (t: number) => number, terms: (t: number) => number = (t) => Math.abs(r(t))): Comparison {
  let error = 0, at = NaN;
  for (const t of ts) {
    const w = localWidth(s, t, 0.01);
    const a = t - w, b = t + w;
    const ya = y(a), yb = y(b);
    const dy = yb - ya;
    const q = integrate(r, a, b, 1e-13).value;
    const mag = integrate(terms, a, b, 1e-6).value;
    const scale = Math.max(Math.abs(dy), Math.abs(q), 1e-6 * (Math.max(Math.abs(ya), Math.abs(yb)) + mag), 1e-300);
    const e = Number.isFinite(dy) && Number.isFinite(q) ? Math.abs(dy - q) / scale : Infinity;
    if (!(e <= error)) { error = e; at = t; }
  }
  return { error, at, identical: false };
}
