/**
 * `gmm:FILE` training data: samples of the isotropic Gaussian mixture in a GMM file
 * (DESIGN.md: {"weights": [...], "means": [[...], ...], "stds": [...]}, read by gmmFile.ts); the label of a point
 * is its component, so mixtures double as labelled data for guidance.
 */
import type { GmmSpec } from '../score/gmm.ts';
import { Rng } from '../sample/rng.ts';
import type { DataBatch, Dataset } from './dataset.ts';

/** Training data sampled from a mixture. */
export function gmmDataset(spec: GmmSpec, name: string): Dataset {
  const D = spec.means[0].length, K = spec.weights.length;
  const total = spec.weights.reduce((a, b) => a + b, 0);
  spec = { ...spec, weights: spec.weights.map((w) => w / total) };
  const cdf = new Float64Array(K);
  spec.weights.reduce((acc, w, k) => (cdf[k] = acc + w), 0);
  let m2 = 0;
  for (let k = 0; k < K; k++) m2 += spec.weights[k] * (spec.stds[k] ** 2 + spec.means[k].reduce((a, v) => a + v * v, 0) / D);
  const mean = new Float64Array(D);
  for (let k = 0; k < K; k++) for (let j = 0; j < D; j++) mean[j] += spec.weights[k] * spec.means[k][j];
  const sigmaData = Math.sqrt(Math.max(1e-12, m2 - mean.reduce((a, v) => a + v * v, 0) / D));
  const sample = (rng: Rng, n: number): DataBatch => {
    const x = new Float32Array(n * D), labels = new Int32Array(n);
    for (let i = 0; i < n; i++) {
      const u = rng.uniform();
      let k = 0;
      while (k < K - 1 && u >= cdf[k]) k++;
      labels[i] = k;
      for (let j = 0; j < D; j++) x[i * D + j] = spec.means[k][j] + spec.stds[k] * rng.normal();
    }
    return { n, x, labels };
  };
  return { name, shape: [D], dim: D, numClasses: K, sigmaData, sample, heldOut: (n) => sample(new Rng(0x5eed + n), n) };
}
