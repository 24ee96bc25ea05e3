/**
 * Canonical forms for the simplifier (in the style of SymPy's automatic simplification in the
 * Add / Mul / Pow constructors): exact rational literals, flattened and sorted sums and products,
 * like terms collected (2 x + 3 x = 5 x), like powers collected (x^a x^b = x^(a+b)), exp(a) exp(b)
 * = exp(a + b), exp(k log u) = u^k, log(exp x) = x, sin/cos = tan, expm1/log1p written out
 * (the evaluation form puts them back: src/expr/stabilize.ts).
 *
 * Every constructor rewrite is an identity wherever its input is finite in float64 semantics
 * (Math.pow(x, r) is NaN for x < 0 and non-integer r, so x^(1/2) x^(1/2) = x holds where finite);
 * sign-dependent rules (sqrt(x^2) = x, log(x y) = log x + log y) use {@link signOf}, which knows
 * the constants pi, e and the signs set by {@link withAssumptions}.
 */
import { FUNCTIONS, type FunctionName } from './nodes.ts';
import {
  HALF, MINUS_ONE, ONE, ZERO, isInt, isOne, isZero, radd, rat, ratString, req, rgcd, rmul, rneg, rpow, type Rat,
} from './rational.ts';

/** A canonical expression; `key` identifies it structurally (equal keys: equal expressions). */
export type E =
  | { readonly k: 'num'; readonly v: Rat; readonly key: string }
  | { readonly k: 'sym'; readonly name: string; readonly key: string }
  | { readonly k: 'add'; readonly args: readonly E[]; readonly key: string }
  | { readonly k: 'mul'; readonly args: readonly E[]; readonly key: string }
  | { readonly k: 'pow'; readonly base: E; readonly exp: E; readonly key: string }
  | { readonly k: 'fn'; readonly name: FunctionName; readonly arg: E; readonly key: string };

/** Sign knowledge: > 0, >= 0, < 0, <= 0, or unknown (undefined). */
export type Sign = 'pos' | 'nonneg' | 'neg' | 'nonpos';

/** Sign assumptions on symbols, by name. */
export type Signs = Readonly<Record<string, Sign>>;

const CONSTANT_SIGNS: Signs = { pi: 'pos', e: 'pos' };
let signs: Signs = CONSTANT_SIGNS;
/** Rewrites that would only be identities in expanded (zero-test) mode are enabled by this flag. */
let expandSpecial = false;

/** Run `fn` with extra sign assumptions on symbols (e.g. parameters keep their declared sign). */
export function withAssumptions<R>(extra: Signs | undefined, fn: () => R): R {
  if (!extra) return fn();
  const prev = signs;
  signs = { ...prev, ...extra };
  try { return fn(); } finally { signs = prev; }
}

/** The sign assumptions in force beyond the constants' (a memo key: '' when none). */
export function assumptionKey(): string {
  return signs === CONSTANT_SIGNS ? '' : JSON.stringify(Object.entries(signs).filter(([k]) => !(k in CONSTANT_SIGNS)).sort());
}

/** Run `fn` with special functions written in exp/log/sin/cos terms (for the zero test). */
export function withExpandedSpecials<R>(fn: () => R): R {
  const prev = expandSpecial;
  expandSpecial = true;
  try { return fn(); } finally { expandSpecial = prev; }
}

// ---- leaves ----

export const num = (v: Rat): E => ({ k: 'num', v, key: `#${ratString(v)}` });
export const int = (n: number): E => num(rat(BigInt(n)));
export const sym = (name: string): E => ({ k: 'sym', name, key: name });
export const E0 = num(ZERO), E1 = num(ONE), EM1 = num(MINUS_ONE);
export const isNum = (e: E, v?: Rat): e is Extract<E, { k: 'num' }> => e.k === 'num' && (v === undefined || req(e.v, v));
const ratOfE = (e: E): Rat | undefined => (e.k === 'num' ? e.v : undefined);

const cmp = (a: E, b: E): number => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0);

