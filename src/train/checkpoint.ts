/**
 * Checkpoint files, written atomically: the bytes go to a temporary file in the same folder,
 * are fsync'ed, then renamed over the old checkpoint (rename is atomic on POSIX), and the folder
 * is fsync'ed. A killed process leaves either the old or the new checkpoint, never a torn one;
 * a CRC-32 over the payload catches anything else.
 *
 * Format (version 2): a safetensors file (src/train/safetensors.ts), so that PyTorch and the
 * Hugging Face tools read the weights directly. Tensor GROUP/NAME is tensor NAME of group GROUP
 * (weights/fc0.w, ema/fc0.w, adam.m/fc0.w, ...), float32, except groups whose tensors are other
 * dtypes (the torch engine's generator state, U8). The metadata holds "format":
 * "sdekit-checkpoint", "version": "2", "crc32" of the tensor bytes, and every key of
 * {@link CheckpointMeta} as a JSON string.
 *
 * Version 1 (read only, existing run folders): "SDEKCKPT" | uint32 LE header length | header
 * JSON | zero padding to a multiple of 4 | float32 LE tensors, in header order.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { crc32 } from 'node:zlib';
import * as tf from '@tensorflow/tfjs';
import type { Weights } from '../score/layers.ts';
import { decodeSafetensors, encodeSafetensors, type SafeTensor } from './safetensors.ts';

const MAGIC = 'SDEKCKPT';

/** One stored tensor (float32; another typed array only for non-weight state). */
export interface StoredTensor { readonly shape: number[]; readonly data: Float32Array }

/** A stored tensor of any safetensors dtype (e.g. a generator state). */
export type RawTensor = SafeTensor;

/** Tensor groups, e.g. { weights, ema, adam.m, adam.v }. */
export type TensorGroups = Record<string, Record<string, StoredTensor>>;

/** Everything in a checkpoint besides the tensors (JSON). */
export interface CheckpointMeta {
  readonly step: number;
  readonly [key: string]: unknown;
}

interface Entry { group: string; name: string; shape: number[]; offset: number; length: number }

/**
 * Read tensors' values to the host (float32). Asynchronous reads: TensorFlow.js's WebGPU backend
 * cannot read synchronously in Node (dataSync needs OffscreenCanvas there).
 */
export async function storeWeights(w: Weights): Promise<Record<string, StoredTensor>> {
  const o: Record<string, StoredTensor> = {};
  for (const [k, t] of Object.entries(w)) o[k] = { shape: [...t.shape], data: Float32Array.from((await t.data()) as Float32Array) };
  return o;
}

/** Upload stored tensors as weights. */
export function loadWeights(s: Record<string, StoredTensor>): Weights {
  const o: Weights = {};
  for (const [k, t] of Object.entries(s)) o[k] = tf.tensor(t.data, t.shape, 'float32');
  return o;
}

/** Serialise a checkpoint to bytes (version 2, safetensors). */
export function encodeCheckpoint(meta: CheckpointMeta, groups: TensorGroups, raw: Record<string, RawTensor> = {}): Buffer {
  const tensors: Record<string, SafeTensor> = {};
  for (const [group, ts] of Object.entries(groups)) {
    if (group.includes('/')) throw new Error(`checkpoint group ${JSON.stringify(group)} must not contain "/"`);
    for (const [name, t] of Object.entries(ts)) tensors[`${group}/${name}`] = { dtype: 'F32', shape: t.shape, data: t.data };
  }
  for (const [name, t] of Object.entries(raw)) tensors[name] = t;
  const metadata: Record<string, string> = { format: 'sdekit-checkpoint', version: '2' };
  for (const [k, v] of Object.entries(meta)) metadata[k] = JSON.stringify(v);
  // the CRC covers the tensor bytes, in file order
  let crc = 0;
  for (const t of Object.values(tensors)) if (t.data.byteLength) crc = crc32(new Uint8Array(t.data.buffer, t.data.byteOffset, t.data.byteLength), crc); // (node returns 0 for an empty chunk)
  const bytes = encodeSafetensors(tensors, { ...metadata, crc32: String(crc) });
  return Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
}

/** A decoded checkpoint: meta, float32 groups, and any other tensors by full name. */
export interface DecodedCheckpoint { meta: CheckpointMeta; groups: TensorGroups; raw: Record<string, RawTensor> }

/**
 * Parse checkpoint bytes, version 2 (safetensors) or version 1; throws a clear error on a wrong
 * format, truncation or CRC mismatch.
 */
