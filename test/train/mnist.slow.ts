/**
 * MNIST end to end at toy scale: a few U-Net steps (class-conditional, EDM), the run folder with a
 * PNG grid, sampling with classifier-free guidance, and bits/dim of held-out digits through the
 * PF-ODE with Hutchinson's estimator and uniform dequantisation (finite, and below the 8 bits of
 * a uniform pixel... plus slack for an untrained model: < 12).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { run as trainCmd } from '../../src/cli/train.ts';
import { run as likelihoodCmd } from '../../src/cli/likelihood.ts';
import { run as sampleCmd } from '../../src/cli/sample.ts';

const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'sdekit-mnist-'));

test('MNIST: train 6 steps -> samples.png -> guided grid -> bits/dim', async () => {
  const run = path.join(dir, 'run');
  assert.equal(await trainCmd(['--scheme', 'vp-linear', '--data', 'mnist', '--steps', '6', '--channels', '8,16,16', '--batch', '8', '--samples', '10', '--out', run]), 0);
  assert.ok(fs.statSync(path.join(run, 'samples.png')).size > 100);
  const grid = path.join(dir, 'g.png');
  assert.equal(await sampleCmd(['--scheme', 'vp-linear', '--model', run, '--sampler', 'dpm-solver++2m', '--steps', '4', '--n', '4', '--class', '3', '--guidance', '2', '--out', path.join(dir, 's.json'), '--grid', grid]), 0);
  assert.ok(fs.statSync(grid).size > 100);
  const ll = path.join(dir, 'll.json');
  assert.equal(await likelihoodCmd(['--scheme', 'vp-linear', '--model', run, '--points', 'test', '--n', '2', '--rtol', '1e-3', '--atol', '1e-3', '--out', ll]), 0);
  const doc = JSON.parse(fs.readFileSync(ll, 'utf8')) as { logp: number[]; bpd: number[]; div: string };
  assert.equal(doc.div, 'hutchinson');
  assert.equal(doc.bpd.length, 2);
  for (const b of doc.bpd) assert.ok(Number.isFinite(b) && b > 0 && b < 12, `bpd ${b}`);
});
