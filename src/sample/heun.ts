/**
 * Heun's second-order method for the probability-flow ODE, EDM Algorithms 1 and 2 (Karras et al.
 * 2022), integrated in t with the stable drift d(x, t) = alpha'(t) x0_hat + sigma'(t) eps_hat:
 *
 *     (churn)   gamma_i = min(S_churn / N, sqrt(2) - 1) if S_tmin <= sigma_i <= S_tmax else 0,
 *               t_hat: VE sigma raised to (1 + gamma_i) sigma_i, x_hat = x_i forwarded to t_hat
 *               by the exact transition with noise S_noise z
 *     d_i       = d(x_hat, t_hat)
 *     x_{i+1}   = x_hat + (t_{i+1} - t_hat) d_i                       (Euler predictor)
 *     x_{i+1}   = x_hat + (t_{i+1} - t_hat) (d_i + d(x_{i+1}, t_{i+1})) / 2   (trapezoid corrector)
 *
 * Choices of the reference implementations (EDM `generate.py`, k-diffusion `sample_heun`): the step
 * into sigma = 0 is a single Euler step (which returns the denoised estimate), so a Karras grid of
 * n points costs 2n - 1 evaluations; N in S_churn / N is the number of steps. For a general scheme
 * "sigma_i" is the VE-equivalent sigma / alpha and the churn is the forward transition from t_i to
 * t_hat (on EDM: x_hat = x + sqrt(t_hat^2 - t^2) S_noise z); t_hat is clamped to T.
 */
import { defineSampler, driftTerms, evaluate, walkGrid } from './common.ts';
import { pointAtLogSnr } from './steps.ts';
import type { GridPoint } from './steps.ts';
import type { OpsContext } from './types.ts';

/** EDM's churn: returns the raised point and writes x_hat into x (in place). */
export function churn<V>(ctx: OpsContext<V>, x: V, p: GridPoint, steps: number): GridPoint {
  const { sChurn, sTmin, sTmax, sNoise } = ctx.options.churn;
  if (sChurn <= 0 || p.data || !Number.isFinite(p.logSnr)) return p;
  const sigmaVe = Math.exp(-p.logSnr);
  if (!(sTmin <= sigmaVe && sigmaVe <= sTmax)) return p;
  const gamma = Math.min(sChurn / steps, Math.SQRT2 - 1);
  if (gamma <= 0) return p;
  const hat = pointAtLogSnr(ctx.scheme, p.logSnr - Math.log1p(gamma));
  if (hat.t <= p.t) return p;
  // exact forward transition p -> hat: alpha_{hat|p} = alpha_hat / alpha_p, sigma^2 = sigma_hat^2 (1 - e^{-2h})
  const h = p.logSnr - hat.logSnr;
  ctx.ops.lin(x, [[hat.alpha / p.alpha, x]]);
  ctx.ops.addNoise(x, hat.sigma * Math.sqrt(-Math.expm1(-2 * h)) * sNoise);
  return hat;
}

export const heun = defineSampler({
  name: 'heun',
  summary: 'Heun (EDM Algorithm 1/2, second order, optional churn); last step Euler to sigma = 0',
  stochastic: true,
  async runOn(xStart, ctx) {
    const { ops } = ctx;
    const steps = ctx.grid.length - 1;
    const x = ops.clone(xStart);
    const x0 = ops.alloc(), eps = ops.alloc(), d = ops.alloc(), xNext = ops.alloc();
    return walkGrid(ctx, x, async (p, q) => {
      const dt = q.t - p.t;
      await evaluate(ctx, x, p, { x0, eps });
      ops.lin(d, driftTerms(ctx, p, x0, eps)); // d_i
      ops.lin(xNext, [[1, x], [dt, d]]); // Euler predictor
      await evaluate(ctx, xNext, q, { x0, eps });
      ops.lin(x, [[1, x], [0.5 * dt, d], ...driftTerms(ctx, q, x0, eps, 0.5 * dt)]); // trapezoid
    }, async (p) => churn(ctx, x, p, steps));
  },
});
