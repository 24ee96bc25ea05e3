/**
 * The reading structure of a tree, shared by the display printers (LaTeX, mathjs): a sum as signed
 * terms, a term as sign x rational coefficient x numerator factors / denominator factors. Signs and
 * numeric factors are pulled out (no `a - -b`, no `1 * x`, no `2 * 1 / x`), floats that are small
 * rationals or rational multiples of pi print as such. Reading only: the evaluation order of the
 * code targets is not changed here (they use infix.ts).
 */
import { add, bin, call, div, neg, num, pow, sub, sym, view, type MathNode } from '../expr/nodes.ts';

/** p / q in lowest terms, q > 0. */
export interface Rational { p: number; q: number }

const gcd = (a: number, b: number): number => { a = Math.abs(a); b = Math.abs(b); while (b) [a, b] = [b, a % b]; return a; };

/** v as an exact p / q with q <= maxQ (v === p / q in float64), or null. */
export function rationalOf(v: number, maxQ = 1000): Rational | null {
  if (!Number.isFinite(v)) return null;
  for (let q = 1; q <= maxQ; q++) {
    const p = Math.round(v * q);
    if (Math.abs(p) < 1e9 && p / q === v) return { p, q };
  }
  return null;
}

/** v as a rational multiple of pi (p pi / q, q <= 12, |p| <= 24), or null. */
export function piMultipleOf(v: number): Rational | null {
  if (!Number.isFinite(v) || v === 0) return null;
  for (let q = 1; q <= 12; q++) {
    const p = Math.round((v * q) / Math.PI);
    if (p !== 0 && Math.abs(p) <= 24 && Math.abs((p * Math.PI) / q - v) <= 4e-16 * Math.abs(v)) return { p, q };
  }
  return null;
}

/**
 * Is a rational one a reader expects as a fraction (1/2, 3/4, 1/3) rather than a decimal (0.1,
 * 0.05, 0.2)? Denominators made of 2s and 5s beyond 8 read better as decimals.
 */
export function readsAsFraction(r: Rational): boolean {
  if (r.q === 1) return false;
  let q = r.q;
  while (q % 2 === 0) q /= 2;
  while (q % 5 === 0) q /= 5;
  return q !== 1 || (r.q <= 8 && r.q % 5 !== 0);
}

/** One signed term of a sum. */
export interface Term { negative: boolean; node: MathNode }

/** Flatten add / subtract / unary minus into signed terms. */
export function sumTerms(n: MathNode, negative = false, out: Term[] = []): Term[] {
  const v = view(n);
  if (v.kind === 'bin' && (v.op === 'add' || v.op === 'subtract')) {
    sumTerms(v.a, negative, out);
    sumTerms(v.b, v.op === 'subtract' ? !negative : negative, out);
  } else if (v.kind === 'neg') sumTerms(v.arg, !negative, out);
  else out.push({ negative, node: n });
  return out;
}

/** A product read as sign x (p / q) x num / den. */
export interface Product { negative: boolean; coef: Rational; num: MathNode[]; den: MathNode[] }

/** Flatten multiply / divide / unary minus / negative powers of one term. */
export function productOf(n: MathNode): Product {
  const pr: Product = { negative: false, coef: { p: 1, q: 1 }, num: [], den: [] };
  collect(n, false, pr);
  return { ...pr, num: powers(pr.num), den: powers(pr.den) };
}

/** Equal factors as one power: b0 * b0 reads b0^2. */
function powers(fs: MathNode[]): MathNode[] {
  const groups = new Map<string, { node: MathNode; k: number }>();
  fs.forEach((f, i) => {
    const key = view(f).kind === 'const' ? `#${i}` : f.toString(); // numbers stay apart
    const g = groups.get(key);
    if (g) g.k++; else groups.set(key, { node: f, k: 1 });
  });
  return [...groups.values()].map((g) => (g.k === 1 ? g.node : pow(g.node, num(g.k))));
}

