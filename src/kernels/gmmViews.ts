/**
 * A generated WGSL kernel for the views of the exact isotropic Gaussian-mixture model (the analytic
 * model of src/score/gmm.ts; a Gaussian N(m, v I) is its one-component case), float32 on device
 * buffers. Under x_t = alpha x0 + sigma eps, with c_k = alpha^2 s_k^2 + sigma^2, d_k = x - alpha mu_k
 * and responsibilities r_k = softmax_k(log w_k - D/2 log c_k - |d_k|^2 / (2 c_k)) (log-sum-exp:
 * the largest logit is subtracted before exp, and the quadratic terms enter relative to their
 * minimum), every view is sum_k r_k (P_k d_k + R_k mu_k):
 *
 *     x0:    P_k = alpha s_k^2 / c_k,               R_k = 1
 *     eps:   P_k = sigma / c_k,                     R_k = 0
 *     score: P_k = -1 / c_k,                        R_k = 0
 *     v:     P_k = alpha sigma (1 - s_k^2) / c_k,   R_k = -sigma
 *
 * (the same algebra as gmm.ts, written around d_k so that no view cancels x against alpha mu_k).
 * c_k >= alpha^2 s_k^2 + sigma^2 > 0 unless alpha = sigma = 0, so every view is finite at sigma = 0
 * and at alpha = 0 (zero terminal SNR, where r_k = w_k). The per-level coefficients are computed in
 * float64 on the host and reach the kernel as a float32 uniform; one thread per row.
 */
import { UserError } from '../errors.ts';
import { GaussianModel } from '../score/gaussian.ts';
import { GaussianMixtureModel } from '../score/gmm.ts';
import type { NoiseLevel, ScoreModel } from '../score/model.ts';
import type { Views } from '../sample/ops.ts';
import { ELEMENT_INDEX_WGSL, type BindingSpec, type GpuArray, type Kernel, type KernelRuntime, type KernelSource } from './runtime.ts';

/** The views the kernel can write, in binding order. */
export const GMM_VIEWS = ['x0', 'eps', 'score', 'v'] as const;
type ViewName = (typeof GMM_VIEWS)[number];

/** An isotropic mixture sum_k w_k N(mu_k, s_k^2 I) with normalised weights. */
export interface MixtureComponents {
  readonly dim: number;
  readonly weights: readonly number[];
  /** K rows of dimension `dim` */
  readonly means: readonly (readonly number[])[];
  readonly stds: readonly number[];
}

/** The mixture behind an analytic model, or null for a model with no device kernel (a network). */
export function mixtureOf(model: ScoreModel): MixtureComponents | null {
  if (model instanceof GaussianMixtureModel) {
    const total = model.spec.weights.reduce((a, b) => a + b, 0);
    return { dim: model.dim, weights: model.spec.weights.map((w) => w / total), means: model.spec.means, stds: model.spec.stds };
  }
  if (model instanceof GaussianModel) {
    return { dim: model.dim, weights: [1], means: [Array.from(model.mean)], stds: [Math.sqrt(model.variance)] };
  }
  return null;
}

const WG = 64;
/** finite stand-in for log 0 (a zero weight): exp(-1e30 - m) = 0 */
const LOG_ZERO = -1e30;
/** uniform vec4s per component: (B_k, 1/(2 c_k), -, -), (P, R) of x0 and eps, (P, R) of score and v */
const VEC4_PER_COMPONENT = 3;

/** The binding layout: x, mu, one output per requested view, the level uniform. */
export function gmmViewsBindings(views: readonly ViewName[]): BindingSpec[] {
  const out: BindingSpec[] = [{ name: 'x', binding: 0, kind: 'read' }, { name: 'mu', binding: 1, kind: 'read' }];
  for (const v of views) out.push({ name: `out_${v}`, binding: out.length, kind: 'read_write' });
  out.push({ name: 'level', binding: out.length, kind: 'uniform' });
  return out;
}

