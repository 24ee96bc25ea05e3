/**
 * Backend selection: DESIGN.md order, overrides, clear errors, the capability report.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as tf from '@tensorflow/tfjs';
import { BACKEND_NAMES, initBackend, listBackends } from '../../src/backend/select.ts';
import { isUserError } from '../../src/errors.ts';
import { isSoftwareAdapter } from '../../src/backend/webgpu.ts';
import { isWasmMatMulPatched } from '../../src/backend/wasmMatMul.ts';
import { run } from '../../src/cli/backends.ts';

const statuses = await listBackends();

test('listBackends reports every backend in DESIGN.md order, with a reason when unavailable', () => {
  assert.deepEqual(statuses.map((s) => s.name), [...BACKEND_NAMES]);
  assert.deepEqual([...BACKEND_NAMES], ['tensorflow', 'webgpu', 'wasm', 'cpu']);
  for (const s of statuses) {
    if (!s.available) assert.ok(s.reason && s.reason.length > 10, `${s.name} unavailable without a reason`);
    else assert.ok(s.adapter, `${s.name} available without an adapter description`);
  }
  assert.ok(statuses.find((s) => s.name === 'cpu')?.available);
});

test('automatic choice is the first available automatic backend, never a software WebGPU adapter', async () => {
  const saved = process.env.SDEKIT_BACKEND;
  delete process.env.SDEKIT_BACKEND;
  try {
    const info = await initBackend();
    const expected = statuses.find((s) => s.available && s.automatic)?.name;
    assert.equal(info.name, expected);
    assert.equal(info.source, 'automatic');
    assert.equal(tf.getBackend(), info.tfBackend);
    const gpu = statuses.find((s) => s.name === 'webgpu');
    if (gpu?.available && gpu.adapter && /software/.test(gpu.adapter)) {
      assert.notEqual(info.name, 'webgpu');
      assert.equal(gpu.automatic, false);
    }
    if (info.name === 'wasm') assert.ok(isWasmMatMulPatched(), 'wasm is activated with the matmul patch');
  } finally {
    if (saved !== undefined) process.env.SDEKIT_BACKEND = saved;
  }
});

test('--backend wins over SDEKIT_BACKEND, which wins over the automatic choice', async () => {
  const saved = process.env.SDEKIT_BACKEND;
  try {
    process.env.SDEKIT_BACKEND = 'cpu';
    const a = await initBackend();
    assert.equal(a.name, 'cpu');
    assert.equal(a.source, 'SDEKIT_BACKEND');
    assert.equal(tf.getBackend(), 'cpu');
    const b = await initBackend('wasm');
    assert.equal(b.name, 'wasm');
    assert.equal(b.source, 'argument');
    assert.equal(tf.getBackend(), 'wasm');
  } finally {
    if (saved === undefined) delete process.env.SDEKIT_BACKEND; else process.env.SDEKIT_BACKEND = saved;
  }
});

test('an unknown backend is a UserError listing the known names', async () => {
  await assert.rejects(initBackend('cuda'), (e: unknown) => isUserError(e) && e.field === '--backend' && /known: tensorflow, webgpu, wasm, cpu/.test(e.message));
});

test('an unavailable backend is a UserError saying why and listing what is available', async (t) => {
  const missing = statuses.find((s) => !s.available);
  if (missing === undefined) return t.skip('every backend is available on this machine');
  const avail = statuses.filter((s) => s.available).map((s) => s.name).join(', ');
  await assert.rejects(initBackend(missing.name), (e: unknown) =>
    isUserError(e) && e.message.includes(`"${missing.name}" is unavailable`) && e.message.includes(missing.reason ?? '?') && e.message.endsWith(`available: ${avail} (value: ${missing.name})`));
});

test('software adapters are recognised by name or fallback flag', () => {
  assert.ok(isSoftwareAdapter({ device: 'llvmpipe (LLVM 15.0.6, 256 bits)' }));
  assert.ok(isSoftwareAdapter({ vendor: 'google', architecture: 'swiftshader' }));
  assert.ok(isSoftwareAdapter({ description: 'lavapipe' }));
  assert.ok(isSoftwareAdapter({ vendor: 'nvidia', isFallbackAdapter: true }));
  assert.ok(!isSoftwareAdapter({ vendor: 'nvidia', architecture: 'hopper', device: 'NVIDIA H100 80GB HBM3' }));
});

test('sdekit backends --json prints the report as one JSON document', async () => {
  const lines: string[] = [];
  const log = console.log;
  console.log = (...a: unknown[]) => { lines.push(a.join(' ')); };
  let code: number;
  try {
    code = await run(['--json']);
  } finally {
    console.log = log;
  }
  assert.equal(code, 0);
  const doc = JSON.parse(lines.join('\n')) as { order: string[]; automatic: string | null; backends: { name: string; available: boolean }[] };
  assert.deepEqual(doc.order, [...BACKEND_NAMES]);
  assert.deepEqual(doc.backends.map((b) => [b.name, b.available]), statuses.map((s) => [s.name, s.available]));
  assert.equal(doc.automatic, statuses.find((s) => s.available && s.automatic)?.name ?? null);
});
