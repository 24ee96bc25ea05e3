/**
 * Sliced Wasserstein-p distance between two equal-size point sets in R^D (Rabin et al. 2011;
 * Bonneel et al. 2015), used to measure sample quality against exact or held-out samples:
 *
 *     SW_p(P, Q) = ( mean over directions u of W_p^p(<P, u>, <Q, u>) )^(1/p),   p = 1 or 2,
 *
 * each 1-D W_p computed exactly by sorting the projections. Directions are unit vectors: drawn
 * as normalised standard normals from `rng` when one is given (any dimension), otherwise in 2-D
 * the evenly spaced angles pi (k + 1/2) / directions (deterministic).
 */
import type { Rng } from '../rng.ts';

/** Order and direction source of {@link slicedWasserstein}. */
export interface SlicedWassersteinOptions {
  /** order p (default 1: the mean of W1 over directions; 2: root mean square of W2) */
  readonly p?: 1 | 2;
  /** random directions; required when dim != 2 */
  readonly rng?: Rng;
}

/** SW_p between two equal-size point sets (n x dim, row-major) over `directions` unit vectors. */
export function slicedWasserstein(a: ArrayLike<number>, b: ArrayLike<number>, dim: number, directions = 64, opts: SlicedWassersteinOptions = {}): number {
  const { p = 1, rng } = opts;
  const n = a.length / dim;
  if (b.length !== a.length || !Number.isInteger(n)) throw new Error(`slicedWasserstein: sets of ${a.length / dim} and ${b.length / dim} points; they must have the same size`);
  if (!rng && dim !== 2) throw new Error('slicedWasserstein: dim != 2 needs a random generator for the directions');
  const pa = new Float64Array(n), pb = new Float64Array(n);
  const u = new Float64Array(dim);
  let total = 0;
  for (let k = 0; k < directions; k++) {
    if (rng) {
      let norm = 0;
      for (let j = 0; j < dim; j++) { u[j] = rng.normal(); norm += u[j] * u[j]; }
      const r = Math.sqrt(norm);
      for (let j = 0; j < dim; j++) u[j] /= r;
    } else {
      const th = (Math.PI * (k + 0.5)) / directions;
      u[0] = Math.cos(th); u[1] = Math.sin(th);
    }
    for (let i = 0; i < n; i++) {
      let sa = 0, sb = 0;
      for (let j = 0; j < dim; j++) { sa += a[i * dim + j] * u[j]; sb += b[i * dim + j] * u[j]; }
      pa[i] = sa; pb[i] = sb;
    }
    pa.sort(); pb.sort();
    let w = 0;
    if (p === 1) for (let i = 0; i < n; i++) w += Math.abs(pa[i] - pb[i]);
    else for (let i = 0; i < n; i++) w += (pa[i] - pb[i]) ** 2;
    total += w / n;
  }
  return p === 1 ? total / directions : Math.sqrt(total / directions);
}
