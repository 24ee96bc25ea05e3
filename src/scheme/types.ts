/**
 * The canonical scheme: every view of a linear forward process
 * dx = f(t) x dt + g(t) dW,  x_t = alpha(t) x0 + sigma(t) eps   (MATH.md section 1).
 * All host arithmetic is float64.
 */
import type { MathNode } from 'mathjs';
import type { Assumptions } from '../expr/assumptions.ts';
import type { Spacing } from './spacing.ts';

/** How a quantity was obtained: a closed form, or quadrature / interpolation. */
export type Method = 'symbolic' | 'numeric';

/** Names of the derived scalar quantities (DESIGN.md `derive --json`). */
export const QUANTITY_NAMES = ['alpha', 'sigma', 'sigma2', 'f', 'g2', 'logSnr', 'dlogSnr', 'dalpha', 'dsigma'] as const;
/** One of {@link QUANTITY_NAMES}. */
export type QuantityName = (typeof QUANTITY_NAMES)[number];

/** One derived view: a float64 function of t and, when it exists, its closed form. */
export interface Quantity {
  /** float64 evaluation at time t, at the scheme's parameter values. */
  readonly fn: (t: number) => number;
  /** closed form in t and the parameter names (the display form), or null when numeric. */
  readonly expr: MathNode | null;
  /**
   * the numerically stable form `fn` is compiled from (expm1/log1p rewrites, cancellation guards),
   * equal to `expr` as a function of t and the parameters; null when numeric.
   */
  readonly evalExpr: MathNode | null;
  readonly method: Method;
}

/** Declaration forms of DESIGN.md. */
export type SchemeForm = 'sde' | 'marginal' | 'logSnr' | 'discrete';

/** Discrete-table information kept for discrete schemes (DDPM-style beta tables). */
export interface DiscreteInfo {
  /** beta_i, i = 0..N-1 */
  readonly betas: Float64Array;
  /** alphabar_i = prod_{j<=i} (1 - beta_j) */
  readonly alphasCumprod: Float64Array;
  /** continuous time of index i: t_i = (i + 1) / N (DPM-Solver convention) */
  readonly times: Float64Array;
}

/** A validated, fully derived scheme. */
export interface Scheme {
  readonly name: string;
  /** the parameter values this scheme evaluates at (the closed forms keep the names) */
  readonly params: Readonly<Record<string, number>>;
  /** what the symbolic layer assumes of each parameter (sign, admissible range); see expr/assumptions.ts */
  readonly assumptions: Assumptions;
  /**
   * The same scheme at other parameter values (unnamed ones keep theirs): the closed forms are
   * re-bound, not re-derived; quadrature reruns for numeric views; validation runs for the new
   * values. Throws a UserError naming the parameter for an unknown name or an inadmissible value.
   */
  with(values: Readonly<Record<string, number>>): Scheme;
  readonly form: SchemeForm;
  /** smallest time the engines use */
  readonly t0: number;
  /** largest time */
  readonly T: number;
  readonly quantities: Readonly<Record<QuantityName, Quantity>>;
  alpha(t: number): number;
  sigma(t: number): number;
  sigma2(t: number): number;
  f(t: number): number;
  g2(t: number): number;
  /** half log-SNR, log(alpha / sigma); +Infinity where sigma = 0 */
  logSnr(t: number): number;
  dlogSnr(t: number): number;
  /** d alpha / dt */
  dalpha(t: number): number;
  /** d sigma / dt */
  dsigma(t: number): number;
  /** inverse of logSnr on [0, T]; closed form when one exists */
  tOfLogSnr(lambda: number): number;
  /** how tOfLogSnr is computed */
  readonly inverse: { readonly expr: MathNode | null; readonly method: Method };
  /** x_t | x_s for s < t: alpha_{t|s} = alpha_t / alpha_s, sigma^2_{t|s} = sigma_t^2 - alpha_{t|s}^2 sigma_s^2 */
  transition(s: number, t: number): { alpha: number; sigma: number };
  readonly discrete?: DiscreteInfo;
  /**
   * Closed forms set aside at these parameter values because their float64 evaluation (display or
   * evaluation form) loses accuracy, e.g. through a coefficient near zero; the view is computed
   * numerically instead. One sentence each, naming the quantity, the error and where.
   */
  readonly fallbacks?: readonly string[];
  /** the declaration's sampling defaults (validated names; see SchemeDeclaration.sampling) */
  readonly sampling?: { readonly spacing?: Spacing; readonly rho?: number };
}
