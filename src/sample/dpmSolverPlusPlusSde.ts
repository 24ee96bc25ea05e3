/**
 * DPM-Solver++(2M) SDE (Lu et al. 2022, "DPM-Solver++", SDE variant; the form of k-diffusion's
 * `sample_dpmpp_2m_sde` with solver_type 'midpoint'), written for any scheme through alpha, sigma:
 * with h = logSnr(t) - logSnr(s), eta >= 0 (default 1),
 *
 *     x_t = (sigma_t/sigma_s) e^{-eta h} x_s + alpha_t (1 - e^{-(1+eta) h}) D_0
 *           + (1/2) alpha_t (1 - e^{-(1+eta) h}) (D_0 - D_1) / r,   r = h_last / h   (from step 2)
 *           + sigma_t sqrt(1 - e^{-2 eta h}) z
 *
 * (on EDM, alpha = 1, this is k-diffusion's update verbatim; for another scheme it is the same update
 * in x/alpha coordinates, multiplied back by alpha_t). eta = 1 with the correction dropped is the
 * DDPM posterior step; eta = 0 is DPM-Solver++(2M). Choices of k-diffusion: first step first order,
 * no lower-order final steps, a step to sigma = 0 returns D_0. A zero-SNR start (h = infinity) gives
 * the finite limit x_t = alpha_t D_0 + sigma_t z for eta > 0 ((sigma_t/sigma_s) x_s + alpha_t D_0 for
 * eta = 0), and no correction follows an infinite h_last.
 */
import { defineSampler, evaluate, walkGrid } from './common.ts';

export const dpmSolverPlusPlus2mSde = defineSampler({
  name: 'dpm-solver++2m-sde',
  summary: 'DPM-Solver++(2M) SDE (k-diffusion midpoint form; --eta, default 1)',
  stochastic: true,
  async runOn(xStart, ctx) {
    const { ops } = ctx;
    const eta = ctx.options.eta ?? 1;
    if (!(eta >= 0) || !Number.isFinite(eta)) throw new Error(`dpm-solver++2m-sde: eta must be finite and >= 0 (value: ${eta})`);
    const x = ops.clone(xStart);
    let d = ops.alloc(), dOld = ops.alloc();
    let hLast = NaN; // logSnr step of the previous interval (NaN before the first)
    return walkGrid(ctx, x, async (p, q) => {
      await evaluate(ctx, x, p, { x0: d });
      const h = q.logSnr - p.logSnr;
      const etaH = eta === 0 ? 0 : eta * h;
      const a = h === Infinity && eta > 0 ? 0 : (q.sigma / p.sigma) * Math.exp(-etaH);
      const b = -q.alpha * Math.expm1(-h - etaH); // alpha_t (1 - e^{-(1+eta)h})
      if (Number.isFinite(hLast) && Number.isFinite(h)) {
        const c = (0.5 * b * h) / hLast; // (1/2) b / r
        ops.lin(x, [[a, x], [b + c, d], [-c, dOld]]);
      } else {
        ops.lin(x, [[a, x], [b, d]]);
      }
      if (eta > 0) ops.addNoise(x, q.sigma * Math.sqrt(-Math.expm1(-2 * etaH)));
      hLast = h;
      [d, dOld] = [dOld, d];
    });
  },
});
