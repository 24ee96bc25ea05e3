/**
 * Float64 JavaScript closures from canonical expression trees. The source is generated from the
 * whitelisted tree only (numbers, the declared variables, whitelisted functions), never from the
 * user's text; where `new Function` is unavailable (a strict CSP page) a tree-walking closure is used.
 */
import { view, type MathNode } from './nodes.ts';
import { FN_TABLE } from './special.ts';

/** A compiled float64 function of t. */
export type Fn1 = (t: number) => number;
/** A compiled float64 function of several variables. */
export type FnN = (...args: number[]) => number;

/** JS source of a canonical tree, with functions reached through `M.` and variables by name. */
export function toJsSource(n: MathNode, vars: readonly string[]): string {
  const v = view(n);
  switch (v.kind) {
    case 'const': return Number.isFinite(v.value) ? `(${v.value})` : v.value > 0 ? 'Infinity' : v.value < 0 ? '(-Infinity)' : 'NaN';
    case 'symbol':
      if (!vars.includes(v.name)) throw new Error(`unbound symbol ${v.name}`);
      return `v_${v.name}`;
    case 'neg': return `(-${toJsSource(v.arg, vars)})`;
    case 'call': return `M.${v.name}(${toJsSource(v.arg, vars)})`;
    case 'bin': {
      const a = toJsSource(v.a, vars), b = toJsSource(v.b, vars);
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

/** Compile to a float64 function of the given variables (default: t). */
export function compile(n: MathNode, vars: readonly string[] = ['t']): FnN {
  if (functionCtorWorks !== false) {
    try {
      const src = toJsSource(n, vars);
      const params = vars.map((x) => `v_${x}`).join(',');
      const f = new Function('M', `"use strict"; return function(${params}){ return ${src}; };`)(FN_TABLE) as FnN;
      functionCtorWorks = true;
      return f;
    } catch (e) {
      if (e instanceof EvalError) functionCtorWorks = false; else throw e;
    }
  }
  return interpret(n, vars);
}

/** Compile a function of t alone. */
export function compile1(n: MathNode): Fn1 {
  return compile(n, ['t']) as Fn1;
}

/** Tree-walking closure: no code generation at all. */
export function interpret(n: MathNode, vars: readonly string[]): FnN {
  const v = view(n);
  switch (v.kind) {
    case 'const': { const c = v.value; return () => c; }
    case 'symbol': { const i = vars.indexOf(v.name); if (i < 0) throw new Error(`unbound symbol ${v.name}`); return (...a) => a[i]; }
    case 'neg': { const f = interpret(v.arg, vars); return (...a) => -f(...a); }
    case 'call': { const g = FN_TABLE[v.name] as (u: number) => number; const f = interpret(v.arg, vars); return (...a) => g(f(...a)); }
    case 'bin': {
      const f = interpret(v.a, vars), g = interpret(v.b, vars);
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
