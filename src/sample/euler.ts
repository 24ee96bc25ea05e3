/**
 * Euler's method for the probability-flow ODE (MATH.md section 3, lambda = 0), integrated in t:
 *
 *     x_{i+1} = x_i + (t_{i+1} - t_i) [ alpha'(t_i) x0_hat + sigma'(t_i) eps_hat ]
 *
 * The drift is the stable form of f x - g^2 s / 2, finite at zero terminal SNR. On EDM
 * (alpha = 1, sigma = t) this is k-diffusion's `sample_euler` without churn: d = (x - D)/sigma.
 * A step ending at sigma = 0 returns the denoised estimate (Euler to sigma = 0 on EDM gives exactly
 * that). One model evaluation per step.
 */
import { buffer, evaluate, pfOdeDrift } from './common.ts';
import type { Sampler } from './types.ts';

export const euler: Sampler = {
  name: 'euler',
  summary: 'Euler on the probability-flow ODE (first order)',
  stochastic: false,
  async run(xStart, ctx) {
    const { grid } = ctx;
    const x = Float64Array.from(xStart);
    const x0 = buffer(ctx), eps = buffer(ctx), d = buffer(ctx);
    for (let i = 0; i + 1 < grid.length; i++) {
      const p = grid[i], q = grid[i + 1];
      if (q.data) {
        await evaluate(ctx, x, p, { x0 });
        x.set(x0);
      } else {
        await evaluate(ctx, x, p, { x0, eps });
        pfOdeDrift(ctx, p, x0, eps, d);
        const dt = q.t - p.t;
        for (let j = 0; j < x.length; j++) x[j] += dt * d[j];
      }
      ctx.progress((i + 1) / (grid.length - 1));
    }
    return x;
  },
};
