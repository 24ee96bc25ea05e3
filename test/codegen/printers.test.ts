/**
 * The display printers (issue 10 part C): the mathjs printer of `derive` / `derive --json` and the
 * LaTeX printer of `--latex` and the playground, on random trees with parameter symbols, negative
 * constants, rationals and multiples of pi: the mathjs string evaluates (stock mathjs, and SymPy's
 * parser) to the tree's value, has no `- -`, `+ -`, `1 *`; the LaTeX renders with KaTeX.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import fc from 'fast-check';
import katex from 'katex';
import { create, all } from 'mathjs';
import { add, call, div, mul, neg, num, pow, sub, sym, type FunctionName, type MathNode } from '../../src/expr/nodes.ts';
import { interpret } from '../../src/expr/compile.ts';
import { toMathjs } from '../../src/codegen/mathjs.ts';
import { texName, toLatex } from '../../src/codegen/latex.ts';
import { BUILTIN_NAMES } from '../../src/scheme/builtins.ts';
import { loadScheme } from '../../src/scheme/load.ts';
import { derivation, derivationLatex } from '../../src/codegen/derivation.ts';

const math = create(all);
const VARS = ['t', 'b0', 'b1', 'beta_min', 'sigma_max', 'x', 'lambda'] as const;
const SCOPE: Record<string, number> = { t: 0.37, b0: 0.1, b1: 20, beta_min: 0.3, sigma_max: 1.7, x: -0.8, lambda: 0.6 };

/** Random trees over the canonical node set, kept finite for the scope above (arguments bounded, denominators positive). */
const tree: fc.Arbitrary<MathNode> = fc.letrec<{ n: MathNode }>((tie) => ({
  n: fc.oneof(
    { depthSize: 'small', maxDepth: 4, withCrossShrink: true },
    fc.constantFrom(...VARS).map(sym),
    fc.constantFrom(1, 2, -1, -2, 0.5, -0.5, 1 / 3, 0.25, 0.1, 0.05, 19.9, -4.975, Math.PI, Math.PI / 2, -Math.PI / 4, 1.5583296892806513).map(num),
    fc.tuple(tie('n'), tie('n')).map(([a, b]) => add(a, b)),
    fc.tuple(tie('n'), tie('n')).map(([a, b]) => sub(a, b)),
    fc.tuple(tie('n'), tie('n')).map(([a, b]) => mul(a, b)),
    fc.tuple(tie('n'), tie('n')).map(([a, b]) => div(a, add(num(1.5), call('tanh', b)))),
    tie('n').map((a) => neg(a)),
    tie('n').map((a) => mul(a, a)),
    fc.tuple(tie('n'), fc.constantFrom(2, 3, -1, -2)).map(([a, k]) => pow(add(num(1.5), call('sin', a)), num(k))),
    fc.tuple(tie('n'), fc.constantFrom(2, -1)).map(([a, k]) => pow(call('cos', a), num(k))),
    tie('n').map((a) => pow(add(num(1), pow(a, num(2))), num(0.5))),
    fc.tuple(fc.constantFrom<FunctionName>('exp', 'expm1', 'sigmoid', 'softplus'), tie('n')).map(([f, a]) => call(f, call('tanh', a))),
    fc.tuple(fc.constantFrom<FunctionName>('sin', 'cos', 'atan', 'tanh', 'erf'), tie('n')).map(([f, a]) => call(f, a)),
    tie('n').map((a) => call('log1p', pow(a, num(2)))),
    tie('n').map((a) => call('log', add(num(2), call('sin', a)))),
    tie('n').map((a) => call('logit', call('sigmoid', call('tanh', a)))),
  ),
})).n;

const close = (a: number, b: number) => Math.abs(a - b) <= 1e-9 * Math.max(1, Math.abs(a), Math.abs(b));
const evalTree = (n: MathNode) => interpret(n, VARS)(...VARS.map((v) => SCOPE[v]));

test('mathjs printer: stock mathjs evaluates the string to the tree; no "- -", "+ -", "1 *"', () => {
  fc.assert(fc.property(tree, (n) => {
    const want = evalTree(n);
    fc.pre(Number.isFinite(want));
    const s = toMathjs(n);
    const got = math.evaluate(s, { ...SCOPE }) as number;
    assert.ok(close(got, want), `${s}: ${got} vs ${want}`);
    assert.doesNotMatch(s, /-\s*-|\+\s*-|(^|[^\w.])1 \*|\* 1(?![\d.])|\/ 1(?![\d.])|\(\((?:[^()]|\([^()]*\))*\)\)/, s);
  }), { numRuns: 400, seed: 10 });
});

test('LaTeX printer: KaTeX renders every random tree; no "- -", "+ -", "1 \\cdot"', () => {
  fc.assert(fc.property(tree, (n) => {
    const s = toLatex(n);
    assert.doesNotThrow(() => katex.renderToString(s, { throwOnError: true }), s);
    assert.doesNotMatch(s, /-\s*-|\+\s*-/, s);
    assert.doesNotMatch(s, /\\cdot 1(?![\d.])|(^|[^\w.])1 \\cdot/, s);
  }), { numRuns: 300, seed: 11 });
});

