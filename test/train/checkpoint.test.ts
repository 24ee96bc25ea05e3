/**
 * Checkpoint files: encode/decode is the identity on arbitrary tensor groups (bit-exact float32),
 * corruption and truncation are detected, and the atomic writer leaves no temporary files.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import fc from 'fast-check';
import { decodeCheckpoint, encodeCheckpoint, readCheckpoint, saveCheckpoint, type TensorGroups } from '../../src/train/checkpoint.ts';

const tensor = fc.array(fc.float({ noDefaultInfinity: false }), { minLength: 0, maxLength: 40 }).map((v) => ({ shape: [v.length], data: Float32Array.from(v) }));
const groups: fc.Arbitrary<TensorGroups> = fc.dictionary(fc.string({ minLength: 1, maxLength: 6 }), fc.dictionary(fc.string({ minLength: 1, maxLength: 6 }), tensor, { maxKeys: 4 }), { maxKeys: 4 });

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
  const file = path.join(dir, 'checkpoint.sdkt');
  for (let step = 1; step <= 3; step++) saveCheckpoint(file, { step }, { w: { a: { shape: [1], data: Float32Array.from([step]) } } });
  assert.equal(readCheckpoint(file).meta.step, 3);
  assert.deepEqual(fs.readdirSync(dir), ['checkpoint.sdkt']);
  fs.rmSync(dir, { recursive: true });
});
