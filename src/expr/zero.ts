/**
 * Exact zero test: is an expression identically 0 (for all t and all parameters, wherever it is
 * finite)? The canonical expression (src/expr/canonical.ts, special functions written in exp/log,
 * sin/cos) is brought to a rational function N/D of independent atoms with exact rational
 * coefficients: symbols, function calls (arguments in the same normal form), and for each base the
 * power b^u with u the gcd of its rational exponents (so x^(1/2) and x^(3/2) are powers of one atom,
 * and exp(a t/2), exp(a t) powers of exp(a t/2)); cos(u)^2 is reduced to 1 - sin(u)^2. N = 0 as a
 * polynomial is a proof; anything else is "not proved" (undefined), never "nonzero", since the
 * atoms need not be algebraically independent. Every step is an identity where the input is finite.
 */
import * as C from './canonical.ts';
import type { E } from './canonical.ts';
import { fromTree } from './canonicalTree.ts';
import type { MathNode } from './nodes.ts';
import { expand } from './simplify.ts';
import { ONE, ZERO, isZero as ratIsZero, rabs, radd, rdiv, rgcd, rmul, rneg, type Rat } from './rational.ts';

/** Past this many terms the normal form gives up (the caller falls back to probing). */
const MAX_TERMS = 4000;

class TooBig extends Error {}
/** Past this much time one zero test gives up too: a proof falls back to probing instead of stalling `sdekit check`. */
const BUDGET_MS = 300;
let deadline = Infinity;
const checkBudget = (): void => { if (performance.now() > deadline) throw new TooBig(); };

type Mono = ReadonlyMap<string, bigint>;
interface Term { c: Rat; m: Mono; key: string }
type Poly = Map<string, Term>;
interface RF { n: Poly; d: Poly }

const monoKey = (m: Mono): string => [...m.entries()].sort((a, b) => (a[0] < b[0] ? -1 : 1)).map(([k, e]) => `${k}^${e}`).join('*');
const constPoly = (c: Rat): Poly => (ratIsZero(c) ? new Map() : new Map([['', { c, m: new Map(), key: '' }]]));
const monoPoly = (atom: string, e: bigint): Poly => { const m = new Map([[atom, e]]); return new Map([[monoKey(m), { c: ONE, m, key: monoKey(m) }]]); };

function padd(a: Poly, b: Poly, sign: Rat = ONE): Poly {
  const out: Poly = new Map(a);
  for (const [k, t] of b) {
    const c = rmul(sign, t.c);
    const x = out.get(k);
    if (x) { const s = radd(x.c, c); if (ratIsZero(s)) out.delete(k); else out.set(k, { ...x, c: s }); }
    else out.set(k, { ...t, c });
  }
  if (out.size > MAX_TERMS) throw new TooBig();
  checkBudget();
  return out;
}
function pmul(a: Poly, b: Poly): Poly {
  if (a.size * b.size > MAX_TERMS * 4) throw new TooBig();
  checkBudget();
  const out: Poly = new Map();
  for (const x of a.values()) for (const y of b.values()) {
    const m = new Map(x.m);
    for (const [k, e] of y.m) { const s = (m.get(k) ?? 0n) + e; if (s === 0n) m.delete(k); else m.set(k, s); }
    const key = monoKey(m);
    const c = rmul(x.c, y.c);
    const z = out.get(key);
    if (z) { const s = radd(z.c, c); if (ratIsZero(s)) out.delete(key); else out.set(key, { ...z, c: s }); }
    else out.set(key, { c, m, key });
  }
  if (out.size > MAX_TERMS) throw new TooBig();
  return out;
}
const polyEq = (a: Poly, b: Poly): boolean => a.size === b.size && [...a].every(([k, t]) => { const u = b.get(k); return !!u && u.c.p === t.c.p && u.c.q === t.c.q; });
const one = (): Poly => constPoly(ONE);

const rfAdd = (a: RF, b: RF): RF => (polyEq(a.d, b.d) ? { n: padd(a.n, b.n), d: a.d } : { n: padd(pmul(a.n, b.d), pmul(b.n, a.d)), d: pmul(a.d, b.d) });
const rfMul = (a: RF, b: RF): RF => ({ n: pmul(a.n, b.n), d: pmul(a.d, b.d) });
function rfPow(a: RF, k: bigint): RF {
  if (k < 0n) return rfPow({ n: a.d, d: a.n }, -k);
  if (k > 64n) throw new TooBig();
  let r: RF = { n: one(), d: one() };
  for (let i = 0n; i < k; i++) r = rfMul(r, a);
  return r;
}

