/**
 * A small runtime for generated WGSL compute kernels on Dawn buffers: it takes WGSL source plus a
 * description of its bindings, compiles it once, and launches it as one dispatch (one queue submit)
 * per call. Scalars (schedule coefficients computed in float64 on the host) travel as uniform
 * buffers, rewritten before each launch; WebGPU's queue order guarantees a launch sees the values
 * written just before it. Elementwise kernels get a 1-d global index through
 * {@link ELEMENT_INDEX_WGSL}, which also covers arrays longer than 65535 workgroups (2-d grid).
 */
import { openDawn } from '../backend/webgpu.ts';

/** How a kernel sees one binding of bind group 0. */
export type BindingKind = 'read' | 'read_write' | 'uniform';

/** One `@group(0) @binding(n)` declaration of a kernel. */
export interface BindingSpec {
  /** the name callers use in {@link Kernel.run} */
  readonly name: string;
  readonly binding: number;
  readonly kind: BindingKind;
}

/** WGSL source plus what the runtime needs to launch it. */
export interface KernelSource {
  readonly wgsl: string;
  readonly entryPoint: string;
  /** threads per workgroup along x (the source's `@workgroup_size`) */
  readonly workgroupSize: number;
  readonly bindings: readonly BindingSpec[];
  /** a label for error messages */
  readonly label?: string;
}

/**
 * WGSL snippet for elementwise kernels: `elementIndex(gid, nwg, WG)` is the flat thread index on
 * the (x, y) grid that {@link Kernel.run} launches. Append it to generated sources.
 */
export const ELEMENT_INDEX_WGSL = `
fn elementIndex(gid: vec3<u32>, nwg: vec3<u32>, wg: u32) -> u32 {
  return gid.x + gid.y * nwg.x * wg;
}
`;

let nextArrayId = 1;

/** A float32 storage buffer on the device. */
export class GpuArray {
  /** identity for bind-group caching */
  readonly id = nextArrayId++;
  constructor(readonly buffer: GPUBuffer, readonly length: number) {}
}

/** Uniform values for one launch: raw bytes or 32-bit words. */
export type UniformValue = Float32Array | Uint32Array | Int32Array | ArrayBuffer;

/** Bindings of one launch, by {@link BindingSpec.name}. */
export type LaunchBindings = Readonly<Record<string, GpuArray | UniformValue>>;

function roundUp(n: number, m: number): number {
  return Math.ceil(n / m) * m;
}

/** A compiled kernel: pipeline, layout, its uniform buffers and a bind-group cache. */
export class Kernel {
  private readonly uniforms = new Map<string, GPUBuffer>();
  private readonly bindGroups = new Map<string, GPUBindGroup>();

  constructor(
    private readonly rt: KernelRuntime,
    readonly source: KernelSource,
    private readonly pipeline: GPUComputePipeline,
  ) {}

  /** Grid for `threads` invocations: x up to the per-dimension limit, then y. */
  grid(threads: number): [number, number] {
    const groups = Math.max(1, Math.ceil(threads / this.source.workgroupSize));
    const maxX = this.rt.device.limits.maxComputeWorkgroupsPerDimension;
    if (groups <= maxX) return [groups, 1];
    const y = Math.ceil(groups / maxX);
    if (y > maxX) throw new Error(`${this.label()}: ${threads} threads exceed the device's dispatch grid`);
    return [maxX, y];
  }

  private label(): string {
    return this.source.label ?? this.source.entryPoint;
  }

  private uniformBuffer(name: string, v: UniformValue): GPUBuffer {
    const bytes = v instanceof ArrayBuffer ? v.byteLength : v.byteLength;
    const size = Math.max(16, roundUp(bytes, 16));
    let buf = this.uniforms.get(name);
    if (buf === undefined || buf.size < size) {
      buf?.destroy();
      buf = this.rt.device.createBuffer({ size, usage: GPUBufferUsage.UNIFORM | GPUBufferUsage.COPY_DST, label: `${this.label()}.${name}` });
      this.uniforms.set(name, buf);
      this.bindGroups.clear();
    }
    const data = v instanceof ArrayBuffer ? v : v.buffer.slice(v.byteOffset, v.byteOffset + v.byteLength);
    const padded = data.byteLength % 4 === 0 ? data : (() => { const p = new Uint8Array(roundUp(data.byteLength, 4)); p.set(new Uint8Array(data)); return p.buffer; })();
    this.rt.device.queue.writeBuffer(buf, 0, padded);
    return buf;
  }