export function decodeCheckpoint(buf: Buffer, where = 'checkpoint'): DecodedCheckpoint {
  if (buf.length >= 12 && buf.toString('ascii', 0, 8) === MAGIC) return decodeVersion1(buf, where);
  let file;
  try { file = decodeSafetensors(buf, where); } catch (e) {
    throw new Error(/not a safetensors/.test((e as Error).message) ? `${where}: not an sdekit checkpoint` : (e as Error).message);
  }
  const md = file.metadata;
  if (md.format !== 'sdekit-checkpoint') throw new Error(`${where}: not an sdekit checkpoint (a safetensors file without "format": "sdekit-checkpoint" metadata)`);
  const n = Number(buf.readBigUInt64LE(0));
  if (md.crc32 !== undefined && Number(md.crc32) !== crc32(buf.subarray(8 + n))) throw new Error(`${where}: CRC mismatch, the file is corrupt`);
  const meta: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(md)) if (!['format', 'version', 'crc32'].includes(k)) meta[k] = JSON.parse(v);
  const groups: TensorGroups = {};
  const raw: Record<string, RawTensor> = {};
  for (const [full, t] of Object.entries(file.tensors)) {
    const cut = full.indexOf('/');
    if (cut > 0 && t.dtype === 'F32') (groups[full.slice(0, cut)] ??= {})[full.slice(cut + 1)] = { shape: [...t.shape], data: t.data as Float32Array };
    else raw[full] = t;
  }
  return { meta: meta as unknown as CheckpointMeta, groups, raw };
}

function decodeVersion1(buf: Buffer, where: string): DecodedCheckpoint {
  const hl = buf.readUInt32LE(8);
  if (12 + hl > buf.length) throw new Error(`${where}: truncated header`);
  const header = JSON.parse(buf.toString('utf8', 12, 12 + hl)) as { meta: CheckpointMeta; tensors: Entry[]; crc32: number };
  const start = 12 + hl + ((4 - ((12 + hl) % 4)) % 4);
  const total = header.tensors.reduce((a, e) => a + e.length, 0);
  if (start + total * 4 !== buf.length) throw new Error(`${where}: size mismatch (expected ${start + total * 4} bytes, found ${buf.length})`);
  const payload = buf.subarray(start);
  if (crc32(payload) !== header.crc32) throw new Error(`${where}: CRC mismatch, the file is corrupt`);
  const aligned = new Float32Array(total);
  new Uint8Array(aligned.buffer).set(payload);
  const groups: TensorGroups = {};
  for (const e of header.tensors) {
    (groups[e.group] ??= {})[e.name] = { shape: e.shape, data: aligned.slice(e.offset, e.offset + e.length) };
  }
  return { meta: header.meta, groups, raw: {} };
}

/** Write `bytes` to `file` atomically (temp file, fsync, rename, fsync folder). */
export function writeFileAtomic(file: string, bytes: Uint8Array | string): void {
  const dir = path.dirname(file);
  const tmp = path.join(dir, `.${path.basename(file)}.tmp-${process.pid}`);
  const fd = fs.openSync(tmp, 'w');
  try {
    fs.writeSync(fd, typeof bytes === 'string' ? Buffer.from(bytes, 'utf8') : bytes);
    fs.fsyncSync(fd);
  } finally { fs.closeSync(fd); }
  fs.renameSync(tmp, file);
  try { const dfd = fs.openSync(dir, 'r'); try { fs.fsyncSync(dfd); } finally { fs.closeSync(dfd); } } catch { /* folders cannot be fsync'ed on every platform */ }
}

/** Write a checkpoint atomically. */
export function saveCheckpoint(file: string, meta: CheckpointMeta, groups: TensorGroups, raw: Record<string, RawTensor> = {}): void {
  writeFileAtomic(file, encodeCheckpoint(meta, groups, raw));
}

/** Read a checkpoint (either version). */
export function readCheckpoint(file: string): DecodedCheckpoint {
  return decodeCheckpoint(fs.readFileSync(file), file);
}

/**
 * The checkpoint of a run folder: `current` (e.g. checkpoint.safetensors) when it exists, else
 * `legacy` (checkpoint.sdkt, written by sdekit before version 2) when that exists, else `current`.
 */
export function checkpointIn(dir: string, current: string, legacy: string): string {
  const now = path.join(dir, current), old = path.join(dir, legacy);
  return !fs.existsSync(now) && fs.existsSync(old) ? old : now;
}
