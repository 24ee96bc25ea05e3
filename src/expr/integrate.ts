/**
 * Closed-form antiderivatives for the patterns noise schedules produce, with symbolic coefficients
 * (the declared parameters stay symbols): sums and constant multiples; polynomials; P(t) exp(a t + b)
 * and P(t) sin/cos(a t + b) (integration by parts); sin^2 and cos^2 through the half-angle
 * identities; c Q'(t) exp(Q(t)); c u'(t) F(u(t)) for F in {exp, sin, cos, tan, tanh, sigmoid, sinh,
 * cosh, log, log1p, sqrt, u^k, 1/u}. Literal arithmetic is exact (rational.ts). Each result is checked
 * by differentiating it back at the parameter values `env` and at perturbed values (numeric zero
 * test); null means "no rule applies", and the caller falls back to quadrature at `env`.
 */
import { compile } from './compile.ts';
import { derivative } from './derivative.ts';
import { add, call, constOf, depends, div, mul, neg, num, pow, sub, substitute, T, view, type Env, type MathNode } from './nodes.ts';
import { cadd, cdiv, cmul, cneg, sdegree, spolyAdd, spolyDeriv, spolyInteg, spolyMul, spolyOf, spolyScale, spolyTree, sIsZero, type SPoly } from './poly.ts';
import { simplify } from './simplify.ts';
import { relDiff } from './equal.ts';
import { integrate } from './quadrature.ts';

interface Term { poly: SPoly; q: MathNode[]; others: MathNode[] }
const MAX_TERMS = 256;
type F1 = (t: number) => number;
const fnOf = (n: MathNode, env: Env): F1 => compile(n, ['t'], env) as F1;
const value = (c: MathNode, env: Env): number => (compile(c, [], env) as () => number)();

/** Parameter values scaled by a fixed factor near 1: a closed form must hold there too (the rules are symbolic). */
export function perturbed(env: Env, factor = 1.0731): Env {
  return Object.fromEntries(Object.entries(env).map(([k, v]) => [k, v * factor]));
}

/** Do the two trees agree (1e-9 relative) at the probe points, for each parameter binding? Points where b is not finite are skipped. */
function agree(a: MathNode, b: MathNode, domain: [number, number], envs: Env[], tol = 1e-9): boolean {
  for (const env of envs) {
    const fa = fnOf(a, env), fb = fnOf(b, env);
    let seen = 0;
    for (const t of probe(domain)) {
      const vb = fb(t);
      if (!Number.isFinite(vb)) continue;
      seen++;
      if (!(relDiff(fa(t), vb) <= tol)) return false;
    }
    if (seen === 0 && env === envs[0]) return false;
  }
  return true;
}

/** An antiderivative of n in t, or null. `domain` is where the result must hold (for the checks); `env` binds the parameters. */
export function antiderivative(n: MathNode, domain: [number, number] = [0, 1], env: Env = {}): MathNode | null {
  let F: MathNode | null = null;
  try { F = byTerms(n, domain, env) ?? wholeSubstitution(simplify(n), domain, env); } catch (e) { if (!(e instanceof RangeError)) throw e; }
  if (!F) return null;
  // verify: F' == n on the domain, at the declared values and at other values (closed forms hold for all)
  const envs = Object.keys(env).length ? [env, perturbed(env)] : [env];
  return agree(derivative(F), n, domain, envs) ? F : null;
}

function byTerms(n: MathNode, domain: [number, number], env: Env): MathNode | null {
  const terms = expand(simplify(n));
  if (!terms) return null;
  let result: MathNode = num(0);
  for (const g of group(terms)) {
    const F = integrateGroup(g, domain, env);
    if (!F) return null;
    result = add(result, F);
  }
  return simplify(result);
}

/**
 * c u'(t) F(u(t)) on the integrand as a whole: expansion splits a factor u' that is a sum
 * (e.g. u = a t + b log t, u' = a + b/t) into groups that are not integrable one by one.
 */
function wholeSubstitution(n: MathNode, domain: [number, number], env: Env): MathNode | null {
  const factors = multiplicands(n);
  if (factors.length < 2) return null;
  for (let i = 0; i < factors.length; i++) {
    const sub1 = splitOuter(factors[i]);
    if (!sub1) continue;
    const rest = factors.filter((_, j) => j !== i).reduce((x, y) => mul(x, y));
    const c = constantRatio(rest, derivative(sub1.u), domain, env);
    if (c !== undefined) return simplify(cmul(c, sub1.G));
  }
  return null;
}

