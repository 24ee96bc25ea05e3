/**
 * Samplers on WebGPU (issue 6): every registered sampler runs the same code on float32 Dawn buffers
 * (src/kernels/deviceOps.ts) and on host float64 arrays; from the same noise file and seed the two
 * results agree to float32 tolerance. The generated mixture-views kernel matches the float64 model
 * at random noise levels including alpha = 0 and sigma = 0; `sdekit sample --backend webgpu` reports
 * its adapter; a small network sampled on the cpu, wasm and webgpu TensorFlow.js backends agrees.
 * Skips the device parts with a message when no WebGPU adapter exists (llvmpipe on CI).
 *
 * Tolerance of a whole run (n = 1024 rows of a 2-D 3-component mixture, 20 steps, same noise; data
 * scale S = max |x_host| ~ 3.5): median |device - host| <= 5e-6 S (float32 rounding, u = 6e-8,
 * accumulated over 20-100 launches; measured <= 1.1e-6 S over vp-linear, edm, rectified-flow) and
 * max <= 1e-3 S (measured <= 2.4e-4 S: the few rows near a boundary between modes, where the flow
 * amplifies a rounding difference). rk45 is adaptive and its error norm is a float32 sum on the
 * device, so the accepted step sequence may differ (nfe 194 vs 212 on edm): nfe is not compared
 * and its max bound is 2e-3 S (measured 3.6e-4 S), both runs being within the rtol = 1e-5 error
 * control of the same flow.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import fc from 'fast-check';
import { describeAdapter, probeDawn } from '../../src/backend/webgpu.ts';
import { KernelRuntime } from '../../src/kernels/runtime.ts';
import { DeviceMixture, mixtureOf } from '../../src/kernels/gmmViews.ts';
import { webgpuDevice } from '../../src/kernels/deviceOps.ts';
import type { SampleDevice } from '../../src/sample/ops.ts';
import { GaussianMixtureModel } from '../../src/score/gmm.ts';
import { GaussianModel } from '../../src/score/gaussian.ts';
import type { Parameterization } from '../../src/score/model.ts';
import { SAMPLER_NAMES } from '../../src/sample/registry.ts';
import type { SamplerName } from '../../src/sample/registry.ts';
import { createRng } from '../../src/rng.ts';
import { sample } from '../../src/sample/sample.ts';
import { run as sampleCmd } from '../../src/cli/sample.ts';
import { run as trainCmd } from '../../src/cli/train.ts';
import { isUserError } from '../../src/errors.ts';
import { scheme } from './fixtures.ts';

const probe = await probeDawn();
const skip = probe.ok ? false : `no WebGPU adapter, WebGPU sampler tests skipped: ${probe.reason}`;
if (skip) console.log(`# ${skip}`);

const SPEC = { weights: [0.3, 0.7, 0.5], means: [[-2, 0], [2, 1], [0, -3]], stds: [0.3, 0.5, 0.2] };
const N = 1024;
const STEPS = 20;

let runtime: KernelRuntime | undefined;
function rt(): KernelRuntime {
  if (!probe.ok) throw new Error('no adapter');
  runtime ??= new KernelRuntime(probe.context.device);
  return runtime;
}
function device(): SampleDevice {
  if (!probe.ok) throw new Error('no adapter');
  return webgpuDevice(rt(), `webgpu (${describeAdapter(probe.context.info)})`);
}

/** median and max of |a - b|, and the data scale max |a| */
function compare(a: Float64Array, b: Float64Array): { median: number; max: number; scale: number } {
  const d = Array.from(a, (x, i) => Math.abs(x - b[i])).sort((p, q) => p - q);
  let scale = 1;
  for (const x of a) scale = Math.max(scale, Math.abs(x));
  return { median: d[d.length >> 1], max: d[d.length - 1], scale };
}

