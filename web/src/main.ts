/**
 * The sdekit playground page: declare a schedule (built-in or typed), read its derivation and the
 * status of each proof, see alpha, sigma, logSnr and g^2 over t, and watch thousands of particles
 * sampled with the exact mixture score by any registered sampler, with the lambda of the reverse
 * family on a slider. All math comes from the library (src/); this file only wires the page.
 * The state lives in the URL hash. `window.__sdekit` exposes read-only views for tests.
 */
import { isUserError } from '../../src/errors.ts';
import { BUILTINS, BUILTIN_NAMES } from '../../src/scheme/builtins.ts';
import type { Scheme } from '../../src/scheme/types.ts';
import { SAMPLER_NAMES } from '../../src/sample/registry.ts';
import { GaussianMixtureModel, validateGmm, type GmmSpec } from '../../src/score/gmm.ts';
import { runProofs, type ProofReport } from '../../src/proofs/runner.ts';
import { chooseBackend, type PageBackendInfo } from './backend.ts';
import { declareFromText, formatDeclaration, FORM_TEMPLATES } from './declare.ts';
import { logDensityAt } from './density.ts';
import { byId, debounce, el, nextFrame } from './dom.ts';
import { DeclEditor } from './editor.ts';
import { renderDerivation, renderProofs, showParamValues } from './formulas.ts';
import { renderParamSliders } from './params.ts';
import { drawCurve } from './plot.ts';
import { modeStats, RunCancelled, runSampler, type ModeStats, type Run } from './sampling.ts';
import { decodeHash, encodeHash, LIMITS, PAGE_SPACINGS, type PlaygroundState } from './state.ts';
import { addComponent, removeNearest, TARGET_NAMES, TARGETS } from './targets.ts';
import { ParticleView } from './view.ts';

const BUILTIN_TEXT: Record<string, string> = Object.fromEntries(BUILTIN_NAMES.map((n) => [n, formatDeclaration(BUILTINS[n])]));

const DEFAULTS: PlaygroundState = {
  declText: BUILTIN_TEXT['vp-linear'], builtin: 'vp-linear', target: 'ring-8', gmm: null,
  sampler: 'euler-maruyama', spacing: 'logsnr', steps: 100, lambda: 1, n: 4000, seed: 0, backend: null,
};

// ---- elements -------------------------------------------------------------------------------
const statusEl = byId('status');
const backendEl = byId('backend');
const schemeSelect = byId<HTMLSelectElement>('scheme-select');
const editor = new DeclEditor(byId<HTMLTextAreaElement>('decl'), byId('decl-backdrop'), byId('decl-error'));
const warningsEl = byId('decl-warnings');
const formulasEl = byId('formulas');
const paramsEl = byId('params');
const paramsErrorEl = byId('params-error');
const proofsEl = byId('proofs');
const plotEls = { alpha: byId<HTMLCanvasElement>('plot-alpha'), sigma: byId<HTMLCanvasElement>('plot-sigma'), logSnr: byId<HTMLCanvasElement>('plot-logSnr'), g2: byId<HTMLCanvasElement>('plot-g2') };
const targetSelect = byId<HTMLSelectElement>('target');
const samplerSelect = byId<HTMLSelectElement>('sampler');
const spacingSelect = byId<HTMLSelectElement>('spacing');
const stepsInput = byId<HTMLInputElement>('steps');
const nInput = byId<HTMLInputElement>('n');
const seedInput = byId<HTMLInputElement>('seed');
const lambdaInput = byId<HTMLInputElement>('lambda');
const lambdaOut = byId<HTMLOutputElement>('lambda-out');
const lambdaHint = byId('lambda-hint');
const sampleErrorEl = byId('sample-error');
const particlesCanvas = byId<HTMLCanvasElement>('particles');
const playButton = byId<HTMLButtonElement>('play');
const followInput = byId<HTMLInputElement>('follow');
const frameInput = byId<HTMLInputElement>('frame');
const runInfoEl = byId('run-info');
const runStatsEl = byId('run-stats');
const view = new ParticleView(particlesCanvas);

