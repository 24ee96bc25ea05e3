/**
 * Theorem (likelihood weighting = 2 x ELBO weighting, MATH.md section 4): with
 * g^2 = 2 sigma^2 (log(sigma/alpha))' the score-SDE likelihood weighting g^2/sigma^2 equals
 * -2 d/dt logSnr, twice the continuous-time VDM ELBO weighting -d/dt logSnr.
 * Symbolic on the weightings' closed forms (src/reverse/weighting.ts) when both exist, else on
 * their float64 functions.
 */
import { mul, num } from '../src/expr/nodes.ts';
import { simplify } from '../src/expr/simplify.ts';
import { compareFns, compareTrees, probeTimes } from '../src/proofs/probe.ts';
import type { Proof } from '../src/proofs/types.ts';
import { SYMBOLIC_TOL, verdict } from '../src/proofs/verdict.ts';
import { weighting, weightingExpr } from '../src/reverse/weighting.ts';

/** Tolerance of the float64 comparison. */
export const WEIGHTING_NUMERIC_TOL = 1e-10;

export const weightingFactorTwo: Proof = {
  id: 'likelihood-equals-2-elbo',
  title: 'likelihood weighting = 2 x ELBO weighting',
  statement: String.raw`w_{\mathrm{lik}}(t) = \frac{g^2(t)}{\sigma^2(t)} = -2\,\frac{\mathrm{d}}{\mathrm{d}t}\log\frac{\alpha(t)}{\sigma(t)} = 2\,w_{\mathrm{ELBO}}(t).`,
  source: 'MATH.md section 4; Song et al. 2021 (likelihood weighting), Kingma et al. 2021 (VDM)',
  check(s) {
    const ts = probeTimes(s, 24, 8);
    const lik = weightingExpr(s, 'likelihood'), elbo = weightingExpr(s, 'elbo');
    if (lik && elbo) return verdict('symbolic', compareTrees(lik, simplify(mul(num(2), elbo)), ts, undefined, s.params), SYMBOLIC_TOL, 'g^2/sigma^2 vs -2 dlogSnr/dt (closed forms)');
    const wl = weighting(s, 'likelihood'), we = weighting(s, 'elbo');
    return verdict('numeric', compareFns(wl, (t) => 2 * we(t), ts), WEIGHTING_NUMERIC_TOL, 'g^2/sigma^2 vs -2 dlogSnr/dt (float64 views)');
  },
};
