/**
 * Theorem (SDE <-> marginal, MATH.md section 1): the forward SDE and the marginal determine each
 * other. Check by a real round trip through the public declaration API: a scheme declared by its
 * SDE has its derived (alpha, sigma) re-declared as a marginal scheme, whose derived (f, g^2) must
 * be the original; a scheme declared by a marginal or a log-SNR curve has its derived (f, g^2)
 * re-declared as an SDE (started at the data, alpha(0) = 1, sigma(0) = 0), whose derived marginal
 * must be the original once the initial condition is restored:
 *   alpha(t) = alpha(0) alpha~(t),   sigma^2(t) = alpha~(t)^2 sigma(0)^2 + sigma~^2(t).
 * Where no closed forms exist (discrete tables, quadrature views) the marginal -> SDE direction is
 * re-derived numerically: f = (log alpha)', g^2 = -2 sigma^2 (log(alpha/sigma))' by Richardson
 * finite differences.
 */
import { isUserError } from '../src/errors.ts';
import { add, mul, num, pow } from '../src/expr/nodes.ts';
import { simplify } from '../src/expr/simplify.ts';
import { toSource } from '../src/proofs/print.ts';
import { compareFns, compareTrees, derivativeFd, fmt, localWidth, mixedError, probeTimes, worst, type Comparison } from '../src/proofs/probe.ts';
import type { Proof, ProofResult } from '../src/proofs/types.ts';
import { SYMBOLIC_TOL, verdict } from '../src/proofs/verdict.ts';
import { declareScheme } from '../src/scheme/declare.ts';
import type { SchemeDeclaration } from '../src/scheme/declaration.ts';
import type { Quantity, Scheme } from '../src/scheme/types.ts';
import type { Env } from '../src/expr/nodes.ts';

/** Tolerance when a side is numeric (quadrature views of the re-declared scheme). */
export const ROUND_TRIP_NUMERIC_TOL = 1e-8;
/** Tolerance of the finite-difference re-derivation (Richardson-extrapolated 5-point stencils). */
export const ROUND_TRIP_FD_TOL = 1e-6;

/** Compare two quantities: trees when both have closed forms, else their float64 functions. */
function compareQuantity(a: Quantity, b: Quantity, ts: readonly number[], env: Env): { c: Comparison; symbolic: boolean } {
  if (a.expr && b.expr) return { c: compareTrees(a.expr, b.expr, ts, undefined, env), symbolic: true };
  return { c: compareFns(a.fn, b.fn, ts), symbolic: false };
}

/**
 * Declare the generated form on [t0, T]. A forward process with zero terminal SNR (alpha(T) = 0,
 * e.g. rectified flow) has f, g^2 singular at T, where the SDE form's integrals diverge: then the
 * round trip is made on [t0, T'] with T' = T - 1e-3 (T - t0), which still covers every probe time.
 */
function redeclare(s: Scheme, body: Pick<SchemeDeclaration, 'sde' | 'marginal'>): { scheme: Scheme; note: string } | string {
  const attempt = (T: number) => declareScheme({ name: `${s.name}-round-trip`, params: { ...s.params }, time: { t0: s.t0, T }, ...body }).scheme;
  try {
    return { scheme: attempt(s.T), note: '' };
  } catch (e) {
    if (!isUserError(e)) throw e;
    if (s.alpha(s.T) !== 0) return e.message;
    const T1 = s.T - 1e-3 * (s.T - s.t0);
    try { return { scheme: attempt(T1), note: ` (zero terminal SNR: re-declared on [t0, ${fmt(T1)}])` }; } catch (e2) {
      if (isUserError(e2)) return e2.message;
      throw e2;
    }
  }
}

/** sde -> marginal -> sde: the re-declared marginal gives back f and g^2. */
function viaMarginal(s: Scheme, ts: readonly number[]): ProofResult | undefined {
  const { alpha, sigma } = s.quantities;
  if (!alpha.expr || !sigma.expr) return undefined;
  const back = redeclare(s, { marginal: { alpha: toSource(alpha.expr), sigma: toSource(sigma.expr) } });
  if (typeof back === 'string') return { ok: false, method: 'probe', error: Infinity, tolerance: SYMBOLIC_TOL, detail: `re-declaring the derived marginal failed: ${back}` };
  const { scheme: b, note } = back;
  const f = compareQuantity(b.quantities.f, s.quantities.f, ts, s.params), g2 = compareQuantity(b.quantities.g2, s.quantities.g2, ts, s.params);
  const symbolic = f.symbolic && g2.symbolic;
  return verdict(symbolic ? 'symbolic' : 'numeric', worst(f.c, g2.c), symbolic ? SYMBOLIC_TOL : ROUND_TRIP_NUMERIC_TOL, `sde -> marginal -> sde: f and g^2 recovered${note}`);
}

