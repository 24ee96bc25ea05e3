/**
 * UniPC (Zhao et al. 2023, "UniPC: A Unified Predictor-Corrector Framework for Fast Sampling of
 * Diffusion Models"; multistep, data prediction, Algorithms 2-3 with B(h) = h (bh1) or e^h - 1
 * (bh2)). With D_i = x0_hat at the history points s_0 (newest), s_1, ..., h = logSnr(t) - logSnr(s_0),
 * r_k = (logSnr(s_k) - logSnr(s_0))/h, D1_k = (D_k - D_0)/r_k and hh = -h:
 *
 *   x_t^pred = (sigma_t/sigma_0) x - alpha_t (e^{hh} - 1) D_0 - alpha_t B(h) sum_k rho^p_k D1_k   (UniP)
 *   x_t^corr = (sigma_t/sigma_0) x - alpha_t (e^{hh} - 1) D_0
 *              - alpha_t B(h) (sum_k rho^c_k D1_k + rho^c_p (D(x_t^pred) - D_0))           (UniC)
 *
 * where rho solves R rho = b with R_ik = r_k^(i-1) (r_p = 1 for the new point) and
 * b_i = i! psi_{i+1}(hh) / B(h), psi_{i+1}(x) = (e^x - sum_{j<=i} x^j/j!)/x^i (eq. 8-9 of the paper; the
 * predictor drops the last row and column). Order 2 uses rho^p = 1/2, order 1 rho^c = 1/2 (the
 * paper's and the reference's simplification). The corrector reuses the evaluation at x_t^pred as
 * the history value at t: no extra model evaluation, nfe = steps.
 *
 * Choices of the reference (wl-zhao/UniPC `uni_pc.py`, `UniPC.sample`, method 'multistep',
 * `lower_order_final=True`, no `denoise_to_zero`): warm-up step i uses order i; step i of n uses order
 * min(order, i, n + 1 - i); no corrector after the last step (whose evaluation would be wasted).
 * The final order-1 step caps the global order at 2 (fitted 1.94 on every built-in); with
 * `lowerOrderFinal: false` (`--lower-order-final off`) every step after the warm-up has the full
 * order and the fitted global order is 3 (test/sample/order.test.ts).
 * Endpoints (ours): a step ending at sigma = 0 returns the last denoised estimate D_0 (no extra
 * evaluation); a history point at zero SNR (logSnr = -infinity, where r_k is undefined) lowers the
 * order, and a step from it is the order-1 formula's finite limit (sigma_t/sigma_0) x + alpha_t D_0
 * without corrector (bh1's B(h) = h is infinite there).
 * `--order` 1..3 (default 3), `--variant bh1|bh2` (default bh2).
 */
import { defineSampler, evaluate, mergeTerms } from './common.ts';
import type { GridPoint } from './steps.ts';
import type { Term } from './ops.ts';
import type { Sampler } from './types.ts';

/** psi_{i+1}(x) = (e^x - sum_{j=0}^{i} x^j/j!)/x^i for i >= 1, by its series when |x| < 1 (no cancellation). */
export function expRemainder(x: number, i: number): number {
  if (Math.abs(x) < 1) {
    let fact = 1;
    for (let j = 1; j <= i + 1; j++) fact *= j; // (i+1)!
    let sum = 0;
    let term = 1 / fact;
    for (let m = 1; m < 40 && Math.abs(term) > 1e-18 * Math.abs(sum); m++) {
      sum += term;
      term *= x / (i + m + 1);
    }
    return x * sum; // sum_{m >= 1} x^m / (i + m)!
  }
  // the reference's recursion psi_{k+1} = psi_k / x - 1/k!, from psi_1 = (e^x - 1)/x ... here from x^0
  let psi = Math.expm1(x) / x - 1; // psi_2
  let fact = 1;
  for (let k = 2; k <= i; k++) { fact *= k; psi = psi / x - 1 / fact; }
  return psi;
}

/** Solve the small dense system A rho = b (Gaussian elimination with partial pivoting). */
export function solveSmall(A: number[][], b: number[]): number[] {
  const n = b.length;
  const M = A.map((row, i) => [...row.slice(0, n), b[i]]);
  for (let c = 0; c < n; c++) {
    let piv = c;
    for (let r = c + 1; r < n; r++) if (Math.abs(M[r][c]) > Math.abs(M[piv][c])) piv = r;
    [M[c], M[piv]] = [M[piv], M[c]];
    if (M[c][c] === 0) throw new Error('unipc: singular coefficient system (repeated grid points?)');
    for (let r = c + 1; r < n; r++) {
      const f = M[r][c] / M[c][c];
      for (let k = c; k <= n; k++) M[r][k] -= f * M[c][k];
    }
  }
  const x = new Array<number>(n).fill(0);
  for (let r = n - 1; r >= 0; r--) {
    let s = M[r][n];
    for (let k = r + 1; k < n; k++) s -= M[r][k] * x[k];
    x[r] = s / M[r][r];
  }
  return x;
}

