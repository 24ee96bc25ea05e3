/**
 * Adaptive Dormand-Prince 5(4) integration of y' = F(t, y) (Dormand & Prince 1980; the FSAL
 * pair of Hairer, Norsett & Wanner, "Solving ODEs I", II.4-5), with the error of each block of
 * `blockSize` components (one data point) controlled separately:
 *
 *     err = max_blocks sqrt( mean_i ( e_i / (atol + rtol max(|y_i|, |y_new_i|)) )^2 ) <= 1.
 */

/** Right-hand side: write F(t, y) into `out`. */
export type OdeRhs = (t: number, y: Float64Array, out: Float64Array) => Promise<void> | void;

/** Integration options. */
export interface Rk45Options {
  readonly rtol?: number;
  readonly atol?: number;
  /** components per independently controlled block (default: all) */
  readonly blockSize?: number;
  /** first step (default: 1e-2 of the interval) */
  readonly h0?: number;
  readonly maxSteps?: number;
}

/** What an integration cost. */
export interface Rk45Stats { nfe: number; steps: number; rejected: number }

// Dormand-Prince tableau
const C = [0, 1 / 5, 3 / 10, 4 / 5, 8 / 9, 1, 1];
const A = [
  [],
  [1 / 5],
  [3 / 40, 9 / 40],
  [44 / 45, -56 / 15, 32 / 9],
  [19372 / 6561, -25360 / 2187, 64448 / 6561, -212 / 729],
  [9017 / 3168, -355 / 33, 46732 / 5247, 49 / 176, -5103 / 18656],
  [35 / 384, 0, 500 / 1113, 125 / 192, -2187 / 6784, 11 / 84],
];
// 5th-order weights are A[6]; error = (5th - 4th) weights
const E = [71 / 57600, 0, -71 / 16695, 71 / 1920, -17253 / 339200, 22 / 525, -1 / 40];

/** Integrate from t0 to t1 (either direction) in place on `y`; returns the cost. */
export async function rk45(f: OdeRhs, y: Float64Array, t0: number, t1: number, opts: Rk45Options = {}): Promise<Rk45Stats> {
  const rtol = opts.rtol ?? 1e-5, atol = opts.atol ?? 1e-5;
  const N = y.length, bs = opts.blockSize ?? N, maxSteps = opts.maxSteps ?? 100000;
  if (N % bs) throw new Error(`rk45: state length ${N} is not a multiple of the block size ${bs}`);
  const dir = Math.sign(t1 - t0);
  const stats: Rk45Stats = { nfe: 0, steps: 0, rejected: 0 };
  if (dir === 0) return stats;
  const k = Array.from({ length: 7 }, () => new Float64Array(N));
  const ytmp = new Float64Array(N), ynew = new Float64Array(N);
  let t = t0;
  let h = dir * Math.min(Math.abs(opts.h0 ?? (t1 - t0) * 1e-2), Math.abs(t1 - t0));
  await f(t, y, k[0]); stats.nfe++;
  while (dir * (t1 - t) > 0) {
    if (stats.steps + stats.rejected >= maxSteps) throw new Error(`rk45: more than ${maxSteps} steps between t = ${t0} and ${t1} (stuck at t = ${t}); loosen --rtol/--atol`);
    if (dir * (t + h - t1) > 0) h = t1 - t;
    for (let s = 1; s < 7; s++) {
      const a = A[s];
      for (let i = 0; i < N; i++) {
        let acc = 0;
        for (let j = 0; j < s; j++) acc += a[j] * k[j][i];
        ytmp[i] = y[i] + h * acc;
      }
      if (s === 6) ynew.set(ytmp);
      await f(t + C[s] * h, ytmp, k[s]); stats.nfe++;
    }
    let err = 0;
    for (let b = 0; b < N; b += bs) {
      let e2 = 0;
      for (let i = b; i < b + bs; i++) {
        let e = 0;
        for (let j = 0; j < 7; j++) e += E[j] * k[j][i];
        const sc = atol + rtol * Math.max(Math.abs(y[i]), Math.abs(ynew[i]));
        const r = (h * e) / sc;
        e2 += r * r;
      }
      err = Math.max(err, Math.sqrt(e2 / bs));
    }
    if (!Number.isFinite(err)) throw new Error(`rk45: non-finite state or derivative near t = ${t} (step ${h})`);
    if (err <= 1) {
      t = dir * (t1 - (t + h)) <= 0 ? t1 : t + h;
      y.set(ynew);
      k[0].set(k[6]); // FSAL
      stats.steps++;
    } else stats.rejected++;
    const factor = err === 0 ? 5 : Math.min(5, Math.max(0.2, 0.9 * Math.pow(err, -0.2)));
    h *= err <= 1 ? factor : Math.min(1, factor);
    if (Math.abs(h) < 1e-14 * Math.max(1, Math.abs(t))) throw new Error(`rk45: step size underflow at t = ${t}`);
  }
  return stats;
}
