/**
 * Sample-quality metric for low-dimensional data: the sliced Wasserstein-2 distance
 * (Rabin et al. 2011; Bonneel et al. 2015), SW2(P, Q)^2 = E_theta W2^2(theta.P, theta.Q) over
 * random unit directions theta, each 1-D W2 computed exactly by sorting equal-size samples.
 */
import { Rng } from '../sample/rng.ts';

/** SW2 between two equal-size point sets (n x D, row-major), with `projections` random directions. */
export function slicedWasserstein(a: ArrayLike<number>, b: ArrayLike<number>, D: number, projections = 128, seed = 1): number {
  const n = a.length / D;
  if (b.length / D !== n || !Number.isInteger(n)) throw new Error(`slicedWasserstein: sets of ${a.length / D} and ${b.length / D} points; they must have the same size`);
  const rng = new Rng(seed);
  const theta = new Float64Array(D), pa = new Float64Array(n), pb = new Float64Array(n);
  let total = 0;
  for (let p = 0; p < projections; p++) {
    let r = 0;
    for (let j = 0; j < D; j++) { theta[j] = rng.normal(); r += theta[j] ** 2; }
    r = Math.sqrt(r);
    for (let i = 0; i < n; i++) {
      let sa = 0, sb = 0;
      for (let j = 0; j < D; j++) { sa += a[i * D + j] * theta[j]; sb += b[i * D + j] * theta[j]; }
      pa[i] = sa / r; pb[i] = sb / r;
    }
    pa.sort(); pb.sort();
    let s = 0;
    for (let i = 0; i < n; i++) s += (pa[i] - pb[i]) ** 2;
    total += s / n;
  }
  return Math.sqrt(total / projections);
}
