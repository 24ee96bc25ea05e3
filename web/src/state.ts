/**
 * The playground's whole state, and its encoding in the URL hash so that a link reproduces the
 * page: `#scheme=vp-linear&target=ring-8&sampler=euler-maruyama&steps=100&lambda=1&n=4000&seed=0`;
 * a custom declaration travels as `decl=<JSON>`, placed mixture components as `gmm=<JSON>`.
 */
import { SAMPLER_NAMES } from '../../src/sample/registry.ts';
import { SPACINGS, type Spacing } from '../../src/scheme/spacing.ts';
import type { GmmSpec } from '../../src/score/gmm.ts';

/** Spacings offered in the page (the discrete-table spacings need a discrete scheme). */
export const PAGE_SPACINGS: readonly Spacing[] = SPACINGS;

/** Everything a link has to carry. */
export interface PlaygroundState {
  /** the declaration text in the editor (JSON) */
  declText: string;
  /** the built-in it equals, or null for a custom declaration */
  builtin: string | null;
  /** a built-in target name, or 'custom' (then `gmm` holds it) */
  target: string;
  gmm: GmmSpec | null;
  sampler: string;
  spacing: Spacing;
  steps: number;
  lambda: number;
  n: number;
  seed: number;
  /** a forced TensorFlow.js backend, or null for the automatic order */
  backend: string | null;
  /** parameter values set with the sliders (absent: the declared ones) */
  params?: Record<string, number>;
}

/** Limits of the numeric controls (also enforced when a link is read). */
export const LIMITS = {
  steps: { min: 1, max: 1000 },
  lambda: { min: 0, max: 2 },
  n: { min: 100, max: 20000 },
} as const;

const clamp = (x: number, lo: number, hi: number) => Math.min(hi, Math.max(lo, x));

/** Encode the state as a URL hash (without the leading '#'). */
export function encodeHash(s: PlaygroundState): string {
  const p = new URLSearchParams();
  if (s.builtin) p.set('scheme', s.builtin);
  else p.set('decl', s.declText);
  p.set('target', s.target);
  if (s.target === 'custom' && s.gmm) p.set('gmm', JSON.stringify(s.gmm));
  p.set('sampler', s.sampler);
  p.set('spacing', s.spacing);
  p.set('steps', String(s.steps));
  p.set('lambda', String(s.lambda));
  p.set('n', String(s.n));
  p.set('seed', String(s.seed));
  if (s.backend) p.set('backend', s.backend);
  if (s.params && Object.keys(s.params).length) p.set('params', JSON.stringify(s.params));
  return p.toString();
}

/**
 * Read a hash over the defaults. Unknown or out-of-range values fall back to the default (a
 * link never breaks the page); the declaration itself is checked later by the editor.
 */
export function decodeHash(hash: string, defaults: PlaygroundState, builtinText: (name: string) => string | undefined): PlaygroundState {
  const p = new URLSearchParams(hash.replace(/^#/, ''));
  const s: PlaygroundState = { ...defaults };
  const scheme = p.get('scheme');
  const decl = p.get('decl');
  if (decl !== null) { s.declText = decl; s.builtin = null; }
  else if (scheme !== null && builtinText(scheme) !== undefined) { s.builtin = scheme; s.declText = builtinText(scheme) as string; }
  const target = p.get('target');
  if (target) s.target = target;
  const gmm = p.get('gmm');
  if (gmm) {
    try { s.gmm = JSON.parse(gmm) as GmmSpec; } catch { s.gmm = null; }
  }
  const sampler = p.get('sampler');
  if (sampler && (SAMPLER_NAMES as readonly string[]).includes(sampler)) s.sampler = sampler;
  const spacing = p.get('spacing');
  if (spacing && (PAGE_SPACINGS as readonly string[]).includes(spacing)) s.spacing = spacing as Spacing;
  const num = (key: string, lo: number, hi: number, integer: boolean): number | undefined => {
    const v = p.get(key);
    if (v === null || v.trim() === '') return undefined;
    const x = Number(v);
    if (!Number.isFinite(x)) return undefined;
    return clamp(integer ? Math.round(x) : x, lo, hi);
  };
  s.steps = num('steps', LIMITS.steps.min, LIMITS.steps.max, true) ?? s.steps;
  s.lambda = num('lambda', LIMITS.lambda.min, LIMITS.lambda.max, false) ?? s.lambda;
  s.n = num('n', LIMITS.n.min, LIMITS.n.max, true) ?? s.n;
  s.seed = num('seed', 0, 2 ** 31 - 1, true) ?? s.seed;
  const backend = p.get('backend');
  if (backend) s.backend = backend;
  // slider values: an object of finite numbers (whether they suit the scheme is checked when applied)
  const params = p.get('params');
  if (params) {
    try {
      const o = JSON.parse(params) as unknown;
      if (o && typeof o === 'object' && !Array.isArray(o) && Object.values(o).every((v) => typeof v === 'number' && Number.isFinite(v))) s.params = { ...(o as Record<string, number>) };
    } catch { /* a bad link keeps the declared values */ }
  }
  return s;
}
