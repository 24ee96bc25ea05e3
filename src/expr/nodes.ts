/**
 * Canonical expression trees: mathjs nodes restricted to ConstantNode (finite number),
 * SymbolNode (`t`; `x`, `s`, `lambda` in reverse-time formulas; the declared parameters; the
 * constants `pi` and `e`), OperatorNode (add, subtract, multiply, divide, pow, unaryMinus) and
 * FunctionNode of a whitelisted name. Parameters stay symbols: numbers enter only at evaluation
 * (an {@link Env} binds them, see expr/compile.ts).
 */
import type { MathNode, ConstantNode as ConstantNodeT, FunctionNode as FunctionNodeT, OperatorNode as OperatorNodeT, SymbolNode as SymbolNodeT } from 'mathjs';
import { ConstantNode, FunctionNode, OperatorNode, SymbolNode } from './mathjs.ts';

export type { MathNode };

/** Functions an expression may call (DESIGN.md, plus a few the derivations produce). */
export const FUNCTIONS = [
  'exp', 'log', 'log1p', 'expm1', 'sqrt', 'sin', 'cos', 'tan', 'atan', 'tanh', 'sigmoid', 'erf',
  'abs', 'sinh', 'cosh', 'asin', 'acos', 'atanh', 'softplus', 'logit',
] as const;
/** A whitelisted function name (one of {@link FUNCTIONS}). */
export type FunctionName = (typeof FUNCTIONS)[number];
const FUNCTION_SET: ReadonlySet<string> = new Set(FUNCTIONS);
export function isFunctionName(s: string): s is FunctionName { return FUNCTION_SET.has(s); }

export type BinaryOp = 'add' | 'subtract' | 'multiply' | 'divide' | 'pow';
const OP_SYMBOL: Record<BinaryOp | 'unaryMinus', string> = { add: '+', subtract: '-', multiply: '*', divide: '/', pow: '^', unaryMinus: '-' };

/** Values bound to the free names of a tree at evaluation (parameters; pi and e are always bound). */
export type Env = Readonly<Record<string, number>>;
/** The named constants every evaluation knows. */
export const CONSTANTS: Env = { pi: Math.PI, e: Math.E };

export const num = (v: number): MathNode => new ConstantNode(v);
export const sym = (name: string): MathNode => new SymbolNode(name);
export const T = (): MathNode => sym('t');
export const call = (name: FunctionName, arg: MathNode): MathNode => new FunctionNode(new SymbolNode(name), [arg]);
export const bin = (op: BinaryOp, a: MathNode, b: MathNode): MathNode => new OperatorNode(OP_SYMBOL[op] as '+', op as 'add', [a, b]);
export const neg = (a: MathNode): MathNode => new OperatorNode('-', 'unaryMinus', [a]);
export const add = (a: MathNode, b: MathNode) => bin('add', a, b);
export const sub = (a: MathNode, b: MathNode) => bin('subtract', a, b);
export const mul = (a: MathNode, b: MathNode) => bin('multiply', a, b);
export const div = (a: MathNode, b: MathNode) => bin('divide', a, b);
export const pow = (a: MathNode, b: MathNode) => bin('pow', a, b);

/** Structural views used by every tree walker. */
export type View =
  | { kind: 'const'; value: number }
  | { kind: 'symbol'; name: string }
  | { kind: 'neg'; arg: MathNode }
  | { kind: 'bin'; op: BinaryOp; a: MathNode; b: MathNode }
  | { kind: 'call'; name: FunctionName; arg: MathNode };

