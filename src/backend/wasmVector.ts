/**
 * Elementwise and reduction kernels of the MLP training step as WebAssembly SIMD functions (emitted
 * with wasmAsm.ts, instantiated next to the GEMM by wasmArena.ts); all addresses are bytes, counts
 * multiples of 4 (the caller does the rest):
 *
 * - `silu(z, s, h, n)`: s = sigmoid(z) = 1 / (1 + exp(-z)), h = z s (SiLU, Elfwing et al. 2018);
 * - `siluGrad(d, z, s, n)`: d *= s (1 + z (1 - s)), the SiLU derivative given s;
 * - `colSums(x, rows, cols, ld, out)`: out_j = sum_r x[r, j] (a bias gradient 1^T dZ), rows summed in order;
 * - `transpose(src, rows, cols, dst, lds, ldd)`: dst = src^T (rows, cols multiples of 4), by 4 x 4 blocks transposed in
 *   registers with eight lane shuffles.
 *
 * exp is Cephes' expf (Moshier 1989): x = n ln2 + r with n = round(x / ln2), ln2 split in two
 * (Cody & Waite 1980), exp(r) by its degree-7 minimax polynomial, 2^n built in the exponent bits;
 * |x| clamped to [-87, 88] (the float32 range of 2^n), within 2 ulp of exp over that range.
 */
import { Op, T, type WasmFunc } from './wasmAsm.ts';

const { get, set, i32 } = Op;

// ln 2 split for the Cody-Waite reduction r = x - n ln2_hi - n ln2_lo: ln2_hi = 355/512 is exact in
// float32 (so n ln2_hi is exact), ln2_lo the rest of ln 2
const LN2_HI = 355 / 512;
const LN2_LO = Math.LN2 - LN2_HI;

/** Emit exp of local `x` (v128) into local `out`, using locals n, r, p as scratch. */
function expInto(x: number, n: number, r: number, p: number, out: number): number[] {
  const c = Op.f32x4Const;
  const poly = [1.9875691500e-4, 1.3981999507e-3, 8.3334519073e-3, 4.1665795894e-2, 1.6666665459e-1, 5.0000001201e-1];
  const b: number[] = [];
  const emit = (...xs: (readonly number[])[]): void => { for (const y of xs) b.push(...y); };
  emit(get(x), c(-87), Op.f32x4Max, c(88), Op.f32x4Min, set(x));
  emit(get(x), c(Math.LOG2E), Op.f32x4Mul, Op.f32x4Nearest, set(n));
  emit(get(x), get(n), c(LN2_HI), Op.f32x4Mul, Op.f32x4Sub, get(n), c(LN2_LO), Op.f32x4Mul, Op.f32x4Sub, set(r));
  emit(c(poly[0]));
  for (const k of poly.slice(1)) emit(get(r), Op.f32x4Mul, c(k), Op.f32x4Add);
  emit(set(p));
  // p r^2 + r + 1, times 2^n = bits (n + 127) << 23
  emit(get(p), get(r), Op.f32x4Mul, get(r), Op.f32x4Mul, get(r), Op.f32x4Add, c(1), Op.f32x4Add);
  emit(get(n), Op.i32x4TruncSatF32x4S, Op.i32x4Splat(127), Op.i32x4Add, i32(23), Op.i32x4Shl, Op.f32x4Mul, set(out));
  return b;
}

/** A loop over `n` floats, 4 at a time: `step` emits the body with the byte offset in local `at`. */
function loop4(nParam: number, at: number, step: number[]): number[] {
  return [...i32(0), ...set(at), ...Op.block, ...Op.loop, ...get(at), ...get(nParam), ...i32(4), ...Op.mul, ...Op.geS, ...Op.brIf(1),
    ...step, ...get(at), ...i32(16), ...Op.add, ...set(at), ...Op.br(0), ...Op.end, ...Op.end];
}

/** `silu(z, s, h, n)`. */
export function siluFunc(): WasmFunc {
  const [z, s, h, n, at, x, nn, r, p, e, zv, sv] = [0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11];
  const addr = (base: number): number[] => [...get(base), ...get(at), ...Op.add];
  const body = loop4(n, at, [
    ...addr(z), ...Op.v128Load(), ...set(zv),
    ...Op.v128Zero, ...get(zv), ...Op.f32x4Sub, ...set(x),
    ...expInto(x, nn, r, p, e),
    ...Op.f32x4Const(1), ...Op.f32x4Const(1), ...get(e), ...Op.f32x4Add, ...Op.f32x4Div, ...set(sv),
    ...addr(s), ...get(sv), ...Op.v128Store(),
    ...addr(h), ...get(zv), ...get(sv), ...Op.f32x4Mul, ...Op.v128Store(),
  ]);
  return { name: 'silu', params: [T.i32, T.i32, T.i32, T.i32], locals: [T.i32, ...new Array<number>(7).fill(T.v128)], body };
}

