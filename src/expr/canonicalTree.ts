/**
 * Conversions between mathjs trees (src/expr/nodes.ts) and canonical expressions
 * (src/expr/canonical.ts). The display tree reads like a paper: rationals as p/q (or a short
 * decimal when the user wrote one, 9.95), subtraction instead of adding negatives, quotients with
 * the negative powers in the denominator, sqrt for the half power.
 */
import * as C from './canonical.ts';
import type { E } from './canonical.ts';
import { add as tAdd, call, div as tDiv, mul as tMul, neg as tNeg, num as tNum, pow as tPow, sub as tSub, sym as tSym, view, type MathNode } from './nodes.ts';
import { HALF, ONE, isInt, isOne, rabs, rat, ratOf, req, toNumber, type Rat } from './rational.ts';

/** Canonical expression of a mathjs tree (throws on a non-finite literal). */
export function fromTree(n: MathNode): E {
  const v = view(n);
  switch (v.kind) {
    case 'const': return C.num(ratOf(v.value));
    case 'symbol': return C.sym(v.name);
    case 'neg': return C.neg(fromTree(v.arg));
    case 'call': return C.fn(v.name, fromTree(v.arg));
    case 'bin': {
      const a = fromTree(v.a), b = fromTree(v.b);
      switch (v.op) {
        case 'add': return C.add(a, b);
        case 'subtract': return C.sub(a, b);
        case 'multiply': return C.mul(a, b);
        case 'divide': return C.div(a, b);
        case 'pow': return C.pow(a, b);
      }
    }
  }
}

/** A non-negative rational as a tree: an integer, p/q, or a short exact decimal (9.95). */
function ratTree(r: Rat): MathNode {
  if (isInt(r)) return tNum(toNumber(r));
  const dec = toNumber(r);
  const s = String(dec);
  // a decimal where the user wrote one (the denominator divides a power of 10 and the decimal is
  // exact); small denominators stay fractions (1/2, b0/4)
  if (r.q > 12n && tenPower(r.q) && !/e/.test(s) && req(ratOf(dec), r)) return tNum(dec);
  // a fraction beyond the doubles' exact integers (from a long float literal) prints as its value
  const SAFE = 9007199254740992n;
  if (r.q > SAFE || r.p > SAFE || r.p < -SAFE) return tNum(dec);
  return tDiv(tNum(Number(r.p)), tNum(Number(r.q)));
}
function tenPower(q: bigint): boolean {
  while (q % 2n === 0n) q /= 2n;
  while (q % 5n === 0n) q /= 5n;
  return q === 1n;
}
const decimalShown = (r: Rat): boolean => !isInt(r) && ratTree(r).type === 'ConstantNode';

/** A hook that may print a sub-expression its own way (the evaluation form uses it). */
export type TreeHook = (e: E, recurse: (e: E) => MathNode) => MathNode | undefined;

/** A display tree of a canonical expression. */
export function toTree(e: E, hook?: TreeHook): MathNode {
  const rec = (x: E): MathNode => toTree(x, hook);
  const h = hook?.(e, rec);
  if (h) return h;
  switch (e.k) {
    case 'num': return e.v.p < 0n ? tNeg(ratTree(rabs(e.v))) : ratTree(e.v);
    case 'sym': return tSym(e.name);
    case 'fn': return call(e.name, rec(e.arg));
    case 'add': return sumTree(e.args, rec);
    case 'mul': case 'pow': return productTree(e, rec);
  }
}

/** Degree in t of a term (for ordering polynomials from the highest power down). */
function tDegree(e: E): number {
  if (e.k === 'sym') return e.name === 't' ? 1 : 0;
  if (e.k === 'pow' && e.base.k === 'sym' && e.base.name === 't' && e.exp.k === 'num') return toNumber(e.exp.v);
  if (e.k === 'mul') return e.args.reduce((s, a) => s + tDegree(a), 0);
  return 0;
}

/** Terms from the highest power of t down, constants last, a positive term first; negatives subtracted. */
function sumTree(args: readonly E[], rec: (e: E) => MathNode): MathNode {
  const order = [...args].sort((a, b) => (a.k === 'num' ? 1 : 0) - (b.k === 'num' ? 1 : 0) || tDegree(b) - tDegree(a));
  const negative = (a: E) => C.negLead(a) && a.k !== 'add';
  const firstPos = order.findIndex((a) => !negative(a));
  if (firstPos > 0) order.unshift(...order.splice(firstPos, 1));
  let acc: MathNode | undefined;
  for (const a of order) {
    const m = rec(negative(a) ? C.neg(a) : a);
    acc = acc === undefined ? (negative(a) ? tNeg(m) : m) : negative(a) ? tSub(acc, m) : tAdd(acc, m);
  }
  return acc!;
}

/** k * prod b_i^x_i as numerator / denominator. */
function productTree(e: E, rec: (e: E) => MathNode): MathNode {
  const factors = e.k === 'mul' ? e.args : [e];
  let k: Rat = ONE;
  const up: MathNode[] = [], down: MathNode[] = [];
  for (const f of factors) {
    if (f.k === 'num') { k = f.v; continue; }
    if (f.k === 'pow' && f.exp.k === 'num' && f.exp.v.p < 0n) { down.push(powTree(f.base, C.num(rabs(f.exp.v)), rec)); continue; }
    if (f.k === 'pow' && C.negLead(f.exp) && f.exp.k === 'mul') { down.push(powTree(f.base, C.neg(f.exp), rec)); continue; }
    up.push(f.k === 'pow' ? powTree(f.base, f.exp, rec) : rec(f));
  }
  const negative = k.p < 0n;
  const ak = rabs(k);
  if (decimalShown(ak)) up.unshift(ratTree(ak));
  else {
    if (ak.p !== 1n) up.unshift(tNum(Number(ak.p)));
    if (ak.q !== 1n) down.unshift(tNum(Number(ak.q)));
  }
  const numer = up.length ? up.reduce((a, b) => tMul(a, b)) : tNum(1);
  const whole = down.length ? tDiv(numer, down.reduce((a, b) => tMul(a, b))) : numer;
  return negative ? tNeg(whole) : whole;
}

function powTree(base: E, x: E, rec: (e: E) => MathNode): MathNode {
  if (x.k === 'num') {
    if (isOne(x.v)) return rec(base);
    if (req(x.v, HALF)) return call('sqrt', rec(base));
    if (x.v.p < 0n) return tDiv(tNum(1), powTree(base, C.num(rabs(x.v)), rec));
    return tPow(rec(base), ratTree(x.v));
  }
  return tPow(rec(base), rec(x));
}

/** Operation count of a display tree (SymPy's count_ops: each operator and function call is one). */
export function countOps(n: MathNode): number {
  const v = view(n);
  switch (v.kind) {
    case 'const': case 'symbol': return 0;
    case 'neg': return 1 + countOps(v.arg);
    case 'call': return 1 + countOps(v.arg);
    case 'bin': return 1 + countOps(v.a) + countOps(v.b);
  }
}

