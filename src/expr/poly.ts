/**
 * Polynomials in t with float64 coefficients (c[k] multiplies t^k): recognition from trees,
 * arithmetic, calculus, and conversion back to a tree.
 */
import { add, mul, neg, num, pow, sub, T, view, type MathNode } from './nodes.ts';

export type Poly = number[];
const MAX_DEGREE = 12;

/** Coefficients if `n` is a polynomial in t of degree <= 12 with finite coefficients, else null. */
export function polyOf(n: MathNode): Poly | null {
  const v = view(n);
  switch (v.kind) {
    case 'const': return Number.isFinite(v.value) ? [v.value] : null;
    case 'symbol': return v.name === 't' ? [0, 1] : null;
    case 'neg': { const p = polyOf(v.arg); return p && p.map((c) => -c); }
    case 'call': return null;
    case 'bin': {
      const a = polyOf(v.a);
      if (!a) return null;
      if (v.op === 'pow') {
        const b = polyOf(v.b);
        if (!b || b.length !== 1) return null;
        const k = b[0];
        if (!Number.isInteger(k) || k < 0 || k * (a.length - 1) > MAX_DEGREE) return null;
        let r: Poly = [1];
        for (let i = 0; i < k; i++) r = polyMul(r, a);
        return r;
      }
      const b = polyOf(v.b);
      if (!b) return null;
      switch (v.op) {
        case 'add': return polyAdd(a, b);
        case 'subtract': return polyAdd(a, b.map((c) => -c));
        case 'multiply': return a.length + b.length - 2 > MAX_DEGREE ? null : polyMul(a, b);
        case 'divide': return b.length === 1 && b[0] !== 0 ? a.map((c) => c / b[0]) : null;
      }
    }
  }
  return null;
}

export function trim(p: Poly): Poly {
  const r = p.slice();
  while (r.length > 1 && r[r.length - 1] === 0) r.pop();
  return r;
}
export function polyAdd(a: Poly, b: Poly): Poly {
  const r = new Array<number>(Math.max(a.length, b.length)).fill(0);
  a.forEach((c, i) => (r[i] += c));
  b.forEach((c, i) => (r[i] += c));
  return trim(r);
}
export function polyMul(a: Poly, b: Poly): Poly {
  const r = new Array<number>(a.length + b.length - 1).fill(0);
  for (let i = 0; i < a.length; i++) for (let j = 0; j < b.length; j++) r[i + j] += a[i] * b[j];
  return trim(r);
}
export function polyDeriv(p: Poly): Poly {
  return p.length <= 1 ? [0] : trim(p.slice(1).map((c, i) => c * (i + 1)));
}
/** Antiderivative vanishing at t = 0. */
export function polyInteg(p: Poly): Poly {
  return trim([0, ...p.map((c, i) => c / (i + 1))]);
}
export function polyEval(p: Poly, t: number): number {
  let r = 0;
  for (let i = p.length - 1; i >= 0; i--) r = r * t + p[i];
  return r;
}
export function degree(p: Poly): number { return trim(p).length - 1; }

/** Tree of sum_k c_k t^k, dropping zero terms, highest power first. */
export function polyTree(p: Poly): MathNode {
  const q = trim(p);
  let acc: MathNode | null = null;
  for (let k = q.length - 1; k >= 0; k--) {
    const c = q[k];
    if (c === 0) continue;
    const mono = k === 0 ? num(Math.abs(c)) : Math.abs(c) === 1 ? tPow(k) : mul(num(Math.abs(c)), tPow(k));
    if (acc === null) acc = c < 0 ? neg(mono) : mono;
    else acc = c < 0 ? sub(acc, mono) : add(acc, mono);
  }
  return acc ?? num(0);
}
function tPow(k: number): MathNode { return k === 1 ? T() : pow(T(), num(k)); }
