/**
 * LaTeX as a paper writes it (KaTeX-renderable): parameters with subscripts (b0 -> b_0,
 * sigma_max -> \sigma_{\max}), Greek letters where a name is one, exp as e^{..} (\exp for long
 * arguments), expm1 as e^{..} - 1, log1p as \log(1 + ..), fractions as \frac / \tfrac, products by
 * juxtaposition, small rationals and multiples of pi exact, minimal parentheses.
 */
import { add, depends, num, view, type MathNode } from '../expr/nodes.ts';
import { productOf, readsAsFraction, sumTerms, writeOut } from './terms.ts';

const GREEK = new Set(['alpha', 'beta', 'gamma', 'delta', 'epsilon', 'zeta', 'eta', 'theta', 'iota', 'kappa', 'lambda', 'mu', 'nu', 'xi', 'pi', 'rho', 'sigma', 'tau', 'upsilon', 'phi', 'chi', 'psi', 'omega', 'Gamma', 'Delta', 'Theta', 'Lambda', 'Xi', 'Pi', 'Sigma', 'Phi', 'Psi', 'Omega', 'varepsilon', 'varphi']);
const OPERATOR_SUBSCRIPTS = new Set(['min', 'max']);

const letters = (s: string) => (GREEK.has(s) ? `\\${s}` : s.length === 1 ? s : `\\mathrm{${s}}`);
const subscript = (s: string) => (OPERATOR_SUBSCRIPTS.has(s) ? `\\${s}` : /^\d+$/.test(s) ? s : letters(s));

/**
 * LaTeX of a parameter or variable name: b0 -> b_0, beta0 -> \beta_0, sigma_max -> \sigma_{\max},
 * smin -> s_{\min}, sigma_data -> \sigma_{\mathrm{data}}, lambda -> \lambda.
 */
export function texName(name: string): string {
  let base = name, sub: string | undefined;
  const us = name.indexOf('_');
  if (us > 0 && us < name.length - 1) { base = name.slice(0, us); sub = name.slice(us + 1); }
  else {
    const m = /^([A-Za-z]+?)(\d+|min|max)$/.exec(name);
    if (m && !GREEK.has(name)) { base = m[1]; sub = m[2]; }
  }
  const b = letters(base);
  if (sub === undefined) return b;
  const s = subscript(sub);
  return `${b}_${s.length === 1 ? s : `{${s}}`}`;
}

// precedence of a printed piece: higher binds tighter
const SUM = 1, PRODUCT = 2, POW = 4, ATOM = 5;
interface Printed { s: string; p: number; tall?: boolean }

/** LaTeX source of a tree; `vars` overrides the LaTeX of symbol names (else {@link texName}). */
export function toLatex(n: MathNode, vars: Record<string, string> = {}): string {
  return new Printer(vars).expr(writeOut(n)).s;
}

const brace = (s: string) => (s.length === 1 ? s : `{${s}}`);
const paren = (x: Printed) => (x.tall ? `\\left(${x.s}\\right)` : `(${x.s})`);
/** short enough for \tfrac and for e^{..} */
const short = (s: string, max: number) => s.replace(/\\[a-zA-Z]+|[{}\s]/g, (m) => (m.startsWith('\\') ? 'x' : '')).length <= max;

class Printer {
  constructor(private readonly vars: Record<string, string>) {}

  expr(n: MathNode): Printed {
    const terms = sumTerms(n).map((t) => this.term(t.node, t.negative));
    const tall = terms.some((t) => t.body.tall);
    const s = terms.map((t, i) => {
      const body = t.body.p === SUM ? paren(t.body) : t.body.s;
      return i === 0 ? (t.negative ? `-${body}` : body) : `${t.negative ? ' - ' : ' + '}${body}`;
    }).join('');
    if (terms.length === 1 && !terms[0].negative) return terms[0].body;
    return { s, p: SUM, tall };
  }

