/**
 * Resuming from a checkpoint continues exactly: weights, Adam moments, EMA and RNG state after
 * "train 10 steps, stop, resume to 20" equal those of 20 uninterrupted steps, bit for bit (wasm is
 * deterministic on one thread). A non-finite loss stops the run before the update and keeps the
 * last good checkpoint.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { configFromArgs } from '../../src/cli/train.ts';
import { toy2d } from '../../src/data/toy2d.ts';
import type { Dataset } from '../../src/data/dataset.ts';
import { loadScheme } from '../../src/scheme/load.ts';
import { initTrainBackend } from '../../src/train/backend.ts';
import { readCheckpoint } from '../../src/train/checkpoint.ts';
import { RUN_FILES } from '../../src/train/config.ts';
import { NonFiniteLossError, train } from '../../src/train/loop.ts';

await initTrainBackend('wasm');
const tmp = (): string => fs.mkdtempSync(path.join(os.tmpdir(), 'sdekit-resume-'));
const scheme = loadScheme('vp-linear');

function bits(a: Float32Array): Uint32Array { return new Uint32Array(a.buffer, a.byteOffset, a.length); }

for (const [label, extra] of [['eps/simple, class-conditional', ['--cond', 'on', '--pred', 'eps']], ['x0/edm', ['--weighting', 'edm']], ['v/likelihood (importance)', ['--pred', 'v', '--weighting', 'likelihood']]] as const) {
  test(`resume == uninterrupted, bit for bit (${label})`, async () => {
    const data = toy2d('ring8');
    const cfg = configFromArgs(['--scheme', 'vp-linear', '--steps', '20', '--hidden', '16,16', '--batch', '32', '--checkpoint-every', '10', '--seed', '7', ...extra], data);
    const a = tmp(), b = tmp();
    await train({ config: cfg, scheme, data, outDir: a, progress: false });
    await train({ config: cfg, scheme, data, outDir: b, progress: false, stopAfter: 13 }); // "killed" at 13: checkpoint at 10 survives
    assert.equal(readCheckpoint(path.join(b, RUN_FILES.checkpoint)).meta.step, 10);
    await train({ config: cfg, scheme, data, outDir: b, progress: false, resume: true });
    const ca = readCheckpoint(path.join(a, RUN_FILES.checkpoint)), cb = readCheckpoint(path.join(b, RUN_FILES.checkpoint));
    assert.equal(ca.meta.step, 20);
    assert.equal(cb.meta.step, 20);
    assert.deepEqual(cb.meta.rng, ca.meta.rng);
    for (const g of ['weights', 'adam.m', 'adam.v', 'ema']) {
      for (const [name, t] of Object.entries(ca.groups[g])) assert.deepEqual(bits(cb.groups[g][name].data), bits(t.data), `${g}/${name}`);
    }
    // and training actually moved the weights (the comparison is not vacuous)
    const init = await (async () => { const c = tmp(); await train({ config: { ...cfg, steps: 1 }, scheme, data, outDir: c, progress: false }); return readCheckpoint(path.join(c, RUN_FILES.checkpoint)); })();
    assert.notDeepEqual(bits(init.groups.weights['fc0.w'].data), bits(ca.groups.weights['fc0.w'].data));
  });
}

test('resuming with different settings is refused, naming the setting', async () => {
  const data = toy2d('moons');
  const cfg = configFromArgs(['--scheme', 'vp-linear', '--steps', '4', '--hidden', '8', '--batch', '8'], data);
  const dir = tmp();
  await train({ config: cfg, scheme, data, outDir: dir, progress: false });
  const other = configFromArgs(['--scheme', 'vp-linear', '--steps', '8', '--hidden', '8', '--batch', '16'], data);
  await assert.rejects(train({ config: other, scheme, data, outDir: dir, progress: false, resume: true }), /different "batch"/);
  await assert.rejects(train({ config: cfg, scheme, data, outDir: dir, progress: false }), /already holds a run/);
});

test('a NaN loss stops with a clear message and keeps the last good checkpoint', async () => {
  const base = toy2d('ring8');
  let calls = 0;
  const poisoned: Dataset = { ...base, sample: (rng, n) => { const b = base.sample(rng, n); if (++calls > 7) b.x[0] = NaN; return b; } };
  const cfg = configFromArgs(['--scheme', 'vp-linear', '--steps', '20', '--hidden', '8', '--batch', '16', '--checkpoint-every', '5'], base);
  const dir = tmp();
  await assert.rejects(train({ config: cfg, scheme, data: poisoned, outDir: dir, progress: false }), (e: unknown) => {
    assert.ok(e instanceof NonFiniteLossError);
    assert.match(e.message, /step 8: loss = NaN.*last good checkpoint \(step 5\) is kept/);
    return true;
  });
  const ck = readCheckpoint(path.join(dir, RUN_FILES.checkpoint));
  assert.equal(ck.meta.step, 5);
  for (const t of Object.values(ck.groups.weights)) assert.ok(t.data.every(Number.isFinite));
});
