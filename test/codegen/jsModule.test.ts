/**
 * `sdekit derive --target js`: the generated ES module, imported as it is, against sdekit's float64
 * views for every built-in at the declared parameters and, through its `{ name: value }` argument,
 * at other values (equal to Scheme.with); tabulated views refuse other values.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { jsModule } from '../../src/codegen/jsModule.ts';
import { pythonModule } from '../../src/codegen/python.ts';
import { shaderModule } from '../../src/codegen/shader.ts';
import { BUILTIN_NAMES } from '../../src/scheme/builtins.ts';
import { loadScheme } from '../../src/scheme/load.ts';
import type { Scheme } from '../../src/scheme/types.ts';

type View = (t: number, p?: Record<string, number>) => number;
const VIEWS = ['alpha', 'sigma', 'f', 'g2', 'logSnr', 'dlogSnr'] as const;
const OTHERS: Record<string, Record<string, number>> = { 'vp-linear': { b0: 0.2, b1: 30 }, 'sub-vp': { b0: 0.05, b1: 12 }, ve: { smin: 0.02, smax: 80 }, 'vp-cosine': { s: 0.02 } };

async function load(s: Scheme): Promise<Record<string, unknown>> {
  const file = join(mkdtempSync(join(tmpdir(), 'sdekit-js-')), `${s.name}.mjs`);
  writeFileSync(file, jsModule(s, 2049));
  return import(pathToFileURL(file).href) as Promise<Record<string, unknown>>;
}

test('generated JS module equals sdekit on every built-in, at the declared and at other parameter values', async () => {
  for (const name of BUILTIN_NAMES) {
    const base = loadScheme(name);
    const m = await load(base);
    for (const [p, v] of Object.entries(base.params)) assert.equal(m[p.toUpperCase()], v, `${name}: exported constant for ${p}`);
    for (const params of [undefined, OTHERS[name]]) {
      if (params === undefined && OTHERS[name]) continue; // declared values: the default argument
      const s = params ? base.with(params) : base;
      const ts = [0.05, 0.3, 0.62, 0.9].map((u) => s.t0 + u * (s.T - s.t0));
      // discrete tables: f, g2, dlogSnr are piecewise constant, and the module interpolates them across the jumps
      for (const k of VIEWS.filter((v) => !s.discrete || ['alpha', 'sigma', 'logSnr'].includes(v))) {
        const tol = s.quantities[k].method === 'symbolic' ? 1e-9 : 1e-4;
        for (const t of ts) {
          const got = (m[k] as View)(t, params), want = s[k](t);
          assert.ok(Math.abs(got - want) <= tol * Math.max(1, Math.abs(want)), `${name} ${JSON.stringify(params ?? {})} ${k}(${t}): js ${got} vs sdekit ${want}`);
        }
      }
      if (s.inverse.method === 'symbolic') for (const t of ts) {
        const back = (m.tOfLogSnr as View)(s.logSnr(t), params);
        assert.ok(Math.abs(back - t) <= 1e-9 * Math.max(1, t), `${name} tOfLogSnr: ${back} vs ${t}`);
      }
    }
    // declared values through the default argument too
    if (OTHERS[name]) for (const k of VIEWS) assert.ok(Math.abs((m[k] as View)(0.5) - base[k](0.5)) <= 1e-9 * Math.max(1, Math.abs(base[k](0.5))), `${name} ${k} default params`);
  }
});

test('a tabulated view of the JS module refuses parameter values it was not tabulated at', async () => {
  // beta = b0 (1 + e^{t^2}) has no elementary integral: alpha and the inverse are numeric, f and g2 symbolic
  const s = loadScheme({ name: 'numeric-vp', params: { b0: 4 }, time: { t0: 0.001, T: 1 }, sde: { f: '-b0 * (1 + exp(t^2)) / 2', g2: 'b0 * (1 + exp(t^2))' } });
  assert.equal(s.quantities.alpha.method, 'numeric');
  assert.equal(s.inverse.method, 'numeric');
  const m = await load(s);
  assert.throws(() => (m.alpha as View)(0.5, { b0: 5 }), /tabulated at the declared b0/);
  assert.throws(() => (m.tOfLogSnr as View)(0, { b0: 5 }), /tabulated at the declared b0/);
  assert.ok(Math.abs((m.alpha as View)(0.5) - s.alpha(0.5)) < 1e-6);
  assert.ok(Math.abs((m.g2 as View)(0.5, { b0: 5 }) - s.with({ b0: 5 }).g2(0.5)) < 1e-12, 'a symbolic view takes other values');
  assert.ok(Math.abs((m.tOfLogSnr as View)(s.logSnr(0.5)) - 0.5) < 1e-6);
});

test('derive --target js (the CLI), python, wgsl, glsl name the parameters instead of baking their values', () => {
  const r = spawnSync(process.execPath, ['--import', 'tsx', 'src/cli/main.ts', 'derive', 'vp-linear', '--target', 'js'], { encoding: 'utf8' });
  assert.equal(r.status, 0, r.stderr);
  const s = loadScheme('vp-linear');
  const outs: Record<string, string> = { js: r.stdout, python: pythonModule(s), wgsl: shaderModule(s, 'wgsl'), glsl: shaderModule(s, 'glsl') };
  assert.equal(outs.js, jsModule(s));
  assert.match(outs.js, /^export const B1 = 20;$/m);
  assert.match(outs.js, /export function alpha\(t, \{ b0 = B0, b1 = B1 \} = \{\}\)/);
  assert.match(outs.python, /^B1 = 20$/m);
  assert.match(outs.python, /^def alpha\(t, b0=B0, b1=B1\):$/m);
  assert.match(outs.wgsl, /^const P_B1: f32 = 20\.0+;$/m);
  assert.match(outs.glsl, /^const float P_B1 = 20\.0+;$/m);
  // the closed forms use the names: no 19.9 = b1 - b0, 9.95, 4.975 anywhere
  for (const [target, src] of Object.entries(outs)) assert.doesNotMatch(src, /19\.9|9\.95|4\.975/, target);
});
