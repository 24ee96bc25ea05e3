/**
 * Derivations of every view from each continuous declaration form (MATH.md section 1):
 *   sde:      alpha = exp(int_0^t f),  sigma^2 = alpha^2 int_0^t g^2/alpha^2
 *   marginal: f = (log alpha)',  g^2 = 2 sigma^2 (log(sigma/alpha))'
 *   logSnr:   alpha^2 = sigmoid(2 logSnr), sigma^2 = sigmoid(-2 logSnr)
 * and, for all of them, dlogSnr = -g^2 / (2 sigma^2), dalpha = f alpha,
 * dsigma = (2 f sigma^2 + g^2) / (2 sigma).
 * The closed forms are symbolic in the parameters (derived once); `bind(env)` turns them into float64
 * functions at parameter values, with quadrature where a quantity has no closed form.
 */
import type { MathNode } from 'mathjs';
import { compile1 } from '../expr/compile.ts';
import { CumulativeIntegral } from '../expr/cumulative.ts';
import { derivative } from '../expr/derivative.ts';
import { definiteIntegral } from '../expr/integrate.ts';
import { add, call, div, mul, neg, num, pow, sub, sym, type Env } from '../expr/nodes.ts';
import { simplify } from '../expr/simplify.ts';
import { sigmoid } from '../expr/special.ts';
import type { Derived, Exprs, Fns } from './views.ts';

type Core = Derived;
const Y = () => sym('y');
const sq = (n: MathNode) => pow(n, num(2));
const S = (n: MathNode) => simplify(n);

/** Targets for inverting logSnr(t) = y through other views. */
function candidates(ex: Exprs, extra: Core['inverseCandidates'] = []): Core['inverseCandidates'] {
  const { alpha, sigma, logSnr } = ex;
  const out: Core['inverseCandidates'] = [{ tree: logSnr, target: Y() }, ...extra];
  if (alpha && sigma) out.push({ tree: S(div(sigma, alpha)), target: call('exp', neg(Y())) });
  // variance preserving: alpha^2 = sigmoid(2y), sigma^2 = sigmoid(-2y)
  if (alpha) out.push({ tree: alpha, target: call('sqrt', call('sigmoid', mul(num(2), Y()))) });
  if (sigma) out.push({ tree: sigma, target: call('sqrt', call('sigmoid', mul(num(-2), Y()))) });
  return out;
}

/** From the forward SDE (f, g2); `env` (the declared values) is where the closed forms are checked. */
export function fromSde(fE: MathNode, g2E: MathNode, T: number, env: Env = {}): Core {
  const dom: [number, number] = [0, T];
  // log alpha(t) = int_0^t f
  const logAlphaE = definiteIntegral(fE, 0, dom, env);
  // I(t) = sigma^2/alpha^2 = int_0^t g2(s) e^{-2 log alpha(s)} ds
  const IE = logAlphaE ? definiteIntegral(S(mul(g2E, call('exp', mul(num(-2), logAlphaE)))), 0, dom, env) : null;
  const bind = (env: Env): Fns => {
    const f = compile1(fE, env), g2 = compile1(g2E, env);
    let logAlpha: (t: number) => number;
    if (logAlphaE) logAlpha = compile1(logAlphaE, env);
    else { const c = new CumulativeIntegral(f, 0, T); logAlpha = (t) => c.at(t); }
    const alpha = (t: number) => Math.exp(logAlpha(t));
    const h = (t: number) => g2(t) * Math.exp(-2 * logAlpha(t));
    let I: (t: number) => number;
    // built now even with a closed form (its fallback): a non-finite integrand fails at declaration
    const cum = new CumulativeIntegral(h, 0, T);
    if (IE) {
      const closed = compile1(IE, env);
      // use the closed form unless it cancels catastrophically (then the quadrature is the accurate value)
      const mag = compile1(magnitudeOf(IE), env);
      I = (t) => { const v = closed(t); return Math.abs(v) * 1e6 >= Math.abs(mag(t)) ? v : cum.at(t); };
    } else I = (t) => cum.at(t);
    const sigma2 = (t: number) => alpha(t) ** 2 * I(t);
    return {
      alpha, sigma2, f, g2,
      sigma: (t) => Math.sqrt(sigma2(t)),
      logSnr: (t) => -0.5 * Math.log(I(t)),
      dlogSnr: (t) => -0.5 * h(t) / I(t),
      dalpha: (t) => f(t) * alpha(t),
      dsigma: (t) => (2 * f(t) * sigma2(t) + g2(t)) / (2 * Math.sqrt(sigma2(t))),
    };
  };
  const alphaE = logAlphaE ? S(call('exp', logAlphaE)) : null;
  const sigma2E = alphaE && IE ? S(mul(sq(alphaE), IE)) : null;
  const sigmaE = sigma2E ? S(call('sqrt', sigma2E)) : null;
  const exprs: Exprs = {
    alpha: alphaE, sigma2: sigma2E, sigma: sigmaE, f: fE, g2: g2E,
    logSnr: IE ? S(mul(num(-0.5), call('log', IE))) : null,
    dlogSnr: sigma2E ? S(neg(div(g2E, mul(num(2), sigma2E)))) : null,
    dalpha: alphaE ? S(mul(fE, alphaE)) : null,
    dsigma: sigma2E ? S(div(add(mul(mul(num(2), fE), sigma2E), g2E), mul(num(2), call('sqrt', sigma2E)))) : null,
  };
  return { exprs, bind, inverseCandidates: candidates(exprs, IE ? [{ tree: IE, target: call('exp', mul(num(-2), Y())) }] : []) };
}

