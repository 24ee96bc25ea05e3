/**
 * Parameters are symbols through the whole pipeline (issue 10, part 1 and part 5):
 *   - random schedules with randomly named parameters derive closed forms whose free names are
 *     exactly t and the parameters used (plus pi, e), with no derived float literal;
 *   - evaluated at random other admissible values (`scheme.with`), they match an independent RK4
 *     integration of the moment ODEs at those values (1e-9), and equal a fresh declaration with
 *     those values;
 *   - the evaluation form each quantity is compiled from equals its display form;
 *   - `with` and `eval --param` reject unknown names and inadmissible values, naming the parameter.
 */
import { stabilizeForDisplay } from '../../src/expr/stabilize.ts';
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { compile1 } from '../../src/expr/compile.ts';
import { isUserError } from '../../src/errors.ts';
import { freeSymbols, view, type MathNode } from '../../src/expr/nodes.ts';
import { familyExprs } from '../../src/reverse/family.ts';
import { WEIGHTINGS, weightingExpr } from '../../src/reverse/weighting.ts';
import { declareScheme } from '../../src/scheme/declare.ts';
import { loadScheme } from '../../src/scheme/load.ts';
import { QUANTITY_NAMES, type Scheme } from '../../src/scheme/types.ts';
import { otherValues, paramSchedule } from '../arbitraries/paramSchedule.ts';
import { literals, significantDigits } from '../arbitraries/exprTree.ts';
import { mjs, reference, rel, sigmoid } from './momentOde.ts';

const RUNS = Number(process.env.SDEKIT_PROPERTY_RUNS ?? (process.env.SDEKIT_SLOW ? 40 : 6));

/** Every closed form of a scheme: the views, the inverse, the weightings, the family. */
function closedForms(s: Scheme): [string, MathNode][] {
  const out: [string, MathNode][] = [];
  for (const k of QUANTITY_NAMES) { const e = s.quantities[k].expr; if (e) out.push([k, e]); }
  if (s.inverse.expr) out.push(['inverse', s.inverse.expr]);
  for (const w of WEIGHTINGS) { const e = weightingExpr(s, w); if (e) out.push([`weighting ${w}`, e]); }
  const fam = familyExprs(s);
  for (const k of ['drift', 'diffusion', 'pfOde'] as const) { const e = fam[k]; if (e) out.push([`family ${k}`, e]); }
  return out;
}

test('random schedules with named parameters: free names are t and the parameters used; no derived float literal', () => {
  fc.assert(fc.property(paramSchedule(), ({ declaration, used }) => {
    const s = declareScheme(declaration).scheme;
    const fam = familyExprs(s).vars;
    const allowed = new Set(['t', 'pi', 'e', ...used]);
    const familyAllowed = new Set([...allowed, fam.x, fam.s, fam.lambda]);
    const seen = new Set<string>();
    for (const [name, e] of closedForms(s)) {
      for (const x of freeSymbols(e)) {
        assert.ok((name.startsWith('family') ? familyAllowed : allowed).has(x), `${declaration.name}: ${name} = ${e} mentions ${x}`);
        if (!name.startsWith('family')) seen.add(x);
      }
      for (const c of literals(e)) assert.ok(significantDigits(c) <= 6, `${declaration.name}: ${name} = ${e} carries the literal ${c}`);
    }
    // every parameter used reaches the derived views (none was replaced by its value)
    for (const p of used) assert.ok(seen.has(p), `${declaration.name}: ${p} appears in no closed form (${JSON.stringify(declaration)})`);
    assert.ok(seen.has('t'));
  }), { numRuns: 3 * RUNS });
});

