/**
 * The declaration editor: a textarea over a backdrop that mirrors its text, so that the
 * offending token of an error can be underlined in place; below it the message quotes the line
 * with a caret under the token (compiler style), and names the field and the first failing t.
 */
import { el } from './dom.ts';
import { lineCol, type Span } from './jsonLocate.ts';

/** An error to show in the editor. */
export interface EditorError {
  /** the field it concerns ("sde.g2", "time.T", "JSON"), when known */
  readonly field?: string;
  readonly message: string;
  /** the characters to mark */
  readonly span?: Span | null;
  /** the offending token (shown in the message) */
  readonly token?: string;
  /** the first failing time, for a validation error */
  readonly t?: number;
}

function escapeHtml(s: string): string {
  return s.replace(/[&<>"]/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;' })[c] as string);
}

/** The editor widget over existing elements of index.html. */
export class DeclEditor {
  private listeners: ((text: string) => void)[] = [];

  constructor(
    private readonly area: HTMLTextAreaElement,
    private readonly backdrop: HTMLElement,
    private readonly errorBox: HTMLElement,
  ) {
    area.addEventListener('input', () => {
      this.sync();
      for (const f of this.listeners) f(area.value);
    });
    area.addEventListener('scroll', () => { backdrop.scrollTop = area.scrollTop; backdrop.scrollLeft = area.scrollLeft; });
    // Tab inserts two spaces instead of leaving the editor
    area.addEventListener('keydown', (e) => {
      if (e.key !== 'Tab' || e.shiftKey) return;
      e.preventDefault();
      const { selectionStart: a, selectionEnd: b } = area;
      area.setRangeText('  ', a, b, 'end');
      area.dispatchEvent(new Event('input'));
    });
  }

  get text(): string { return this.area.value; }

  /** Replace the text (does not fire change listeners). */
  set text(v: string) {
    this.area.value = v;
    this.sync();
  }

  /** Called on every edit by the user. */
  onChange(f: (text: string) => void): void { this.listeners.push(f); }

  private sync(marked: Span | null = null): void {
    const t = this.area.value;
    this.area.rows = Math.max(6, t.split('\n').length + 1);
    if (marked && marked.end >= marked.start) {
      const a = Math.max(0, Math.min(t.length, marked.start)), b = Math.max(a, Math.min(t.length, marked.end));
      const inner = b > a ? escapeHtml(t.slice(a, b)) : '&nbsp;';
      this.backdrop.innerHTML = `${escapeHtml(t.slice(0, a))}<mark class="err-token">${inner}</mark>${escapeHtml(t.slice(b))}\n`;
    } else {
      this.backdrop.textContent = t + '\n';
    }
  }

  clearError(): void {
    this.sync(null);
    this.area.classList.remove('has-error');
    this.errorBox.hidden = true;
    this.errorBox.replaceChildren();
  }

  /** Mark the span and show the message with the quoted line and a caret. */
  showError(e: EditorError): void {
    const text = this.area.value;
    this.sync(e.span ?? null);
    this.area.classList.add('has-error');
    const box = this.errorBox;
    box.replaceChildren();
    box.hidden = false;
    const head = el('div', { class: 'err-head' });
    if (e.field) head.append(el('code', { class: 'err-field', text: e.field }), ' ');
    head.append(el('span', { class: 'err-msg', text: e.message }));
    box.append(head);
    if (e.token !== undefined) box.append(el('div', { class: 'err-token-line' }, 'token: ', el('code', { class: 'err-token-name', text: e.token })));
    if (e.t !== undefined) box.append(el('div', { class: 'err-t' }, 'first failing time: ', el('code', { text: `t = ${e.t}` })));
    if (e.span) {
      const { line, col } = lineCol(text, e.span.start);
      const lineText = text.split('\n')[line - 1] ?? '';
      const width = Math.max(1, Math.min(e.span.end, e.span.start + lineText.length - col + 1) - e.span.start);
      const gutter = `line ${line} | `;
      const quote = `${gutter}${lineText}\n${' '.repeat(gutter.length + col - 1)}${'^'.repeat(width)}`;
      box.append(el('pre', { class: 'err-quote', text: quote }));
      box.dataset.line = String(line);
      box.dataset.col = String(col);
    }
  }
}
