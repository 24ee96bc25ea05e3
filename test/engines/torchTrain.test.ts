/**
 * `sdekit train --engine torch`: the PyTorch networks are sdekit's (same outputs from the same
 * weights: MLP with classes, U-Net with attention) and build the same DSM batches (every pred, weighting
 * and time sampling, from the same times and noise); two gloo processes follow the one-process loss
 * curve for the same global batch and seed (float32 tolerance, first 20 steps) and sdekit samples the
 * run folder; a python without torch is exit 2 with the install hint. Skips (saying why) when no
 * python3 has torch. Resume and sample quality against sdekit's own engine: torchTrain.slow.ts.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { toy2d } from '../../src/data/toy2d.ts';
import type { Dataset } from '../../src/data/dataset.ts';
import { loadScheme } from '../../src/scheme/load.ts';
import { initWeights } from '../../src/score/layers.ts';
import { createNet, type NetConfig } from '../../src/score/net.ts';
import { Rng } from '../../src/rng.ts';
import { readCheckpoint } from '../../src/train/checkpoint.ts';
import { RUN_FILES } from '../../src/train/config.ts';
import { configFromArgs } from '../../src/cli/train.ts';
import { trainTorch } from '../../src/engines/torch/engine.ts';
import { writeTorchProgram } from '../../src/engines/torch/program.ts';
import { encodeSafetensors } from '../../src/train/safetensors.ts';
import { renderSamples } from '../../src/run/preview.ts';
import { TORCH_PYTHON, TORCH_SKIP } from './torchAvailable.ts';
import { pythonModule } from '../../src/codegen/python.ts';
import { DsmObjective, type WeightingName } from '../../src/train/dsm.ts';
import { LOGSNR_CLAMP, type TimeSampling } from '../../src/train/timeSampling.ts';
import type { Pred } from '../../src/score/precond.ts';

const tmp = (p: string) => fs.mkdtempSync(path.join(os.tmpdir(), p));
const ring8 = toy2d('ring8');
const scheme = loadScheme('vp-linear');
const tinyConfig = (data: Dataset, extra: string[]) => configFromArgs(['--scheme', 'vp-linear', '--hidden', '32,32', '--batch', '64', '--steps', '20', '--checkpoint-every', '10', ...extra], data);

test('the PyTorch networks compute sdekit\'s networks from the same weights (MLP with classes, U-Net with attention)', { skip: TORCH_SKIP }, async () => {
  await tf.setBackend('cpu');
  const dir = tmp('sdekit-tnet-');
  const nets: [string, NetConfig, number[]][] = [
    ['mlp', { kind: 'mlp', dim: 3, hidden: [16, 16], embDim: 8, numClasses: 4 }, [3]],
    ['unet', { kind: 'unet', height: 8, width: 8, channels: 2, widths: [8, 16], embDim: 16, groups: 8, numClasses: 3, attention: true }, [8, 8, 2]],
  ];
  const cases: Record<string, unknown> = {};
  for (const [name, cfg, shape] of nets) {
    const net = createNet(cfg);
    // random weights everywhere (zero-initialised layers included), so every parameter matters
    const w = initWeights(net.specs.map((s) => ({ ...s, init: { kind: 'normal' as const, std: 0.3 } })), new Rng(7));
    const B = 5, D = shape.reduce((a, b) => a * b, 1);
    const x = new Rng(8).fillNormal(new Float32Array(B * D)), c = Float32Array.from([-1.9, -0.5, 0, 0.7, 1.99]), labels = Int32Array.from([0, 1, 2, cfg.numClasses, 1]);
    const F = tf.tidy(() => net.apply(w, tf.tensor(x, [B, ...shape]), tf.tensor1d(c), tf.tensor1d(labels, 'int32')).dataSync());
    const tensors = Object.fromEntries(await Promise.all(Object.entries(w).map(async ([k, t]) => [k, { dtype: 'F32' as const, shape: [...t.shape], data: Float32Array.from(await t.data() as Float32Array) }])));
    fs.writeFileSync(path.join(dir, `${name}.safetensors`), encodeSafetensors(tensors));
    tf.dispose(Object.values(w));
    cases[name] = { cfg, shape, x: Array.from(x), c: Array.from(c), labels: Array.from(labels), want: Array.from(F) };
  }
  const cfg = tinyConfig(ring8, []);
  await writeTorchProgram(dir, cfg, scheme, ring8);
  const script = `
import sys, json, torch
sys.path.insert(0, ${JSON.stringify(dir)})
import train, sdekit_safetensors as st
cases = json.loads(sys.stdin.read()); out = {}
for name, c in cases.items():
    w, _ = st.load_file(${JSON.stringify(dir)} + "/" + name + ".safetensors")
    net = train.Net(c["cfg"], w)
    x = torch.tensor(c["x"], dtype=torch.float32).reshape([-1] + c["shape"])
    with torch.no_grad():
        y = net(x, torch.tensor(c["c"], dtype=torch.float32), torch.tensor(c["labels"]))
    out[name] = y.reshape(-1).tolist()
print(json.dumps(out))`;
  const r = spawnSync(TORCH_PYTHON!, ['-c', script], { input: JSON.stringify(cases), encoding: 'utf8', maxBuffer: 1 << 26 });
  assert.equal(r.status, 0, r.stderr);
  const got = JSON.parse(r.stdout) as Record<string, number[]>;
  for (const [name] of nets) {
    const want = (cases[name] as { want: number[] }).want;
    let err = 0, scale = 0;
    for (let i = 0; i < want.length; i++) { err = Math.max(err, Math.abs(got[name][i] - want[i])); scale = Math.max(scale, Math.abs(want[i])); }
    assert.ok(scale > 0.1, `${name}: the output is not trivial`);
    assert.ok(err <= 1e-4 * scale, `${name}: max |torch - sdekit| = ${err} (scale ${scale})`);
  }
  fs.rmSync(dir, { recursive: true });
});

/** An Rng that also keeps the normals its fillNormal returned (the DSM noise). */
class KeepNoise extends Rng {
  kept: number[] = [];
  override fillNormal<A extends Float32Array | Float64Array>(out: A): A { super.fillNormal(out); this.kept.push(...out); return out; }
}

