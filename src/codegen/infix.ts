/**
 * A precedence-aware infix printer shared by the text targets (mathjs, Python, WGSL, GLSL).
 * Each target supplies how to print numbers, symbols, powers and function calls.
 */
import { bin, num, view, type FunctionName, type MathNode } from '../expr/nodes.ts';

export interface InfixTarget {
  number(v: number): string;
  symbol(name: string): string;
  /** print a^b given printed operands (already parenthesised as atoms) */
  pow(a: string, b: string, exponent: number | undefined): string;
  call(name: FunctionName, arg: string): string;
  /** is the power written as an infix operator (then it binds tighter than unary minus) */
  powIsOperator: boolean;
}

// precedence: higher binds tighter
const PREC = { add: 1, subtract: 1, multiply: 2, divide: 2, neg: 3, pow: 4, atom: 5 } as const;

/** Print a canonical tree for a target. */
export function printInfix(n: MathNode, tg: InfixTarget): string {
  return go(n, tg).s;
}

function go(n: MathNode, tg: InfixTarget): { s: string; p: number } {
  const v = view(n);
  switch (v.kind) {
    case 'const': { const s = tg.number(v.value); return { s, p: v.value < 0 || s.startsWith('-') ? PREC.neg : PREC.atom }; }
    case 'symbol': return { s: tg.symbol(v.name), p: PREC.atom };
    case 'call': return { s: tg.call(v.name, go(v.arg, tg).s), p: PREC.atom };
    case 'neg': { const a = go(v.arg, tg); return { s: `-${a.p <= PREC.neg ? `(${a.s})` : a.s}`, p: PREC.neg }; }
    case 'bin': {
      const p = PREC[v.op];
      const a = go(v.a, tg), b = go(v.b, tg);
      if (v.op === 'pow') {
        const base = a.p <= PREC.pow ? `(${a.s})` : a.s;
        const ev = view(v.b);
        const exp = tg.powIsOperator && b.p <= PREC.pow ? `(${b.s})` : b.s;
        return { s: tg.pow(base, exp, ev.kind === 'const' ? ev.value : undefined), p: tg.powIsOperator ? PREC.pow : PREC.atom };
      }
      // a + (-b) -> a - b, a - (-b) -> a + b: exact in floating point, and no `+ -` / `- -` in the source
      if (v.op === 'add' || v.op === 'subtract') {
        const nb = negated(v.b);
        if (nb) {
          const c = go(nb, tg);
          const op = v.op === 'add' ? '-' : '+';
          const r = c.p <= PREC.add || c.p === PREC.neg ? `(${c.s})` : c.s;
          return { s: `${a.s} ${op} ${r}`, p };
        }
      }
      const left = a.p < p ? `(${a.s})` : a.s;
      // right operand of - and / needs parentheses at equal precedence
      const right = b.p < p || (b.p === p && (v.op === 'subtract' || v.op === 'divide')) || b.p === PREC.neg ? `(${b.s})` : b.s;
      const op = { add: '+', subtract: '-', multiply: '*', divide: '/' }[v.op];
      return { s: `${left} ${op} ${right}`, p };
    }
  }
}

/** x where n is -x (a unary minus, a negative constant, a product led by one), else undefined. */
function negated(n: MathNode): MathNode | undefined {
  const v = view(n);
  if (v.kind === 'neg') return v.arg;
  if (v.kind === 'const' && v.value < 0) return num(-v.value);
  // (-a) * b = -(a * b) and (-a) / b = -(a / b) exactly
  if (v.kind === 'bin' && (v.op === 'multiply' || v.op === 'divide')) { const na = negated(v.a); return na && bin(v.op, na, v.b); }
  return undefined;
}

/** Shortest round-trip decimal of a float64. */
export function float64(v: number): string {
  return Number.isInteger(v) && Math.abs(v) < 1e21 ? v.toFixed(0) : String(v);
}
