/**
 * The optimiser of multi-worker training on one shared host copy of the parameters, fused: the
 * workers' gradient slots are summed in a fixed order (slot 0, 1, ..., so a run is deterministic for
 * a given worker count) while the squared norm is accumulated, then one pass applies global-norm
 * clipping (Pascanu et al. 2013), Adam (Kingma & Ba 2015, Algorithm 1) and the EMA of the weights
 * (ema.ts) per element. Each worker does this for its own contiguous range of the parameters
 * (ownedRange), with the global norm summed from the workers' partial sums in worker order. The
 * formulas are those of adam.ts and ema.ts (the one-thread path), with float64 arithmetic per
 * element and float32 storage.
 */
import type { AdamConfig } from './adam.ts';
import { emaDecay } from './ema.ts';

/** Flat float32 training state: weights, Adam's moments and the EMA, all the same length. */
export interface HostTrainState {
  readonly w: Float32Array;
  readonly m: Float32Array;
  readonly v: Float32Array;
  readonly ema: Float32Array;
}

/**
 * g = sum_k slots[k] in slot order (written into `g`); returns the sum of squares of g
 * (accumulated in float64).
 */
export function reduceSlots(slots: readonly Float32Array[], g: Float32Array): number {
  const n = g.length, W = slots.length;
  const s0 = slots[0];
  let sq = 0;
  if (W === 2) {
    const s1 = slots[1];
    for (let j = 0; j < n; j++) { const x = Math.fround(s0[j] + s1[j]); g[j] = x; sq += x * x; }
    return sq;
  }
  for (let j = 0; j < n; j++) {
    let x = s0[j];
    for (let k = 1; k < W; k++) x = Math.fround(x + slots[k][j]);
    g[j] = x; sq += x * x;
  }
  return sq;
}

/** {@link reduceSlots}, returning the global L2 norm of g. */
export function reduceGradients(slots: readonly Float32Array[], g: Float32Array): number {
  return Math.sqrt(reduceSlots(slots, g));
}

/** The parameter range [lo, hi) whose reduction and update worker `index` of `workers` owns. */
export function ownedRange(total: number, index: number, workers: number): { lo: number; hi: number } {
  return { lo: Math.floor((total * index) / workers), hi: Math.floor((total * (index + 1)) / workers) };
}

/** Views of `s` over [lo, hi). */
export function stateRange(s: HostTrainState, lo: number, hi: number): HostTrainState {
  return { w: s.w.subarray(lo, hi), m: s.m.subarray(lo, hi), v: s.v.subarray(lo, hi), ema: s.ema.subarray(lo, hi) };
}

/**
 * One fused update at step `step` (1-based) with the batch gradient `g` of global norm `norm`:
 * g' = g min(1, clip / (norm + 1e-6)); m <- b1 m + (1 - b1) g'; v <- b2 v + (1 - b2) g'^2;
 * w <- w - lr (m / bc1) / (sqrt(v / bc2) + eps); ema <- d ema + (1 - d) w with d = emaDecay(decay, step).
 * Learning-rate warm-up as in adam.ts.
 */
export function fusedAdamEma(s: HostTrainState, g: Float32Array, norm: number, step: number, cfg: AdamConfig, decay: number): void {
  const lr = cfg.warmup > 0 ? cfg.lr * Math.min(1, step / cfg.warmup) : cfg.lr;
  const b1 = cfg.beta1, b2 = cfg.beta2, eps = cfg.eps;
  const c1 = 1 / (1 - Math.pow(b1, step)), c2 = 1 / (1 - Math.pow(b2, step));
  const scale = cfg.clip > 0 && Number.isFinite(cfg.clip) ? Math.min(1, cfg.clip / (norm + 1e-6)) : 1;
  const d = emaDecay(decay, step);
  const { w, m, v, ema } = s;
  const n = w.length;
  for (let j = 0; j < n; j++) {
    const gj = g[j] * scale;
    const mj = b1 * m[j] + (1 - b1) * gj;
    const vj = b2 * v[j] + (1 - b2) * gj * gj;
    m[j] = mj; v[j] = vj;
    const wj = Math.fround(w[j] - lr * ((mj * c1) / (Math.sqrt(vj * c2) + eps)));
    w[j] = wj;
    ema[j] = d * ema[j] + (1 - d) * wj;
  }
}
