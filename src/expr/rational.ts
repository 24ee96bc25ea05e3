/**
 * Exact rational numbers p/q (bigint, q > 0, gcd(p, q) = 1) for the literal arithmetic of the
 * simplifier, the zero test and the polynomial layer: 0.1 + 0.2 is 3/10, not 0.30000000000000004,
 * and 0.1 / 3 stays 1/30, so that derived closed forms carry only the declaration's numbers and
 * exact results of rational arithmetic on them. A float literal enters as the decimal it prints as
 * (its shortest round-trip representation), which is the number the user wrote.
 */
import { div, neg, num, type MathNode } from './nodes.ts';

/** An exact rational p/q in lowest terms with q > 0. */
export interface Rat { readonly p: bigint; readonly q: bigint }

const abs = (a: bigint): bigint => (a < 0n ? -a : a);
export function gcd(a: bigint, b: bigint): bigint {
  a = abs(a); b = abs(b);
  while (b) [a, b] = [b, a % b];
  return a;
}

/** p/q reduced; throws a RangeError on q = 0 (callers never divide by an exact zero). */
export function rat(p: bigint, q: bigint = 1n): Rat {
  if (q === 0n) throw new RangeError('rational division by zero');
  if (q < 0n) { p = -p; q = -q; }
  const g = gcd(p, q);
  return g > 1n ? { p: p / g, q: q / g } : { p, q };
}

export const ZERO = rat(0n), ONE = rat(1n), MINUS_ONE = rat(-1n), HALF = rat(1n, 2n);

/**
 * The rational a float64 literal denotes: its shortest round-trip decimal (0.1 -> 1/10, 2e-5 ->
 * 1/50000, 1e-300 -> 1/10^300). Every finite double is such a decimal, so this is exact for what
 * the user wrote.
 */
export function ratOf(v: number): Rat {
  if (!Number.isFinite(v)) throw new RangeError(`not a finite number: ${v}`);
  if (Number.isInteger(v) && Math.abs(v) <= Number.MAX_SAFE_INTEGER) return { p: BigInt(v), q: 1n };
  const m = /^(-?)(\d+)(?:\.(\d+))?(?:e([+-]?\d+))?$/.exec(String(v));
  if (!m) throw new RangeError(`cannot read ${v} as a decimal`);
  const [, sign, whole, frac = '', e = '0'] = m;
  let p = BigInt(whole + frac), q = 10n ** BigInt(frac.length);
  const exp = Number(e);
  if (exp >= 0) p *= 10n ** BigInt(exp); else q *= 10n ** BigInt(-exp);
  return rat(sign ? -p : p, q);
}

export const radd = (a: Rat, b: Rat): Rat => rat(a.p * b.q + b.p * a.q, a.q * b.q);
export const rsub = (a: Rat, b: Rat): Rat => rat(a.p * b.q - b.p * a.q, a.q * b.q);
export const rmul = (a: Rat, b: Rat): Rat => rat(a.p * b.p, a.q * b.q);
export const rdiv = (a: Rat, b: Rat): Rat => rat(a.p * b.q, a.q * b.p);
export const rneg = (a: Rat): Rat => ({ p: -a.p, q: a.q });
export const req = (a: Rat, b: Rat): boolean => a.p === b.p && a.q === b.q;
export const rcmp = (a: Rat, b: Rat): number => { const d = a.p * b.q - b.p * a.q; return d < 0n ? -1 : d > 0n ? 1 : 0; };
export const isInt = (a: Rat): boolean => a.q === 1n;
export const isZero = (a: Rat): boolean => a.p === 0n;
export const isOne = (a: Rat): boolean => a.p === 1n && a.q === 1n;
export const rabs = (a: Rat): Rat => (a.p < 0n ? rneg(a) : a);

/** The nearest double to p/q, also when p or q alone overflows a double (literals such as 1e-293 give q = 10^293). */
export function toNumber(a: Rat): number {
  const n = Number(a.p), d = Number(a.q);
  if (Number.isFinite(n) && Number.isFinite(d)) return n / d;
  // p 2^k / q with about 64 significant bits, then times 2^-k (the power split in two so neither half overflows)
  const ap = abs(a.p);
  if (ap === 0n) return 0;
  const k = 64 - (ap.toString(2).length - a.q.toString(2).length);
  const m = k >= 0 ? (a.p << BigInt(k)) / a.q : a.p / (a.q << BigInt(-k));
  const half = Math.trunc(-k / 2);
  return Number(m) * 2 ** half * 2 ** (-k - half);
}

/** a^k for an integer k (a = 0 with k < 0 is the caller's to avoid). */
export function rpowInt(a: Rat, k: bigint): Rat {
  if (k < 0n) return rpowInt(rat(a.q, a.p), -k);
  return rat(a.p ** k, a.q ** k);
}

