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
import { defineSampler, driftTerms, evaluate, walkGrid } from './common.ts';

export const euler = defineSampler({
  name: 'euler',
  summary: 'Euler on the probability-flow ODE (first order)',
  stochastic: false,
  async runOn(xStart, ctx) {
    const { ops } = ctx;
    const x = ops.clone(xStart);
    const x0 = ops.alloc(), eps = ops.alloc();
    return walkGrid(ctx, x, async (p, q) => {
      await evaluate(ctx, x, p, { x0, eps });
      ops.lin(x, [[1, x], ...driftTerms(ctx, p, x0, eps, q.t - p.t)]); // x + dt d(x, t)
    });
  },
});