test('the PyTorch DSM batch equals sdekit\'s for every parameterisation, weighting and time sampling', { skip: TORCH_SKIP }, async () => {
  const dir = tmp('sdekit-tdsm-');
  const combos: [string, Pred, 'none' | 'edm', WeightingName, TimeSampling][] = [
    ['vp-linear', 'eps', 'none', 'simple', 'uniform'], ['vp-linear', 'x0', 'edm', 'edm', 'lognormal'], ['vp-linear', 'v', 'none', 'elbo', 'importance'],
    ['vp-linear', 'score', 'none', 'likelihood', 'importance'], ['edm', 'x0', 'edm', 'edm', 'lognormal'], ['ddpm-linear-1000', 'eps', 'none', 'likelihood', 'importance'],
    ['sub-vp', 'v', 'none', 'edm', 'uniform'], ['rectified-flow', 'x0', 'edm', 'elbo', 'importance'],
  ];
  const cases = [];
  const n = 64;
  for (const [name, pred, precond, weighting, time] of combos) {
    const s = loadScheme(name);
    const mod = `sched_${name.replace(/[^a-z0-9]/g, '_')}`;
    fs.writeFileSync(path.join(dir, `${mod}.py`), pythonModule(s));
    const obj = { head: { pred, precond, sigmaData: 0.7 }, weighting, time, pUncond: 0, numClasses: 0 };
    const rng = new KeepNoise(11);
    const x0 = ring8.sample(new Rng(12), n).x;
    const b = new DsmObjective(s, obj).batch(x0, null, n, rng);
    cases.push({ mod, obj, x0: Array.from(x0), t: Array.from(b.t), eps: rng.kept, lamT: Math.max(s.logSnr(s.T), -LOGSNR_CLAMP), lam0: Math.min(s.logSnr(s.t0), LOGSNR_CLAMP),
      want: { xIn: Array.from(b.xIn), cNoise: Array.from(b.cNoise), target: Array.from(b.target), weight: Array.from(b.weight) } });
  }
  await writeTorchProgram(dir, tinyConfig(ring8, []), scheme, ring8);
  const script = `
import sys, json, importlib, torch
sys.path.insert(0, ${JSON.stringify(dir)})
import train
out = []
for c in json.loads(sys.stdin.read()):
    train.S = importlib.import_module(c["mod"])
    t = torch.tensor(c["t"], dtype=torch.float64)
    ratio = train.importance_ratio(t, c["lamT"], c["lam0"]) if c["obj"]["time"] == "importance" else torch.ones_like(t)
    x0 = torch.tensor(c["x0"], dtype=torch.float32).double().reshape(len(c["t"]), -1)
    eps = torch.tensor(c["eps"], dtype=torch.float64).reshape(x0.shape)
    xin, cn, target, lw = train.dsm_batch(c["obj"], x0, t, ratio, eps)
    out.append({"xIn": xin.reshape(-1).tolist(), "cNoise": cn.tolist(), "target": target.reshape(-1).tolist(), "weight": lw.tolist()})
print(json.dumps(out))`;
  const r = spawnSync(TORCH_PYTHON!, ['-c', script], { input: JSON.stringify(cases), encoding: 'utf8', maxBuffer: 1 << 26 });
  assert.equal(r.status, 0, r.stderr);
  const got = JSON.parse(r.stdout) as Record<string, number[]>[];
  cases.forEach((c, i) => {
    for (const k of ['xIn', 'cNoise', 'target', 'weight'] as const) {
      const want = c.want[k], g = got[i][k];
      assert.equal(g.length, want.length);
      for (let j = 0; j < want.length; j++) {
        // float32 outputs of float64 formulas; tabulated views (numeric schemes) interpolate: 1e-5
        assert.ok(Math.abs(g[j] - want[j]) <= 1e-5 * Math.max(1, Math.abs(want[j])), `${combos[i].join('/')}: ${k}[${j}] torch ${g[j]} vs sdekit ${want[j]}`);
      }
    }
  });
  fs.rmSync(dir, { recursive: true });
});

