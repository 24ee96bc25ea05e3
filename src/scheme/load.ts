/**
 * Resolve a scheme spec: a built-in name, a JSON scheme file path, or a declaration object.
 */
import { readFileSync, existsSync } from 'node:fs';
import { UserError } from '../errors.ts';
import { BUILTIN_NAMES, BUILTINS } from './builtins.ts';
import { declareScheme, type DeclaredScheme } from './declare.ts';
import type { SchemeDeclaration } from './declaration.ts';
import type { Scheme } from './types.ts';

const cache = new Map<string, DeclaredScheme>();

/** The declaration a spec names (built-in, file) or is. */
export function readDeclaration(spec: string | SchemeDeclaration): SchemeDeclaration {
  if (typeof spec !== 'string') return spec;
  if (Object.prototype.hasOwnProperty.call(BUILTINS, spec)) return BUILTINS[spec];
  if (!existsSync(spec)) throw new UserError('scheme', `"${spec}" is neither a built-in (${BUILTIN_NAMES.join(', ')}) nor an existing file`, { value: spec });
  let text: string;
  try { text = readFileSync(spec, 'utf8'); } catch (e) { throw new UserError('scheme', `cannot read file: ${(e as Error).message}`, { value: spec }); }
  try { return JSON.parse(text) as SchemeDeclaration; } catch (e) { throw new UserError('scheme', `${spec} is not valid JSON: ${(e as Error).message}`, { value: spec }); }
}

/** Declare (and cache, for built-ins and files) the scheme a spec names, with its validation report. */
export function loadDeclared(spec: string | SchemeDeclaration): DeclaredScheme {
  if (typeof spec === 'string') {
    const hit = cache.get(spec);
    if (hit) return hit;
    const d = declareScheme(readDeclaration(spec));
    cache.set(spec, d);
    return d;
  }
  return declareScheme(spec);
}

/** The derived, validated scheme a spec names. */
export function loadScheme(spec: string | SchemeDeclaration): Scheme {
  return loadDeclared(spec).scheme;
}
