/**
 * Single-step DPM-Solver-1/2/3 (Lu et al. 2022, "DPM-Solver", Algorithms 1-2; noise prediction,
 * the reference code's `solver_type='dpmsolver'`). From s to t, h = logSnr(t) - logSnr(s):
 *
 *   order 1:  x_t = (alpha_t/alpha_s) x_s - sigma_t (e^h - 1) eps_s  =  alpha_t x0_s + sigma_t eps_s
 *   order 2:  u   = alpha_s1 x0_s + sigma_s1 eps_s                          (r1 = (l_s1 - l_s)/h)
 *             x_t = alpha_t x0_s + sigma_t eps_s - sigma_t (e^h - 1)/(2 r1) (eps(u, s1) - eps_s)
 *   order 3:  u1  = alpha_s1 x0_s + sigma_s1 eps_s
 *             u2  = alpha_s2 x0_s + sigma_s2 eps_s - (r2/r1) sigma_s2 phi_22 (eps(u1, s1) - eps_s)
 *             x_t = alpha_t x0_s + sigma_t eps_s - (1/r2) sigma_t phi_2 (eps(u2, s2) - eps_s)
 *             phi_22 = (e^{r2 h} - 1)/(r2 h) - 1,  phi_2 = (e^h - 1)/h - 1
 *
 * The first-order part is written through x0_hat and eps_hat (the same number in exact arithmetic,
 * finite as alpha_s -> 0); e^h - 1 is expm1. Choices of the reference code (dpm-solver
 * `DPM_Solver.sample`, method 'singlestep'): `--steps` counts model evaluations and is split into
 * orders by the "fast" allocation ({@link fastOrders}); with `--spacing logsnr` the K outer steps are
 * uniform in logSnr and the intermediate points sit at r = 1/2 (order 2) or r = 1/3, 2/3 (order 3);
 * with any other spacing the grid of `steps` intervals is cut at the cumulative orders and the
 * intermediate points are the grid points in between (for uniform-t: the reference's
 * `time_uniform` inner steps). A step ending at sigma = 0 is taken one order lower to the last
 * intermediate point followed by the denoised estimate there; a step from zero SNR is
 * {@link zeroSnrStep} of the same order. No final denoising (`denoise_to_zero=False`).
 */
import { defineSampler, evaluate, phi2Plus, zeroSnr, zeroSnrStep } from './common.ts';
import { makeGrid, pointAtLogSnr } from './steps.ts';
import type { GridPoint } from './steps.ts';
import type { OpsContext, Sampler } from './types.ts';

/** DPM-Solver's "fast" split of `steps` model evaluations into single steps of order <= `order`. */
export function fastOrders(steps: number, order: 1 | 2 | 3): number[] {
  const rep = (v: number, k: number): number[] => Array.from({ length: Math.max(0, k) }, () => v);
  if (order === 1) return rep(1, steps);
  if (order === 2) return steps % 2 === 0 ? rep(2, steps / 2) : [...rep(2, (steps - 1) / 2), 1];
  const K = Math.floor(steps / 3) + 1;
  if (steps % 3 === 0) return [...rep(3, K - 2), 2, 1];
  if (steps % 3 === 1) return [...rep(3, K - 1), 1];
  return [...rep(3, K - 1), 2];
}

/** The points [s, s1, (s2), t] of each single step. */
export function singlestepPlan<V>(ctx: OpsContext<V>, order: 1 | 2 | 3): GridPoint[][] {
  const fine = ctx.grid;
  const steps = fine.length - 1;
  const orders = fastOrders(steps, order);
  if (ctx.gridOptions.spacing === 'logsnr' && !ctx.gridOptions.times) {
    const outer = makeGrid(ctx.scheme, { ...ctx.gridOptions, steps: orders.length });
    return orders.map((k, j) => {
      const s = outer[j], t = outer[j + 1];
      const h = t.logSnr - s.logSnr;
      const inner = k === 2 ? [0.5] : k === 3 ? [1 / 3, 2 / 3] : [];
      const mids = Number.isFinite(h) ? inner.map((r) => pointAtLogSnr(ctx.scheme, s.logSnr + r * h)) : inner.map(() => s);
      return [s, ...mids, t];
    });
  }
  const plan: GridPoint[][] = [];
  let i = 0;
  for (const k of orders) {
    plan.push(fine.slice(i, i + k + 1));
    i += k;
  }
  return plan;
}

