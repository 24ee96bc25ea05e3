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
import { addNoise, buffer, evaluate, lin2 } from './common.ts';
import type { Sampler } from './types.ts';

export const ddpm: Sampler = {
  name: 'ddpm',
  summary: 'DDPM ancestral sampling (exact Gaussian posterior step)',
  stochastic: true,
  async run(xStart, ctx) {
    const { grid } = ctx;
    const x = Float64Array.from(xStart);
    const x0 = buffer(ctx);
    for (let i = 0; i + 1 < grid.length; i++) {
      const p = grid[i], q = grid[i + 1];
      await evaluate(ctx, x, p, { x0 });
      if (q.data) {
        x.set(x0);
      } else {
        const h = q.logSnr - p.logSnr;
        const oneMinus = -Math.expm1(-2 * h); // 1 - e^{-2h}
        const cx = h === Infinity ? 0 : (q.sigma / p.sigma) * Math.exp(-h);
        lin2(x, cx, x, q.alpha * oneMinus, x0);
        addNoise(ctx, x, q.sigma * Math.sqrt(oneMinus));
      }
      ctx.progress((i + 1) / (grid.length - 1));
    }
    return x;
  },
};
