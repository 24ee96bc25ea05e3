/**
 * Editor text -> scheme, through the library (src/scheme/declare.ts). Every failure becomes an
 * {@link EditorError} that names the field, the token and the first failing t where the library
 * says so (UserError .field / .value / .t), with the characters to mark in the editor.
 */
import { isUserError } from '../../src/errors.ts';
import { declareScheme, type DeclaredScheme } from '../../src/scheme/declare.ts';
import type { SchemeDeclaration } from '../../src/scheme/declaration.ts';
import type { EditorError } from './editor.ts';
import { jsonErrorOffset, locateError } from './jsonLocate.ts';

/** Either a declared scheme or the error to show. */
export type DeclareOutcome = { ok: true; declared: DeclaredScheme } | { ok: false; error: EditorError };

/** Parse the JSON text and declare the scheme; never throws. */
export function declareFromText(text: string): DeclareOutcome {
  let obj: unknown;
  try {
    obj = JSON.parse(text);
  } catch (e) {
    const message = (e as Error).message;
    const at = jsonErrorOffset(text, message);
    const span = at === null ? null : { start: Math.max(0, Math.min(at, text.length - 1)), end: Math.min(text.length, Math.max(at, 0) + 1) };
    return { ok: false, error: { field: 'JSON', message: `not valid JSON: ${message}`, span } };
  }
  try {
    return { ok: true, declared: declareScheme(obj) };
  } catch (e) {
    if (isUserError(e)) {
      const syntax = /\(char (\d+)\)/.exec(e.message);
      const charOffset = syntax ? Number(syntax[1]) : undefined;
      // a syntax error's value is the whole expression: point at the character instead
      // (a validation error's value is the failing quantity's value at t, not a token)
      const token = charOffset === undefined && e.t === undefined ? e.value : undefined;
      // errors about a key itself ("unknown field", a bad or reserved parameter name) mark the key
      const aboutKey = /^unknown field|parameter name|reserved name/.test(e.message.slice(e.field.length + 2));
      const span = locateError(text, e.field, token, charOffset, aboutKey);
      // the message without the field prefix and the value / t suffixes: the box shows those apart
      let reason = e.message.startsWith(`${e.field}: `) ? e.message.slice(e.field.length + 2) : e.message;
      if (e.t !== undefined && reason.endsWith(` at t = ${e.t}`)) reason = reason.slice(0, -` at t = ${e.t}`.length);
      if (e.value !== undefined && token !== undefined && reason.endsWith(` (value: ${e.value})`)) reason = reason.slice(0, -` (value: ${e.value})`.length);
      if (e.t !== undefined && e.value !== undefined) reason = reason.replace(` (value: ${e.value})`, ` (value there: ${e.value})`);
      return { ok: false, error: { field: e.field, message: reason, span, token, t: e.t } };
    }
    // an internal failure: still an inline message, never a blank page
    return { ok: false, error: { field: 'internal', message: e instanceof Error ? e.message : String(e) } };
  }
}

/**
 * A declaration written for the editor: one top-level key per line, nested objects on one line
 * when short (as the files in schemes/ are written).
 */
export function formatDeclaration(d: SchemeDeclaration): string {
  const lines = Object.entries(d).map(([k, v]) => {
    const one = inline(v);
    if (one.length <= 72 || typeof v !== 'object' || v === null || Array.isArray(v)) return `  ${JSON.stringify(k)}: ${one}`;
    const inner = Object.entries(v as Record<string, unknown>).map(([k2, v2]) => `    ${JSON.stringify(k2)}: ${inline(v2)}`);
    return `  ${JSON.stringify(k)}: {\n${inner.join(',\n')}\n  }`;
  });
  return `{\n${lines.join(',\n')}\n}`;
}

/** JSON on one line with a space after each colon and comma: `{ "b0": 0.1, "b1": 20 }`. */
function inline(v: unknown): string {
  if (Array.isArray(v)) return `[${v.map(inline).join(', ')}]`;
  if (typeof v === 'object' && v !== null) {
    const e = Object.entries(v);
    return e.length ? `{ ${e.map(([k, x]) => `${JSON.stringify(k)}: ${inline(x)}`).join(', ')} }` : '{}';
  }
  return JSON.stringify(v) ?? 'null';
}

/** Templates of the four declaration forms (DESIGN.md "The scheme file"). */
export const FORM_TEMPLATES: Readonly<Record<string, SchemeDeclaration>> = {
  sde: { name: 'my-sde', params: { b0: 0.1, b1: 20 }, time: { t0: 0.001, T: 1 }, sde: { f: '-(b0 + b1*t^2)/2', g2: 'b0 + b1*t^2' } },
  marginal: { name: 'my-marginal', time: { t0: 0.001, T: 1 }, marginal: { alpha: 'cos(pi/2*t)', sigma: 'sin(pi/2*t)' } },
  logSnr: { name: 'my-logsnr', params: { lmax: 6, lmin: -6 }, time: { t0: 0.001, T: 1 }, logSnr: 'lmax + (lmin - lmax)*t' },
  discrete: { name: 'my-table', discrete: { schedule: 'linear', betaStart: 0.0001, betaEnd: 0.02, steps: 1000 } },
};