test('SymPy parses the mathjs strings to the same values', { skip: spawnSync('/usr/bin/python3', ['-c', 'import sympy']).status === 0 ? false : 'python3-sympy is not installed' }, () => {
  const trees = fc.sample(tree, { numRuns: 40, seed: 12 }).filter((n) => Number.isFinite(evalTree(n)));
  const cases = trees.map((n) => ({ s: toMathjs(n), want: evalTree(n) }));
  const py = `
import json, sys, sympy as sp
from sympy.parsing.sympy_parser import parse_expr, standard_transformations, convert_xor
cases, scope = json.load(sys.stdin)
names = {k: sp.Symbol(k) for k in scope}
names['Lambda'] = names.pop('lambda')
local = dict(names, log1p=lambda a: sp.log(1 + a), expm1=lambda a: sp.exp(a) - 1, pi=sp.pi)
subs = {names['Lambda' if k == 'lambda' else k]: v for k, v in scope.items()}
out = []
for c in cases:
    e = parse_expr(c['s'].replace('lambda', 'Lambda'), local_dict=local, transformations=standard_transformations + (convert_xor,))
    out.append(float(e.evalf(20, subs=subs)))
print(json.dumps(out))`;
  const r = spawnSync('/usr/bin/python3', ['-c', py], { input: JSON.stringify([cases, SCOPE]), encoding: 'utf8' });
  assert.equal(r.status, 0, r.stderr);
  const got = JSON.parse(r.stdout) as number[];
  cases.forEach((c, i) => assert.ok(close(got[i], c.want), `${c.s}: SymPy ${got[i]} vs ${c.want}`));
});

test('parameter names as a paper writes them', () => {
  const cases: Record<string, string> = {
    b0: 'b_0', b1: 'b_1', beta0: '\\beta_0', beta_min: '\\beta_{\\min}', sigma_max: '\\sigma_{\\max}', smin: 's_{\\min}',
    smax: 's_{\\max}', sigma_data: '\\sigma_{\\mathrm{data}}', s: 's', lambda: '\\lambda', rho: '\\rho', t: 't', k12: 'k_{12}', eta: '\\eta',
  };
  for (const [name, tex] of Object.entries(cases)) assert.equal(texName(name), tex, name);
});

test('VP-linear alpha with symbolic parameters reads as the paper writes it', () => {
  // alpha = exp(-b0/2 t - (b1 - b0)/4 t^2)
  const [t, b0, b1] = ['t', 'b0', 'b1'].map(sym);
  const alpha = call('exp', sub(neg(mul(div(b0, num(2)), t)), mul(div(sub(b1, b0), num(4)), pow(t, num(2)))));
  assert.equal(toLatex(alpha), '\\exp\\!\\left(-\\tfrac{b_0}{2} t - \\tfrac{b_1 - b_0}{4} t^2\\right)');
  assert.equal(toMathjs(alpha), 'exp(-b0 * t / 2 - (b1 - b0) * t ^ 2 / 4)');
  // the numbers of a tree the pipeline builds: 0.5 * b0, -0.25 * (b1 - b0), pi / 2
  const logSnr = mul(num(-0.5), call('log', call('expm1', add(mul(num(0.5), mul(sub(b1, b0), pow(t, num(2)))), mul(b0, t)))));
  assert.equal(toLatex(logSnr), '-\\tfrac{1}{2} \\log\\!\\left(\\exp\\!\\left(\\tfrac{b_1 - b_0}{2} t^2 + b_0 t\\right) - 1\\right)'.replace('\\log\\!\\left(', '\\log\\left(').replace('- 1\\right)', '- 1\\right)'));
  assert.equal(toMathjs(logSnr), '-log(expm1((b1 - b0) * t ^ 2 / 2 + b0 * t)) / 2');
  const cosArg = div(mul(num(Math.PI / 2), add(t, sym('s'))), add(num(1), sym('s')));
  assert.equal(toMathjs(call('cos', cosArg)), 'cos(pi * (t + s) / (2 * (1 + s)))');
  assert.equal(toLatex(call('cos', cosArg)), '\\cos(\\tfrac{\\pi (t + s)}{2 (1 + s)})');
});

test('KaTeX renders every built-in derivation', () => {
  for (const name of BUILTIN_NAMES) {
    for (const [k, s] of Object.entries(derivationLatex(loadScheme(name)))) {
      assert.doesNotThrow(() => katex.renderToString(s, { throwOnError: true }), `${name} ${k}: ${s}`);
    }
  }
});

test('derive --json transition kernel: the closed forms (parsed by stock mathjs) equal Scheme.transition', () => {
  for (const name of BUILTIN_NAMES) {
    const s = loadScheme(name);
    const d = derivation(s);
    if (d.transition.method === 'numeric') { assert.equal(d.transition.alpha, null); continue; }
    const a = math.compile(d.transition.alpha!), v = math.compile(d.transition.sigma2!);
    for (const frac of [0.2, 0.5, 0.9]) {
      const t = s.t0 + frac * (s.T - s.t0), u = s.t0 + 0.5 * (t - s.t0);
      const scope = { ...s.params, t, [d.transition.earlier]: u, pi: Math.PI, e: Math.E };
      const want = s.transition(u, t);
      const ga = a.evaluate({ ...scope }) as number, gv = v.evaluate({ ...scope }) as number;
      assert.ok(close(ga, want.alpha), `${name} alpha_{t|s}(${t}, ${u}): ${ga} vs ${want.alpha}`);
      assert.ok(Math.abs(gv - want.sigma ** 2) <= 1e-9 * Math.max(1, want.sigma ** 2, s.sigma2(t)), `${name} sigma2_{t|s}(${t}, ${u}): ${gv} vs ${want.sigma ** 2}`);
    }
  }
});