  /**
   * Launch once over `threads` invocations: write the uniforms, then encode and submit one compute
   * pass with one dispatch. Every binding of the source must be given.
   */
  run(bindings: LaunchBindings, threads: number): void {
    const entries: GPUBindGroupEntry[] = [];
    const key: string[] = [];
    for (const b of this.source.bindings) {
      const v = bindings[b.name];
      if (v === undefined) throw new Error(`${this.label()}: binding "${b.name}" was not given`);
      if (b.kind === 'uniform') {
        if (v instanceof GpuArray) throw new Error(`${this.label()}: binding "${b.name}" is a uniform; pass its values`);
        const buf = this.uniformBuffer(b.name, v);
        entries.push({ binding: b.binding, resource: { buffer: buf } });
        key.push('u');
      } else {
        if (!(v instanceof GpuArray)) throw new Error(`${this.label()}: binding "${b.name}" is a storage array; pass a GpuArray`);
        entries.push({ binding: b.binding, resource: { buffer: v.buffer } });
        key.push(String(v.id));
      }
    }
    const k = key.join(',');
    let group = this.bindGroups.get(k);
    if (group === undefined) {
      group = this.rt.device.createBindGroup({ layout: this.pipeline.getBindGroupLayout(0), entries });
      if (this.bindGroups.size > 64) this.bindGroups.clear();
      this.bindGroups.set(k, group);
    }
    const [gx, gy] = this.grid(threads);
    const enc = this.rt.device.createCommandEncoder();
    const pass = enc.beginComputePass();
    pass.setPipeline(this.pipeline);
    pass.setBindGroup(0, group);
    pass.dispatchWorkgroups(gx, gy);
    pass.end();
    this.rt.device.queue.submit([enc.finish()]);
  }

  /** Free the kernel's uniform buffers. */
  destroy(): void {
    for (const b of this.uniforms.values()) b.destroy();
    this.uniforms.clear();
    this.bindGroups.clear();
  }
}

/** Owns a Dawn device: float32 arrays in, compiled kernels, float32 arrays out. */
export class KernelRuntime {
  private readonly arrays = new Set<GpuArray>();

  constructor(readonly device: GPUDevice) {}

  /** Open sdekit's shared Dawn device (a software adapter is fine here: kernels are tested on it). */
  static async open(): Promise<KernelRuntime> {
    const ctx = await openDawn();
    return new KernelRuntime(ctx.device);
  }

  /** A storage array, zero-filled (`length`) or holding a copy of `data`. */
  array(data: Float32Array | number): GpuArray {
    const length = typeof data === 'number' ? data : data.length;
    if (!Number.isInteger(length) || length <= 0) throw new Error(`GpuArray length must be a positive integer, got ${length}`);
    const buffer = this.device.createBuffer({
      size: roundUp(length * 4, 16),
      usage: GPUBufferUsage.STORAGE | GPUBufferUsage.COPY_SRC | GPUBufferUsage.COPY_DST,
    });
    const arr = new GpuArray(buffer, length);
    this.arrays.add(arr);
    if (typeof data !== 'number') this.write(arr, data);
    return arr;
  }

  /** Overwrite an array from the host (ordered before later launches). */
  write(arr: GpuArray, data: Float32Array): void {
    if (data.length !== arr.length) throw new Error(`write: ${data.length} values into an array of ${arr.length}`);
    this.device.queue.writeBuffer(arr.buffer, 0, data.buffer, data.byteOffset, data.byteLength);
  }

  /** Copy an array back to the host after every launch submitted so far. */
  async read(arr: GpuArray): Promise<Float32Array> {
    const bytes = arr.length * 4;
    const staging = this.device.createBuffer({ size: roundUp(bytes, 16), usage: GPUBufferUsage.MAP_READ | GPUBufferUsage.COPY_DST });
    const enc = this.device.createCommandEncoder();
    enc.copyBufferToBuffer(arr.buffer, 0, staging, 0, roundUp(bytes, 4));
    this.device.queue.submit([enc.finish()]);
    await staging.mapAsync(GPUMapMode.READ);
    const out = new Float32Array(staging.getMappedRange(0, roundUp(bytes, 4)).slice(0, bytes));
    staging.unmap();
    staging.destroy();
    return out;
  }

  /** Wait until the device has finished every submitted launch. */
  async finish(): Promise<void> {
    await this.device.queue.onSubmittedWorkDone();
  }

  /**
   * Compile WGSL: shader errors are thrown with the compiler's messages and line numbers; the
   * pipeline is created asynchronously with an auto layout.
   */
  async compile(source: KernelSource): Promise<Kernel> {
    const label = source.label ?? source.entryPoint;
    this.device.pushErrorScope('validation');
    const module = this.device.createShaderModule({ code: source.wgsl, label });
    const info = await module.getCompilationInfo();
    await this.device.popErrorScope(); // the compilation messages below say it better
    const errors = info.messages.filter((m) => m.type === 'error');
    if (errors.length > 0) {
      const msg = errors.map((m) => `  line ${m.lineNum}:${m.linePos}: ${m.message}`).join('\n');
      throw new Error(`WGSL kernel "${label}" does not compile:\n${msg}`);
    }
    this.device.pushErrorScope('validation');
    const pipeline = await this.device.createComputePipelineAsync({ layout: 'auto', compute: { module, entryPoint: source.entryPoint }, label });
    const err = await this.device.popErrorScope();
    if (err !== null) throw new Error(`WGSL kernel "${label}": ${err.message}`);
    return new Kernel(this, source, pipeline);
  }

  /** Free one array. */
  free(arr: GpuArray): void {
    if (this.arrays.delete(arr)) arr.buffer.destroy();
  }

  /** Free every array this runtime created (the shared device stays open). */
  destroy(): void {
    for (const a of this.arrays) a.buffer.destroy();
    this.arrays.clear();
  }
}
