/**
 * The derivation of a scheme as data (DESIGN.md `derive --json`): every quantity's closed form
 * (mathjs syntax) and method, the lambda-family, the PF-ODE, the inverse and the weightings.
 */
import { toMathjs } from './mathjs.ts';
import { toLatex } from './latex.ts';
import { familyExprs, FAMILY_TEMPLATES } from '../reverse/family.ts';
import { weightingExpr, WEIGHTINGS } from '../reverse/weighting.ts';
import type { Method, Scheme } from '../scheme/types.ts';
import { transitionExprs } from '../scheme/transition.ts';

/** The quantities `sdekit derive --json` reports (DESIGN.md). */
export const DERIVED = ['alpha', 'sigma', 'sigma2', 'f', 'g2', 'logSnr', 'dlogSnr'] as const;

/** The document of `sdekit derive --json`: each quantity's closed form (or none) and its method. */
export interface DerivationJson {
  name: string;
  params: Record<string, number>;
  form: string;
  t0: number;
  T: number;
  quantities: Record<string, { expr: string | null; method: Method }>;
  /** `variables`: the names used for the state, the score and lambda (x, s, lambda unless a parameter has that name) */
  reverse: { drift: string; diffusion: string; method: Method; variables: { x: string; s: string; lambda: string } };
  pfOde: { drift: string; method: Method };
  inverse: { expr: string | null; variable: 'lambda'; method: Method };
  weightings: Record<string, { expr: string | null; method: Method }>;
  /** x_t | x_s: alpha_{t|s}, sigma^2_{t|s} in t, the earlier time (`earlier`: s, or u when a parameter is named s) and the params */
  transition: { alpha: string | null; sigma2: string | null; earlier: string; method: Method };
}

/** Replace the symbol t of an inverse expression by lambda (the log-SNR argument). */
const lambdaOf = (s: string) => s.replace(/\bt\b/g, 'lambda');

/** The derivation of a scheme as DESIGN.md's `derive --json` document (symbolic or numeric per quantity). */
export function derivation(s: Scheme): DerivationJson {
  const fam = familyExprs(s);
  const tr = transitionExprs(s);
  const method = (e: unknown): Method => (e ? 'symbolic' : 'numeric');
  return {
    name: s.name, params: { ...s.params }, form: s.form, t0: s.t0, T: s.T,
    quantities: Object.fromEntries(DERIVED.map((k) => {
      const q = s.quantities[k];
      return [k, { expr: q.expr ? toMathjs(q.expr) : null, method: q.method }];
    })),
    reverse: { drift: fam.drift ? toMathjs(fam.drift) : FAMILY_TEMPLATES.drift, diffusion: fam.diffusion ? toMathjs(fam.diffusion) : FAMILY_TEMPLATES.diffusion, method: method(fam.drift), variables: fam.vars },
    pfOde: { drift: fam.pfOde ? toMathjs(fam.pfOde) : FAMILY_TEMPLATES.pfOde, method: method(fam.pfOde) },
    inverse: { expr: s.inverse.expr ? lambdaOf(toMathjs(s.inverse.expr)) : null, variable: 'lambda', method: s.inverse.method },
    weightings: Object.fromEntries(WEIGHTINGS.map((w) => { const e = weightingExpr(s, w); return [w, { expr: e ? toMathjs(e) : null, method: method(e) }]; })),
    transition: { alpha: tr.alpha ? toMathjs(tr.alpha) : null, sigma2: tr.sigma2 ? toMathjs(tr.sigma2) : null, earlier: tr.earlier, method: method(tr.alpha && tr.sigma2) },
  };
}

const TEX_VARS = { t: 't', x: 'x', s: 's_\\theta(x, t)', lambda: '\\lambda' };
const TEX_NAMES: Record<string, string> = {
  alpha: '\\alpha(t)', sigma: '\\sigma(t)', sigma2: '\\sigma^2(t)', f: 'f(t)', g2: 'g^2(t)',
  logSnr: '\\lambda(t) = \\log\\frac{\\alpha}{\\sigma}', dlogSnr: '\\dot\\lambda(t)',
};

/** LaTeX lines `name = closed form` for each derived view (numeric views say so). */
export function derivationLatex(s: Scheme): Record<string, string> {
  const out: Record<string, string> = {};
  for (const k of DERIVED) {
    const q = s.quantities[k];
    out[k] = `${TEX_NAMES[k]} = ${q.expr ? toLatex(q.expr, { t: 't' }) : '\\text{(numeric: quadrature / table)}'}`;
  }
  const fam = familyExprs(s);
  // the family's state, score and lambda variables (renamed where a parameter has their name)
  const famTex = { t: 't', [fam.vars.x]: TEX_VARS.x, [fam.vars.s]: TEX_VARS.s, [fam.vars.lambda]: TEX_VARS.lambda };
  out.reverse = `\\mathrm{d}x = \\left[${fam.drift ? toLatex(fam.drift, famTex) : 'f(t)\\,x - \\tfrac{1+\\lambda^2}{2} g^2(t)\\, s_\\theta(x,t)'}\\right]\\mathrm{d}t + ${fam.diffusion ? toLatex(fam.diffusion, famTex) : '\\lambda\\, g(t)'}\\,\\mathrm{d}\\bar W`;
  out.pfOde = `\\frac{\\mathrm{d}x}{\\mathrm{d}t} = ${fam.pfOde ? toLatex(fam.pfOde, famTex) : 'f(t)\\,x - \\tfrac12 g^2(t)\\, s_\\theta(x,t)'}`;
  if (s.inverse.expr) out.inverse = `t(\\lambda) = ${toLatex(s.inverse.expr, { t: '\\lambda' })}`;
  for (const w of WEIGHTINGS) {
    const e = weightingExpr(s, w);
    if (e) out[`weight ${w}`] = `w_{\\mathrm{${w}}}(t) = ${toLatex(e, { t: 't' })}`;
  }
  const k = transitionExprs(s);
  if (k.alpha && k.sigma2) {
    const sub = `_{t|${k.earlier}}`;
    out.transition = `x_t \\mid x_${k.earlier} \\sim \\mathcal{N}\\big(\\alpha${sub} x_${k.earlier},\\ \\sigma^2${sub}\\big),\\quad \\alpha${sub} = ${toLatex(k.alpha)},\\quad \\sigma^2${sub} = ${toLatex(k.sigma2)}`;
  }
  return out;
}
