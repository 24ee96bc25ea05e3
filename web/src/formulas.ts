/**
 * The derivation panel (closed forms from src/codegen/derivation.ts rendered with KaTeX, each with
 * its method) and the proof panel (src/proofs/runner.ts: each theorem's status, method, error
 * against tolerance, and its statement on expansion).
 */
import katex from 'katex';
import { derivation, derivationLatex } from '../../src/codegen/derivation.ts';
import type { Scheme } from '../../src/scheme/types.ts';
import { PROOFS, type ProofReport } from '../../src/proofs/runner.ts';
import { el, fmtNum } from './dom.ts';

/** Rows of the derivation panel: key of derivationLatex, label. */
const ROWS: readonly (readonly [string, string])[] = [
  ['alpha', 'signal scale'],
  ['sigma', 'noise scale'],
  ['f', 'drift coefficient'],
  ['g2', 'diffusion'],
  ['logSnr', 'half log-SNR'],
  ['dlogSnr', 'its derivative'],
  ['inverse', 'inverse of the log-SNR'],
  ['reverse', 'reverse λ-family (λ = 1: reverse SDE)'],
  ['pfOde', 'probability-flow ODE (λ = 0)'],
];

function tex(src: string, display = true): HTMLElement {
  const span = el('span', { class: 'tex' });
  katex.render(src, span, { displayMode: display, throwOnError: false, output: 'html' });
  return span;
}

/** Render the closed forms of the scheme into `box`. */
export function renderDerivation(box: HTMLElement, scheme: Scheme): void {
  const lines = derivationLatex(scheme);
  const d = derivation(scheme);
  const method = (k: string): string => {
    if (k in d.quantities) return d.quantities[k].method;
    if (k === 'reverse') return d.reverse.method;
    if (k === 'pfOde') return d.pfOde.method;
    if (k === 'inverse') return d.inverse.method;
    return '';
  };
  const rows = ROWS.filter(([k]) => lines[k] !== undefined).map(([k, label]) =>
    el('div', { class: 'formula', 'data-key': k },
      el('div', { class: 'formula-label' }, label, ' ', el('span', { class: `method method-${method(k)}`, text: method(k) })),
      tex(lines[k])));
  const head = el('div', { class: 'formula-head' },
    el('b', { text: d.name }), ` · form: ${d.form} · t ∈ [${fmtNum(d.t0)}, ${fmtNum(d.T)}]`,
    el('span', { class: 'param-values', text: paramText(d.params) }));
  box.replaceChildren(head, ...rows);
}

const paramText = (p: Readonly<Record<string, number>>) => (Object.keys(p).length ? ` · ${Object.entries(p).map(([k, v]) => `${k} = ${fmtNum(v)}`).join(', ')}` : '');

/** Show other parameter values in the derivation head (the closed forms themselves do not change). */
export function showParamValues(box: HTMLElement, params: Readonly<Record<string, number>>): void {
  const span = box.querySelector('.param-values');
  if (span) span.textContent = paramText(params);
}

/** Render proof reports into `box`. */
export function renderProofs(box: HTMLElement, reports: readonly ProofReport[]): void {
  const passed = reports.filter((r) => r.ok).length;
  const summary = el('div', { class: 'proof-summary', text: `${passed} / ${reports.length} proofs pass` });
  const rows = reports.map((r) => {
    const proof = PROOFS.find((p) => p.id === r.id);
    const status = r.method === 'n/a' ? 'n/a' : r.ok ? 'pass' : 'fail';
    const err = r.method === 'n/a' ? '' : `error ${fmtNum(r.error)} ≤ ${fmtNum(r.tolerance)}`;
    const det = el('details', { class: `proof proof-${status}`, 'data-id': r.id, 'data-status': status },
      el('summary', {},
        el('span', { class: `badge badge-${status}`, text: status === 'pass' ? '✓ pass' : status === 'fail' ? '✗ FAIL' : 'n/a' }),
        ' ', el('span', { class: 'proof-title', text: r.title }),
        ' ', el('span', { class: `method method-${r.method}`, text: r.method }),
        ' ', el('span', { class: 'proof-err', text: status === 'fail' ? err.replace('≤', '>') : err })));
    if (proof) det.append(tex(proof.statement), el('div', { class: 'proof-source', text: proof.source }));
    if (r.detail) det.append(el('div', { class: 'proof-detail', text: r.detail }));
    return det;
  });
  box.replaceChildren(summary, ...rows);
}