// ---- state ----------------------------------------------------------------------------------
let state: PlaygroundState = { ...DEFAULTS };
let scheme: Scheme | null = null;
/** the scheme as declared; `scheme` is it re-bound at the sliders' parameter values */
let declaredScheme: Scheme | null = null;
let proofReports: ProofReport[] = [];
let backendInfo: PageBackendInfo | null = null;
let lastRun: (Run & { stats: ModeStats; options: { sampler: string; lambda: number; steps: number; spacing: string; n: number; gmm: GmmSpec } }) | null = null;
let runs = 0;
let runToken = 0;
let deriveToken = 0;
let busy = 0;
/** milliseconds of the last declare / derivation render / proofs / sampling run (shown in the hook) */
const timings = { declare: 0, render: 0, proofs: 0, sample: 0 };
let curves: { t: Float64Array; alpha: Float64Array; sigma: Float64Array; logSnr: Float64Array; g2: Float64Array; g2Wide: boolean } | null = null;

function setStatus(s: 'loading' | 'ready' | 'deriving' | 'sampling' | 'error', text: string): void {
  statusEl.dataset.state = s;
  statusEl.textContent = text;
}

function saveHash(): void {
  history.replaceState(null, '', `#${encodeHash(state)}`);
}

function currentGmm(): GmmSpec {
  if (state.target === 'custom' && state.gmm) return state.gmm;
  return TARGETS[state.target] ?? TARGETS['ring-8'];
}

// ---- schedule -------------------------------------------------------------------------------
function markStale(stale: boolean): void {
  for (const e of [formulasEl, proofsEl, ...Object.values(plotEls)]) e.classList.toggle('stale', stale);
}

/** Declare the scheme in the editor; on success render everything and resample. */
async function applyDeclaration(): Promise<void> {
  const token = ++deriveToken;
  setStatus('deriving', 'deriving…');
  let t0 = performance.now();
  const out = declareFromText(editor.text);
  timings.declare = performance.now() - t0;
  if (!out.ok) {
    editor.showError(out.error);
    markStale(scheme !== null);
    if (!scheme) {
      formulasEl.replaceChildren(el('span', { class: 'hint', text: 'no valid scheme yet: fix the declaration above' }));
      proofsEl.replaceChildren();
    } else {
      formulasEl.querySelector('.stale-note')?.remove();
      formulasEl.prepend(el('div', { class: 'hint stale-note', text: `showing the last valid scheme (${scheme.name})` }));
    }
    setStatus('error', 'declaration error');
    return;
  }
  editor.clearError();
  markStale(false);
  scheme = out.declared.scheme;
  declaredScheme = scheme;
  paramsErrorEl.hidden = true;
  // slider values from a link, when they name exactly this scheme's parameters
  const linked = state.params && Object.keys(state.params).every((k) => k in scheme!.params) ? state.params : undefined;
  if (!linked) state.params = undefined;
  renderParamSliders(paramsEl, scheme.params, scheme.assumptions, onParams, linked);
  if (linked) onParams({ ...scheme.params, ...linked }, false);
  warningsEl.replaceChildren(...out.declared.report.warnings.map((w) => el('div', { class: 'warn', text: w })));
  t0 = performance.now();
  try {
    renderDerivation(formulasEl, scheme);
  } catch (e) {
    formulasEl.replaceChildren(el('div', { class: 'error', text: `could not render the derivation: ${(e as Error).message}` }));
  }
  computeCurves(scheme);
  drawPlots();
  timings.render = performance.now() - t0;
  scheduleRun();
  proofsEl.replaceChildren(el('span', { class: 'hint', text: 'running the proofs…' }));
  await nextFrame();
  if (token !== deriveToken || !scheme) return;
  t0 = performance.now();
  proofReports = runProofs(scheme);
  timings.proofs = performance.now() - t0;
  renderProofs(proofsEl, proofReports);
  proofsEl.dataset.scheme = scheme.name;
  if (token === deriveToken && busy === 0) setStatus('ready', 'ready');
}

