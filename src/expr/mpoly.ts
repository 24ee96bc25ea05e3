/**
 * Canonical form of coefficients (trees free of t): rational functions in the parameters, pi and
 * other opaque t-free atoms (log(smax/smin), cos(pi s / (2 + 2 s)), ...), with exact rational
 * numbers. Sums of monomials are collected, common numeric content is factored out, and a
 * quotient whose numerator is a constant multiple of its denominator cancels:
 * (b1 - b0) / (-(b0 - b1)) = 1. The integrator's polynomial coefficients go through here so that
 * closed forms keep the parameters, exactly, and read like the formula.
 */
import { add, div, mul, neg, num, pow, structKey, sub, view, type MathNode } from './nodes.ts';
import { exactValue, gcd, ratOf, radd, rationalNode, rdiv, rmul, rneg, type Rat } from './rational.ts';

/** A monomial: atom key -> positive integer exponent; the key string sorts atoms. */
interface Mono { key: string; pows: Map<string, number> }
/** sum of coefficient * monomial, keyed by the monomial key */
type MPoly = Map<string, { c: Rat; m: Mono }>;
/** num / den */
interface RatFn { num: MPoly; den: MPoly }

const ONE: Rat = { p: 1n, q: 1n };
const isZeroR = (r: Rat) => r.p === 0n;

function monoKey(p: Map<string, number>): string {
  return [...p.entries()].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)).map(([k, e]) => (e === 1 ? k : `${k}^${e}`)).join('*');
}
const constPoly = (r: Rat): MPoly => (isZeroR(r) ? new Map() : new Map([['', { c: r, m: { key: '', pows: new Map() } }]]));

function padd(a: MPoly, b: MPoly): MPoly {
  const r: MPoly = new Map(a);
  for (const [k, v] of b) {
    const o = r.get(k);
    const c = o ? radd(o.c, v.c) : v.c;
    if (isZeroR(c)) r.delete(k); else r.set(k, { c, m: v.m });
  }
  return r;
}
const pscale = (a: MPoly, s: Rat): MPoly => (isZeroR(s) ? new Map() : new Map([...a].map(([k, v]) => [k, { c: rmul(v.c, s), m: v.m }])));
function pmul(a: MPoly, b: MPoly): MPoly {
  let r: MPoly = new Map();
  for (const x of a.values()) for (const y of b.values()) {
    const pows = new Map(x.m.pows);
    for (const [k, e] of y.m.pows) pows.set(k, (pows.get(k) ?? 0) + e);
    const key = monoKey(pows);
    r = padd(r, new Map([[key, { c: rmul(x.c, y.c), m: { key, pows } }]]));
  }
  return r;
}
/** the constant value of a polynomial with only a constant term (or 0), else undefined */
function constantOf(p: MPoly): Rat | undefined {
  if (p.size === 0) return { p: 0n, q: 1n };
  if (p.size === 1 && p.has('')) return p.get('')!.c;
  return undefined;
}
/** k with a = k b, for nonzero b, or undefined */
function ratio(a: MPoly, b: MPoly): Rat | undefined {
  if (a.size !== b.size || b.size === 0) return a.size === 0 && b.size > 0 ? { p: 0n, q: 1n } : undefined;
  let k: Rat | undefined;
  for (const [key, v] of b) {
    const w = a.get(key);
    if (!w) return undefined;
    const r = rdiv(w.c, v.c);
    if (k && (k.p !== r.p || k.q !== r.q)) return undefined;
    k = r;
  }
  return k;
}

function normalize(f: RatFn): RatFn {
  const dc = constantOf(f.den);
  if (dc && !isZeroR(dc)) return { num: pscale(f.num, rdiv(ONE, dc)), den: constPoly(ONE) };
  const k = ratio(f.num, f.den);
  if (k) return { num: constPoly(k), den: constPoly(ONE) };
  // a monomial denominator that divides every numerator monomial
  if (f.den.size === 1) {
    const [{ c, m }] = f.den.values();
    const divides = [...f.num.values()].every((x) => [...m.pows].every(([a, e]) => (x.m.pows.get(a) ?? 0) >= e));
    if (divides) {
      const out: MPoly = new Map();
      for (const x of f.num.values()) {
        const pows = new Map(x.m.pows);
        for (const [a, e] of m.pows) { const r = (pows.get(a) ?? 0) - e; if (r === 0) pows.delete(a); else pows.set(a, r); }
        const key = monoKey(pows);
        out.set(key, { c: rdiv(x.c, c), m: { key, pows } });
      }
      return { num: out, den: constPoly(ONE) };
    }
  }
  return f;
}

const rf = (num: MPoly, den: MPoly = constPoly(ONE)): RatFn => normalize({ num, den });
const fadd = (a: RatFn, b: RatFn): RatFn => (ratio(a.den, b.den)?.p === 1n && ratio(a.den, b.den)?.q === 1n
  ? rf(padd(a.num, b.num), a.den)
  : rf(padd(pmul(a.num, b.den), pmul(b.num, a.den)), pmul(a.den, b.den)));
