/**
 * `gmm:FILE` training data: samples of the isotropic Gaussian mixture in a GMM file
 * (DESIGN.md: {"weights": [...], "means": [[...], ...], "stds": [...]}); the label of a point
 * is its component, so mixtures double as labelled data for guidance.
 */
import * as fs from 'node:fs';
import { UserError } from '../errors.ts';
import { Rng } from '../train/rng.ts';
import type { DataBatch, Dataset } from './dataset.ts';

/** A validated isotropic Gaussian mixture. */
export interface GmmSpec {
  readonly weights: number[];
  readonly means: number[][];
  readonly stds: number[];
}

/** Validate a parsed GMM object; errors name the field. */
export function parseGmm(obj: unknown, where: string): GmmSpec {
  const o = obj as Partial<GmmSpec> | null;
  if (!o || typeof o !== 'object') throw new UserError(where, 'a GMM file must hold an object {weights, means, stds}');
  const { weights, means, stds } = o;
  if (!Array.isArray(weights) || weights.length === 0) throw new UserError(`${where}.weights`, 'must be a non-empty array');
  if (!Array.isArray(means) || means.length !== weights.length) throw new UserError(`${where}.means`, `must be an array of ${weights.length} points`);
  if (!Array.isArray(stds) || stds.length !== weights.length) throw new UserError(`${where}.stds`, `must be an array of ${weights.length} numbers`);
  const D = Array.isArray(means[0]) ? means[0].length : 0;
  if (D < 1) throw new UserError(`${where}.means[0]`, 'must be a non-empty array of numbers');
  let total = 0;
  weights.forEach((w, k) => {
    if (typeof w !== 'number' || !(w >= 0) || !Number.isFinite(w)) throw new UserError(`${where}.weights[${k}]`, 'must be a finite number >= 0', { value: w });
    total += w;
    const m = means[k];
    if (!Array.isArray(m) || m.length !== D || m.some((v) => typeof v !== 'number' || !Number.isFinite(v))) throw new UserError(`${where}.means[${k}]`, `must be ${D} finite numbers`, { value: m });
    const s = stds[k];
    if (typeof s !== 'number' || !(s > 0) || !Number.isFinite(s)) throw new UserError(`${where}.stds[${k}]`, 'must be a finite number > 0', { value: s });
  });
  if (!(total > 0)) throw new UserError(`${where}.weights`, 'must not all be 0');
  return { weights: weights.map((w) => w / total), means, stds };
}

/** Read and validate a GMM file. */
export function readGmmFile(file: string): GmmSpec {
  let text: string;
  try { text = fs.readFileSync(file, 'utf8'); } catch (e) { throw new UserError('gmm', `cannot read ${file}: ${(e as Error).message}`, { value: file }); }
  let obj: unknown;
  try { obj = JSON.parse(text); } catch (e) { throw new UserError(file, `is not valid JSON: ${(e as Error).message}`); }
  return parseGmm(obj, file);
}

/** Training data sampled from a mixture. */
export function gmmDataset(spec: GmmSpec, name: string): Dataset {
  const D = spec.means[0].length, K = spec.weights.length;
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