/** A slider moved: re-bind the derived scheme at the new values (no re-derivation), redraw the curves, resample. */
function onParams(values: Record<string, number>, resample = true): void {
  if (!declaredScheme) return;
  let next: Scheme;
  try { next = declaredScheme.with(values); } catch (e) {
    paramsErrorEl.hidden = false;
    paramsErrorEl.textContent = isUserError(e) ? e.message : `cannot use these values: ${(e as Error).message}`;
    return;
  }
  paramsErrorEl.hidden = true;
  scheme = next;
  const moved = Object.fromEntries(Object.entries(values).filter(([k, v]) => v !== declaredScheme!.params[k]));
  state.params = Object.keys(moved).length ? moved : undefined;
  saveHash();
  showParamValues(formulasEl, scheme.params);
  computeCurves(scheme);
  drawPlots();
  if (resample) scheduleRun();
}

function computeCurves(s: Scheme): void {
  const N = 241;
  const t = new Float64Array(N);
  for (let i = 0; i < N; i++) t[i] = s.t0 + ((s.T - s.t0) * i) / (N - 1);
  const map = (f: (t: number) => number) => Float64Array.from(t, (x) => { try { return f(x); } catch { return NaN; } });
  const g2 = map((x) => s.g2(x));
  const pos = [...g2].filter((v) => Number.isFinite(v) && v > 0);
  // a log axis when g^2 spans more than a factor 50 (VE, EDM, linear beta)
  const g2Wide = pos.length > 0 && Math.max(...pos) / Math.min(...pos) > 50;
  curves = { t, alpha: map((x) => s.alpha(x)), sigma: map((x) => s.sigma(x)), logSnr: map((x) => s.logSnr(x)), g2, g2Wide };
}

function drawPlots(marker?: number): void {
  if (!curves) return;
  const c = curves;
  drawCurve(plotEls.alpha, { title: 'α(t)', t: c.t, y: c.alpha, color: '#2a5bd7', marker });
  drawCurve(plotEls.sigma, { title: 'σ(t)', t: c.t, y: c.sigma, color: '#d7702a', marker });
  drawCurve(plotEls.logSnr, { title: 'log-SNR λ(t) = log(α/σ)', t: c.t, y: c.logSnr, color: '#2a9d5b', marker });
  drawCurve(plotEls.g2, { title: 'g²(t)', t: c.t, y: c.g2, color: '#8a2ad7', logY: c.g2Wide, marker });
}

// ---- sampling -------------------------------------------------------------------------------
const scheduleRun = debounce(() => { void runNow(); }, 120);

function showSampleError(msg: string | null): void {
  sampleErrorEl.hidden = msg === null;
  sampleErrorEl.textContent = msg ?? '';
}

async function runNow(): Promise<void> {
  if (!scheme) return;
  const token = ++runToken;
  const gmm = currentGmm();
  const options = { sampler: state.sampler, lambda: state.lambda, steps: state.steps, spacing: state.spacing, n: state.n, gmm };
  busy++;
  cancelAnimationFrame(playHandle); // the old animation is being replaced: free the CPU for the run
  setStatus('sampling', 'sampling…');
  await nextFrame();
  try {
    const run = await runSampler({ scheme, gmm, sampler: state.sampler, spacing: state.spacing, steps: state.steps, lambda: state.lambda, n: state.n, seed: state.seed, cancelled: () => token !== runToken });
    if (token !== runToken) return;
    const stats = modeStats(run.samples, gmm);
    lastRun = { ...run, stats, options };
    timings.sample = run.seconds * 1000;
    showSampleError(null);
    view.setTarget(gmm);
    view.setFrames(run.frames);
    frameInput.max = String(run.frames.length - 1);
    runInfoEl.textContent = `${state.sampler}${state.sampler === 'euler-maruyama' ? ` (λ = ${state.lambda})` : ''}: ${state.n} particles, ${run.nfe} score evaluations, ${(run.seconds * 1000).toFixed(0)} ms, ${run.frames.length} frames`;
    runStatsEl.textContent = `final: ${(100 * stats.onMode).toFixed(1)}% within 3σ of a mode; occupancy vs weights TV = ${stats.occupancyTv.toFixed(3)}`;
    runs++;
    play();
  } catch (e) {
    if (token !== runToken || e instanceof RunCancelled) return;
    // the library names CLI flags (--spacing, --steps); the page names its controls
    const msg = isUserError(e)
      ? `${e.field.replace(/^--/, '')}: ${e.message.startsWith(e.field + ': ') ? e.message.slice(e.field.length + 2) : e.message}`
      : `sampling failed: ${(e as Error).message}`;
    showSampleError(msg);
    runs++;
  } finally {
    busy--;
    if (busy === 0 && statusEl.dataset.state === 'sampling') setStatus('ready', 'ready');
  }
}