function multiplicands(n: MathNode): MathNode[] {
  const v = view(n);
  if (v.kind === 'bin' && v.op === 'multiply') return [...multiplicands(v.a), ...multiplicands(v.b)];
  // a / b = a b^-1: the simplifier writes quotients with the negative powers in the denominator
  if (v.kind === 'bin' && v.op === 'divide') return [...multiplicands(v.a), pow(v.b, num(-1))];
  return [n];
}

/**
 * Definite integral from a to t as a tree, or null. F(t) - F(a) is formed term by term: a term
 * P(t) e^{x(t)} with x(a) = 0 becomes P(t) expm1(x) + (P(t) - P(a)), so that no cancellation is left
 * near t = a (sub-VP: e^B + e^{-B} - 2 = expm1(B) + expm1(-B), accurate to eps / B instead of eps / B^2).
 */
export function definiteIntegral(n: MathNode, a: number, domain: [number, number], env: Env = {}): MathNode | null {
  const F = antiderivative(n, domain, env);
  if (!F) return null;
  if (!Number.isFinite(fnOf(F, env)(a))) return null;
  const result = simplify(differenceFrom(F, a));
  // the terms may still cancel (e.g. polynomial parts): compare values with quadrature and refuse
  // a closed form that loses more than 1e-9 relative (the caller then integrates numerically).
  return accurateAgainstQuadrature(result, n, a, domain, env) ? result : null;
}

/** F(t) - F(a), symbolically, with the exponential terms rewritten through expm1. */
function differenceFrom(F: MathNode, a: number): MathNode {
  const at = (m: MathNode) => simplify(substitute(m, 't', num(a)));
  let polyPart: SPoly = [num(0)];
  const out: MathNode[] = [];
  for (const { sign, node } of additiveTerms(F)) {
    if (!depends(node)) continue; // constants cancel exactly
    const term = sign > 0 ? node : neg(node);
    const p = spolyOf(term);
    if (p) { polyPart = spolyAdd(polyPart, p); continue; }
    const fs = multiplicands(node);
    const ie = fs.findIndex((f) => { const v = view(f); return v.kind === 'call' && v.name === 'exp' && constOf(at(v.arg)) === 0; });
    const P = ie >= 0 ? spolyOf(fs.filter((_, j) => j !== ie).reduce((x, y) => mul(x, y), num(1))) : null;
    if (ie >= 0 && P) {
      const Ps = sign > 0 ? P : P.map(cneg);
      out.push(mul(spolyTree(Ps), call('expm1', (view(fs[ie]) as { arg: MathNode }).arg)));
      polyPart = spolyAdd(polyPart, Ps); // + P(t) (its value at a is subtracted below)
      continue;
    }
    const Fa = at(term);
    out.push(constOf(Fa) === 0 ? term : sub(term, Fa));
  }
  // P(t) - P(a) for the polynomial part
  const pa = simplify(substitute(spolyTree(polyPart), 't', num(a)));
  polyPart = spolyAdd(polyPart, [cneg(pa)]);
  if (!sIsZero(polyPart)) out.unshift(spolyTree(polyPart));
  return out.length ? out.reduce((x, y) => add(x, y)) : num(0);
}

function additiveTerms(n: MathNode): { sign: number; node: MathNode }[] {
  const terms: { sign: number; node: MathNode }[] = [];
  const flatten = (m: MathNode, sign: number): void => {
    const v = view(m);
    if (v.kind === 'bin' && (v.op === 'add' || v.op === 'subtract')) { flatten(v.a, sign); flatten(v.b, v.op === 'add' ? sign : -sign); }
    else if (v.kind === 'neg') flatten(v.arg, -sign);
    else terms.push({ sign, node: m });
  };
  flatten(n, 1);
  return terms;
}

