/**
 * The lambda-family of reverse-time processes (MATH.md section 3): for every lambda >= 0,
 *   dx = [ f(t) x - (1 + lambda^2)/2 g(t)^2 s(x, t) ] dt + lambda g(t) dW_bar
 * has the forward marginals. lambda = 1: reverse SDE; lambda = 0: probability-flow ODE.
 */
import type { MathNode } from 'mathjs';
import { parseExpr } from '../expr/parse.ts';
import { substitute, type MathNode as Node } from '../expr/nodes.ts';
import { simplify } from '../expr/simplify.ts';
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

const DRIFT = 'F * x - (1 + lambda^2) / 2 * G2 * s';
const DIFFUSION = 'lambda * sqrt(G2)';
const PF = 'F * x - G2 * s / 2';

function fill(template: string, vars: string[], scheme: Scheme): MathNode | null {
  const fE = scheme.quantities.f.expr, g2E = scheme.quantities.g2.expr;
  const tree = parseExpr(template, { field: 'template', vars: [...vars, 'F', 'G2'] });
  if (!fE || !g2E) return null;
  return simplify(substitute(substitute(tree, 'F', fE as Node), 'G2', g2E as Node));
}

/** Closed forms of the family (DESIGN.md derive --json "reverse" and "pfOde"), or null where f, g2 are numeric. */
export function familyExprs(scheme: Scheme): { drift: MathNode | null; diffusion: MathNode | null; pfOde: MathNode | null } {
  return {
    drift: fill(DRIFT, ['x', 's', 't', 'lambda'], scheme),
    diffusion: fill(DIFFUSION, ['t', 'lambda'], scheme),
    pfOde: fill(PF, ['x', 's', 't'], scheme),
  };
}

/** The templates themselves, for schemes whose f and g2 are numeric. */
export const FAMILY_TEMPLATES = { drift: 'f(t) * x - (1 + lambda^2) / 2 * g2(t) * s', diffusion: 'lambda * sqrt(g2(t))', pfOde: 'f(t) * x - g2(t) * s / 2' } as const;