/** `siluGrad(d, z, s, n)`. */
export function siluGradFunc(): WasmFunc {
  const [d, z, s, n, at, sv] = [0, 1, 2, 3, 4, 5];
  const addr = (base: number): number[] => [...get(base), ...get(at), ...Op.add];
  const one = Op.f32x4Const(1);
  const body = loop4(n, at, [
    ...addr(s), ...Op.v128Load(), ...set(sv),
    ...addr(d), // store address
    ...addr(d), ...Op.v128Load(), ...get(sv), ...Op.f32x4Mul,
    ...one, ...addr(z), ...Op.v128Load(), ...one, ...get(sv), ...Op.f32x4Sub, ...Op.f32x4Mul, ...Op.f32x4Add,
    ...Op.f32x4Mul, ...Op.v128Store(),
  ]);
  return { name: 'siluGrad', params: [T.i32, T.i32, T.i32, T.i32], locals: [T.i32, T.v128], body };
}

/** `colSums(x, rows, cols, ld, out)`: cols a multiple of 4, ld the row stride in bytes. */
export function colSumsFunc(): WasmFunc {
  const [x, rows, cols, ld, out, at, r, px, acc] = [0, 1, 2, 3, 4, 5, 6, 7, 8];
  const body = loop4(cols, at, [
    ...Op.v128Zero, ...set(acc), ...get(x), ...get(at), ...Op.add, ...set(px), ...get(rows), ...set(r),
    ...Op.block, ...Op.loop, ...get(r), ...Op.eqz, ...Op.brIf(1),
    ...get(acc), ...get(px), ...Op.v128Load(), ...Op.f32x4Add, ...set(acc),
    ...get(px), ...get(ld), ...Op.add, ...set(px), ...get(r), ...i32(1), ...Op.sub, ...set(r), ...Op.br(0), ...Op.end, ...Op.end,
    ...get(out), ...get(at), ...Op.add, ...get(acc), ...Op.v128Store(),
  ]);
  return { name: 'colSums', params: [T.i32, T.i32, T.i32, T.i32, T.i32], locals: [T.i32, T.i32, T.i32, T.v128], body };
}

/**
 * `transpose(src, rows, cols, dst, lds, ldd)`: dst[j ldd + i] = src[i lds + j] for i < rows, j < cols
 * (multiples of 4); lds, ldd the row strides in floats.
 */
export function transposeFunc(): WasmFunc {
  const [src, rows, cols, dst, lds, ldd, i, j, ps, pd] = [0, 1, 2, 3, 4, 5, 6, 7, 8, 9];
  const r = [10, 11, 12, 13], t = [14, 15, 16, 17];
  const b: number[] = [];
  const emit = (...xs: (readonly number[])[]): void => { for (const y of xs) b.push(...y); };
  emit(i32(0), set(i), Op.block, Op.loop, get(i), get(rows), Op.geS, Op.brIf(1));
  emit(i32(0), set(j), Op.block, Op.loop, get(j), get(cols), Op.geS, Op.brIf(1));
  // the 4 x 4 block at (i, j): rows i..i+3 of src, 4 floats each
  emit(get(src), get(i), get(lds), Op.mul, get(j), Op.add, i32(4), Op.mul, Op.add, set(ps));
  for (let q = 0; q < 4; q++) emit(get(ps), Op.v128Load(), set(r[q]), get(ps), get(lds), i32(4), Op.mul, Op.add, set(ps));
  emit(get(r[0]), get(r[1]), Op.shuffle32([0, 4, 1, 5]), set(t[0]), get(r[0]), get(r[1]), Op.shuffle32([2, 6, 3, 7]), set(t[1]));
  emit(get(r[2]), get(r[3]), Op.shuffle32([0, 4, 1, 5]), set(t[2]), get(r[2]), get(r[3]), Op.shuffle32([2, 6, 3, 7]), set(t[3]));
  // columns j..j+3 of src = rows j..j+3 of dst
  emit(get(dst), get(j), get(ldd), Op.mul, get(i), Op.add, i32(4), Op.mul, Op.add, set(pd));
  const cols4: [number, number, number[]][] = [[t[0], t[2], [0, 1, 4, 5]], [t[0], t[2], [2, 3, 6, 7]], [t[1], t[3], [0, 1, 4, 5]], [t[1], t[3], [2, 3, 6, 7]]];
  for (const [x, y, lanes] of cols4) emit(get(pd), get(x), get(y), Op.shuffle32(lanes), Op.v128Store(), get(pd), get(ldd), i32(4), Op.mul, Op.add, set(pd));
  emit(get(j), i32(4), Op.add, set(j), Op.br(0), Op.end, Op.end);
  emit(get(i), i32(4), Op.add, set(i), Op.br(0), Op.end, Op.end);
  return { name: 'transpose', params: new Array<number>(6).fill(T.i32), locals: [T.i32, T.i32, T.i32, T.i32, ...new Array<number>(8).fill(T.v128)], body: b };
}
