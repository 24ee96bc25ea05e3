/**
 * Theorem (the log-SNR is invertible on a valid schedule, MATH.md section 1): logSnr is strictly
 * decreasing where g^2 > 0, so t(logSnr(t)) = t on [t0, T] and logSnr(t(l)) = l on its range.
 * Symbolic when the inverse has a closed form: logSnr(t(l)) = l proved exactly where the zero test
 * can (src/expr/inverseIdentity.ts), else the trees composed and probed (t(logSnr(t)) against t);
 * always also numeric on the float64 functions in both directions.
 */
import { substitute, sym } from '../src/expr/nodes.ts';
import { provedInverse } from '../src/expr/inverseIdentity.ts';
import { compareFns, compareTrees, mixedError, probeTimes, relativeError, worst } from '../src/proofs/probe.ts';
import type { Proof } from '../src/proofs/types.ts';
import type { Scheme } from '../src/scheme/types.ts';
import { SYMBOLIC_TOL, verdict } from '../src/proofs/verdict.ts';

/** Relative error in t (and mixed error in logSnr) of the float64 inverse. */
export const INVERSE_TOL = 1e-9;

/**
 * The width in t of 4 ulps of logSnr at t: no inverse can locate t more finely than this, since
 * logSnr(t) itself is rounded (a nearly flat logSnr, e.g. g^2 -> 0, makes it large).
 */
export function logSnrUlpWidth(s: Scheme, t: number): number {
  return (4 * Number.EPSILON * Math.max(1, Math.abs(s.logSnr(t)))) / Math.abs(s.dlogSnr(t));
}

export const logSnrInverse: Proof = {
  id: 'logsnr-inverse',
  title: 'logSnr inverse round trip',
  statement: String.raw`\lambda(t) = \log\frac{\alpha(t)}{\sigma(t)} \text{ is decreasing on } [t_0, T], \text{ and } t(\lambda(t)) = t,\ \ \lambda(t(\ell)) = \ell \text{ for } \ell \in \lambda([t_0, T]).`,
  source: 'MATH.md section 1 (t(logSnr)); DPM-Solver (Lu et al. 2022), NoiseScheduleVP.inverse_lambda',
  check(s) {
    const ts = probeTimes(s, 24, 9);
    // relative in t, but never finer than the t-width of a few ulps of logSnr(t) where logSnr is flat
    const fwd = compareFns((t) => s.tOfLogSnr(s.logSnr(t)), (t) => t, ts, (a, b) => relativeError(a, b, logSnrUlpWidth(s, b) / INVERSE_TOL));
    const back = compareFns((t) => s.logSnr(s.tOfLogSnr(s.logSnr(t))), (t) => s.logSnr(t), ts, mixedError);
    const numeric = worst(fwd, back);
    const inv = s.inverse.expr, l = s.quantities.logSnr.expr;
    if (inv && l) {
      const c = compareTrees(substitute(inv, 't', l), sym('t'), ts, relativeError, s.params);
      const all = worst(c, numeric);
      // logSnr(t(l)) = l exactly, for all l and parameters (src/expr/inverseIdentity.ts), cross-checked in float64
      if ((c.identical || (provedInverse(l, inv) && c.error <= 1e-6)) && numeric.error <= INVERSE_TOL) {
        return verdict('symbolic', { ...all, identical: true }, SYMBOLIC_TOL, 'logSnr(t(l)) = l proved for all l and parameters (outer layers peeled, zero test with radical reduction); t(logSnr(t)) = t and both directions in float64');
      }
      return verdict('symbolic', all, SYMBOLIC_TOL, 't(logSnr(t)) = t on the closed forms, and both directions in float64');
    }
    return verdict('numeric', numeric, INVERSE_TOL, `t(logSnr(t)) = t and logSnr(t(l)) = l (${s.inverse.method} inverse)`);
  },
};
