/**
 * Float64 JavaScript closures from canonical expression trees. The source is generated from the
 * whitelisted tree only (numbers, the declared variables, whitelisted functions), never from the
 * user's text; where `new Function` is unavailable (a strict CSP page) a tree-walking closure is used.
 */
import { CONSTANTS, view, type Env, type MathNode } from './nodes.ts';
import { FN_TABLE } from './special.ts';
import { stabilize } from './stabilize.ts';

/** A compiled float64 function of t. */
export type Fn1 = (t: number) => number;
/** A compiled float64 function of several variables. */
export type FnN = (...args: number[]) => number;

const numSource = (x: number): string => (Number.isFinite(x) ? `(${x})` : x > 0 ? 'Infinity' : x < 0 ? '(-Infinity)' : 'NaN');

/** The value a non-variable symbol takes: a parameter from `env`, else pi / e; throws when unbound. */
function bound(name: string, env: Env): number {
  const v = Object.prototype.hasOwnProperty.call(env, name) ? env[name] : CONSTANTS[name];
  if (v === undefined) throw new Error(`unbound symbol ${name}`);
  return v;
}

/**
 * JS source of a canonical tree, with functions reached through `M.` and variables by name;
 * other symbols (parameters, pi, e) are inlined from `env` as numbers.
 */
export function toJsSource(n: MathNode, vars: readonly string[], env: Env = {}): string {
  const v = view(n);
  switch (v.kind) {
    case 'const': return numSource(v.value);
    case 'symbol':
      if (vars.includes(v.name)) return `v_${v.name}`;
      return numSource(bound(v.name, env));
    case 'neg': return `(-${toJsSource(v.arg, vars, env)})`;
    case 'call': return `M.${v.name}(${toJsSource(v.arg, vars, env)})`;
    case 'bin': {
      const a = toJsSource(v.a, vars, env), b = toJsSource(v.b, vars, env);
      switch (v.op) {
        case 'add': return `(${a}+${b})`;
        case 'subtract': return `(${a}-${b})`;
        case 'multiply': return `(${a}*${b})`;
        case 'divide': return `(${a}/${b})`;
        case 'pow': return powSource(v.b, a, b);
      }
    }
  }
}

function powSource(exponent: MathNode, a: string, b: string): string {
  const e = view(exponent);
  if (e.kind === 'const') {
    if (e.value === 2) return `(${a}*${a})`;
    if (e.value === 0.5) return `Math.sqrt(${a})`;
    if (e.value === 1) return a;
  }
  return `Math.pow(${a},${b})`;
}

let functionCtorWorks: boolean | undefined;

/**
/**
 * Compile to a float64 function of the given variables (default: t). Parameters not among `vars`
 * take their values from `env` (pi and e are always bound); to sweep parameters in a hot loop, list
 * them in `vars` instead: `compile(expr, ['t', 'b0', 'b1'])`. The tree is first put in its
 * numerically stable evaluation form (expm1/log1p rewrites, src/expr/stabilize.ts).
 */
export function compile(tree: MathNode, vars: readonly string[] = ['t'], env: Env = {}): FnN {
  const n = stabilize(tree);
  if (functionCtorWorks !== false) {
    try {
      const src = toJsSource(n, vars, env);
      const params = vars.map((x) => `v_${x}`).join(',');
      const f = new Function('M', `"use strict"; return function(${params}){ return ${src}; };`)(FN_TABLE) as FnN;
      functionCtorWorks = true;
      return f;
    } catch (e) {
      if (e instanceof EvalError) functionCtorWorks = false; else throw e;
    }
  }
  return interpret(n, vars, env);
}

/** Compile a function of t alone, the parameters bound to the values in `env`. */
export function compile1(n: MathNode, env: Env = {}): Fn1 {
  return compile(n, ['t'], env) as Fn1;
}

/** Tree-walking closure: no code generation at all. */
export function interpret(n: MathNode, vars: readonly string[], env: Env = {}): FnN {
  const v = view(n);
  switch (v.kind) {
    case 'const': { const c = v.value; return () => c; }
    case 'symbol': {
      const i = vars.indexOf(v.name);
      if (i < 0) { const c = bound(v.name, env); return () => c; }
      return (...a) => a[i];
    }
    case 'neg': { const f = interpret(v.arg, vars, env); return (...a) => -f(...a); }
    case 'call': { const g = FN_TABLE[v.name] as (u: number) => number; const f = interpret(v.arg, vars, env); return (...a) => g(f(...a)); }
    case 'bin': {
      const f = interpret(v.a, vars, env), g = interpret(v.b, vars, env);
      switch (v.op) {
        case 'add': return (...a) => f(...a) + g(...a);
        case 'subtract': return (...a) => f(...a) - g(...a);
        case 'multiply': return (...a) => f(...a) * g(...a);
        case 'divide': return (...a) => f(...a) / g(...a);
        case 'pow': return (...a) => Math.pow(f(...a), g(...a));
      }
    }
  }
}
