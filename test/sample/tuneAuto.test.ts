/**
 * The tuner's guarantees and `sdekit tune --sampler auto`: on random 2-D mixtures the returned grid
 * is never worse than the best built-in grid on the validation points (re-measured here on the same
 * points, independently of the tuner's bookkeeping); on a single Gaussian, whose PF-ODE map is known in
 * closed form, the tuned grid is closer to it than every built-in grid on held-out points; the auto
 * file names its sampler and `sdekit sample --steps-file` samples with it when --sampler is absent.
 */
import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { run as sampleCmd } from '../../src/cli/sample.ts';
import { run as tuneCmd } from '../../src/cli/tune.ts';
import { UserError } from '../../src/errors.ts';
import { GaussianMixtureModel } from '../../src/score/gmm.ts';
import { GaussianModel } from '../../src/score/gaussian.ts';
import { createRng } from '../../src/rng.ts';
import { sample } from '../../src/sample/sample.ts';
import { pointAt } from '../../src/sample/steps.ts';
import { defaultTuneN, rmsDistance, tuneGrid, tuneProblem } from '../../src/sample/tune.ts';
import { scheme } from './fixtures.ts';
import { quiet } from './quiet.ts';

const dir = mkdtempSync(join(tmpdir(), 'sdekit-tuneauto-'));
after(() => rmSync(dir, { recursive: true, force: true }));

test('tuneGrid: never worse than the best built-in grid on the validation points (random mixtures)', async () => {
  const s = scheme('vp-linear');
  const mixture = fc.record({
    k: fc.integer({ min: 1, max: 4 }),
    seed: fc.integer({ min: 0, max: 1000 }),
    std: fc.double({ min: 0.05, max: 0.6, noNaN: true }),
  });
  await fc.assert(fc.asyncProperty(mixture, fc.constantFrom('unipc', 'dpm-solver++2m', 'deis'), async ({ k, seed, std }, sampler) => {
    const rng = createRng(seed);
    const gmm = { weights: Array.from({ length: k }, () => 0.2 + rng.uniform()), means: Array.from({ length: k }, () => [4 * rng.uniform() - 2, 4 * rng.uniform() - 2]), stds: Array(k).fill(std) };
    const model = new GaussianMixtureModel(gmm);
    const r = await tuneGrid({ scheme: s, model, sampler, steps: 4, n: 48, seed, maxEvals: 40 });
    assert.ok(r.validation.tuned <= r.validation.start, `${r.validation.tuned} > ${r.validation.start}`);
    // re-measure both on the tuner's validation points
    const p = await tuneProblem(s, model, 4, 48, seed);
    const err = async (o: { times?: number[]; spacing?: 'logsnr' | 'uniform-t' | 'time-quadratic' }) =>
      rmsDistance((await sample({ scheme: s, model, sampler, steps: 4, noise: p.valid.noise, ...o })).samples, p.valid.exact, 48);
    const tuned = await err({ times: r.times });
    assert.ok(Math.abs(tuned - r.validation.tuned) <= 1e-12 * (1 + tuned));
    const builtin = Math.min(...await Promise.all((['logsnr', 'uniform-t', 'time-quadratic'] as const).map((spacing) => err({ spacing }))));
    assert.ok(tuned <= builtin * (1 + 1e-12), `tuned ${tuned} vs best built-in ${builtin}`);
    assert.equal(r.times.length, 5);
    for (let i = 1; i < r.times.length; i++) assert.ok(r.times[i] < r.times[i - 1]);
  }), { numRuns: 4, seed: 12 });
});

test('tuneGrid on a single Gaussian: closer to the closed-form PF-ODE map than every built-in grid, on held-out points', async () => {
  const s = scheme('vp-linear');
  const mean = [1, -0.5, 0.25], variance = 0.04;
  const g = new GaussianModel(mean, variance);
  const r = await tuneGrid({ scheme: s, model: g, sampler: 'dpm-solver++2m', steps: 5, n: 32, seed: 3, maxEvals: 300 });
  const n = 300;
  const noise = createRng(77).fillNormal(new Float64Array(n * 3));
  const a = pointAt(s, s.T), b = pointAt(s, s.t0);
  const exact = g.flow(noise.map((v) => v * a.sigma), n, a, b);
  const err = async (o: { times?: number[]; spacing?: 'logsnr' | 'uniform-t' | 'time-quadratic' }) =>
    rmsDistance((await sample({ scheme: s, model: g, sampler: 'dpm-solver++2m', steps: 5, noise, ...o })).samples, exact, n);
  const tuned = await err({ times: r.times });
  for (const spacing of ['logsnr', 'uniform-t', 'time-quadratic'] as const) {
    const e = await err({ spacing });
    // (the map is affine: x_0 = alpha_0 m + c (x_T - alpha_T m); 4 interior times can match it)
    assert.ok(tuned < 0.01 * e, `tuned ${tuned.toExponential(2)} vs ${spacing} ${e.toExponential(2)}`);
  }
  assert.equal(defaultTuneN(2), 16384);
  assert.equal(defaultTuneN(64), 4096);
  assert.equal(defaultTuneN(784), 334);
  assert.equal(defaultTuneN(1e6), 256);
});

