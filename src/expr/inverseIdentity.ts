/**
 * Exact proof that a closed-form inverse is one: F(G(y)) = y for all y and all parameters, where
 * F(t) is a closed form (the log-SNR) and G(y) its inverse (src/expr/invert.ts). Composing F with G
 * directly buries the identity inside exp/log arguments the zero test compares only by their normal
 * form, so the outer layers of F are peeled first, each onto the right-hand side with its inverse
 * (F = -log(U)/2 = y  <-  U = e^{-2y};  U = e^B - 1  <-  e^B = e^{-2y} + 1;  ...), down to a core
 * C(t) with t in more than one place (VP-linear: the quadratic b0 t + (b1 - b0) t^2/2). The zero test
 * (src/expr/zero.ts, with radical reduction s^2 = D) then proves C(G(y)) - W(y) = 0, and F(G(y)) = y
 * follows by applying the peeled layers back: f(f^{-1}(z)) = z for every layer (exp(log z) = z,
 * (z^(1/c))^c = z, tan(atan z) = z, ...), an identity wherever it is finite. Failing that,
 * e^{2 F(G(y))} = e^{2y} is tried (exp is injective): VP-cosine's log(alpha) - log(sigma) at G(y)
 * becomes the rational sigmoid(2y) / (1 - sigmoid(2y)).
 */
import { add, call, depends, div, mul, neg, num, pow, sub, substitute, sym, view, type MathNode } from './nodes.ts';
import { INVERSE } from './invert.ts';
import { simplify } from './simplify.ts';
import { provedZero } from './zero.ts';

/** Time after which the proof stops trying further layers (then: not proved, the caller probes). */
const BUDGET_MS = 1000;

/**
 * true when F(G(y)) = y is proved exactly (F in `t`, G in `variable`); undefined when not proved
 * (the caller probes numerically). Both trees are closed forms in the same parameters.
 */
export function provedInverse(F: MathNode, G: MathNode, variable = 't'): true | undefined {
  const y = sym('y__');
  const g = substitute(G, variable, y);
  let core = simplify(F), rhs: MathNode = y;
  // each zero test has its own budget (zero.ts); the whole proof gives up after BUDGET_MS
  const stop = performance.now() + BUDGET_MS;
  for (let depth = 0; depth < 32 && performance.now() < stop; depth++) {
    if (provedZero(sub(simplify(substitute(core, 't', g)), rhs))) return true;
    const step = peel(core, rhs);
    if (!step) break;
    [core, rhs] = [step[0], simplify(step[1])];
  }
  // exp is injective on the reals: e^{2 F(G(y))} = e^{2y} proves F(G(y)) = y where both are finite
  // (a log-SNR written as a difference of logs, log(a) - log(b), turns into the rational a/b)
  // (simplified first: cos(acos z) = z before the zero test writes cos and acos in exp/log terms)
  const composed = simplify(substitute(F, 't', g));
  if (performance.now() < stop && (provedZero(sub(call('exp', mul(num(2), composed)), call('exp', mul(num(2), y)))))) return true;
  return undefined;
}

/** One outer layer of n (which depends on t) moved onto y: [inner, f^{-1}(y)], or null. */
function peel(n: MathNode, y: MathNode): [MathNode, MathNode] | null {
  const v = view(n);
  switch (v.kind) {
    case 'neg': return [v.arg, neg(y)];
    case 'call': { const inv = INVERSE[v.name]; return inv ? [v.arg, inv(y)] : null; }
    case 'bin': {
      const da = depends(v.a), db = depends(v.b);
      if (da === db) return null;
      const [u, c] = da ? [v.a, v.b] : [v.b, v.a];
      switch (v.op) {
        case 'add': return [u, sub(y, c)];
        case 'subtract': return da ? [u, add(y, c)] : [u, sub(c, y)];
        case 'multiply': return [u, div(y, c)];
        case 'divide': return da ? [u, mul(y, c)] : [u, div(c, y)];
        case 'pow': return da ? [u, pow(y, div(num(1), c))] : [u, div(call('log', y), call('log', c))];
      }
    }
  }
  return null;
}