test('at random admissible values, with() matches RK4 of the moment ODEs (1e-9) and a fresh declaration', () => {
  fc.assert(fc.property(paramSchedule().chain((p) => fc.tuple(fc.constant(p), otherValues(p.declaration.params!))), ([{ declaration: d }, values]) => {
    const base = declareScheme(d).scheme;
    const s = base.with(values);
    assert.deepEqual(s.params, values);
    // the closed forms are re-bound, not re-derived: the same trees, except where the display form
    // cancels in float64 at the new values, or at the old ones (src/scheme/accuracy.ts): then one of them
    // prints through expm1/log1p (the same tree, rewritten), or the view is numeric and the fallback is reported
    for (const k of QUANTITY_NAMES) {
      const now = s.quantities[k].expr, was = base.quantities[k].expr;
      // the rewrite is not idempotent as a string (stabilize(expm1 form) may reorder signs), so either side
      // may be the rewritten one; else they must be the same function at the old values, where `was` is accurate
      const rewritten = (a: MathNode, b: MathNode): boolean => String(a) === String(stabilizeForDisplay(b)) || String(stabilizeForDisplay(a)) === String(stabilizeForDisplay(b));
      const sameFunction = (a: MathNode, b: MathNode): boolean => [s.t0, 0.3, 0.7, s.T].every((t) => {
        const x = mjs(String(a), base.params)(t), y = mjs(String(b), base.params)(t);
        return x === y || rel(x, y) <= 1e-7;
      });
      const same = String(now) === String(was) || (was !== null && now !== null && (rewritten(now, was) || rewritten(was, now) || sameFunction(now, was)))
        || (now === null && (s.fallbacks ?? []).some((f) => f.startsWith(`${k}:`)));
      assert.ok(same, `${k}: ${String(now)} at ${JSON.stringify(values)} vs ${String(was)}`);
    }
    // independent reference at the new values: RK4 of alpha' = f alpha, P' = 2 f P + g^2 (stock mathjs)
    let F: (t: number) => number, G: (t: number) => number, a = 0, y0: [number, number] = [1, 0];
    if (d.sde) {
      F = mjs(d.sde.f, values);
      G = d.sde.g2 !== undefined ? mjs(d.sde.g2, values) : ((g) => (t: number) => g(t) ** 2)(mjs(d.sde.g!, values));
    } else {
      // marginal / logSnr: the declared alpha, sigma at the new values are the reference; RK4 of the derived f, g^2 must reproduce them
      const alpha = d.marginal ? mjs(d.marginal.alpha, values) : ((l) => (t: number) => Math.sqrt(sigmoid(2 * l(t))))(mjs(d.logSnr!, values));
      const sigma2 = d.marginal ? ((sg) => (t: number) => sg(t) ** 2)(mjs(d.marginal.sigma, values)) : ((l) => (t: number) => sigmoid(-2 * l(t)))(mjs(d.logSnr!, values));
      for (const t of [s.t0, 0.1, 0.5, 0.9]) {
        assert.ok(rel(s.alpha(t), alpha(t)) <= 1e-9, `alpha(${t}) ${s.alpha(t)} vs ${alpha(t)} (${JSON.stringify({ d, values })})`);
        assert.ok(rel(s.sigma2(t), sigma2(t)) <= 1e-9, `sigma2(${t}) ${s.sigma2(t)} vs ${sigma2(t)}`);
      }
      F = s.f; G = s.g2; a = s.t0; y0 = [alpha(s.t0), sigma2(s.t0)];
    }
    for (const { t, y: [al, P] } of reference(F, G, a, y0, s.T)) {
      if (t < s.t0) continue;
      const where = `t = ${t} (${JSON.stringify({ d, values })})`;
      assert.ok(rel(s.alpha(t), al) <= 1e-9, `alpha ${s.alpha(t)} vs RK4 ${al} at ${where}`);
      assert.ok(rel(s.sigma2(t), P) <= 1e-9, `sigma^2 ${s.sigma2(t)} vs RK4 ${P} at ${where}`);
    }
    // with() equals a fresh declaration with those values
    const fresh = declareScheme({ ...d, params: values }).scheme;
    for (const t of [s.t0, 0.3, 0.7, s.T]) {
      for (const k of ['alpha', 'sigma2', 'f', 'g2', 'logSnr', 'dlogSnr'] as const) assert.ok(rel(s[k](t), fresh[k](t)) <= 1e-12, `${k}(${t}): with() ${s[k](t)} vs fresh ${fresh[k](t)}`);
      const l = s.logSnr(t);
      assert.ok(Math.abs(s.tOfLogSnr(l) - t) <= 1e-9 * Math.max(1, t), `inverse at ${t}: ${s.tOfLogSnr(l)} (${s.inverse.method})`);
    }
  }), { numRuns: RUNS });
});

