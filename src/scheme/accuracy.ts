/**
 * How accurately a closed form evaluates in float64, measured at declaration time on a grid over
 * [t0, T]. A closed form is exact, but its float64 evaluation can cancel catastrophically: with a
 * declared coefficient near zero, sigma^2/alpha^2 = g2 (1 - e^{-2kt}) / (2k) at k = 1e-100 prints as
 * 5e98 - 5e98 e^{-1e-100 t}, which is 0 in float64 for every t. Both forms of a closed form are
 * measured: the evaluation form the engines compile (src/expr/stabilize.ts) and the display form
 * exactly as `derive` prints it (what a user, stock mathjs or SymPy in doubles evaluates). A closed
 * form that misses the tolerance in either is set aside and the view is computed numerically
 * (reported in the scheme's `fallbacks`), never a silently wrong value.
 */
import { compile1, interpret, type Fn1 } from '../expr/compile.ts';
import type { Env, MathNode } from '../expr/nodes.ts';

/**
 * Relative accuracy the evaluation form (what every engine and code target runs) must reach on the
 * check grid: ten times stricter than the closed-forms proof's 1e-9 (proofs/closedForms.ts), whose
 * probe times differ from this grid.
 */
export const CLOSED_FORM_TOL = 1e-10;
/**
 * Relative accuracy the display form must reach when evaluated as printed in float64. It is written
 * to be read (e^B + e^{-B} - 2 rather than expm1 sums: sub-VP's loses 1.5e-9 at t = 1e-3), so it
 * is held to less than the evaluation form, but never to a value that is wrong in its leading digits.
 */
export const DISPLAY_TOL = 1e-8;

/** Check grid: 24 uniform and 16 log-uniform interior times of [t0, T] (t >= 1e-6 T), plus both ends. */
export function accuracyGrid(t0: number, T: number): number[] {
  const ts = new Set<number>([t0, T]);
  for (let i = 1; i <= 24; i++) ts.add(t0 + ((T - t0) * (i - 0.5)) / 24);
  const lo = Math.max(t0, 1e-6 * T);
  for (let i = 1; i <= 16; i++) ts.add(lo * (T / lo) ** (i / 17));
  return [...ts].filter((t) => t >= t0 && t <= T && (t > 0 || t0 === 0)).sort((a, b) => a - b);
}

/** A float64 evaluation of one form of a closed form, with the tolerance it is held to. */
export interface FormFn { name: string; fn: Fn1; tol: number }

/** The two float64 evaluations of a closed form: the compiled evaluation form, and the display form as printed. */
export function bothForms(display: MathNode, evalForm: MathNode, env: Env): FormFn[] {
  return [
    { name: 'evaluation form', fn: compile1(evalForm, env), tol: CLOSED_FORM_TOL },
    { name: 'display form', fn: interpret(display, ['t'], env) as Fn1, tol: DISPLAY_TOL },
  ];
}

/** Where a form of a closed form misses the reference: the worst relative error, its time, which form, and its tolerance. */
export interface Inaccuracy { error: number; t: number; form: string; tol: number }

/**
 * The worst relative error |c - r| / max(|c|, |r|, scale(t)) of one form against the reference
 * over `ts`, skipping times where the reference is not finite (a singular end); a non-finite value
 * where the reference is finite counts as error Infinity.
 */
export function worstError(form: FormFn, ref: Fn1, ts: readonly number[], scale: (t: number) => number = () => 0): Inaccuracy {
  let worst: Inaccuracy = { error: 0, t: NaN, form: form.name, tol: form.tol };
  for (const t of ts) {
    const r = ref(t);
    if (!Number.isFinite(r)) continue;
    const c = form.fn(t);
    const e = c === r ? 0 : Number.isFinite(c) ? Math.abs(c - r) / Math.max(Math.abs(c), Math.abs(r), scale(t)) : Infinity;
    if (!(e <= worst.error)) worst = { ...worst, error: e, t };
  }
  return worst;
}

/** The first form that misses its tolerance, or null when every form is accurate. */
export function firstMiss(forms: readonly FormFn[], ref: Fn1, ts: readonly number[], scale?: (t: number) => number): Inaccuracy | null {
  for (const f of forms) { const w = worstError(f, ref, ts, scale); if (!(w.error <= w.tol)) return w; }
  return null;
}
