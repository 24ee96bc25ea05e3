/**
 * DDPM ancestral sampling (Ho et al. 2020, eq. 6-7; MATH.md section 6): the exact Gaussian
 * posterior x_s | x_t, x0 with x0 <- x0_hat,
 *
 *     mean = (alpha_{t|s} sigma_s^2 / sigma_t^2) x_t + (alpha_s sigma^2_{t|s} / sigma_t^2) x0_hat
 *          = (sigma_s / sigma_t) e^{-h} x_t + alpha_s (1 - e^{-2h}) x0_hat,
 *     var  = sigma^2_{t|s} sigma_s^2 / sigma_t^2 = sigma_s^2 (1 - e^{-2h}),   h = logSnr(s) - logSnr(t),
 *
 * written in h with expm1 so that it stays finite at zero terminal SNR (h = infinity) and small steps.
 * Variance is diffusers' "fixed_small"; x0_hat is not clipped. A step to sigma = 0 returns x0_hat.
 */
import { defineSampler, evaluate, walkGrid } from './common.ts';

export const ddpm = defineSampler({
  name: 'ddpm',
  summary: 'DDPM ancestral sampling (exact Gaussian posterior step)',
  stochastic: true,
  async runOn(xStart, ctx) {
    const { ops } = ctx;
    const x = ops.clone(xStart);
    const x0 = ops.alloc();
    return walkGrid(ctx, x, async (p, q) => {
      await evaluate(ctx, x, p, { x0 });
      const h = q.logSnr - p.logSnr;
      const oneMinus = -Math.expm1(-2 * h); // 1 - e^{-2h}
      const cx = h === Infinity ? 0 : (q.sigma / p.sigma) * Math.exp(-h);
      ops.lin(x, [[cx, x], [q.alpha * oneMinus, x0]]);
      ops.addNoise(x, q.sigma * Math.sqrt(oneMinus));
    });
  },
});