  private term(n: MathNode, negative: boolean): { negative: boolean; body: Printed } {
    const pr = productOf(n);
    let { p, q } = pr.coef;
    // numbers first; a float factor absorbs the rational coefficient
    // numbers, then parameters, then the rest; a symbol printed as a function (the score s_\theta(x, t)) last
    const rank = (f: MathNode) => { const v = view(f); return v.kind === 'const' ? 0 : v.kind === 'symbol' ? (/\(/.test(this.vars[v.name] ?? '') ? 3 : 1) : 2; };
    pr.num.sort((a, b) => rank(a) - rank(b));
    pr.den.sort((a, b) => rank(a) - rank(b));
    if (pr.num.length && view(pr.num[0]).kind === 'const' && (p !== 1 || q !== 1)) { pr.num[0] = num((p * (view(pr.num[0]) as { value: number }).value) / q); p = 1; q = 1; }
    let coef: string | undefined;
    if (q !== 1 && !readsAsFraction({ p, q })) { coef = numberTex(p / q); p = 1; q = 1; }
    else if (p !== 1) coef = String(p);
    const sign = negative !== pr.negative;
    const tall = (xs: Printed[]) => xs.some((x) => x.tall);
    // a paper keeps the variables outside a fraction by a number: \tfrac{b_1 - b_0}{4} t^2, \tfrac{1}{2} \log(..)
    const isOut = pr.num.map((f) => q !== 1 && pr.den.length === 0 && isVariableFactor(f));
    const inside = pr.num.filter((_, i) => !isOut[i]).map((f) => this.atom(f));
    const outside = pr.num.filter((_, i) => isOut[i]).map((f) => this.atom(f));
    const dens = pr.den.map((f) => this.atom(f));
    const top: Printed[] = [...(coef !== undefined ? [{ s: coef, p: ATOM }] : []), ...inside];
    if (dens.length === 0 && q === 1) {
      if (top.length === 0) return { negative: sign, body: { s: '1', p: ATOM } };
      return { negative: sign, body: top.length === 1 ? top[0] : { s: juxtapose(top), p: PRODUCT, tall: tall(top) } };
    }
    const bottom: Printed[] = [...(q !== 1 ? [{ s: String(q), p: ATOM }] : []), ...dens];
    const topS = top.length === 0 ? '1' : top.length === 1 ? top[0].s : juxtapose(top);
    const botS = bottom.length === 1 ? bottom[0].s : juxtapose(bottom);
    const frac = short(topS, 12) && short(botS, 8) && !/\\frac|\\sqrt|\\exp/.test(topS + botS) ? '\\tfrac' : '\\frac';
    const out = outside.length ? ` ${juxtapose(outside)}` : '';
    return { negative: sign, body: { s: `${frac}{${topS}}{${botS}}${out}`, p: PRODUCT, tall: frac === '\\frac' || tall(outside) } };
  }

  private atom(n: MathNode): Printed {
    const v = view(n);
    switch (v.kind) {
      case 'const': return v.value < 0 ? this.expr(n) : { s: numberTex(v.value), p: ATOM };
      case 'symbol': return { s: this.vars[v.name] ?? texName(v.name), p: ATOM };
      case 'call': return this.call(v.name, v.arg);
      case 'bin': {
        if (v.op !== 'pow') return this.expr(n);
        const e = view(v.b);
        if (e.kind === 'const' && e.value === 0.5) { const a = this.expr(v.a); return { s: `\\sqrt{${a.s}}`, p: ATOM, tall: a.tall }; }
        const base = this.atom(v.a), ex = this.expr(v.b);
        // cos(u)^2 as \cos^{2}(u)
        const fv = view(v.a);
        if (fv.kind === 'call' && FN_TEX[fv.name] && e.kind === 'const' && Number.isInteger(e.value) && e.value > 0) {
          const a = this.expr(fv.arg);
          return { s: `${FN_TEX[fv.name]}^${brace(ex.s)}${paren(a)}`, p: ATOM, tall: a.tall };
        }
        const b = base.p < ATOM || base.s.startsWith('-') || /\^/.test(base.s) ? paren(base) : base.s;
        return { s: `${b}^${brace(ex.s)}`, p: POW, tall: base.tall };
      }
      default: return this.expr(n);
    }
  }

  private call(name: string, arg: MathNode): Printed {
    const a = this.expr(arg);
    switch (name) {
      case 'sqrt': return { s: `\\sqrt{${a.s}}`, p: ATOM, tall: a.tall };
      case 'abs': return { s: `\\left|${a.s}\\right|`, p: ATOM, tall: a.tall };
      case 'exp': return this.exp(a);
      case 'expm1': { const e = this.exp(a); return { s: `${e.s} - 1`, p: SUM, tall: e.tall }; }
      case 'log1p': return this.call('log', add(num(1), arg));
      default: return { s: `${FN_TEX[name] ?? `\\operatorname{${name}}`}${paren(a)}`, p: ATOM, tall: a.tall };
    }
  }

  /** e^{u}, or \exp\!\left(u\right) when u is long or tall. */
  private exp(a: Printed): Printed {
    return !a.tall && short(a.s, 16) ? { s: `e^{${a.s}}`, p: POW } : { s: `\\exp\\!\\left(${a.s}\\right)`, p: ATOM, tall: true };
  }
}

const FN_TEX: Record<string, string> = {
  log: '\\log', sin: '\\sin', cos: '\\cos', tan: '\\tan', tanh: '\\tanh', atan: '\\arctan', sinh: '\\sinh',
  cosh: '\\cosh', asin: '\\arcsin', acos: '\\arccos', atanh: '\\operatorname{artanh}', erf: '\\operatorname{erf}',
};

/** Factors in the variables (t, x, lambda) other than sums go after a fraction by numbers and parameters. */
function isVariableFactor(n: MathNode): boolean {
  return sumTerms(n).length === 1 && ['t', 'x', 'lambda'].some((v) => depends(n, v));
}

/** Juxtapose factors (sums in parentheses); a \\cdot only where a number would run into the previous factor. */
function juxtapose(parts: Printed[]): string {
  return parts.map((x) => (x.p === SUM ? paren(x) : x.s)).reduce((acc, s, i) => (i === 0 ? s : /^\d/.test(s) ? `${acc} \\cdot ${s}` : `${acc} ${s}`), '');
}

/** A non-negative number for reading: integers as written, else 6 significant digits (`derive --json` keeps all). */
function numberTex(v: number): string {
  if (!Number.isFinite(v)) return '\\infty';
  const s = Number.isInteger(v) && v < 1e15 ? String(v) : String(Number(v.toPrecision(6)));
  const m = /^([\d.]+)e([+-]\d+)$/.exec(s);
  return m ? `${m[1]} \\times 10^{${Number(m[2])}}` : s;
}
