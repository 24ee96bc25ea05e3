/**
 * `gmm:FILE` training data: exact samples of the isotropic Gaussian mixture in a GMM file
 * (DESIGN.md: {"weights": [...], "means": [[...], ...], "stds": [...]}, read by gmmFile.ts), drawn by
 * GaussianMixtureModel.sampleData; the label of a point is its component, so mixtures double as
 * labelled data for guidance.
 */
import { Rng } from '../rng.ts';
import { GaussianMixtureModel, type GmmSpec } from '../score/gmm.ts';
import type { DataBatch, Dataset } from './dataset.ts';

/** Training data sampled from a mixture. */
export function gmmDataset(spec: GmmSpec, name: string): Dataset {
  const model = new GaussianMixtureModel(spec);
  const D = model.dim, K = model.k;
  const total = spec.weights.reduce((a, b) => a + b, 0);
  const w = spec.weights.map((x) => x / total);
  // per-coordinate standard deviation of the data: E|x0|^2 / D minus |E x0|^2 / D
  let m2 = 0;
  for (let k = 0; k < K; k++) m2 += w[k] * (spec.stds[k] ** 2 + spec.means[k].reduce((a, v) => a + v * v, 0) / D);
  const mean = new Float64Array(D);
  for (let k = 0; k < K; k++) for (let j = 0; j < D; j++) mean[j] += w[k] * spec.means[k][j];
  const sigmaData = Math.sqrt(Math.max(1e-12, m2 - mean.reduce((a, v) => a + v * v, 0) / D));
  const sample = (rng: Rng, n: number): DataBatch => {
    const labels = new Int32Array(n);
    const x = Float32Array.from(model.sampleData(n, rng, labels));
    return { n, x, labels };
  };
  return { name, shape: [D], dim: D, numClasses: K, sigmaData, sample, heldOut: (n) => sample(new Rng(0x5eed + n), n) };
}