const fneg = (a: RatFn): RatFn => ({ num: pscale(a.num, rneg(ONE)), den: a.den });
const fmul = (a: RatFn, b: RatFn): RatFn => rf(pmul(a.num, b.num), pmul(a.den, b.den));
function fdiv(a: RatFn, b: RatFn): RatFn | undefined {
  if (b.num.size === 0) return undefined;
  return rf(pmul(a.num, b.den), pmul(a.den, b.num));
}

/** Read a t-free tree as a rational function of its atoms (atoms registered in `atoms`). */
function read(n: MathNode, atoms: Map<string, MathNode>): RatFn {
  const atom = (m: MathNode): RatFn => {
    const key = atomKey(m);
    atoms.set(key, m);
    const pows = new Map([[key, 1]]);
    return rf(new Map([[key, { c: ONE, m: { key, pows } }]]));
  };
  const v = view(n);
  switch (v.kind) {
    case 'const': return rf(constPoly(ratOf(v.value)));
    case 'symbol': return atom(n);
    case 'neg': return fneg(read(v.arg, atoms));
    case 'call': return atom(n);
    case 'bin': {
      if (v.op === 'pow') {
        const e = exactValue(v.b);
        if (!e || e.q !== 1n || e.p > 16n || e.p < -16n) return atom(n);
        let base = read(v.a, atoms), k = Number(e.p);
        if (k < 0) { const inv = fdiv(rf(constPoly(ONE)), base); if (!inv) return atom(n); base = inv; k = -k; }
        let r = rf(constPoly(ONE));
        for (let i = 0; i < k; i++) r = fmul(r, base);
        return r;
      }
      const a = read(v.a, atoms), b = read(v.b, atoms);
      switch (v.op) {
        case 'add': return fadd(a, b);
        case 'subtract': return fadd(a, fneg(b));
        case 'multiply': return fmul(a, b);
        case 'divide': return fdiv(a, b) ?? atom(n);
      }
    }
  }
  return atom(n);
}
/** atoms sort symbols by name before compound atoms (b0 < b1 < log(...)) */
function atomKey(m: MathNode): string {
  const v = view(m);
  return v.kind === 'symbol' ? v.name : `~${structKey(m)}`;
}

/** Tree of a polynomial: numeric content factored out ((b0 - b1) / 4), positive terms first. */
function polyTree(p: MPoly, atoms: Map<string, MathNode>): MathNode {
  const terms = [...p.values()].sort((x, y) => degree(y.m) - degree(x.m) || (x.m.key < y.m.key ? -1 : x.m.key > y.m.key ? 1 : 0));
  if (terms.length === 0) return num(0);
  // content: gcd of numerators / lcm of denominators, signed so that most terms are positive
  // (on a tie, the last term in atom order: b1 - b0 rather than b0 - b1)
  let g = 0n, l = 1n;
  for (const { c } of terms) { g = gcd(g, c.p); l = (l * c.q) / gcd(l, c.q); }
  const pos = terms.filter((x) => x.c.p > 0n).length, negs = terms.length - pos;
  const flip = negs > pos || (negs === pos && terms[terms.length - 1].c.p < 0n);
  const content: Rat = { p: flip ? -g : g, q: l };
  const prim = terms.map(({ c, m }) => ({ c: rdiv(c, content), m }));
  const ordered = [...prim.filter((x) => x.c.p > 0n), ...prim.filter((x) => x.c.p < 0n)];
  let acc: MathNode | null = null;
  for (const { c, m } of ordered) {
    const mag = monoTree(c.p < 0n ? rneg(c) : c, m, atoms);
    acc = acc === null ? (c.p < 0n ? neg(mag) : mag) : c.p < 0n ? sub(acc, mag) : add(acc, mag);
  }
  return scaleTree(content, acc as MathNode);
}
const degree = (m: Mono): number => [...m.pows.values()].reduce((a, b) => a + b, 0);
function monoTree(c: Rat, m: Mono, atoms: Map<string, MathNode>): MathNode {
  const factors = [...m.pows.entries()].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)).map(([k, e]) => (e === 1 ? atoms.get(k)! : pow(atoms.get(k)!, num(e))));
  if (factors.length === 0) return rationalNode(c);
  const prod = factors.reduce((x, y) => mul(x, y));
  return c.p === 1n && c.q === 1n ? prod : mul(rationalNode(c), prod);
}
/** k x written as n x / d (k = n/d), -x for k = -1 */
function scaleTree(k: Rat, x: MathNode): MathNode {
  if (k.p < 0n) return neg(scaleTree(rneg(k), x));
  if (constOfTree(x) === 1) return rationalNode(k);
  const top = k.p === 1n ? x : mul(num(Number(k.p)), x);
  return k.q === 1n ? top : div(top, num(Number(k.q)));
}
const constOfTree = (x: MathNode): number | undefined => { const v = view(x); return v.kind === 'const' ? v.value : undefined; };

