/**
 * Checkpoint files, written atomically: the bytes go to a temporary file in the same folder,
 * are fsync'ed, then renamed over the old checkpoint (rename is atomic on POSIX), and the folder
 * is fsync'ed. A killed process leaves either the old or the new checkpoint, never a torn one;
 * a CRC-32 over the payload catches anything else.
 *
 * Layout: "SDEKCKPT" | uint32 LE header length | header JSON (UTF-8) | zero padding to a
 * multiple of 4 | float32 LE tensors, in header order.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { crc32 } from 'node:zlib';
import * as tf from '@tensorflow/tfjs';
import type { Weights } from '../score/layers.ts';

const MAGIC = 'SDEKCKPT';

/** One stored tensor. */
export interface StoredTensor { readonly shape: number[]; readonly data: Float32Array }

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

/** Serialise a checkpoint to bytes. */
export function encodeCheckpoint(meta: CheckpointMeta, groups: TensorGroups): Buffer {
  const entries: Entry[] = [];
  let offset = 0;
  for (const [group, ts] of Object.entries(groups)) {
    for (const [name, t] of Object.entries(ts)) {
      entries.push({ group, name, shape: t.shape, offset, length: t.data.length });
      offset += t.data.length;
    }
  }
  const payload = Buffer.alloc(offset * 4);
  const view = new Float32Array(payload.buffer, payload.byteOffset, offset);
  let i = 0;
  for (const ts of Object.values(groups)) for (const t of Object.values(ts)) { view.set(t.data, entries[i].offset); i++; }
  const header = Buffer.from(JSON.stringify({ format: 'sdekit-checkpoint', version: 1, meta, tensors: entries, crc32: crc32(payload) }), 'utf8');
  const pad = (4 - ((MAGIC.length + 4 + header.length) % 4)) % 4;
  const head = Buffer.alloc(MAGIC.length + 4);
  head.write(MAGIC, 0, 'ascii');
  head.writeUInt32LE(header.length, MAGIC.length);
  return Buffer.concat([head, header, Buffer.alloc(pad), payload]);
}

/** Parse checkpoint bytes; throws a clear error on a wrong magic, truncation or CRC mismatch. */
export function decodeCheckpoint(buf: Buffer, where = 'checkpoint'): { meta: CheckpointMeta; groups: TensorGroups } {
  if (buf.length < 12 || buf.toString('ascii', 0, 8) !== MAGIC) throw new Error(`${where}: not an sdekit checkpoint`);
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
  return { meta: header.meta, groups };
}

/** Write `bytes` to `file` atomically (temp file, fsync, rename, fsync folder). */
export function writeFileAtomic(file: string, bytes: Buffer | string): void {
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
export function saveCheckpoint(file: string, meta: CheckpointMeta, groups: TensorGroups): void {
  writeFileAtomic(file, encodeCheckpoint(meta, groups));
}

/** Read a checkpoint. */
export function readCheckpoint(file: string): { meta: CheckpointMeta; groups: TensorGroups } {
  return decodeCheckpoint(fs.readFileSync(file), file);
}
