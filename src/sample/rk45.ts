/**
 * Adaptive Dormand-Prince RK5(4) (Dormand and Prince 1980; FSAL, 7 stages, 6 new evaluations per
 * attempted step) for the probability-flow ODE dx/dt = alpha'(t) x0_hat + sigma'(t) eps_hat,
 * integrated from the first grid point to the last one with sigma > 0, as score_sde's ODE sampler
 * does with scipy's `solve_ivp(method='RK45')`: the whole batch is one system, the error norm is the
 * RMS of err_i / (atol + rtol max(|y_i|, |y_new_i|)), the step factor is 0.9 err^(-1/5) clamped to
 * [0.2, 10] (no growth right after a rejection), and the first step follows Hairer's selection
 * (one extra evaluation). `--steps` and `--spacing` only fix the end points; a grid ending at
 * sigma = 0 adds one evaluation for the denoised estimate. nfe counts every evaluation made.
 */
import { defineSampler, driftTerms, evaluate } from './common.ts';
import type { Term } from './ops.ts';
import { pointAt } from './steps.ts';
import type { OpsContext } from './types.ts';

const C = [0, 1 / 5, 3 / 10, 4 / 5, 8 / 9, 1];
const A: number[][] = [
  [],
  [1 / 5],
  [3 / 40, 9 / 40],
  [44 / 45, -56 / 15, 32 / 9],
  [19372 / 6561, -25360 / 2187, 64448 / 6561, -212 / 729],
  [9017 / 3168, -355 / 33, 46732 / 5247, 49 / 176, -5103 / 18656],
];
/** fifth-order weights (also the FSAL stage) */
const B = [35 / 384, 0, 500 / 1113, 125 / 192, -2187 / 6784, 11 / 84, 0];
/** b - b_hat (fifth minus embedded fourth order) */
const E = [71 / 57600, 0, -71 / 16695, 71 / 1920, -17253 / 339200, 22 / 525, -1 / 40];

/** Largest number of model evaluations before rk45 gives up. */
export const RK45_MAX_NFE = 100_000;

export const rk45 = defineSampler({
  name: 'rk45',
  summary: 'adaptive Dormand-Prince RK45 on the probability-flow ODE (--rtol, --atol)',
  stochastic: false,
  async runOn(xStart, ctx) {
    const { grid, scheme, ops } = ctx;
    const { rtol, atol } = ctx.options;
    if (!(rtol > 0) || !(atol > 0)) throw new Error(`rk45: rtol and atol must be > 0 (rtol = ${rtol}, atol = ${atol})`);
    const last = grid[grid.length - 1];
    const endPoint = last.data ? grid[grid.length - 2] : last;
    const t0 = grid[0].t;
    const t1 = endPoint.t;
    const x0 = ops.alloc(), eps = ops.alloc();
    const f = async (t: number, y: typeof xStart, out: typeof xStart): Promise<void> => {
      if (ops.nfe > RK45_MAX_NFE) throw new Error(`rk45: more than ${RK45_MAX_NFE} model evaluations; loosen --rtol/--atol`);
      const p = pointAt(scheme, t);
      await evaluate(ctx, y, p, { x0, eps });
      ops.lin(out, driftTerms(ctx, p, x0, eps));
    };
    let y = ops.clone(xStart);
    if (t1 < t0) y = await integrate(ctx, f, y, t0, t1, rtol, atol);
    if (last.data) {
      await evaluate(ctx, y, endPoint, { x0 });
      ops.copy(y, x0);
    }
    ctx.progress(1);
    return y;
  },
});

type Rhs<V> = (t: number, y: V, out: V) => Promise<void>;

/** y + sum_j h w_j K_j as terms of a linear combination */
function tableauTerms<V>(y: V | null, h: number, w: readonly number[], K: readonly V[]): Term<V>[] {
  const terms: Term<V>[] = y === null ? [] : [[1, y]];
  w.forEach((wj, j) => { if (wj !== 0) terms.push([h * wj, K[j]]); });
  return terms;
}

async function integrate<V>(ctx: OpsContext<V>, f: Rhs<V>, yStart: V, tStart: number, tEnd: number, rtol: number, atol: number): Promise<V> {
  const { ops } = ctx;
  const dir = Math.sign(tEnd - tStart);
  const span = Math.abs(tEnd - tStart);
  const K = Array.from({ length: 7 }, () => ops.alloc());
  let y = yStart;
  let yNew = ops.alloc();
  const tmp = ops.alloc();
  let t = tStart;
  await f(t, y, K[0]);
  // Hairer's initial step
  let h: number;
  {
    const d0 = await ops.rmsScaled(y, y, null, rtol, atol);
    const d1 = await ops.rmsScaled(K[0], y, null, rtol, atol);
    const h0 = d0 < 1e-5 || d1 < 1e-5 ? 1e-6 : (0.01 * d0) / d1;
    const hh = Math.min(h0, span);
    ops.lin(tmp, [[1, y], [dir * hh, K[0]]]);
    await f(t + dir * hh, tmp, K[1]);
    ops.lin(K[1], [[1, K[1]], [-1, K[0]]]);
    const d2 = (await ops.rmsScaled(K[1], y, null, rtol, atol)) / hh;
    const h1 = Math.max(d1, d2) <= 1e-15 ? Math.max(1e-6, hh * 1e-3) : Math.pow(0.01 / Math.max(d1, d2), 1 / 5);
    h = Math.min(100 * hh, h1, span);
  }
  const err = ops.alloc();
  let rejected = false;
  while (dir * (tEnd - t) > 0) {
    if (h < 1e-14 * Math.max(1, Math.abs(t))) throw new Error(`rk45: step size underflow at t = ${t}`);
    let last = false;
    if (h >= Math.abs(tEnd - t)) { h = Math.abs(tEnd - t); last = true; }
    const hs = dir * h;
    for (let s = 1; s < 6; s++) {
      ops.lin(tmp, tableauTerms(y, hs, A[s], K));
      await f(t + C[s] * hs, tmp, K[s]);
    }
    ops.lin(yNew, tableauTerms(y, hs, B.slice(0, 6), K));
    const tNew = last ? tEnd : t + hs;
    await f(tNew, yNew, K[6]);
    ops.lin(err, tableauTerms(null, hs, E, K));
    const en = await ops.rmsScaled(err, y, yNew, rtol, atol);
    if (en <= 1) {
      const factor = en === 0 ? 10 : Math.min(10, 0.9 * Math.pow(en, -1 / 5));
      t = tNew;
      [y, yNew] = [yNew, y];
      [K[0], K[6]] = [K[6], K[0]]; // FSAL
      h *= rejected ? Math.min(1, factor) : factor;
      rejected = false;
      ctx.progress(Math.min(0.999, Math.abs(t - tStart) / span));
    } else {
      h *= Math.max(0.2, 0.9 * Math.pow(en, -1 / 5));
      rejected = true;
    }
  }
  return y;
}
