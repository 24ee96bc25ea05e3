/**
 * Shared pieces of the samplers: model evaluation at a grid point, the walk over the grid with its
 * endpoint rule, the PF-ODE drift in its stable form, the first-order exponential step from a
 * zero-SNR start, and the phi functions of the exponential integrators. Everything is generic in
 * the array type V of {@link VectorOps}.
 */
import type { NoiseLevel } from '../score/model.ts';
import { HostOps } from './hostOps.ts';
import type { Term, Views } from './ops.ts';
import { pointAtLogSnr } from './steps.ts';
import type { GridPoint } from './steps.ts';
import type { OpsContext, Sampler, SamplerAlgorithm } from './types.ts';

/** A sampler from its algorithm: `run` is `runOn` over host float64 arrays. */
export function defineSampler(alg: SamplerAlgorithm): Sampler {
  return {
    name: alg.name,
    summary: alg.summary,
    stochastic: alg.stochastic,
    runOn: (x, ctx) => alg.runOn(x, ctx),
    run: (x, ctx) => alg.runOn(x, { ...ctx, ops: new HostOps(ctx.model, ctx.rng, ctx.n, ctx.dim) }),
  };
}

/** The noise level of a grid point. */
export function level(p: GridPoint): NoiseLevel {
  return { t: p.t, alpha: p.alpha, sigma: p.sigma };
}

/** One model evaluation at grid point p, filling the requested views. */
export function evaluate<V>(ctx: OpsContext<V>, x: V, p: GridPoint, want: Views<V>): Promise<void> {
  return ctx.ops.evaluate(x, level(p), want);
}

/**
 * Walk the grid interval by interval, updating x in place. `prepare` may move the start of an
 * interval first (heun's churn, pc's corrector). An interval ending at the data point (sigma = 0)
 * sets x to the denoised estimate x0_hat at its start (MATH.md endpoints: no log(0), no 0/0);
 * every other interval is `step(p, q, i)`. Reports progress after each interval.
 */
export async function walkGrid<V>(
  ctx: OpsContext<V>, x: V,
  step: (p: GridPoint, q: GridPoint, i: number) => Promise<void>,
  prepare?: (p: GridPoint, i: number) => Promise<GridPoint>,
): Promise<V> {
  const { grid, ops } = ctx;
  const steps = grid.length - 1;
  let x0: V | undefined;
  for (let i = 0; i < steps; i++) {
    const p = prepare ? await prepare(grid[i], i) : grid[i];
    const q = grid[i + 1];
    if (q.data) {
      x0 ??= ops.alloc();
      await evaluate(ctx, x, p, { x0 });
      ops.copy(x, x0);
    } else {
      await step(p, q, i);
    }
    ctx.progress((i + 1) / steps);
  }
  return x;
}

/**
 * {@link walkGrid} for the eps-multistep samplers (deis, ipndm): each interval evaluates x0_hat and
 * eps_hat at its start and hands `step` the last `keep` eps_hat values and their points, newest first.
 */
export function walkWithEpsHistory<V>(
  ctx: OpsContext<V>, x: V, keep: number,
  step: (p: GridPoint, q: GridPoint, i: number, x0: V, E: readonly V[], P: readonly GridPoint[]) => void,
): Promise<V> {
  const { ops } = ctx;
  const x0 = ops.alloc();
  const E: V[] = [];
  const P: GridPoint[] = [];
  const spare: V[] = [];
  return walkGrid(ctx, x, async (p, q, i) => {
    const eps = spare.pop() ?? ops.alloc();
    await evaluate(ctx, x, p, { x0, eps });
    E.unshift(eps); P.unshift(p);
    if (E.length > keep) { spare.push(E.pop()!); P.pop(); }
    step(p, q, i, x0, E, P);
  });
}

/**
 * dt times the PF-ODE drift in the stable form dx/dt = alpha'(t) x0_hat + sigma'(t) eps_hat (equal
 * to f x - g^2 s / 2, MATH.md section 3, and finite at alpha = 0), as terms of a linear combination.
 */
export function driftTerms<V>(ctx: OpsContext<V>, p: GridPoint, x0: V, eps: V, dt = 1): Term<V>[] {
  return [[dt * ctx.scheme.dalpha(p.t), x0], [dt * ctx.scheme.dsigma(p.t), eps]];
}