/** The atoms' units: for each base key, the gcd of the rational exponents it appears with. */
class Atoms {
  readonly unit = new Map<string, Rat>();
  /** sums raised to non-integer powers, by key: s = D^(1/q) with s^q = D (radical reduction) */
  readonly radicals = new Map<string, E>();
  see(key: string, r: Rat): void {
    const u = this.unit.get(key);
    this.unit.set(key, u ? rgcd(u, rabs(r)) : rabs(r));
  }
}

const EXP_CONST = 'exp(1)';

/** Exponential factors of exp(arg): (base key, exponent) per term c m (c rational). */
function expParts(arg: E): [string, Rat][] {
  const terms = arg.k === 'add' ? arg.args : [arg];
  return terms.map((t) => {
    const [c, m] = C.splitCoeff(t);
    return m ? [`exp(${normalKey(m)})`, c] : [EXP_CONST, c];
  });
}

/** Key of an expression's normal form (function arguments compare by it). */
function normalKey(e: E): string {
  return e.key;
}

function scan(e: E, atoms: Atoms): void {
  switch (e.k) {
    case 'num': return;
    case 'sym': atoms.see(e.key, ONE); return;
    case 'add': case 'mul': e.args.forEach((a) => scan(a, atoms)); return;
    case 'fn':
      if (e.name === 'exp') { for (const [k, r] of expParts(e.arg)) atoms.see(k, r); return; }
      atoms.see(e.key, ONE);
      return;
    case 'pow': {
      const r = e.exp.k === 'num' ? e.exp.v : undefined;
      if (!r) { atoms.see(e.key, ONE); return; }
      if (e.base.k === 'add' && r.q === 1n) { scan(e.base, atoms); return; }
      if (e.base.k === 'fn' && e.base.name === 'exp') { for (const [k, x] of expParts(e.base.arg)) atoms.see(k, rmul(x, r)); return; }
      // the unit divides 1 as well, so that integer powers are powers of the base itself (cos^2 -> 1 - sin^2)
      atoms.see(e.base.key, r);
      atoms.see(e.base.key, ONE);
      if (e.base.k === 'add' || e.base.k === 'mul') { atoms.radicals.set(e.base.key, e.base); scan(e.base, atoms); }
      return;
    }
  }
}

function atomPower(atoms: Atoms, key: string, r: Rat): RF {
  const u = atoms.unit.get(key)!;
  const q = rdiv(r, u); // an integer by construction of the unit
  if (q.q !== 1n) throw new Error('internal: exponent is not a multiple of its unit');
  return q.p >= 0n ? { n: monoPoly(key, q.p), d: one() } : { n: monoPoly(key, q.p), d: one() };
}

function toRF(e: E, atoms: Atoms): RF {
  switch (e.k) {
    case 'num': return { n: constPoly(e.v), d: one() };
    case 'sym': return atomPower(atoms, e.key, ONE);
    case 'add': return e.args.map((a) => toRF(a, atoms)).reduce(rfAdd);
    case 'mul': return e.args.map((a) => toRF(a, atoms)).reduce(rfMul);
    case 'fn':
      if (e.name === 'exp') return expParts(e.arg).map(([k, r]) => atomPower(atoms, k, r)).reduce(rfMul);
      return atomPower(atoms, e.key, ONE);
    case 'pow': {
      const r = e.exp.k === 'num' ? e.exp.v : undefined;
      if (!r) return atomPower(atoms, e.key, ONE);
      if (e.base.k === 'add' && r.q === 1n) return rfPow(toRF(e.base, atoms), r.p);
      if (e.base.k === 'fn' && e.base.name === 'exp') return expParts(e.base.arg).map(([k, x]) => atomPower(atoms, k, rmul(x, r))).reduce(rfMul);
      return atomPower(atoms, e.base.key, r);
    }
  }
}