test('the evaluation form of each quantity equals its display form (probe at random t and parameter values)', () => {
  for (const name of ['vp-linear', 'sub-vp', 've', 'vp-cosine']) {
    const base = loadScheme(name);
    for (const f of [1, 0.6, 1.7]) {
      const env = Object.fromEntries(Object.entries(base.params).map(([k, v]) => [k, v * f]));
      for (const k of QUANTITY_NAMES) {
        const q = base.quantities[k];
        if (!q.expr || !q.evalExpr) continue;
        const a = compile1(q.expr, env), b = compile1(q.evalExpr, env);
        for (const t of [0.05, 0.31, 0.77]) assert.ok(rel(a(t), b(t)) <= 1e-10, `${name}.${k} at ${t}, ${JSON.stringify(env)}`);
      }
    }
  }
});

test('vp-linear derives in b0, b1: alpha = exp(-b0 t/2 - (b1 - b0) t^2/4), the inverse in b0, b1, no literal beyond the declaration', () => {
  const s = loadScheme('vp-linear');
  const alpha = s.quantities.alpha.expr!, inv = s.inverse.expr!;
  assert.deepEqual(freeSymbols(alpha), ['b0', 'b1', 't']);
  assert.deepEqual(freeSymbols(inv), ['b0', 'b1', 't']);
  assert.equal(s.inverse.method, 'symbolic');
  for (const [b0, b1] of [[0.1, 20], [0.5, 30], [2, 3]]) {
    const a = compile1(alpha, { b0, b1 });
    for (const t of [0.1, 0.5, 1]) assert.ok(rel(a(t), Math.exp(-b0 * t / 2 - (b1 - b0) * t * t / 4)) <= 1e-14);
    // t(lambda) at other values: the textbook inverse (-b0 + sqrt(b0^2 + 2 (b1 - b0) log(1 + e^{-2 lambda}))) / (b1 - b0)
    const tl = compile1(inv, { b0, b1 });
    for (const l of [-3, 0, 2]) {
      const L = Math.log1p(Math.exp(-2 * l));
      assert.ok(rel(tl(l), (-b0 + Math.sqrt(b0 * b0 + 2 * (b1 - b0) * L)) / (b1 - b0)) <= 1e-12, `t(${l}) at b0 = ${b0}, b1 = ${b1}`);
    }
  }
  for (const [k, e] of closedForms(s)) for (const c of literals(e)) assert.ok(significantDigits(c) <= 6, `${k} carries ${c}`);
});

