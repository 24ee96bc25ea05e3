/**
 * DEIS, the time-polynomial Adams-Bashforth variant tAB (Zhang & Chen 2023, "Fast Sampling of
 * Diffusion Models with Exponential Integrator", eq. 14-15 with the Lagrange extrapolation of
 * eps_hat in t). The PF-ODE in noise prediction reads d(x/alpha) = eps_hat d(sigma/alpha) exactly;
 * with rho = sigma/alpha = e^{-logSnr} and eps_hat replaced by its Lagrange polynomial through the
 * last k evaluations (t_0 newest, ..., t_{k-1}):
 *
 *   x_t = alpha_t x0_0 + sigma_t eps_0 + alpha_t sum_{j>=1} C_j (eps_j - eps_0),
 *   C_j = integral_s^t ell_j(tau) drho(tau) = integral_{logSnr_s}^{logSnr_t} -e^{-l} ell_j(t(l)) dl,
 *
 * (the first-order part, written through x0_hat and eps_hat at s, is DDIM; sum_j ell_j = 1 moves
 * C_0 into it), with ell_j the Lagrange basis on t_0..t_{k-1} and the integral in logSnr by adaptive
 * Gauss-Kronrod quadrature on the host (src/expr/quadrature.ts; the reference integrates in t).
 * Order k = min(--order, i) at step i (warm start with lower orders, as the reference); a step from
 * zero SNR is DDIM (its C_j integrals diverge); a step to sigma = 0 returns x0_hat (walkGrid).
 * One evaluation per step. `--order` 1..3 (default 3).
 */
import { integrate } from '../expr/quadrature.ts';
import { defineSampler, mergeTerms, walkWithEpsHistory } from './common.ts';
import type { Term } from './ops.ts';
import type { Sampler } from './types.ts';

/** The Lagrange basis polynomial j on nodes ts, at tau. */
export function lagrange(ts: readonly number[], j: number, tau: number): number {
  let v = 1;
  for (let m = 0; m < ts.length; m++) if (m !== j) v *= (tau - ts[m]) / (ts[j] - ts[m]);
  return v;
}

export const deis: Sampler = defineSampler({
  name: 'deis',
  summary: 'DEIS tAB (exponential integrator, eps extrapolated in t; --order 1..3)',
  stochastic: false,
  async runOn(xStart, ctx) {
    const { ops, scheme } = ctx;
    const maxOrder = ctx.options.order ?? 3;
    if (![1, 2, 3].includes(maxOrder)) throw new Error(`deis: order must be 1, 2 or 3 (got ${maxOrder})`);
    const x = ops.clone(xStart);
    return walkWithEpsHistory(ctx, x, maxOrder, (p, q, i, x0, E, P) => {
      const eps = E[0];
      const terms: Term<typeof x>[] = [[q.alpha, x0], [q.sigma, eps]];
      const k = Number.isFinite(p.logSnr) ? Math.min(maxOrder, i + 1, E.length) : 1;
      const ts = P.slice(0, k).map((pt) => pt.t);
      const tOf = (l: number): number => Math.min(scheme.T, Math.max(scheme.t0, scheme.tOfLogSnr(l)));
      for (let j = 1; j < k; j++) {
        const C = integrate((l) => -Math.exp(-l) * lagrange(ts, j, tOf(l)), p.logSnr, q.logSnr, 1e-12, 1e-300).value;
        terms.push([q.alpha * C, E[j]], [-q.alpha * C, eps]);
      }
      ops.lin(x, mergeTerms(terms));
    });
  },
});