// ---- sums ----

/** (coefficient, rest) with e = coefficient * rest; rest undefined for a number. */
export function splitCoeff(e: E): [Rat, E | undefined] {
  if (e.k === 'num') return [e.v, undefined];
  if (e.k === 'mul' && e.args[0].k === 'num') {
    const rest = e.args.slice(1);
    return [e.args[0].v, rest.length === 1 ? rest[0] : mkMul(rest)];
  }
  return [ONE, e];
}

function mkAdd(args: readonly E[]): E {
  return { k: 'add', args, key: `+(${args.map((a) => a.key).join(',')})` };
}
function mkMul(args: readonly E[]): E {
  return { k: 'mul', args, key: `*(${args.map((a) => a.key).join(',')})` };
}

/** Sum with like terms collected. */
export function add(...terms: E[]): E {
  let c = ZERO;
  const map = new Map<string, { coef: Rat; rest: E }>();
  const visit = (e: E): void => {
    if (e.k === 'add') { e.args.forEach(visit); return; }
    const [k, rest] = splitCoeff(e);
    if (!rest) { c = radd(c, k); return; }
    const g = map.get(rest.key);
    if (g) g.coef = radd(g.coef, k); else map.set(rest.key, { coef: k, rest });
  };
  terms.forEach(visit);
  const out: E[] = [];
  for (const { coef, rest } of map.values()) if (!isZero(coef)) out.push(scale(coef, rest));
  out.sort(cmp);
  if (!isZero(c)) out.unshift(num(c));
  return out.length === 0 ? E0 : out.length === 1 ? out[0] : mkAdd(out);
}

/** k * e for a rational k (cheap path of {@link mul}). */
export function scale(k: Rat, e: E): E {
  if (isZero(k)) return E0;
  if (isOne(k)) return e;
  if (e.k === 'num') return num(rmul(k, e.v));
  if (e.k === 'mul') {
    if (e.args[0].k === 'num') { const c = rmul(k, e.args[0].v); return isOne(c) ? (e.args.length === 2 ? e.args[1] : mkMul(e.args.slice(1))) : mkMul([num(c), ...e.args.slice(1)]); }
    return mkMul([num(k), ...e.args]);
  }
  if (e.k === 'add') return add(...e.args.map((a) => scale(k, a)));
  return mkMul([num(k), e]);
}

export const neg = (e: E): E => scale(MINUS_ONE, e);
export const sub = (a: E, b: E): E => add(a, neg(b));

// ---- products ----

/** (base, exponent) with e = base^exponent. */
function splitPow(e: E): [E, E] {
  return e.k === 'pow' ? [e.base, e.exp] : [e, E1];
}

/** Is the leading term negative (the canonical sign of a sum is a positive first term)? */
export function negLead(e: E): boolean {
  switch (e.k) {
    case 'num': return e.v.p < 0n;
    case 'mul': return e.args[0].k === 'num' && e.args[0].v.p < 0n;
    case 'add': return negLead(leadTerm(e.args));
    default: return false;
  }
}

/** The term of a sum whose coefficient-free part sorts first (independent of the coefficients' signs). */
function leadTerm(args: readonly E[]): E {
  let lead: E | undefined, leadKey = '';
  for (const a of args) {
    if (a.k === 'num') continue;
    const r = splitCoeff(a)[1]!;
    if (lead === undefined || r.key < leadKey) { lead = a; leadKey = r.key; }
  }
  return lead ?? args[0];
}

/**
 * Content of a sum: e = k * m * rest with k the rational gcd of the coefficients (sign from the
 * leading term), m the common factors (at their smallest exponent) and rest primitive.
 */
