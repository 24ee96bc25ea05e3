/**
 * The lambda-family of reverse-time processes (MATH.md section 3): for every lambda >= 0,
 *   dx = [ f(t) x - (1 + lambda^2)/2 g(t)^2 s(x, t) ] dt + lambda g(t) dW_bar
 * has the forward marginals. lambda = 1: reverse SDE; lambda = 0: probability-flow ODE.
 */
import type { MathNode } from 'mathjs';
import { parseExpr } from '../expr/parse.ts';
import { substitute, sym, type MathNode as Node } from '../expr/nodes.ts';
import { simplifyWith } from '../expr/simplify.ts';
import { signsOf } from '../expr/assumptions.ts';
import type { Scheme } from '../scheme/types.ts';

/** Reverse drift per coordinate, given x, score s and lambda. */
export function reverseDrift(scheme: Scheme, t: number, x: number, s: number, lambda: number): number {
  return scheme.f(t) * x - 0.5 * (1 + lambda * lambda) * scheme.g2(t) * s;
}

/** Reverse diffusion coefficient lambda g(t). */
export function reverseDiffusion(scheme: Scheme, t: number, lambda: number): number {
  return lambda * Math.sqrt(scheme.g2(t));
}

/** PF-ODE drift f x - g^2 s / 2. */
export function pfOdeDrift(scheme: Scheme, t: number, x: number, s: number): number {
  return reverseDrift(scheme, t, x, s, 0);
}

const DRIFT = 'F * X - (1 + L^2) / 2 * G2 * S';
const DIFFUSION = 'L * sqrt(G2)';
const PF = 'F * X - G2 * S / 2';

/**
 * The names of the state, score and lambda variables in the family's closed forms: x, s, lambda,
 * unless a parameter already has that name (vp-cosine's offset s): then the variable is renamed
 * (s -> score, x -> x_t) so that the closed forms keep the parameter as a symbol.
 */
export interface FamilyVars { x: string; s: string; lambda: string }

/** The variable names for this scheme's family ({@link FamilyVars}). */
export function familyVars(scheme: Scheme): FamilyVars {
  const taken = (n: string) => Object.prototype.hasOwnProperty.call(scheme.params, n);
  const pick = (...names: string[]) => names.find((n) => !taken(n)) ?? `${names[0]}_var`;
  return { x: pick('x', 'x_t'), s: pick('s', 'score'), lambda: pick('lambda', 'lam') };
}

function fill(template: string, vars: FamilyVars, scheme: Scheme): MathNode | null {
  const fE = scheme.quantities.f.expr, g2E = scheme.quantities.g2.expr;
  const tree = parseExpr(template, { field: 'template', vars: ['X', 'S', 'L', 't', 'F', 'G2'] });
  if (!fE || !g2E) return null;
  let n = substitute(substitute(tree, 'F', fE as Node), 'G2', g2E as Node);
  n = substitute(substitute(substitute(n, 'X', sym(vars.x)), 'S', sym(vars.s)), 'L', sym(vars.lambda));
  return simplifyWith(n, { signs: signsOf(scheme.assumptions) }); // sqrt(g2) = b for g = b > 0
}

/**
 * Closed forms of the family (DESIGN.md derive --json "reverse" and "pfOde") in t, the parameter
 * names and the variables `vars`, or null where f, g2 are numeric.
 */
export function familyExprs(scheme: Scheme): { drift: MathNode | null; diffusion: MathNode | null; pfOde: MathNode | null; vars: FamilyVars } {
  const vars = familyVars(scheme);
  return {
    drift: fill(DRIFT, vars, scheme),
    diffusion: fill(DIFFUSION, vars, scheme),
    pfOde: fill(PF, vars, scheme),
    vars,
  };
}

/** The templates themselves, for schemes whose f and g2 are numeric. */
export const FAMILY_TEMPLATES = { drift: 'f(t) * x - (1 + lambda^2) / 2 * g2(t) * s', diffusion: 'lambda * sqrt(g2(t))', pfOde: 'f(t) * x - g2(t) * s / 2' } as const;