/** WGSL for the requested views of a K-component mixture in dimension D. */
export function gmmViewsWgsl(K: number, D: number, views: readonly ViewName[]): string {
  const bindings = gmmViewsBindings(views);
  const decl = bindings.map((b) => {
    if (b.kind === 'uniform') return `@group(0) @binding(${b.binding}) var<uniform> level: Level;`;
    return `@group(0) @binding(${b.binding}) var<storage, ${b.kind}> ${b.name}: array<f32>;`;
  }).join('\n');
  // view -> (uniform vec4 index offset, lanes of P and R)
  const pr: Record<ViewName, [number, string, string]> = { x0: [1, 'x', 'y'], eps: [1, 'z', 'w'], score: [2, 'x', 'y'], v: [2, 'z', 'w'] };
  const acc = views.map((v) => `    var a_${v} = 0.0;`).join('\n');
  const add = views.map((v) => {
    const [o, p, r] = pr[v];
    return `      a_${v} += e * (level.c[${VEC4_PER_COMPONENT}u * k + ${o}u].${p} * d + level.c[${VEC4_PER_COMPONENT}u * k + ${o}u].${r} * mk);`;
  }).join('\n');
  const store = views.map((v) => `    out_${v}[o + j] = a_${v} * iz;`).join('\n');
  return `// sdekit exact Gaussian-mixture views (${views.join(', ')}), K = ${K}, D = ${D}
const K = ${K}u;
const D = ${D}u;
struct Level { alpha: f32, rows: u32, pad0: u32, pad1: u32, c: array<vec4<f32>, ${VEC4_PER_COMPONENT * K}> }
${decl}
${ELEMENT_INDEX_WGSL}
@compute @workgroup_size(${WG})
fn main(@builtin(global_invocation_id) gid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>) {
  let r = elementIndex(gid, nwg, ${WG}u);
  if (r >= level.rows) { return; }
  let o = r * D;
  let alpha = level.alpha;
  // log-sum-exp responsibilities; the quadratic terms q_k = |d_k|^2 / (2 c_k) enter relative to their
  // minimum (exact when they are close, e.g. all equal at alpha = 0), so B_k is not lost against a large q
  var w: array<f32, K>;
  var qMin = 3.0e38;
  for (var k = 0u; k < K; k++) {
    var d2 = 0.0;
    for (var j = 0u; j < D; j++) {
      let d = x[o + j] - alpha * mu[k * D + j];
      d2 += d * d;
    }
    w[k] = d2 * level.c[${VEC4_PER_COMPONENT}u * k].y;
    qMin = min(qMin, w[k]);
  }
  var m = -3.0e38;
  for (var k = 0u; k < K; k++) {
    w[k] = level.c[${VEC4_PER_COMPONENT}u * k].x - (w[k] - qMin);
    m = max(m, w[k]);
  }
  var z = 0.0;
  for (var k = 0u; k < K; k++) {
    let e = exp(w[k] - m);
    w[k] = e;
    z += e;
  }
  let iz = 1.0 / z;
  for (var j = 0u; j < D; j++) {
    let xj = x[o + j];
${acc}
    for (var k = 0u; k < K; k++) {
      let mk = mu[k * D + j];
      let d = xj - alpha * mk;
      let e = w[k];
${add}
    }
${store}
  }
}
`;
}

/** {@link gmmViewsWgsl} with its bindings. */
export function gmmViewsKernel(K: number, D: number, views: readonly ViewName[]): KernelSource {
  return { wgsl: gmmViewsWgsl(K, D, views), entryPoint: 'main', workgroupSize: WG, bindings: gmmViewsBindings(views), label: `gmmViews_${views.join('_')}` };
}

/**
 * The level uniform: alpha, rows, and per component (B_k, 1/(2 c_k)) and the (P_k, R_k) of every
 * view, computed in float64 (MATH.md section 2 conversions of the exact mixture) and rounded once.
 */
export function packLevel(mix: MixtureComponents, at: NoiseLevel, rows: number): ArrayBuffer {
  const K = mix.weights.length;
  const D = mix.dim;
  const { alpha, sigma } = at;
  const buf = new ArrayBuffer(16 + 16 * VEC4_PER_COMPONENT * K);
  const dv = new DataView(buf);
  dv.setFloat32(0, alpha, true);
  dv.setUint32(4, rows, true);
  const f = new Float32Array(buf, 16);
  for (let k = 0; k < K; k++) {
    const s2 = mix.stds[k] * mix.stds[k];
    const c = alpha * alpha * s2 + sigma * sigma;
    if (!(c > 0)) throw new Error(`mixture views: alpha = sigma = 0 (t = ${at.t}) has no noise level`);
    const logW = mix.weights[k] > 0 ? Math.log(mix.weights[k]) : LOG_ZERO;
    const o = 4 * VEC4_PER_COMPONENT * k;
    f[o] = logW - 0.5 * D * Math.log(c);
    f[o + 1] = 0.5 / c;
    f.set([(alpha * s2) / c, 1, sigma / c, 0], o + 4); // x0, eps
    f.set([-1 / c, 0, (alpha * sigma * (1 - s2)) / c, -sigma], o + 8); // score, v
  }
  return buf;
}

/** The exact mixture's views on device buffers; compiles one kernel per requested set of views. */
export class DeviceMixture {
  private readonly kernels = new Map<string, Promise<Kernel>>();
  private readonly mu: GpuArray;

  constructor(private readonly rt: KernelRuntime, readonly mix: MixtureComponents) {
    const K = mix.weights.length;
    const maxK = Math.floor((rt.device.limits.maxUniformBufferBindingSize - 16) / (16 * VEC4_PER_COMPONENT));
    if (K > maxK) throw new UserError('--score', `a mixture of ${K} components exceeds the device kernel's ${maxK}`);
    this.mu = rt.array(Float32Array.from(mix.means.flat()));
  }

  /** Fill the requested views of x (n rows) at a noise level: one launch. */
  async evaluate(x: GpuArray, n: number, at: NoiseLevel, want: Views<GpuArray>): Promise<void> {
    const views = GMM_VIEWS.filter((v) => want[v] !== undefined);
    if (views.length === 0) return;
    const key = views.join(',');
    let k = this.kernels.get(key);
    if (k === undefined) {
      k = this.rt.compile(gmmViewsKernel(this.mix.weights.length, this.mix.dim, views));
      this.kernels.set(key, k);
    }
    const kernel = await k;
    const bind: Record<string, GpuArray | ArrayBuffer> = { x, mu: this.mu, level: packLevel(this.mix, at, n) };
    for (const v of views) {
      const out = want[v]!;
      if (out === x) throw new Error(`mixture views: the ${v} output must not be the input array`);
      bind[`out_${v}`] = out;
    }
    kernel.run(bind, n);
  }

  /** Free the kernels' uniforms and the means. */
  async destroy(): Promise<void> {
    for (const k of this.kernels.values()) (await k).destroy();
    this.rt.free(this.mu);
  }
}
