/**
 * One WebAssembly memory with our SIMD kernels instantiated over it (wasmGemm.ts, wasmVector.ts):
 * a caller lays out its arrays once (float offsets into `f32`) and runs the kernels in place, with no
 * allocation per call. Needs WebAssembly SIMD (Node >= 16.4, current browsers): {@link wasmSimdSupported}.
 */
import { wasmModule } from './wasmAsm.ts';
import { GEMM_MR, gemm, gemmFunc, type GemmA, type GemmInit, type GemmKernel, type GemmRowMajor } from './wasmGemm.ts';
import { colSumsFunc, siluFunc, siluGradFunc, transposeFunc } from './wasmVector.ts';

let bytes: Uint8Array<ArrayBuffer> | null = null;
let compiled: WebAssembly.Module | null = null;
const moduleBytes = (): Uint8Array<ArrayBuffer> => (bytes ??= wasmModule([gemmFunc(GEMM_MR), gemmFunc(1), siluFunc(), siluGradFunc(), colSumsFunc(), transposeFunc()]));

/** True where the engine validates our SIMD module. */
export function wasmSimdSupported(): boolean {
  try { return WebAssembly.validate(moduleBytes()); } catch { return false; }
}

type Fn = (...args: number[]) => void;

/** `floats` float32 values of wasm memory and the kernels over them (offsets and counts in floats). */
export class WasmArena {
  readonly f32: Float32Array;
  private readonly k: { gemm4x8: GemmKernel; gemm1x8: GemmKernel; silu: Fn; siluGrad: Fn; colSums: Fn; transpose: Fn };

  constructor(readonly floats: number) {
    const pages = Math.max(1, Math.ceil((4 * floats) / 65536));
    const memory = new WebAssembly.Memory({ initial: pages, maximum: pages });
    compiled ??= new WebAssembly.Module(moduleBytes());
    this.k = new WebAssembly.Instance(compiled, { env: { mem: memory } }).exports as unknown as WasmArena['k'];
    this.f32 = new Float32Array(memory.buffer, 0, floats);
  }

  /** C (M x N) = op(A) (M x K) B (K x N), started from `init` (wasmGemm.ts). */
  gemm(M: number, N: number, K: number, A: GemmA, B: GemmRowMajor, C: GemmRowMajor, init: GemmInit): void {
    gemm(this.k.gemm4x8, this.k.gemm1x8, this.f32, M, N, K, A, B, C, init);
  }

  /** s = sigmoid(z), h = z s over n values. */
  silu(z: number, s: number, h: number, n: number): void {
    const n4 = n & ~3, f = this.f32;
    this.k.silu(4 * z, 4 * s, 4 * h, n4);
    for (let i = n4; i < n; i++) { const zi = f[z + i], si = 1 / (1 + Math.exp(-zi)); f[s + i] = si; f[h + i] = zi * si; }
  }

  /** d *= s (1 + z (1 - s)) over n values. */
  siluGrad(d: number, z: number, s: number, n: number): void {
    const n4 = n & ~3, f = this.f32;
    this.k.siluGrad(4 * d, 4 * z, 4 * s, n4);
    for (let i = n4; i < n; i++) { const si = f[s + i]; f[d + i] = f[d + i] * si * (1 + f[z + i] * (1 - si)); }
  }

  /** out_j = sum_r x[r ld + j] for j < cols (rows summed in order). */
  colSums(x: number, rows: number, cols: number, ld: number, out: number): void {
    const c4 = cols & ~3, f = this.f32;
    this.k.colSums(4 * x, rows, c4, 4 * ld, 4 * out);
    for (let j = c4; j < cols; j++) { let s = 0; for (let r = 0; r < rows; r++) s = Math.fround(s + f[x + r * ld + j]); f[out + j] = s; }
  }

  /** dst (cols x rows) = src (rows x cols)^T, row-major both; 4 x 4 SIMD blocks, the edges here. */
  transpose(src: number, rows: number, cols: number, dst: number): void {
    const r4 = rows & ~3, c4 = cols & ~3, f = this.f32;
    if (r4 > 0 && c4 > 0) this.k.transpose(4 * src, r4, c4, 4 * dst, cols, rows);
    for (let i = 0; i < rows; i++) for (let j = i < r4 ? c4 : 0; j < cols; j++) f[dst + j * rows + i] = f[src + i * cols + j];
  }
}
