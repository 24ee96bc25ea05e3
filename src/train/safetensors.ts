/**
 * The safetensors file format (Hugging Face, https://github.com/huggingface/safetensors, the
 * format PyTorch users exchange weights in): an unsigned 64-bit little-endian header length N,
 * N bytes of JSON header { NAME: { dtype, shape, data_offsets: [begin, end] }, "__metadata__":
 * { string: string } } padded with spaces, then the raw little-endian tensor bytes; offsets are
 * relative to the end of the header. We write the header padded to a multiple of 8 bytes, tensors
 * in insertion order, contiguous.
 */

/** Element types sdekit reads and writes. */
export type SafetensorsDtype = 'F32' | 'F64' | 'I32' | 'I64' | 'U8';

/** Typed-array storage of each dtype (I64 as BigInt64Array). */
type Storage = Float32Array | Float64Array | Int32Array | BigInt64Array | Uint8Array;

/** One tensor: its dtype, shape and row-major values. */
export interface SafeTensor {
  readonly dtype: SafetensorsDtype;
  readonly shape: readonly number[];
  readonly data: Storage;
}

/** A decoded file: tensors in file order and the string metadata. */
export interface SafetensorsFile {
  readonly tensors: Record<string, SafeTensor>;
  readonly metadata: Record<string, string>;
}

const BYTES: Record<SafetensorsDtype, number> = { F32: 4, F64: 8, I32: 4, I64: 8, U8: 1 };

function makeStorage(dtype: SafetensorsDtype, bytes: Uint8Array): Storage {
  // copy into a fresh, aligned buffer (the file's offsets need not be aligned)
  const buf = new ArrayBuffer(bytes.length);
  new Uint8Array(buf).set(bytes);
  switch (dtype) {
    case 'F32': return new Float32Array(buf);
    case 'F64': return new Float64Array(buf);
    case 'I32': return new Int32Array(buf);
    case 'I64': return new BigInt64Array(buf);
    case 'U8': return new Uint8Array(buf);
  }
}

/** The dtype of a typed array. */
export function dtypeOf(data: Storage): SafetensorsDtype {
  if (data instanceof Float32Array) return 'F32';
  if (data instanceof Float64Array) return 'F64';
  if (data instanceof Int32Array) return 'I32';
  if (data instanceof BigInt64Array) return 'I64';
  return 'U8';
}

/** Serialise tensors (in the order given) and string metadata. */
export function encodeSafetensors(tensors: Record<string, SafeTensor>, metadata: Record<string, string> = {}): Uint8Array {
  const header: Record<string, unknown> = Object.create(null) as Record<string, unknown>; // names like __proto__ are plain keys
  if (Object.keys(metadata).length) header.__metadata__ = { ...metadata };
  let offset = 0;
  for (const [name, t] of Object.entries(tensors)) {
    const n = t.shape.reduce((a, b) => a * b, 1);
    if (n !== t.data.length) throw new Error(`safetensors: ${name} has shape [${t.shape.join(', ')}] but ${t.data.length} values`);
    if (dtypeOf(t.data) !== t.dtype) throw new Error(`safetensors: ${name} is declared ${t.dtype} but holds ${dtypeOf(t.data)} values`);
    const len = n * BYTES[t.dtype];
    header[name] = { dtype: t.dtype, shape: [...t.shape], data_offsets: [offset, offset + len] };
    offset += len;
  }
  let json = JSON.stringify(header);
  json += ' '.repeat((8 - (Buffer.byteLength(json, 'utf8') % 8)) % 8);
  const head = Buffer.from(json, 'utf8');
  const out = Buffer.alloc(8 + head.length + offset);
  out.writeBigUInt64LE(BigInt(head.length), 0);
  head.copy(out, 8);
  let at = 8 + head.length;
  for (const t of Object.values(tensors)) {
    const src = new Uint8Array(t.data.buffer, t.data.byteOffset, t.data.byteLength);
    out.set(src, at);
    at += src.length;
  }
  return out;
}

/** The little-endian u64 header length that opens a safetensors file. */
function headerLength(buf: Uint8Array): bigint {
  return new DataView(buf.buffer, buf.byteOffset, buf.byteLength).getBigUint64(0, true);
}

/** True when `buf` starts like a safetensors file (a plausible header length and a JSON object). */
export function looksLikeSafetensors(buf: Uint8Array): boolean {
  if (buf.length < 10) return false;
  const n = headerLength(buf);
  return n >= 2n && n <= BigInt(buf.length - 8) && buf[8] === 0x7b; // '{'
}

/** Parse a safetensors file; throws naming `where` on a malformed header, bad offsets or truncation. */
export function decodeSafetensors(buf: Uint8Array, where = 'safetensors file'): SafetensorsFile {
  if (!looksLikeSafetensors(buf)) throw new Error(`${where}: not a safetensors file`);
  const n = Number(headerLength(buf));
  let header: Record<string, unknown>;
  try { header = JSON.parse(new TextDecoder().decode(buf.subarray(8, 8 + n))) as Record<string, unknown>; } catch (e) {
    throw new Error(`${where}: unreadable safetensors header (${(e as Error).message})`);
  }
  const start = 8 + n;
  const tensors: Record<string, SafeTensor> = Object.create(null) as Record<string, SafeTensor>;
  let metadata: Record<string, string> = {};
  let end = 0;
  for (const [name, v] of Object.entries(header)) {
    if (name === '__metadata__') { metadata = { ...(v ?? {}) as Record<string, string> }; continue; }
    const e = v as { dtype: string; shape: number[]; data_offsets: [number, number] };
    if (!(e.dtype in BYTES)) throw new Error(`${where}: tensor ${name} has dtype ${e.dtype}; sdekit reads ${Object.keys(BYTES).join(', ')}`);
    const dtype = e.dtype as SafetensorsDtype;
    const [b, f] = e.data_offsets;
    const count = e.shape.reduce((a, c) => a * c, 1);
    if (!(b >= 0 && f >= b && (f - b) === count * BYTES[dtype])) throw new Error(`${where}: tensor ${name} has offsets [${b}, ${f}] for shape [${e.shape.join(', ')}] ${dtype}`);
    if (start + f > buf.length) throw new Error(`${where}: size mismatch (tensor ${name} ends at byte ${start + f}, the file has ${buf.length})`);
    tensors[name] = { dtype, shape: e.shape, data: makeStorage(dtype, buf.subarray(start + b, start + f)) };
    end = Math.max(end, f);
  }
  if (start + end !== buf.length) throw new Error(`${where}: size mismatch (expected ${start + end} bytes, found ${buf.length})`);
  return { tensors, metadata };
}
