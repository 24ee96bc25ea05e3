/**
 * Find where a field of a JSON document is written, so that an error naming a field
 * ("sde.g2", "time.T", "params.b0") and a token ("foo") can be marked at the exact characters
 * of the editor. A small scanner over the JSON grammar that records the span of every key and
 * value by its dotted path; it tolerates nothing (the text has already passed JSON.parse).
 */

/** Character span [start, end) in the text. */
export interface Span {
  readonly start: number;
  readonly end: number;
}

/** Spans of one member: its key (absent for array items) and its value. */
export interface Member {
  readonly key?: Span;
  readonly value: Span;
}

/** Map each dotted path (array items as `a[0]`) to the spans of its key and value. */
export function jsonSpans(text: string): Map<string, Member> {
  const out = new Map<string, Member>();
  let i = 0;
  const ws = () => { while (i < text.length && /\s/.test(text[i])) i++; };
  const str = (): Span => {
    const start = i;
    i++; // opening quote
    while (i < text.length && text[i] !== '"') i += text[i] === '\\' ? 2 : 1;
    i++;
    return { start, end: i };
  };
  const value = (path: string, key?: Span): void => {
    ws();
    const start = i;
    const c = text[i];
    if (c === '{') {
      i++;
      ws();
      while (i < text.length && text[i] !== '}') {
        ws();
        const k = str();
        const name = JSON.parse(text.slice(k.start, k.end)) as string;
        ws();
        i++; // colon
        value(path ? `${path}.${name}` : name, k);
        ws();
        if (text[i] === ',') i++;
        ws();
      }
      i++;
    } else if (c === '[') {
      i++;
      ws();
      let n = 0;
      while (i < text.length && text[i] !== ']') {
        value(`${path}[${n++}]`);
        ws();
        if (text[i] === ',') i++;
        ws();
      }
      i++;
    } else if (c === '"') {
      str();
    } else {
      while (i < text.length && /[^\s,}\]]/.test(text[i])) i++;
    }
    if (path) out.set(path, { key, value: { start, end: i } });
  };
  value('');
  return out;
}

/**
 * The span to mark for an error on `field` with an optional `token`: the key when the error is
 * about the name itself (`preferKey`), else the token inside the field's value when it occurs
 * there (as a whole word), else the field's value (or key, for an object-valued field), else its
 * nearest enclosing field. Returns null when nothing matches.
 */
export function locateError(text: string, field: string, token?: string, charOffset?: number, preferKey = false): Span | null {
  let spans: Map<string, Member>;
  try { spans = jsonSpans(text); } catch { return null; }
  // "sde+marginal" names two forms given together: mark the first
  let path = field.split('+')[0];
  let m = spans.get(path);
  while (!m && path.includes('.')) {
    path = path.slice(0, path.lastIndexOf('.'));
    m = spans.get(path);
  }
  if (!m) return null;
  const v = m.value;
  if (preferKey && m.key) return m.key;
  const isString = text[v.start] === '"';
  if (isString && charOffset !== undefined) {
    // a parse error "(char N)" counts from 1 inside the expression string
    // (1-based, so body index N - 1, text index start + N); clamp to the last character
    const p = Math.max(v.start + 1, Math.min(v.end - 2, v.start + charOffset));
    return { start: p, end: Math.max(p + 1, Math.min(v.end - 1, p + 1)) };
  }
  if (token && isString) {
    const body = text.slice(v.start + 1, v.end - 1);
    const re = new RegExp(`(^|[^A-Za-z0-9_])(${token.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')})(?![A-Za-z0-9_])`);
    const hit = re.exec(body);
    if (hit) {
      const s = v.start + 1 + hit.index + hit[1].length;
      return { start: s, end: s + hit[2].length };
    }
    if (token.length > 0 && token === body) return { start: v.start + 1, end: v.end - 1 };
  }
  const isComposite = text[v.start] === '{' || text[v.start] === '[';
  return isComposite && m.key ? m.key : v;
}

/** 1-based line and column of a character offset. */
export function lineCol(text: string, offset: number): { line: number; col: number } {
  let line = 1, col = 1;
  for (let i = 0; i < offset && i < text.length; i++) {
    if (text[i] === '\n') { line++; col = 1; } else col++;
  }
  return { line, col };
}

/**
 * The character offset of a JSON.parse error, from the engine's message: V8 says
 * "... at position N" and, in newer versions, "(line L column C)".
 */
export function jsonErrorOffset(text: string, message: string): number | null {
  const pos = /position (\d+)/.exec(message);
  if (pos) return Math.min(text.length, Number(pos[1]));
  const lc = /line (\d+) column (\d+)/.exec(message);
  if (lc) {
    const line = Number(lc[1]), col = Number(lc[2]);
    let off = 0;
    for (let l = 1; l < line; l++) {
      const nl = text.indexOf('\n', off);
      if (nl < 0) break;
      off = nl + 1;
    }
    return Math.min(text.length, off + col - 1);
  }
  if (/end of JSON input|Unexpected end/.test(message)) return text.length;
  // older V8: `Unexpected token 'X', "...context..." is not valid JSON` (the context may be cut with ...)
  const tok = /Unexpected token '(.)', "(.*)" is not valid JSON/s.exec(message);
  if (tok) {
    const context = tok[2].replace(/^\.\.\./, '').replace(/\.\.\.$/, '');
    const at = text.indexOf(context);
    const inContext = context.indexOf(tok[1]);
    if (at >= 0 && inContext >= 0) return at + inContext;
    const first = text.indexOf(tok[1]);
    return first >= 0 ? first : null;
  }
  return null;
}
