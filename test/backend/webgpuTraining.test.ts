/**
 * Training works on the WebGPU backend (Dawn; llvmpipe on CI) and matches the wasm backend's
 * losses to float32 tolerance over a few Adam steps of the reference MLP (tiny widths: llvmpipe is
 * slow). Skips with a message when no WebGPU adapter can be created.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as tf from '@tensorflow/tfjs';
import { probeDawn } from '../../src/backend/webgpu.ts';
import { initBackend } from '../../src/backend/select.ts';
import { MlpTrainer, initMlpParams, makeMlpBatch, type MlpConfig } from '../../src/backend/mlpWorkload.ts';

const probe = await probeDawn();
const skip = probe.ok ? false : `no WebGPU adapter, WebGPU training test skipped: ${probe.reason}`;
if (skip) console.log(`# ${skip}`);

const cfg: MlpConfig = { dataDim: 2, embDim: 16, hidden: 32, depth: 3 };
const STEPS = 4;

async function losses(backend: 'wasm' | 'webgpu', variant: 'plain' | 'fused'): Promise<number[]> {
  const info = await initBackend(backend);
  assert.equal(tf.getBackend(), info.tfBackend);
  const tr = new MlpTrainer(initMlpParams(cfg, 5), { embDim: cfg.embDim, learningRate: 1e-2, variant });
  tr.setBatch(makeMlpBatch(cfg, 64, 6));
  const out: number[] = [];
  for (let i = 0; i < STEPS; i++) out.push(await tr.stepAsync());
  tr.dispose();
  return out;
}

test('MLP training: WebGPU losses match wasm to float32 tolerance', { skip }, async () => {
  for (const variant of ['plain', 'fused'] as const) {
    const ref = await losses('wasm', variant);
    const gpu = await losses('webgpu', variant);
    assert.ok(ref[STEPS - 1] < ref[0], `${variant}: wasm training reduces the loss`);
    for (let i = 0; i < STEPS; i++) {
      // the loss is a mean of squares of O(1) values; Adam amplifies rounding differences a little
      // each step (update ~ m / sqrt(v)), so allow 1e-5 relative on the first step, growing.
      const tol = 1e-5 * (1 + 4 * i) * ref[i];
      assert.ok(Math.abs(gpu[i] - ref[i]) <= tol, `${variant} step ${i}: webgpu ${gpu[i]} vs wasm ${ref[i]}`);
    }
  }
});

test('sdekit train runs on WebGPU end to end (DSM loss, Adam, EMA, checkpoint) and matches wasm', { skip }, async () => {
  const fs = await import('node:fs');
  const os = await import('node:os');
  const path = await import('node:path');
  const { configFromArgs } = await import('../../src/cli/train.ts');
  const { resolveDataset } = await import('../../src/data/resolve.ts');
  const { loadScheme } = await import('../../src/scheme/load.ts');
  const { train } = await import('../../src/train/loop.ts');
  const data = resolveDataset('moons');
  const run = async (backend: 'wasm' | 'webgpu'): Promise<number[]> => {
    await initBackend(backend);
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), `sdekit-wg-${backend}-`));
    const config = configFromArgs(['--scheme', 'vp-linear', '--data', 'moons', '--steps', '4', '--batch', '64', '--hidden', '32,32', '--checkpoint-every', '2', '--out', dir], data);
    const out: number[] = [];
    await train({ config, scheme: loadScheme('vp-linear'), data, outDir: dir, progress: false, onStep: (_, loss) => out.push(loss) });
    assert.ok(fs.existsSync(path.join(dir, 'checkpoint.safetensors')), `${backend}: a checkpoint was written`);
    return out;
  };
  const ref = await run('wasm');
  const gpu = await run('webgpu');
  for (let i = 0; i < ref.length; i++) assert.ok(Math.abs(gpu[i] - ref[i]) <= 1e-4 * (1 + 4 * i) * Math.abs(ref[i]), `step ${i}: webgpu ${gpu[i]} vs wasm ${ref[i]}`);
  await initBackend('wasm');
});
