/**
 * The display simplifier: a canonical form (src/expr/canonical.ts: exact rationals, like terms and
 * powers collected, exp/log/trig rules) printed as a paper would (src/expr/canonicalTree.ts), and
 * of a few equivalent arrangements (as collected; common factors pulled out of sums; collected in
 * powers of t) the one with the fewest operations. No float literal is derived: literals are exact
 * rationals. Numerically stable evaluation is a separate rewrite of the same tree
 * (src/expr/stabilize.ts). Every rewrite is an identity on the domain where the input is finite.
 */
import * as C from './canonical.ts';
import type { E, Signs } from './canonical.ts';
import { countOps, fromTree, toTree } from './canonicalTree.ts';
import type { MathNode } from './nodes.ts';

/** Options of {@link simplify}. */
export interface SimplifyOptions {
  /** signs known of symbols (parameters keep the sign of their declared value) */
  readonly signs?: Signs;
}

/** Simplify to the canonical display form with the fewest operations. */
export function simplify(n: MathNode): MathNode {
  return simplifyWith(n);
}

/** {@link simplify} with options (sign assumptions on symbols). */
export function simplifyWith(n: MathNode, opts: SimplifyOptions = {}): MathNode {
  return C.withAssumptions(opts.signs, () => {
    // the memo and the fixed points hold for the assumptions in force (ambient, from withAssumptions, and these)
    const signKey = C.assumptionKey();
    if (!signKey && FIXED.has(n)) return n;
    let e: E;
    try { e = fromTree(n); } catch { return n; } // a non-finite literal: nothing to rewrite exactly
    const memoKey = signKey ? `${signKey}|${e.key}` : e.key;
    const hit = MEMO.get(memoKey);
    if (hit) return hit;
    let [cur, plain] = bestOf(displayForms(e));
    // a rearranged winner, canonicalized again, may offer a shorter form: iterate to a fixed point
    for (let pass = 0; pass < 3 && !plain; pass++) {
      const again = fromTree(cur);
      const [next, same] = bestOf([again, ...displayForms(again)]);
      if (same || next.toString() === cur.toString() || countOps(next) > countOps(cur)) break;
      cur = next;
      plain = false;
    }
    if (MEMO.size > 20000) MEMO.clear();
    MEMO.set(memoKey, cur);
    if (!signKey) FIXED.add(cur);
    return cur;
  });
}

/** Results by canonical key, and the trees known to be their own simplification. */
const MEMO = new Map<string, MathNode>();
const FIXED = new WeakSet<MathNode>();

/** The canonical expression of a tree (for callers that compare or transform forms). */
export function canonical(n: MathNode, opts: SimplifyOptions = {}): E {
  return C.withAssumptions(opts.signs, () => fromTree(n));
}

/** Equivalent arrangements of e worth printing. */
export function displayForms(e: E): E[] {
  const factored = mapSums(e, factorSum);
  const collected = mapSums(e, (s) => factorSum(collectIn(s, 't')));
  const expanded = expand(e);
  const combined = mapSums(e, (s) => factorSum(together(s)));
  return [e, factored, collected, expanded, mapSums(expanded, factorSum), combined];
}

/** The form with the fewest operations (the first on ties), and whether that is the first form. */
function bestOf(forms: readonly E[]): [MathNode, boolean] {
  let out: MathNode | undefined, ops = Infinity, first = true;
  const seen = new Set<string>();
  forms.forEach((f, i) => {
    if (seen.has(f.key)) return;
    seen.add(f.key);
    const t = toTree(f), c = countOps(t);
    if (c < ops) { ops = c; out = t; first = i === 0; }
  });
  return [out!, first];
}

/** Rebuild e bottom-up, transforming every sum with `g`. */
export function mapSums(e: E, g: (s: E) => E): E {
  switch (e.k) {
    case 'num': case 'sym': return e;
    case 'fn': return C.fn(e.name, mapSums(e.arg, g));
    case 'pow': return C.pow(mapSums(e.base, g), mapSums(e.exp, g));
    case 'mul': return C.mul(...e.args.map((a) => mapSums(a, g)));
    case 'add': return g(C.add(...e.args.map((a) => mapSums(a, g))));
  }
}

