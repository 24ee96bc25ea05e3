/**
 * Turn a declaration (DESIGN.md scheme file) into a validated Scheme with every view derived.
 */
import type { MathNode } from 'mathjs';
import { UserError } from '../errors.ts';
import { parseExpr, validateParams } from '../expr/parse.ts';
import { assumptionsOf, signsOf, type Assumptions } from '../expr/assumptions.ts';
import { withAssumptions } from '../expr/canonical.ts';
import { num, pow } from '../expr/nodes.ts';
import { simplify } from '../expr/simplify.ts';
import { FORMS, TOP_LEVEL_KEYS, type SchemeDeclaration } from './declaration.ts';
import { SPACINGS, type Spacing } from './spacing.ts';
import { betaTable, fromDiscrete } from './discrete.ts';
import { fromLogSnr, fromMarginal, fromSde } from './forms.ts';
import type { Scheme } from './types.ts';
import { validateScheme, type ValidationReport } from './validate.ts';
import { assemble } from './views.ts';

/** A declared scheme: its derived views, the validation report (terminal KL included) and the declaration it came from. */
export interface DeclaredScheme { scheme: Scheme; report: ValidationReport; declaration: SchemeDeclaration }

function checkKeys(obj: Record<string, unknown>, allowed: readonly string[], field: string) {
  for (const k of Object.keys(obj)) if (!allowed.includes(k)) throw new UserError(field ? `${field}.${k}` : k, `unknown field (allowed: ${allowed.join(', ')})`);
}
function isObj(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** Derive and validate a scheme; throws UserError on bad input. */
export function declareScheme(input: unknown): DeclaredScheme {
  if (!isObj(input)) throw new UserError('scheme', 'must be a JSON object', { value: typeof input });
  checkKeys(input, TOP_LEVEL_KEYS, '');
  const decl = input as SchemeDeclaration;
  const name = decl.name ?? 'custom';
  if (typeof name !== 'string' || name.length === 0 || name.length > 200) throw new UserError('name', 'must be a non-empty string', { value: name });
  const params = validateParams(decl.params);
  const assumptions = assumptionsOf(params, decl.ranges);
  // every simplification of the derivation may use the parameters' signs (sqrt(b^2) = b for b > 0)
  return withAssumptions(signsOf(assumptions), () => derive(decl, name, params, assumptions));
}

function derive(decl: SchemeDeclaration, name: string, params: Record<string, number>, assumptions: Assumptions): DeclaredScheme {
  const forms = FORMS.filter((k) => decl[k] !== undefined);
  if (forms.length !== 1) throw new UserError(forms.length ? forms.join('+') : 'scheme', `give exactly one of ${FORMS.join(', ')} (got ${forms.length ? forms.join(', ') : 'none'})`);
  const form = forms[0];
  if (decl.time !== undefined && !isObj(decl.time)) throw new UserError('time', 'must be an object {t0, T}', { value: decl.time });
  if (decl.time) checkKeys(decl.time, ['t0', 'T'], 'time');
  const discreteBetas = form === 'discrete' ? (isObj(decl.discrete) ? betaTable(decl.discrete) : (() => { throw new UserError('discrete', 'must be an object', { value: decl.discrete }); })()) : undefined;
  const T = timeValue(decl.time?.T, 'time.T', 1);
  const t0 = timeValue(decl.time?.t0, 'time.t0', discreteBetas ? 1 / discreteBetas.length : 1e-3);
  if (!(t0 >= 0)) throw new UserError('time.t0', 'must be >= 0', { value: t0 });
  if (!(T > t0)) throw new UserError('time.T', `must be greater than t0 = ${t0}`, { value: T });
  const expr = (src: unknown, field: string): MathNode => simplify(parseExpr(src, { field, params }));

  const sampling = samplingDefaults(decl.sampling);
  let scheme: Scheme;
  const base = { name, params, assumptions, t0, T, sampling };
  if (form === 'discrete') {
    const d = fromDiscrete(discreteBetas as Float64Array);
    scheme = assemble({ ...base, form, derived: { exprs: {}, bind: () => d.fns, inverseCandidates: [] }, discrete: d.info, numericInverse: d.inverse });
  } else if (form === 'sde') {
    const sde = decl.sde;
    if (!isObj(sde)) throw new UserError('sde', 'must be an object {f, g2} or {f, g}', { value: sde });
    checkKeys(sde, ['f', 'g2', 'g'], 'sde');
    if ((sde.g2 === undefined) === (sde.g === undefined)) throw new UserError('sde', 'give exactly one of g2 and g');
    const fE = expr(sde.f, 'sde.f');
    const g2E = sde.g2 !== undefined ? expr(sde.g2, 'sde.g2') : simplify(pow(expr(sde.g, 'sde.g'), num(2)));
    scheme = wrap(() => assemble({ ...base, form, derived: fromSde(fE, g2E, T, params) }), 'sde');
  } else if (form === 'marginal') {
    const m = decl.marginal;
    if (!isObj(m)) throw new UserError('marginal', 'must be an object {alpha, sigma}', { value: m });
    checkKeys(m, ['alpha', 'sigma'], 'marginal');
    const aE = expr(m.alpha, 'marginal.alpha'), sE = expr(m.sigma, 'marginal.sigma');
    scheme = assemble({ ...base, form, derived: fromMarginal(aE, sE) });
  } else {
    const lE = expr(decl.logSnr, 'logSnr');
    scheme = assemble({ ...base, form, derived: fromLogSnr(lE) });
  }
  // a quadrature fallback that meets a non-finite integrand while validating is bad input too
  const report = wrap(() => validateScheme(scheme, form), form);
  return { scheme, report, declaration: decl };
}

/** The declaration's optional "sampling" defaults, validated (names as `--spacing`). */
function samplingDefaults(v: unknown): Scheme['sampling'] {
  if (v === undefined) return undefined;
  if (!isObj(v)) throw new UserError('sampling', 'must be an object {spacing, rho}', { value: v });
  checkKeys(v, ['spacing', 'rho'], 'sampling');
  const { spacing, rho } = v;
  if (spacing !== undefined && !(SPACINGS as readonly unknown[]).includes(spacing)) {
    throw new UserError('sampling.spacing', `unknown spacing; known: ${SPACINGS.join(', ')}`, { value: spacing });
  }
  if (rho !== undefined && !(typeof rho === 'number' && Number.isFinite(rho) && rho > 0)) throw new UserError('sampling.rho', 'must be a positive number', { value: rho });
  return { spacing: spacing as Spacing | undefined, rho: rho as number | undefined };
}

function wrap<R>(f: () => R, field: string): R {
  try { return f(); } catch (e) {
    if (e instanceof RangeError) throw new UserError(field, e.message);
    throw e;
  }
}

function timeValue(v: unknown, field: string, dflt: number): number {
  if (v === undefined) return dflt;
  if (typeof v !== 'number' || !Number.isFinite(v)) throw new UserError(field, 'must be a finite number', { value: v });
  return v;
}