/** Inspect a canonical node; throws on anything outside the canonical subset. */
export function view(n: MathNode): View {
  switch (n.type) {
    case 'ConstantNode': return { kind: 'const', value: (n as ConstantNodeT).value as number };
    case 'SymbolNode': return { kind: 'symbol', name: (n as SymbolNodeT).name };
    case 'ParenthesisNode': return view((n as unknown as { content: MathNode }).content);
    case 'OperatorNode': {
      const o = n as OperatorNodeT;
      if (o.fn === 'unaryMinus') return { kind: 'neg', arg: o.args[0] };
      if (o.fn === 'unaryPlus') return view(o.args[0]);
      return { kind: 'bin', op: o.fn as BinaryOp, a: o.args[0], b: o.args[1] };
    }
    case 'FunctionNode': {
      const f = n as FunctionNodeT;
      return { kind: 'call', name: (f.fn as unknown as SymbolNodeT).name as FunctionName, arg: f.args[0] };
    }
    default: throw new Error(`non-canonical node ${n.type}`);
  }
}

/** Does the tree mention symbol `name` (default t)? */
export function depends(n: MathNode, name = 't'): boolean {
  const v = view(n);
  switch (v.kind) {
    case 'const': return false;
    case 'symbol': return v.name === name;
    case 'neg': return depends(v.arg, name);
    case 'call': return depends(v.arg, name);
    case 'bin': return depends(v.a, name) || depends(v.b, name);
  }
}

/** The value of a constant node, or undefined. */
export function constOf(n: MathNode): number | undefined {
  const v = view(n);
  return v.kind === 'const' ? v.value : undefined;
}

/** Replace symbol `name` by `by` everywhere. */
export function substitute(n: MathNode, name: string, by: MathNode): MathNode {
  const v = view(n);
  switch (v.kind) {
    case 'const': return n;
    case 'symbol': return v.name === name ? by : n;
    case 'neg': return neg(substitute(v.arg, name, by));
    case 'call': return call(v.name, substitute(v.arg, name, by));
    case 'bin': return bin(v.op, substitute(v.a, name, by), substitute(v.b, name, by));
  }
}

/** Number of nodes (a size measure for choosing between equivalent forms). */
export function size(n: MathNode): number {
  const v = view(n);
  switch (v.kind) {
    case 'const': case 'symbol': return 1;
    case 'neg': case 'call': return 1 + size(v.arg);
    case 'bin': return 1 + size(v.a) + size(v.b);
  }
}

/** Is the tree free of symbol `name` (default t), i.e. a constant with respect to it? */
export function isConstIn(n: MathNode, name = 't'): boolean {
  return !depends(n, name);
}

/** The free symbol names of a tree (pi and e included when they occur), sorted. */
export function freeSymbols(n: MathNode): string[] {
  const out = new Set<string>();
  const walk = (m: MathNode): void => {
    const v = view(m);
    switch (v.kind) {
      case 'const': return;
      case 'symbol': out.add(v.name); return;
      case 'neg': case 'call': walk(v.arg); return;
      case 'bin': walk(v.a); walk(v.b); return;
    }
  };
  walk(n);
  return [...out].sort();
}

/** Replace every symbol bound in `env` (and pi, e) by its number: for targets that take no parameters. */
export function bindValues(n: MathNode, env: Env): MathNode {
  const v = view(n);
  switch (v.kind) {
    case 'const': return n;
    case 'symbol': {
      const val = Object.prototype.hasOwnProperty.call(env, v.name) ? env[v.name] : CONSTANTS[v.name];
      return val === undefined ? n : num(val);
    }
    case 'neg': return neg(bindValues(v.arg, env));
    case 'call': return call(v.name, bindValues(v.arg, env));
    case 'bin': return bin(v.op, bindValues(v.a, env), bindValues(v.b, env));
  }
}

/** A structural fingerprint of a tree (equal for equal trees; cheaper than mathjs toString). */
export function structKey(n: MathNode): string {
  const v = view(n);
  switch (v.kind) {
    case 'const': return String(v.value);
    case 'symbol': return v.name;
    case 'neg': return `-(${structKey(v.arg)})`;
    case 'call': return `${v.name}(${structKey(v.arg)})`;
    case 'bin': return `(${structKey(v.a)} ${v.op} ${structKey(v.b)})`;
  }
}
