/**
 * Sliced Wasserstein-1 distance between two equal-size point sets in R^D (Rabin et al. 2011):
 * the mean over `directions` unit vectors u of the 1-D Wasserstein-1 distance between the sorted
 * projections <x, u>. In 2-D the directions are evenly spaced angles (deterministic); otherwise
 * they are drawn from the given generator. Used to measure sample quality against exact samples.
 */
import type { Rng } from './rng.ts';

export function slicedWasserstein(a: Float64Array, b: Float64Array, dim: number, directions = 64, rng?: Rng): number {
  const n = a.length / dim;
  if (b.length !== a.length) throw new Error(`slicedWasserstein: sets differ in size (${a.length / dim} vs ${b.length / dim} points)`);
  const pa = new Float64Array(n), pb = new Float64Array(n);
  const u = new Float64Array(dim);
  let total = 0;
  for (let k = 0; k < directions; k++) {
    if (dim === 2) {
      const th = (Math.PI * (k + 0.5)) / directions;
      u[0] = Math.cos(th); u[1] = Math.sin(th);
    } else {
      if (!rng) throw new Error('slicedWasserstein: dim != 2 needs a random generator for the directions');
      let norm = 0;
      for (let j = 0; j < dim; j++) { u[j] = rng.normal(); norm += u[j] * u[j]; }
      for (let j = 0; j < dim; j++) u[j] /= Math.sqrt(norm);
    }
    for (let i = 0; i < n; i++) {
      let sa = 0, sb = 0;
      for (let j = 0; j < dim; j++) { sa += a[i * dim + j] * u[j]; sb += b[i * dim + j] * u[j]; }
      pa[i] = sa; pb[i] = sb;
    }
    pa.sort(); pb.sort();
    let w = 0;
    for (let i = 0; i < n; i++) w += Math.abs(pa[i] - pb[i]);
    total += w / n;
  }
  return total / directions;
}
