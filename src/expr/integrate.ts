/**
 * Closed-form antiderivatives for the patterns noise schedules produce:
 * sums and constant multiples; polynomials; P(t) exp(a t + b) and P(t) sin/cos(a t + b)
 * (integration by parts); sin^2 and cos^2 through the half-angle identities;
 * c Q'(t) exp(Q(t)); c u'(t) F(u(t)) for F in {exp, sin, cos, tan, tanh, sigmoid, sinh, cosh,
 * log, log1p, sqrt, u^k, 1/u}. Each result is checked by differentiating it back (numeric zero test);
 * null means "no rule applies", and the caller falls back to quadrature.
 */
import { compile } from './compile.ts';
import { derivative } from './derivative.ts';
import { add, call, constOf, depends, div, mul, neg, num, pow, sub, T, view, type MathNode } from './nodes.ts';
import { degree, polyAdd, polyDeriv, polyEval, polyInteg, polyMul, polyOf, polyTree, type Poly } from './poly.ts';
import { simplify } from './simplify.ts';
import { maxRelDiff } from './equal.ts';
import { integrate } from './quadrature.ts';

interface Term { poly: Poly; q: MathNode[]; others: MathNode[] }
const MAX_TERMS = 256;

/** An antiderivative of n in t, or null. `domain` is where the result must hold (for the checks). */
export function antiderivative(n: MathNode, domain: [number, number] = [0, 1]): MathNode | null {
  const F = byTerms(n, domain) ?? wholeSubstitution(simplify(n), domain);
  if (!F) return null;
  // verify: F' == n on the domain
  const err = maxRelDiff(derivative(F), n, domain);
  return err <= 1e-9 ? F : null;
}

function byTerms(n: MathNode, domain: [number, number]): MathNode | null {
  const terms = expand(simplify(n));
  if (!terms) return null;
  let result: MathNode = num(0);
  for (const g of group(terms)) {
    const F = integrateGroup(g, domain);
    if (!F) return null;
    result = add(result, F);
  }
  return simplify(result);
}

/**
 * c u'(t) F(u(t)) on the integrand as a whole: expansion splits a factor u' that is a sum
 * (e.g. u = a t + b log t, u' = a + b/t) into groups that are not integrable one by one.
 */
function wholeSubstitution(n: MathNode, domain: [number, number]): MathNode | null {
  const factors: MathNode[] = [];
  const collect = (m: MathNode) => { const v = view(m); if (v.kind === 'bin' && v.op === 'multiply') { collect(v.a); collect(v.b); } else factors.push(m); };
  collect(n);
  if (factors.length < 2) return null;
  for (let i = 0; i < factors.length; i++) {
    const sub1 = splitOuter(factors[i]);
    if (!sub1) continue;
    const rest = factors.filter((_, j) => j !== i).reduce((x, y) => mul(x, y));
    const c = constantRatio(compile(rest) as (t: number) => number, compile(derivative(sub1.u)) as (t: number) => number, domain);
    if (c !== undefined) return simplify(mul(num(c), sub1.G));
  }
  return null;
}

/** Definite integral from a to t as a tree: F(t) - F(a), or null. */
export function definiteIntegral(n: MathNode, a: number, domain: [number, number]): MathNode | null {
  const F = antiderivative(n, domain);
  if (!F) return null;
  const Fa = compile(F)(a);
  if (!Number.isFinite(Fa)) return null;
  const result = expm1Sum(simplify(sub(F, num(Fa))));
  // F(t) - F(a) may cancel catastrophically (e.g. int c e^{k t} = (c/k) e^{k t} - c/k with tiny k):
  // the derivative check above cannot see that, so compare values with quadrature and refuse a
  // closed form that loses more than 1e-9 relative (the caller then integrates numerically).
  return accurateAgainstQuadrature(result, n, a, domain) ? result : null;
}

/**
 * sum_i c_i e^{x_i} + C with sum_i c_i = -C (the form F(t) - F(a) takes when F has exponentials)
 * rewritten as sum_i c_i expm1(x_i): the same value without the cancellation near x_i = 0
 * (sub-VP: e^B + e^{-B} - 2 = expm1(B) + expm1(-B), accurate to eps / B instead of eps / B^2).
 */