function toTree(f: RatFn, atoms: Map<string, MathNode>): MathNode {
  const n = polyTree(f.num, atoms);
  const dc = constantOf(f.den);
  if (dc && dc.p === 1n && dc.q === 1n) return n;
  // keep the denominator's numeric content with the numerator: (b0 - b1) / (b0 + b1), 2 x / (3 y)
  return div(n, polyTree(f.den, atoms));
}

/** The canonical tree of a coefficient (t-free tree); trees it cannot read are atoms. */
export function canonCoef(n: MathNode): MathNode {
  const atoms = new Map<string, MathNode>();
  return toTree(read(n, atoms), atoms);
}

type Op = 'add' | 'subtract' | 'multiply' | 'divide';
/** a op b on coefficients, in canonical form (exact arithmetic, like terms collected, common factors cancelled). */
export function coefOp(op: Op, a: MathNode, b: MathNode): MathNode {
  const atoms = new Map<string, MathNode>();
  const x = read(a, atoms), y = read(b, atoms);
  let r: RatFn | undefined;
  switch (op) {
    case 'add': r = fadd(x, y); break;
    case 'subtract': r = fadd(x, fneg(y)); break;
    case 'multiply': r = fmul(x, y); break;
    case 'divide': r = fdiv(x, y); break;
  }
  if (!r) throw new RangeError('division by zero');
  return toTree(r, atoms);
}

/** The exact rational value of a coefficient that is a number, else undefined. */
export function coefConstant(n: MathNode): Rat | undefined {
  const atoms = new Map<string, MathNode>();
  const f = read(n, atoms);
  const c = constantOf(f.num), d = constantOf(f.den);
  return c && d && !isZeroR(d) ? rdiv(c, d) : undefined;
}


const ZERO_RF = (): RatFn => rf(new Map());
const isZeroRF = (f: RatFn): boolean => f.num.size === 0;

/**
 * Coefficients (canonical trees free of x) if `n` is a polynomial in x of degree <= maxDegree, else
 * null. All arithmetic stays in the rational-function domain; trees are built once at the end.
 */
export function polyCoefficients(n: MathNode, x = 't', maxDegree = 12): MathNode[] | null {
  const atoms = new Map<string, MathNode>();
  const dep = (m: MathNode): boolean => {
    const v = view(m);
    switch (v.kind) {
      case 'const': return false;
      case 'symbol': return v.name === x;
      case 'neg': case 'call': return dep(v.arg);
      case 'bin': return dep(v.a) || dep(v.b);
    }
  };
  const trim = (p: RatFn[]): RatFn[] => { const r = p.slice(); while (r.length > 1 && isZeroRF(r[r.length - 1])) r.pop(); return r; };
  const addP = (a: RatFn[], b: RatFn[]): RatFn[] => trim(Array.from({ length: Math.max(a.length, b.length) }, (_, i) => (a[i] && b[i] ? fadd(a[i], b[i]) : a[i] ?? b[i])));
  const mulP = (a: RatFn[], b: RatFn[]): RatFn[] | null => {
    if (a.length + b.length - 2 > maxDegree) return null;
    const r: RatFn[] = Array.from({ length: a.length + b.length - 1 }, ZERO_RF);
    for (let i = 0; i < a.length; i++) for (let j = 0; j < b.length; j++) if (!isZeroRF(a[i]) && !isZeroRF(b[j])) r[i + j] = fadd(r[i + j], fmul(a[i], b[j]));
    return trim(r);
  };
  const go = (m: MathNode): RatFn[] | null => {
    if (!dep(m)) return [read(m, atoms)];
    const v = view(m);
    switch (v.kind) {
      case 'symbol': return [ZERO_RF(), rf(constPoly(ONE))];
      case 'neg': { const p = go(v.arg); return p && p.map(fneg); }
      case 'bin': {
        if (v.op === 'pow') {
          const e = exactValue(v.b);
          if (!e || e.q !== 1n || e.p < 0n || e.p > BigInt(maxDegree)) return null;
          const a = go(v.a);
          if (!a) return null;
          let r: RatFn[] | null = [rf(constPoly(ONE))];
          for (let i = 0n; i < e.p && r; i++) r = mulP(r, a);
          return r;
        }
        if (v.op === 'divide') {
          if (dep(v.b)) return null;
          const a = go(v.a), d = read(v.b, atoms);
          if (!a || isZeroRF(d)) return null;
          const out: RatFn[] = [];
          for (const c of a) { const q = fdiv(c, d); if (!q) return null; out.push(q); }
          return out;
        }
        const a = go(v.a);
        if (!a) return null;
        const b = go(v.b);
        if (!b) return null;
        if (v.op === 'add') return addP(a, b);
        if (v.op === 'subtract') return addP(a, b.map(fneg));
        return mulP(a, b);
      }
      default: return null;
    }
  };
  const p = go(n);
  return p && p.map((c) => toTree(c, atoms));
}
