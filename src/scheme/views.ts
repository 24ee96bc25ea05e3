/**
 * Assemble a Scheme from its float64 functions and closed forms; the pieces every declaration
 * form shares (transition kernel, inverse of logSnr, method tags).
 */
import type { MathNode } from 'mathjs';
import { compile1 } from '../expr/compile.ts';
import { invert } from '../expr/invert.ts';
import { maxRelDiffFn, probePoints } from '../expr/equal.ts';
import { substitute, sym, type Env } from '../expr/nodes.ts';
import { rebindValues, type Assumptions } from '../expr/assumptions.ts';
import type { DiscreteInfo, Method, Quantity, QuantityName, Scheme, SchemeForm } from './types.ts';
import { validateScheme } from './validate.ts';
import { UserError } from '../errors.ts';

export type Fns = Record<QuantityName, (t: number) => number>;
export type Exprs = Partial<Record<QuantityName, MathNode | null>>;

/** A quantity from a function and its optional closed form (display form, and the evaluation form fn came from). */
export function quantity(fn: (t: number) => number, expr: MathNode | null | undefined, evalExpr: MathNode | null | undefined = expr): Quantity {
  return { fn, expr: expr ?? null, evalExpr: expr ? (evalExpr ?? expr) : null, method: expr ? 'symbolic' : 'numeric' };
}

/** What a declaration form derives: symbolic closed forms (once) and their binding to parameter values. */
export interface Derived {
  /** closed forms in t and the parameter names (display form) */
  exprs: Exprs;
  /** the stable evaluation forms, where they differ from `exprs` */
  evalExprs?: Exprs;
  /** float64 functions at parameter values `env` (quadrature for the views without closed form) */
  bind(env: Env): Fns;
  /** candidate closed-form inversions: trees G(t) with a target tree in y such that logSnr(t) = y <=> G(t) = target(y) */
  inverseCandidates: { tree: MathNode | null | undefined; target: MathNode }[];
}

export interface AssembleInput {
  name: string;
  params: Record<string, number>;
  assumptions: Assumptions;
  form: SchemeForm;
  t0: number;
  T: number;
  derived: Derived;
  discrete?: DiscreteInfo;
  /** a numeric inverse to use when no closed form round-trips (discrete schemes bring their own) */
  numericInverse?: (lambda: number) => number;
  /** the declaration's sampling defaults */
  sampling?: Scheme['sampling'];
}

/**
 * The scheme at the parameter values `inp.params`. `inverseHint` is a closed-form inverse found at
 * other values of the same declaration: it is kept when it round-trips at these values.
 */
export function assemble(inp: AssembleInput, inverseHint?: MathNode | null): Scheme {
  const { t0, T, derived } = inp;
  const fns = derived.bind(inp.params);
  const quantities = Object.fromEntries(
    (Object.keys(fns) as QuantityName[]).map((k) => [k, quantity(fns[k], derived.exprs[k], derived.evalExprs?.[k])]),
  ) as Record<QuantityName, Quantity>;
  const inv = findInverse(inp, fns, inverseHint);
  const logSnr = fns.logSnr, sigma2 = fns.sigma2, alpha = fns.alpha;
  return {
    name: inp.name, params: { ...inp.params }, assumptions: inp.assumptions, form: inp.form, t0, T, quantities,
    with(values: Readonly<Record<string, number>>): Scheme {
      const params = rebindValues(inp.params, values, inp.assumptions);
      try {
        const s = assemble({ ...inp, params }, inv.expr);
        validateScheme(s, inp.form);
        return s;
      } catch (e) {
        // quadrature of a view that is not finite at these values
        if (e instanceof RangeError) throw new UserError(inp.form, e.message, { value: JSON.stringify(values) });
        throw e;
      }
    },
    alpha, sigma: fns.sigma, sigma2, f: fns.f, g2: fns.g2, logSnr, dlogSnr: fns.dlogSnr,
    dalpha: fns.dalpha, dsigma: fns.dsigma,
    tOfLogSnr: inv.fn, inverse: { expr: inv.expr, method: inv.method },
    transition(s: number, t: number) {
      // alpha_{t|s} = alpha_t/alpha_s; sigma^2_{t|s} = sigma_t^2 (1 - e^{-2 (logSnr_s - logSnr_t)})  (MATH.md 1)
      const a = alpha(t) / alpha(s);
      const h = logSnr(s) - logSnr(t);
      const s2 = h === Infinity ? sigma2(t) : -sigma2(t) * Math.expm1(-2 * h);
      return { alpha: a, sigma: Math.sqrt(Math.max(0, s2)) };
    },
    discrete: inp.discrete,
    ...(inp.sampling ? { sampling: inp.sampling } : {}),
  };
}