// ---- animation ------------------------------------------------------------------------------
let playHandle = 0;

let drawMs = 0, plotMs = 0, draws = 0;

function showFrame(i: number): void {
  const t0 = performance.now();
  view.showFrame(i);
  frameInput.value = String(view.frameIndex);
  const t1 = performance.now();
  drawPlots(view.frame()?.t);
  plotMs += performance.now() - t1;
  drawMs += performance.now() - t0;
  draws++;
}

function play(): void {
  cancelAnimationFrame(playHandle);
  const n = view.frameCount;
  if (n === 0) return;
  const duration = Math.min(6000, Math.max(2500, 30 * n));
  const start = performance.now();
  let shown = -1;
  const tick = (now: number) => {
    const p = Math.min(1, (now - start) / duration);
    const i = Math.round(p * (n - 1));
    if (i !== shown) showFrame(i); // redraw only when the frame changes
    shown = i;
    if (p < 1) playHandle = requestAnimationFrame(tick);
  };
  playHandle = requestAnimationFrame(tick);
}

// ---- controls -------------------------------------------------------------------------------
function option(value: string, label = value): HTMLOptionElement {
  return el('option', { value, text: label });
}

function fillControls(): void {
  schemeSelect.replaceChildren(...BUILTIN_NAMES.map((n) => option(n)), option('custom', 'custom (edited)'));
  targetSelect.replaceChildren(...TARGET_NAMES.map((n) => option(n)), option('custom', 'custom (clicked)'));
  samplerSelect.replaceChildren(...SAMPLER_NAMES.map((n) => option(n)));
  spacingSelect.replaceChildren(...PAGE_SPACINGS.map((n) => option(n)));
  stepsInput.min = String(LIMITS.steps.min); stepsInput.max = String(LIMITS.steps.max);
  nInput.min = String(LIMITS.n.min); nInput.max = String(LIMITS.n.max);
}

function showControls(): void {
  schemeSelect.value = state.builtin ?? 'custom';
  targetSelect.value = state.target;
  samplerSelect.value = state.sampler;
  spacingSelect.value = state.spacing;
  stepsInput.value = String(state.steps);
  nInput.value = String(state.n);
  seedInput.value = String(state.seed);
  lambdaInput.value = String(state.lambda);
  lambdaOut.textContent = state.lambda.toFixed(2);
  lambdaHint.textContent = state.sampler === 'euler-maruyama'
    ? '0 = probability-flow ODE, 1 = reverse SDE, 2 = twice the noise'
    : `λ applies to euler-maruyama (moving it selects that sampler); ${state.sampler} ignores it`;
}

function readInt(input: HTMLInputElement, lo: number, hi: number, fallback: number): number {
  const x = Math.round(Number(input.value));
  return Number.isFinite(x) ? Math.min(hi, Math.max(lo, x)) : fallback;
}

function onSamplingChange(): void {
  const before = encodeHash(state);
  state.sampler = samplerSelect.value;
  state.spacing = spacingSelect.value as PlaygroundState['spacing'];
  state.steps = readInt(stepsInput, LIMITS.steps.min, LIMITS.steps.max, state.steps);
  state.n = readInt(nInput, LIMITS.n.min, LIMITS.n.max, state.n);
  state.seed = readInt(seedInput, 0, 2 ** 31 - 1, state.seed);
  showControls();
  if (encodeHash(state) === before) return; // e.g. a change event on blur with nothing new
  saveHash();
  scheduleRun();
}

function setTarget(name: string, gmm: GmmSpec | null): void {
  state.target = name;
  state.gmm = name === 'custom' ? gmm : null;
  targetSelect.value = name;
  view.setTarget(currentGmm());
  saveHash();
  scheduleRun();
}

