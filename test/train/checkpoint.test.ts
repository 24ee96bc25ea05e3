/**
 * Checkpoint files: encode/decode is the identity on arbitrary tensor groups (bit-exact float32),
 * corruption and truncation are detected, the atomic writer leaves no temporary files, a
 * checkpoint is a plain safetensors file, and checkpoints written the old way (version 1) still load.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import fc from 'fast-check';
import { crc32 } from 'node:zlib';
import { decodeCheckpoint, encodeCheckpoint, readCheckpoint, saveCheckpoint, type CheckpointMeta, type TensorGroups } from '../../src/train/checkpoint.ts';
import { decodeSafetensors } from '../../src/train/safetensors.ts';

const tensor = fc.array(fc.float({ noDefaultInfinity: false }), { minLength: 0, maxLength: 40 }).map((v) => ({ shape: [v.length], data: Float32Array.from(v) }));
const groups: fc.Arbitrary<TensorGroups> = fc.dictionary(fc.string({ minLength: 1, maxLength: 6 }).filter((g) => !g.includes('/')), fc.dictionary(fc.string({ minLength: 1, maxLength: 6 }), tensor, { maxKeys: 4 }), { maxKeys: 4 });

test('encode then decode returns the same bits and metadata', () => {
  fc.assert(fc.property(groups, fc.integer({ min: 0, max: 1e9 }), (g, step) => {
    const { meta, groups: back } = decodeCheckpoint(encodeCheckpoint({ step, note: 'x' }, g));
    assert.equal(meta.step, step);
    assert.equal(meta.note, 'x');
    for (const [gn, ts] of Object.entries(g)) {
      for (const [tn, t] of Object.entries(ts)) {
        const b = back[gn][tn];
        assert.deepEqual(b.shape, t.shape);
        assert.deepEqual(new Uint32Array(b.data.buffer, b.data.byteOffset, b.data.length), new Uint32Array(t.data.buffer, t.data.byteOffset, t.data.length));
      }
    }
  }), { numRuns: 60 });
});

test('a flipped payload byte or a truncated file is rejected with a clear error', () => {
  const bytes = encodeCheckpoint({ step: 3 }, { w: { a: { shape: [4], data: Float32Array.from([1, 2, 3, 4]) } } });
  const bad = Buffer.from(bytes);
  bad[bad.length - 2] ^= 0xff;
  assert.throws(() => decodeCheckpoint(bad), /CRC mismatch/);
  assert.throws(() => decodeCheckpoint(bytes.subarray(0, bytes.length - 3)), /size mismatch/);
  assert.throws(() => decodeCheckpoint(Buffer.from('not a checkpoint at all')), /not an sdekit checkpoint/);
});

test('saveCheckpoint replaces the file atomically and leaves no temporary file', () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'sdekit-ckpt-'));
  const file = path.join(dir, 'checkpoint.safetensors');
  for (let step = 1; step <= 3; step++) saveCheckpoint(file, { step }, { w: { a: { shape: [1], data: Float32Array.from([step]) } } });
  assert.equal(readCheckpoint(file).meta.step, 3);
  assert.deepEqual(fs.readdirSync(dir), ['checkpoint.safetensors']);
  fs.rmSync(dir, { recursive: true });
});

test('a checkpoint is a safetensors file: tensors GROUP/NAME, metadata as JSON strings', () => {
  const w = Float32Array.from([1.5, -2, 3]);
  const st = decodeSafetensors(encodeCheckpoint({ step: 7, config: { a: [1] } }, { ema: { 'fc0.w': { shape: [3], data: w } } }));
  assert.deepEqual(Array.from(st.tensors['ema/fc0.w'].data as Float32Array), [1.5, -2, 3]);
  assert.equal(st.metadata.format, 'sdekit-checkpoint');
  assert.equal(st.metadata.step, '7');
  assert.deepEqual(JSON.parse(st.metadata.config), { a: [1] });
});

/** The version-1 layout (sdekit before safetensors), written here from its description in checkpoint.ts. */
function encodeVersion1(meta: CheckpointMeta, groups: TensorGroups): Buffer {
  const tensors: { group: string; name: string; shape: number[]; offset: number; length: number }[] = [];
  const parts: Float32Array[] = [];
  let offset = 0;
  for (const [group, ts] of Object.entries(groups)) for (const [name, t] of Object.entries(ts)) {
    tensors.push({ group, name, shape: t.shape, offset, length: t.data.length });
    parts.push(t.data);
    offset += t.data.length;
  }
  const payload = Buffer.concat(parts.map((p) => Buffer.from(p.buffer, p.byteOffset, p.byteLength)));
  const header = Buffer.from(JSON.stringify({ format: 'sdekit-checkpoint', version: 1, meta, tensors, crc32: crc32(payload) }), 'utf8');
  const head = Buffer.alloc(12);
  head.write('SDEKCKPT', 0, 'ascii');
  head.writeUInt32LE(header.length, 8);
  return Buffer.concat([head, header, Buffer.alloc((4 - ((12 + header.length) % 4)) % 4), payload]);
}

test('checkpoints written the old way (version 1) still load, bit for bit', () => {
  fc.assert(fc.property(groups, fc.integer({ min: 0, max: 1e6 }), (g, step) => {
    const { meta, groups: back } = decodeCheckpoint(encodeVersion1({ step }, g));
    assert.equal(meta.step, step);
    for (const [gn, ts] of Object.entries(g)) for (const [tn, t] of Object.entries(ts)) {
      assert.deepEqual(new Uint32Array(back[gn][tn].data.buffer, back[gn][tn].data.byteOffset, t.data.length), new Uint32Array(t.data.buffer, t.data.byteOffset, t.data.length));
    }
  }), { numRuns: 30 });
  const bad = encodeVersion1({ step: 1 }, { w: { a: { shape: [2], data: Float32Array.from([1, 2]) } } });
  bad[bad.length - 1] ^= 1;
  assert.throws(() => decodeCheckpoint(bad), /CRC mismatch/);
});
