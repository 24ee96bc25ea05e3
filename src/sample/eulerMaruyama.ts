/**
 * Euler-Maruyama for the reverse lambda-family (MATH.md section 3): for any lambda >= 0,
 *
 *     dx = [ f x - (1 + lambda^2)/2 g^2 s ] dt + lambda g dW_bar
 *
 * has the forward marginals; lambda = 1 is the reverse SDE, lambda = 0 the probability-flow ODE.
 * The drift is evaluated in the stable form
 *
 *     f x - (1 + lambda^2)/2 g^2 s = alpha' x0_hat + sigma' eps_hat + (lambda^2/2) (g^2 / sigma) eps_hat
 *
 * (s = -eps/sigma), with coefficients at the start of each step (explicit Euler-Maruyama):
 * x_{i+1} = x_i + dt drift + lambda sqrt(g^2 |dt|) z, dt = t_{i+1} - t_i < 0.
 * Endpoints: a step to sigma = 0 returns x0_hat; at zero terminal SNR (alpha = 0, where f and g^2
 * are infinite and the lambda > 0 reverse SDE forgets x_T at an infinite rate) the first step
 * is the h -> infinity limit of the exact step, x = alpha_s x0_hat + sigma_s z. lambda = 0 is
 * identical to `euler`. The last step adds its noise (no final denoising); one evaluation per step.
 */
import { addNoise, buffer, evaluate, lin2, zeroSnr } from './common.ts';
import type { Sampler } from './types.ts';

export const eulerMaruyama: Sampler = {
  name: 'euler-maruyama',
  summary: 'Euler-Maruyama on the reverse lambda-family (--lambda; 1 = reverse SDE, 0 = PF-ODE)',
  stochastic: true,
  async run(xStart, ctx) {
    const { grid, scheme } = ctx;
    const lambda = ctx.options.lambda;
    if (!(lambda >= 0) || !Number.isFinite(lambda)) throw new Error(`euler-maruyama: lambda must be finite and >= 0 (value: ${lambda})`);
    const x = Float64Array.from(xStart);
    const x0 = buffer(ctx), eps = buffer(ctx);
    for (let i = 0; i + 1 < grid.length; i++) {
      const p = grid[i], q = grid[i + 1];
      if (q.data) {
        await evaluate(ctx, x, p, { x0 });
        x.set(x0);
      } else if (lambda > 0 && zeroSnr(p)) {
        await evaluate(ctx, x, p, { x0 });
        lin2(x, 0, x, q.alpha, x0);
        addNoise(ctx, x, q.sigma);
      } else {
        await evaluate(ctx, x, p, { x0, eps });
        const dt = q.t - p.t;
        const g2 = lambda > 0 ? scheme.g2(p.t) : 0;
        if (!Number.isFinite(g2) || g2 < 0) throw new Error(`euler-maruyama: g2 = ${g2} at t = ${p.t} (scheme ${scheme.name})`);
        const a = scheme.dalpha(p.t) * dt;
        const b = (scheme.dsigma(p.t) + (0.5 * lambda * lambda * g2) / p.sigma) * dt;
        for (let j = 0; j < x.length; j++) x[j] += a * x0[j] + b * eps[j];
        addNoise(ctx, x, lambda * Math.sqrt(g2 * Math.abs(dt)));
      }
      ctx.progress((i + 1) / (grid.length - 1));
    }
    return x;
  },
};
