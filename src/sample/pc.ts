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
import { defineSampler, evaluate, walkGrid } from './common.ts';

export const pc = defineSampler({
  name: 'pc',
  summary: 'predictor-corrector: reverse-diffusion predictor + Langevin corrector (--snr)',
  stochastic: true,
  async runOn(xStart, ctx) {
    const { grid, ops } = ctx;
    const { snr, correctorSteps } = ctx.options;
    const x = ops.clone(xStart);
    const xMean = ops.alloc(), s = ops.alloc(), z = ops.alloc();
    /** Langevin corrector at t = p */
    const correct = async (p: (typeof grid)[number], i: number): Promise<typeof p> => {
      const q = grid[i + 1];
      const alphaRatio = q.alpha > 0 ? Math.min(1, p.alpha / q.alpha) : 1; // alpha_{t|s}
      for (let c = 0; c < correctorSteps; c++) {
        await evaluate(ctx, x, p, { score: s });
        ops.fillNormal(z);
        const gn = await ops.meanRowNorm(s);
        if (!(gn > 0)) continue;
        const step = 2 * alphaRatio * alphaRatio * Math.pow((snr * (await ops.meanRowNorm(z))) / gn, 2);
        // a score too small for the SNR rule (|s| ~ 1e-162: the step overflows) cannot size a Langevin move: skip it
        if (!Number.isFinite(step)) continue;
        ops.lin(x, [[1, x], [step, s], [Math.sqrt(2 * step), z]]);
      }
      return p;
    };
    await walkGrid(ctx, x, async (p, q) => {
      // reverse-diffusion predictor from the step's forward transition
      await evaluate(ctx, x, p, { score: s });
      const h = q.logSnr - p.logSnr;
      const var_ = p.sigma * p.sigma * -Math.expm1(-2 * h); // sigma_{t|s}^2
      const aTs = p.alpha / q.alpha; // alpha_{t|s}
      ops.lin(xMean, [[1 - (aTs - 1), x], [var_, s]]);
      ops.copy(x, xMean);
      ops.addNoise(x, Math.sqrt(var_));
    }, correct);
    return grid[grid.length - 1].data ? x : xMean;
  },
});