test('with() and eval --param: unknown names and inadmissible values are UserErrors naming the parameter; validation runs', async () => {
  const s = loadScheme('vp-linear');
  const expectUserError = (f: () => unknown, re: RegExp) => assert.throws(f, (e: unknown) => isUserError(e) && re.test((e as Error).message));
  expectUserError(() => s.with({ bx: 1 }), /params\.bx: unknown parameter \(declared: b0, b1\)/);
  expectUserError(() => s.with({ b1: -2 }), /params\.b1: must be > 0/);
  expectUserError(() => s.with({ b1: Number.NaN }), /params\.b1: must be a finite number/);
  // a declared range replaces the sign convention; validation runs for the new values
  const ranged = declareScheme({ params: { c: 2 }, ranges: { c: [1.01, null] }, time: { t0: 1e-3, T: 1 }, marginal: { alpha: '1 - t / c', sigma: 't' } }).scheme;
  expectUserError(() => ranged.with({ c: 0.5 }), /params\.c: must be >= 1\.01/);
  assert.ok(ranged.with({ c: 3 }).alpha(1) > 0);
  const wide = declareScheme({ params: { c: 2 }, ranges: { c: [0.5, null] }, time: { t0: 1e-3, T: 1 }, marginal: { alpha: '1 - t / c', sigma: 't' } }).scheme;
  expectUserError(() => wide.with({ c: 0.6 }), /alpha must be > 0/);
  expectUserError(() => declareScheme({ params: { c: 2 }, ranges: { c: [3, null] }, marginal: { alpha: '1', sigma: 't' } }), /params\.c: declared value must be >= 3/);
  expectUserError(() => declareScheme({ params: { c: 2 }, ranges: { d: [0, 1] }, marginal: { alpha: '1', sigma: 't' } }), /ranges\.d: is not a declared parameter/);

  const ev = await import('../../src/cli/eval.ts');
  const run = async (argv: string[]) => {
    const lines: string[] = [];
    const log = console.log;
    console.log = (...a: unknown[]) => { lines.push(a.join(' ')); };
    try { return { code: await ev.run(argv), out: lines.join('\n') }; } finally { console.log = log; }
  };
  const got = JSON.parse((await run(['vp-linear', '--t', '0.2,0.6', '--param', 'b1=30', '--param=b0=0.2', '--json'])).out);
  const fresh = declareScheme({ ...JSON.parse(JSON.stringify((await import('../../src/scheme/builtins.ts')).BUILTINS['vp-linear'])), params: { b0: 0.2, b1: 30 } }).scheme;
  [0.2, 0.6].forEach((t, i) => { for (const k of ['alpha', 'sigma', 'f', 'g2', 'logSnr', 'dlogSnr'] as const) assert.ok(rel(got[k][i], fresh[k](t)) <= 1e-14, `${k}(${t})`); });
  await assert.rejects(run(['vp-linear', '--param', 'bx=1']), (e: unknown) => isUserError(e) && /--param bx: unknown parameter/.test((e as Error).message));
  await assert.rejects(run(['vp-linear', '--param', 'b1=abc']), (e: unknown) => isUserError(e) && /--param b1: must be a finite number/.test((e as Error).message));
  await assert.rejects(run(['vp-linear', '--param', 'b0=-1']), (e: unknown) => isUserError(e) && /--param b0: must be > 0/.test((e as Error).message));
  await assert.rejects(run(['vp-linear', '--param', 'b0']), (e: unknown) => isUserError(e) && /--param: expects NAME=VALUE/.test((e as Error).message));
});

test('the transition kernel in closed form (t, the earlier time, the params) equals Scheme.transition at other values', async () => {
  const { transitionExprs } = await import('../../src/scheme/transition.ts');
  const { compile } = await import('../../src/expr/compile.ts');
  for (const [name, values] of [['vp-linear', { b1: 30 }], ['sub-vp', { b0: 0.2 }], ['ve', { smax: 80 }], ['vp-cosine', { s: 0.02 }]] as const) {
    const s = loadScheme(name).with(values);
    const tr = transitionExprs(s);
    assert.ok(tr.alpha && tr.sigma2, `${name}: transition closed forms`);
    const a = compile(tr.alpha, ['t', tr.earlier], s.params), v = compile(tr.sigma2, ['t', tr.earlier], s.params);
    for (const [u, t] of [[0.1, 0.5], [0.3, 0.31], [0.05, 0.9]]) {
      const k = s.transition(u, t);
      assert.ok(rel(a(t, u), k.alpha) <= 1e-12, `${name}: alpha_{${t}|${u}}`);
      assert.ok(rel(v(t, u), k.sigma ** 2) <= 1e-9, `${name}: sigma2_{${t}|${u}} ${v(t, u)} vs ${k.sigma ** 2}`);
    }
  }
});
