/**
 * Generated WGSL reductions that samplers need on device buffers: the sum over rows of the row
 * norms (pc's Langevin step rule) and the sum of squared scaled errors (rk45's error norm). Each
 * workgroup of 256 threads sums its values in workgroup memory (a tree, float32) and writes one
 * partial sum; the host reads the partials back and adds them in float64 (one small readback).
 */
import { ELEMENT_INDEX_WGSL, type BindingSpec, type GpuArray, type Kernel, type KernelRuntime, type KernelSource } from './runtime.ts';

const WG = 256;

/** What a thread contributes: the norm of row i, or (v_i / (atol + rtol max(|y_i|, |yNew_i|)))^2. */
export type Reduction = { kind: 'rowNorm'; dim: number } | { kind: 'scaledSquare' };

function bindings(r: Reduction): BindingSpec[] {
  const arrays = r.kind === 'rowNorm' ? ['v'] : ['v', 'y', 'y_new'];
  const out: BindingSpec[] = arrays.map((name, i) => ({ name, binding: i, kind: 'read' }));
  out.push({ name: 'partials', binding: out.length, kind: 'read_write' });
  out.push({ name: 'params', binding: out.length, kind: 'uniform' });
  return out;
}

/** WGSL of a reduction to one partial sum per workgroup. */
export function reduceWgsl(r: Reduction): string {
  const decl = bindings(r).map((b) => (b.kind === 'uniform'
    ? `@group(0) @binding(${b.binding}) var<uniform> params: Params;`
    : `@group(0) @binding(${b.binding}) var<storage, ${b.kind}> ${b.name}: array<f32>;`)).join('\n');
  const value = r.kind === 'rowNorm'
    ? `var q = 0.0;
    for (var j = 0u; j < ${r.dim}u; j++) { let a = v[i * ${r.dim}u + j]; q += a * a; }
    value = sqrt(q);`
    : `let e = v[i] / (params.atol + params.rtol * max(abs(y[i]), abs(y_new[i])));
    value = e * e;`;
  return `// sdekit reduction (${r.kind}): one partial sum per workgroup
struct Params { count: u32, rtol: f32, atol: f32, pad: u32 }
${decl}
var<workgroup> acc: array<f32, ${WG}>;
${ELEMENT_INDEX_WGSL}
@compute @workgroup_size(${WG})
fn main(@builtin(global_invocation_id) gid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>,
        @builtin(local_invocation_index) lid: u32, @builtin(workgroup_id) wid: vec3<u32>) {
  let i = elementIndex(gid, nwg, ${WG}u);
  var value = 0.0;
  if (i < params.count) {
    ${value}
  }
  acc[lid] = value;
  workgroupBarrier();
  for (var s = ${WG / 2}u; s > 0u; s = s >> 1u) {
    if (lid < s) { acc[lid] = acc[lid] + acc[lid + s]; }
    workgroupBarrier();
  }
  if (lid == 0u) { partials[wid.x + wid.y * nwg.x] = acc[0]; }
}
`;
}

/** {@link reduceWgsl} with its bindings. */
export function reduceKernel(r: Reduction): KernelSource {
  return { wgsl: reduceWgsl(r), entryPoint: 'main', workgroupSize: WG, bindings: bindings(r), label: `reduce_${r.kind}` };
}

/** A compiled reduction and its partial-sum buffer. */
export class DeviceReduction {
  private partials: GpuArray | undefined;
  private constructor(private readonly rt: KernelRuntime, private readonly kernel: Kernel, readonly reduction: Reduction) {}

  static async create(rt: KernelRuntime, r: Reduction): Promise<DeviceReduction> {
    return new DeviceReduction(rt, await rt.compile(reduceKernel(r)), r);
  }

  /**
   * Sum over `count` threads (rows for rowNorm, entries for scaledSquare) in float64 on the host
   * from the device's per-workgroup float32 partial sums. `y`/`yNew` only for scaledSquare.
   */
  async sum(count: number, v: GpuArray, y?: GpuArray, yNew?: GpuArray, rtol = 0, atol = 0): Promise<number> {
    const [gx, gy] = this.kernel.grid(count);
    const groups = gx * gy;
    if (this.partials === undefined || this.partials.length < groups) {
      if (this.partials) this.rt.free(this.partials);
      this.partials = this.rt.array(groups);
    }
    const params = new ArrayBuffer(16);
    const dv = new DataView(params);
    dv.setUint32(0, count, true);
    dv.setFloat32(4, rtol, true);
    dv.setFloat32(8, atol, true);
    const bind: Record<string, GpuArray | ArrayBuffer> = { v, partials: this.partials, params };
    if (this.reduction.kind === 'scaledSquare') {
      if (!y || !yNew) throw new Error('scaledSquare reduction needs y and yNew');
      bind.y = y;
      bind.y_new = yNew;
    }
    this.kernel.run(bind, count);
    const part = await this.rt.read(this.partials);
    let s = 0;
    for (let g = 0; g < groups; g++) s += part[g];
    return s;
  }

  destroy(): void {
    this.kernel.destroy();
    if (this.partials) this.rt.free(this.partials);
  }
}