/** Work arrays of {@link dpmSolverStep}, allocated once per run. */
interface Scratch<V> {
  readonly x0: V;
  readonly eps: V;
  readonly u: V;
  readonly e1: V;
  /** the lower-order step into the last intermediate point (steps ending at sigma = 0) */
  readonly y: V;
}

/** One single step of DPM-Solver through the points `pts` (order = pts.length - 1), into `out`. */
export async function dpmSolverStep<V>(ctx: OpsContext<V>, x: V, pts: readonly GridPoint[], out: V, w: Scratch<V>): Promise<V> {
  const { ops } = ctx;
  const { x0, eps, u, e1 } = w;
  const order = pts.length - 1;
  const s = pts[0], t = pts[order];
  if (zeroSnr(s)) return zeroSnrStep(ctx, x, s, t, order, out);
  if (t.data) {
    // one order lower to the last intermediate point, then the denoised estimate there
    let y = x;
    if (order > 1) y = await dpmSolverStep(ctx, x, pts.slice(0, order), w.y, w);
    await evaluate(ctx, y, pts[order - 1], { x0 });
    return ops.copy(out, x0);
  }
  await evaluate(ctx, x, s, { x0, eps });
  const h = t.logSnr - s.logSnr;
  if (order === 1) return ops.lin(out, [[t.alpha, x0], [t.sigma, eps]]);
  const s1 = pts[1];
  const r1 = (s1.logSnr - s.logSnr) / h;
  ops.lin(u, [[s1.alpha, x0], [s1.sigma, eps]]);
  await evaluate(ctx, u, s1, { eps: e1 });
  const phi1 = Math.expm1(h);
  if (order === 2) {
    const c = (0.5 / r1) * t.sigma * phi1;
    return ops.lin(out, [[t.alpha, x0], [t.sigma + c, eps], [-c, e1]]);
  }
  const s2 = pts[2];
  const r2 = (s2.logSnr - s.logSnr) / h;
  const phi22 = phi2Plus(r2 * h);
  const phi2 = phi2Plus(h);
  const c1 = (r2 / r1) * s2.sigma * phi22;
  ops.lin(u, [[s2.alpha, x0], [s2.sigma + c1, eps], [-c1, e1]]);
  await evaluate(ctx, u, s2, { eps: e1 });
  const c2 = (1 / r2) * t.sigma * phi2;
  return ops.lin(out, [[t.alpha, x0], [t.sigma + c2, eps], [-c2, e1]]);
}

function makeDpmSolver(order: 1 | 2 | 3): Sampler {
  return defineSampler({
    name: `dpm-solver-${order}`,
    summary: `single-step DPM-Solver-${order} (--steps = model evaluations, "fast" order split)`,
    stochastic: false,
    async runOn(xStart, ctx) {
      const { ops } = ctx;
      const plan = singlestepPlan(ctx, order);
      const w = { x0: ops.alloc(), eps: ops.alloc(), u: ops.alloc(), e1: ops.alloc(), y: ops.alloc() };
      let x = ops.clone(xStart);
      let next = ops.alloc();
      for (let j = 0; j < plan.length; j++) {
        await dpmSolverStep(ctx, x, plan[j], next, w);
        [x, next] = [next, x];
        ctx.progress((j + 1) / plan.length);
      }
      return x;
    },
  });
}

export const dpmSolver1 = makeDpmSolver(1);
export const dpmSolver2 = makeDpmSolver(2);
export const dpmSolver3 = makeDpmSolver(3);
