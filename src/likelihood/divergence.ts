/**
 * The score and its divergence div_x s(x, t) for the likelihood ODE (MATH.md section 5).
 *
 * - Models that can differentiate themselves (TensorFlow.js networks, src/score/neural.ts) use
 *   autodiff: exact (D vector-Jacobian products in one replicated batch) or Hutchinson's
 *   estimator E_z[z^T (ds/dx) z] with Rademacher z (Hutchinson 1989; FFJORD, Grathwohl et al. 2019).
 * - Host float64 models (e.g. the exact mixture score) use central differences in float64,
 *   (s(x + h e_j) - s(x - h e_j))_j / 2h, or along z for Hutchinson; with h = 1e-5 max(1, |x|)
 *   the O(h^2) truncation and O(eps/h) rounding errors are ~1e-9 relative, far below ODE tolerances.
 */
import { convertViews } from '../reverse/parameterization.ts';
import type { NoiseLevel, ScoreModel } from '../score/model.ts';
import { isDifferentiable, type DivergenceMode } from '../score/neural.ts';
import type { Rng } from '../rng.ts';

export type { DivergenceMode } from '../score/neural.ts';

/** Rademacher probe vectors (entries +-1), one per row, kept fixed along an ODE solve. */
export function rademacher(rng: Rng, len: number): Float64Array {
  const z = new Float64Array(len);
  for (let i = 0; i < len; i++) z[i] = rng.uniform() < 0.5 ? -1 : 1;
  return z;
}

async function hostScore(model: ScoreModel, x: Float64Array, n: number, at: NoiseLevel, out: Float64Array, native: Float64Array): Promise<void> {
  await model.predict(x, n, at, native);
  convertViews(model.parameterization, x, native, at, { score: out }, n * model.dim);
}

/** Fill `score` (n x D) and `div` (n) at noise level `at`. */
export async function scoreAndDivergence(model: ScoreModel, x: Float64Array, n: number, at: NoiseLevel, mode: DivergenceMode, score: Float64Array, div: Float64Array): Promise<void> {
  if (isDifferentiable(model)) return model.scoreAndDivergence(x, n, at, mode, score, div);
  const D = model.dim, len = n * D;
  const native = new Float64Array(len), xp = new Float64Array(len), xm = new Float64Array(len);
  const sp = new Float64Array(len), sm = new Float64Array(len);
  await hostScore(model, x, n, at, score, native);
  div.fill(0, 0, n);
  if (mode.kind === 'hutchinson') {
    const h = new Float64Array(n);
    for (let i = 0; i < n; i++) {
      let r2 = 0;
      for (let j = 0; j < D; j++) r2 += x[i * D + j] ** 2;
      h[i] = 1e-5 * Math.max(1, Math.sqrt(r2 / D));
      for (let j = 0; j < D; j++) { const k = i * D + j; xp[k] = x[k] + h[i] * mode.z[k]; xm[k] = x[k] - h[i] * mode.z[k]; }
    }
    await hostScore(model, xp, n, at, sp, native);
    await hostScore(model, xm, n, at, sm, native);
    for (let i = 0; i < n; i++) {
      let d = 0;
      for (let j = 0; j < D; j++) { const k = i * D + j; d += mode.z[k] * (sp[k] - sm[k]); }
      div[i] = d / (2 * h[i]);
    }
    return;
  }
  for (let j = 0; j < D; j++) {
    xp.set(x.subarray(0, len)); xm.set(x.subarray(0, len));
    for (let i = 0; i < n; i++) { const k = i * D + j, h = 1e-5 * Math.max(1, Math.abs(x[k])); xp[k] = x[k] + h; xm[k] = x[k] - h; }
    await hostScore(model, xp, n, at, sp, native);
    await hostScore(model, xm, n, at, sm, native);
    for (let i = 0; i < n; i++) { const k = i * D + j; div[i] += (sp[k] - sm[k]) / (xp[k] - xm[k]); }
  }
}
