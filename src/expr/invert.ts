/**
 * Closed-form inversion: solve F(t) = y for t by peeling invertible outer functions
 * (single occurrence of t), and by solving polynomial (degree <= 2) and linear-fractional cores,
 * with symbolic coefficients (the parameters stay symbols). The sign choice of the stable quadratic
 * root uses the sign of the linear coefficient at the parameter values `env`.
 * Returns candidate trees in the symbol `y`; the caller keeps the one that round-trips.
 */
import { compile } from './compile.ts';
import { add, call, depends, div, mul, neg, num, pow, sub, sym, view, type Env, type MathNode } from './nodes.ts';
import { cadd, cmul, cneg, csub, sdegree, spolyOf, type SPoly } from './poly.ts';
import { simplify } from './simplify.ts';

/** Candidate solutions t(y) of node(t) = target(y); `env` binds the parameters (for sign choices). */
export function invert(node: MathNode, target: MathNode = sym('y'), env: Env = {}): MathNode[] {
  return solve(simplify(node), target, env).map(simplify);
}

function solve(n: MathNode, y: MathNode, env: Env): MathNode[] {
  if (!depends(n)) return [];
  const p = spolyOf(n);
  if (p && sdegree(p) <= 2) return solvePoly(p, y, env);
  const lf = linearFractional(n);
  if (lf) { const [a, b, c, d] = lf; return [div(csub(cmul(d, y), b), csub(a, cmul(c, y)))]; }
  const v = view(n);
  switch (v.kind) {
    case 'symbol': return v.name === 't' ? [y] : [];
    case 'neg': return solve(v.arg, neg(y), env);
    case 'call': {
      const inv = INVERSE[v.name];
      return inv ? solve(v.arg, inv(y), env) : [];
    }
    case 'bin': {
      const da = depends(v.a), db = depends(v.b);
      if (da && db) return v.op === 'add' ? coshCore(v.a, v.b, y, env) : [];
      const [u, c] = da ? [v.a, v.b] : [v.b, v.a];
      switch (v.op) {
        case 'add': return solve(u, sub(y, c), env);
        case 'subtract': return da ? solve(u, add(y, c), env) : solve(u, sub(c, y), env);
        case 'multiply': return solve(u, div(y, c), env);
        case 'divide': return da ? solve(u, mul(y, c), env) : solve(u, div(c, y), env);
        case 'pow': {
          if (da) return solve(u, pow(y, div(num(1), c)), env);
          // c^u = y  <=>  u = log(y) / log(c), for a base c > 0, c != 1 at the parameter values
          const base = valueAt(c, env);
          return base > 0 && base !== 1 ? solve(u, div(call('log', y), call('log', c)), env) : [];
        }
      }
    }
  }
  return [];
}

/**
 * expm1(u) + expm1(-u) = 2 cosh(u) - 2 = y (sub-VP's e^B + e^{-B} - 2):
 * u = +-acosh(1 + y/2) = +-log1p(z + sqrt(z (2 + z))), z = y/2 (no cancellation as y -> 0).
 */
function coshCore(a: MathNode, b: MathNode, y: MathNode, env: Env): MathNode[] {
  const va = view(a), vb = view(b);
  if (va.kind !== 'call' || vb.kind !== 'call' || va.name !== 'expm1' || vb.name !== 'expm1') return [];
  const sum = simplify(add(va.arg, vb.arg));
  if (!(view(sum).kind === 'const' && valueAt(sum, {}) === 0)) return [];
  const z = div(y, num(2));
  const acosh = call('log1p', add(z, call('sqrt', mul(z, add(num(2), z)))));
  return [...solve(va.arg, acosh, env), ...solve(va.arg, neg(acosh), env)];
}

function valueAt(c: MathNode, env: Env): number {
  try { return (compile(c, [], env) as () => number)(); } catch { return NaN; }
}

/**
 * Roots of c0 + c1 t + c2 t^2 = y in the cancellation-free form (Numerical Recipes 5.6):
 * with c = c0 - y, q = -(c1 + sgn(c1) sqrt(c1^2 - 4 c2 c)) / 2, the roots are q / c2 and c / q
 * (the second stays accurate, and finite, as c2 -> 0).
 */
function solvePoly(p: SPoly, y: MathNode, env: Env): MathNode[] {
  const zero = num(0);
  const c0 = p[0] ?? zero, c1 = p[1] ?? zero, c2 = p[2] ?? zero;
  const isZero = (x: MathNode) => view(x).kind === 'const' && valueAt(x, {}) === 0;
  if (isZero(c2)) return isZero(c1) ? [] : [div(sub(y, c0), c1)];
  const c = csub(c0, y);
  const disc = call('sqrt', csub(cmul(c1, c1), cmul(cmul(num(4), c2), c)));
  const negative = valueAt(c1, env) < 0;
  const q = cmul(num(-0.5), negative ? csub(c1, disc) : cadd(c1, disc));
  return [div(q, c2), div(c, q)];
}

/** (a t + b) / (c t + d) with coefficients free of t, or null. */
function linearFractional(n: MathNode): [MathNode, MathNode, MathNode, MathNode] | null {
  const v = view(n);
  if (v.kind !== 'bin' || v.op !== 'divide') return null;
  const pn = spolyOf(v.a), pd = spolyOf(v.b);
  if (!pn || !pd || sdegree(pn) > 1 || sdegree(pd) > 1) return null;
  return [pn[1] ?? num(0), pn[0], pd[1] ?? num(0), pd[0]];
}

/** Inverses of the invertible functions: INVERSE[f](y) solves f(u) = y for u (f(INVERSE[f](y)) = y wherever finite). */
export const INVERSE: Partial<Record<string, (y: MathNode) => MathNode>> = {
  exp: (y) => call('log', y),
  log: (y) => call('exp', y),
  log1p: (y) => call('expm1', y),
  expm1: (y) => call('log1p', y),
  sqrt: (y) => pow(y, num(2)),
  tan: (y) => call('atan', y),
  atan: (y) => call('tan', y),
  cos: (y) => call('acos', y),
  sin: (y) => call('asin', y),
  tanh: (y) => call('atanh', y),
  atanh: (y) => call('tanh', y),
  sigmoid: (y) => call('logit', y),
  logit: (y) => call('sigmoid', y),
  softplus: (y) => call('log', call('expm1', y)),
  sinh: (y) => call('log', add(y, call('sqrt', add(pow(y, num(2)), num(1))))),
};