test('two gloo processes follow the one-process loss curve (same global batch and seed); sdekit samples the run', { skip: TORCH_SKIP }, async () => {
  const cfg = tinyConfig(ring8, ['--lr', '3e-3']);
  const one = tmp('sdekit-t1-'), two = tmp('sdekit-t2-');
  const r1 = await trainTorch({ config: cfg, scheme, data: ring8, outDir: one, nproc: 1, logEvery: 1, progress: false });
  const r2 = await trainTorch({ config: cfg, scheme, data: ring8, outDir: two, nproc: 2, logEvery: 1, progress: false });
  assert.equal(r1.lossLog.length, 20);
  assert.deepEqual(r2.lossLog.map(([s]) => s), r1.lossLog.map(([s]) => s));
  for (let i = 0; i < 20; i++) {
    const [a, b] = [r1.lossLog[i][1], r2.lossLog[i][1]];
    assert.ok(Math.abs(a - b) <= 1e-4 * Math.abs(a) + 1e-6, `step ${i + 1}: 1 process ${a}, 2 processes ${b}`);
  }
  assert.ok(r1.lossLog[19][1] < r1.lossLog[0][1], 'the loss goes down');
  // the two-process run folder is an sdekit run folder: sdekit samples it
  const preview = await renderSamples(two, scheme, ring8, 200);
  assert.ok(Number.isFinite(preview.slicedWasserstein), 'sdekit sampled the torch-trained model');
  for (const d of [one, two]) fs.rmSync(d, { recursive: true });
});

test('--engine torch with a python that has no torch is exit 2 with the install hint', () => {
  const dir = tmp('sdekit-tnp-');
  const r = spawnSync(process.execPath, ['--import', 'tsx', 'src/cli/main.ts', 'train', '--engine', 'torch', '--python', '/bin/false', '--scheme', 'vp-linear', '--data', 'ring8', '--steps', '5', '--out', path.join(dir, 'run')], { encoding: 'utf8' });
  assert.equal(r.status, 2, r.stderr);
  assert.match(r.stderr, /--python: cannot import torch with this interpreter; install PyTorch \(Debian\/Ubuntu: apt-get install -y --no-install-recommends python3-torch/);
  const r2 = spawnSync(process.execPath, ['--import', 'tsx', 'src/cli/main.ts', 'train', '--nproc', '2', '--scheme', 'vp-linear', '--data', 'ring8', '--steps', '5', '--out', path.join(dir, 'run')], { encoding: 'utf8' });
  assert.equal(r2.status, 2);
  assert.match(r2.stderr, /--nproc: needs --engine torch/);
  fs.rmSync(dir, { recursive: true });
});
