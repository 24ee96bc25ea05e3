/**
 * Random expressions in t and a parameter b whose simplification depends on b's sign:
 * sqrt(b^2 P), abs(b P), log(b^2 P), (b^2)^(3/2), sqrt(b^4 P), log(b P), exp(k log b), ... with P a
 * random positive expression in t; combined by sums and products. Together with a sign assumption
 * for b and values of b admissible under it.
 */
import fc from 'fast-check';
import type { Sign } from '../../src/expr/canonical.ts';
import { exprTree } from './exprTree.ts';

export type SignOrReal = Sign | 'real';

const PATTERNS: readonly ((P: string) => string)[] = [
  (P) => `sqrt(b^2 * ${P})`,
  (P) => `sqrt(b^2) * ${P}`,
  (P) => `abs(b) * ${P}`,
  (P) => `abs(b * ${P})`,
  (P) => `abs(-b) + ${P}`,
  (P) => `log(b^2 * ${P})`,
  (P) => `(b^2)^(3/2) * ${P}`,
  (P) => `sqrt(b^4 * ${P})`,
  (P) => `sqrt(2 * b^2) / ${P}`,
  (P) => `log(b * ${P})`,
  (P) => `exp(3 * log(b)) + ${P}`,
  (P) => `sqrt(b) ^ 2 * ${P}`,
];

/** An expression source, in t and b. */
export function signedExpr(): fc.Arbitrary<string> {
  const positive = exprTree({ maxDepth: 2 }).map((u) => `(1 + (${u})^2)`);
  const piece = fc.tuple(fc.constantFrom(...PATTERNS), positive).map(([p, P]) => p(P));
  return fc.array(fc.tuple(piece, fc.constantFrom(' + ', ' * ', ' - ')), { minLength: 1, maxLength: 3 })
    .map((xs) => xs.map(([p, op], i) => (i === 0 ? `(${p})` : `${op}(${p})`)).join(''));
}

/** A sign assumption for b and values of b admissible under it (0 included where the range is closed). */
export function signWithValues(): fc.Arbitrary<{ sign: SignOrReal; values: number[] }> {
  const mag = fc.double({ min: 0.05, max: 4, noNaN: true });
  return fc.constantFrom<SignOrReal>('pos', 'nonneg', 'neg', 'nonpos', 'real').chain((sign) => fc.array(mag, { minLength: 3, maxLength: 3 }).map(([x, y, z]) => ({
    sign,
    values: sign === 'pos' ? [x, y, z]
      : sign === 'nonneg' ? [x, y, 0]
        : sign === 'neg' ? [-x, -y, -z]
          : sign === 'nonpos' ? [-x, -y, 0]
            : [x, -y, z],
  })));
}
