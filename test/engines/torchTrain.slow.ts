/**
 * `sdekit train --engine torch`, the longer checks: an interrupted and resumed torch run ends where an
 * uninterrupted one does (bit for bit), and a torch-trained run folder sampled by sdekit reaches the
 * sample quality (sliced Wasserstein-2 to held-out data) of sdekit's own engine at the same steps.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { toy2d } from '../../src/data/toy2d.ts';
import { loadScheme } from '../../src/scheme/load.ts';
import { readCheckpoint } from '../../src/train/checkpoint.ts';
import { RUN_FILES } from '../../src/train/config.ts';
import { configFromArgs } from '../../src/cli/train.ts';
import { trainTorch } from '../../src/engines/torch/engine.ts';
import { train } from '../../src/train/loop.ts';
import { renderSamples } from '../../src/run/preview.ts';
import { TORCH_SKIP } from './torchAvailable.ts';

const tmp = (p: string) => fs.mkdtempSync(path.join(os.tmpdir(), p));
const ring8 = toy2d('ring8');
const scheme = loadScheme('vp-linear');

test('an interrupted and resumed torch run ends where an uninterrupted one does', { skip: TORCH_SKIP }, async () => {
  const cfg = configFromArgs(['--scheme', 'vp-linear', '--hidden', '32,32', '--batch', '64', '--steps', '20', '--checkpoint-every', '10', '--lr', '3e-3'], ring8);
  const one = tmp('sdekit-t1-'), cut = tmp('sdekit-tr-');
  await trainTorch({ config: cfg, scheme, data: ring8, outDir: one, nproc: 1, logEvery: 1, progress: false });
  // interrupted after step 10 (a checkpoint), resumed: the same final weights as the uninterrupted run
  const a = await trainTorch({ config: cfg, scheme, data: ring8, outDir: cut, nproc: 1, logEvery: 1, progress: false, stopAfter: 10 });
  assert.equal(a.step, 10);
  const b = await trainTorch({ config: cfg, scheme, data: ring8, outDir: cut, nproc: 1, logEvery: 1, progress: false, resume: true });
  assert.equal(b.startStep, 10);
  const full = readCheckpoint(path.join(one, RUN_FILES.checkpoint)), resumed = readCheckpoint(path.join(cut, RUN_FILES.checkpoint));
  assert.equal(resumed.meta.step, 20);
  for (const [k, t] of Object.entries(full.groups.ema)) assert.deepEqual(Array.from(resumed.groups.ema[k].data), Array.from(t.data), `ema/${k}`);
  assert.deepEqual(resumed.meta.lossLog, full.meta.lossLog);
  for (const d of [one, cut]) fs.rmSync(d, { recursive: true });
});

test('a torch-trained run folder samples in sdekit as well as sdekit\'s own training at the same steps (ring8)', { skip: TORCH_SKIP }, async () => {
  await tf.setBackend('cpu');
  const steps = 300;
  const cfg = configFromArgs(['--scheme', 'vp-linear', '--hidden', '64,64', '--batch', '256', '--steps', String(steps), '--seed', '1'], ring8);
  const mine = tmp('sdekit-q1-'), theirs = tmp('sdekit-q2-');
  await train({ config: cfg, scheme, data: ring8, outDir: mine, progress: false });
  await trainTorch({ config: cfg, scheme, data: ring8, outDir: theirs, nproc: 2, progress: false });
  const own = (await renderSamples(mine, scheme, ring8, 1000)).slicedWasserstein!;
  const torch = (await renderSamples(theirs, scheme, ring8, 1000)).slicedWasserstein!;
  console.log(`ring8, ${steps} steps: SW2 sdekit engine ${own.toFixed(4)}, torch engine (2 processes) ${torch.toFixed(4)}`);
  assert.ok(torch <= 1.5 * own + 0.03, `SW2 torch ${torch} vs sdekit ${own}`);
  assert.ok(torch < 0.3, `SW2 torch ${torch}`);
  for (const d of [mine, theirs]) fs.rmSync(d, { recursive: true });
});


test('Ctrl-C reaches every rank: exit 130, a checkpoint at the step they stopped at, and --resume continues from it', { skip: TORCH_SKIP }, async () => {
  const { spawn } = await import('node:child_process');
  const dir = tmp('sdekit-tint-');
  const out = path.join(dir, 'run');
  const child = spawn(process.execPath, ['--import', 'tsx', 'src/cli/main.ts', 'train', '--engine', 'torch', '--nproc', '2', '--scheme', 'vp-linear', '--data', 'ring8',
    '--steps', '1000000', '--batch', '64', '--hidden', '16,16', '--checkpoint-every', '1000000', '--samples', '0', '--out', out], { stdio: ['ignore', 'pipe', 'pipe'] });
  let err = '';
  child.stderr.on('data', (d: Buffer) => { err += d.toString(); });
  // wait until the ranks train (their logs exist and grow), then interrupt sdekit as a terminal would
  const logs = path.join(out, 'torch', 'logs');
  for (let i = 0; i < 600 && !(fs.existsSync(logs) && fs.readdirSync(logs).length > 0); i++) await new Promise((r) => setTimeout(r, 500));
  await new Promise((r) => setTimeout(r, 8000));
  child.kill('SIGINT');
  const code = await new Promise<number | null>((r) => child.on('close', (c) => r(c)));
  assert.equal(code, 130, err);
  assert.match(err, /interrupted at step \d+; checkpoint kept; continue with --resume/);
  const step = readCheckpoint(path.join(out, RUN_FILES.checkpoint)).meta.step;
  assert.ok(step > 0 && step < 1000000, `checkpoint at step ${step}`);
  const r = await trainTorch({ config: { ...JSON.parse(fs.readFileSync(path.join(out, RUN_FILES.config), 'utf8')), steps: step + 5 }, scheme, data: ring8, outDir: out, nproc: 2, resume: true, progress: false });
  assert.equal(r.startStep, step);
  assert.equal(r.step, step + 5);
  fs.rmSync(dir, { recursive: true });
});
