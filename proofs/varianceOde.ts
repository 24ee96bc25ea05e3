/**
 * Theorem (variance moment ODE, MATH.md section 1): (sigma^2)'(t) = 2 f(t) sigma^2(t) + g^2(t).
 * Symbolic: the derivative of sigma^2's closed form against 2 f sigma^2 + g^2 at probe times.
 * Numeric: sigma^2(b) - sigma^2(a) = int_a^b (2 f sigma^2 + g^2) by adaptive Gauss-Kronrod.
 */
import { derivative } from '../src/expr/derivative.ts';
import { add, mul, num } from '../src/expr/nodes.ts';
import { simplify } from '../src/expr/simplify.ts';
import { integratedOdeCheck } from '../src/proofs/ode.ts';
import { compareTrees, probeTimes } from '../src/proofs/probe.ts';
import type { Proof } from '../src/proofs/types.ts';
import { SYMBOLIC_TOL, verdict } from '../src/proofs/verdict.ts';

/** Tolerance of the integrated (quadrature) form: relative error of the increment. */
export const VARIANCE_ODE_NUMERIC_TOL = 1e-8;

export const varianceOde: Proof = {
  id: 'variance-ode',
  title: "variance ODE  (sigma^2)' = 2 f sigma^2 + g^2",
  statement: String.raw`\text{If } \mathrm{d}x = f(t)\,x\,\mathrm{d}t + g(t)\,\mathrm{d}W \text{ and } x_t = \alpha(t)\,x_0 + \sigma(t)\,\varepsilon, \text{ then } \frac{\mathrm{d}}{\mathrm{d}t}\sigma^2(t) = 2 f(t)\,\sigma^2(t) + g^2(t) \text{ for all } t \in [t_0, T].`,
  source: 'MATH.md section 1, moment ODEs',
  check(s) {
    const ts = probeTimes(s, 24, 2);
    const { sigma2, f, g2 } = s.quantities;
    if (sigma2.expr && f.expr && g2.expr) {
      const rhs = simplify(add(mul(mul(num(2), f.expr), sigma2.expr), g2.expr));
      const c = compareTrees(derivative(sigma2.expr), rhs, ts, undefined, s.params);
      return verdict('symbolic', c, SYMBOLIC_TOL, 'd/dt sigma^2(t) (closed form) vs 2 f sigma^2 + g^2');
    }
    const c = integratedOdeCheck(s, ts, s.sigma2, (t) => 2 * s.f(t) * s.sigma2(t) + s.g2(t), (t) => Math.abs(2 * s.f(t) * s.sigma2(t)) + Math.abs(s.g2(t)));
    return verdict('numeric', c, VARIANCE_ODE_NUMERIC_TOL, 'sigma^2(b) - sigma^2(a) vs int_a^b (2 f sigma^2 + g^2) (Gauss-Kronrod), relative to the increment');
  },
};
