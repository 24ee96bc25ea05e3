/**
 * Polynomials in t (c[k] multiplies t^k): recognition from trees, arithmetic, calculus, and
 * conversion back to a tree; with float64 coefficients (Poly) or with symbolic coefficients that
 * are trees free of t (SPoly: parameters, pi, exact rationals).
 */
import { add, constOf, depends, div, mul, neg, num, pow, sub, sym, T, view, type MathNode } from './nodes.ts';
import { exactValue } from './rational.ts';
import { coefOp, polyCoefficients } from './mpoly.ts';

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

// ---- polynomials in t with symbolic coefficients (trees free of t: parameters, pi, exact rationals) ----

/** c[k] multiplies t^k; each c[k] is a tree free of t. */
export type SPoly = MathNode[];

const isZ = (c: MathNode): boolean => constOf(c) === 0;
const isOne = (c: MathNode): boolean => constOf(c) === 1;

/** Coefficient arithmetic in canonical form (mpoly.ts): exact on literals, like terms collected, common factors cancelled. */
export const cadd = (a: MathNode, b: MathNode): MathNode => coefOp('add', a, b);
export const csub = (a: MathNode, b: MathNode): MathNode => coefOp('subtract', a, b);
export const cmul = (a: MathNode, b: MathNode): MathNode => coefOp('multiply', a, b);
export const cdiv = (a: MathNode, b: MathNode): MathNode => coefOp('divide', a, b);
export const cneg = (a: MathNode): MathNode => coefOp('multiply', num(-1), a);

/** Coefficients if `n` is a polynomial in t (degree <= 12) whose coefficients are trees free of t (canonical, mpoly.ts), else null. */
export function spolyOf(n: MathNode, x = 't'): SPoly | null {
  return polyCoefficients(n, x, MAX_DEGREE);
}

export function strim(p: SPoly): SPoly {
  const r = p.slice();
  while (r.length > 1 && isZ(r[r.length - 1])) r.pop();
  return r;
}
export function spolyAdd(a: SPoly, b: SPoly): SPoly {
  const r: SPoly = [];
  for (let i = 0; i < Math.max(a.length, b.length); i++) r.push(cadd(a[i] ?? num(0), b[i] ?? num(0)));
  return strim(r);
}
export function spolyMul(a: SPoly, b: SPoly): SPoly {
  const r: SPoly = new Array(a.length + b.length - 1).fill(null).map(() => num(0));
  for (let i = 0; i < a.length; i++) for (let j = 0; j < b.length; j++) r[i + j] = cadd(r[i + j], cmul(a[i], b[j]));
  return strim(r);
}
export const spolyScale = (p: SPoly, c: MathNode): SPoly => strim(p.map((x) => cmul(c, x)));
export function spolyDeriv(p: SPoly): SPoly {
  return p.length <= 1 ? [num(0)] : strim(p.slice(1).map((c, i) => cmul(num(i + 1), c)));
}
/** Antiderivative vanishing at t = 0 (exact division of literals). */
export function spolyInteg(p: SPoly): SPoly {
  return strim([num(0), ...p.map((c, i) => cdiv(c, num(i + 1)))]);
}
/** Degree, counting a symbolic leading coefficient as nonzero. */
export const sdegree = (p: SPoly): number => strim(p).length - 1;
export const sIsZero = (p: SPoly): boolean => strim(p).every(isZ);

/** Tree of sum_k c_k t^k, lowest power first (as a paper writes b0 t + (b1 - b0) t^2 / 2). */
export function spolyTree(p: SPoly, x = 't'): MathNode {
  const q = strim(p);
  let acc: MathNode | null = null;
  for (let k = 0; k < q.length; k++) {
    const c = q[k];
    if (isZ(c)) continue;
    const tk = k === 0 ? null : k === 1 ? sym(x) : pow(sym(x), num(k));
    const negative = (() => { const e = exactValue(c); return e ? e.p < 0n : view(c).kind === 'neg'; })();
    const mag = negative ? cneg(c) : c;
    const mono = tk === null ? mag : monomial(mag, tk);
    if (acc === null) acc = negative ? neg(mono) : mono;
    else acc = negative ? sub(acc, mono) : add(acc, mono);
  }
  return acc ?? num(0);
}
/** c t^k with a rational c written as (n t^k) / d. */
function monomial(c: MathNode, tk: MathNode): MathNode {
  if (isOne(c)) return tk;
  const v = view(c);
  if (v.kind === 'bin' && v.op === 'divide' && constOf(v.b) !== undefined) return div(monomial(v.a, tk), v.b);
  return mul(c, tk);
}