export function content(e: E): { k: Rat; common: E[]; rest: E } {
  if (e.k !== 'add') return { k: ONE, common: [], rest: e };
  let g: Rat | undefined;
  const factorMaps = e.args.map((a) => {
    const [k, rest] = splitCoeff(a);
    g = g === undefined ? k : rgcd(g, k);
    const m = new Map<string, [E, Rat]>();
    const fs = rest === undefined ? [] : rest.k === 'mul' ? rest.args : [rest];
    for (const f of fs) { const [b, x] = splitPow(f); const r = ratOfE(x); if (r && r.p > 0n) m.set(b.key, [b, r]); }
    return m;
  });
  let k = g ?? ONE;
  if (negLead(e)) k = rneg(k);
  const common: E[] = [];
  for (const [key, [b, r0]] of factorMaps[0]) {
    let r = r0, ok = true;
    for (const m of factorMaps.slice(1)) { const x = m.get(key); if (!x) { ok = false; break; } if (radd(x[1], rneg(r)).p < 0n) r = x[1]; }
    if (ok) common.push(r.q === 1n && r.p === 1n ? b : pow(b, num(r)));
  }
  if (isOne(k) && common.length === 0) return { k, common, rest: e };
  const divisor = common.length ? mul(...common.map((c) => pow(c, EM1))) : E1;
  const rest = add(...e.args.map((a) => mul(scale(rdivRat(ONE, k), a), divisor)));
  return { k, common, rest };
}
/** A rational small enough to pull out of a sum for display (not 1e-17 from float literals). */
export const nice = (k: Rat): boolean => k.q <= 1000000n && k.p <= 1000000000000n && k.p >= -1000000000000n;
const rdivRat = (a: Rat, b: Rat): Rat => rat(a.p * b.q, a.q * b.p);

/** Product with like bases collected, exp factors merged, sin/cos quotients written as tan. */
export function mul(...factors: E[]): E {
  let c = ONE;
  const bases = new Map<string, { base: E; exps: E[] }>();
  const expArgs: E[] = [];
  const visit = (e: E): void => {
    if (e.k === 'num') { c = rmul(c, e.v); return; }
    if (e.k === 'mul') { e.args.forEach(visit); return; }
    if (e.k === 'fn' && e.name === 'exp') { expArgs.push(e.arg); return; }
    if (e.k === 'fn' && e.name === 'tan') { visit(fn('sin', e.arg)); visit(pow(fn('cos', e.arg), EM1)); return; }
    let [b, x] = splitPow(e);
    if (b.k === 'fn' && b.name === 'tan') { visit(pow(fn('sin', b.arg), x)); visit(pow(fn('cos', b.arg), neg(x))); return; }
    if (b.k === 'fn' && b.name === 'exp') { expArgs.push(mul(b.arg, x)); return; }
    // a sum factor is kept primitive with a positive leading term so that quotients cancel
    if (b.k === 'add') {
      const { k, common, rest } = content(b);
      if ((!isOne(k) || common.length) && nice(k)) {
        const xi = ratOfE(x);
        if (xi && isInt(xi)) { visit(pow(num(k), x)); common.forEach((f) => visit(pow(f, x))); b = rest; }
        else if (k.p > 0n && !common.length) { visit(pow(num(k), x)); b = rest; }
      }
    }
    const g = bases.get(b.key);
    if (g) g.exps.push(x); else bases.set(b.key, { base: b, exps: [x] });
  };
  factors.forEach(visit);
  if (isZero(c)) return E0;
  const out: E[] = [];
  let again = false;
  const trig = new Map<string, { arg: E; sin?: Rat; cos?: Rat }>();
  for (const { base, exps } of bases.values()) {
    const x = exps.length === 1 ? exps[0] : add(...exps);
    if (isNum(x, ZERO)) continue;
    const xr = ratOfE(x);
    if (xr && base.k === 'fn' && (base.name === 'sin' || base.name === 'cos')) {
      const t = trig.get(base.arg.key) ?? { arg: base.arg };
      t[base.name] = xr;
      trig.set(base.arg.key, t);
      continue;
    }
    const p = exps.length === 1 ? (x === exps[0] ? powNode(base, x) : pow(base, x)) : pow(base, x);
    if (p.k === 'num' || p.k === 'mul' || (p.k === 'fn' && p.name === 'exp')) again = true;
    out.push(p);
  }
  for (const { arg, sin = ZERO, cos = ZERO } of trig.values()) {
    // sin^a cos^b = tan^m sin^(a-m) cos^(b+m) with m the common part of opposite signs
    let m = ZERO;
    if (sin.p > 0n && cos.p < 0n) m = radd(sin, cos).p >= 0n ? rneg(cos) : sin;
    else if (sin.p < 0n && cos.p > 0n) m = radd(sin, cos).p <= 0n ? rneg(cos) : sin;
    const parts: [FunctionName, Rat][] = [['tan', m], ['sin', radd(sin, rneg(m))], ['cos', radd(cos, m)]];
    for (const [name, r] of parts) if (!isZero(r)) out.push(powNode(fnNode(name, arg), num(r)));
  }
  if (expArgs.length) {
    const ex = fn('exp', add(...expArgs));
    if (ex.k !== 'fn') again = true;
    if (!isNum(ex, ONE)) out.push(ex);
  }
  if (again) return mul(num(c), ...out);
  out.sort(cmp);
  if (!isOne(c)) out.unshift(num(c));
  return out.length === 0 ? E1 : out.length === 1 ? out[0] : mkMul(out);
}

