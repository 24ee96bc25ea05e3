/**
 * Bits per dimension for quantised image data (Theis, van den Oord & Bethge 2016; Ho et al. 2020).
 * Pixels take L levels x_k = k/((L-1)/2) - 1 on [-1, 1] (spacing 2/(L-1)); uniform dequantisation
 * adds u ~ U(-1/2, 1/2) bins, x~ = x + u 2/(L-1), and the discrete log-likelihood is bounded by
 *
 *     log P(x) >= E_u[ log p(x~) ] + D log(2/(L-1)),
 *     bits/dim = -( log p(x~) + D log(2/(L-1)) ) / (D ln 2).
 */
import type { Rng } from '../rng.ts';

/** Uniformly dequantise grid values (float64 copy). */
export function dequantize(x: ArrayLike<number>, levels: number, rng: Rng): Float64Array {
  const w = 2 / (levels - 1), out = new Float64Array(x.length);
  for (let i = 0; i < x.length; i++) out[i] = x[i] + (rng.uniform() - 0.5) * w;
  return out;
}

/** Bits per dimension of a continuous log-density at dequantised points. */
export function bitsPerDim(logp: number, dim: number, levels?: number): number {
  const jac = levels ? dim * Math.log(2 / (levels - 1)) : 0;
  return -(logp + jac) / (dim * Math.LN2);
}
