/**
 * Closed-form inversion: solve F(t) = y for t by peeling invertible outer functions
 * (single occurrence of t), and by solving polynomial (degree <= 2) and linear-fractional cores.
 * Returns candidate trees in the symbol `y`; the caller keeps the one that round-trips.
 */
import { add, call, constOf, depends, div, mul, neg, num, pow, sub, sym, view, type MathNode } from './nodes.ts';
import { degree, polyOf } from './poly.ts';
import { simplify } from './simplify.ts';

/** Candidate solutions t(y) of node(t) = target(y). */
export function invert(node: MathNode, target: MathNode = sym('y')): MathNode[] {
  return solve(simplify(node), target).map(simplify);
}

function solve(n: MathNode, y: MathNode): MathNode[] {
  if (!depends(n)) return [];
  const p = polyOf(n);
  if (p && degree(p) <= 2) return solvePoly(p, y);
  const lf = linearFractional(n);
  if (lf) { const [a, b, c, d] = lf; return [div(sub(mul(num(d), y), num(b)), sub(num(a), mul(num(c), y)))]; }
  const v = view(n);
  switch (v.kind) {
    case 'symbol': return v.name === 't' ? [y] : [];
    case 'neg': return solve(v.arg, neg(y));
    case 'call': {
      const inv = INVERSE[v.name];
      return inv ? solve(v.arg, inv(y)) : [];
    }
    case 'bin': {
      const da = depends(v.a), db = depends(v.b);
      if (da && db) return [];
      const [u, c] = da ? [v.a, v.b] : [v.b, v.a];
      switch (v.op) {
        case 'add': return solve(u, sub(y, c));
        case 'subtract': return da ? solve(u, add(y, c)) : solve(u, sub(c, y));
        case 'multiply': return solve(u, div(y, c));
        case 'divide': return da ? solve(u, mul(y, c)) : solve(u, div(c, y));
        case 'pow': {
          if (da) return solve(u, pow(y, div(num(1), c)));
          const base = constOf(c);
          return base !== undefined && base > 0 && base !== 1 ? solve(u, div(call('log', y), num(Math.log(base)))) : [];
        }
      }
    }
  }
  return [];
}

/** Roots of c0 + c1 t + c2 t^2 = y, in the cancellation-free form. */
function solvePoly(p: number[], y: MathNode): MathNode[] {
  const c0 = p[0] ?? 0, c1 = p[1] ?? 0, c2 = p[2] ?? 0;
  if (c2 === 0) return c1 === 0 ? [] : [div(sub(y, num(c0)), num(c1))];
  // a t^2 + b t + c = 0 with c = c0 - y; q = -(b + sign(b) sqrt(b^2 - 4 a c)) / 2; roots q/a and c/q
  const c = sub(num(c0), y);
  const disc = call('sqrt', sub(num(c1 * c1), mul(num(4 * c2), c)));
  const sgn = c1 >= 0 ? 1 : -1;
  const q = mul(num(-0.5), add(num(c1), mul(num(sgn), disc)));
  return [div(q, num(c2)), div(c, q)];
}

/** (a t + b) / (c t + d) with numeric a, b, c, d, or null. */
function linearFractional(n: MathNode): [number, number, number, number] | null {
  const v = view(n);
  if (v.kind !== 'bin' || v.op !== 'divide') return null;
  const pn = polyOf(v.a), pd = polyOf(v.b);
  if (!pn || !pd || degree(pn) > 1 || degree(pd) > 1) return null;
  return [pn[1] ?? 0, pn[0], pd[1] ?? 0, pd[0]];
}

const INVERSE: Partial<Record<string, (y: MathNode) => MathNode>> = {
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