/** Exact k-th root of a non-negative bigint, or undefined. */
function iroot(n: bigint, k: bigint): bigint | undefined {
  if (n < 0n) return undefined;
  if (n < 2n) return n;
  let x = BigInt(Math.round(Number(n) ** (1 / Number(k))));
  for (let i = 0; i < 4 && x > 0n; i++) {
    const xk = x ** k;
    if (xk === n) return x;
    x += xk < n ? 1n : -1n;
  }
  return x > 0n && x ** k === n ? x : undefined;
}

/** a^e exactly when the result is rational (4^(1/2) = 2, (8/27)^(2/3) = 4/9), else undefined. */
export function rpow(a: Rat, e: Rat): Rat | undefined {
  if (isInt(e)) {
    if (isZero(a) && e.p < 0n) return undefined;
    if (abs(e.p) > 4096n) return undefined; // keep the numbers bounded
    return rpowInt(a, e.p);
  }
  if (a.p < 0n || e.q > 64n) return undefined;
  const rp = iroot(a.p, e.q), rq = iroot(a.q, e.q);
  if (rp === undefined || rq === undefined) return undefined;
  if (rp === 0n && e.p < 0n) return undefined;
  return rpowInt(rat(rp, rq), e.p);
}

/** gcd of two rationals: the largest r with a/r and b/r both integers. */
export function rgcd(a: Rat, b: Rat): Rat {
  return rat(gcd(a.p, b.p), (a.q / gcd(a.q, b.q)) * b.q);
}

export function ratString(a: Rat): string {
  return a.q === 1n ? String(a.p) : `${a.p}/${a.q}`;
}

// ---- rationals as expression trees ----

/** Is the denominator a product of 2s and 5s (a terminating decimal)? */
function terminating(d: bigint): boolean {
  while (d % 2n === 0n) d /= 2n;
  while (d % 5n === 0n) d /= 5n;
  return d === 1n;
}

/**
 * The tree of a rational: a literal when it is a short terminating decimal (1/4 -> 0.25,
 * 1/100 -> 0.01) or an integer, else p / q (1/30, -2/3). Never a rounded float.
 */
export function rationalNode(a: Rat): MathNode {
  const v = toNumber(a);
  if (!Number.isFinite(v)) throw new RangeError('a derived coefficient overflows float64 (rescale the declaration\'s literals)');
  const exact = ratOf(v);
  const short = req(exact, a) && (a.q === 1n || (terminating(a.q) && String(Math.abs(v)).replace(/^0\.0*|\.|e.*$/g, '').length <= 8));
  if (short) return num(v);
  if (a.p < 0n) return neg(rationalNode(rneg(a)));
  if (a.p > BigInt(Number.MAX_SAFE_INTEGER) || a.q > BigInt(Number.MAX_SAFE_INTEGER)) return num(v); // not representable exactly anyway
  return div(num(Number(a.p)), num(Number(a.q)));
}

/**
 * The exact value of a tree of literals under + - * / and integer powers, or undefined; also
 * undefined when that value lies outside the doubles' range (it cannot be printed as a literal)
 * or its digits grow past a few thousand bits.
 */
export function exactValue(n: MathNode): Rat | undefined {
  const r = exactRaw(n);
  if (r === undefined) return undefined;
  const v = toNumber(r);
  return Number.isFinite(v) && (v !== 0 || r.p === 0n) ? r : undefined;
}

const MAX_BITS = 4096;
const tooLong = (r: Rat): boolean => abs(r.p).toString(2).length > MAX_BITS || r.q.toString(2).length > MAX_BITS;

function exactRaw(n: MathNode): Rat | undefined {
  const x = n as unknown as { type: string; value?: unknown; fn?: string; args?: MathNode[]; content?: MathNode };
  try {
    switch (x.type) {
      case 'ConstantNode': return typeof x.value === 'number' ? ratOf(x.value) : undefined;
      case 'ParenthesisNode': return exactRaw(x.content as MathNode);
      case 'OperatorNode': {
        const args = (x.args ?? []).map(exactRaw);
        if (args.some((a) => a === undefined || tooLong(a))) return undefined;
        const [a, b] = args as Rat[];
        switch (x.fn) {
          case 'unaryMinus': return rneg(a);
          case 'unaryPlus': return a;
          case 'add': return radd(a, b);
          case 'subtract': return rsub(a, b);
          case 'multiply': return rmul(a, b);
          case 'divide': return b.p === 0n ? undefined : rdiv(a, b);
          case 'pow': return b.q === 1n && b.p >= -64n && b.p <= 64n && !(a.p === 0n && b.p < 0n) ? rpowInt(a, b.p) : undefined;
        }
      }
    }
  } catch { return undefined; }
  return undefined;
}
