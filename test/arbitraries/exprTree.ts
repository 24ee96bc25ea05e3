/**
 * Random well-conditioned expressions in t (mathjs syntax over the whitelist), finite and smooth
 * for t in (0, 2]: leaves t and constants; sums, differences, products, quotients by positive
 * denominators, small integer powers; functions applied to bounded or positive arguments.
 */
import fc from 'fast-check';
import { lit } from './schedulePiece.ts';
import { view, type MathNode } from '../../src/expr/nodes.ts';

export interface ExprTreeConstraints {
  /** maximum nesting depth (default 3) */
  maxDepth?: number;
  /** absolute bound of constants (default 3) */
  constants?: number;
}

export function exprTree(c: ExprTreeConstraints = {}): fc.Arbitrary<string> {
  const K = c.constants ?? 3;
  const constant = fc.double({ min: -K, max: K, noNaN: true, noDefaultInfinity: true }).map((x) => lit(Math.round(x * 1000) / 1000));
  const { node } = fc.letrec<{ node: string }>((tie) => ({
    node: fc.oneof(
      { depthSize: 'small', maxDepth: c.maxDepth ?? 3, withCrossShrink: true },
      fc.constant('t'),
      constant,
      fc.tuple(tie('node'), tie('node')).map(([a, b]) => `(${a}) + (${b})`),
      fc.tuple(tie('node'), tie('node')).map(([a, b]) => `(${a}) - (${b})`),
      fc.tuple(tie('node'), tie('node')).map(([a, b]) => `(${a}) * (${b})`),
      fc.tuple(tie('node'), tie('node')).map(([a, b]) => `(${a}) / (1 + (${b})^2)`),
      fc.tuple(tie('node'), fc.constantFrom(2, 3)).map(([a, k]) => `(${a})^${k}`),
      fc.tuple(fc.constantFrom('sin', 'cos', 'atan', 'tanh', 'sigmoid', 'erf'), tie('node')).map(([f, a]) => `${f}(${a})`),
      tie('node').map((a) => `exp(tanh(${a}))`),
      tie('node').map((a) => `exp(-(${a})^2)`),
      tie('node').map((a) => `sqrt(1 + (${a})^2)`),
      tie('node').map((a) => `log(1 + (${a})^2)`),
      fc.tuple(fc.double({ min: 0.1, max: 2, noNaN: true }), tie('node')).map(([k, a]) => `exp(${lit(k)} * t) * (${a})`),
    ),
  }));
  return node;
}

/** Significant digits of a literal as JavaScript prints it (2.44140625e-4 -> 9; 0.010000000000000002 -> 17). */
export const significantDigits = (c: number): number => String(Math.abs(c)).replace(/e.*$/, '').replace('.', '').replace(/^0+/, '').length;

/** The numeric literals of a canonical tree (to check that no float literal was derived). */
export function literals(n: MathNode, out: number[] = []): number[] {
  const v = view(n);
  if (v.kind === 'const') out.push(v.value);
  else if (v.kind === 'neg' || v.kind === 'call') literals(v.arg, out);
  else if (v.kind === 'bin') { literals(v.a, out); literals(v.b, out); }
  return out;
}
