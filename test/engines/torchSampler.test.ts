/**
 * `sdekit export --target torch-sampler`: every exportable sampler (and a steps-file grid), on VP-linear and EDM, run in
 * PyTorch (float64) with an exact Gaussian-mixture denoiser written in Python over the schedule
 * module of `derive --target python`, equals `sdekit sample` with the exact mixture model from the
 * same x_T and the same in-loop noise stream (replayed through `randn`) to 1e-9; float32 inputs
 * run in float32; adaptive samplers are refused with exit 2. Skips when no python3 has torch.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { pythonModule } from '../../src/codegen/python.ts';
import { loadScheme } from '../../src/scheme/load.ts';
import { sample } from '../../src/sample/sample.ts';
import { SAMPLER_NAMES } from '../../src/sample/registry.ts';
import { createRng } from '../../src/rng.ts';
import { GaussianMixtureModel, type GmmSpec } from '../../src/score/gmm.ts';
import { torchSamplerModule } from '../../src/engines/torch/torchSampler.ts';
import type { Spacing } from '../../src/scheme/spacing.ts';
import { TORCH_PYTHON, TORCH_SKIP } from './torchAvailable.ts';

const GMM: GmmSpec = { weights: [0.5, 0.3, 0.2], means: [[1, -0.5], [-1.2, 0.8], [0.2, 1.5]], stds: [0.3, 0.5, 0.2] };
const EXPORTABLE = SAMPLER_NAMES.filter((s) => s !== 'rk45' && s !== 'pc');

interface Case { file: string; scheme: string; want: number[]; nNoise: number }

/** The exact mixture denoiser in Python (float64), from the generated schedule module's alpha and sigma. */
const PY_GMM = `
def gmm_denoiser(sched, gmm):
    w = torch.tensor(gmm["weights"], dtype=torch.float64); w = w / w.sum()
    mu = torch.tensor(gmm["means"], dtype=torch.float64); s2 = torch.tensor(gmm["stds"], dtype=torch.float64) ** 2
    def denoise(x, t):
        assert isinstance(t, float)
        tt = torch.tensor(t, dtype=torch.float64)
        a, s = float(sched.alpha(tt)), float(sched.sigma(tt))
        c = a * a * s2 + s * s                                   # (K,)
        diff = x[:, None, :] - a * mu[None, :, :]                # (n, K, D)
        logit = torch.log(w) - 0.5 * x.shape[1] * torch.log(c) - (diff ** 2).sum(-1) / (2 * c)
        r = torch.softmax(logit, dim=1)
        comp = (a * s2 / c)[None, :, None] * x[:, None, :] + (s * s / c)[None, :, None] * mu[None, :, :]
        return (r[:, :, None] * comp).sum(1).to(x.dtype)
    return denoise
`;