function expm1Sum(n: MathNode): MathNode {
  const terms: { sign: number; node: MathNode }[] = [];
  const flatten = (m: MathNode, sign: number): void => {
    const v = view(m);
    if (v.kind === 'bin' && (v.op === 'add' || v.op === 'subtract')) { flatten(v.a, sign); flatten(v.b, v.op === 'add' ? sign : -sign); }
    else if (v.kind === 'neg') flatten(v.arg, -sign);
    else terms.push({ sign, node: m });
  };
  flatten(n, 1);
  let C = 0;
  const rest: MathNode[] = [];
  const exps: { c: number; x: MathNode }[] = [];
  for (const { sign, node } of terms) {
    const v = view(node);
    const k = constOf(node);
    if (k !== undefined) { C += sign * k; continue; }
    if (v.kind === 'call' && v.name === 'exp') { exps.push({ c: sign, x: v.arg }); continue; }
    if (v.kind === 'bin' && v.op === 'multiply' && constOf(v.a) !== undefined && view(v.b).kind === 'call' && (view(v.b) as { name: string }).name === 'exp') {
      exps.push({ c: sign * (constOf(v.a) as number), x: (view(v.b) as { arg: MathNode }).arg });
      continue;
    }
    rest.push(sign > 0 ? node : neg(node));
  }
  const sumC = exps.reduce((a, e) => a + e.c, 0);
  const scale = Math.max(Math.abs(C), ...exps.map((e) => Math.abs(e.c)));
  if (exps.length === 0 || C === 0 || Math.abs(sumC + C) > 1e-12 * scale) return n;
  const parts = [...rest, ...exps.map((e) => mul(num(e.c), call('expm1', e.x)))];
  return simplify(parts.reduce((a, b) => add(a, b)));
}

function accurateAgainstQuadrature(I: MathNode, n: MathNode, a: number, domain: [number, number]): boolean {
  const fI = compile(I) as (t: number) => number, f = compile(n) as (t: number) => number;
  // cancellation is worst where the integral is smallest, near the start of the domain: probe there too
  const [lo, hi] = domain;
  for (const t of [lo, lo + 1e-3 * (hi - lo), lo + 1e-2 * (hi - lo), ...probe(domain)]) {
    if (t <= a) continue;
    let q: { value: number; error: number };
    try { q = integrate(f, a, t, 1e-13); } catch { continue; } // integrand singular: nothing to compare
    const v = fI(t);
    if (!(Math.abs(v - q.value) <= 1e-9 * Math.abs(q.value) + 10 * q.error)) return false;
  }
  return true;
}

// ---- expansion into sum of poly(t) * exp(sum q) * prod(others) ----

function expand(n: MathNode): Term[] | null {
  const v = view(n);
  switch (v.kind) {
    case 'const': return [{ poly: [v.value], q: [], others: [] }];
    case 'symbol': return v.name === 't' ? [{ poly: [0, 1], q: [], others: [] }] : null;
    case 'neg': { const a = expand(v.arg); return a && a.map((x) => ({ ...x, poly: x.poly.map((c) => -c) })); }
    case 'call':
      if (v.name === 'exp') return [{ poly: [1], q: [v.arg], others: [] }];
      if (v.name === 'expm1') return [{ poly: [1], q: [v.arg], others: [] }, { poly: [-1], q: [], others: [] }];
      return [{ poly: [1], q: [], others: [n] }];
    case 'bin': {
      switch (v.op) {
        case 'add': case 'subtract': {
          const a = expand(v.a), b = expand(v.b);
          if (!a || !b) return null;
          return v.op === 'add' ? [...a, ...b] : [...a, ...b.map((x) => ({ ...x, poly: x.poly.map((c) => -c) }))];
        }
        case 'multiply': return product(expand(v.a), expand(v.b), n);
        case 'divide': {
          const cb = constOf(v.b);
          if (cb !== undefined) { const a = expand(v.a); return a && a.map((x) => ({ ...x, poly: x.poly.map((c) => c / cb) })); }
          return product(expand(v.a), inverse(v.b), n);
        }
        case 'pow': {
          const k = constOf(v.b);
          if (k !== undefined) {
            const p = polyOf(n);
            if (p) return [{ poly: p, q: [], others: [] }];
            const bv = view(v.a);
            if (bv.kind === 'call' && bv.name === 'exp') return [{ poly: [1], q: [mul(num(k), bv.arg)], others: [] }];
            // sin^2 u = (1 - cos 2u)/2, cos^2 u = (1 + cos 2u)/2
            if (k === 2 && bv.kind === 'call' && (bv.name === 'sin' || bv.name === 'cos')) {
              const s = bv.name === 'sin' ? -0.5 : 0.5;
              return [{ poly: [0.5], q: [], others: [] }, { poly: [s], q: [], others: [call('cos', simplify(mul(num(2), bv.arg)))] }];
            }
            return [{ poly: [1], q: [], others: [n] }];
          }
          const base = constOf(v.a);
          if (base !== undefined && base > 0) return [{ poly: [1], q: [mul(v.b, num(Math.log(base)))], others: [] }];
          return [{ poly: [1], q: [], others: [n] }];
        }
      }
    }
  }
}

