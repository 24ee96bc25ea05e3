/**
 * A float32 GEMM on our own WebAssembly SIMD module (emitted by wasmAsm.ts), over one memory that the
 * caller lays out and keeps (no per-call allocation, packing or operator creation, unlike
 * tfjs-backend-wasm's XNNPACK path, which re-creates an operator whenever a weight tensor is new):
 *
 *     C = op(A) B          (init 'zero'),   C += op(A) B   (init 'acc'),   C = op(A) B + 1 bias^T  (init {bias})
 *
 * with A addressed by two strides (A(i, k) = a[i si + k sk], so A^T costs nothing) and B, C
 * row-major. The wasm kernel computes MR x 8 tiles of C (Goto & van de Geijn 2008's register-blocked
 * inner kernel: per k, two 4-lane rows of B times MR broadcast values of A, accumulated in MR x 2
 * registers); the rows and columns outside whole tiles are done by a scalar loop here. Products are
 * summed in k order in float32 in the kernel (float64 in the scalar edge loop).
 */
import { Op, T, type WasmFunc } from './wasmAsm.ts';

/**
 * Rows of C per tile: 4 x 2 accumulators + 2 B vectors + 1 A broadcast stay in x64's 16 vector
 * registers. Measured on 256^3 (`npx tsx bench/probes/gemmTiles.ts`, CPU time, interleaved, Node 20):
 * 4 x 8 44.3 GFLOP/s, 2 x 16 46.4 (but no faster over a whole training step: kept 4 x 8), 2 x 12 40.6,
 * 6 x 4 37.2, 1 x 16 33.1; 6 x 8 ~20 and 4 x 12 ~25 (V8 spills the accumulators).
 */
export const GEMM_MR = 4;
/** Columns of C per tile (two f32x4). */
export const GEMM_NR = 8;

/**
 * The tiled kernel `gemm{MR}x{4 NV}(M, N, K, a, sai, sak, b, ldb, c, ldc, bias, mode)`: MR x 4 NV tiles;
 * all byte addresses/strides; M % MR = 0, N % (4 NV) = 0.
 */
export function gemmFunc(MR: number, NV = GEMM_NR / 4): WasmFunc {
  const [M, N, K, a, sai, sak, b, ldb, c, ldc, bias, mode] = [0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11];
  let n = 12;
  const i = n++, j = n++, k = n++, pa = n++, pb = n++, paRow = n++, pcRow = n++, tmp = n++;
  const rowOff = [-1, ...Array.from({ length: MR - 1 }, () => n++)]; // r * sai
  const nI32 = n - 12;
  const acc = Array.from({ length: MR }, () => Array.from({ length: NV }, () => n++));
  const bv = Array.from({ length: NV }, () => n++), av = n++;
  const { get, set, i32 } = Op;
  const body: number[] = [];
  const emit = (...xs: (readonly number[])[]): void => { for (const x of xs) body.push(...x); };
  for (let r = 1; r < MR; r++) emit(get(sai), i32(r), Op.mul, set(rowOff[r]));
  emit(i32(0), set(i), Op.block, Op.loop, get(i), get(M), Op.geS, Op.brIf(1));
  emit(get(a), get(i), get(sai), Op.mul, Op.add, set(paRow));
  emit(get(c), get(i), get(ldc), Op.mul, Op.add, set(pcRow));
  emit(i32(0), set(j), Op.block, Op.loop, get(j), get(N), Op.geS, Op.brIf(1));
  // accumulators: zero, C, or the bias row
  const loadAll = (ptrStep: boolean): void => {
    for (let r = 0; r < MR; r++) {
      for (let q = 0; q < NV; q++) emit(get(tmp), Op.v128Load(16 * q), set(acc[r][q]));
      if (ptrStep) emit(get(tmp), get(ldc), Op.add, set(tmp));
    }
  };
  emit(get(mode), Op.eqz, Op.if);
  for (let r = 0; r < MR; r++) for (let q = 0; q < NV; q++) emit(Op.v128Zero, set(acc[r][q]));
  emit(Op.else, get(mode), i32(1), Op.eq, Op.if);
  emit(get(pcRow), get(j), i32(4), Op.mul, Op.add, set(tmp));
  loadAll(true);
  emit(Op.else, get(bias), get(j), i32(4), Op.mul, Op.add, set(tmp));
  loadAll(false);
  emit(Op.end, Op.end);
  // k loop: acc[r][q] += A(i + r, k) * B(k, j + 4q .. j + 4q + 3)
  emit(get(paRow), set(pa), get(b), get(j), i32(4), Op.mul, Op.add, set(pb), get(K), set(k));
  emit(Op.block, Op.loop, get(k), Op.eqz, Op.brIf(1));
  for (let q = 0; q < NV; q++) emit(get(pb), Op.v128Load(16 * q), set(bv[q]));
  for (let r = 0; r < MR; r++) {
    emit(get(pa));
    if (r > 0) emit(get(rowOff[r]), Op.add);
    emit(Op.v128Load32Splat(), set(av));
    for (let q = 0; q < NV; q++) emit(get(acc[r][q]), get(av), get(bv[q]), Op.f32x4Mul, Op.f32x4Add, set(acc[r][q]));
  }
  emit(get(pa), get(sak), Op.add, set(pa), get(pb), get(ldb), Op.add, set(pb), get(k), i32(1), Op.sub, set(k), Op.br(0), Op.end, Op.end);
  // store the tile
  emit(get(pcRow), get(j), i32(4), Op.mul, Op.add, set(tmp));
  for (let r = 0; r < MR; r++) {
    for (let q = 0; q < NV; q++) emit(get(tmp), get(acc[r][q]), Op.v128Store(16 * q));
    emit(get(tmp), get(ldc), Op.add, set(tmp));
  }
  emit(get(j), i32(4 * NV), Op.add, set(j), Op.br(0), Op.end, Op.end);
  emit(get(i), i32(MR), Op.add, set(i), Op.br(0), Op.end, Op.end);
  return { name: `gemm${MR}x${4 * NV}`, params: new Array<number>(12).fill(T.i32), locals: [...new Array<number>(nI32).fill(T.i32), ...new Array<number>(MR * NV + NV + 1).fill(T.v128)], body };
}

