/**
 * The transition kernel x_t | x_s (MATH.md section 1) in closed form, symbolic in t, the earlier
 * time and the parameters:
 *   alpha_{t|s} = alpha(t) / alpha(s),
 *   sigma^2_{t|s} = sigma^2(t) - alpha_{t|s}^2 sigma^2(s) = -sigma^2(t) expm1(-2 (logSnr(s) - logSnr(t)))
 * (the second form keeps its digits as s -> t). The earlier time is named `s`, or `u` when a
 * parameter is named s (vp-cosine's offset).
 */
import { call, div, mul, neg, num, sub, substitute, sym, type MathNode } from '../expr/nodes.ts';
import { simplify } from '../expr/simplify.ts';
import type { Scheme } from './types.ts';

/** Closed forms of alpha_{t|s} and sigma^2_{t|s}, or null where the views they need are numeric. */
export function transitionExprs(scheme: Scheme): { alpha: MathNode | null; sigma2: MathNode | null; earlier: string } {
  const earlier = Object.prototype.hasOwnProperty.call(scheme.params, 's') ? 'u' : 's';
  const at = (e: MathNode) => substitute(e, 't', sym(earlier));
  const { alpha, sigma2, logSnr } = scheme.quantities;
  return {
    alpha: alpha.expr ? simplify(div(alpha.expr, at(alpha.expr))) : null,
    sigma2: sigma2.expr && logSnr.expr
      ? simplify(neg(mul(sigma2.expr, call('expm1', mul(num(-2), sub(at(logSnr.expr), logSnr.expr))))))
      : null,
    earlier,
  };
}