function inverse(b: MathNode): Term[] | null {
  const v = view(b);
  if (v.kind === 'call' && v.name === 'exp') return [{ poly: [1], q: [neg(v.arg)], others: [] }];
  if (v.kind === 'bin' && v.op === 'pow' && constOf(v.b) !== undefined) return [{ poly: [1], q: [], others: [pow(v.a, num(-(constOf(v.b) as number)))] }];
  if (v.kind === 'bin' && v.op === 'multiply') return product(inverse(v.a), inverse(v.b), b);
  return [{ poly: [1], q: [], others: [pow(b, num(-1))] }];
}

function product(a: Term[] | null, b: Term[] | null, whole: MathNode): Term[] | null {
  if (!a || !b) return null;
  if (a.length * b.length > MAX_TERMS) return [{ poly: [1], q: [], others: [whole] }];
  const out: Term[] = [];
  for (const x of a) for (const y of b) out.push({ poly: polyMul(x.poly, y.poly), q: [...x.q, ...y.q], others: [...x.others, ...y.others] });
  return out;
}

interface Group { poly: Poly; q: MathNode | null; others: MathNode[] }

/** Merge terms with the same exponent and the same other factors; pull constant exponent parts out. */
function group(terms: Term[]): Group[] {
  const map = new Map<string, Group>();
  for (const term of terms) {
    let poly = term.poly;
    let q: MathNode | null = null;
    if (term.q.length) {
      q = simplify(term.q.reduce((s, x) => add(s, x)));
      const qp = polyOf(q);
      if (qp) {
        if (qp[0] !== 0) { poly = poly.map((c) => c * Math.exp(qp[0])); qp[0] = 0; }
        q = degree(qp) === 0 ? null : polyTree(qp);
      }
    }
    const others = term.others.map(simplify);
    const key = `${q ? q.toString() : ''}|${others.map(String).sort().join('|')}`;
    const g = map.get(key);
    if (g) g.poly = polyAdd(g.poly, poly);
    else map.set(key, { poly, q, others });
  }
  return [...map.values()].filter((g) => g.poly.some((c) => c !== 0));
}

function probe(domain: [number, number]): number[] {
  const [lo, hi] = domain;
  return [0.11, 0.23, 0.37, 0.5, 0.61, 0.77, 0.93].map((u) => lo + u * (hi - lo));
}

/** c if num(t)/den(t) is the same constant at every probe point, else undefined. */
function constantRatio(numer: (t: number) => number, den: (t: number) => number, domain: [number, number]): number | undefined {
  let c: number | undefined;
  for (const t of probe(domain)) {
    const d = den(t), nn = numer(t);
    if (!Number.isFinite(d) || !Number.isFinite(nn) || d === 0) continue;
    const r = nn / d;
    if (c === undefined) c = r;
    else if (Math.abs(r - c) > 1e-11 * Math.max(1, Math.abs(c))) return undefined;
  }
  return c;
}

function groupTree(poly: Poly, q: MathNode | null, others: MathNode[]): MathNode {
  let n = polyTree(poly);
  if (q) n = mul(n, call('exp', q));
  for (const o of others) n = mul(n, o);
  return n;
}

