/**
 * A fast-check arbitrary of random valid scheme declarations for the sampler properties:
 * VP-linear SDEs, EDM-like and VE marginals, rectified-flow-like interpolants (zero terminal SNR
 * when T = 1), cosine marginals and discrete linear beta tables, with random parameters.
 */
import fc from 'fast-check';
import type { SchemeDeclaration } from '../../src/scheme/declaration.ts';

const logU = (lo: number, hi: number): fc.Arbitrary<number> =>
  fc.double({ min: Math.log(lo), max: Math.log(hi), noNaN: true }).map((x) => Number(Math.exp(x).toPrecision(6)));

export function randomScheme(): fc.Arbitrary<SchemeDeclaration> {
  const vp = fc.tuple(logU(0.02, 0.5), logU(5, 25), logU(1e-4, 1e-2)).map(([b0, b1, t0]): SchemeDeclaration => ({
    name: 'random-vp', params: { b0, b1 }, time: { t0, T: 1 }, sde: { f: '-(b0 + t * (b1 - b0)) / 2', g2: 'b0 + t * (b1 - b0)' },
  }));
  const edm = fc.tuple(logU(1e-3, 0.05), logU(5, 200)).map(([t0, T]): SchemeDeclaration => ({
    name: 'random-edm', time: { t0, T }, marginal: { alpha: '1', sigma: 't' },
  }));
  const ve = fc.tuple(logU(1e-3, 0.1), logU(5, 400)).map(([smin, smax]): SchemeDeclaration => ({
    name: 'random-ve', params: { smin, smax }, time: { t0: 1e-4, T: 1 }, marginal: { alpha: '1', sigma: 'smin * (smax / smin)^t' },
  }));
  const rf = fc.tuple(logU(1e-4, 1e-2), fc.oneof(fc.constant(1), fc.double({ min: 0.9, max: 0.999, noNaN: true }))).map(([t0, T]): SchemeDeclaration => ({
    name: 'random-rf', time: { t0, T }, marginal: { alpha: '1 - t', sigma: 't' },
  }));
  const cosine = fc.tuple(logU(1e-3, 0.05), fc.double({ min: 0.9, max: 0.99, noNaN: true })).map(([s, T]): SchemeDeclaration => ({
    name: 'random-cosine', params: { s }, time: { t0: 1e-3, T },
    marginal: { alpha: 'cos(pi / 2 * (t + s) / (1 + s)) / cos(pi / 2 * s / (1 + s))', sigma: 'sqrt(1 - (cos(pi / 2 * (t + s) / (1 + s)) / cos(pi / 2 * s / (1 + s)))^2)' },
  }));
  const discrete = fc.tuple(logU(1e-5, 1e-3), logU(5e-3, 0.04), fc.integer({ min: 20, max: 400 })).map(([betaStart, betaEnd, steps]): SchemeDeclaration => ({
    name: 'random-discrete', discrete: { schedule: 'linear', betaStart, betaEnd, steps },
  }));
  return fc.oneof(vp, edm, ve, rf, cosine, discrete);
}
