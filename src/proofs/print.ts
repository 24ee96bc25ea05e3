/**
 * Print a canonical tree as an expression our own parser reads back exactly: shortest round-trip
 * decimals, and the whitelisted function names kept (unlike the stock-mathjs printer, which writes
 * sigmoid/softplus/logit out and so hides their structure from the integration rules).
 */
import { float64, printInfix, type InfixTarget } from '../codegen/infix.ts';
import type { MathNode } from '../expr/nodes.ts';

const CANONICAL: InfixTarget = {
  number: (v) => (Number.isFinite(v) ? float64(v) : v > 0 ? '(1/0)' : '(-1/0)'),
  symbol: (s) => s,
  pow: (a, b) => `${a} ^ ${b}`,
  powIsOperator: true,
  call: (name, u) => `${name}(${u})`,
};

/** An expression string that `parseExpr` turns back into the same function. */
export function toSource(n: MathNode): string {
  return printInfix(n, CANONICAL);
}