function scale(pr: Product, r: Rational, inDen: boolean): boolean {
  const p = inDen ? pr.coef.p * r.q : pr.coef.p * r.p;
  const q = inDen ? pr.coef.q * r.p : pr.coef.q * r.q;
  if (Math.abs(p) > 1e12 || Math.abs(q) > 1e12) return false;
  const g = gcd(p, q) || 1;
  pr.coef = { p: p / g, q: q / g };
  return true;
}

function collect(n: MathNode, inDen: boolean, pr: Product): void {
  const v = view(n);
  switch (v.kind) {
    case 'neg': pr.negative = !pr.negative; collect(v.arg, inDen, pr); return;
    case 'const': {
      let c = v.value;
      if (c < 0) { pr.negative = !pr.negative; c = -c; }
      if (c === 1) return;
      const r = c !== 0 ? rationalOf(c) : null;
      if (r && scale(pr, r, inDen)) return;
      const m = piMultipleOf(c);
      if (m && scale(pr, m, inDen)) { (inDen ? pr.den : pr.num).push(sym('pi')); return; }
      (inDen ? pr.den : pr.num).push(c === v.value ? n : num(c));
      return;
    }
    case 'bin':
      if (v.op === 'multiply') { collect(v.a, inDen, pr); collect(v.b, inDen, pr); return; }
      if (v.op === 'divide') { collect(v.a, inDen, pr); collect(v.b, !inDen, pr); return; }
      if (v.op === 'pow') {
        const e = view(v.b);
        if (e.kind === 'const' && e.value < 0) {
          if (e.value === -1) collect(v.a, !inDen, pr);
          else (inDen ? pr.num : pr.den).push(pow(v.a, num(-e.value)));
          return;
        }
        if (e.kind === 'neg') { (inDen ? pr.num : pr.den).push(pow(v.a, e.arg)); return; }
      }
      pushFactor(n, inDen, pr);
      return;
    default: (inDen ? pr.den : pr.num).push(n);
  }
}

/** A factor that is a sum of negative terms only, -(a + b), is pulled out as -1 x (a + b). */
function pushFactor(n: MathNode, inDen: boolean, pr: Product): void {
  const terms = sumTerms(n);
  if (terms.length > 1 && terms.every((x) => x.negative || isNegativeProduct(x.node))) {
    pr.negative = !pr.negative;
    (inDen ? pr.den : pr.num).push(fromTerms(terms.map((x) => ({ negative: !(x.negative !== isNegativeProduct(x.node)), node: x.node })), true));
    return;
  }
  (inDen ? pr.den : pr.num).push(n);
}

const isNegativeProduct = (n: MathNode) => productOf(n).negative;

/** Rebuild a sum from signed terms (absolute: the terms' own signs are replaced by `negative`). */
function fromTerms(terms: Term[], absolute: boolean): MathNode {
  const abs = (x: Term) => (absolute && isNegativeProduct(x.node) ? neg(x.node) : x.node);
  let acc = terms[0].negative ? neg(abs(terms[0])) : abs(terms[0]);
  for (const x of terms.slice(1)) acc = x.negative ? sub(acc, abs(x)) : add(acc, abs(x));
  return acc;
}

/** sigmoid, softplus, logit (which mathjs lacks, and papers write out) in exp and log, before the reading structure is built. */
export function writeOut(n: MathNode): MathNode {
  const v = view(n);
  switch (v.kind) {
    case 'const': case 'symbol': return n;
    case 'neg': return neg(writeOut(v.arg));
    case 'bin': return bin(v.op, writeOut(v.a), writeOut(v.b));
    case 'call': {
      const u = writeOut(v.arg);
      switch (v.name) {
        case 'sigmoid': return div(num(1), add(num(1), call('exp', neg(u))));
        case 'softplus': return call('log', add(num(1), call('exp', u)));
        case 'logit': return call('log', div(u, sub(num(1), u)));
        default: return call(v.name, u);
      }
    }
  }
}

