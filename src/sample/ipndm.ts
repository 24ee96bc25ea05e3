/**
 * iPNDM, the improved pseudo linear multistep method (Zhang & Chen 2023, "Fast Sampling of Diffusion
 * Models with Exponential Integrator", Section 5 / Appendix: PNDM's Adams-Bashforth combination of
 * eps_hat with a lower-order warm start instead of Runge-Kutta start-up steps). In the variable
 * y = x/alpha and rho = sigma/alpha the PF-ODE is dy/drho = eps_hat, and one step is
 *
 *   y_t = y_s + (rho_t - rho_s) sum_j b^(k)_j eps_j,   k = min(--order, i) at step i,
 *   b^(1) = [1], b^(2) = [3, -1]/2, b^(3) = [23, -16, 5]/12, b^(4) = [55, -59, 37, -9]/24
 *
 * (the fixed-step Adams-Bashforth weights, as in the paper and k-diffusion's `sample_ipndm`, which is
 * this method in EDM's coordinates). Written stably as x_t = alpha_t x0_0 + sigma_t eps_0 +
 * alpha_t (rho_t - rho_s) sum_{j>=1} b_j (eps_j - eps_0) (sum_j b_j = 1; the first part is DDIM).
 * The global order is 2 whatever --order (test/sample/order.test.ts: --order 2 fits 2; --order 4
 * fits 1.69..1.83 at 24..192 steps): the warm start begins with an Euler step (local error h^2), and
 * the weights assume equal steps in rho. Higher orders pay off at few steps, not asymptotically. A zero-SNR point in the history
 * (rho = infinity) lowers the order and a step from it is DDIM; a step to sigma = 0 returns x0_hat.
 * One evaluation per step. `--order` 1..4 (default 4).
 */
import { defineSampler, mergeTerms, walkWithEpsHistory } from './common.ts';
import type { Term } from './ops.ts';
import type { Sampler } from './types.ts';

/** Adams-Bashforth weights of orders 1..4, newest first. */
export const ADAMS_BASHFORTH: readonly (readonly number[])[] = [
  [1], [3 / 2, -1 / 2], [23 / 12, -16 / 12, 5 / 12], [55 / 24, -59 / 24, 37 / 24, -9 / 24],
];

export const ipndm: Sampler = defineSampler({
  name: 'ipndm',
  summary: 'iPNDM (Adams-Bashforth on eps_hat in sigma/alpha with a lower-order warm start; --order 1..4)',
  stochastic: false,
  async runOn(xStart, ctx) {
    const { ops } = ctx;
    const maxOrder = ctx.options.order ?? 4;
    if (![1, 2, 3, 4].includes(maxOrder)) throw new Error(`ipndm: order must be 1..4 (got ${maxOrder})`);
    const x = ops.clone(xStart);
    return walkWithEpsHistory(ctx, x, maxOrder, (p, q, i, x0, E, P) => {
      const eps = E[0];
      let k = Math.min(maxOrder, i + 1, E.length);
      for (let j = 0; j < k; j++) if (!Number.isFinite(P[j].logSnr)) { k = Math.max(1, j); break; }
      const terms: Term<typeof x>[] = [[q.alpha, x0], [q.sigma, eps]];
      if (k > 1) {
        const dRho = Math.exp(-q.logSnr) - Math.exp(-p.logSnr);
        const b = ADAMS_BASHFORTH[k - 1];
        for (let j = 1; j < k; j++) terms.push([q.alpha * dRho * b[j], E[j]], [-q.alpha * dRho * b[j], eps]);
      }
      ops.lin(x, mergeTerms(terms));
    });
  },
});
