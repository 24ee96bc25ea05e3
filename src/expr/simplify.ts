/**
 * A small, predictable simplifier: constant folding, neutral and absorbing elements,
 * double negation, exp/log cancellation and polynomial normal form for polynomial subtrees.
 * Every rewrite is an identity on the domain where the input is finite.
 */
import { compile } from './compile.ts';
import { add, bin, call, depends, div, mul, neg, num, pow, sub, view, type MathNode } from './nodes.ts';
import { spolyOf, spolyTree } from './poly.ts';
import { size } from './nodes.ts';
import { exactValue, rationalNode } from './rational.ts';

/** structural fingerprint (cheaper than mathjs toString) */
const key = (n: MathNode): string => {
  const v = view(n);
  switch (v.kind) {
    case 'const': return String(v.value);
    case 'symbol': return v.name;
    case 'neg': return `-(${key(v.arg)})`;
    case 'call': return `${v.name}(${key(v.arg)})`;
    case 'bin': return `(${key(v.a)} ${v.op} ${key(v.b)})`;
  }
};

/** Simplify bottom-up until no rule applies. */
export function simplify(n: MathNode): MathNode {
  let cur = n;
  for (let pass = 0; pass < 6; pass++) {
    const next = step(cur);
    if (key(next) === key(cur)) return next;
    cur = next;
  }
  return cur;
}

function isFree(n: MathNode): boolean {
  return !hasAnySymbol(n);
}
function hasAnySymbol(n: MathNode): boolean {
  const v = view(n);
  switch (v.kind) {
    case 'const': return false;
    case 'symbol': return true;
    case 'neg': case 'call': return hasAnySymbol(v.arg);
    case 'bin': return hasAnySymbol(v.a) || hasAnySymbol(v.b);
  }
}
function fold(n: MathNode): MathNode | null {
  if (!isFree(n)) return null;
  // exact rational arithmetic on literals (1/3 stays 1/3); functions of literals fold only to integers (exp(0) = 1)
  const exact = exactValue(n);
  if (exact) return rationalNode(exact);
  const val = compile(n, [])();
  return Number.isInteger(val) ? num(val) : null;
}
const c = (n: MathNode) => { const v = view(n); return v.kind === 'const' ? v.value : undefined; };