export const div = (a: E, b: E): E => mul(a, pow(b, EM1));

// ---- powers ----

function powNode(base: E, exp: E): E {
  if (isNum(exp, ONE)) return base;
  return { k: 'pow', base, exp, key: `^(${base.key},${exp.key})` };
}

const isEvenInt = (r: Rat | undefined): boolean => !!r && r.q === 1n && r.p % 2n === 0n;
const isPositive = (e: E): boolean => signOf(e) === 'pos';
const isNonneg = (e: E): boolean => { const s = signOf(e); return s === 'pos' || s === 'nonneg'; };

/** base^exp with numeric evaluation where exact, (x^a)^b = x^(ab) where valid, exp(a)^b = exp(a b). */
export function pow(base: E, exp: E): E {
  const xr = ratOfE(exp);
  if (xr && isZero(xr)) return E1;
  if (xr && isOne(xr)) return base;
  if (base.k === 'num') {
    if (isOne(base.v)) return E1;
    if (xr) { const r = rpow(base.v, xr); if (r) return num(r); }
    if (isZero(base.v) && xr && xr.p > 0n) return E0;
    // c^u = exp(u log c) for the zero test (c > 0); the display keeps c^u
    if (expandSpecial && !xr && base.v.p > 0n) return fn('exp', mul(exp, fn('log', base)));
    return powNode(base, exp);
  }
  if (base.k === 'sym' && base.name === 'e') return fn('exp', exp);
  if (base.k === 'fn' && base.name === 'exp') return fn('exp', mul(base.arg, exp));
  if (base.k === 'pow') {
    const inner = ratOfE(base.exp);
    if ((xr && isInt(xr)) || isNonneg(base.base) || !isEvenInt(inner)) return pow(base.base, mul(base.exp, exp));
    // (x^(2k))^(1/m) = |x|^(2k/m)
    return pow(fn('abs', base.base), mul(base.exp, exp));
  }
  if (base.k === 'mul') {
    if (xr && isInt(xr)) return mul(...base.args.map((a) => pow(a, exp)));
    // positive factors come out: (c y)^r = c^r y^r for c > 0 (both sides NaN where y < 0)
    // (a numeric factor only when its power is exact: sqrt((199 t + 1)/10), not sqrt(1/10) sqrt(...))
    // (when every factor is >= 0, the non-negative ones come out too: (2 b^2)^(1/2) = sqrt(2) b for b >= 0)
    const allNonneg = base.args.every(isNonneg);
    const out = (a: E) => (isPositive(a) || (allNonneg && isNonneg(a))) && (a.k !== 'num' || (xr !== undefined && rpow(a.v, xr) !== undefined));
    const pos = base.args.filter(out), rest = base.args.filter((a) => !out(a));
    if (pos.length && rest.length) return mul(...pos.map((a) => pow(a, exp)), powNode(rest.length === 1 ? rest[0] : mkMul(rest), exp));
    if (pos.length) return mul(...pos.map((a) => pow(a, exp)));
  }
  if (base.k === 'add' && xr && isInt(xr) && negLead(base)) {
    // (-u)^n = (-1)^n u^n
    return mul(num(xr.p % 2n === 0n ? ONE : MINUS_ONE), pow(neg(base), exp));
  }
  return powNode(base, exp);
}

