/**
 * The playground's page logic that runs without a browser: locating an error's field and token in
 * the editor's JSON, the URL-hash state round trip, the declaration formatter and templates, the
 * animation frames recorded from the library's samplers, and the mode statistics.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { BUILTINS, BUILTIN_NAMES } from '../../src/scheme/builtins.ts';
import { declareScheme } from '../../src/scheme/declare.ts';
import { SAMPLER_NAMES } from '../../src/sample/registry.ts';
import { jsonErrorOffset, jsonSpans, lineCol, locateError } from '../../web/src/jsonLocate.ts';
import { decodeHash, encodeHash, LIMITS, PAGE_SPACINGS, type PlaygroundState } from '../../web/src/state.ts';
import { declareFromText, formatDeclaration, FORM_TEMPLATES } from '../../web/src/declare.ts';
import { modeStats, runSampler } from '../../web/src/sampling.ts';
import { addComponent, removeNearest, TARGETS } from '../../web/src/targets.ts';

const jsonValue = fc.letrec((tie) => ({
  value: fc.oneof({ depthSize: 'small' }, fc.double({ noNaN: true, noDefaultInfinity: true }), fc.string(), fc.boolean(), fc.constant(null), tie('object'), tie('array')),
  object: fc.dictionary(fc.string({ minLength: 1, maxLength: 6 }).filter((k) => !/[.[\]]/.test(k)), tie('value'), { maxKeys: 4 }),
  array: fc.array(tie('value'), { maxLength: 3 }),
})).object;

test('jsonSpans: every path spans exactly its value, whatever the indentation', () => {
  fc.assert(fc.property(jsonValue, fc.constantFrom(0, 2, '\t'), (obj, indent) => {
    const text = JSON.stringify(obj, null, indent);
    const spans = jsonSpans(text);
    const visit = (v: unknown, path: string): void => {
      if (path) {
        const m = spans.get(path);
        assert.ok(m, `no span for ${path}`);
        assert.deepEqual(JSON.parse(text.slice(m.value.start, m.value.end)), JSON.parse(JSON.stringify(v)));
        if (m.key) assert.equal(JSON.parse(text.slice(m.key.start, m.key.end)), path.slice(path.lastIndexOf('.') + 1).replace(/\[\d+\]$/, ''));
      }
      if (Array.isArray(v)) v.forEach((x, i) => visit(x, `${path}[${i}]`));
      else if (v && typeof v === 'object') for (const [k, x] of Object.entries(v)) visit(x, path ? `${path}.${k}` : k);
    };
    visit(obj, '');
  }), { numRuns: 200 });
});

test('declareFromText marks the offending token, the syntax position and the failing t', () => {
  const base = formatDeclaration(FORM_TEMPLATES.sde);
  const cases: [string, string, string, string][] = [
    // [replace, by, field, marked text]
    ['b0 + b1*t^2"', 'b0 + b1*t^2 + foo(t)"', 'sde.g2', 'foo'],
    ['b0 + b1*t^2"', 'b0 + bee*t^2"', 'sde.g2', 'bee'],
    ['-(b0 + b1*t^2)/2', '-(b0 + b1*t^2)/2 +* 1', 'sde.f', '*'],
    ['"b1": 20', '"b1": 20, "t": 3', 'params.t', '"t"'],
    ['"g2":', '"h": 1, "g2":', 'sde.h', '"h"'],
    ['"T": 1', '"T": 0.0001', 'time.T', '0.0001'],
  ];
  for (const [a, b, field, marked] of cases) {
    const text = base.replace(a, b);
    assert.notEqual(text, base);
    const out = declareFromText(text);
    assert.equal(out.ok, false, b);
    if (out.ok) continue;
    assert.equal(out.error.field, field);
    assert.ok(out.error.span, `no span for ${b}`);
    assert.equal(text.slice(out.error.span.start, out.error.span.end), marked, b);
  }
  const bad = declareFromText('{ "marginal": { "alpha": "1 - 2*t", "sigma": "t" } }');
  assert.equal(bad.ok, false);
  if (!bad.ok) {
    assert.equal(bad.error.field, 'marginal');
    assert.ok(bad.error.t !== undefined && Math.abs(bad.error.t - 0.5) < 1e-9);
    assert.doesNotMatch(bad.error.message, /at t =/);
  }
  const json = declareFromText('{ "sde": { "f": "-t" ');
  assert.equal(json.ok, false);
  if (!json.ok) {
    assert.equal(json.error.field, 'JSON');
    assert.ok(json.error.span && json.error.span.start >= 18);
  }
});

test('jsonErrorOffset and lineCol agree with the engine on where JSON.parse stopped', () => {
  for (const text of ['{"a": 1,, }', '{\n  "a": [1, 2\n}', '{"a": tru}', '{"a":']) {
    let msg = '';
    try { JSON.parse(text); } catch (e) { msg = (e as Error).message; }
    const off = jsonErrorOffset(text, msg);
    assert.ok(off !== null && off >= 0 && off <= text.length, `${text}: ${msg}`);
    const { line } = lineCol(text, off);
    assert.ok(line >= 1 && line <= text.split('\n').length);
  }
});

test('locateError falls back to the nearest enclosing field', () => {
  const text = '{ "sde": { "f": "-t", "g2": "1" } }';
  const s = locateError(text, 'sde.g', 'x');
  assert.ok(s);
  assert.equal(text.slice(s.start, s.end), '"sde"');
  assert.equal(locateError(text, 'nowhere'), null);
});

test('every built-in and every form template declares from its formatted text', () => {
  for (const name of BUILTIN_NAMES) {
    const text = formatDeclaration(BUILTINS[name]);
    assert.deepEqual(JSON.parse(text), BUILTINS[name]);
    const out = declareFromText(text);
    assert.ok(out.ok, name);
  }
  for (const [form, decl] of Object.entries(FORM_TEMPLATES)) {
    const out = declareFromText(formatDeclaration(decl));
    assert.ok(out.ok, `template ${form}: ${out.ok ? '' : out.error.message}`);
    if (out.ok) assert.equal(out.declared.scheme.form, form);
  }
});

const stateArb: fc.Arbitrary<PlaygroundState> = fc.record({
  declText: fc.string(),
  builtin: fc.constant(null),
  target: fc.constantFrom(...Object.keys(TARGETS), 'custom'),
  gmm: fc.constant(null),
  sampler: fc.constantFrom(...SAMPLER_NAMES),
  spacing: fc.constantFrom(...PAGE_SPACINGS),
  steps: fc.integer({ min: LIMITS.steps.min, max: LIMITS.steps.max }),
  lambda: fc.double({ min: 0, max: 2, noNaN: true }).map((x) => x + 0), // no -0: a link writes it as 0
  n: fc.integer({ min: LIMITS.n.min, max: LIMITS.n.max }),
  seed: fc.integer({ min: 0, max: 2 ** 31 - 1 }),
  backend: fc.constantFrom(null, 'wasm', 'cpu'),
  // (-0 travels as 0 in JSON)
  params: fc.option(fc.dictionary(fc.constantFrom('b0', 'b1', 'smin', 'sigma_max'), fc.double({ min: -1e3, max: 1e3, noNaN: true }).map((v) => v + 0), { minKeys: 1, noNullPrototype: true }), { nil: undefined }),
}).map((s) => { const { params, ...rest } = s; return params ? { ...rest, params } : rest; });

test('the URL hash round-trips the state; bad values fall back to defaults', () => {
  const defaults: PlaygroundState = { declText: '{}', builtin: 'vp-linear', target: 'ring-8', gmm: null, sampler: 'euler', spacing: 'logsnr', steps: 10, lambda: 1, n: 1000, seed: 0, backend: null };
  const lookup = (n: string) => (n in BUILTINS ? formatDeclaration(BUILTINS[n]) : undefined);
  fc.assert(fc.property(stateArb, (s) => {
    const back = decodeHash(`#${encodeHash(s)}`, defaults, lookup);
    assert.deepEqual(back, { ...s });
  }), { numRuns: 200 });
  const withGmm: PlaygroundState = { ...defaults, target: 'custom', gmm: addComponent(null, 0.5, -1) };
  assert.deepEqual(decodeHash(encodeHash(withGmm), defaults, lookup).gmm, withGmm.gmm);
  const bad = decodeHash('#sampler=nope&steps=-3&lambda=abc&n=1e9&spacing=zz', defaults, lookup);
  assert.equal(bad.sampler, 'euler');
  assert.equal(bad.steps, LIMITS.steps.min);
  assert.equal(bad.lambda, 1);
  assert.equal(bad.n, LIMITS.n.max);
  assert.equal(bad.spacing, 'logsnr');
  const builtin = decodeHash('#scheme=ve', defaults, lookup);
  assert.equal(builtin.builtin, 've');
  assert.equal(builtin.declText, lookup('ve'));
});

test('clicked components: add, remove the nearest, never an empty mixture', () => {
  let g = addComponent(null, 1, 1);
  g = addComponent(g, -1, 0);
  assert.equal(g.means.length, 2);
  const one = removeNearest(g, -0.9, 0.1);
  assert.deepEqual(one?.means, [[1, 1]]);
  assert.equal(removeNearest(one!, 0, 0), null);
});

test('recorded frames: decreasing t from T, the samples last; modes reached for several samplers', async () => {
  const { scheme } = declareScheme(BUILTINS['vp-linear']);
  const gmm = TARGETS['two-unequal'];
  for (const sampler of ['euler-maruyama', 'heun', 'rk45', 'pc', 'dpm-solver-2']) {
    const run = await runSampler({ scheme, gmm, sampler, spacing: 'logsnr', steps: 30, lambda: 1, n: 1500, seed: 3 });
    const ts = run.frames.map((f) => f.t);
    assert.equal(ts[0], scheme.T, sampler);
    for (let i = 1; i < ts.length; i++) assert.ok(ts[i] < ts[i - 1], `${sampler}: frame times must decrease (${ts[i - 1]} -> ${ts[i]})`);
    assert.ok(run.frames.length >= 10, `${sampler}: only ${run.frames.length} frames`);
    assert.deepEqual(Array.from(run.frames[run.frames.length - 1].x), Array.from(Float32Array.from(run.samples)));
    const st = modeStats(run.samples, gmm);
    assert.ok(st.onMode > 0.95 && st.occupancyTv < 0.05, `${sampler}: ${JSON.stringify(st)}`);
  }
});

test('a replaced run stops at its next model evaluation', async () => {
  const { scheme } = declareScheme(BUILTINS['vp-linear']);
  let calls = 0;
  await assert.rejects(
    runSampler({ scheme, gmm: TARGETS['ring-8'], sampler: 'euler', spacing: 'uniform-t', steps: 50, lambda: 0, n: 100, seed: 0, cancelled: () => ++calls > 5 }),
    /replaced/,
  );
  assert.equal(calls, 6);
});
