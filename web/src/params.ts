/**
 * The parameter sliders: one per declared parameter, over its admissible range (the assumptions of
 * src/expr/assumptions.ts: a declared range, else the sign of the declared value), re-binding the
 * derived scheme with `Scheme.with` (no re-derivation) on every move.
 */
import type { ParamAssumption } from '../../src/expr/assumptions.ts';
import { el, fmtNum } from './dom.ts';

/**
 * Slider bounds for one parameter: a factor 10 below to 3 above the declared value, on its side of 0
 * (the sign the derivation assumed), clipped to a declared range; a range finite at both ends is used as is.
 */
export function sliderRange(value: number, a: ParamAssumption): { lo: number; hi: number } {
  const [rlo, rhi] = a.range;
  if (rlo !== null && rhi !== null) return { lo: rlo, hi: rhi };
  let lo = value > 0 ? value / 10 : value < 0 ? value * 3 : -1;
  let hi = value > 0 ? value * 3 : value < 0 ? value / 10 : 1;
  if (rlo !== null) lo = Math.max(lo, rlo);
  if (rhi !== null) hi = Math.min(hi, rhi);
  return { lo, hi };
}

const STEPS = 1000;

/**
 * Render one slider per parameter into `box`; `onChange(values)` gets every parameter's current
 * value after a move; `initial` (default: the declared values) places the sliders.
 */
export function renderParamSliders(
  box: HTMLElement,
  declared: Readonly<Record<string, number>>,
  assumptions: Readonly<Record<string, ParamAssumption>>,
  onChange: (values: Record<string, number>) => void,
  initial: Readonly<Record<string, number>> = declared,
): void {
  const names = Object.keys(declared);
  if (names.length === 0) { box.replaceChildren(el('span', { class: 'hint', text: 'no parameters declared' })); return; }
  const values: Record<string, number> = { ...declared, ...initial };
  const rows = names.map((name) => {
    const { lo, hi } = sliderRange(declared[name], assumptions[name] ?? { sign: 'real', range: [null, null] });
    const toValue = (pos: number) => lo + ((hi - lo) * pos) / STEPS;
    const input = el('input', { type: 'range', min: '0', max: String(STEPS), step: '1', 'data-param': name, 'aria-label': `parameter ${name}` });
    input.value = String(Math.round(((values[name] - lo) / (hi - lo)) * STEPS));
    const out = el('output', { text: fmtNum(values[name]) });
    input.addEventListener('input', () => {
      // the declared value exactly at its own position, so that moving back restores it
      const pos = Number(input.value);
      const atDeclared = Math.round(((declared[name] - lo) / (hi - lo)) * STEPS) === pos;
      values[name] = atDeclared ? declared[name] : toValue(pos);
      out.textContent = fmtNum(values[name]);
      onChange({ ...values });
    });
    return el('label', { class: 'param' }, el('span', { class: 'param-name', text: name }), input, out,
      el('span', { class: 'hint', text: ` ${fmtNum(lo)} … ${fmtNum(hi)}` }));
  });
  box.replaceChildren(...rows);
}
