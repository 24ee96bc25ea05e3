/**
 * {@link VectorOps} on float32 device buffers (Dawn): every linear combination of a sampler step is
 * one launch of the generated fused kernel x_next = sum_k c_k y_k (src/kernels/fusedUpdate.ts) with
 * host float64 coefficients; model evaluations of an analytic mixture are one launch of the
 * generated views kernel (src/kernels/gmmViews.ts); reductions return one float64 sum of device
 * partial sums. Noise is drawn on the host from the sampler's own Rng (float64, rounded to float32)
 * and uploaded, so a stochastic sampler sees the same noise on both backends.
 */
import type { NoiseLevel } from '../score/model.ts';
import type { Rng } from '../rng.ts';
import type { DeviceRun, SampleDevice, Term, VectorOps, Views } from '../sample/ops.ts';
import { FusedUpdate } from './fusedUpdate.ts';
import { DeviceMixture, mixtureOf, type MixtureComponents } from './gmmViews.ts';
import { DeviceReduction } from './reduce.ts';
import type { GpuArray, KernelRuntime } from './runtime.ts';

/** Most terms one fused launch takes (longer combinations are split into launches). */
const MAX_TERMS = 8;

/** The fused kernels of a runtime by [inPlace ? 1 : 0][terms - 1], terms = 1..maxTerms. */
type FusedKernels = readonly (readonly FusedUpdate[])[];
const fusedByRuntime = new WeakMap<KernelRuntime, Promise<FusedKernels>>();

/**
 * The fused kernels (1..8 terms, in place or not), compiled on a runtime's first run and shared by
 * all its runs; they live as long as the runtime.
 */
function fusedKernels(rt: KernelRuntime): Promise<FusedKernels> {
  let fused = fusedByRuntime.get(rt);
  if (fused === undefined) {
    const maxTerms = Math.min(MAX_TERMS, rt.device.limits.maxStorageBuffersPerShaderStage - 1);
    const compile = (inPlace: boolean): Promise<FusedUpdate[]> =>
      Promise.all(Array.from({ length: maxTerms }, (_, k) => FusedUpdate.create(rt, k + 1, { inPlace })));
    fused = Promise.all([compile(false), compile(true)]);
    fusedByRuntime.set(rt, fused);
  }
  return fused;
}

/**
 * The sampling engine's WebGPU device (`sample({ device })`): analytic models (Gaussian mixtures,
 * Gaussians) run on float32 buffers of `rt`; `description` is reported as the backend.
 */
export function webgpuDevice(rt: KernelRuntime, description: string): SampleDevice {
  return {
    description,
    async open(model, rng, n): Promise<DeviceRun<GpuArray> | null> {
      const mix = mixtureOf(model);
      if (mix === null) return null;
      const ops = await DeviceOps.create(rt, description, mix, rng, n);
      return {
        ops,
        upload: (x) => ops.upload(x),
        download: async (v) => Float64Array.from(await rt.read(v)),
        destroy: () => ops.destroy(),
      };
    },
  };
}

/** Device vector operations for a batch of n rows of dimension dim. */
export class DeviceOps implements VectorOps<GpuArray> {
  nfe = 0;
  private readonly noise: GpuArray;
  /** host staging of the noise (queue.writeBuffer copies it at once, so it is reused) */
  private readonly z: Float32Array;
  /** most terms of one launch */
  private readonly maxTerms: number;
  private readonly owned: GpuArray[] = [];
  private rowNorm: Promise<DeviceReduction> | undefined;
  private scaled: Promise<DeviceReduction> | undefined;

  private constructor(
    readonly rt: KernelRuntime,
    readonly backend: string,
    private readonly model: DeviceMixture,
    private readonly rng: Rng,
    readonly n: number,
    readonly dim: number,
    private readonly fused: FusedKernels,
  ) {
    this.noise = this.alloc();
    this.z = new Float32Array(this.length);
    this.maxTerms = fused[0].length;
  }

  /** The runtime's fused kernels (compiled on its first run) and the mixture, uploaded. */
  static async create(rt: KernelRuntime, backend: string, mix: MixtureComponents, rng: Rng, n: number): Promise<DeviceOps> {
    return new DeviceOps(rt, backend, new DeviceMixture(rt, mix), rng, n, mix.dim, await fusedKernels(rt));
  }

