/**
 * LaTeX (KaTeX-renderable) from canonical trees, with numbers shortened to 6 significant digits
 * for reading (the JSON output keeps full precision).
 */
import { view, type MathNode } from '../expr/nodes.ts';

const FN_TEX: Record<string, string> = {
  exp: '\\exp', log: '\\log', sin: '\\sin', cos: '\\cos', tan: '\\tan', tanh: '\\tanh', atan: '\\arctan',
  sinh: '\\sinh', cosh: '\\cosh', asin: '\\arcsin', acos: '\\arccos',
};

function numTex(v: number): string {
  if (Number.isInteger(v) && Math.abs(v) < 1e6) return String(v);
  const s = v.toPrecision(6).replace(/\.?0+(e|$)/, '$1');
  const m = /^(-?[\d.]+)e([+-]\d+)$/.exec(s);
  return m ? `${m[1]} \\times 10^{${Number(m[2])}}` : s;
}

/** LaTeX source of a tree; `vars` maps symbol names to their LaTeX. */
export function toLatex(n: MathNode, vars: Record<string, string> = {}): string {
  return go(n, vars).s;
}

function go(n: MathNode, vars: Record<string, string>): { s: string; p: number } {
  const v = view(n);
  switch (v.kind) {
    case 'const': return { s: numTex(v.value), p: v.value < 0 ? 3 : 5 };
    case 'symbol': return { s: vars[v.name] ?? v.name, p: 5 };
    case 'neg': { const a = go(v.arg, vars); return { s: `-${a.p <= 3 ? `\\left(${a.s}\\right)` : a.s}`, p: 3 }; }
    case 'call': {
      const a = go(v.arg, vars).s;
      if (v.name === 'sqrt') return { s: `\\sqrt{${a}}`, p: 5 };
      if (v.name === 'abs') return { s: `\\left|${a}\\right|`, p: 5 };
      const f = FN_TEX[v.name] ?? `\\operatorname{${v.name}}`;
      return { s: `${f}\\left(${a}\\right)`, p: 5 };
    }
    case 'bin': {
      const a = go(v.a, vars), b = go(v.b, vars);
      switch (v.op) {
        case 'divide': return { s: `\\frac{${a.s}}{${b.s}}`, p: 5 };
        case 'pow': return { s: `${a.p < 5 ? `\\left(${a.s}\\right)` : a.s}^{${b.s}}`, p: 4 };
        case 'multiply': {
          const l = a.p < 2 ? `\\left(${a.s}\\right)` : a.s, r = b.p < 3 ? `\\left(${b.s}\\right)` : b.s;
          return { s: `${l} \\, ${r}`, p: 2 };
        }
        case 'add': return { s: `${a.s} + ${b.p === 3 ? `\\left(${b.s}\\right)` : b.s}`, p: 1 };
        case 'subtract': return { s: `${a.s} - ${b.p <= 1 || b.p === 3 ? `\\left(${b.s}\\right)` : b.s}`, p: 1 };
      }
    }
  }
}
