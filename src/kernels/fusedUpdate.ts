/**
 * The fused elementwise sampler update x_next = sum_k c_k * y_k, as one WGSL kernel launch.
 *
 * Every sampler step of MATH.md is of this form once its coefficients are evaluated on the host in
 * float64: Euler / DDIM / DPM-Solver-1 (x_next = a x + b eps_hat), Euler-Maruyama and DDPM
 * (a x + b eps_hat + c z), the multistep DPM-Solver++ updates (a x + sum_j b_j x0_hat_j). The
 * coefficients reach the kernel as float32 uniforms; the arrays are float32 storage buffers. With
 * `inPlace`, y_0 is the output array itself (x <- c_0 x + ...), the usual form of a sampler step.
 */
import { linHost } from '../sample/hostOps.ts';
import { ELEMENT_INDEX_WGSL, type BindingSpec, type GpuArray, type Kernel, type KernelRuntime, type KernelSource } from './runtime.ts';

/** Options of the generated kernel. */
export interface FusedUpdateOptions {
  /** y_0 is the output array (read and written in place); default false */
  readonly inPlace?: boolean;
  /** threads per workgroup; default 64 */
  readonly workgroupSize?: number;
}

const LANES = 'xyzw';

/** The binding layout of {@link fusedUpdateWgsl}: `x_next`, then `y0..y{K-1}` (minus y0 in place), then `coef`. */
export function fusedUpdateBindings(terms: number, opts: FusedUpdateOptions = {}): BindingSpec[] {
  checkTerms(terms);
  const out: BindingSpec[] = [{ name: 'x_next', binding: 0, kind: 'read_write' }];
  const first = opts.inPlace ? 1 : 0;
  for (let k = first; k < terms; k++) out.push({ name: `y${k}`, binding: out.length, kind: 'read' });
  out.push({ name: 'coef', binding: out.length, kind: 'uniform' });
  return out;
}

function checkTerms(terms: number): void {
  if (!Number.isInteger(terms) || terms < 1) throw new Error(`fused update: terms must be a positive integer, got ${terms}`);
}

/**
 * WGSL for x_next[i] = sum_{k<terms} c_k * y_k[i]. Bindings as {@link fusedUpdateBindings}; the
 * coefficients are a uniform `array<vec4<f32>, ceil(terms/4)>` (c_k at lane k%4 of vector k/4).
 */
export function fusedUpdateWgsl(terms: number, opts: FusedUpdateOptions = {}): string {
  checkTerms(terms);
  const wg = opts.workgroupSize ?? 64;
  const bindings = fusedUpdateBindings(terms, opts);
  const vecs = Math.ceil(terms / 4);
  const decl = bindings
    .map((b) => {
      if (b.kind === 'uniform') return `@group(0) @binding(${b.binding}) var<uniform> coef: Coefficients;`;
      const access = b.kind === 'read_write' ? 'read_write' : 'read';
      return `@group(0) @binding(${b.binding}) var<storage, ${access}> ${b.name}: array<f32>;`;
    })
    .join('\n');
  const term = (k: number): string => {
    const c = `coef.c[${k >> 2}].${LANES[k & 3]}`;
    const y = k === 0 && opts.inPlace ? 'x_next' : `y${k}`;
    return `${c} * ${y}[i]`;
  };
  const sum = Array.from({ length: terms }, (_, k) => term(k)).join('\n    + ');
  return `// sdekit fused sampler update: x_next = sum_k c_k * y_k, k < ${terms}${opts.inPlace ? ' (y0 = x_next, in place)' : ''}
struct Coefficients { c: array<vec4<f32>, ${vecs}> }
${decl}
${ELEMENT_INDEX_WGSL}
@compute @workgroup_size(${wg})
fn main(@builtin(global_invocation_id) gid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>) {
  let i = elementIndex(gid, nwg, ${wg}u);
  if (i >= arrayLength(&x_next)) { return; }
  x_next[i] = ${sum};
}
`;
}

/** {@link fusedUpdateWgsl} with its bindings, ready for {@link KernelRuntime.compile}. */
export function fusedUpdateKernel(terms: number, opts: FusedUpdateOptions = {}): KernelSource {
  return {
    wgsl: fusedUpdateWgsl(terms, opts),
    entryPoint: 'main',
    workgroupSize: opts.workgroupSize ?? 64,
    bindings: fusedUpdateBindings(terms, opts),
    label: `fusedUpdate${terms}${opts.inPlace ? 'InPlace' : ''}`,
  };
}

/** Pack host float64 coefficients into the kernel's uniform layout (rounded to float32). */
export function packCoefficients(c: readonly number[]): Float32Array {
  const out = new Float32Array(Math.ceil(c.length / 4) * 4);
  for (let k = 0; k < c.length; k++) {
    if (!Number.isFinite(c[k])) throw new Error(`fused update: coefficient c_${k} is ${c[k]}, not finite`);
    out[k] = c[k];
  }
  return out;
}

/**
 * The same update on the host, accumulated in float64 (the reference for tests): the samplers' host
 * loop {@link linHost}, out[i] = sum_k c_k * ys[k][i], after checking the shapes and coefficients.
 * `out` may be one of the `ys` (in place).
 */
export function fusedUpdateHost(c: readonly number[], ys: readonly ArrayLike<number>[], out: Float32Array | Float64Array): void {
  if (c.length !== ys.length) throw new Error(`fused update: ${c.length} coefficients for ${ys.length} arrays`);
  const n = out.length;
  for (const y of ys) if (y.length !== n) throw new Error(`fused update: array of ${y.length} values, expected ${n}`);
  for (let k = 0; k < c.length; k++) if (!Number.isFinite(c[k])) throw new Error(`fused update: coefficient c_${k} is ${c[k]}, not finite`);
  linHost(out, c.map((ck, k) => [ck, ys[k]] as const));
}

/** A compiled fused update bound to a runtime: `step(coefficients, arrays)` is one dispatch. */
export class FusedUpdate {
  private constructor(private readonly kernel: Kernel, readonly terms: number, readonly inPlace: boolean) {}

  /** Compile the kernel for `terms` terms. */
  static async create(rt: KernelRuntime, terms: number, opts: FusedUpdateOptions = {}): Promise<FusedUpdate> {
    return new FusedUpdate(await rt.compile(fusedUpdateKernel(terms, opts)), terms, opts.inPlace === true);
  }

  /**
   * x_next <- sum_k c_k y_k. In place, `ys` lists y_1..y_{K-1} (y_0 is x_next); otherwise y_0..y_{K-1}.
   * Coefficients are host float64, passed as float32 uniforms.
   */
  step(c: readonly number[], xNext: GpuArray, ys: readonly GpuArray[]): void {
    if (c.length !== this.terms) throw new Error(`fused update: ${c.length} coefficients for a ${this.terms}-term kernel`);
    const first = this.inPlace ? 1 : 0;
    if (ys.length !== this.terms - first) throw new Error(`fused update: ${ys.length} arrays, expected ${this.terms - first}`);
    const bind: Record<string, GpuArray | Float32Array> = { x_next: xNext, coef: packCoefficients(c) };
    for (const y of ys) if (y.length !== xNext.length) throw new Error(`fused update: array of ${y.length} values, output has ${xNext.length}`);
    ys.forEach((y, j) => { bind[`y${j + first}`] = y; });
    this.kernel.run(bind, xNext.length);
  }

  /** Free the kernel's uniform buffer. */
  destroy(): void {
    this.kernel.destroy();
  }
}
