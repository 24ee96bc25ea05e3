/**
 * Multistep DPM-Solver++(2M) and (3M) (Lu et al. 2022, "DPM-Solver++", Algorithm 2; data
 * prediction, the reference code's `solver_type='dpmsolver'`). With D_i = x0_hat at grid point i,
 * h = logSnr(t) - logSnr(s), phi_1 = e^{-h} - 1 (expm1):
 *
 *   order 1:  x_t = (sigma_t/sigma_s) x_s - alpha_t phi_1 D_0
 *   order 2:  D1 = (D_0 - D_1)/r0,  r0 = h_0/h
 *             x_t = (sigma_t/sigma_s) x_s - alpha_t phi_1 D_0 - (1/2) alpha_t phi_1 D1
 *   order 3:  D1_0 = (D_0 - D_1)/r0, D1_1 = (D_1 - D_2)/r1, D1 = D1_0 + r0/(r0+r1) (D1_0 - D1_1),
 *             D2 = 2 (D1_0 - D1_1)/(r0 + r1),  phi_2 = phi_1/h + 1,  phi_3 = phi_2/h - 1/2
 *             x_t = (sigma_t/sigma_s) x_s - alpha_t phi_1 D_0 + alpha_t phi_2 D1 - alpha_t phi_3 D2
 *
 * One deliberate difference from dpm-solver's `multistep_dpm_solver_third_update` (3M only; 2M is
 * the reference verbatim): D2 above estimates h^2 D'' (the Taylor term of the exponentially weighted
 * integral is -alpha_t phi_3 h^2 D''), while the reference's D2 = (D1_0 - D1_1)/(r0 + r1) estimates
 * h^2 D''/2 and leaves a local O(h^3) error: measured global order 2.1 with it, 3.0 with ours on the
 * Gaussian test (test/sample/order.test.ts). The reference's halved term is more damped, so it is
 * somewhat more forgiving on very uneven grids at 10..30 steps.
 * Both forms are offered: `--form reference` (the default, {@link DPMPP3M_DEFAULT_FORM}) is
 * dpm-solver's verbatim (reference D2, no start-up corrector; reproduces it to 1e-9,
 * test/sample/reference.test.ts), `--form taylor` ours, described here.
 * The first step is order 1 (reference choice), which alone would leave a global O(h^2) term
 * proportional to alpha(T)/sigma(T) (fitted order 2.78 on ve, logSnr(T) = -3.9). So 3M then corrects
 * x_1 at no cost with the trapezoidal exponential rule x_1 += alpha_1 phi_2(h) (D_1 - D_0), using the
 * evaluation at the predicted x_1 that the second step needs anyway (kept, not re-evaluated: the
 * idea of UniPC's corrector); with it every built-in fits 2.95..2.99.
 *
 * Choices of the reference code (dpm-solver `DPM_Solver.sample`, method 'multistep', and
 * k-diffusion `sample_dpmpp_2m`): the first step is order 1 (and the second order 2 for 3M);
 * lower-order final steps (order min(k, steps + 1 - i)) only when steps < 10; no model evaluation
 * at the final point (nfe = steps); a step ending at sigma = 0 returns the denoised estimate D_0.
 * A zero-SNR history point (logSnr = -infinity, where r would be infinite) lowers the order: the
 * step from alpha = 0 is the order-1 formula's finite limit (sigma_t/sigma_s) x_s + alpha_t D_0.
 */
import { defineSampler, evaluate, phi2Minus, phi3Minus, walkGrid } from './common.ts';
import type { GridPoint } from './steps.ts';
import type { Sampler, SamplerOptions } from './types.ts';

/**
 * The form dpm-solver++3m uses when `--form` is not given: the reference's. Measured by
 * `npx tsx bench/accuracy.ts` then `npx tsx bench/autoTable.ts` (three 2-D mixtures with exact
 * scores, 500 points each, RMS to the exact PF-ODE solution): the geometric mean over the six
 * built-in continuous schemes and the mixtures of RMS(taylor) / RMS(reference) is
 *
 *   steps           5     8     10    15    20
 *   logsnr          1.07  1.18  1.24  1.17  1.09
 *   uniform-t       0.90  0.93  1.67  1.61  1.64
 *   time-quadratic  0.94  0.96  1.16  1.06  0.97
 *
 * The reference form wins 11 of the 15 cells and by more (up to 1.67x; ours by at most 1.11x), so
 * it is the default, although ours has the higher asymptotic order (3.0 vs 2.1): at these step
 * sizes its error constant is larger.
 */
