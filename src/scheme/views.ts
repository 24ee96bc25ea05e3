/**
 * Assemble a Scheme from its float64 functions and closed forms; the pieces every declaration
 * form shares (transition kernel, inverse of logSnr, method tags).
 */
import type { MathNode } from 'mathjs';
import { invert } from '../expr/invert.ts';
import { substitute, sym, type Env } from '../expr/nodes.ts';
import { rebindValues, signsOf, type Assumptions } from '../expr/assumptions.ts';
import { withAssumptions } from '../expr/canonical.ts';
import type { DiscreteInfo, Method, Quantity, QuantityName, Scheme, SchemeForm } from './types.ts';
import { validateScheme } from './validate.ts';
import { accuracyGrid, bothForms, CLOSED_FORM_TOL, firstMiss, worstError, type FormFn, type Inaccuracy } from './accuracy.ts';
import { compile1 } from '../expr/compile.ts';
import { stabilizeForDisplay } from '../expr/stabilize.ts';
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
  return withAssumptions(signsOf(inp.assumptions), () => assembleAt(inp, inverseHint));
}

function assembleAt(inp: AssembleInput, inverseHint?: MathNode | null): Scheme {
  const { t0, T, derived } = inp;
  const fns = derived.bind(inp.params);
  const grid = accuracyGrid(t0, T);
  const fallbacks: string[] = [];
  const quantities = Object.fromEntries((Object.keys(fns) as QuantityName[]).map((k) => {
    const expr = derived.exprs[k], evalExpr = derived.evalExprs?.[k] ?? expr;
    if (!expr || !evalExpr) return [k, quantity(fns[k], null)];
    const kept = accurateForm(k, expr, evalExpr, fns, inp.params, grid);
    if ('miss' in kept) { fallbacks.push(fallbackNote(k, kept.miss)); return [k, quantity(fns[k], null)]; }
    return [k, quantity(fns[k], kept.display, evalExpr)];
  })) as Record<QuantityName, Quantity>;
  const inv = findInverse(inp, fns, grid, inverseHint);
  if (inv.miss) fallbacks.push(fallbackNote('tOfLogSnr', inv.miss));
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
    fallbacks,
    ...(inp.sampling ? { sampling: inp.sampling } : {}),
  };
}

/** Values below this are compared absolutely (as in proofs/closedForms.ts: near sigma(0) = 0 a relative error means nothing). */
const FLOOR = 1e-12;

/**
 * A quantity's closed form checked against its float64 view on the grid (tolerances in
 * src/scheme/accuracy.ts): the display form to print (the declared one, or, when that cancels in
 * float64 but the evaluation form does not, the evaluation form with its constants as written), or
 * where it misses. d sigma/dt = (2 f sigma^2 + g^2) / (2 sigma) is measured relative to the size of
 * its terms (they cancel near T for VP schedules, in every float64 formula).
 */
function accurateForm(k: QuantityName, expr: MathNode, evalExpr: MathNode, fns: Fns, env: Env, grid: number[]): { display: MathNode } | { miss: Inaccuracy } {
  const scale = k === 'dsigma'
    ? (t: number) => Math.max(FLOOR, (Math.abs(2 * fns.f(t) * fns.sigma2(t)) + Math.abs(fns.g2(t))) / (2 * fns.sigma(t)))
    : () => FLOOR;
  return accurate(expr, evalExpr, env, (forms) => firstMiss(forms, fns[k], grid, scale));
}

/** The first of the display form and its stabilised rewrite whose forms pass `missOf`, or the first miss. */
function accurate(display: MathNode, evalExpr: MathNode, env: Env, missOf: (forms: FormFn[]) => Inaccuracy | null): { display: MathNode } | { miss: Inaccuracy } {
  let first: Inaccuracy | null = null;
  for (const d of [display, stabilizeForDisplay(display)]) {
    let miss: Inaccuracy | null;
    try { miss = missOf(bothForms(d, evalExpr, env)); } catch { miss = { error: Infinity, t: NaN, form: 'compilation', tol: 0 }; }
    if (!miss) return { display: d };
    first ??= miss;
    if (miss.form !== 'display form') break; // the evaluation form itself is inaccurate: no display helps
  }
  return { miss: first! };
}

function fallbackNote(k: string, m: Inaccuracy): string {
  const err = Number.isFinite(m.error) ? m.error.toExponential(2) : String(m.error);
  return `${k}: the closed form's ${m.form} loses accuracy in float64 (relative error ${err} > ${m.tol}${Number.isFinite(m.t) ? ` at t = ${m.t}` : ''}); computed numerically instead`;
}

/**
 * The inverse t(logSnr): a closed form (the hint found at other parameter values, else the first
 * candidate of `invert`) kept only when both its evaluation and its display form round-trip
 * t -> logSnr(t) -> t to their tolerances (relative in t) on the grid; else the numeric inverse, and
 * `miss` reports why the best closed form was set aside.
 */
function findInverse(inp: AssembleInput, fns: Fns, grid: number[], hint?: MathNode | null): { fn: (l: number) => number; expr: MathNode | null; method: Method; miss?: Inaccuracy } {
  const { T } = inp;
  const ts = grid.filter((t) => Number.isFinite(fns.logSnr(t)));
  let miss: Inaccuracy | undefined;
  // a closed form t(lambda) (in the symbol t) that round-trips at these values
  const roundTrips = (tl: MathNode): { fn: (l: number) => number; expr: MathNode } | null => {
    let evalFn: (l: number) => number;
    try { evalFn = compile1(tl, inp.params); } catch { return null; }
    const ulpWidth = (t: number) => (4 * Number.EPSILON * Math.max(1, Math.abs(fns.logSnr(t)))) / Math.abs(fns.dlogSnr(t));
    const kept = accurate(tl, tl, inp.params, (forms) =>
      // relative in t, but never finer than the t-width of 4 ulps of logSnr(t) (where logSnr is flat, no inverse can do better)
      firstMiss(forms.map((f) => ({ ...f, fn: (t: number) => f.fn(fns.logSnr(t)) })), (t) => t, ts, (t) => ulpWidth(t) / CLOSED_FORM_TOL));
    if ('display' in kept) return { fn: evalFn, expr: kept.display };
    // the right branch (its evaluation form is close) losing accuracy is a fallback to report; another branch is not
    if (worstError({ name: '', fn: (t) => evalFn(fns.logSnr(t)), tol: 0 }, (t) => t, ts).error < 1e-3 && (!miss || kept.miss.error < miss.error)) miss = kept.miss;
    return null;
  };
  if (hint) { const r = roundTrips(hint); if (r) return { fn: guardInverse(r.fn, inp.name), expr: r.expr, method: 'symbolic' }; }
  for (const { tree, target } of inp.derived.inverseCandidates) {
    if (!tree) continue;
    let cands: MathNode[] = [];
    try { cands = invert(tree, target, inp.params); } catch { cands = []; }
    for (const c of cands) {
      const tl = substitute(c, 'y', sym('t'));
      const r = roundTrips(tl);
      if (r) return { fn: guardInverse(r.fn, inp.name), expr: r.expr, method: 'symbolic' };
    }
  }
  const num = inp.numericInverse ?? monotoneInverse(fns.logSnr, 0, T);
  return { fn: num, expr: null, method: 'numeric', ...(miss ? { miss } : {}) };
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