function findInverse(inp: AssembleInput, fns: Fns, hint?: MathNode | null): { fn: (l: number) => number; expr: MathNode | null; method: Method } {
  const { t0, T } = inp;
  const lo = Math.max(t0, T * 1e-6);
  const ts = probePoints([lo, T], 16, 777);
  // a closed form t(lambda) (in the symbol t) that round-trips t -> logSnr(t) -> t at these values
  const roundTrips = (tl: MathNode): ((l: number) => number) | null => {
    let fn: (l: number) => number;
    try { fn = compile1(tl, inp.params); } catch { return null; }
    return maxRelDiffFn((t) => fn(fns.logSnr(t)), (t) => t, [lo, T], ts) < 1e-9 ? fn : null;
  };
  if (hint) { const fn = roundTrips(hint); if (fn) return { fn: guardInverse(fn, inp.name), expr: hint, method: 'symbolic' }; }
  for (const { tree, target } of inp.derived.inverseCandidates) {
    if (!tree) continue;
    let cands: MathNode[] = [];
    try { cands = invert(tree, target, inp.params); } catch { cands = []; }
    for (const c of cands) {
      const tl = substitute(c, 'y', sym('t'));
      const fn = roundTrips(tl);
      if (fn) return { fn: guardInverse(fn, inp.name), expr: tl, method: 'symbolic' };
    }
  }
  const num = inp.numericInverse ?? monotoneInverse(fns.logSnr, 0, T);
  return { fn: num, expr: null, method: 'numeric' };
}

function guardInverse(fn: (l: number) => number, name: string): (l: number) => number {
  return (l: number) => {
    const t = fn(l);
    if (Number.isNaN(t)) throw new RangeError(`scheme ${name}: logSnr = ${l} is outside the range of the schedule`);
    return t;
  };
}

/**
 * Safeguarded inverse of a non-increasing function on [a, b]: bisection interleaved with secant
 * steps, to |dt| <= 1e-14 (1 + |t|). Values outside the range clamp to the end within 1e-9, else throw.
 */
export function monotoneInverse(g: (t: number) => number, a: number, b: number): (y: number) => number {
  return (y: number) => {
    let lo = a, hi = b;
    const glo = g(lo), ghi = g(hi);
    if (y >= glo) { if (y - glo <= 1e-9 * Math.max(1, Math.abs(glo)) || glo === Infinity) return y === glo ? lo : lo; throw new RangeError(`logSnr = ${y} is above the schedule's largest value ${glo}`); }
    if (y <= ghi) { if (ghi - y <= 1e-9 * Math.max(1, Math.abs(ghi))) return hi; throw new RangeError(`logSnr = ${y} is below the schedule's smallest value ${ghi}`); }
    let flo = glo - y, fhi = ghi - y; // flo > 0 > fhi
    for (let i = 0; i < 200 && hi - lo > 1e-14 * (1 + Math.abs(lo)); i++) {
      let m = Number.isFinite(flo) && Number.isFinite(fhi) ? lo + (flo * (hi - lo)) / (flo - fhi) : 0.5 * (lo + hi);
      if (!(m > lo + 0.01 * (hi - lo) && m < hi - 0.01 * (hi - lo)) || i % 3 === 2) m = 0.5 * (lo + hi);
      const fm = g(m) - y;
      if (fm === 0) return m;
      if (fm > 0) { lo = m; flo = fm; } else { hi = m; fhi = fm; }
    }
    return 0.5 * (lo + hi);
  };
}