export const DPMPP3M_DEFAULT_FORM: NonNullable<SamplerOptions['form']> = 'reference';

function makeMultistep(maxOrder: 2 | 3): Sampler {
  return defineSampler({
    name: `dpm-solver++${maxOrder}m`,
    summary: `multistep DPM-Solver++(${maxOrder}M) (data prediction; first step order 1)`,
    stochastic: false,
    async runOn(xStart, ctx) {
      const { grid, ops } = ctx;
      const steps = grid.length - 1;
      const referenceForm = (ctx.options.form ?? DPMPP3M_DEFAULT_FORM) === 'reference';
      const x = ops.clone(xStart);
      const D: (typeof x)[] = []; // D[0] newest
      const P: GridPoint[] = [];
      const spare: (typeof x)[] = [];
      return walkGrid(ctx, x, async (p, q, i) => {
        const d = spare.pop() ?? ops.alloc();
        await evaluate(ctx, x, p, { x0: d });
        D.unshift(d);
        P.unshift(p);
        if (D.length > maxOrder) { spare.push(D.pop()!); P.pop(); }
        if (maxOrder === 3 && !referenceForm && i === 1 && Number.isFinite(P[1].logSnr)) {
          // zero-cost start-up corrector: x_1 += alpha_1 phi_2(h) (D_1 - D_0), the trapezoidal exponential
          // rule with the evaluation just made at the predicted x_1 (kept, not re-evaluated)
          const c = p.alpha * phi2Minus(p.logSnr - P[1].logSnr);
          ops.lin(x, [[1, x], [c, D[0]], [-c, D[1]]]);
        }
        const stepIndex = i + 1;
        let order = Math.min(maxOrder, stepIndex);
        if (steps < 10) order = Math.min(order, steps + 1 - stepIndex);
        for (let k = 0; k < order; k++) if (!Number.isFinite(P[k].logSnr)) { order = k === 0 ? 1 : k; break; }
        const h = q.logSnr - p.logSnr;
        const phi1 = Math.expm1(-h);
        const a = q.sigma / p.sigma;
        const b = -q.alpha * phi1;
        if (order === 1) {
          ops.lin(x, [[a, x], [b, D[0]]]);
        } else if (order === 2) {
          // x = a x - alpha phi1 D0 - 0.5 alpha phi1 (D0 - D1)/r0
          const r0 = (P[0].logSnr - P[1].logSnr) / h;
          const c = (0.5 * b) / r0;
          ops.lin(x, [[a, x], [b + c, D[0]], [-c, D[1]]]);
        } else {
          const r0 = (P[0].logSnr - P[1].logSnr) / h;
          const r1 = (P[1].logSnr - P[2].logSnr) / h;
          const phi2 = phi2Minus(h);
          const phi3 = phi3Minus(h);
          // D1_0 = (D0 - D1)/r0, D1_1 = (D1 - D2)/r1; D1 = D1_0 + r0/(r0+r1)(D1_0 - D1_1); D2 = (D1_0 - D1_1)/(r0+r1)
          // x = a x + b D0 + alpha phi2 D1 - alpha phi3 D2, expanded into coefficients of D0, D1, D2
          const A2 = q.alpha * phi2, A3 = q.alpha * phi3;
          const w = r0 / (r0 + r1), v = (referenceForm ? 1 : 2) / (r0 + r1); // v: see the note on D2 above
          // D1 = (1 + w)/r0 D0 - ((1 + w)/r0 + w/r1) D1 + (w/r1) D2
          // D2 =  v/r0 D0 - (v/r0 + v/r1) D1 + (v/r1) D2
          const c0 = b + A2 * ((1 + w) / r0) - A3 * (v / r0);
          const c1 = -A2 * ((1 + w) / r0 + w / r1) + A3 * (v / r0 + v / r1);
          const c2 = A2 * (w / r1) - A3 * (v / r1);
          ops.lin(x, [[a, x], [c0, D[0]], [c1, D[1]], [c2, D[2]]]);
        }
      });
    },
  });
}

export const dpmSolverPlusPlus2m = makeMultistep(2);
export const dpmSolverPlusPlus3m = makeMultistep(3);