export const sqrt = (e: E): E => pow(e, num(HALF));

// ---- functions ----

function fnNode(name: FunctionName, arg: E): E {
  return { k: 'fn', name, arg, key: `${name}(${arg.key})` };
}

const ODD: ReadonlySet<string> = new Set(['sin', 'tan', 'sinh', 'tanh', 'atan', 'asin', 'atanh', 'erf']);
const EVEN: ReadonlySet<string> = new Set(['cos', 'cosh']);
const AT_ZERO: Partial<Record<FunctionName, Rat>> = { sin: ZERO, tan: ZERO, sinh: ZERO, tanh: ZERO, atan: ZERO, asin: ZERO, atanh: ZERO, erf: ZERO, cos: ONE, cosh: ONE, exp: ONE, sigmoid: HALF, abs: ZERO, expm1: ZERO, log1p: ZERO };

const LEFT_INVERSE: Partial<Record<FunctionName, FunctionName>> = { cos: 'acos', sin: 'asin', tan: 'atan', tanh: 'atanh' };

/** f(arg) with the canonical rules of each function. */
export function fn(name: FunctionName, arg: E): E {
  if (isNum(arg, ZERO) && AT_ZERO[name]) return num(AT_ZERO[name]!);
  // f(f^-1(z)) = z wherever f^-1(z) is finite (cos(acos z) = z for |z| <= 1)
  if (arg.k === 'fn' && LEFT_INVERSE[name] === arg.name) return arg.arg;
  if (ODD.has(name) && negLead(arg)) return neg(fn(name, neg(arg)));
  if (EVEN.has(name) && negLead(arg)) return fn(name, neg(arg));
  switch (name) {
    case 'expm1': return add(fn('exp', arg), EM1);
    case 'log1p': return fn('log', add(E1, arg));
    case 'sqrt': return sqrt(arg);
    case 'exp': return expOf(arg);
    case 'log': return logOf(arg);
    case 'abs': {
      const s = signOf(arg);
      if (s === 'pos' || s === 'nonneg') return arg;
      if (s === 'neg' || s === 'nonpos') return neg(arg);
      if (negLead(arg)) return fn('abs', neg(arg));
      break;
    }
  }
  if (expandSpecial) {
    const x = special(name, arg);
    if (x) return x;
  }
  return fnNode(name, arg);
}

/** Special functions in exp/log/sin/cos terms (zero-test mode only: the display keeps them). */
function special(name: FunctionName, u: E): E | undefined {
  const ex = (x: E) => fn('exp', x);
  switch (name) {
    case 'sigmoid': return pow(add(E1, ex(neg(u))), EM1);
    case 'softplus': return fn('log', add(E1, ex(u)));
    case 'logit': return sub(fn('log', u), fn('log', sub(E1, u)));
    case 'tanh': return div(sub(ex(scale(rat(2n), u)), E1), add(ex(scale(rat(2n), u)), E1));
    case 'sinh': return scale(HALF, sub(ex(u), ex(neg(u))));
    case 'cosh': return scale(HALF, add(ex(u), ex(neg(u))));
    case 'tan': return div(fn('sin', u), fn('cos', u));
    default: return undefined;
  }
}

