/**
 * `--steps-file` and `sdekit tune`: a steps file reproduces the built-in grid it lists; bad files
 * are UserErrors naming the flag and the entry; the tuned grid of a small run is closer to the exact
 * PF-ODE solution than every built-in grid on starting points it was NOT tuned on (another seed),
 * and its file drives `sdekit sample --steps-file`.
 */
import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { run as sampleCmd } from '../../src/cli/sample.ts';
import { run as tuneCmd } from '../../src/cli/tune.ts';
import { UserError } from '../../src/errors.ts';
import { GaussianMixtureModel } from '../../src/score/gmm.ts';
import { createRng } from '../../src/rng.ts';
import { sample } from '../../src/sample/sample.ts';
import { makeGrid } from '../../src/sample/steps.ts';
import { rmsDistance } from '../../src/sample/tune.ts';
import { scheme } from './fixtures.ts';
import { quiet } from './quiet.ts';

const dir = mkdtempSync(join(tmpdir(), 'sdekit-tune-'));
after(() => rmSync(dir, { recursive: true, force: true }));
const ring = {
  weights: [1, 1, 1, 1, 1, 1],
  means: Array.from({ length: 6 }, (_, k) => [2.5 * Math.cos((2 * Math.PI * k) / 6), 2.5 * Math.sin((2 * Math.PI * k) / 6)]),
  stds: [0.12, 0.12, 0.12, 0.12, 0.12, 0.12],
};
const gmmFile = join(dir, 'ring.json');
writeFileSync(gmmFile, JSON.stringify(ring));

test('--steps-file with the uniform-t times equals --spacing uniform-t; bad files name the entry', async () => {
  const s = scheme('vp-linear');
  const t = makeGrid(s, { spacing: 'uniform-t', steps: 6 }).map((p) => p.t);
  const file = join(dir, 'u.json');
  writeFileSync(file, JSON.stringify({ t }));
  const base = ['--scheme', 'vp-linear', '--score', `gmm:${gmmFile}`, '--sampler', 'unipc', '--n', '20'];
  const a = join(dir, 'a.json'), b = join(dir, 'b.json');
  assert.equal(await quiet(() => sampleCmd([...base, '--steps', '6', '--spacing', 'uniform-t', '--out', a])), 0);
  assert.equal(await quiet(() => sampleCmd([...base, '--steps-file', file, '--out', b])), 0);
  assert.deepEqual(JSON.parse(readFileSync(b, 'utf8')).samples, JSON.parse(readFileSync(a, 'utf8')).samples);
  const bad = async (content: unknown, entry: RegExp, extra: string[] = []) => {
    writeFileSync(file, typeof content === 'string' ? content : JSON.stringify(content));
    await assert.rejects(quiet(() => sampleCmd([...base, '--steps-file', file, '--out', a, ...extra])),
      (e: unknown) => e instanceof UserError && e.field === (extra.length ? extra[0] : '--steps-file') && entry.test(e.message), `${JSON.stringify(content)}`);
  };
  await bad({ t: [1, 0.5, 0.6, 0.001] }, /t\[2\] = 0\.6 is not below t\[1\]/);
  await bad({ t: [1, 0.5, 0.5, 0.001] }, /t\[2\] = 0\.5 is not below/);
  await bad({ t: [1.5, 0.5, 0.001] }, /t\[0\] = 1\.5 is outside \[t0, T\]/);
  await bad({ t: [1, 0.5, 1e-5] }, /t\[2\] = 0\.00001 is outside|t\[2\] = 1e-5 is outside/);
  await bad({ t: [1, 'x', 0.001] }, /t\[1\] is not a finite number/);
  await bad({ t: [1] }, /at least 2 times/);
  await bad({ times: [1, 0.5] }, /"t"/);
  await bad('{', /not JSON/);
  writeFileSync(file, JSON.stringify({ t }));
  await assert.rejects(quiet(() => sampleCmd([...base, '--steps-file', file, '--steps', '5', '--out', a])), (e: unknown) => e instanceof UserError && e.field === '--steps');
});

test('sdekit tune: the tuned grid beats every built-in grid on held-out noise and drives --steps-file', async () => {
  const out = join(dir, 'steps.json');
  const argv = ['--scheme', 'vp-linear', '--score', `gmm:${gmmFile}`, '--sampler', 'dpm-solver++2m', '--steps', '5', '--n', '64', '--seed', '1', '--evals', '150', '--out', out];
  assert.equal(await quiet(() => tuneCmd(argv)), 0);
  const doc = JSON.parse(readFileSync(out, 'utf8')) as { t: number[]; rms: number; baselines: Record<string, number>; tuningNfe: number };
  const s = scheme('vp-linear');
  assert.equal(doc.t.length, 6);
  assert.equal(doc.t[0], s.T);
  assert.equal(doc.t[5], s.t0);
  for (let i = 1; i < doc.t.length; i++) assert.ok(doc.t[i] < doc.t[i - 1]);
  assert.ok(doc.rms <= Math.min(...Object.values(doc.baselines)));
  assert.ok(doc.tuningNfe > 150 * 5);
  // held out: other starting points
  const model = new GaussianMixtureModel(ring);
  const noise = createRng(99).fillNormal(new Float64Array(200 * 2));
  const exact = await sample({ scheme: s, model, sampler: 'rk45', steps: 1, spacing: 'uniform-t', noise, rtol: 1e-9, atol: 1e-9 });
  const err = async (o: { times?: number[]; spacing?: 'logsnr' | 'uniform-t' | 'time-quadratic' }) =>
    rmsDistance((await sample({ scheme: s, model, sampler: 'dpm-solver++2m', steps: 5, noise, ...o })).samples, exact.samples, 200);
  const tuned = await err({ times: doc.t });
  for (const spacing of ['logsnr', 'uniform-t', 'time-quadratic'] as const) {
    const e = await err({ spacing });
    assert.ok(tuned < e, `tuned ${tuned.toExponential(2)} vs ${spacing} ${e.toExponential(2)}`);
  }
  const samplesOut = join(dir, 'tuned-samples.json');
  assert.equal(await quiet(() => sampleCmd(['--scheme', 'vp-linear', '--score', `gmm:${gmmFile}`, '--sampler', 'dpm-solver++2m', '--steps-file', out, '--n', '10', '--out', samplesOut])), 0);
  assert.equal(JSON.parse(readFileSync(samplesOut, 'utf8')).nfe, 5);
  await assert.rejects(quiet(() => tuneCmd(argv.map((v) => (v === '5' ? '1' : v)))), (e: unknown) => e instanceof UserError && e.field === '--steps');
  await assert.rejects(quiet(() => tuneCmd(argv.map((v) => (v === 'dpm-solver++2m' ? 'rk45' : v)))), (e: unknown) => e instanceof UserError && e.field === '--sampler');
});
