/**
 * Symbolic derivative d/dx of a canonical tree (chain rule over the whitelisted functions),
 * followed by simplification. Parameters are symbols with derivative 0; no float is derived
 * (erf' = 2 e^{-u^2} / sqrt(pi), pi a symbol).
 */
import { add, call, depends, div, mul, neg, num, pow, sub, sym, view, type MathNode } from './nodes.ts';
import { simplify } from './simplify.ts';

/** d n / d name, simplified. */
export function derivative(n: MathNode, name = 't'): MathNode {
  return simplify(d(n, name));
}

function d(n: MathNode, x: string): MathNode {
  if (!depends(n, x)) return num(0);
  const v = view(n);
  switch (v.kind) {
    case 'const': return num(0);
    case 'symbol': return num(v.name === x ? 1 : 0);
    case 'neg': return neg(d(v.arg, x));
    case 'call': return mul(outer(v.name, v.arg), d(v.arg, x));
    case 'bin': {
      const { a, b } = v;
      switch (v.op) {
        case 'add': return add(d(a, x), d(b, x));
        case 'subtract': return sub(d(a, x), d(b, x));
        case 'multiply': return add(mul(d(a, x), b), mul(a, d(b, x)));
        case 'divide': return sub(div(d(a, x), b), div(mul(a, d(b, x)), pow(b, num(2))));
        case 'pow':
          if (!depends(b, x)) return mul(mul(b, pow(a, sub(b, num(1)))), d(a, x));
          // a^b = exp(b log a)
          return mul(n, add(mul(d(b, x), call('log', a)), div(mul(b, d(a, x)), a)));
      }
    }
  }
}

/** F'(u) for each whitelisted F. */
function outer(name: string, u: MathNode): MathNode {
  switch (name) {
    case 'exp': return call('exp', u);
    case 'log': return div(num(1), u);
    case 'log1p': return div(num(1), add(num(1), u));
    case 'expm1': return call('exp', u);
    case 'sqrt': return div(num(0.5), call('sqrt', u));
    case 'sin': return call('cos', u);
    case 'cos': return neg(call('sin', u));
    case 'tan': return add(num(1), pow(call('tan', u), num(2)));
    case 'atan': return div(num(1), add(num(1), pow(u, num(2))));
    case 'tanh': return sub(num(1), pow(call('tanh', u), num(2)));
    case 'sigmoid': return mul(call('sigmoid', u), call('sigmoid', neg(u)));
    case 'softplus': return call('sigmoid', u);
    case 'logit': return div(num(1), mul(u, sub(num(1), u)));
    case 'erf': return div(mul(num(2), call('exp', neg(pow(u, num(2))))), call('sqrt', sym('pi')));
    case 'abs': return div(u, call('abs', u));
    case 'sinh': return call('cosh', u);
    case 'cosh': return call('sinh', u);
    case 'asin': return div(num(1), call('sqrt', sub(num(1), pow(u, num(2)))));
    case 'acos': return neg(div(num(1), call('sqrt', sub(num(1), pow(u, num(2))))));
    case 'atanh': return div(num(1), sub(num(1), pow(u, num(2))));
  }
  throw new Error(`no derivative rule for ${name}`);
}