async function agree(schemeName: string, sampler: SamplerName): Promise<void> {
  const model = new GaussianMixtureModel(SPEC);
  const noise = createRng(11).fillNormal(new Float64Array(N * 2));
  const opts = { scheme: scheme(schemeName), model, sampler, steps: STEPS, noise, seed: 5 };
  const host = await sample(opts);
  const gpu = await sample({ ...opts, device: device() });
  assert.equal(host.backend, 'host');
  assert.match(gpu.backend, /^webgpu \(/);
  if (sampler !== 'rk45') assert.equal(gpu.nfe, host.nfe, `${schemeName} ${sampler}: nfe`);
  const { median, max, scale } = compare(host.samples, gpu.samples);
  const where = `${schemeName} ${sampler}: median ${median.toExponential(2)}, max ${max.toExponential(2)}, scale ${scale.toFixed(2)}`;
  assert.ok(median <= 5e-6 * scale, where);
  assert.ok(max <= (sampler === 'rk45' ? 2e-3 : 1e-3) * scale, where);
}

for (const schemeName of ['vp-linear', 'edm']) {
  test(`every sampler on WebGPU matches the host float64 run (${schemeName}, ${STEPS} steps, same noise)`, { skip }, async () => {
    for (const s of SAMPLER_NAMES) await agree(schemeName, s);
  });
}

test('zero terminal SNR (rectified-flow) on WebGPU matches the host run', { skip }, async () => {
  for (const s of ['euler', 'dpm-solver++2m', 'dpm-solver-3', 'euler-maruyama', 'unipc', 'deis', 'ipndm'] as const) await agree('rectified-flow', s);
});

test('mixture-views kernel matches the float64 model at random levels, alpha = 0 and sigma = 0', { skip }, async () => {
  const rows = 257;
  const views = ['x0', 'eps', 'score', 'v'] as const;
  const hostModels = Object.fromEntries((['x0', 'eps', 'score', 'v'] as Parameterization[]).map((p) => [p, new GaussianMixtureModel(SPEC, { parameterization: p })]));
  const gm = new DeviceMixture(rt(), mixtureOf(hostModels.x0)!);
  const xs = new Float64Array(rows * 2);
  const x = rt().array(rows * 2);
  const outs = Object.fromEntries(views.map((v) => [v, rt().array(rows * 2)]));
  const level = fc.oneof(
    fc.record({ alpha: fc.double({ min: 0, max: 1, noNaN: true }), sigma: fc.double({ min: 1e-3, max: 80, noNaN: true }) }),
    fc.record({ alpha: fc.constant(0), sigma: fc.double({ min: 0.1, max: 2, noNaN: true }) }),
    fc.record({ alpha: fc.double({ min: 0.5, max: 1, noNaN: true }), sigma: fc.constant(0) }),
  );
  try {
    await fc.assert(fc.asyncProperty(level, async ({ alpha, sigma }) => {
      const at = { t: 0.5, alpha, sigma };
      xs.set(hostModels.x0.sampleMarginal(rows, at, createRng(Math.round(1e6 * (alpha + sigma))))); // points where a sampler meets them
      rt().write(x, Float32Array.from(xs));
      await gm.evaluate(x, rows, at, outs);
      for (const v of views) {
        if (sigma === 0 && (v === 'eps' || v === 'score')) continue; // eps/score models have no value at sigma = 0
        if (sigma === 0 && v === 'v') continue;
        const want = new Float64Array(rows * 2);
        hostModels[v].predict(xs, rows, at, want);
        const got = await rt().read(outs[v]);
        // view = sum r_k (P_k d_k + R_k mu_k): float32 error ~ 1e-6 of |P| |x| + |R| |mu| (plus responsibility rounding)
        let scale = 0;
        for (const w of want) scale = Math.max(scale, Math.abs(w));
        for (let i = 0; i < want.length; i++) {
          assert.ok(Math.abs(got[i] - want[i]) <= 2e-4 * (scale + 1), `${v} at alpha ${alpha}, sigma ${sigma}, i ${i}: ${got[i]} vs ${want[i]}`);
        }
      }
    }), { numRuns: 25 });
    // at alpha = 0 every component has the same quadratic term: x0 = sum_k w_k mu_k exactly, however far x is
    rt().write(x, Float32Array.from(createRng(4).fillNormal(new Float64Array(rows * 2)), (v) => 1e3 * v));
    await gm.evaluate(x, rows, { t: 1, alpha: 0, sigma: 1e-3 }, { x0: outs.x0 });
    const got = await rt().read(outs.x0);
    const wsum = SPEC.weights.reduce((a, b) => a + b, 0);
    for (let j = 0; j < 2; j++) {
      const mean = SPEC.weights.reduce((a, w, k) => a + (w / wsum) * SPEC.means[k][j], 0);
      for (let r = 0; r < rows; r++) assert.ok(Math.abs(got[2 * r + j] - mean) <= 1e-5, `alpha = 0, row ${r}: ${got[2 * r + j]} vs ${mean}`);
    }
  } finally {
    await gm.destroy();
  }
});

test('Gaussian data runs on WebGPU as a one-component mixture', { skip }, async () => {
  const model = new GaussianModel([1, -2, 0.5], 0.25);
  const noise = createRng(3).fillNormal(new Float64Array(300 * 3));
  const opts = { scheme: scheme('vp-linear'), model, sampler: 'heun', steps: 15, noise } as const;
  const { median, max, scale } = compare((await sample(opts)).samples, (await sample({ ...opts, device: device() })).samples);
  assert.ok(median <= 2e-5 * scale && max <= 2e-4 * scale, `median ${median}, max ${max}`);
});

const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'sdekit-webgpu-'));
const quiet = async <T>(f: () => Promise<T>): Promise<string> => {
  const log = console.log, err = console.error;
  const lines: string[] = [];
  console.log = (s: string) => { lines.push(s); }; console.error = () => {};
  try { await f(); return lines.join('\n'); } finally { console.log = log; console.error = err; }
};

