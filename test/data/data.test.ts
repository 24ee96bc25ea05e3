/**
 * Data sets: the 2-D sets are roughly unit-scale with labels in range and reproducible from the
 * seed; gmm:FILE samples have the mixture's moments; MNIST holds 10,000+ real digits on the
 * 256-level grid of [-1, 1] with a disjoint held-out split covering every class.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { resolveDataset } from '../../src/data/resolve.ts';
import { TOY2D_NAMES, toy2d } from '../../src/data/toy2d.ts';
import { loadMnist, mnistDataset } from '../../src/data/mnist.ts';
import { Rng } from '../../src/rng.ts';
import { isUserError } from '../../src/errors.ts';

function moments(x: Float32Array, D: number): { mean: number[]; std: number[] } {
  const n = x.length / D, mean = Array(D).fill(0), std = Array(D).fill(0);
  for (let i = 0; i < n; i++) for (let j = 0; j < D; j++) mean[j] += x[i * D + j] / n;
  for (let i = 0; i < n; i++) for (let j = 0; j < D; j++) std[j] += (x[i * D + j] - mean[j]) ** 2 / n;
  return { mean, std: std.map(Math.sqrt) };
}

test('2-D sets: unit scale, labels in range, reproducible from the seed', () => {
  for (const name of TOY2D_NAMES) {
    const d = toy2d(name);
    const b = d.sample(new Rng(1), 20000);
    const { mean, std } = moments(b.x, 2);
    for (let j = 0; j < 2; j++) {
      assert.ok(Math.abs(mean[j]) < 0.1, `${name} mean ${mean}`);
      assert.ok(std[j] > 0.6 && std[j] < 1.5, `${name} std ${std}`);
    }
    if (d.numClasses > 0) {
      const seen = new Set(b.labels);
      assert.equal(seen.size, d.numClasses, `${name} labels`);
      for (const l of seen) assert.ok(l >= 0 && l < d.numClasses);
    } else assert.equal(b.labels, null);
    assert.deepEqual(d.sample(new Rng(5), 10).x, d.sample(new Rng(5), 10).x);
  }
});

test('gmm:FILE samples match the mixture mean and variance; bad files are user errors', () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'sdekit-data-'));
  const file = path.join(dir, 'mix.json');
  fs.writeFileSync(file, JSON.stringify({ weights: [1, 3], means: [[-2, 0, 1], [2, 1, 1]], stds: [0.5, 0.2] }));
  const d = resolveDataset(`gmm:${file}`);
  assert.equal(d.dim, 3);
  assert.equal(d.numClasses, 2);
  const b = d.sample(new Rng(2), 40000);
  const { mean, std } = moments(b.x, 3);
  assert.ok(Math.abs(mean[0] - 1) < 0.03 && Math.abs(mean[1] - 0.75) < 0.02 && Math.abs(mean[2] - 1) < 0.01, `${mean}`);
  // Var x0 = E var + Var mean = (0.25 + 3*0.04)/4 + 0.75*4*... : 0.0925 + 3 = 3.0925
  assert.ok(Math.abs(std[0] ** 2 - 3.0925) < 0.06, `${std}`);
  fs.writeFileSync(file, JSON.stringify({ weights: [1], means: [[0]], stds: [-1] }));
  assert.throws(() => resolveDataset(`gmm:${file}`), (e: unknown) => isUserError(e) && /stds\[0\]/.test((e as Error).message));
  assert.throws(() => resolveDataset('spiral'), (e: unknown) => isUserError(e) && /--data/.test((e as Error).message));
  fs.rmSync(dir, { recursive: true });
});

test('MNIST: 10,000+ digits on the 256-level grid of [-1, 1], disjoint held-out split with every class', () => {
  const { train, test: held } = loadMnist();
  assert.ok(train.n + held.n >= 10000, `${train.n} + ${held.n}`);
  assert.ok(held.n >= 900 && held.n < 1200);
  for (let i = 0; i < 784 * 50; i++) {
    const k = (train.x[i] + 1) * 127.5;
    assert.ok(Math.abs(k - Math.round(k)) < 1e-4 && k >= 0 && k <= 255, `pixel ${i}: ${train.x[i]}`);
  }
  const d = mnistDataset();
  assert.deepEqual(d.shape, [28, 28, 1]);
  const h = d.heldOut(100);
  assert.equal(new Set(h.labels).size, 10);
  const b = d.sample(new Rng(1), 256);
  const { mean } = moments(b.x, 784);
  const avg = mean.reduce((a, v) => a + v, 0) / 784;
  assert.ok(avg > -0.9 && avg < -0.6, `mean pixel ${avg} (mostly background)`);
  // no held-out digit appears in the training split (compare a hash of each image)
  const key = (x: Float32Array, i: number): string => Array.from(x.subarray(i * 784, (i + 1) * 784), (v) => Math.round((v + 1) * 127.5)).join(',');
  const trainKeys = new Set(Array.from({ length: train.n }, (_, i) => key(train.x, i)));
  let dup = 0;
  for (let i = 0; i < 200; i++) if (trainKeys.has(key(held.x, i))) dup++;
  assert.ok(dup <= 2, `${dup} held-out digits also in training`);
});