function accurateAgainstQuadrature(I: MathNode, n: MathNode, a: number, domain: [number, number], env: Env): boolean {
  const fI = fnOf(I, env), f = fnOf(n, env);
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

const negate = (ts: Term[]): Term[] => ts.map((x) => ({ ...x, poly: x.poly.map(cneg) }));

function expand(n: MathNode): Term[] | null {
  if (!depends(n)) return [{ poly: [n], q: [], others: [] }];
  const v = view(n);
  switch (v.kind) {
    case 'const': return [{ poly: [n], q: [], others: [] }];
    case 'symbol': return [{ poly: [num(0), num(1)], q: [], others: [] }];
    case 'neg': { const a = expand(v.arg); return a && negate(a); }
    case 'call':
      if (v.name === 'exp') return [{ poly: [num(1)], q: [v.arg], others: [] }];
      if (v.name === 'expm1') return [{ poly: [num(1)], q: [v.arg], others: [] }, { poly: [num(-1)], q: [], others: [] }];
      return [{ poly: [num(1)], q: [], others: [n] }];
    case 'bin': {
      switch (v.op) {
        case 'add': case 'subtract': {
          const a = expand(v.a), b = expand(v.b);
          if (!a || !b) return null;
          return v.op === 'add' ? [...a, ...b] : [...a, ...negate(b)];
        }
        case 'multiply': return product(expand(v.a), expand(v.b), n);
        case 'divide': {
          if (!depends(v.b)) { const a = expand(v.a); return a && a.map((x) => ({ ...x, poly: x.poly.map((c) => cdiv(c, v.b)) })); }
          return product(expand(v.a), inverse(v.b), n);
        }
        case 'pow': {
          if (!depends(v.b)) {
            const p = spolyOf(n);
            if (p) return [{ poly: p, q: [], others: [] }];
            const bv = view(v.a);
            if (bv.kind === 'call' && bv.name === 'exp') return [{ poly: [num(1)], q: [mul(v.b, bv.arg)], others: [] }];
            // (a b)^k = a^k b^k for an integer k
            const k = constOf(v.b);
            if (bv.kind === 'bin' && bv.op === 'multiply' && k !== undefined && Number.isInteger(k)) return product(expand(pow(bv.a, v.b)), expand(pow(bv.b, v.b)), n);
            // sin^2 u = (1 - cos 2u)/2, cos^2 u = (1 + cos 2u)/2
            if (constOf(v.b) === 2 && bv.kind === 'call' && (bv.name === 'sin' || bv.name === 'cos')) {
              const s = bv.name === 'sin' ? -0.5 : 0.5;
              return [{ poly: [num(0.5)], q: [], others: [] }, { poly: [num(s)], q: [], others: [call('cos', simplify(mul(num(2), bv.arg)))] }];
            }
            return [{ poly: [num(1)], q: [], others: [n] }];
          }
          // c^u = e^{u log c} for a base c free of t (positive: a real power with a varying exponent)
          if (!depends(v.a)) return [{ poly: [num(1)], q: [mul(v.b, call('log', v.a))], others: [] }];
          return [{ poly: [num(1)], q: [], others: [n] }];
        }
      }
    }
  }
  return null;
}

function inverse(b: MathNode): Term[] | null {
  const v = view(b);
  if (v.kind === 'call' && v.name === 'exp') return [{ poly: [num(1)], q: [neg(v.arg)], others: [] }];
  if (v.kind === 'bin' && v.op === 'pow' && !depends(v.b)) return [{ poly: [num(1)], q: [], others: [pow(v.a, cneg(v.b))] }];
  if (v.kind === 'bin' && v.op === 'multiply') return product(inverse(v.a), inverse(v.b), b);
  return [{ poly: [num(1)], q: [], others: [pow(b, num(-1))] }];
}

function product(a: Term[] | null, b: Term[] | null, whole: MathNode): Term[] | null {
  if (!a || !b) return null;
  if (a.length * b.length > MAX_TERMS) return [{ poly: [num(1)], q: [], others: [whole] }];
  const out: Term[] = [];
  for (const x of a) for (const y of b) out.push({ poly: spolyMul(x.poly, y.poly), q: [...x.q, ...y.q], others: [...x.others, ...y.others] });
  return out;
}

interface Group { poly: SPoly; q: MathNode | null; others: MathNode[] }

/** Merge terms with the same exponent and the same other factors; pull constant exponent parts out. */
function group(terms: Term[]): Group[] {
  const map = new Map<string, Group>();
  for (const term of terms) {
    let poly = term.poly;
    let q: MathNode | null = null;
    if (term.q.length) {
      q = simplify(term.q.reduce((s, x) => add(s, x)));
      const qp = spolyOf(q);
      if (qp) {
        if (constOf(qp[0]) !== 0) { poly = spolyScale(poly, call('exp', qp[0])); qp[0] = num(0); }
        q = sdegree(qp) === 0 ? null : spolyTree(qp);
      }
    }
    const others = term.others.map(simplify);
    const key = `${q ? q.toString() : ''}|${others.map(String).sort().join('|')}`;
    const g = map.get(key);
    if (g) g.poly = spolyAdd(g.poly, poly);
    else map.set(key, { poly, q, others });
  }
  return [...map.values()].filter((g) => !sIsZero(g.poly));
}

function probe(domain: [number, number]): number[] {
  const [lo, hi] = domain;
  return [0.11, 0.23, 0.37, 0.5, 0.61, 0.77, 0.93].map((u) => lo + u * (hi - lo));
}

/**
 * The constant c (a tree free of t) with numer = c den, or undefined. Constancy is detected on
 * values at `env`; c itself is found symbolically (common factors cancelled, then the ratio of the
 * leading coefficients of what remains) and must match the numeric ratio.
 */
function constantRatio(numer: MathNode, den: MathNode, domain: [number, number], env: Env): MathNode | undefined {
  const fn = fnOf(numer, env), fd = fnOf(den, env);
  let r: number | undefined;
  for (const t of probe(domain)) {
    const d = fd(t), nn = fn(t);
    if (!Number.isFinite(d) || !Number.isFinite(nn) || d === 0) continue;
    const x = nn / d;
    if (r === undefined) r = x;
    else if (Math.abs(x - r) > 1e-11 * Math.max(1, Math.abs(r))) return undefined;
  }
  if (r === undefined) return undefined;
  const c = symbolicRatio(numer, den);
  if (!c || depends(c)) return undefined;
  const cv = value(c, env);
  return Math.abs(cv - r) <= 1e-9 * Math.max(1, Math.abs(r)) ? c : undefined;
}

/** numer / den with common multiplicative factors cancelled; polynomial remainders by their leading coefficients. */
function symbolicRatio(numer: MathNode, den: MathNode): MathNode | null {
  // the canonical simplifier cancels common factors of quotients (over a common denominator)
  const direct = simplify(div(numer, den));
  if (!depends(direct)) return direct;
  const fs = (n: MathNode): { top: MathNode[]; bottom: MathNode[] } => {
    const v = view(n);
    if (v.kind === 'bin' && v.op === 'multiply') { const a = fs(v.a), b = fs(v.b); return { top: [...a.top, ...b.top], bottom: [...a.bottom, ...b.bottom] }; }
    if (v.kind === 'bin' && v.op === 'divide') { const a = fs(v.a), b = fs(v.b); return { top: [...a.top, ...b.bottom], bottom: [...a.bottom, ...b.top] }; }
    if (v.kind === 'neg') { const a = fs(v.arg); return { top: [num(-1), ...a.top], bottom: a.bottom }; }
    return { top: [n], bottom: [] };
  };
  const a = fs(simplify(numer)), b = fs(simplify(den));
  const top = [...a.top, ...b.bottom], bottom = [...a.bottom, ...b.top];
  for (let i = top.length - 1; i >= 0; i--) {
    const k = String(top[i]);
    const j = bottom.findIndex((x) => String(x) === k);
    if (j >= 0) { top.splice(i, 1); bottom.splice(j, 1); }
  }
  const prod = (xs: MathNode[]) => xs.reduce((x, y) => mul(x, y), num(1));
  const P = spolyOf(prod(top)), Q = spolyOf(prod(bottom));
  if (!P || !Q || sdegree(P) !== sdegree(Q)) return null;
  const d = sdegree(P);
  return simplify(cdiv(P[d], Q[d]));
}

function groupTree(poly: SPoly, q: MathNode | null, others: MathNode[]): MathNode {
  let n = spolyTree(poly);
  if (q) n = mul(n, call('exp', q));
  for (const o of others) n = mul(n, o);
  return n;
}

/** the linear coefficient a of u = a t + b, or null */
function linearSlope(u: MathNode): MathNode | null {
  const p = spolyOf(u);
  return p && sdegree(p) === 1 ? p[1] : null;
}

function integrateGroup(g: Group, domain: [number, number], env: Env): MathNode | null {
  const { poly, q, others } = g;
  if (!q && others.length === 0) return spolyTree(spolyInteg(poly));
  if (q && others.length === 0) {
    const a = linearSlope(q);
    if (a) {
      // int P e^{a t} dt = e^{a t} sum_k (-1)^k P^(k) / a^(k+1)
      let acc: SPoly = [num(0)], dk = poly, sign = 1, ak = a;
      while (!sIsZero(dk)) { acc = spolyAdd(acc, dk.map((c) => cdiv(sign > 0 ? c : cneg(c), ak))); dk = spolyDeriv(dk); sign = -sign; ak = cmul(ak, a); }
      return mul(spolyTree(acc), call('exp', q));
    }
  }
  if (!q && others.length === 1) {
    const trig = polyTrig(poly, others[0]);
    if (trig) return trig;
  }
  if (q && others.length === 1 && sdegree(poly) === 0) {
    const et = expTrig(poly[0], q, others[0]);
    if (et) return et;
  }
  // generalized substitution: rest(t) = c u'(t), integrand = rest * F(u)
  const candidates: { outer: MathNode; rest: MathNode }[] = [];
  if (q) candidates.push({ outer: call('exp', q), rest: groupTree(poly, null, others) });
  others.forEach((o, i) => candidates.push({ outer: o, rest: groupTree(poly, q, others.filter((_, j) => j !== i)) }));
  for (const { outer, rest } of candidates) {
    const sub1 = splitOuter(outer);
    if (!sub1) continue;
    const c = constantRatio(rest, derivative(sub1.u), domain, env);
    if (c === undefined) continue;
    return cmul(c, sub1.G);
  }
  return null;
}

/**
 * int P(t) sin(u) dt and int P(t) cos(u) dt for u = a t + b, by parts until P's derivatives vanish:
 *   int P cos u = sin u sum_k (-1)^k P^(2k) / a^(2k+1) + cos u sum_k (-1)^k P^(2k+1) / a^(2k+2)
 *   int P sin u = -cos u sum_k (-1)^k P^(2k) / a^(2k+1) + sin u sum_k (-1)^k P^(2k+1) / a^(2k+2)
 */
function polyTrig(poly: SPoly, factor: MathNode): MathNode | null {
  const v = view(factor);
  if (v.kind !== 'call' || (v.name !== 'sin' && v.name !== 'cos')) return null;
  const a = linearSlope(v.arg);
  if (!a) return null;
  let even: SPoly = [num(0)], odd: SPoly = [num(0)], dk = poly, k = 0, ak = a;
  while (!sIsZero(dk)) {
    const negative = Math.floor(k / 2) % 2 === 1;
    const scaled = dk.map((c) => cdiv(negative ? cneg(c) : c, ak));
    if (k % 2 === 0) even = spolyAdd(even, scaled);
    else odd = spolyAdd(odd, scaled);
    dk = spolyDeriv(dk);
    ak = cmul(ak, a);
    k++;
  }
  const sinU = call('sin', v.arg), cosU = call('cos', v.arg);
  return v.name === 'cos'
    ? add(mul(spolyTree(even), sinU), mul(spolyTree(odd), cosU))
    : add(neg(mul(spolyTree(even), cosU)), mul(spolyTree(odd), sinU));
}

/**
 * int c e^{a t} cos(u) dt and int c e^{a t} sin(u) dt for u = b t + d (twice by parts):
 *   int e^{a t} cos u = e^{a t} (a cos u + b sin u) / (a^2 + b^2)
 *   int e^{a t} sin u = e^{a t} (a sin u - b cos u) / (a^2 + b^2)
 */
function expTrig(c: MathNode, q: MathNode, factor: MathNode): MathNode | null {
  const v = view(factor);
  if (v.kind !== 'call' || (v.name !== 'sin' && v.name !== 'cos')) return null;
  const a = linearSlope(q), b = linearSlope(v.arg);
  if (!a || !b) return null;
  const k = cdiv(c, cadd(cmul(a, a), cmul(b, b)));
  const sinU = call('sin', v.arg), cosU = call('cos', v.arg);
  const inner = v.name === 'cos' ? add(mul(a, cosU), mul(b, sinU)) : sub(mul(a, sinU), mul(b, cosU));
  return mul(mul(k, inner), call('exp', q));
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
    const k1 = cadd(v.b, num(1));
    return { u, G: div(pow(u, k1), k1) };
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
  sqrt: (u) => div(mul(num(2), pow(u, num(1.5))), num(3)),
  expm1: (u) => sub(call('exp', u), u),
};

