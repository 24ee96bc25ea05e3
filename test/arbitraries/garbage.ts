/**
 * Random garbage for expression fields: arbitrary unicode, and token soups over the expression
 * alphabet (which are sometimes valid expressions). A property over these says: a UserError or
 * a valid result, never anything else.
 */
import fc from 'fast-check';

export interface GarbageConstraints {
  /** longest string (default 40 units) */
  maxLength?: number;
}

const TOKENS = [
  't', 't', '(', ')', '+', '-', '*', '/', '^', ' ', '1', '2', '0.5', 'e', 'pi', 'exp', 'log', 'sqrt', 'sin', 'cos',
  'sigmoid', 'tanh', '.', ',', '[', ']', '{', '}', '=', ';', "'", '"', '?', ':', '!', '<', '>', 'x', 'import', 'evaluate',
  'constructor', '1e308', '1e-320',
];

export function garbage(c: GarbageConstraints = {}): fc.Arbitrary<string> {
  const maxLength = c.maxLength ?? 40;
  return fc.oneof(
    fc.string({ maxLength }),
    fc.string({ unit: 'binary', maxLength }),
    fc.string({ unit: fc.constantFrom(...TOKENS), maxLength }),
  );
}
