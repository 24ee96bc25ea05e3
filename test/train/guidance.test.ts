/**
 * Guidance raises a held-out classifier's accuracy on the requested class (MATH.md section 7).
 * Data: two overlapping 2-D Gaussians (means -+0.6 on the x axis, std 0.5); the held-out
 * classifier is the exact Bayes rule of that mixture (sign of x). Samples for class 0:
 * - classifier-free guidance: a class-conditional MLP trained with label dropout 0.2; accuracy at
 *   w = 3 exceeds accuracy at w = 0 by at least 4 points;
 * - classifier guidance: an unconditional MLP plus a noisy classifier; w = 0 gives ~50%, w = 3
 *   at least 70%.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { classifierConfigFromArgs, configFromArgs } from '../../src/cli/train.ts';
import { resolveDataset } from '../../src/data/resolve.ts';
import { loadScheme } from '../../src/scheme/load.ts';
import { loadRun } from '../../src/run/load.ts';
import { sample } from '../../src/sample/sample.ts';
import { initTrainBackend } from '../../src/train/backend.ts';
import { ClassifierGuidedModel, NoisyClassifier, trainClassifier } from '../../src/train/classifier.ts';
import { train } from '../../src/train/loop.ts';

await initTrainBackend('wasm');
const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'sdekit-guid-'));
const file = path.join(dir, 'two.json');
fs.writeFileSync(file, JSON.stringify({ weights: [1, 1], means: [[-0.6, 0], [0.6, 0]], stds: [0.5, 0.5] }));
const data = resolveDataset(`gmm:${file}`);
const scheme = loadScheme('vp-linear');
const accuracy0 = (s: Float64Array): number => { let ok = 0; for (let i = 0; i < s.length / 2; i++) if (s[2 * i] < 0) ok++; return ok / (s.length / 2); };
const common = ['--scheme', 'vp-linear', '--hidden', '64,64,64', '--batch', '256', '--weighting', 'edm', '--seed', '2'];

test('classifier-free guidance: accuracy(w = 3) > accuracy(w = 0) + 0.04', async (t) => {
  const out = path.join(dir, 'cfg');
  await train({ config: configFromArgs([...common, '--steps', '800', '--cond', 'on', '--p-uncond', '0.2'], data), scheme, data, outDir: out, progress: false });
  const acc: number[] = [];
  for (const w of [0, 3]) {
    const { model } = loadRun(out, { classLabel: 0, guidance: w });
    const r = await sample({ scheme, model, sampler: 'dpm-solver++2m', spacing: 'logsnr', steps: 40, n: 4000, seed: 3 });
    acc.push(accuracy0(r.samples));
    model.dispose();
  }
  t.diagnostic(`accuracy on class 0: w = 0 ${acc[0].toFixed(3)}, w = 3 ${acc[1].toFixed(3)} (Bayes rule on the true class-0 component: 0.885)`);
  assert.ok(acc[0] > 0.75, `conditional model accuracy ${acc[0]}`);
  assert.ok(acc[1] > acc[0] + 0.04, `${acc[1]} vs ${acc[0]}`);
});

test('classifier guidance: accuracy ~0.5 at w = 0, > 0.7 at w = 3', async (t) => {
  const out = path.join(dir, 'uncond'), cdir = path.join(dir, 'clf');
  await train({ config: configFromArgs([...common, '--steps', '800'], data), scheme, data, outDir: out, progress: false });
  const r0 = await trainClassifier({ config: classifierConfigFromArgs(['--scheme', 'vp-linear', '--steps', '400', '--hidden', '64,64', '--batch', '256'], data), scheme, data, outDir: cdir, progress: false });
  t.diagnostic(`noisy classifier accuracy: ${JSON.stringify(r0.accuracy)}`);
  const acc: number[] = [];
  for (const w of [0, 3]) {
    const { model } = loadRun(out);
    const clf = NoisyClassifier.load(cdir);
    const r = await sample({ scheme, model: new ClassifierGuidedModel(model, clf, 0, w), sampler: 'dpm-solver++2m', spacing: 'logsnr', steps: 40, n: 4000, seed: 3 });
    acc.push(accuracy0(r.samples));
    model.dispose(); clf.dispose();
  }
  t.diagnostic(`accuracy on class 0: w = 0 ${acc[0].toFixed(3)}, w = 3 ${acc[1].toFixed(3)}`);
  assert.ok(Math.abs(acc[0] - 0.5) < 0.08, `unguided ${acc[0]}`);
  assert.ok(acc[1] > 0.7, `guided ${acc[1]}`);
});