/** marginal -> sde -> marginal: the re-declared SDE gives back alpha and sigma^2. */
function viaSde(s: Scheme, ts: readonly number[]): ProofResult | undefined {
  const { f, g2 } = s.quantities;
  if (!f.expr || !g2.expr) return undefined;
  const a0 = s.alpha(0), s0 = s.sigma(0);
  if (!Number.isFinite(a0) || !Number.isFinite(s0) || !(a0 > 0)) return undefined;
  const back = redeclare(s, { sde: { f: toSource(f.expr), g2: toSource(g2.expr) } });
  if (typeof back === 'string') return { ok: false, method: 'probe', error: Infinity, tolerance: SYMBOLIC_TOL, detail: `re-declaring the derived SDE failed: ${back}` };
  const { scheme: b, note } = back;
  const q = b.quantities, o = s.quantities;
  let ca: Comparison, cs: Comparison, symbolic: boolean;
  if (q.alpha.expr && q.sigma2.expr && o.alpha.expr && o.sigma2.expr) {
    // alpha = alpha(0) alpha~,  sigma^2 = alpha~^2 sigma(0)^2 + sigma~^2
    ca = compareTrees(simplify(mul(num(a0), q.alpha.expr)), o.alpha.expr, ts, undefined, s.params);
    cs = compareTrees(simplify(add(mul(num(s0 * s0), pow(q.alpha.expr, num(2))), q.sigma2.expr)), o.sigma2.expr, ts, undefined, s.params);
    symbolic = true;
  } else {
    ca = compareFns((t) => a0 * b.alpha(t), s.alpha, ts);
    cs = compareFns((t) => b.alpha(t) ** 2 * s0 * s0 + b.sigma2(t), s.sigma2, ts);
    symbolic = false;
  }
  return verdict(symbolic ? 'symbolic' : 'numeric', worst(ca, cs), symbolic ? SYMBOLIC_TOL : ROUND_TRIP_NUMERIC_TOL, `${s.form} -> sde -> marginal: alpha and sigma^2 recovered (alpha(0) = ${fmt(a0)}, sigma(0) = ${fmt(s0)})${note}`);
}

/** marginal -> sde numerically: finite differences of log alpha and log(alpha/sigma). */
function viaFiniteDifferences(s: Scheme, ts: readonly number[]): ProofResult {
  let error = 0, at = NaN;
  for (const t of ts) {
    const h = Math.min(0.5 * localWidth(s, t, 1e-3), 1e-3 * (s.T - s.t0));
    const fT = derivativeFd((u) => Math.log(s.alpha(u)), t, h).value;
    const g2T = -2 * s.sigma2(t) * derivativeFd((u) => Math.log(s.alpha(u)) - Math.log(s.sigma(u)), t, h).value;
    const e = Math.max(mixedError(fT, s.f(t)), mixedError(g2T, s.g2(t)));
    if (!(e <= error)) { error = e; at = t; }
  }
  return verdict('numeric', { error, at, identical: false }, ROUND_TRIP_FD_TOL, 'marginal -> sde by finite differences: f = (log alpha)\', g^2 = -2 sigma^2 (log(alpha/sigma))\'');
}

export const sdeMarginalRoundTrip: Proof = {
  id: 'sde-marginal-round-trip',
  title: 'SDE <-> marginal round trip',
  statement: String.raw`\alpha(t) = \alpha(t_0)\, e^{\int_{t_0}^t f(s)\,\mathrm{d}s},\quad \sigma^2(t) = \alpha(t)^2\Big(\frac{\sigma^2(t_0)}{\alpha(t_0)^2} + \int_{t_0}^t \frac{g^2(s)}{\alpha(s)^2}\,\mathrm{d}s\Big) \iff f = \frac{\mathrm{d}}{\mathrm{d}t}\log\alpha,\quad g^2 = \frac{\mathrm{d}\sigma^2}{\mathrm{d}t} - 2 f \sigma^2.`,
  source: 'MATH.md section 1 (the two forms determine each other)',
  check(s) {
    const ts = probeTimes(s, 24, 3);
    const r = s.form === 'sde' ? viaMarginal(s, ts) : s.form === 'discrete' ? undefined : viaSde(s, ts);
    return r ?? viaFiniteDifferences(s, ts);
  },
};
