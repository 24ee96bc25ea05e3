/**
 * The evaluation form: the display tree rewritten for float64 accuracy, from the same canonical
 * expression (so it is equal to the display form by construction, and the zero test of
 * src/expr/equal.ts proves it again: expm1 and log1p are written out by the canonical form).
 *   sum_i k_i e^{x_i} + C with sum_i k_i = -C  ->  sum_i k_i expm1(x_i)   (no cancellation near x_i = 0;
 *     1 - e^{-B} = -expm1(-B), sub-VP's e^B + e^{-B} - 2 = expm1(B) + expm1(-B))
 *   c + k/u  ->  (c u + k)/u   (1/t - 1 = (1 - t)/t: no cancellation near t = 1; rectified flow's logSnr)
 *   log(1 + u)  ->  log1p(u)
 *   (1 + e^{-u})^{-1}  ->  sigmoid(u)   (no overflow for large |u|)
 *   a subtree without symbols (log(5000), sqrt(2)/2) -> its float64 value (code targets need numbers)
 */
import * as C from './canonical.ts';
import type { E } from './canonical.ts';
import { fromTree, toTree } from './canonicalTree.ts';
import { add as tAdd, call, div as tDiv, mul as tMul, neg as tNeg, num as tNum, sub as tSub, type MathNode } from './nodes.ts';
import { FN_TABLE } from './special.ts';
import { isOne, isZero, radd, rneg, toNumber, type Rat } from './rational.ts';

/** The numerically stable evaluation form of a tree (equal to it wherever it is finite). */
export function stabilize(n: MathNode): MathNode {
  let e: E;
  try { e = fromTree(n); } catch { return n; }
  return toTree(e, (x, rec) => stable(x, rec, true));
}

/**
 * The same rewrites with the constants left as they are written (pi, sqrt(2), rationals): a form
 * to print when the display form cancels in float64 (a coefficient near zero), without float
 * literals that are not in the declaration.
 */
export function stabilizeForDisplay(n: MathNode): MathNode {
  let e: E;
  try { e = fromTree(n); } catch { return n; }
  return toTree(e, (x, rec) => stable(x, rec, false));
}

function stable(e: E, rec: (e: E) => MathNode, fold: boolean): MathNode | undefined {
  if (fold && e.k !== 'num' && e.k !== 'sym' && !hasSymbol(e)) {
    const v = value(e);
    if (Number.isFinite(v)) return v < 0 ? tNeg(tNum(-v)) : tNum(v);
  }
  if (e.k === 'add') return expm1Sum(e.args, rec) ?? overCommonDenominator(e.args, rec);
  if (e.k === 'fn' && e.name === 'log' && e.arg.k === 'add' && C.isNum(e.arg.args[0]) && isOne(e.arg.args[0].v)) {
    return call('log1p', rec(C.add(...e.arg.args.slice(1))));
  }
  if (e.k === 'pow' && C.isNum(e.exp) && e.exp.v.p === -1n && e.exp.v.q === 1n && e.base.k === 'add' && e.base.args.length === 2
    && C.isNum(e.base.args[0]) && isOne(e.base.args[0].v) && e.base.args[1].k === 'fn' && e.base.args[1].name === 'exp') {
    return call('sigmoid', rec(C.neg(e.base.args[1].arg)));
  }
  return undefined;
}

/** c + k u^{-1} as (c u + k) / u: the difference is formed before the division, exactly where u ~ -k/c. */
function overCommonDenominator(args: readonly E[], rec: (e: E) => MathNode): MathNode | undefined {
  if (args.length !== 2 || args[0].k !== 'num') return undefined;
  const [k, r] = C.splitCoeff(args[1]);
  if (!r || r.k !== 'pow' || !C.isNum(r.exp) || r.exp.v.p !== -1n || r.exp.v.q !== 1n) return undefined;
  const u = r.base;
  return tDiv(rec(C.add(C.mul(args[0], u), C.num(k))), rec(u));
}

/** k_i e^{x_i} terms and a constant C with sum k_i = -C as sum k_i expm1(x_i); undefined when absent. */
function expm1Sum(args: readonly E[], rec: (e: E) => MathNode): MathNode | undefined {
  const c = args[0].k === 'num' ? args[0].v : undefined;
  if (!c) return undefined;
  const exps: { k: Rat; x: E }[] = [];
  const rest: E[] = [];
  for (const a of args.slice(1)) {
    const [k, r] = C.splitCoeff(a);
    if (r && r.k === 'fn' && r.name === 'exp') exps.push({ k, x: r.arg }); else rest.push(a);
  }
  if (!exps.length || !isZero(exps.reduce((s, { k }) => radd(s, k), c))) return undefined;
  let acc: MathNode | undefined = rest.length ? rec(rest.length === 1 ? rest[0] : C.add(...rest)) : undefined;
  for (const { k, x } of exps) {
    const a = k.p < 0n ? rneg(k) : k;
    const m = call('expm1', rec(x));
    const term = isOne(a) ? m : tMul(rec(C.num(a)), m);
    acc = acc === undefined ? (k.p < 0n ? tNeg(term) : term) : k.p < 0n ? tSub(acc, term) : tAdd(acc, term);
  }
  return acc;
}

function hasSymbol(e: E): boolean {
  switch (e.k) {
    case 'num': return false;
    case 'sym': return true;
    case 'fn': return hasSymbol(e.arg);
    case 'pow': return hasSymbol(e.base) || hasSymbol(e.exp);
    case 'add': case 'mul': return e.args.some(hasSymbol);
  }
}

/** float64 value of a symbol-free expression. */
function value(e: E): number {
  switch (e.k) {
    case 'num': return toNumber(e.v);
    case 'sym': return NaN;
    case 'fn': return (FN_TABLE[e.name] as (u: number) => number)(value(e.arg));
    case 'pow': return Math.pow(value(e.base), value(e.exp));
    case 'add': return e.args.reduce((s, a) => s + value(a), 0);
    case 'mul': return e.args.reduce((s, a) => s * value(a), 1);
  }
}