function wire(): void {
  schemeSelect.addEventListener('change', () => {
    const name = schemeSelect.value;
    if (!(name in BUILTIN_TEXT)) return;
    state.builtin = name;
    state.declText = BUILTIN_TEXT[name];
    state.params = undefined;
    editor.text = state.declText;
    saveHash();
    void applyDeclaration();
  });
  for (const b of document.querySelectorAll<HTMLButtonElement>('button[data-form]')) {
    b.addEventListener('click', () => {
      const tpl = FORM_TEMPLATES[b.dataset.form ?? ''];
      if (!tpl) return;
      editor.text = formatDeclaration(tpl);
      onEdit(editor.text);
    });
  }
  const reapply = debounce(() => { void applyDeclaration(); }, 300);
  const onEdit = (text: string) => {
    state.declText = text;
    state.params = undefined; // a new declaration starts at its declared values
    state.builtin = BUILTIN_NAMES.find((n) => BUILTIN_TEXT[n] === text) ?? null;
    schemeSelect.value = state.builtin ?? 'custom';
    saveHash();
    reapply();
  };
  editor.onChange(onEdit);
  targetSelect.addEventListener('change', () => setTarget(targetSelect.value, targetSelect.value === 'custom' ? (state.gmm ?? TARGETS['ring-8']) : null));
  byId('clear-target').addEventListener('click', () => {
    state.gmm = null;
    setTarget('custom', addComponent(null, 0, 0));
  });
  for (const e of [samplerSelect, spacingSelect, stepsInput, nInput, seedInput]) e.addEventListener('change', onSamplingChange);
  lambdaInput.addEventListener('input', () => {
    state.lambda = Number(lambdaInput.value);
    if (state.sampler !== 'euler-maruyama') state.sampler = 'euler-maruyama';
    showControls();
    saveHash();
    scheduleRun();
  });
  particlesCanvas.addEventListener('click', (ev) => {
    const rect = particlesCanvas.getBoundingClientRect();
    const [x, y] = view.toWorld(ev.clientX - rect.left, ev.clientY - rect.top);
    const base = state.target === 'custom' ? state.gmm : TARGETS[state.target];
    const g = ev.shiftKey ? (base ? removeNearest(base, x, y) : null) : addComponent(base ?? null, x, y);
    if (g) setTarget('custom', g);
  });
  followInput.addEventListener('change', () => view.setFollow(followInput.checked));
  playButton.addEventListener('click', play);
  frameInput.addEventListener('input', () => { cancelAnimationFrame(playHandle); showFrame(Number(frameInput.value)); });
  byId('share').addEventListener('click', async () => {
    saveHash();
    const b = byId<HTMLButtonElement>('share');
    try {
      await navigator.clipboard.writeText(location.href);
      b.textContent = 'link copied';
    } catch {
      window.prompt('Link to this state:', location.href);
    }
    setTimeout(() => { b.textContent = 'Copy link'; }, 1500);
  });
  window.addEventListener('hashchange', () => { loadFromHash(); void applyDeclaration(); });
  window.addEventListener('resize', debounce(() => { drawPlots(view.frame()?.t); view.draw(); }, 100));
}

function loadFromHash(): void {
  state = decodeHash(location.hash, DEFAULTS, (n) => BUILTIN_TEXT[n]);
  if (state.target === 'custom') {
    try { state.gmm = validateGmm(state.gmm, 'gmm'); } catch (e) {
      showSampleError(`link: ${(e as Error).message}; using ring-8`);
      state.target = 'ring-8'; state.gmm = null;
    }
  } else if (!(state.target in TARGETS)) state.target = 'ring-8';
  editor.text = state.declText;
  showControls();
  view.setTarget(currentGmm());
}

// ---- test hook ------------------------------------------------------------------------------
/** Read-only views of the page for tests and for the curious (the console). */
export interface PlaygroundHook {
  state(): PlaygroundState;
  backend(): PageBackendInfo | null;
  runs(): number;
  busy(): boolean;
  result(): { samples: number[]; onMode: number; occupancyTv: number; nfe: number; frames: number; sampler: string; lambda: number; means: number[][]; stds: number[] } | null;
  proofs(): { id: string; ok: boolean; method: string }[];
  /** the parameter values the plots and particles use (the sliders') */
  params(): Record<string, number>;
  /** the plotted curves over t */
  curves(): { t: number[]; alpha: number[]; sigma: number[]; logSnr: number[]; g2: number[] } | null;
  /** milliseconds of the last declare, render, proofs and sampling run */
  timings(): Record<string, number>;
  /** positions (x, y) of particle i in every frame of the last run */
  path(i: number): number[][];
  /** max |log p_t (TF.js) - log p_t (library, float64)| at random points and several t */
  densityCheck(): Promise<number>;
}

