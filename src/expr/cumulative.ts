/**
 * I(t) = int_a^t h(s) ds by quadrature, with the integral at panel boundaries precomputed so
 * that each evaluation integrates only inside one panel.
 */
import { integrate } from './quadrature.ts';

export class CumulativeIntegral {
  private readonly knots: number[];
  private readonly cum: number[];
  /** largest error estimate seen, for reporting */
  maxError = 0;
  constructor(private readonly h: (t: number) => number, private readonly a: number, b: number, panels = 64, private readonly rtol = 1e-13) {
    this.knots = [];
    this.cum = [0];
    for (let i = 0; i <= panels; i++) this.knots.push(a + ((b - a) * i) / panels);
    for (let i = 1; i <= panels; i++) {
      const r = integrate(h, this.knots[i - 1], this.knots[i], rtol);
      this.maxError = Math.max(this.maxError, r.error);
      this.cum.push(this.cum[i - 1] + r.value);
    }
  }
  /** the integral from a to t */
  at(t: number): number {
    const k = this.knots;
    if (t <= k[0] || t > k[k.length - 1]) return integrate(this.h, this.a, t, this.rtol).value;
    let lo = 0, hi = k.length - 1;
    while (hi - lo > 1) { const m = (lo + hi) >> 1; if (k[m] < t) lo = m; else hi = m; }
    // integrate from the nearer knot
    if (t - k[lo] <= k[hi] - t) return this.cum[lo] + integrate(this.h, k[lo], t, this.rtol).value;
    return this.cum[hi] - integrate(this.h, t, k[hi], this.rtol).value;
  }
}
