/**
 * A minimal mathjs instance: the parser and the node classes only (number arithmetic), so that a
 * bundled CLI or page loads a fraction of mathjs.
 */
import { create, parseDependencies } from 'mathjs';

const math = create({ parseDependencies }, { number: 'number' });

export const parse = math.parse;
export const ConstantNode = math.ConstantNode;
export const SymbolNode = math.SymbolNode;
export const OperatorNode = math.OperatorNode;
export const FunctionNode = math.FunctionNode;
