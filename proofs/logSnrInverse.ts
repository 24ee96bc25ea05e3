/**
 * Theorem (the log-SNR is invertible on a valid schedule, MATH.md section 1): logSnr is strictly
 * decreasing where g^2 > 0, so t(logSnr(t)) = t on [t0, T] and logSnr(t(l)) = l on its range.
 * Symbolic when the inverse has a closed form (its tree composed with logSnr's, against t);
 * always also numeric on the float64 functions in both directions.
 */
import { substitute, sym } from '../src/expr/nodes.ts';
import { compareFns, compareTrees, mixedError, probeTimes, relativeError, worst } from '../src/proofs/probe.ts';
import type { Proof } from '../src/proofs/types.ts';
import { SYMBOLIC_TOL, verdict } from '../src/proofs/verdict.ts';

/** Relative error in t (and mixed error in logSnr) of the float64 inverse. */
export const INVERSE_TOL = 1e-9;

export const logSnrInverse: Proof = {
  id: 'logsnr-inverse',
  title: 'logSnr inverse round trip',
  statement: String.raw`\lambda(t) = \log\frac{\alpha(t)}{\sigma(t)} \text{ is decreasing on } [t_0, T], \text{ and } t(\lambda(t)) = t,\ \ \lambda(t(\ell)) = \ell \text{ for } \ell \in \lambda([t_0, T]).`,
  source: 'MATH.md section 1 (t(logSnr)); DPM-Solver (Lu et al. 2022), NoiseScheduleVP.inverse_lambda',
  check(s) {
    const ts = probeTimes(s, 24, 9);
    const fwd = compareFns((t) => s.tOfLogSnr(s.logSnr(t)), (t) => t, ts, relativeError);
    const back = compareFns((t) => s.logSnr(s.tOfLogSnr(s.logSnr(t))), (t) => s.logSnr(t), ts, mixedError);
    const numeric = worst(fwd, back);
    const inv = s.inverse.expr, l = s.quantities.logSnr.expr;
    if (inv && l) {
      const c = compareTrees(substitute(inv, 't', l), sym('t'), ts, relativeError, s.params);
      return verdict('symbolic', worst(c, numeric), SYMBOLIC_TOL, 't(logSnr(t)) = t on the closed forms, and both directions in float64');
    }
    return verdict('numeric', numeric, INVERSE_TOL, `t(logSnr(t)) = t and logSnr(t(l)) = l (${s.inverse.method} inverse)`);
  },
};
