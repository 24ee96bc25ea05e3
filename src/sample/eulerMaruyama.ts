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
import { defineSampler, driftTerms, evaluate, walkGrid, zeroSnr } from './common.ts';

export const eulerMaruyama = defineSampler({
  name: 'euler-maruyama',
  summary: 'Euler-Maruyama on the reverse lambda-family (--lambda; 1 = reverse SDE, 0 = PF-ODE)',
  stochastic: true,
  async runOn(xStart, ctx) {
    const { scheme, ops } = ctx;
    const lambda = ctx.options.lambda;
    if (!(lambda >= 0) || !Number.isFinite(lambda)) throw new Error(`euler-maruyama: lambda must be finite and >= 0 (value: ${lambda})`);
    const x = ops.clone(xStart);
    const x0 = ops.alloc(), eps = ops.alloc();
    return walkGrid(ctx, x, async (p, q) => {
      if (lambda > 0 && zeroSnr(p)) {
        await evaluate(ctx, x, p, { x0 });
        ops.lin(x, [[q.alpha, x0]]);
        ops.addNoise(x, q.sigma);
        return;
      }
      await evaluate(ctx, x, p, { x0, eps });
      const dt = q.t - p.t;
      const g2 = lambda > 0 ? scheme.g2(p.t) : 0;
      if (!Number.isFinite(g2) || g2 < 0) throw new Error(`euler-maruyama: g2 = ${g2} at t = ${p.t} (scheme ${scheme.name})`);
      // x + dt [alpha' x0 + (sigma' + (lambda^2/2) g^2 / sigma) eps] + lambda sqrt(g^2 |dt|) z
      const [[a], [b]] = driftTerms(ctx, p, x0, eps);
      ops.lin(x, [[1, x], [a * dt, x0], [(b + (0.5 * lambda * lambda * g2) / p.sigma) * dt, eps]]);
      ops.addNoise(x, lambda * Math.sqrt(g2 * Math.abs(dt)));
    });
  },
});
