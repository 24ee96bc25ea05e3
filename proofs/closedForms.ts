/**
 * Theorem (the closed forms are the functions, DESIGN.md "derive"): every derived quantity that
 * has a closed form evaluates to the same values as the float64 function the engines use, both
 * through our compiler (src/expr/compile.ts) and through an independent evaluator: the expression is
 * printed as `derive --json` prints it (src/codegen/mathjs.ts) and evaluated by stock mathjs.
 * The closed-form inverse t(logSnr) is checked the same way on logSnr values.
 * Not applicable when no quantity has a closed form (discrete tables).
 */
import { compile as mathjsCompile } from 'mathjs';
import { compile1 } from '../src/expr/compile.ts';
import { toMathjs } from '../src/codegen/mathjs.ts';
import { compareFns, probeTimes, relativeError, worst, type Comparison } from '../src/proofs/probe.ts';
import type { Proof } from '../src/proofs/types.ts';
import { notApplicable, verdict } from '../src/proofs/verdict.ts';
import { QUANTITY_NAMES, type Scheme } from '../src/scheme/types.ts';

/** Relative tolerance (the accuracy target for `eval`: 1e-9 relative). */
export const CLOSED_FORMS_TOL = 1e-9;

/** Values below this are compared absolutely (near sigma(0) = 0 a relative error is meaningless). */
const FLOOR = 1e-12;

/**
 * d sigma/dt = (2 f sigma^2 + g^2) / (2 sigma) cancels when alpha^2 << 1 (VP near T: the two terms
 * nearly cancel, leaving beta alpha^2 / (2 sigma)); any float64 formula for it carries an error of
 * order eps times the terms, so it is measured relative to them.
 */
const TERM_SCALE: Partial<Record<string, (s: Scheme, t: number) => number>> = {
  dsigma: (s, t) => (Math.abs(2 * s.f(t) * s.sigma2(t)) + Math.abs(s.g2(t))) / (2 * s.sigma(t)),
};

export const closedForms: Proof = {
  id: 'closed-forms',
  title: 'closed forms evaluate to the float64 views',
  statement: String.raw`\text{For every derived quantity } q \in \{\alpha, \sigma, \sigma^2, f, g^2, \lambda, \dot\lambda, \dot\alpha, \dot\sigma, t(\lambda)\} \text{ with a closed form } E_q:\ \ E_q(t) = q(t) \text{ on } [t_0, T].`,
  source: 'DESIGN.md (derive --json: derived expressions evaluate to the same values)',
  check(s) {
    const ts = probeTimes(s, 24, 10);
    const measure = (a: number, b: number) => relativeError(a, b, FLOOR);
    const cs: Comparison[] = [];
    const names: string[] = [];
    let worstName = '', worstError = -1;
    const add = (name: string, c: Comparison) => {
      names.push(name);
      if (!(c.error <= worstError)) { worstError = c.error; worstName = name; }
      cs.push(c);
    };
    for (const k of QUANTITY_NAMES) {
      const q = s.quantities[k];
      if (!q.expr) continue;
      const ours = compile1(q.expr, s.params);
      const stock = mathjsCompile(toMathjs(q.expr));
      const scale = TERM_SCALE[k];
      // relative to the size of the terms where the quantity is a cancelling sum
      const m = scale ? (a: number, b: number, t: number) => Math.abs(a - b) / Math.max(Math.abs(a), Math.abs(b), scale(s, t), FLOOR) : (a: number, b: number) => measure(a, b);
      const cmp = (g: (t: number) => number): Comparison => {
        let error = 0, at = NaN;
        for (const t of ts) { const e = m(g(t), q.fn(t), t); if (!(e <= error)) { error = e; at = t; } }
        return { error, at, identical: false };
      };
      add(k, worst(cmp(ours), cmp((t) => Number(stock.evaluate({ ...s.params, t })))));
    }
    if (s.inverse.expr) {
      const inv = compile1(s.inverse.expr, s.params);
      const stock = mathjsCompile(toMathjs(s.inverse.expr));
      const ls = ts.map((t) => s.logSnr(t));
      const c = worst(compareFns(inv, s.tOfLogSnr, ls, measure), compareFns((l) => Number(stock.evaluate({ ...s.params, t: l })), s.tOfLogSnr, ls, measure));
      add('tOfLogSnr', { ...c, at: Number.isFinite(c.at) ? s.tOfLogSnr(c.at) : c.at }); // report the time, not the logSnr value
    }
    if (cs.length === 0) return notApplicable('no quantity has a closed form');
    const c = worst(...cs);
    return verdict('numeric', c, CLOSED_FORMS_TOL, `${names.length} closed forms (${names.join(' ')}) via our compiler and stock mathjs vs the float64 views; worst: ${worstName}`);
  },
};