/** cos(u)^k -> cos(u)^(k-2) (1 - sin(u)^2) until no cos power >= 2 is left (sin^2 + cos^2 = 1). */
function reduceTrig(p: Poly, atoms: Atoms): Poly {
  for (let guard = 0; guard < 64; guard++) {
    let hit: { t: Term; cos: string } | undefined;
    for (const t of p.values()) for (const [k, e] of t.m) if (e >= 2n && k.startsWith('cos(') && atoms.unit.get(k)?.p === 1n && atoms.unit.get(k)?.q === 1n) { hit = { t, cos: k }; break; }
    if (!hit) return p;
    const sinKey = `sin${hit.cos.slice(3)}`;
    if (atoms.unit.has(sinKey) && !(atoms.unit.get(sinKey)!.p === 1n && atoms.unit.get(sinKey)!.q === 1n)) return p;
    atoms.unit.set(sinKey, ONE);
    const m = new Map(hit.t.m);
    const e = m.get(hit.cos)! - 2n;
    if (e === 0n) m.delete(hit.cos); else m.set(hit.cos, e);
    const rest: Poly = new Map([[monoKey(m), { c: hit.t.c, m, key: monoKey(m) }]]);
    const without = padd(p, new Map([[hit.t.key, hit.t]]), rneg(ONE));
    const oneMinusSin2 = padd(one(), monoPoly(sinKey, 2n), rneg(ONE));
    p = padd(without, pmul(rest, oneMinusSin2));
  }
  return p;
}

/**
 * Radical reduction: for a sum or product D under a non-integer power, with unit 1/q (s = D^(1/q)), s^q = D.
 * A term c m s^e with e >= q becomes c m s^(e-q) n/d (D = n/d as a rational function); the whole
 * numerator is multiplied by d (d != 0 wherever the input is finite), so that it stays a polynomial
 * whose vanishing is equivalent. (The roots t(y) of a quadratic a t^2 + b t + c = y contain
 * sqrt(b^2 - 4 a (c - y)): substituted back, they satisfy the equation for either sign of the root.)
 */
function reduceRadicals(p: Poly, atoms: Atoms): Poly {
  const rfs = new Map<string, RF>();
  for (let guard = 0; guard < 64; guard++) {
    let hit: { t: Term; key: string; q: bigint } | undefined;
    for (const t of p.values()) {
      for (const [k, e] of t.m) {
        const u = atoms.unit.get(k);
        if (!atoms.radicals.has(k) || !u || u.p !== 1n || u.q === 1n || e < u.q) continue;
        hit = { t, key: k, q: u.q };
        break;
      }
      if (hit) break;
    }
    if (!hit) return p;
    let D = rfs.get(hit.key);
    if (!D) { D = toRF(atoms.radicals.get(hit.key)!, atoms); rfs.set(hit.key, D); }
    const m = new Map(hit.t.m);
    const e = m.get(hit.key)! - hit.q;
    if (e === 0n) m.delete(hit.key); else m.set(hit.key, e);
    const rest: Poly = new Map([[monoKey(m), { c: hit.t.c, m, key: monoKey(m) }]]);
    const without = padd(p, new Map([[hit.t.key, hit.t]]), rneg(ONE));
    p = padd(pmul(without, D.d), pmul(rest, D.n));
  }
  return p;
}

/**
 * true when the expression is proved identically zero; undefined when not proved (it may still be
 * zero: the caller then probes numerically). Never claims zero for a nonzero expression unless a
 * rewrite rule is wrong (the property tests in test/expr/zero.test.ts guard that).
 */
export function provedZero(tree: MathNode): true | undefined {
  return C.withExpandedSpecials(() => {
    let e: E;
    try { e = fromTree(tree); } catch { return undefined; }
    return provedZeroE(e);
  });
}

/** {@link provedZero} on a canonical expression built in expanded-specials mode. */
export function provedZeroE(input: E): true | undefined {
  if (C.isNum(input, ZERO)) return true;
  const outer = deadline;
  deadline = Math.min(outer, performance.now() + BUDGET_MS);
  try {
    const e = expand(input); // function arguments and bases multiplied out: equal arguments get equal keys
    const atoms = new Atoms();
    scan(e, atoms);
    const rf = toRF(e, atoms);
    let n = rf.n;
    if (n.size === 0) return true;
    if ([...atoms.unit.keys()].some((k) => k.startsWith('cos('))) n = reduceTrig(n, atoms);
    if (n.size > 0 && atoms.radicals.size > 0) n = reduceRadicals(n, atoms);
    return n.size === 0 ? true : undefined;
  } catch (err) {
    if (err instanceof TooBig) return undefined;
    throw err;
  } finally { deadline = outer; }
}

