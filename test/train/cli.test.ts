/**
 * The train and likelihood commands (DESIGN.md): bad input is a UserError naming the field; the
 * likelihood command writes {"logp": [...]} that matches the exact mixture density; a tiny
 * training run writes its run folder and can be sampled through `sdekit sample --model DIR`.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { run as trainCmd } from '../../src/cli/train.ts';
import { run as likelihoodCmd } from '../../src/cli/likelihood.ts';
import { run as sampleCmd } from '../../src/cli/sample.ts';
import { isUserError } from '../../src/errors.ts';
import { readCheckpoint } from '../../src/train/checkpoint.ts';
import { GaussianMixtureModel } from '../../src/score/gmm.ts';

const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'sdekit-cli-'));
const quiet = async <T>(f: () => Promise<T>): Promise<T> => {
  const log = console.log, err = console.error;
  console.log = () => {}; console.error = () => {};
  try { return await f(); } finally { console.log = log; console.error = err; }
};
const userError = (field: RegExp) => (e: unknown): boolean => isUserError(e) && field.test((e as Error).message);

test('train: bad input names the field', async () => {
  const out = path.join(dir, 'bad');
  await assert.rejects(trainCmd(['--scheme', 'vp-linear', '--data', 'spiral', '--steps', '5', '--out', out]), userError(/^--data/));
  await assert.rejects(trainCmd(['--scheme', 'vp-linear', '--data', 'ring8', '--steps', '0', '--out', out]), userError(/^--steps/));
  await assert.rejects(trainCmd(['--scheme', 'vp-linear', '--data', 'ring8', '--steps', '5', '--pred', 'noise', '--out', out]), userError(/^--pred/));
  await assert.rejects(trainCmd(['--scheme', 'vp-linear', '--data', 'ring8', '--steps', '5', '--weighting', 'l2', '--out', out]), userError(/^--weighting/));
  await assert.rejects(trainCmd(['--scheme', 'nope', '--data', 'ring8', '--steps', '5', '--out', out]), userError(/scheme/));
  await assert.rejects(trainCmd(['--scheme', 'vp-linear', '--data', 'swissroll', '--steps', '5', '--cond', 'on', '--out', out]), userError(/^--cond/));
  await assert.rejects(trainCmd(['--scheme', 'vp-linear', '--data', 'ring8', '--steps', '5', '--frobnicate', '--out', out]), userError(/^--frobnicate/));
  await assert.rejects(trainCmd(['--scheme', 'vp-linear', '--data', 'ring8', '--steps', '5', '--threads', '0', '--out', out]), userError(/^--threads/));
});

test('likelihood --score gmm:FILE writes logp matching the exact density', async () => {
  const gmm = { weights: [0.4, 0.6], means: [[-1, 0], [1, 0.5]], stds: [0.3, 0.5] };
  const gfile = path.join(dir, 'mix.json'), pfile = path.join(dir, 'pts.json'), out = path.join(dir, 'll.json');
  fs.writeFileSync(gfile, JSON.stringify(gmm));
  const pts = [[-1, 0], [0.9, 0.4], [0, 0], [2, -1]];
  fs.writeFileSync(pfile, JSON.stringify({ points: pts }));
  assert.equal(await quiet(() => likelihoodCmd(['--scheme', 'edm', '--score', `gmm:${gfile}`, '--points', pfile, '--out', out])), 0);
  const doc = JSON.parse(fs.readFileSync(out, 'utf8')) as { logp: number[] };
  const exact = new GaussianMixtureModel(gmm).logDensity(Float64Array.from(pts.flat()), pts.length);
  doc.logp.forEach((l, i) => assert.ok(Math.abs(l - exact[i]) < 0.02, `${l} vs ${exact[i]}`));
  await assert.rejects(likelihoodCmd(['--scheme', 'edm', '--score', `gmm:${gfile}`, '--points', pfile, '--div', 'trace', '--out', out]), userError(/^--div/));
  await assert.rejects(likelihoodCmd(['--scheme', 'edm', '--score', `gmm:${gfile}`, '--points', gfile, '--out', out]), userError(/^--points/));
});

test('train -> run folder -> sample --model DIR', async () => {
  const run = path.join(dir, 'run');
  assert.equal(await quiet(() => trainCmd(['--scheme', 'rectified-flow', '--data', 'moons', '--steps', '30', '--hidden', '16,16', '--batch', '64', '--weighting', 'edm', '--samples', '200', '--out', run])), 0);
  for (const f of ['config.json', 'checkpoint.safetensors', 'loss.svg', 'loss.json', 'samples.svg', 'summary.json']) assert.ok(fs.existsSync(path.join(run, f)), f);
  const out = path.join(dir, 's.json');
  assert.equal(await quiet(() => sampleCmd(['--scheme', 'rectified-flow', '--model', run, '--sampler', 'heun', '--steps', '8', '--spacing', 'karras', '--n', '16', '--out', out])), 0);
  const s = JSON.parse(fs.readFileSync(out, 'utf8')) as { samples: number[][]; nfe: number };
  assert.equal(s.samples.length, 16);
  assert.ok(s.samples.flat().every(Number.isFinite));
  await assert.rejects(sampleCmd(['--scheme', 'rectified-flow', '--model', run, '--sampler', 'heun', '--steps', '8', '--class', '1', '--guidance', '2', '--out', out]), userError(/^--class|^--guidance/));
  await assert.rejects(trainCmd(['--scheme', 'rectified-flow', '--data', 'moons', '--steps', '30', '--out', run]), userError(/^--out/));
  // `--out DIR --resume --steps N` continues with the saved settings
  assert.equal(await quiet(() => trainCmd(['--out', run, '--resume', '--steps', '40', '--samples', '0'])), 0);
  assert.equal(readCheckpoint(path.join(run, 'checkpoint.safetensors')).meta.step, 40);
});
