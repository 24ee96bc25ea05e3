/**
 * The mathjs-syntax printer of `derive` and `derive --json` (DESIGN.md: expressions in t and the
 * param names, parseable by mathjs and by SymPy's parser): sums as signed terms, products as
 * coefficient * factors / denominator, small rationals as fractions, pi as pi, minimal parentheses;
 * no `- -`, no `1 *`, no `2 * 1 / x`. Functions mathjs lacks (sigmoid, softplus, logit) are written out.
 */
import { num, view, type MathNode } from '../expr/nodes.ts';
import { float64 } from './infix.ts';
import { productOf, readsAsFraction, sumTerms, writeOut } from './terms.ts';


// precedence of a printed piece: higher binds tighter
const SUM = 1, PRODUCT = 2, POW = 4, ATOM = 5;
interface Printed { s: string; p: number }

/** A mathjs expression string for the tree. */
export function toMathjs(n: MathNode): string {
  return expr(writeOut(n)).s;
}

function expr(n: MathNode): Printed {
  const terms = sumTerms(n).map((t) => term(t.node, t.negative));
  if (terms.length === 1) {
    const [t] = terms;
    return t.negative ? { s: `-${t.body.p === SUM ? `(${t.body.s})` : t.body.s}`, p: SUM } : t.body;
  }
  const s = terms.map((t, i) => {
    const body = t.body.p === SUM ? `(${t.body.s})` : t.body.s;
    return i === 0 ? (t.negative ? `-${body}` : body) : `${t.negative ? ' - ' : ' + '}${body}`;
  }).join('');
  return { s, p: SUM };
}

function term(n: MathNode, negative: boolean): { negative: boolean; body: Printed } {
  const pr = productOf(n);
  let { p, q } = pr.coef;
  const factor = (f: MathNode) => { const x = atom(f); return x.p < PRODUCT ? `(${x.s})` : x.s; };
  // a float factor (not a small rational) absorbs the rational coefficient: 100 * 0.085 t reads 8.5 t
  const fl = pr.num.findIndex((f) => view(f).kind === 'const');
  if (fl >= 0 && (p !== 1 || q !== 1)) {
    pr.num[fl] = num((Math.abs(p) * (view(pr.num[fl]) as { value: number }).value) / q);
    p = 1; q = 1;
  }
  const numer = pr.num.map((f) => ({ s: factor(f), p: atom(f).p }));
  let coef: string | undefined;
  if (q !== 1 && !readsAsFraction({ p, q })) { coef = float64(Math.abs(p) / q); p = 1; q = 1; }
  else if (Math.abs(p) !== 1 || numer.length === 0) coef = String(Math.abs(p));
  const top = [...(coef !== undefined ? [{ s: coef, p: ATOM }] : []), ...numer];
  const bottom = [...(q !== 1 ? [{ s: String(q), p: ATOM }] : []), ...pr.den.map(atom)];
  const sign = negative !== pr.negative !== p < 0;
  const topS = top.map((x) => x.s).join(' * ');
  if (bottom.length === 0) return { negative: sign, body: { s: topS, p: top.length > 1 ? PRODUCT : top[0].p } };
  const botS = bottom.length === 1 ? (bottom[0].p >= POW ? bottom[0].s : `(${bottom[0].s})`) : `(${bottom.map((x) => (x.p < PRODUCT ? `(${x.s})` : x.s)).join(' * ')})`;
  return { negative: sign, body: { s: `${topS} / ${botS}`, p: PRODUCT } };
}

/** A factor: anything but a product (products are flattened by term()). */
function atom(n: MathNode): Printed {
  const v = view(n);
  switch (v.kind) {
    case 'const': return Number.isFinite(v.value) ? (v.value < 0 ? expr(n) : { s: float64(v.value), p: ATOM }) : { s: v.value > 0 ? 'Infinity' : '-Infinity', p: v.value > 0 ? ATOM : SUM };
    case 'symbol': return { s: v.name, p: ATOM };
    case 'call': return { s: `${v.name}(${expr(v.arg).s})`, p: ATOM };
    case 'bin':
      if (v.op === 'pow') {
        const e = view(v.b);
        if (e.kind === 'const' && e.value === 0.5) return { s: `sqrt(${expr(v.a).s})`, p: ATOM };
        const base = expr(v.a), ex = expr(v.b);
        const b = base.p < ATOM || base.s.startsWith('-') ? `(${base.s})` : base.s;
        const x = ex.p < ATOM || ex.s.startsWith('-') ? `(${ex.s})` : ex.s;
        return { s: `${b} ^ ${x}`, p: POW };
      }
      return expr(n);
    default: return expr(n);
  }
}