  private get length(): number {
    return this.n * this.dim;
  }

  alloc(): GpuArray {
    const a = this.rt.array(this.length);
    this.owned.push(a);
    return a;
  }

  clone(x: GpuArray): GpuArray {
    return this.copy(this.alloc(), x);
  }

  copy(dst: GpuArray, src: GpuArray): GpuArray {
    if (dst === src) return dst;
    const enc = this.rt.device.createCommandEncoder();
    enc.copyBufferToBuffer(src.buffer, 0, dst.buffer, 0, this.length * 4);
    this.rt.device.queue.submit([enc.finish()]);
    return dst;
  }

  /**
   * out <- sum_k c_k y_k in one launch: repeated arrays are merged (their coefficients added in
   * float64), zero terms dropped, and `out` moved to the front when it is one of the terms (the
   * in-place kernel: a buffer cannot be bound for reading and writing in one launch).
   */
  lin(out: GpuArray, terms: readonly Term<GpuArray>[]): GpuArray {
    const merged = new Map<GpuArray, number>();
    for (const [c, y] of terms) if (c !== 0) merged.set(y, (merged.get(y) ?? 0) + c);
    const self = merged.get(out);
    merged.delete(out);
    const rest = [...merged].filter(([, k]) => k !== 0); // [array, coefficient]
    let inPlace = self !== undefined && self !== 0;
    if (!inPlace && rest.length === 0) {
      const enc = this.rt.device.createCommandEncoder();
      enc.clearBuffer(out.buffer);
      this.rt.device.queue.submit([enc.finish()]);
      return out;
    }
    let c: number[] = inPlace ? [self!] : [];
    let i = 0;
    // the first launch takes up to maxTerms terms; any further launch continues in place
    while (i < rest.length || c.length > 0) {
      const room = this.maxTerms - c.length;
      const chunk = rest.slice(i, i + room);
      i += chunk.length;
      const coef = [...c, ...chunk.map(([, k]) => k)];
      this.fused[inPlace ? 1 : 0][coef.length - 1].step(coef, out, chunk.map(([y]) => y));
      inPlace = true;
      c = i < rest.length ? [1] : [];
    }
    return out;
  }

  /** Standard normals from the host Rng in row-major order, as float32 (in the reused staging array). */
  private draw(): Float32Array {
    const z = this.z;
    for (let i = 0; i < z.length; i++) z[i] = this.rng.normal();
    return z;
  }

  addNoise(out: GpuArray, c: number): GpuArray {
    if (c === 0) return out;
    this.rt.write(this.noise, this.draw());
    return this.lin(out, [[1, out], [c, this.noise]]);
  }

  /** An owned device array holding a host array (rounded to float32). */
  upload(x: Float64Array): GpuArray {
    const a = this.alloc();
    this.rt.write(a, Float32Array.from(x));
    return a;
  }

  fillNormal(out: GpuArray): GpuArray {
    this.rt.write(out, this.draw());
    return out;
  }

  async evaluate(x: GpuArray, at: NoiseLevel, want: Views<GpuArray>): Promise<void> {
    await this.model.evaluate(x, this.n, at, want);
    this.nfe++;
  }

  async meanRowNorm(v: GpuArray): Promise<number> {
    this.rowNorm ??= DeviceReduction.create(this.rt, { kind: 'rowNorm', dim: this.dim });
    return (await (await this.rowNorm).sum(this.n, v)) / this.n;
  }

  async rmsScaled(v: GpuArray, y: GpuArray, yNew: GpuArray | null, rtol: number, atol: number): Promise<number> {
    this.scaled ??= DeviceReduction.create(this.rt, { kind: 'scaledSquare' });
    const s = await (await this.scaled).sum(this.length, v, y, yNew ?? y, rtol, atol);
    return Math.sqrt(s / Math.max(1, this.length));
  }

  /** Free every array, kernel and uniform of this run (the device and the shared fused kernels stay). */
  async destroy(): Promise<void> {
    for (const a of this.owned) this.rt.free(a);
    await this.model.destroy();
    if (this.rowNorm) (await this.rowNorm).destroy();
    if (this.scaled) (await this.scaled).destroy();
  }
}
