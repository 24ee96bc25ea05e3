/**
 * WGSL and GLSL source for a scheme's coefficient functions (float32): one function per view,
 * helpers for the functions the shading languages lack (log1p, expm1, sigmoid, softplus, erf),
 * and, for numeric views, a tabulated array with linear interpolation.
 */
import { CONSTANTS, type MathNode } from '../expr/nodes.ts';
import type { Scheme } from '../scheme/types.ts';
import { printInfix, type InfixTarget } from './infix.ts';
import { stabilize } from '../expr/stabilize.ts';

/** Shader targets of `sdekit derive --target`. */
export type ShaderLanguage = 'wgsl' | 'glsl';
const VIEWS = ['alpha', 'sigma', 'f', 'g2', 'logSnr', 'dlogSnr'] as const;

function decl(lang: ShaderLanguage, name: string, body: string): string {
  return lang === 'wgsl' ? `fn ${name}(t: f32) -> f32 { ${body} }` : `float ${name}(float t) { ${body} }`;
}

/**
 * Discrete tables: the exact piecewise-linear log alpha of the host (knots (k/N, log alpha_k),
 * k = 0..N with log alpha_0 = 0), and every view from it as in scheme/discrete.ts.
 */
function discreteViews(s: Scheme, lang: ShaderLanguage, table: TableBinding | undefined): string {
  const n = s.discrete!.times.length;
  const kl = Array.from(discreteKnots(s), f32);
  const w = lang === 'wgsl';
  const lines = [
    table && w ? `@group(${table.group}) @binding(${table.binding}) var<storage, read> LOG_ALPHA_KNOTS: array<f32>;`
      : w ? `const LOG_ALPHA_KNOTS = array<f32, ${n + 1}>(${kl.join(', ')});` : `const float LOG_ALPHA_KNOTS[${n + 1}] = float[${n + 1}](${kl.join(', ')});`,
    w ? `fn sdk_segment(t: f32) -> u32 { return u32(clamp(ceil(t * ${n}.0) - 1.0, 0.0, ${n - 1}.0)); }` : `int sdk_segment(float t) { return int(clamp(ceil(t * ${n}.0) - 1.0, 0.0, ${n - 1}.0)); }`,
    decl(lang, 'f', w ? `let k = sdk_segment(t); return (LOG_ALPHA_KNOTS[k + 1u] - LOG_ALPHA_KNOTS[k]) * ${n}.0;` : `int k = sdk_segment(t); return (LOG_ALPHA_KNOTS[k + 1] - LOG_ALPHA_KNOTS[k]) * ${n}.0;`),
    decl(lang, 'log_alpha', w ? `let k = sdk_segment(t); return LOG_ALPHA_KNOTS[k] + f(t) * (t - f32(k) / ${n}.0);` : `int k = sdk_segment(t); return LOG_ALPHA_KNOTS[k] + f(t) * (t - float(k) / ${n}.0);`),
    decl(lang, 'alpha', 'return exp(log_alpha(t));'),
    decl(lang, 'sigma', 'return sqrt(-sdk_expm1(2.0 * log_alpha(t)));'),
    decl(lang, 'g2', 'return -2.0 * f(t);'),
    decl(lang, 'logSnr', 'return log_alpha(t) - 0.5 * log(-sdk_expm1(2.0 * log_alpha(t)));'),
    decl(lang, 'dlogSnr', 'return f(t) / -sdk_expm1(2.0 * log_alpha(t));'),
  ];
  return lines.join('\n');
}

function f32(v: number): string {
  if (!Number.isFinite(v)) return v > 0 ? '3.4028235e38' : '-3.4028235e38';
  const s = Math.fround(v).toPrecision(9);
  return /[.e]/.test(s) ? s : `${s}.0`;
}

const HELPERS: Record<ShaderLanguage, string> = {
  wgsl: [
    'fn sdk_log1p(x: f32) -> f32 { let u = 1.0 + x; if (u == 1.0) { return x; } return log(u) * x / (u - 1.0); }',
    'fn sdk_expm1(x: f32) -> f32 { if (abs(x) < 1e-5) { return x + 0.5 * x * x; } return exp(x) - 1.0; }',
    'fn sdk_sigmoid(x: f32) -> f32 { if (x >= 0.0) { return 1.0 / (1.0 + exp(-x)); } let e = exp(x); return e / (1.0 + e); }',
    'fn sdk_softplus(x: f32) -> f32 { return max(x, 0.0) + sdk_log1p(exp(-abs(x))); }',
    'fn sdk_logit(p: f32) -> f32 { return log(p) - sdk_log1p(-p); }',
    'fn sdk_erf(x: f32) -> f32 { let t = 1.0 / (1.0 + 0.3275911 * abs(x)); let y = 1.0 - (((((1.061405429 * t - 1.453152027) * t) + 1.421413741) * t - 0.284496736) * t + 0.254829592) * t * exp(-x * x); return select(-y, y, x >= 0.0); }',
  ].join('\n'),
  glsl: [
    'float sdk_log1p(float x) { float u = 1.0 + x; if (u == 1.0) return x; return log(u) * x / (u - 1.0); }',
    'float sdk_expm1(float x) { if (abs(x) < 1e-5) return x + 0.5 * x * x; return exp(x) - 1.0; }',
    'float sdk_sigmoid(float x) { if (x >= 0.0) return 1.0 / (1.0 + exp(-x)); float e = exp(x); return e / (1.0 + e); }',
    'float sdk_softplus(float x) { return max(x, 0.0) + sdk_log1p(exp(-abs(x))); }',
    'float sdk_logit(float p) { return log(p) - sdk_log1p(-p); }',
    'float sdk_erf(float x) { float t = 1.0 / (1.0 + 0.3275911 * abs(x)); float y = 1.0 - (((((1.061405429 * t - 1.453152027) * t) + 1.421413741) * t - 0.284496736) * t + 0.254829592) * t * exp(-x * x); return x >= 0.0 ? y : -y; }',
  ].join('\n'),
};

