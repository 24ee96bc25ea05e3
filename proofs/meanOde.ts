/**
 * Theorem (mean moment ODE, MATH.md section 1): alpha'(t) = f(t) alpha(t).
 * Symbolic: the derivative of alpha's closed form against f alpha, evaluated at probe times.
 * Numeric: the integrated form alpha(b) - alpha(a) = int_a^b f alpha by adaptive Gauss-Kronrod
 * on short intervals (inside one linear piece for discrete tables).
 */
import { derivative } from '../src/expr/derivative.ts';
import { mul } from '../src/expr/nodes.ts';
import { simplify } from '../src/expr/simplify.ts';
import { integratedOdeCheck } from '../src/proofs/ode.ts';
import { compareTrees, probeTimes } from '../src/proofs/probe.ts';
import type { Proof } from '../src/proofs/types.ts';
import { SYMBOLIC_TOL, verdict } from '../src/proofs/verdict.ts';

/** Tolerance of the integrated (quadrature) form: relative error of the increment. */
export const MEAN_ODE_NUMERIC_TOL = 1e-8;

export const meanOde: Proof = {
  id: 'mean-ode',
  title: "mean ODE  alpha' = f alpha",
  statement: String.raw`\text{If } \mathrm{d}x = f(t)\,x\,\mathrm{d}t + g(t)\,\mathrm{d}W \text{ and } x_t = \alpha(t)\,x_0 + \sigma(t)\,\varepsilon, \text{ then } \alpha'(t) = f(t)\,\alpha(t) \text{ for all } t \in [t_0, T].`,
  source: 'MATH.md section 1, moment ODEs',
  check(s) {
    const ts = probeTimes(s, 24, 1);
    const { alpha, f } = s.quantities;
    if (alpha.expr && f.expr) {
      const c = compareTrees(derivative(alpha.expr), simplify(mul(f.expr, alpha.expr)), ts, undefined, s.params);
      return verdict('symbolic', c, SYMBOLIC_TOL, "d/dt alpha(t) (closed form) vs f(t) alpha(t)");
    }
    const c = integratedOdeCheck(s, ts, s.alpha, (t) => s.f(t) * s.alpha(t));
    return verdict('numeric', c, MEAN_ODE_NUMERIC_TOL, 'alpha(b) - alpha(a) vs int_a^b f alpha (Gauss-Kronrod), relative to the increment');
  },
};