test('sdekit sample --backend webgpu (and SDEKIT_BACKEND) reports the adapter; unknown names are UserErrors', { skip }, async () => {
  const mix = path.join(dir, 'mix.json');
  fs.writeFileSync(mix, JSON.stringify(SPEC));
  const base = ['--scheme', 'edm', '--score', `gmm:${mix}`, '--sampler', 'heun', '--steps', '8', '--spacing', 'karras', '--n', '64', '--json'];
  const j = JSON.parse(await quiet(() => sampleCmd([...base, '--out', path.join(dir, 'g.json'), '--backend', 'webgpu']))) as { backend: string; nfe: number };
  assert.match(j.backend, /^webgpu \(.*via Dawn/);
  assert.equal(j.nfe, 15);
  const prev = process.env.SDEKIT_BACKEND;
  try {
    process.env.SDEKIT_BACKEND = 'webgpu';
    assert.match((JSON.parse(await quiet(() => sampleCmd([...base, '--out', path.join(dir, 'e.json')]))) as { backend: string }).backend, /^webgpu/);
    process.env.SDEKIT_BACKEND = 'cpu';
    assert.equal((JSON.parse(await quiet(() => sampleCmd([...base, '--out', path.join(dir, 'c.json')]))) as { backend: string }).backend, 'host');
    process.env.SDEKIT_BACKEND = 'quantum';
    await assert.rejects(sampleCmd([...base, '--out', path.join(dir, 'q.json')]), (e: unknown) => isUserError(e) && /^SDEKIT_BACKEND.*known: host/.test((e as Error).message));
  } finally {
    if (prev === undefined) delete process.env.SDEKIT_BACKEND; else process.env.SDEKIT_BACKEND = prev;
  }
  await assert.rejects(sampleCmd([...base, '--out', path.join(dir, 'q.json'), '--backend', 'gpu']), (e: unknown) => isUserError(e) && /^--backend/.test((e as Error).message));
  const g = JSON.parse(fs.readFileSync(path.join(dir, 'g.json'), 'utf8')) as { samples: number[][] };
  assert.equal(g.samples.length, 64);
});

test('a small network sampled on the cpu, wasm and webgpu backends agrees to float32 tolerance', { skip }, async () => {
  const run = path.join(dir, 'run');
  await quiet(() => trainCmd(['--scheme', 'vp-linear', '--data', 'moons', '--steps', '2', '--hidden', '16,16', '--batch', '32', '--samples', '16', '--out', run]));
  const noise = path.join(dir, 'noise.json');
  fs.writeFileSync(noise, JSON.stringify({ noise: Array.from({ length: 128 }, (_, i) => [Math.sin(i), Math.cos(1.7 * i)]) }));
  const got: Record<string, number[]> = {};
  for (const b of ['cpu', 'wasm', 'webgpu']) {
    const out = path.join(dir, `${b}.json`);
    const j = JSON.parse(await quiet(() => sampleCmd(['--scheme', 'vp-linear', '--model', run, '--sampler', 'dpm-solver++2m', '--steps', '10', '--noise', noise, '--out', out, '--backend', b, '--json']))) as { backend: string };
    assert.ok(j.backend.startsWith(b), `${b}: ${j.backend}`);
    got[b] = (JSON.parse(fs.readFileSync(out, 'utf8')) as { samples: number[][] }).samples.flat();
  }
  for (const b of ['wasm', 'webgpu']) {
    const d = compare(Float64Array.from(got.cpu), Float64Array.from(got[b]));
    assert.ok(d.max <= 1e-4 * d.scale, `${b} vs cpu: max ${d.max}, scale ${d.scale}`);
  }
});
