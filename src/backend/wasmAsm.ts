/**
 * A minimal WebAssembly binary writer (WebAssembly Core Specification 2.0, section 5 "Binary
 * Format"; SIMD opcodes of the fixed-width SIMD proposal): enough to emit small numeric kernels from
 * TypeScript (wasmGemm.ts) as a module importing one memory, without a toolchain at build time.
 * Instructions are plain byte arrays; `Op` names the few opcodes the kernels use.
 */

/** Unsigned LEB128. */
export function uleb(n: number): number[] {
  const out: number[] = [];
  do {
    let b = n & 0x7f;
    n >>>= 7;
    if (n !== 0) b |= 0x80;
    out.push(b);
  } while (n !== 0);
  return out;
}

/** Signed LEB128 (32-bit). */
export function sleb(n: number): number[] {
  const out: number[] = [];
  for (;;) {
    const b = n & 0x7f;
    n >>= 7;
    if ((n === 0 && (b & 0x40) === 0) || (n === -1 && (b & 0x40) !== 0)) { out.push(b); return out; }
    out.push(b | 0x80);
  }
}

/** Value types. */
export const T = { i32: 0x7f, f32: 0x7d, v128: 0x7b } as const;

const simd = (op: number): number[] => [0xfd, ...uleb(op)];
const memarg = (align: number, offset: number): number[] => [align, ...uleb(offset)];

/** The instructions the kernels use (each returns its bytes). */
export const Op = {
  get: (i: number): number[] => [0x20, ...uleb(i)],
  set: (i: number): number[] => [0x21, ...uleb(i)],
  tee: (i: number): number[] => [0x22, ...uleb(i)],
  i32: (v: number): number[] => [0x41, ...sleb(v)],
  add: [0x6a], sub: [0x6b], mul: [0x6c], ltS: [0x48], geS: [0x4e], eqz: [0x45], eq: [0x46],
  block: [0x02, 0x40], loop: [0x03, 0x40], if: [0x04, 0x40], else: [0x05], end: [0x0b],
  br: (d: number): number[] => [0x0c, ...uleb(d)],
  brIf: (d: number): number[] => [0x0d, ...uleb(d)],
  f32Load: (offset = 0): number[] => [0x2a, ...memarg(2, offset)],
  f32Store: (offset = 0): number[] => [0x38, ...memarg(2, offset)],
  v128Load: (offset = 0): number[] => [...simd(0x00), ...memarg(4, offset)],
  v128Store: (offset = 0): number[] => [...simd(0x0b), ...memarg(4, offset)],
  /** load one f32 and splat it to the four lanes */
  v128Load32Splat: (offset = 0): number[] => [...simd(0x09), ...memarg(2, offset)],
  v128Zero: [...simd(0x0c), ...new Array<number>(16).fill(0)],
  /** v128.const with x in the four f32 lanes */
  f32x4Const: (x: number): number[] => [...simd(0x0c), ...[0, 1, 2, 3].flatMap(() => [...new Uint8Array(new Float32Array([x]).buffer)])],
  f32x4Add: simd(0xe4), f32x4Sub: simd(0xe5), f32x4Mul: simd(0xe6), f32x4Div: simd(0xe7), f32x4Min: simd(0xe8), f32x4Max: simd(0xe9),
  i32x4Splat: (v: number): number[] => [0x41, ...sleb(v), ...simd(0x11)],
  /** i8x16.shuffle of two f32x4 by 32-bit lanes (0-3 from the first operand, 4-7 from the second) */
  shuffle32: (lanes: readonly number[]): number[] => [...simd(0x0d), ...lanes.flatMap((l) => [4 * l, 4 * l + 1, 4 * l + 2, 4 * l + 3])],
  f32x4Nearest: simd(0x6a), i32x4TruncSatF32x4S: simd(0xf8), i32x4Shl: simd(0xab), i32x4Add: simd(0xae),
} as const;

/** One function: parameter and local types, and its body (without the final `end`). */
export interface WasmFunc {
  readonly name: string;
  readonly params: readonly number[];
  readonly locals: readonly number[];
  readonly body: readonly number[];
}

const vec = (items: number[][]): number[] => [...uleb(items.length), ...items.flat()];
const section = (id: number, content: number[]): number[] => [id, ...uleb(content.length), ...content];
const name = (s: string): number[] => vec([...new TextEncoder().encode(s)].map((b) => [b]));

/** A module importing memory `env.mem` (at least `minPages` 64 KiB pages) and exporting `funcs` (no results). */
export function wasmModule(funcs: readonly WasmFunc[], minPages = 1): Uint8Array<ArrayBuffer> {
  const types = funcs.map((f) => [0x60, ...vec(f.params.map((p) => [p])), 0x00]);
  const imports = [[...name('env'), ...name('mem'), 0x02, 0x00, ...uleb(minPages)]];
  const codes = funcs.map((f) => {
    const locals = vec(f.locals.map((t) => [1, t]));
    const body = [...locals, ...f.body, 0x0b];
    return [...uleb(body.length), ...body];
  });
  return new Uint8Array([
    0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00,
    ...section(1, vec(types)),
    ...section(2, vec(imports)),
    ...section(3, vec(funcs.map((_, i) => uleb(i)))),
    ...section(7, vec(funcs.map((f, i) => [...name(f.name), 0x00, ...uleb(i)]))),
    ...section(10, vec(codes)),
  ]);
}
