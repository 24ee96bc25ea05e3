/**
 * Predictor-corrector sampling (Song et al. 2021, "Score-Based Generative Modeling through SDEs",
 * Algorithms 2-3; score_sde `pc_sampler`): at each grid step, first the Langevin corrector at the
 * current time, then the reverse-diffusion predictor to the next time.
 *
 * Corrector (score_sde `LangevinCorrector`, `--snr` r, default 0.16, `correctorSteps` M = 1):
 *     eps_step = 2 a (r |z| / |s|)^2   (|.| = mean over rows of the per-row norm),
 *     x <- x + eps_step s + sqrt(2 eps_step) z,
 * with a = alpha_{t|s}^2 the one-step signal decay (score_sde uses 1 - beta_i for VP, 1 for VE).
 *
 * Predictor (score_sde `ReverseDiffusionPredictor`), from the forward transition of the step:
 * with the discretised forward step x_t = alpha_{t|s} x_s + sigma_{t|s} z,
 *     x_mean = x - (alpha_{t|s} - 1) x + sigma_{t|s}^2 s(x, t),   x = x_mean + sigma_{t|s} z,
 * sigma_{t|s}^2 = sigma_t^2 (1 - e^{-2h}) by expm1 (on VE this is score_sde's sigma_i^2 - sigma_{i-1}^2,
 * on VP its DDPM discretisation). As score_sde with `denoise=True`, the result is x_mean of the last
 * predictor step; a step ending at sigma = 0 returns x0_hat. Each grid step costs M + 1 evaluations.
 */
import { buffer, evaluate } from './common.ts';
import type { Sampler } from './types.ts';

export const pc: Sampler = {
  name: 'pc',
  summary: 'predictor-corrector: reverse-diffusion predictor + Langevin corrector (--snr)',
  stochastic: true,
  async run(xStart, ctx) {
    const { grid, n, dim, rng } = ctx;
    const { snr, correctorSteps } = ctx.options;
    const steps = grid.length - 1;
    const x = Float64Array.from(xStart);
    const xMean = buffer(ctx), s = buffer(ctx), z = buffer(ctx), x0 = buffer(ctx);
    const meanRowNorm = (v: Float64Array): number => {
      let acc = 0;
      for (let r = 0; r < n; r++) {
        let q = 0;
        for (let j = 0; j < dim; j++) q += v[r * dim + j] * v[r * dim + j];
        acc += Math.sqrt(q);
      }
      return acc / n;
    };
    for (let i = 0; i < steps; i++) {
      const p = grid[i], q = grid[i + 1];
      const alphaRatio = q.alpha > 0 ? Math.min(1, p.alpha / q.alpha) : 1; // alpha_{t|s}
      // Langevin corrector at t = p
      for (let c = 0; c < correctorSteps; c++) {
        await evaluate(ctx, x, p, { score: s });
        rng.fillNormal(z);
        const gn = meanRowNorm(s);
        if (!(gn > 0)) continue;
        const step = 2 * alphaRatio * alphaRatio * Math.pow((snr * meanRowNorm(z)) / gn, 2);
        const noise = Math.sqrt(2 * step);
        for (let j = 0; j < x.length; j++) x[j] += step * s[j] + noise * z[j];
      }
      if (q.data) {
        await evaluate(ctx, x, p, { x0 });
        x.set(x0);
        xMean.set(x0);
      } else {
        // reverse-diffusion predictor from the step's forward transition
        await evaluate(ctx, x, p, { score: s });
        const h = q.logSnr - p.logSnr;
        const var_ = p.sigma * p.sigma * -Math.expm1(-2 * h); // sigma_{t|s}^2
        const aTs = p.alpha / q.alpha; // alpha_{t|s}
        for (let j = 0; j < x.length; j++) {
          const m = x[j] - (aTs - 1) * x[j] + var_ * s[j];
          xMean[j] = m;
          x[j] = m + Math.sqrt(var_) * rng.normal();
        }
      }
      ctx.progress((i + 1) / steps);
    }
    return xMean;
  },
};