/** UniPC's coefficients for one step of `order` from the history logSnrs (newest first) to logSnr t. */
export function unipcCoefficients(hist: readonly number[], lT: number, order: number, variant: 'bh1' | 'bh2'): {
  rks: number[]; rhoP: number[]; rhoC: number[]; Bh: number; hPhi1: number;
} {
  const h = lT - hist[0];
  const hh = -h; // data prediction
  const rks: number[] = [];
  for (let k = 1; k < order; k++) rks.push((hist[k] - hist[0]) / h);
  const Bh = variant === 'bh1' ? hh : Math.expm1(hh);
  const all = [...rks, 1];
  const R: number[][] = [];
  const b: number[] = [];
  let fact = 1;
  for (let i = 1; i <= order; i++) {
    R.push(all.map((r) => r ** (i - 1)));
    b.push((expRemainder(hh, i) * fact) / Bh);
    fact *= i + 1;
  }
  const rhoP = order === 2 ? [0.5] : order > 2 ? solveSmall(R.slice(0, -1).map((row) => row.slice(0, -1)), b.slice(0, -1)) : [];
  const rhoC = order === 1 ? [0.5] : solveSmall(R, b);
  return { rks, rhoP, rhoC, Bh, hPhi1: Math.expm1(hh) };
}

export const unipc: Sampler = defineSampler({
  name: 'unipc',
  summary: 'UniPC multistep (data prediction, UniC corrector reusing the next evaluation; --order 1..3, --variant bh1|bh2)',
  stochastic: false,
  async runOn(xStart, ctx) {
    const { grid, ops } = ctx;
    const maxOrder = ctx.options.order ?? 3;
    const variant = ctx.options.variant ?? 'bh2';
    const lowerOrderFinal = ctx.options.lowerOrderFinal ?? true;
    if (![1, 2, 3].includes(maxOrder)) throw new Error(`unipc: order must be 1, 2 or 3 (got ${maxOrder})`);
    const steps = grid.length - 1;
    let x = ops.clone(xStart);
    let xNext = ops.alloc();
    const D: (typeof x)[] = []; // D[0] newest
    const P: GridPoint[] = [];
    const spare: (typeof x)[] = [];
    const push = (d: typeof x, p: GridPoint): void => {
      D.unshift(d); P.unshift(p);
      if (D.length > maxOrder) { spare.push(D.pop()!); P.pop(); }
    };
    const d0 = ops.alloc();
    await evaluate(ctx, x, grid[0], { x0: d0 });
    push(d0, grid[0]);
    for (let i = 1; i <= steps; i++) {
      const q = grid[i];
      const last = i === steps;
      if (q.data) {
        ops.copy(x, D[0]); // the denoised estimate at the last point (evaluated there already)
        ctx.progress(i / steps);
        continue;
      }
      let order = Math.min(maxOrder, i, lowerOrderFinal ? steps + 1 - i : maxOrder);
      for (let k = 0; k < order; k++) if (!Number.isFinite(P[k].logSnr)) { order = Math.max(1, k); break; }
      const finite = Number.isFinite(P[0].logSnr);
      const a = q.sigma / P[0].sigma;
      if (!finite) {
        // from zero SNR: the order-1 limit (sigma_t/sigma_0) x + alpha_t D_0, no corrector
        ops.lin(xNext, [[a, x], [q.alpha, D[0]]]);
        [x, xNext] = [xNext, x];
        if (!last) { const d = spare.pop() ?? ops.alloc(); await evaluate(ctx, x, q, { x0: d }); push(d, q); }
        ctx.progress(i / steps);
        continue;
      }
      const { rks, rhoP, rhoC, Bh, hPhi1 } = unipcCoefficients(P.map((p) => p.logSnr), q.logSnr, order, variant);
      // base terms: (sigma_t/sigma_0) x - alpha_t hPhi1 D_0, then - alpha_t B(h) sum_k rho_k (D_k - D_0)/r_k
      const base: Term<typeof x>[] = [[a, x], [-q.alpha * hPhi1, D[0]]];
      const diffTerms = (rho: readonly number[]): Term<typeof x>[] => {
        const t: Term<typeof x>[] = [];
        let c0 = 0;
        rho.forEach((r, k) => {
          const c = (-q.alpha * Bh * r) / rks[k];
          t.push([c, D[k + 1]]);
          c0 -= c;
        });
        return [...t, [c0, D[0]]];
      };
      ops.lin(xNext, mergeTerms([...base, ...diffTerms(rhoP.slice(0, rks.length))]));
      if (!last) {
        const dT = spare.pop() ?? ops.alloc();
        await evaluate(ctx, xNext, q, { x0: dT });
        // UniC: corrected x_t with the evaluation at the predicted point (kept as the history value)
        const cT = -q.alpha * Bh * rhoC[rhoC.length - 1];
        ops.lin(xNext, mergeTerms([...base, ...diffTerms(rhoC.slice(0, rks.length)), [cT, dT], [-cT, D[0]]]));
        push(dT, q);
      }
      [x, xNext] = [xNext, x];
      ctx.progress(i / steps);
    }
    return x;
  },
});