test('every exported sampler equals sdekit sample with an exact mixture denoiser (float64, 1e-9) on vp-linear and edm', { skip: TORCH_SKIP }, async () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'sdekit-tsamp-'));
  const n = 16, seed = 5;
  const model = new GaussianMixtureModel(GMM);
  const noise = createRng(99).fillNormal(new Float64Array(n * 2));
  const cases: Case[] = [];
  type Setting = { name: string; sampler: string; lambda?: number; eta?: number; churn?: number; order?: number; variant?: 'bh1' | 'bh2'; times?: number[] };
  const settings: Setting[] = [
    ...EXPORTABLE.map((s) => ({ name: s, sampler: s })),
    { name: 'euler-maruyama-lambda0.5', sampler: 'euler-maruyama', lambda: 0.5 },
    { name: 'ddim-eta0.7', sampler: 'ddim', eta: 0.7 },
    { name: 'heun-churn', sampler: 'heun', churn: 40 },
    { name: 'unipc-bh1-order2', sampler: 'unipc', order: 2, variant: 'bh1' },
    { name: 'ipndm-order4', sampler: 'ipndm', order: 4 },
    { name: 'deis-order2', sampler: 'deis', order: 2 },
  ];
  for (const [schemeName, steps, spacing] of [['vp-linear', 12, 'uniform-t'], ['edm', 8, 'karras']] as const) {
    const scheme = loadScheme(schemeName);
    fs.writeFileSync(path.join(dir, `sched_${schemeName.replace('-', '_')}.py`), pythonModule(scheme));
    // a steps file's grid (times strictly descending in [t0, T]) as well as the built-in spacings
    const times = Array.from({ length: 8 }, (_, i) => (i === 7 ? scheme.t0 : scheme.T + (scheme.t0 - scheme.T) * Math.pow(i / 7, 1.5)));
    for (const st of [...settings, { name: 'dpm-solver++3m-steps-file', sampler: 'dpm-solver++3m', times }]) {
      const churn = st.churn === undefined ? undefined : { sChurn: st.churn };
      const common = { sampler: st.sampler, steps, spacing: spacing as Spacing, lambda: st.lambda, eta: st.eta, churn, order: st.order, variant: st.variant, times: st.times };
      const r = await sample({ scheme, model, noise, seed, ...common });
      const { source } = await torchSamplerModule({ scheme, ...common });
      const mod = `s_${schemeName}_${st.name}`.replace(/[^a-zA-Z0-9]/g, '_');
      fs.writeFileSync(path.join(dir, `${mod}.py`), source);
      cases.push({ file: mod, scheme: `sched_${schemeName.replace('-', '_')}`, want: Array.from(r.samples), nNoise: 0 });
    }
  }
  // the in-loop noise stream of sample(): createRng(seed).fork(), one normal per entry in row-major order
  const loop = createRng(seed).fork();
  const stream = Array.from({ length: 40 * n * 2 }, () => loop.normal());
  const script = `
import json, sys, importlib, torch
sys.path.insert(0, ${JSON.stringify(dir)})
${PY_GMM}
inp = json.loads(sys.stdin.read())
out = {}
for c in inp["cases"]:
    sched = importlib.import_module(c["scheme"]); m = importlib.import_module(c["file"])
    stream = torch.tensor(inp["stream"], dtype=torch.float64)
    def replay():
        pos = [0]
        def randn(like):
            k = like.numel(); z = stream[pos[0]:pos[0] + k]; pos[0] += k
            return z.reshape(like.shape).to(like.dtype)
        return randn
    xT = m.SIGMA_T * torch.tensor(inp["noise"], dtype=torch.float64).reshape(-1, 2)
    x = m.sample(gmm_denoiser(sched, inp["gmm"]), xT, randn=replay())
    x32 = m.sample(gmm_denoiser(sched, inp["gmm"]), xT.float(), randn=replay())
    out[c["file"]] = {"x": x.reshape(-1).tolist(), "dtype": str(x.dtype), "dtype32": str(x32.dtype), "x32": x32.reshape(-1).tolist()}
print(json.dumps(out))
`;
  const r = spawnSync(TORCH_PYTHON!, ['-c', script], { input: JSON.stringify({ cases, stream, noise: Array.from(noise), gmm: GMM }), encoding: 'utf8', maxBuffer: 1 << 26 });
  assert.equal(r.status, 0, r.stderr);
  const got = JSON.parse(r.stdout) as Record<string, { x: number[]; dtype: string; dtype32: string; x32: number[] }>;
  for (const c of cases) {
    const g = got[c.file];
    assert.equal(g.dtype, 'torch.float64');
    assert.equal(g.dtype32, 'torch.float32', `${c.file}: float32 in, float32 arithmetic`);
    let err = 0;
    for (let i = 0; i < c.want.length; i++) err = Math.max(err, Math.abs(g.x[i] - c.want[i]));
    assert.ok(err <= 1e-9, `${c.file}: max |torch - sdekit| = ${err}`);
    // the float32 run (same x_T and noise, rounded) is the same sampler to float32 accuracy
    let e32 = 0;
    for (let i = 0; i < c.want.length; i++) e32 = Math.max(e32, Math.abs(g.x32[i] - c.want[i]));
    assert.ok(e32 < 1e-3, `${c.file}: float32 run off by ${e32}`);
  }
  fs.rmSync(dir, { recursive: true });
});

test('export --target torch-sampler refuses adaptive samplers and bad flags with exit 2, naming the field', () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'sdekit-tsamp-cli-'));
  const cli = (args: string[]) => spawnSync(process.execPath, ['--import', 'tsx', 'src/cli/main.ts', 'export', ...args], { encoding: 'utf8' });
  for (const s of ['rk45', 'pc']) {
    const r = cli(['--target', 'torch-sampler', '--scheme', 'vp-linear', '--sampler', s, '--steps', '10', '--out', path.join(dir, 'a.py')]);
    assert.equal(r.status, 2, r.stderr);
    assert.match(r.stderr, new RegExp(`--sampler: ${s} cannot be exported`));
  }
  assert.match(cli(['--target', 'torch-sampler', '--scheme', 'vp-linear', '--sampler', 'heun', '--steps', '0', '--out', path.join(dir, 'a.py')]).stderr, /--steps: must be >= 1/);
  assert.match(cli(['--target', 'onnx', '--scheme', 'vp-linear']).stderr, /--target: must be one of/);
  const ok = cli(['--target', 'torch-sampler', '--scheme', 'edm', '--sampler', 'heun', '--steps', '6', '--out', path.join(dir, 'h.py'), '--json']);
  assert.equal(ok.status, 0, ok.stderr);
  assert.deepEqual({ ...JSON.parse(ok.stdout), out: undefined, lines: undefined }, { out: undefined, lines: undefined, scheme: 'edm', sampler: 'heun', steps: 6, spacing: 'karras', nfe: 11, stochastic: false });
  assert.match(fs.readFileSync(path.join(dir, 'h.py'), 'utf8'), /^def sample\(denoise, x_T, generator=None, randn=None, \*\*cond\):$/m);
  fs.rmSync(dir, { recursive: true });
});
