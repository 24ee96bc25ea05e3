/**
 * Exact rational arithmetic on the literals of expression trees (bigint numerator/denominator), so
 * that derived closed forms carry only the declaration's numbers and exact results of rational
 * arithmetic on them: 0.1 / 3 stays 1/30, never 0.03333333333333333.
 */
import { div, neg, num, type MathNode } from './nodes.ts';

/** n / d in lowest terms, d > 0. */
export interface Rational { readonly n: bigint; readonly d: bigint }

const gcd = (a: bigint, b: bigint): bigint => { a = a < 0n ? -a : a; b = b < 0n ? -b : b; while (b) [a, b] = [b, a % b]; return a; };

function make(n: bigint, d: bigint): Rational {
  if (d === 0n) throw new RangeError('rational division by zero');
  if (d < 0n) { n = -n; d = -d; }
  const g = gcd(n, d) || 1n;
  return { n: n / g, d: d / g };
}

/**
 * The rational a float64 literal denotes: its shortest round-trip decimal (0.1 -> 1/10, 2e-5 ->
 * 1/50000). Every finite double is such a decimal, so this is exact for what the user wrote.
 */
export function fromNumber(v: number): Rational {
  if (!Number.isFinite(v)) throw new RangeError(`not a finite number: ${v}`);
  if (Number.isInteger(v) && Math.abs(v) <= Number.MAX_SAFE_INTEGER) return { n: BigInt(v), d: 1n };
  const m = /^(-?)(\d+)(?:\.(\d+))?(?:e([+-]?\d+))?$/.exec(String(v));
  if (!m) throw new RangeError(`cannot read ${v} as a decimal`);
  const [, sign, whole, frac = '', e = '0'] = m;
  let n = BigInt(whole + frac), d = 10n ** BigInt(frac.length);
  const exp = Number(e);
  if (exp >= 0) n *= 10n ** BigInt(exp); else d *= 10n ** BigInt(-exp);
  return make(sign ? -n : n, d);
}

export const radd = (a: Rational, b: Rational): Rational => make(a.n * b.d + b.n * a.d, a.d * b.d);
export const rsub = (a: Rational, b: Rational): Rational => make(a.n * b.d - b.n * a.d, a.d * b.d);
export const rmul = (a: Rational, b: Rational): Rational => make(a.n * b.n, a.d * b.d);
export const rdiv = (a: Rational, b: Rational): Rational => make(a.n * b.d, a.d * b.n);
export const rneg = (a: Rational): Rational => ({ n: -a.n, d: a.d });
/** a^k for an integer k. */
export function rpow(a: Rational, k: number): Rational {
  if (!Number.isInteger(k)) throw new RangeError('rational power needs an integer exponent');
  const base = k >= 0 ? a : rdiv({ n: 1n, d: 1n }, a);
  const e = BigInt(Math.abs(k));
  return make(base.n ** e, base.d ** e);
}
/** The nearest double to n / d, also when n or d alone overflows a double (literals such as 1e-293 give d = 10^293). */
export function toNumber(a: Rational): number {
  const n = Number(a.n), d = Number(a.d);
  if (Number.isFinite(n) && Number.isFinite(d)) return n / d;
  // q = n 2^k / d with about 64 significant bits, then q 2^-k (the power split in two so neither half overflows)
  const abs = a.n < 0n ? -a.n : a.n;
  if (abs === 0n) return 0;
  const k = 64 - (abs.toString(2).length - a.d.toString(2).length);
  const q = k >= 0 ? (a.n << BigInt(k)) / a.d : a.n / (a.d << BigInt(-k));
  const half = Math.trunc(-k / 2);
  return Number(q) * 2 ** half * 2 ** (-k - half);
}

/** Is the denominator a product of 2s and 5s (a terminating decimal)? */
function terminating(d: bigint): boolean {
  while (d % 2n === 0n) d /= 2n;
  while (d % 5n === 0n) d /= 5n;
  return d === 1n;
}

/**
 * The tree of a rational: a literal when it is a short terminating decimal (1/4 -> 0.25,
 * 1/100 -> 0.01) or an integer, else n / d (1/30, -2/3). Never a rounded float.
 */
export function rationalNode(a: Rational): MathNode {
  const v = toNumber(a);
  if (!Number.isFinite(v)) throw new RangeError('a derived coefficient overflows float64 (rescale the declaration\'s literals)');
  const exact = fromNumber(v);
  const short = exact.n === a.n && exact.d === a.d && (a.d === 1n || (terminating(a.d) && String(Math.abs(v)).replace(/^0\.0*|\.|e.*$/g, '').length <= 8));
  if (short) return num(v);
  if (a.n < 0n) return neg(rationalNode(rneg(a)));
  if (a.n > BigInt(Number.MAX_SAFE_INTEGER) || a.d > BigInt(Number.MAX_SAFE_INTEGER)) return num(v); // not representable exactly anyway
  return div(num(Number(a.n)), num(Number(a.d)));
}

/**
 * The exact value of a tree of literals under + - * / and integer powers, or undefined; also
 * undefined when that value lies outside the doubles' range (it cannot be printed as a literal)
 * or its digits grow past a few thousand bits.
 */
export function exactValue(n: MathNode): Rational | undefined {
  const r = exactRaw(n);
  if (r === undefined) return undefined;
  const v = toNumber(r);
  return Number.isFinite(v) && (v !== 0 || r.n === 0n) ? r : undefined;
}

const MAX_BITS = 4096;
const tooLong = (r: Rational): boolean => (r.n < 0n ? -r.n : r.n).toString(2).length > MAX_BITS || r.d.toString(2).length > MAX_BITS;

function exactRaw(n: MathNode): Rational | undefined {
  const x = n as unknown as { type: string; value?: unknown; fn?: string; args?: MathNode[]; content?: MathNode };
  try {
    switch (x.type) {
      case 'ConstantNode': return typeof x.value === 'number' ? fromNumber(x.value) : undefined;
      case 'ParenthesisNode': return exactRaw(x.content as MathNode);
      case 'OperatorNode': {
        const args = (x.args ?? []).map(exactRaw);
        if (args.some((a) => a === undefined || tooLong(a))) return undefined;
        const [a, b] = args as Rational[];
        switch (x.fn) {
          case 'unaryMinus': return rneg(a);
          case 'unaryPlus': return a;
          case 'add': return radd(a, b);
          case 'subtract': return rsub(a, b);
          case 'multiply': return rmul(a, b);
          case 'divide': return b.n === 0n ? undefined : rdiv(a, b);
          case 'pow': return b.d === 1n && b.n >= -64n && b.n <= 64n && !(a.n === 0n && b.n < 0n) ? rpow(a, Number(b.n)) : undefined;
        }
      }
    }
  } catch { return undefined; }
  return undefined;
}