function integrateGroup(g: Group, domain: [number, number]): MathNode | null {
  const { poly, q, others } = g;
  if (!q && others.length === 0) return polyTree(polyInteg(poly));
  if (q && others.length === 0) {
    const qp = polyOf(q);
    if (qp && degree(qp) === 1) {
      // int P e^{a t} dt = e^{a t} sum_k (-1)^k P^(k) / a^(k+1)
      const a = qp[1];
      let acc: Poly = [0], dk = poly, sign = 1, ak = a;
      while (dk.some((c) => c !== 0)) { acc = polyAdd(acc, dk.map((c) => (sign * c) / ak)); dk = polyDeriv(dk); sign = -sign; ak *= a; }
      return mul(polyTree(acc), call('exp', q));
    }
  }
  if (!q && others.length === 1) {
    const trig = polyTrig(poly, others[0]);
    if (trig) return trig;
  }
  // generalized substitution: rest(t) = c u'(t), integrand = rest * F(u)
  const candidates: { outer: MathNode; rest: MathNode }[] = [];
  if (q) candidates.push({ outer: call('exp', q), rest: groupTree(poly, null, others) });
  others.forEach((o, i) => candidates.push({ outer: o, rest: groupTree(poly, q, others.filter((_, j) => j !== i)) }));
  for (const { outer, rest } of candidates) {
    const sub1 = splitOuter(outer);
    if (!sub1) continue;
    const du = derivative(sub1.u);
    const c = constantRatio(compile(rest) as (t: number) => number, compile(du) as (t: number) => number, domain);
    if (c === undefined) continue;
    return mul(num(c), sub1.G);
  }
  return null;
}

/**
 * int P(t) sin(u) dt and int P(t) cos(u) dt for u = a t + b, by parts until P's derivatives vanish:
 *   int P cos u = sin u sum_k (-1)^k P^(2k) / a^(2k+1) + cos u sum_k (-1)^k P^(2k+1) / a^(2k+2)
 *   int P sin u = -cos u sum_k (-1)^k P^(2k) / a^(2k+1) + sin u sum_k (-1)^k P^(2k+1) / a^(2k+2)
 */
function polyTrig(poly: Poly, factor: MathNode): MathNode | null {
  const v = view(factor);
  if (v.kind !== 'call' || (v.name !== 'sin' && v.name !== 'cos')) return null;
  const up = polyOf(v.arg);
  if (!up || degree(up) !== 1) return null;
  const a = up[1];
  let even: Poly = [0], odd: Poly = [0], dk = poly, k = 0;
  while (dk.some((c) => c !== 0)) {
    const sign = Math.floor(k / 2) % 2 === 0 ? 1 : -1, scale = sign / a ** (k + 1);
    if (k % 2 === 0) even = polyAdd(even, dk.map((c) => c * scale));
    else odd = polyAdd(odd, dk.map((c) => c * scale));
    dk = polyDeriv(dk);
    k++;
  }
  const sinU = call('sin', v.arg), cosU = call('cos', v.arg);
  return v.name === 'cos'
    ? add(mul(polyTree(even), sinU), mul(polyTree(odd), cosU))
    : add(neg(mul(polyTree(even), cosU)), mul(polyTree(odd), sinU));
}

/** Split F(u) into u and G = antiderivative of F evaluated at u. */
function splitOuter(n: MathNode): { u: MathNode; G: MathNode } | null {
  const v = view(n);
  if (v.kind === 'call') {
    const u = v.arg;
    if (!depends(u)) return null;
    const G = ANTI[v.name]?.(u);
    return G ? { u, G } : null;
  }
  if (v.kind === 'bin' && v.op === 'pow') {
    const k = constOf(v.b);
    if (k === undefined || !depends(v.a)) return null;
    const u = v.a;
    if (k === -1) return { u, G: call('log', call('abs', u)) };
    return { u, G: div(pow(u, num(k + 1)), num(k + 1)) };
  }
  if (v.kind === 'symbol' && v.name === 't') return { u: T(), G: div(pow(T(), num(2)), num(2)) };
  return null;
}

const ANTI: Partial<Record<string, (u: MathNode) => MathNode>> = {
  exp: (u) => call('exp', u),
  sin: (u) => neg(call('cos', u)),
  cos: (u) => call('sin', u),
  tan: (u) => neg(call('log', call('abs', call('cos', u)))),
  tanh: (u) => call('log', call('cosh', u)),
  sigmoid: (u) => call('softplus', u),
  sinh: (u) => call('cosh', u),
  cosh: (u) => call('sinh', u),
  log: (u) => sub(mul(u, call('log', u)), u),
  log1p: (u) => sub(mul(add(num(1), u), call('log1p', u)), u),
  sqrt: (u) => mul(num(2 / 3), pow(u, num(1.5))),
  expm1: (u) => sub(call('exp', u), u),
};

export { polyEval };
