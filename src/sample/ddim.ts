/**
 * DDIM (Song et al. 2021, eq. 12; MATH.md section 6): with the model's x0_hat and eps_hat at t,
 *
 *     x_s = alpha_s x0_hat + sqrt(sigma_s^2 - c^2) eps_hat + c z,
 *     c   = eta sigma_s sqrt(1 - e^{-2h}),   h = logSnr(s) - logSnr(t) > 0,
 *
 * where sigma_s^2 (1 - e^{-2h}) = sigma^2_{t|s} sigma_s^2 / sigma_t^2 is the DDPM posterior variance
 * (computed with expm1, finite for h = infinity at zero terminal SNR). eta = 0 (default) is the
 * deterministic DDIM = DPM-Solver-1; eta = 1 is DDPM's ancestral step. For eta > 1 the radicand is
 * clamped at 0. A step to sigma = 0 returns x0_hat (diffusers' set_alpha_to_one). One evaluation per step.
 */
import { defineSampler, evaluate, walkGrid } from './common.ts';

export const ddim = defineSampler({
  name: 'ddim',
  summary: 'DDIM with --eta (0: deterministic, first order)',
  stochastic: true,
  async runOn(xStart, ctx) {
    const { ops } = ctx;
    const eta = ctx.options.eta ?? 0;
    const x = ops.clone(xStart);
    const x0 = ops.alloc(), eps = ops.alloc();
    return walkGrid(ctx, x, async (p, q) => {
      await evaluate(ctx, x, p, { x0, eps });
      const h = q.logSnr - p.logSnr;
      const c = eta * q.sigma * Math.sqrt(-Math.expm1(-2 * h));
      const dir = Math.sqrt(Math.max(0, q.sigma * q.sigma - c * c));
      ops.lin(x, [[q.alpha, x0], [dir, eps]]);
      ops.addNoise(x, c);
    });
  },
});
