/**
 * The generated PyTorch module (codegen/python.ts) against sdekit's own float64 numbers: schedule
 * views and inverse for every built-in, the weightings, and a whole DPM-Solver++(2M) run on
 * Gaussian data with the exact denoiser from the same noise. Runs when Debian's python3-torch is
 * installed (/usr/bin/python3), else skips saying so.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pythonModule } from '../../src/codegen/python.ts';
import { BUILTIN_NAMES } from '../../src/scheme/builtins.ts';
import { loadScheme } from '../../src/scheme/load.ts';
import { weighting } from '../../src/reverse/weighting.ts';
import { sample } from '../../src/sample/sample.ts';
import { GaussianMixtureModel } from '../../src/score/gmm.ts';

const PY = '/usr/bin/python3';
const hasTorch = spawnSync(PY, ['-c', 'import torch'], { encoding: 'utf8' }).status === 0;
const skip = hasTorch ? false : 'python3-torch is not installed (apt-get install python3-torch)';

test('generated PyTorch module agrees with sdekit on every built-in', { skip }, () => {
  const dir = mkdtempSync(join(tmpdir(), 'sdekit-py-'));
  const cases: Record<string, { ts: number[]; want: Record<string, number[]> }> = {};
  for (const name of BUILTIN_NAMES) {
    const s = loadScheme(name);
    const mod = name.replace(/[^a-z0-9]/g, '_');
    writeFileSync(join(dir, `${mod}.py`), pythonModule(s));
    const ts = [0.05, 0.3, 0.62, 0.9].map((u) => s.t0 + u * (s.T - s.t0));
    const want: Record<string, number[]> = {};
    for (const k of ['alpha', 'sigma', 'f', 'g2', 'logSnr'] as const) want[k] = ts.map((t) => s[k](t));
    want.inverse = ts.map((t) => t);
    want.elbo = ts.map(weighting(s, 'elbo'));
    want.likelihood = ts.map(weighting(s, 'likelihood'));
    cases[mod] = { ts, want };
  }
  const script = `
import json, sys, importlib, torch
sys.path.insert(0, ${JSON.stringify(dir)})
cases = json.loads(sys.stdin.read())
out = {}
for mod, c in cases.items():
    m = importlib.import_module(mod)
    t = torch.tensor(c["ts"], dtype=torch.float64)
    r = {k: getattr(m, k)(t).tolist() for k in ["alpha", "sigma", "f", "g2", "logSnr"]}
    r["inverse"] = m.t_of_logSnr(m.logSnr(t)).tolist()
    r["elbo"] = m.weighting(t, "elbo").tolist()
    r["likelihood"] = m.weighting(t, "likelihood").tolist()
    out[mod] = r
print(json.dumps(out))`;
  const r = spawnSync(PY, ['-c', script], { input: JSON.stringify(cases), encoding: 'utf8' });
  assert.equal(r.status, 0, r.stderr);
  const got = JSON.parse(r.stdout) as Record<string, Record<string, number[]>>;
  for (const [mod, c] of Object.entries(cases)) {
    const s = loadScheme(BUILTIN_NAMES.find((n) => n.replace(/[^a-z0-9]/g, '_') === mod)!);
    // closed forms: float64 agreement; tabulated numeric views: interpolation error of a 4097-point grid
    for (const [k, want] of Object.entries(c.want)) {
      const method = k === 'inverse' ? s.inverse.method : (s.quantities as Record<string, { method: string } | undefined>)[k]?.method;
      const tol = !s.discrete && method === 'numeric' ? 1e-5 : 1e-9;
      want.forEach((w, i) => {
        const g = got[mod][k][i];
        assert.ok(Math.abs(g - w) <= tol * Math.max(1, Math.abs(w)), `${mod}.${k}[${i}]: torch ${g} vs sdekit ${w} (tol ${tol})`);
      });
    }
  }
});

test('generated DPM-Solver++(2M) in PyTorch reproduces sdekit from the same noise', { skip }, async () => {
  const s = loadScheme('vp-linear');
  const m = 0.7, v = 0.3 ** 2, n = 64, steps = 20;
  const model = new GaussianMixtureModel({ weights: [1], means: [[m]], stds: [Math.sqrt(v)] });
  const noise = Float64Array.from({ length: n }, (_, i) => Math.sin(12.9898 * (i + 1)) * 1.7);
  const res = await sample({ scheme: s, model, sampler: 'dpm-solver++2m', steps, spacing: 'uniform-t', noise });
  const ts = Array.from({ length: steps + 1 }, (_, i) => s.T + (i / steps) * (s.t0 - s.T));
  const dir = mkdtempSync(join(tmpdir(), 'sdekit-py-'));
  writeFileSync(join(dir, 'vp.py'), pythonModule(s));
  const script = `
import json, sys, torch
sys.path.insert(0, ${JSON.stringify(dir)})
import vp
c = json.loads(sys.stdin.read())
m, v = c["m"], c["v"]
def x0_model(x, t):
    a, s = vp.alpha(t), vp.sigma(t)
    return m + a * v / (a * a * v + s * s) * (x - a * m)
x = vp.dpm_solver_pp_2m(x0_model, torch.tensor(c["noise"], dtype=torch.float64), c["ts"])
print(json.dumps(x.tolist()))`;
  const r = spawnSync(PY, ['-c', script], { input: JSON.stringify({ m, v, noise: Array.from(noise), ts }), encoding: 'utf8' });
  assert.equal(r.status, 0, r.stderr);
  const got = JSON.parse(r.stdout) as number[];
  let maxErr = 0;
  got.forEach((g, i) => { maxErr = Math.max(maxErr, Math.abs(g - res.samples[i])); });
  assert.ok(maxErr < 1e-9, `max |torch - sdekit| = ${maxErr}`);
});

test('parameters are named module constants and keyword arguments: other values and torch autograd match sdekit', { skip }, () => {
  // each scheme with parameters, at its declared values and at others (same sign, inside the admissible range)
  const others: Record<string, Record<string, number>> = { 'vp-linear': { b0: 0.2, b1: 30 }, 'sub-vp': { b0: 0.05, b1: 12 }, ve: { smin: 0.02, smax: 80 }, 'vp-cosine': { s: 0.02 } };
  const dir = mkdtempSync(join(tmpdir(), 'sdekit-py-'));
  const cases: { mod: string; params: Record<string, number>; ts: number[]; want: Record<string, number[]>; grad?: { param: string; t: number; fd: number } }[] = [];
  for (const [name, other] of Object.entries(others)) {
    const base = loadScheme(name);
    const mod = name.replace(/[^a-z0-9]/g, '_');
    const src = pythonModule(base);
    for (const [p, v] of Object.entries(base.params)) assert.match(src, new RegExp(`^${p.toUpperCase()} = ${v}$`, 'm'), `${name}: module constant for ${p}`);
    writeFileSync(join(dir, `${mod}.py`), src);
    for (const params of [{ ...base.params }, other]) {
      const s = base.with(params);
      const ts = [0.1, 0.4, 0.8].map((u) => s.t0 + u * (s.T - s.t0));
      const want: Record<string, number[]> = {};
      for (const k of ['alpha', 'sigma', 'f', 'g2', 'logSnr', 'dlogSnr'] as const) if (s.quantities[k].method === 'symbolic') want[k] = ts.map((t) => s[k](t));
      if (s.inverse.method === 'symbolic') want.inverse = ts;
      // d alpha / d param at t = 0.5 by a central difference of sdekit's values
      const param = Object.keys(params)[Object.keys(params).length - 1], h = 1e-5 * Math.abs(params[param]);
      const fd = (base.with({ ...params, [param]: params[param] + h }).logSnr(0.5) - base.with({ ...params, [param]: params[param] - h }).logSnr(0.5)) / (2 * h);
      cases.push({ mod, params, ts, want, grad: { param, t: 0.5, fd } });
    }
  }
  const script = `
import json, sys, importlib, torch
sys.path.insert(0, ${JSON.stringify(dir)})
out = []
for c in json.loads(sys.stdin.read()):
    m = importlib.import_module(c["mod"])
    t = torch.tensor(c["ts"], dtype=torch.float64)
    p = c["params"]
    r = {k: getattr(m, k)(t, **p).tolist() for k in c["want"] if k != "inverse"}
    if "inverse" in c["want"]: r["inverse"] = m.t_of_logSnr(m.logSnr(t, **p), **p).tolist()
    g = c["grad"]
    q = {k: torch.tensor(v, dtype=torch.float64, requires_grad=(k == g["param"])) for k, v in p.items()}
    m.logSnr(torch.tensor(g["t"], dtype=torch.float64), **q).backward()
    r["grad"] = q[g["param"]].grad.item()
    out.append(r)
print(json.dumps(out))`;
  const r = spawnSync(PY, ['-c', script], { input: JSON.stringify(cases), encoding: 'utf8' });
  assert.equal(r.status, 0, r.stderr);
  const got = JSON.parse(r.stdout) as Record<string, number[] | number>[];
  cases.forEach((c, i) => {
    const where = `${c.mod} ${JSON.stringify(c.params)}`;
    for (const [k, want] of Object.entries(c.want)) {
      want.forEach((w, j) => {
        const g = (got[i][k] as number[])[j];
        assert.ok(Math.abs(g - w) <= 1e-9 * Math.max(1, Math.abs(w)), `${where} ${k}[${j}]: torch ${g} vs sdekit ${w}`);
      });
    }
    const g = got[i].grad as number;
    assert.ok(Math.abs(g - c.grad!.fd) <= 1e-6 * Math.max(1, Math.abs(c.grad!.fd)), `${where} d logSnr / d ${c.grad!.param}: autograd ${g} vs finite difference ${c.grad!.fd}`);
  });
});

test('a tabulated view of the PyTorch module refuses parameter values it was not tabulated at', { skip }, () => {
  // beta = b0 (1 + e^{t^2}) has no elementary integral: alpha is tabulated, g2 is a closed form in b0
  const s = loadScheme({ name: 'numeric-vp', params: { b0: 4 }, time: { t0: 0.001, T: 1 }, sde: { f: '-b0 * (1 + exp(t^2)) / 2', g2: 'b0 * (1 + exp(t^2))' } });
  const dir = mkdtempSync(join(tmpdir(), 'sdekit-py-'));
  writeFileSync(join(dir, 'nvp.py'), pythonModule(s, 513));
  const script = `
import json, sys, torch
sys.path.insert(0, ${JSON.stringify(dir)})
import nvp
out = {"g2": nvp.g2(0.5, b0=5.0).item(), "alpha": nvp.alpha(0.5).item()}
try:
    nvp.alpha(0.5, b0=5.0); out["refused"] = False
except ValueError as e:
    out["refused"] = "tabulated at the declared b0" in str(e)
print(json.dumps(out))`;
  const r = spawnSync(PY, ['-c', script], { encoding: 'utf8' });
  assert.equal(r.status, 0, r.stderr);
  const got = JSON.parse(r.stdout) as { g2: number; alpha: number; refused: boolean };
  assert.equal(got.refused, true);
  assert.ok(Math.abs(got.g2 - s.with({ b0: 5 }).g2(0.5)) <= 1e-12 * Math.abs(got.g2));
  assert.ok(Math.abs(got.alpha - s.alpha(0.5)) <= 1e-6);
});