/** The shader constant of a parameter (upper case, prefixed so it cannot meet a builtin or a view). */
export function shaderParamName(name: string): string {
  return `P_${name.toUpperCase()}`;
}

function target(lang: ShaderLanguage, params: readonly string[]): InfixTarget {
  return {
    number: f32,
    symbol: (s) => (params.includes(s) ? shaderParamName(s) : s in CONSTANTS ? f32(CONSTANTS[s]) : s),
    powIsOperator: false,
    pow: (a, b, e) => (e === 2 ? `(${a} * ${a})` : e === 0.5 ? `sqrt(${a})` : `pow(${a}, ${b})`),
    call: (name, u) => {
      switch (name) {
        case 'log1p': case 'expm1': case 'sigmoid': case 'softplus': case 'logit': case 'erf': return `sdk_${name}(${u})`;
        default: return `${name}(${u})`;
      }
    },
  };
}

/** A shader expression (float32) for a tree in t; `params` are printed as their named constants. */
export function toShader(n: MathNode, lang: ShaderLanguage, params: readonly string[] = []): string {
  return printInfix(stabilize(n), target(lang, params)); // the evaluation form (src/expr/stabilize.ts)
}

/** The log-alpha knots of a discrete scheme, k = 0..N (k/N, log alpha_k), log alpha_0 = 0. */
export function discreteKnots(s: Scheme): Float32Array {
  const info = s.discrete;
  if (!info) throw new Error(`scheme ${s.name} is not discrete`);
  return Float32Array.from([0, ...Array.from(info.alphasCumprod, (a) => 0.5 * Math.log(a))]);
}

/**
 * Where a discrete table lives when it is not inlined as a constant array: a read-only storage
 * buffer (WGSL), filled with {@link discreteKnots}. Software rasterisers (llvmpipe) compile large
 * dynamically indexed constant arrays very slowly; real drivers do not mind either form.
 */
export interface TableBinding { group: number; binding: number }

/** All coefficient functions of the scheme in one shader source. */
export function shaderModule(s: Scheme, lang: ShaderLanguage, opts: { tablePoints?: number; discreteTable?: TableBinding } = {}): string {
  const tablePoints = opts.tablePoints ?? 1025;
  const out: string[] = [`// scheme "${s.name}" generated by sdekit (${lang}, float32). t in [${s.t0}, ${s.T}].`, HELPERS[lang]];
  if (s.discrete) { out.push(discreteViews(s, lang, opts.discreteTable)); return out.join('\n') + '\n'; }
  // the parameters as named constants (the closed forms use the names; edit a value here to sweep it)
  const names = Object.keys(s.params);
  for (const [k, v] of Object.entries(s.params)) out.push(lang === 'wgsl' ? `const ${shaderParamName(k)}: f32 = ${f32(v)};` : `const float ${shaderParamName(k)} = ${f32(v)};`);
  for (const k of VIEWS) {
    const q = s.quantities[k];
    if (q.expr) { out.push(decl(lang, k, `return ${toShader(q.evalExpr ?? q.expr, lang, names)};`)); continue; }
    const vals: string[] = [];
    for (let i = 0; i < tablePoints; i++) vals.push(f32(q.fn(s.t0 + ((s.T - s.t0) * i) / (tablePoints - 1))));
    const tbl = `${k.toUpperCase()}_TABLE`;
    out.push(lang === 'wgsl'
      ? `const ${tbl} = array<f32, ${tablePoints}>(${vals.join(', ')});`
      : `const float ${tbl}[${tablePoints}] = float[${tablePoints}](${vals.join(', ')});`);
    const body = lang === 'wgsl'
      ? `let u = clamp((t - ${f32(s.t0)}) / ${f32(s.T - s.t0)} * ${tablePoints - 1}.0, 0.0, ${tablePoints - 1}.0); let i = min(u32(u), ${tablePoints - 2}u); let w = u - f32(i); return mix(${tbl}[i], ${tbl}[i + 1u], w);`
      : `float u = clamp((t - ${f32(s.t0)}) / ${f32(s.T - s.t0)} * ${tablePoints - 1}.0, 0.0, ${tablePoints - 1}.0); int i = min(int(u), ${tablePoints - 2}); float w = u - float(i); return mix(${tbl}[i], ${tbl}[i + 1], w);`;
    out.push(decl(lang, k, body));
  }
  return out.join('\n') + '\n';
}