test('sdekit tune --sampler auto writes the sampler it picked; sample --steps-file uses it without --sampler', async () => {
  const gmmFile = join(dir, 'two.json');
  writeFileSync(gmmFile, JSON.stringify({ weights: [0.7, 0.3], means: [[-1.5, 0], [1.5, 0.5]], stds: [0.1, 0.3] }));
  const out = join(dir, 'auto.json');
  const base = ['--scheme', 'vp-linear', '--score', `gmm:${gmmFile}`];
  assert.equal(await quiet(() => tuneCmd([...base, '--steps', '4', '--n', '32', '--evals', '30', '--candidates', '2', '--out', out])), 0);
  const doc = JSON.parse(readFileSync(out, 'utf8')) as { t: number[]; sampler: string; options: Record<string, unknown>; tried: unknown[]; tuningNfe: number; n: number };
  assert.equal(doc.tried.length, 2);
  assert.equal(doc.n, 32);
  assert.equal(doc.t.length, 5);
  const a = join(dir, 'a.json'), b = join(dir, 'b.json');
  const flags = Object.entries(doc.options).flatMap(([k, v]) => [k === 'lowerOrderFinal' ? '--lower-order-final' : `--${k}`, k === 'lowerOrderFinal' ? (v ? 'on' : 'off') : String(v)]);
  assert.equal(await quiet(() => sampleCmd([...base, '--steps-file', out, '--n', '16', '--out', a])), 0);
  assert.equal(await quiet(() => sampleCmd([...base, '--steps-file', out, '--n', '16', '--sampler', doc.sampler, ...flags, '--out', b])), 0);
  const ra = JSON.parse(readFileSync(a, 'utf8')), rb = JSON.parse(readFileSync(b, 'utf8'));
  assert.equal(ra.sampler, doc.sampler);
  assert.deepEqual(ra.samples, rb.samples);
  // a file's sampler entries are checked, naming the entry
  const bad = async (extra: Record<string, unknown>, entry: RegExp) => {
    writeFileSync(b, JSON.stringify({ t: doc.t, ...extra }));
    await assert.rejects(quiet(() => sampleCmd([...base, '--steps-file', b, '--n', '4', '--out', a])), (e: unknown) => e instanceof UserError && e.field === '--steps-file' && entry.test(e.message));
  };
  await bad({ sampler: 'rk45' }, /"sampler" must name a sampler/);
  await bad({ sampler: 'unipc', options: { variant: 'bh3' } }, /"options.variant"/);
  await bad({ sampler: 'unipc', options: { steps: 3 } }, /"options.steps" is not a sampler option/);
  // tune's own flag errors
  await assert.rejects(quiet(() => tuneCmd([...base, '--steps', '4', '--sampler', 'unipc', '--candidates', '2', '--out', out])), (e: unknown) => e instanceof UserError && e.field === '--candidates');
  await assert.rejects(quiet(() => tuneCmd([...base, '--steps', '4', '--order', '2', '--out', out])), (e: unknown) => e instanceof UserError && e.field === '--order');
});

test('sdekit tune --refine: bad values exit 2 naming the flag; the second stage runs', async () => {
  const gmmFile = join(dir, 'one.json');
  writeFileSync(gmmFile, JSON.stringify({ weights: [1], means: [[0, 0]], stds: [0.2] }));
  const base = ['--scheme', 'vp-linear', '--score', `gmm:${gmmFile}`, '--steps', '3', '--out', join(dir, 'x.json')];
  await assert.rejects(quiet(() => tuneCmd([...base, '--refine', '-1'])), (e: unknown) => e instanceof UserError && e.field === '--refine');
  assert.equal(await quiet(() => tuneCmd([...base, '--sampler', 'unipc', '--n', '16', '--evals', '10', '--refine', '5'])), 0);
  const doc = JSON.parse(readFileSync(join(dir, 'x.json'), 'utf8')) as { t: number[]; objectiveEvaluations: number };
  assert.equal(doc.t.length, 4);
  assert.ok(doc.objectiveEvaluations > 10);
});
