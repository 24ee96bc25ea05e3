/**
 * Expression strings that must always be rejected by the whitelist parser before any evaluation:
 * code injection (import, evaluate, parse, createUnit, require, constructor tricks), assignment,
 * function definition, member and index access, strings, matrices, objects, conditionals,
 * comparisons, ranges, units, blocks, unknown names and syntax errors. Each comes with its class.
 */
import fc from 'fast-check';

export type InjectionClass = 'injection' | 'assignment' | 'member-access' | 'non-numeric' | 'unknown-name' | 'syntax';

export interface InjectionConstraints {
  /** classes to draw (default all) */
  classes?: readonly InjectionClass[];
  /** wrap the bad token inside an otherwise valid expression sometimes (default true) */
  embed?: boolean;
}

export interface Injection { cls: InjectionClass; source: string }

const BAD: Record<InjectionClass, readonly string[]> = {
  injection: [
    "import('fs')", 'import({}, {override: true})', "evaluate('1 + 1')", "parse('t')", "compile('t')", "createUnit('foo')",
    "require('child_process')", "process.exit(1)", "simplify('t')", "derivative('t^2', 't')", 'chain(t)', 'reviver(t)',
    "cos.constructor('return process')()", 'resolve(t)', 'help(t)', 'config({number: "BigNumber"})',
  ],
  assignment: ['a = 1', 't = 2', 'f(x) = x', 'pi = 3', 'exp = 1', 'x[1] = 2', 'g(t) = t^2'],
  'member-access': ['t.constructor', "t['constructor']", 'exp.name', 'pi.valueOf', 'e.toString', '[1, 2][1]', 'obj.a'],
  'non-numeric': [
    "'abc'", '"abc"', '[1, 2]', '{a: 1}', 't > 0 ? 1 : 2', 't > 0', 't == t', '1:3', '5 cm', 't!', '2 mod 3', 'true', 'null',
    'undefined', 'NaN', 'Infinity', 'i', 't; 2', 't\n2', '2 to inch', 'not t', 't and 1', 't | 1', 't & 1', '~t', '3!', 'x => x',
  ],
  'unknown-name': ['beta * t', 'x + t', 'foo(t)', 'T * t', 'alpha', 'sigma(t)', 'max(t, 1)', 'pow(t, 2)', 'gamma(t)', 'log(t, 2)', 'this', '__proto__', 'constructor', 'sqrt(t, 2)'],
  syntax: ['t +', '(t', 'exp(t', 't * * 2', 't ^', 'sin()', ',', '', '   ', '2t)', ')', 't..2', '#', '@t', '$', 'exp((t)', '1.2.3'],
};

export function injection(c: InjectionConstraints = {}): fc.Arbitrary<Injection> {
  const classes = c.classes ?? (Object.keys(BAD) as InjectionClass[]);
  const bare = fc.constantFrom(...classes).chain((cls) => fc.constantFrom(...BAD[cls]).map((source) => ({ cls, source })));
  if (c.embed === false) return bare;
  const wrap = fc.constantFrom((s: string) => s, (s: string) => `t + (${s})`, (s: string) => `exp(-(${s}) * t)`, (s: string) => `(${s}) / 2`);
  // embedding keeps the bad token; syntax errors and newlines are kept bare (wrapping may repair
  // them: "(t" becomes balanced, and inside parentheses a newline is whitespace, "(t\n2)" = 2 t)
  return fc.tuple(bare, wrap).map(([inj, w]) => (inj.cls === 'syntax' || inj.source.includes('\n') ? inj : { cls: inj.cls, source: w(inj.source) }));
}
