/**
 * Theorem (the closed forms are the functions, DESIGN.md "derive"): every derived quantity that
 * has a closed form evaluates to the same values as the float64 function the engines use, both
 * through our compiler (src/expr/compile.ts) and through an independent evaluator: the expression is
 * printed as `derive --json` prints it (src/codegen/mathjs.ts) and evaluated by stock mathjs. The
 * compiled (evaluation) forms are held to 1e-9; the printed display forms, written to be read
 * rather than for float64 (e^B - 1 where the engines use expm1), to PRINTED_TOL.
 * The closed-form inverse t(logSnr) is checked the same way on logSnr values.
 * Not applicable when no quantity has a closed form (discrete tables).
 */
import { compile as mathjsCompile } from 'mathjs';
import { compile1 } from '../src/expr/compile.ts';
import { toMathjs } from '../src/codegen/mathjs.ts';
import { compareFns, fmt, probeTimes, relativeError, type Comparison } from '../src/proofs/probe.ts';
import { DISPLAY_TOL } from '../src/scheme/accuracy.ts';
import type { Proof } from '../src/proofs/types.ts';
import { notApplicable, verdict } from '../src/proofs/verdict.ts';
import { QUANTITY_NAMES, type Scheme } from '../src/scheme/types.ts';

/** Relative tolerance (the accuracy target for `eval`: 1e-9 relative). */
export const CLOSED_FORMS_TOL = 1e-9;

/** Tolerance of the printed forms through stock mathjs: ten times the accuracy the declaration checks them to (on other times). */
export const PRINTED_TOL = 10 * DISPLAY_TOL;

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

/** The worst of several named comparisons. */
class Worst {
  names: string[] = [];
  name = '';
  c: Comparison = { error: 0, at: NaN, identical: false };
  add(name: string, c: Comparison) {
    this.names.push(name);
    if (!(c.error <= this.c.error)) { this.c = c; this.name = name; }
  }
}

export const closedForms: Proof = {
  id: 'closed-forms',
  title: 'closed forms evaluate to the float64 views',
  statement: String.raw`\text{For every derived quantity } q \in \{\alpha, \sigma, \sigma^2, f, g^2, \lambda, \dot\lambda, \dot\alpha, \dot\sigma, t(\lambda)\} \text{ with a closed form } E_q:\ \ E_q(t) = q(t) \text{ on } [t_0, T].`,
  source: 'DESIGN.md (derive --json: derived expressions evaluate to the same values)',
  check(s) {
    const ts = probeTimes(s, 24, 10);
    const measure = (a: number, b: number) => relativeError(a, b, FLOOR);
    // the compiled evaluation forms (what the engines run) and the printed display forms (stock mathjs)
    const ours = new Worst(), stock = new Worst();
    for (const k of QUANTITY_NAMES) {
      const q = s.quantities[k];
      if (!q.expr) continue;
      const compiled = compile1(q.expr, s.params);
      const printed = mathjsCompile(toMathjs(q.expr));
      const scale = TERM_SCALE[k];
      // relative to the size of the terms where the quantity is a cancelling sum
      const m = scale ? (a: number, b: number, t: number) => Math.abs(a - b) / Math.max(Math.abs(a), Math.abs(b), scale(s, t), FLOOR) : (a: number, b: number) => measure(a, b);
      const cmp = (g: (t: number) => number): Comparison => {
        let error = 0, at = NaN;
        for (const t of ts) { const e = m(g(t), q.fn(t), t); if (!(e <= error)) { error = e; at = t; } }
        return { error, at, identical: false };
      };
      ours.add(k, cmp(compiled));
      stock.add(k, cmp((t) => Number(printed.evaluate({ ...s.params, t }))));
    }
    if (s.inverse.expr) {
      const compiled = compile1(s.inverse.expr, s.params);
      const printed = mathjsCompile(toMathjs(s.inverse.expr));
      const ls = ts.map((t) => s.logSnr(t));
      // report the time, not the logSnr value
      const at = (c: Comparison): Comparison => ({ ...c, at: Number.isFinite(c.at) ? s.tOfLogSnr(c.at) : c.at });
      ours.add('tOfLogSnr', at(compareFns(compiled, s.tOfLogSnr, ls, measure)));
      stock.add('tOfLogSnr', at(compareFns((l) => Number(printed.evaluate({ ...s.params, t: l })), s.tOfLogSnr, ls, measure)));
    }
    if (ours.names.length === 0) return notApplicable('no quantity has a closed form');
    const what = `${ours.names.length} closed forms (${ours.names.join(' ')})`;
    if (!(stock.c.error <= PRINTED_TOL)) return verdict('numeric', stock.c, PRINTED_TOL, `${what} as printed, via stock mathjs, vs the float64 views; worst: ${stock.name}`);
    return verdict('numeric', ours.c, CLOSED_FORMS_TOL, `${what} via our compiler vs the float64 views; worst: ${ours.name} (as printed, via stock mathjs: ${fmt(stock.c.error)} <= ${PRINTED_TOL}, worst: ${stock.name})`);
  },
};
