/**
 * Random pieces of noise schedules, as mathjs expression strings in t, in four families:
 * polynomial, exponential, sigmoid and cosine. Each piece comes with the property the schedule
 * arbitraries compose on:
 *   - `positive`: > 0 on [0, T] (rates such as beta(t) or g^2(t));
 *   - `increasing`: non-decreasing on [0, T], 0 at t = 0, strictly increasing near 0
 *     (cumulative quantities such as B(t) = int beta, or a log-SNR decrease);
 *   - `signed`: any smooth bounded function (a drift f(t) may have any sign).
 */
import fc from 'fast-check';

export type PieceFamily = 'polynomial' | 'exponential' | 'sigmoid' | 'cosine';
export const PIECE_FAMILIES: readonly PieceFamily[] = ['polynomial', 'exponential', 'sigmoid', 'cosine'];
export type PieceShape = 'positive' | 'increasing' | 'signed';

export interface PieceConstraints {
  /** what the piece must satisfy on [0, T] */
  shape: PieceShape;
  /** right end of the interval the shape holds on */
  T: number;
  /** rough size of the piece's values on [0, T] (coefficients are drawn up to this) */
  scale?: number;
  /** families to draw from (default: all four) */
  families?: readonly PieceFamily[];
}

export interface Piece {
  family: PieceFamily;
  /** mathjs expression in t */
  expr: string;
}

/** A number as an expression operand (negative numbers parenthesised). */
export const lit = (x: number): string => (Math.abs(x) < 1e-100 ? '0' : x < 0 || Object.is(x, -0) ? `(${x})` : `${x}`); // products of literals below 1e-100 leave the parser's range

/**
 * A coefficient in [lo, hi]; when the range reaches 0, one draw in four is a tiny magnitude
 * 10^-U(6, 100) (near-zero coefficients make closed forms cancel: the declaration must then fall
 * back to numeric views, never a wrong value). Magnitudes below 1e-100 become 0 (products of such
 * literals would leave the range the parser accepts: see parse.ts).
 */
const coef = (lo: number, hi: number): fc.Arbitrary<number> => {
  const plain = fc.double({ min: lo, max: hi, noNaN: true, noDefaultInfinity: true }).map((x) => (Math.abs(x) < 1e-100 ? 0 : x));
  if (!(lo <= 0 && hi >= 0)) return plain;
  const tiny = fc.tuple(fc.double({ min: 6, max: 100, noNaN: true }), fc.boolean()).map(([e, neg]) => (neg && lo < 0 ? -1 : 1) * 10 ** -e);
  return fc.oneof({ arbitrary: plain, weight: 3 }, { arbitrary: tiny, weight: 1 });
};
/**
 * A rate inside exp(k t) or sigmoid(k (t - m)): exactly 0 or |k| >= 0.01. Near-zero rates make the
 * closed-form integrals cancel catastrophically ((c/k) e^{k t} - c/k), a known weakness of the
 * SDE-form derivation (reported), which these arbitraries do not explore.
 */
const rate = (lo: number, hi: number) => coef(lo, hi).map((k) => (Math.abs(k) < 0.01 ? 0 : k));

/** One random piece with the requested shape. */
export function schedulePiece(c: PieceConstraints): fc.Arbitrary<Piece> {
  const { shape, T } = c;
  const A = c.scale ?? 5;
  const fams = c.families ?? PIECE_FAMILIES;
  const byFamily: Record<PieceFamily, fc.Arbitrary<string>> = {
    polynomial:
      shape === 'positive'
        ? fc.tuple(coef(0.01, A), coef(0, A), coef(0, A)).map(([a, b, d]) => `${lit(a)} + ${lit(b / T)} * t + ${lit(d / (T * T))} * t^2`)
        : shape === 'increasing'
          ? fc.tuple(coef(0.05, A), coef(0, A), fc.integer({ min: 2, max: 3 })).map(([a, b, k]) => `${lit(a / T)} * t + ${lit(b / T ** k)} * t^${k}`)
          : fc.tuple(coef(-A, A), coef(-A, A), coef(-A, A)).map(([a, b, d]) => `${lit(a)} + ${lit(b / T)} * t + ${lit(d / (T * T))} * t^2`),
    exponential:
      shape === 'positive'
        ? fc.tuple(coef(0.01, A), rate(-3, 3)).map(([a, b]) => `${lit(a)} * exp(${lit(b / T)} * t)`)
        : shape === 'increasing'
          // (a/b) expm1(b t) is increasing for a > 0 and any b != 0, and 0 at t = 0
          ? fc.tuple(coef(0.05, A), coef(0.2, 3), fc.boolean()).map(([a, b, neg]) => { const k = (neg ? -b : b) / T; return `${lit(a / k / T)} * expm1(${lit(k)} * t)`; })
          : fc.tuple(coef(-A, A), rate(-3, 3)).map(([a, b]) => `${lit(a)} * exp(${lit(b / T)} * t)`),
    sigmoid:
      shape === 'positive'
        ? fc.tuple(coef(0.05, A), rate(-10, 10), coef(0, 1)).map(([a, b, m]) => `${lit(a)} * sigmoid(${lit(b / T)} * (t - ${lit(m * T)}))`)
        : shape === 'increasing'
          ? fc.tuple(coef(0.05, A), coef(1, 10), coef(0, 1)).map(([a, b, m]) => `${lit(a)} * (sigmoid(${lit(b / T)} * (t - ${lit(m * T)})) - sigmoid(${lit(-b * m)}))`)
          : fc.tuple(coef(-A, A), rate(-10, 10), coef(0, 1)).map(([a, b, m]) => `${lit(a)} * sigmoid(${lit(b / T)} * (t - ${lit(m * T)}))`),
    cosine:
      shape === 'positive'
        ? fc.tuple(coef(0.05, A), coef(0, 0.95), coef(0.1, 8), coef(0, 6.28)).map(([a, k, w, p]) => `${lit(a)} * (1 + ${lit(k)} * cos(${lit(w / T)} * t + ${lit(p)}))`)
        : shape === 'increasing'
          // 1 - cos(w t) increases on [0, T] while w T <= pi
          ? fc.tuple(coef(0.05, A), coef(0.3, Math.PI)).map(([a, w]) => `${lit(a)} * (1 - cos(${lit(w / T)} * t))`)
          : fc.tuple(coef(-A, A), coef(0.1, 8), coef(0, 6.28)).map(([a, w, p]) => `${lit(a)} * cos(${lit(w / T)} * t + ${lit(p)})`),
  };
  return fc.constantFrom(...fams).chain((family) => byFamily[family].map((expr) => ({ family, expr })));
}

/**
 * A sum of 1..maxPieces pieces of one shape (a sum keeps positivity and monotonicity). An
 * `increasing` sum always includes a strictly increasing polynomial or exponential piece first, so
 * that it is strictly positive for t > 0.
 */
export function pieceSum(c: PieceConstraints & { maxPieces?: number }): fc.Arbitrary<string> {
  const max = c.maxPieces ?? 3;
  const first = c.shape === 'increasing' ? schedulePiece({ ...c, families: ['polynomial', 'exponential'] }) : schedulePiece(c);
  return fc.tuple(first, fc.array(schedulePiece(c), { minLength: 0, maxLength: max - 1 }))
    .map(([p, rest]) => [p, ...rest].map((x) => `(${x.expr})`).join(' + '));
}