/** The terms with the coefficients of repeated arrays added up (one read per array). */
export function mergeTerms<V>(terms: readonly Term<V>[]): Term<V>[] {
  const out: [number, V][] = [];
  for (const [c, y] of terms) {
    const e = out.find((o) => o[1] === y);
    if (e) e[0] += c; else out.push([c, y]);
  }
  return out;
}

/** True when a step starts at zero SNR (alpha = 0), where logSnr-based formulas have h = infinity. */
export function zeroSnr(p: GridPoint): boolean {
  return p.logSnr === -Infinity;
}

/**
 * A step of order 1..3 from a zero-SNR point s (alpha_s = 0) to t, as an explicit Runge-Kutta step
 * of the PF-ODE in DDIM's coordinates u = alpha/sigma, xbar = x/sigma, where it reads
 * d xbar / d u = x0_hat and is regular at u = 0 (the exponential integrators' logSnr = log u is not).
 * Order 1 is DDIM (Euler in u); order 2 the midpoint rule; order 3 Heun's third-order rule
 * (c = 0, 1/3, 2/3; b = 1/4, 0, 3/4). Costs `order` model evaluations (1 when t is the data point:
 * the denoised estimate).
 */
export async function zeroSnrStep<V>(ctx: OpsContext<V>, x: V, s: GridPoint, t: GridPoint, order: number, out: V): Promise<V> {
  const { ops } = ctx;
  const k1 = ops.alloc();
  await evaluate(ctx, x, s, { x0: k1 });
  if (t.data) return ops.copy(out, k1);
  const uT = t.alpha / t.sigma;
  const xbar = ops.lin(ops.alloc(), [[1 / s.sigma, x]]);
  if (order <= 1) return ops.lin(out, [[t.sigma, xbar], [t.alpha, k1]]);
  const tmp = ops.alloc();
  /** x0_hat at the stage u = frac uT, from x = sigma (xbar + c k) */
  const stage = async (frac: number, c: number, k: V): Promise<V> => {
    const p = pointAtLogSnr(ctx.scheme, Math.log(frac * uT));
    ops.lin(tmp, [[p.sigma, xbar], [p.sigma * c, k]]);
    const kOut = ops.alloc();
    await evaluate(ctx, tmp, p, { x0: kOut });
    return kOut;
  };
  if (order === 2) {
    const k2 = await stage(0.5, 0.5 * uT, k1);
    return ops.lin(out, [[t.sigma, xbar], [t.sigma * uT, k2]]);
  }
  const k2 = await stage(1 / 3, uT / 3, k1);
  const k3 = await stage(2 / 3, (2 * uT) / 3, k2);
  return ops.lin(out, [[t.sigma, xbar], [t.sigma * uT * 0.25, k1], [t.sigma * uT * 0.75, k3]]);
}

/** (e^{-h} - 1)/h + 1 = h/2 - h^2/6 + ..., without cancellation for small h (DPM-Solver++ phi_2). */
export function phi2Minus(h: number): number {
  if (Math.abs(h) < 1e-2) return h * (1 / 2 - h * (1 / 6 - h * (1 / 24 - h * (1 / 120 - h * (1 / 720 - h / 5040)))));
  return Math.expm1(-h) / h + 1;
}

/** phi_2/h - 1/2 = -h/6 + h^2/24 - ..., without cancellation for small h (DPM-Solver++ phi_3). */
export function phi3Minus(h: number): number {
  if (Math.abs(h) < 1e-2) return -h * (1 / 6 - h * (1 / 24 - h * (1 / 120 - h * (1 / 720 - h * (1 / 5040 - h / 40320)))));
  return phi2Minus(h) / h - 0.5;
}

/** (e^h - 1)/h - 1 = h/2 + h^2/6 + ..., without cancellation for small h (DPM-Solver phi_2). */
export function phi2Plus(h: number): number {
  if (Math.abs(h) < 1e-2) return h * (1 / 2 + h * (1 / 6 + h * (1 / 24 + h * (1 / 120 + h * (1 / 720 + h / 5040)))));
  return Math.expm1(h) / h - 1;
}