/** exp(sum): terms k log(u) come out as u^k; exp(0) = 1. */
function expOf(arg: E): E {
  const terms = arg.k === 'add' ? arg.args : [arg];
  const powers: E[] = [], rest: E[] = [];
  for (const t of terms) {
    const [k, r] = splitCoeff(t);
    if (r && r.k === 'fn' && r.name === 'log') powers.push(pow(r.arg, num(k)));
    else rest.push(t);
  }
  if (!powers.length) return fnNode('exp', arg);
  const restArg = add(...rest);
  return mul(...powers, isNum(restArg, ZERO) ? E1 : fnNode('exp', restArg));
}

/** log: log(exp x) = x, log(u^k) = k log u, log of positive factors split off, log(1/q) = -log q. */
function logOf(arg: E): E {
  if (arg.k === 'num') {
    if (isOne(arg.v)) return E0;
    if (arg.v.p === 1n && arg.v.q > 1n) return neg(fnNode('log', num(rat(arg.v.q))));
    return fnNode('log', arg);
  }
  if (arg.k === 'fn' && arg.name === 'exp') return arg.arg;
  if (arg.k === 'pow') {
    const r = ratOfE(arg.exp);
    if (isPositive(arg.base) || !isEvenInt(r)) return mul(arg.exp, fn('log', arg.base));
    return mul(arg.exp, fn('log', fn('abs', arg.base)));
  }
  if (arg.k === 'mul') {
    const pos = arg.args.filter(isPositive), rest = arg.args.filter((a) => !isPositive(a));
    if (pos.length) return add(...pos.map((a) => fn('log', a)), rest.length ? fn('log', rest.length === 1 ? rest[0] : mkMul(rest)) : E0);
  }
  return fnNode('log', arg);
}

// ---- signs ----

const POS: ReadonlySet<string> = new Set(['exp', 'cosh', 'sigmoid', 'softplus']);
const NONNEG: ReadonlySet<string> = new Set(['sqrt', 'abs', 'acos']);
const SIGN_OF_ARG: ReadonlySet<string> = new Set(['sinh', 'tanh', 'atan', 'asin', 'atanh', 'erf', 'expm1', 'log1p']);

const flip = (s: Sign | undefined): Sign | undefined => (s === 'pos' ? 'neg' : s === 'neg' ? 'pos' : s === 'nonneg' ? 'nonpos' : s === 'nonpos' ? 'nonneg' : undefined);

/** What is known of the sign of e (undefined: nothing). */
export function signOf(e: E): Sign | undefined {
  switch (e.k) {
    case 'num': return e.v.p > 0n ? 'pos' : e.v.p < 0n ? 'neg' : 'nonneg';
    case 'sym': return signs[e.name];
    case 'add': {
      const ss = e.args.map(signOf);
      if (ss.every((s) => s === 'pos' || s === 'nonneg')) return ss.includes('pos') ? 'pos' : 'nonneg';
      if (ss.every((s) => s === 'neg' || s === 'nonpos')) return ss.includes('neg') ? 'neg' : 'nonpos';
      return undefined;
    }
    case 'mul': {
      let s: Sign = 'pos';
      for (const a of e.args) {
        const x = signOf(a);
        if (!x) return undefined;
        const negative: boolean = (s === 'neg' || s === 'nonpos') !== (x === 'neg' || x === 'nonpos');
        const strict: boolean = (s === 'pos' || s === 'neg') && (x === 'pos' || x === 'neg');
        s = negative ? (strict ? 'neg' : 'nonpos') : strict ? 'pos' : 'nonneg';
      }
      return s;
    }
    case 'pow': {
      const b = signOf(e.base), r = ratOfE(e.exp);
      if (b === 'pos') return 'pos';
      if (r && isEvenInt(r)) return 'nonneg';
      if (r && isInt(r)) return b;
      return b === 'nonneg' || (r && !isInt(r)) ? 'nonneg' : undefined; // x^(p/q) is NaN for x < 0
    }
    case 'fn':
      if (POS.has(e.name)) return 'pos';
      if (NONNEG.has(e.name)) return 'nonneg';
      if (SIGN_OF_ARG.has(e.name)) return signOf(e.arg);
      return undefined;
  }
}

export { FUNCTIONS };
