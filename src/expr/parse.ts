/**
 * Parse an expression string against a whitelist. Nothing outside the canonical subset
 * (numbers, declared variables and params, pi, e, + - * / ^, whitelisted one-argument functions)
 * survives; params, pi and e stay symbols (numbers enter only at evaluation). Anything else
 * (assignment, member access, import/evaluate, strings, matrices, unknown names) is rejected
 * with a {@link UserError} naming the field and the token, before any evaluation.
 */
import type { MathNode } from 'mathjs';
import { parse as mathParse } from './mathjs.ts';
import { UserError } from '../errors.ts';
import { call, FUNCTIONS, isFunctionName, neg, num, sym, bin, type BinaryOp } from './nodes.ts';

/** Options of {@link parseExpr}: the parameters substituted as numbers and the field named in errors. */
export interface ParseOptions {
  /** field name for error messages, e.g. "sde.f" */
  field: string;
  /** declared parameters: kept as symbols (their values only matter at evaluation) */
  params?: Readonly<Record<string, number>>;
  /** free variables kept as symbols (default ['t']) */
  vars?: readonly string[];
}

const RESERVED = new Set(['t', 'lambda', 'pi', 'e', ...FUNCTIONS]);
const MAX_LENGTH = 4000;
/** smallest non-zero literal magnitude (and 1 / it the largest) */
const LITERAL_MIN = 1e-300;

/** Check a params object: identifier names, finite numbers, no clash with t / functions / constants. */
export function validateParams(params: unknown, field = 'params'): Record<string, number> {
  if (params === undefined) return {};
  if (typeof params !== 'object' || params === null || Array.isArray(params)) throw new UserError(field, 'must be an object of name: number', { value: params });
  const out: Record<string, number> = {};
  for (const [k, v] of Object.entries(params as Record<string, unknown>)) {
    if (!/^[A-Za-z_][A-Za-z0-9_]*$/.test(k)) throw new UserError(`${field}.${k}`, 'is not a valid parameter name');
    if (RESERVED.has(k)) throw new UserError(`${field}.${k}`, 'is a reserved name (t, lambda, pi, e or a function)');
    if (typeof v !== 'number' || !Number.isFinite(v)) throw new UserError(`${field}.${k}`, 'must be a finite number', { value: v });
    out[k] = v;
  }
  return out;
}

/** Parse `src` into a canonical tree. */
export function parseExpr(src: unknown, opts: ParseOptions): MathNode {
  const { field } = opts;
  if (typeof src === 'number') {
    if (!Number.isFinite(src)) throw new UserError(field, 'must be finite', { value: src });
    return num(src);
  }
  if (typeof src !== 'string') throw new UserError(field, 'must be an expression string', { value: src });
  if (src.trim() === '') throw new UserError(field, 'is empty');
  if (src.length > MAX_LENGTH) throw new UserError(field, `is longer than ${MAX_LENGTH} characters`);
  let tree: MathNode;
  try {
    tree = mathParse(src);
  } catch (e) {
    throw new UserError(field, `syntax error: ${(e as Error).message}`, { value: src });
  }
  return canon(tree, opts);
}

const OPS: Record<string, BinaryOp> = { add: 'add', subtract: 'subtract', multiply: 'multiply', divide: 'divide', pow: 'pow', dotMultiply: 'multiply', dotDivide: 'divide', dotPow: 'pow' };

function canon(n: MathNode, opts: ParseOptions): MathNode {
  const { field } = opts;
  const vars = opts.vars ?? ['t'];
  switch (n.type) {
    case 'ParenthesisNode':
      return canon((n as unknown as { content: MathNode }).content, opts);
    case 'ConstantNode': {
      const v = (n as unknown as { value: unknown }).value;
      if (typeof v !== 'number' || !Number.isFinite(v)) throw new UserError(field, 'only finite numbers are allowed as constants', { value: String(v) });
      // literals are exact rationals in the derivations: keep their products and reciprocals inside float64
      if (v !== 0 && (Math.abs(v) < LITERAL_MIN || Math.abs(v) > 1 / LITERAL_MIN)) throw new UserError(field, `a literal must be 0 or between ${LITERAL_MIN} and ${1 / LITERAL_MIN} in magnitude (rescale it)`, { value: String(v) });
      return num(v);
    }
    case 'SymbolNode': {
      const name = (n as unknown as { name: string }).name;
      if (vars.includes(name)) return sym(name);
      if (opts.params && Object.prototype.hasOwnProperty.call(opts.params, name)) return sym(name);
      if (name === 'pi' || name === 'e') return sym(name);
      if (isFunctionName(name)) throw new UserError(field, `function "${name}" used without an argument`, { value: name });
      throw new UserError(field, `unknown name "${name}" (allowed: ${vars.join(', ')}, params, pi, e)`, { value: name });
    }
    case 'OperatorNode': {
      const o = n as unknown as { fn: string; op: string; args: MathNode[] };
      if (o.fn === 'unaryMinus' && o.args.length === 1) return neg(canon(o.args[0], opts));
      if (o.fn === 'unaryPlus' && o.args.length === 1) return canon(o.args[0], opts);
      const op = OPS[o.fn];
      if (!op) throw new UserError(field, `operator "${o.op}" is not allowed`, { value: o.op });
      if (o.args.length < 2) throw new UserError(field, `operator "${o.op}" needs two operands`);
      // mathjs may give n-ary add/multiply: fold left
      let acc = canon(o.args[0], opts);
      for (let i = 1; i < o.args.length; i++) acc = bin(op, acc, canon(o.args[i], opts));
      return acc;
    }
    case 'FunctionNode': {
      const f = n as unknown as { fn: MathNode; args: MathNode[] };
      const name = f.fn.type === 'SymbolNode' ? (f.fn as unknown as { name: string }).name : undefined;
      if (name === undefined) throw new UserError(field, 'only named functions may be called');
      if (!isFunctionName(name)) throw new UserError(field, `function "${name}" is not allowed (allowed: ${FUNCTIONS.join(' ')})`, { value: name });
      if (f.args.length !== 1) throw new UserError(field, `function "${name}" takes exactly one argument, got ${f.args.length}`);
      return call(name, canon(f.args[0], opts));
    }
    default:
      throw new UserError(field, `${n.type.replace(/Node$/, '').toLowerCase()} expressions are not allowed`, { value: safeString(n) });
  }
}

function safeString(n: MathNode): string {
  try { return n.toString(); } catch { return n.type; }
}