/** A operand: A(i, k) = f32[off + i si + k sk] (element units). */
export interface GemmA { readonly off: number; readonly si: number; readonly sk: number }
/** A row-major operand: X(r, c) = f32[off + r ld + c]. */
export interface GemmRowMajor { readonly off: number; readonly ld: number }
/** How C starts: zero, its current values, or a bias vector (its offset) in every row. */
export type GemmInit = 'zero' | 'acc' | { readonly bias: number };

/** The kernel as instantiated: `gemm(M, N, K, a, sai, sak, b, ldb, c, ldc, bias, mode)` (bytes). */
export type GemmKernel = (M: number, N: number, K: number, a: number, sai: number, sak: number, b: number, ldb: number, c: number, ldc: number, bias: number, mode: number) => void;

/**
 * C (M x N) = op(A) (M x K) B (K x N) from `init`: whole MR x 8 tiles by `kernel`, the remaining rows'
 * whole 8-column blocks by `kernel1` (the same kernel with MR = 1), the remaining columns by a scalar loop over `f`.
 */
export function gemm(kernel: GemmKernel, kernel1: GemmKernel, f: Float32Array, M: number, N: number, K: number, A: GemmA, B: GemmRowMajor, C: GemmRowMajor, init: GemmInit): void {
  const mode = init === 'zero' ? 0 : init === 'acc' ? 1 : 2;
  const bias = typeof init === 'object' ? init.bias : 0;
  const Mt = M - (M % GEMM_MR), Nt = K > 0 ? N - (N % GEMM_NR) : 0;
  if (Nt > 0) {
    const args = [K, 4 * A.off, 4 * A.si, 4 * A.sk, 4 * B.off, 4 * B.ld, 4 * C.off, 4 * C.ld, 4 * bias, mode] as const;
    if (Mt > 0) kernel(Mt, Nt, ...args);
    // rows Mt.. (A and C offset by Mt rows)
    if (Mt < M) kernel1(M - Mt, Nt, K, 4 * (A.off + Mt * A.si), 4 * A.si, 4 * A.sk, 4 * B.off, 4 * B.ld, 4 * (C.off + Mt * C.ld), 4 * C.ld, 4 * bias, mode);
  }
  gemmEdge(f, 0, M, Nt, N, K, A, B, C, mode, bias);
}

/** Scalar C[i0:i1, j0:j1] (float64 sums). */
function gemmEdge(f: Float32Array, i0: number, i1: number, j0: number, j1: number, K: number, A: GemmA, B: GemmRowMajor, C: GemmRowMajor, mode: number, bias: number): void {
  for (let i = i0; i < i1; i++) {
    const ai = A.off + i * A.si, ci = C.off + i * C.ld;
    for (let j = j0; j < j1; j++) {
      let s = mode === 0 ? 0 : mode === 1 ? f[ci + j] : f[bias + j];
      for (let k = 0, pa = ai, pb = B.off + j; k < K; k++, pa += A.sk, pb += B.ld) s += f[pa] * f[pb];
      f[ci + j] = s;
    }
  }
}
