/**
 * What the symbolic layer may assume about each parameter: its sign and its admissible range.
 * Convention: a parameter keeps the sign of its declared value (declared > 0: positive, < 0:
 * negative, = 0: an unconstrained real), unless the declaration's "ranges" gives [lo, hi] (either
 * end null for unbounded; bounds inclusive). Values bound later (`scheme.with`, `eval --param`)
 * must satisfy the same assumption. The simplifier and the inverse use the signs (sqrt(b^2) = b for
 * b > 0, log of products), so a closed form derived under them holds for every admissible value.
 */
import { UserError } from '../errors.ts';
import type { Signs } from './canonical.ts';

/** The sign the symbolic layer may assume. */
export type Sign = 'positive' | 'nonnegative' | 'negative' | 'nonpositive' | 'real';

/** One parameter's assumption: a sign and the inclusive range [lo, hi] (null: unbounded) its values must lie in. */
export interface ParamAssumption {
  readonly sign: Sign;
  /** inclusive bounds; for sign 'positive' / 'negative' without declared bounds, 0 itself is excluded */
  readonly range: readonly [number | null, number | null];
}

/** name -> assumption, one entry per declared parameter. */
export type Assumptions = Readonly<Record<string, ParamAssumption>>;

function signOf(range: readonly [number | null, number | null]): Sign {
  const [lo, hi] = range;
  if (lo !== null && lo > 0) return 'positive';
  if (lo !== null && lo === 0) return 'nonnegative';
  if (hi !== null && hi < 0) return 'negative';
  if (hi !== null && hi === 0) return 'nonpositive';
  return 'real';
}

/**
 * The assumptions of declared parameters: from the declared signs, or from `ranges`
 * ({"b0": [0, null]}). Throws a UserError naming the field for a malformed range or a declared value
 * outside its own range.
 */
export function assumptionsOf(params: Readonly<Record<string, number>>, ranges?: unknown, field = 'ranges'): Assumptions {
  if (ranges !== undefined && (typeof ranges !== 'object' || ranges === null || Array.isArray(ranges))) {
    throw new UserError(field, 'must be an object of name: [lo, hi] (null for an unbounded end)', { value: ranges });
  }
  const given = (ranges ?? {}) as Record<string, unknown>;
  for (const k of Object.keys(given)) if (!Object.prototype.hasOwnProperty.call(params, k)) throw new UserError(`${field}.${k}`, 'is not a declared parameter', { value: k });
  const out: Record<string, ParamAssumption> = {};
  for (const [k, v] of Object.entries(params)) {
    const r = given[k];
    if (r === undefined) {
      out[k] = { sign: v > 0 ? 'positive' : v < 0 ? 'negative' : 'real', range: v > 0 ? [0, null] : v < 0 ? [null, 0] : [null, null] };
      continue;
    }
    const ok = (x: unknown) => x === null || (typeof x === 'number' && Number.isFinite(x));
    if (!Array.isArray(r) || r.length !== 2 || !ok(r[0]) || !ok(r[1]) || (r[0] !== null && r[1] !== null && r[0] > r[1])) {
      throw new UserError(`${field}.${k}`, 'must be [lo, hi] with numbers or null, lo <= hi', { value: r });
    }
    const range = [r[0], r[1]] as [number | null, number | null];
    out[k] = { sign: signOf(range), range };
    const why = violation(v, out[k]);
    if (why) throw new UserError(`params.${k}`, `declared value ${why}`, { value: v });
  }
  return out;
}

/** Why a value breaks an assumption, or null when it is admissible. */
export function violation(v: number, a: ParamAssumption): string | null {
  if (!Number.isFinite(v)) return 'must be a finite number';
  const [lo, hi] = a.range;
  // a sign taken from the declared value excludes 0 (the range is open there)
  const openLo = a.sign === 'positive' && lo === 0, openHi = a.sign === 'negative' && hi === 0;
  if (lo !== null && (openLo ? !(v > lo) : !(v >= lo))) return `must be ${openLo ? '>' : '>='} ${lo} (${a.sign} parameter)`;
  if (hi !== null && (openHi ? !(v < hi) : !(v <= hi))) return `must be ${openHi ? '<' : '<='} ${hi} (${a.sign} parameter)`;
  return null;
}

/**
 * New values for some parameters, checked against the assumptions: every name must be a declared
 * parameter and every value finite and admissible. Returns the full set (old values where not
 * given). `field` prefixes the error (e.g. "--param" for the CLI).
 */
export function rebindValues(current: Readonly<Record<string, number>>, values: unknown, assumptions: Assumptions, field = 'params'): Record<string, number> {
  if (typeof values !== 'object' || values === null || Array.isArray(values)) throw new UserError(field, 'must be an object of name: number', { value: values });
  const out: Record<string, number> = { ...current };
  const at = (k: string) => (field.startsWith('--') ? `${field} ${k}` : `${field}.${k}`);
  for (const [k, v] of Object.entries(values as Record<string, unknown>)) {
    if (!Object.prototype.hasOwnProperty.call(assumptions, k)) {
      const known = Object.keys(assumptions);
      throw new UserError(at(k), `unknown parameter (declared: ${known.length ? known.join(', ') : 'none'})`, { value: k });
    }
    if (typeof v !== 'number' || !Number.isFinite(v)) throw new UserError(at(k), 'must be a finite number', { value: typeof v === 'number' ? String(v) : (v as string) });
    const why = violation(v, assumptions[k]);
    if (why) throw new UserError(at(k), why, { value: v });
    out[k] = v;
  }
  return out;
}

/** The signs the simplifier may use (src/expr/canonical.ts withAssumptions): none for a 'real' parameter. */
export function signsOf(assumptions: Assumptions): Signs {
  const map = { positive: 'pos', nonnegative: 'nonneg', negative: 'neg', nonpositive: 'nonpos' } as const;
  const out: Record<string, Signs[string]> = {};
  for (const [k, a] of Object.entries(assumptions)) if (a.sign !== 'real') out[k] = map[a.sign];
  return out;
}