function step(n: MathNode): MathNode {
  const v = view(n);
  if (v.kind === 'const' || v.kind === 'symbol') return n;
  const folded = fold(n);
  if (folded) return folded;
  if (v.kind === 'neg') {
    const a = step(v.arg);
    const av = view(a);
    if (av.kind === 'neg') return av.arg;
    if (av.kind === 'const') return num(-av.value);
    if (av.kind === 'bin' && av.op === 'subtract') return sub(av.b, av.a);
    return neg(a);
  }
  if (v.kind === 'call') {
    const a = step(v.arg);
    const av = view(a);
    if (v.name === 'exp' && av.kind === 'call' && av.name === 'log') return av.arg;
    if (v.name === 'log' && av.kind === 'call' && av.name === 'exp') return av.arg;
    if (v.name === 'log' && av.kind === 'bin' && av.op === 'divide' && c(av.a) === 1) return neg(call('log', av.b));
    if (v.name === 'log' && av.kind === 'bin' && av.op === 'add' && c(av.a) === 1) return call('log1p', av.b);
    if (v.name === 'log' && av.kind === 'bin' && av.op === 'add' && c(av.b) === 1) return call('log1p', av.a);
    if (v.name === 'log' && av.kind === 'call' && av.name === 'sqrt') return mul(num(0.5), call('log', av.arg));
    if (v.name === 'sqrt' && av.kind === 'bin' && av.op === 'pow' && c(av.b) === 2) return call('abs', av.a);
    return call(v.name, a);
  }
  // binary
  if (depends(n)) {
    const p = spolyOf(n); // exact rational coefficients, parameters allowed
    if (p) { const t = spolyTree(p); if (size(t) <= size(n)) return t; }
  }
  const a = step(v.a), b = step(v.b);
  const ca = c(a), cb = c(b);
  switch (v.op) {
    case 'add':
      if (ca === 0) return b;
      if (cb === -1 && isCall(a, 'exp')) return call('expm1', argOf(a));
      if (ca === -1 && isCall(b, 'exp')) return call('expm1', argOf(b));
      if (cb === 0) return a;
      if (view(b).kind === 'neg') return sub(a, (view(b) as { arg: MathNode }).arg);
      if (cb !== undefined && cb < 0) return sub(a, num(-cb));
      return add(a, b);
    case 'subtract':
      if (cb === 0) return a;
      if (cb === 1 && isCall(a, 'exp')) return call('expm1', argOf(a));
      if (ca === 1 && isCall(b, 'exp')) return neg(call('expm1', argOf(b)));
      // c e^x - c = c expm1(x): closed-form integrals (c/k) e^{k t} - c/k stay accurate for tiny k t
      if (cb !== undefined && cb !== 0 && isScaledExp(a, cb)) return mul(num(cb), call('expm1', argOf((view(a) as { b: MathNode }).b)));
      if (ca !== undefined && ca !== 0 && isScaledExp(b, ca)) return neg(mul(num(ca), call('expm1', argOf((view(b) as { b: MathNode }).b))));
      if (cb !== undefined && cb < 0) return add(a, num(-cb));
      if (ca === 0) return neg(b);
      if (key(a) === key(b)) return num(0);
      if (view(b).kind === 'neg') return add(a, (view(b) as { arg: MathNode }).arg);
      return sub(a, b);
    case 'multiply': {
      if (ca === 0 || cb === 0) return num(0);
      if (ca === 1) return b;
      if (cb === 1) return a;
      if (ca === -1) return neg(b);
      if (cb === -1) return neg(a);
      if (cb !== undefined && ca === undefined) return mul(b, a); // constants first
      const bv = view(b);
      if (ca !== undefined && bv.kind === 'bin' && bv.op === 'multiply' && c(bv.a) !== undefined) return mul(num(ca * (c(bv.a) as number)), bv.b);
      if (ca !== undefined && bv.kind === 'neg') return mul(num(-ca), bv.arg);
      if (view(a).kind === 'neg' && view(b).kind === 'neg') return mul((view(a) as { arg: MathNode }).arg, bv.kind === 'neg' ? bv.arg : b);
      if (bv.kind === 'bin' && bv.op === 'divide' && c(bv.a) === 1) return div(a, bv.b);
      if (ca === undefined && bv.kind === 'neg') return neg(mul(a, bv.arg));
      if (view(a).kind === 'neg' && ca === undefined) return neg(mul(argOf(a), b));
      return mul(a, b);
    }
    case 'divide':
      if (ca === 0) return num(0);
      if (view(a).kind === 'neg' && view(b).kind === 'neg') return div(argOf(a), argOf(b));
      if (view(b).kind === 'neg') return neg(div(a, argOf(b)));
      if (ca !== undefined && ca < 0 && cb === undefined) return neg(div(num(-ca), b));
      if (cb === 1) return a;
      if (key(a) === key(b)) return num(1);
      if (cb !== undefined && cb !== 0 && Number.isInteger(1 / cb)) return mul(num(1 / cb), a);
      return div(a, b);
    case 'pow':
      if (cb === 1) return a;
      if (cb === 0) return num(1);
      if (ca === 1) return num(1);
      if (view(a).kind === 'call' && (view(a) as { name: string }).name === 'sqrt' && cb === 2) return (view(a) as { arg: MathNode }).arg;
      if (view(a).kind === 'call' && (view(a) as { name: string }).name === 'exp') return call('exp', mul(b, (view(a) as { arg: MathNode }).arg));
      // c^u = exp(u log c) for a constant c > 0 and u depending on t (VE-type rates r^t integrate)
      if (ca !== undefined && ca > 0 && cb === undefined) return call('exp', mul(b, call('log', a)));
      // (k y)^n = k^n y^n for a constant k, when n is an integer or k > 0 (true for every real y)
      if (cb !== undefined) {
        const av = view(a);
        if (av.kind === 'bin' && av.op === 'multiply') {
          const k = c(av.a);
          if (k !== undefined && Number.isInteger(cb)) return mul(pow(av.a, b), pow(av.b, b));
        }
      }
      return pow(a, b);
  }
  return bin(v.op, a, b);
}

function hasOtherSymbols(n: MathNode): boolean {
  const v = view(n);
  switch (v.kind) {
    case 'const': return false;
    case 'symbol': return v.name !== 't';
    case 'neg': case 'call': return hasOtherSymbols(v.arg);
    case 'bin': return hasOtherSymbols(v.a) || hasOtherSymbols(v.b);
  }
}

/** n = k * exp(x) with the constant k equal to c */
function isScaledExp(n: MathNode, k: number): boolean {
  const v = view(n);
  return v.kind === 'bin' && v.op === 'multiply' && c(v.a) === k && isCall(v.b, 'exp');
}

function isCall(n: MathNode, name: string): boolean {
  const v = view(n);
  return v.kind === 'call' && v.name === name;
}
function argOf(n: MathNode): MathNode {
  return (view(n) as { arg: MathNode }).arg;
}