/** k * common * rest: the rational content and common factors of a sum pulled out. */
function factorSum(s: E): E {
  if (s.k !== 'add') return s;
  const { k, common, rest } = C.content(s);
  if (C.isNum(rest) || (common.length === 0 && k.p === 1n && k.q === 1n) || !C.nice(k)) return s;
  return C.mul(C.num(k), ...common, rest);
}

/** A sum of quotients over one common denominator: a/d1 + b/d2 = (a d2 + b d1)/(d1 d2), numerator expanded. */
function together(s: E): E {
  if (s.k !== 'add') return s;
  const dens = new Map<string, { base: E; k: E }>();
  for (const term of s.args) {
    for (const f of term.k === 'mul' ? term.args : [term]) {
      if (f.k !== 'pow' || f.exp.k !== 'num' || f.exp.v.p >= 0n) continue;
      const k = C.neg(f.exp), d = dens.get(f.base.key);
      if (!d || (d.k.k === 'num' && k.k === 'num' && d.k.v.p * k.v.q < k.v.p * d.k.v.q)) dens.set(f.base.key, { base: f.base, k });
    }
  }
  if (dens.size === 0) return s;
  const D = C.mul(...[...dens.values()].map(({ base, k }) => C.pow(base, k)));
  const N = C.add(...s.args.map((term) => expand(C.mul(term, D))));
  return C.mul(factorSum(N), C.pow(D, C.EM1));
}

/** A sum grouped by the powers of `x` in its terms: sum_j x^j (sum of the coefficients). */
function collectIn(s: E, x: string): E {
  if (s.k !== 'add') return s;
  const groups = new Map<string, { power: E; coeffs: E[] }>();
  for (const term of s.args) {
    const fs = term.k === 'mul' ? term.args : [term];
    const isX = (f: E) => (f.k === 'sym' && f.name === x) || (f.k === 'pow' && f.base.k === 'sym' && f.base.name === x);
    const px = fs.filter(isX), rest = fs.filter((f) => !isX(f));
    const power = px.length ? C.mul(...px) : C.E1;
    const coeff = rest.length ? C.mul(...rest) : C.E1;
    const g = groups.get(power.key);
    if (g) g.coeffs.push(coeff); else groups.set(power.key, { power, coeffs: [coeff] });
  }
  if (groups.size === s.args.length) return s;
  return C.add(...[...groups.values()].map(({ power, coeffs }) => C.mul(power, factorSum(C.add(...coeffs)))));
}

const MAX_EXPANDED_TERMS = 64;

/** The product of the factors with every sum multiplied out, or undefined past the size limit. */
function distribute(factors: readonly E[]): E | undefined {
  let terms: E[] = [C.E1];
  for (const f of factors) {
    const fs = f.k === 'add' ? f.args : [f];
    if (terms.length * fs.length > MAX_EXPANDED_TERMS) return undefined;
    terms = terms.flatMap((t) => fs.map((g) => C.mul(t, g)));
  }
  return C.add(...terms);
}

/** Products of sums multiplied out (and small integer powers of sums), when the result stays small. */
export function expand(e: E): E {
  switch (e.k) {
    case 'num': case 'sym': return e;
    case 'fn': return C.fn(e.name, expand(e.arg));
    case 'add': return C.add(...e.args.map(expand));
    case 'pow': {
      const base = expand(e.base);
      const x = e.exp.k === 'num' && e.exp.v.q === 1n ? Number(e.exp.v.p) : 0;
      if (base.k === 'add' && x >= 2 && x <= 4) return distribute(Array<E>(x).fill(base)) ?? C.pow(base, e.exp);
      return C.pow(base, expand(e.exp));
    }
    case 'mul': {
      const fs = e.args.map(expand);
      return distribute(fs) ?? C.mul(...fs);
    }
  }
}
