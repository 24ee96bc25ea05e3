/**
 * Print canonical trees as mathjs expressions that evaluate with a stock mathjs: functions mathjs
 * lacks (sigmoid, softplus, logit) are written out.
 */
import type { MathNode } from '../expr/nodes.ts';
import { float64, printInfix, type InfixTarget } from './infix.ts';

const MATHJS: InfixTarget = {
  number: (v) => (Number.isFinite(v) ? float64(v) : v > 0 ? 'Infinity' : '-Infinity'),
  symbol: (s) => s,
  pow: (a, b) => `${a} ^ ${b}`,
  powIsOperator: true,
  call: (name, u) => {
    switch (name) {
      case 'sigmoid': return `(1 / (1 + exp(-(${u}))))`;
      case 'softplus': return `log(1 + exp(${u}))`;
      case 'logit': return `log((${u}) / (1 - (${u})))`;
      default: return `${name}(${u})`;
    }
  },
};

/** A mathjs expression string for the tree. */
export function toMathjs(n: MathNode): string {
  return printInfix(n, MATHJS);
}