function installHook(): void {
  const hook: PlaygroundHook = {
    state: () => JSON.parse(JSON.stringify(state)) as PlaygroundState,
    backend: () => backendInfo,
    runs: () => runs,
    busy: () => busy > 0,
    result: () => lastRun && {
      samples: Array.from(lastRun.samples), onMode: lastRun.stats.onMode, occupancyTv: lastRun.stats.occupancyTv,
      nfe: lastRun.nfe, frames: lastRun.frames.length, sampler: lastRun.options.sampler, lambda: lastRun.options.lambda,
      means: lastRun.options.gmm.means.map((m) => [...m]), stds: [...lastRun.options.gmm.stds],
    },
    proofs: () => proofReports.map((r) => ({ id: r.id, ok: r.ok, method: r.method })),
    params: () => ({ ...(scheme?.params ?? {}) }),
    curves: () => curves && { t: [...curves.t], alpha: [...curves.alpha], sigma: [...curves.sigma], logSnr: [...curves.logSnr], g2: [...curves.g2] },
    timings: () => ({ ...timings, drawAvg: draws ? drawMs / draws : 0, plotAvg: draws ? plotMs / draws : 0, draws }),
    path: (i) => (lastRun ? lastRun.frames.map((f) => [f.x[2 * i], f.x[2 * i + 1]]) : []),
    densityCheck: async () => {
      if (!scheme) throw new Error('no scheme');
      const g = currentGmm();
      const model = new GaussianMixtureModel(g);
      const n = 64;
      const xy = Float64Array.from({ length: 2 * n }, (_, i) => Math.sin(12.9898 * (i + 1)) * 3);
      let worst = 0;
      for (const frac of [0, 0.25, 0.5, 1]) {
        const t = scheme.t0 + frac * (scheme.T - scheme.t0);
        const at = { t, alpha: scheme.alpha(t), sigma: scheme.sigma(t) };
        const lib = model.logDensity(xy, n, at);
        const tfv = await logDensityAt(xy, g, at.alpha, at.sigma);
        for (let i = 0; i < n; i++) worst = Math.max(worst, Math.abs(lib[i] - tfv[i]) / Math.max(1, Math.abs(lib[i])));
      }
      return worst;
    },
  };
  (window as unknown as { __sdekit: PlaygroundHook }).__sdekit = hook;
}

// ---- start ----------------------------------------------------------------------------------
async function main(): Promise<void> {
  installHook();
  fillControls();
  wire();
  loadFromHash();
  saveHash();
  backendEl.textContent = 'TF.js backend: choosing…';
  const backend = chooseBackend(state.backend).then((b) => {
    backendInfo = b;
    backendEl.textContent = `TF.js backend: ${b.name}`;
    backendEl.dataset.backend = b.name;
    view.densityReady = true;
    backendEl.title = [`${b.name}${b.adapter ? ` (${b.adapter})` : ''}`, ...b.skipped.map((s) => `skipped ${s.name}: ${s.reason}`)].join('\n');
    view.draw();
  }, (e: unknown) => {
    backendEl.textContent = 'TF.js backend: none';
    backendEl.title = e instanceof Error ? e.message : String(e);
    view.densityError = backendEl.title;
  });
  await applyDeclaration();
  await backend;
  if (busy === 0 && statusEl.dataset.state !== 'error') setStatus('ready', 'ready');
}

main().catch((e: unknown) => {
  // never a blank page: say what failed where the status is
  setStatus('error', `playground failed to start: ${e instanceof Error ? e.message : String(e)}`);
  document.body.prepend(el('div', { class: 'error', text: `playground failed to start: ${e instanceof Error ? e.stack ?? e.message : String(e)}` }));
});