/** |F(t)| + |F(0)|-style magnitude: the same tree with every subtraction turned into addition of absolutes. */
function magnitudeOf(n: MathNode): MathNode {
  const v = n as unknown as { type: string; fn?: string; args?: MathNode[] };
  if (v.type === 'OperatorNode' && (v.fn === 'subtract' || v.fn === 'add') && v.args) return add(call('abs', magnitudeOf(v.args[0])), call('abs', magnitudeOf(v.args[1])));
  if (v.type === 'FunctionNode') {
    const name = ((n as unknown as { fn: { name: string } }).fn.name);
    if (name === 'expm1') return call('abs', n);
  }
  return call('abs', n);
}

/** From the marginal (alpha, sigma). */
export function fromMarginal(alphaE: MathNode, sigmaE: MathNode): Core {
  const dalphaE = derivative(alphaE), dsigmaE = derivative(sigmaE);
  const fE = S(div(dalphaE, alphaE));
  const sigma2E = S(sq(sigmaE));
  // g^2 = (sigma^2)' - 2 f sigma^2 (MATH.md 1), from sigma^2 rather than 2 sigma sigma': finite where
  // sigma' is not (sigma = sqrt(t) at t = 0 gives 2 sqrt(t) (0.5/sqrt(t)) = 0 * inf)
  const g2E = S(sub(derivative(sigma2E), mul(mul(num(2), fE), sigma2E)));
  const bind = (env: Env): Fns => {
    const alpha = compile1(alphaE, env), sigma = compile1(sigmaE, env), dalpha = compile1(dalphaE, env), dsigma = compile1(dsigmaE, env);
    return {
      alpha, sigma, dalpha, dsigma,
      f: (t) => dalpha(t) / alpha(t),
      g2: compile1(g2E, env),
      sigma2: (t) => sigma(t) ** 2,
      logSnr: (t) => Math.log(alpha(t)) - Math.log(sigma(t)),
      // d/dt log(alpha/sigma) = alpha'/alpha - sigma'/sigma
      dlogSnr: (t) => dalpha(t) / alpha(t) - dsigma(t) / sigma(t),
    };
  };
  const exprs: Exprs = {
    alpha: alphaE, sigma: sigmaE, sigma2: sigma2E, f: fE, g2: g2E, dalpha: dalphaE, dsigma: dsigmaE,
    logSnr: S(call('log', div(alphaE, sigmaE))),
    dlogSnr: S(sub(div(dalphaE, alphaE), div(dsigmaE, sigmaE))),
  };
  return { bind, exprs, inverseCandidates: candidates(exprs) };
}

/** From a variance-preserving half log-SNR curve. */
export function fromLogSnr(lE: MathNode): Core {
  const dlE = derivative(lE);
  const bind = (env: Env): Fns => {
    const l = compile1(lE, env), dl = compile1(dlE, env);
    const alpha2 = (t: number) => sigmoid(2 * l(t)), sigma2 = (t: number) => sigmoid(-2 * l(t));
    return {
      logSnr: l, dlogSnr: dl, sigma2,
      alpha: (t) => Math.sqrt(alpha2(t)),
      sigma: (t) => Math.sqrt(sigma2(t)),
      f: (t) => dl(t) * sigma2(t),
      g2: (t) => -2 * dl(t) * sigma2(t),
      dalpha: (t) => dl(t) * sigma2(t) * Math.sqrt(alpha2(t)),
      dsigma: (t) => -dl(t) * alpha2(t) * Math.sqrt(sigma2(t)),
    };
  };
  const a2E = call('sigmoid', mul(num(2), lE)), s2E = call('sigmoid', mul(num(-2), lE));
  const alphaE = S(call('sqrt', a2E)), sigmaE = S(call('sqrt', s2E));
  const exprs: Exprs = {
    logSnr: lE, dlogSnr: dlE, alpha: alphaE, sigma: sigmaE, sigma2: S(s2E),
    f: S(mul(dlE, s2E)), g2: S(mul(mul(num(-2), dlE), s2E)),
    dalpha: S(mul(mul(dlE, s2E), alphaE)), dsigma: S(neg(mul(mul(dlE, a2E), sigmaE))),
  };
  return { bind, exprs, inverseCandidates: [{ tree: lE, target: Y() }] };
}

