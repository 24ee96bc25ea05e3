/**
 * safetensors: encode/decode is the identity on random tensors of every dtype; malformed files are
 * rejected; files written by sdekit load in PyTorch (with the generated programs' Python reader,
 * cross-checked against torch's own byte view) and files written by PyTorch load in sdekit.
 * The PyTorch half runs when Debian's python3-torch is installed, else skips saying so.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import fc from 'fast-check';
import { decodeSafetensors, encodeSafetensors, type SafeTensor } from '../../src/train/safetensors.ts';
import { SAFETENSORS_PY } from '../../src/engines/torch/safetensorsPy.ts';
import { TORCH_SKIP, TORCH_PYTHON } from '../engines/torchAvailable.ts';

const shapeAndData = <T>(item: fc.Arbitrary<T>) => fc.array(fc.integer({ min: 0, max: 4 }), { minLength: 0, maxLength: 3 })
  .chain((shape) => fc.array(item, { minLength: shape.reduce((a, b) => a * b, 1), maxLength: shape.reduce((a, b) => a * b, 1) }).map((v) => ({ shape, v })));
const anyTensor: fc.Arbitrary<SafeTensor> = fc.oneof(
  shapeAndData(fc.float()).map(({ shape, v }) => ({ dtype: 'F32' as const, shape, data: Float32Array.from(v) })),
  shapeAndData(fc.double()).map(({ shape, v }) => ({ dtype: 'F64' as const, shape, data: Float64Array.from(v) })),
  shapeAndData(fc.integer({ min: -(2 ** 31), max: 2 ** 31 - 1 })).map(({ shape, v }) => ({ dtype: 'I32' as const, shape, data: Int32Array.from(v) })),
  shapeAndData(fc.bigInt({ min: -(2n ** 63n), max: 2n ** 63n - 1n })).map(({ shape, v }) => ({ dtype: 'I64' as const, shape, data: BigInt64Array.from(v) })),
  shapeAndData(fc.integer({ min: 0, max: 255 })).map(({ shape, v }) => ({ dtype: 'U8' as const, shape, data: Uint8Array.from(v) })),
);
const bytesOf = (t: SafeTensor) => Buffer.from(t.data.buffer, t.data.byteOffset, t.data.byteLength);

test('safetensors: decode(encode(x)) is x, bit for bit, for every dtype; the header is 8-byte aligned', () => {
  fc.assert(fc.property(fc.dictionary(fc.string({ minLength: 1, maxLength: 8 }).filter((k) => k !== '__metadata__'), anyTensor, { maxKeys: 5 }),
    fc.dictionary(fc.string({ maxLength: 5 }), fc.string({ maxLength: 10 }), { maxKeys: 3 }), (ts, md) => {
      const buf = encodeSafetensors(ts, md);
      assert.equal(Number(Buffer.from(buf).readBigUInt64LE(0)) % 8, 0);
      const back = decodeSafetensors(buf);
      assert.deepEqual(Object.keys(back.tensors), Object.keys(ts));
      assert.deepEqual({ ...back.metadata }, { ...md });
      for (const [k, t] of Object.entries(ts)) {
        assert.equal(back.tensors[k].dtype, t.dtype);
        assert.deepEqual(back.tensors[k].shape, t.shape);
        assert.ok(bytesOf(back.tensors[k]).equals(bytesOf(t)), k);
      }
    }), { numRuns: 100 });
});

test('safetensors: truncated, padded or non-safetensors bytes are rejected with a clear error', () => {
  const buf = encodeSafetensors({ a: { dtype: 'F32', shape: [3], data: Float32Array.from([1, 2, 3]) } });
  assert.throws(() => decodeSafetensors(buf.subarray(0, buf.length - 1), 'x.safetensors'), /x\.safetensors: size mismatch/);
  assert.throws(() => decodeSafetensors(Buffer.concat([buf, Buffer.alloc(4)])), /size mismatch/);
  assert.throws(() => decodeSafetensors(Buffer.from('definitely not')), /not a safetensors file/);
  assert.throws(() => encodeSafetensors({ a: { dtype: 'F32', shape: [2], data: Float32Array.from([1, 2, 3]) } }), /shape \[2\] but 3 values/);
});

test('safetensors written by sdekit load in PyTorch and files written by PyTorch load in sdekit', { skip: TORCH_SKIP }, () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'sdekit-st-'));
  fs.writeFileSync(path.join(dir, 'sdekit_safetensors.py'), SAFETENSORS_PY);
  const w = Float32Array.from({ length: 12 }, (_, i) => Math.fround(Math.sin(i) * 1e3) / 7);
  const d = Float64Array.from([Math.PI, -0, 1e-300, Infinity]);
  fs.writeFileSync(path.join(dir, 'a.safetensors'), encodeSafetensors({
    'ema/fc0.w': { dtype: 'F32', shape: [3, 4], data: w },
    d: { dtype: 'F64', shape: [2, 2], data: d },
    i: { dtype: 'I64', shape: [2], data: BigInt64Array.from([-5n, 2n ** 40n]) },
  }, { format: 'test' }));
  const script = `
import sys, json, struct, torch
sys.path.insert(0, ${JSON.stringify(dir)})
import sdekit_safetensors as st
t, md = st.load_file(${JSON.stringify(path.join(dir, 'a.safetensors'))})
w = t["ema/fc0.w"]
# the reader's values against an independent decode of the same bytes (struct, little-endian)
raw = open(${JSON.stringify(path.join(dir, 'a.safetensors'))}, "rb").read()
n = struct.unpack("<Q", raw[:8])[0]
assert list(w.shape) == [3, 4] and w.dtype == torch.float32
assert w.reshape(-1).tolist() == list(struct.unpack("<12f", raw[8 + n:8 + n + 48]))
assert t["d"].dtype == torch.float64 and t["d"].reshape(-1).tolist()[:3] == [3.141592653589793, 0.0, 1e-300]
assert t["i"].tolist() == [-5, 2 ** 40] and md == {"format": "test"}
g = torch.Generator().manual_seed(3)
st.save_file({"x": torch.randn(2, 3, generator=g, dtype=torch.float64), "y": torch.arange(6, dtype=torch.int32), "z": (torch.arange(5) * 51).to(torch.uint8), "f": w * 2}, ${JSON.stringify(path.join(dir, 'b.safetensors'))}, {"k": "v"})
print(json.dumps({"x": torch.randn(2, 3, generator=torch.Generator().manual_seed(3), dtype=torch.float64).reshape(-1).tolist()}))
`;
  const r = spawnSync(TORCH_PYTHON!, ['-c', script], { encoding: 'utf8' });
  assert.equal(r.status, 0, r.stderr);
  const want = JSON.parse(r.stdout) as { x: number[] };
  const b = decodeSafetensors(fs.readFileSync(path.join(dir, 'b.safetensors')));
  assert.deepEqual(b.metadata, { k: 'v' });
  assert.deepEqual(Array.from(b.tensors.x.data as Float64Array), want.x);
  assert.deepEqual(b.tensors.x.shape, [2, 3]);
  assert.deepEqual(Array.from(b.tensors.y.data as Int32Array), [0, 1, 2, 3, 4, 5]);
  assert.deepEqual(Array.from(b.tensors.z.data as Uint8Array), [0, 51, 102, 153, 204]);
  assert.deepEqual(Array.from(b.tensors.f.data as Float32Array), Array.from(w, (v) => v * 2));
  fs.rmSync(dir, { recursive: true });
});
