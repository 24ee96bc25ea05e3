/**
 * Backend selection (DESIGN.md "Backends"): the native TensorFlow binding when installed
 * (`@tensorflow/tfjs-node-gpu`, then `@tensorflow/tfjs-node`, optional peers loaded by dynamic
 * import), WebGPU on a hardware adapter (Dawn in Node), wasm, cpu. `--backend` / `SDEKIT_BACKEND`
 * override the automatic choice; a software WebGPU adapter (llvmpipe, SwiftShader) is used only on
 * request. An unavailable requested backend is a {@link UserError} that says why and lists what is
 * available.
 */
import * as tf from '@tensorflow/tfjs';
import { UserError } from '../errors.ts';
import { describeAdapter, exposeNavigatorGpu, probeDawn, type DawnContext } from './webgpu.ts';
import { patchWasmMatMul } from './wasmMatMul.ts';

/** sdekit's backend names (the `--backend` values). */
export const BACKEND_NAMES = ['tensorflow', 'webgpu', 'wasm', 'cpu'] as const;
/** One of {@link BACKEND_NAMES}. */
export type BackendName = (typeof BACKEND_NAMES)[number];

/** Availability of one backend, for the capability report. */
export interface BackendStatus {
  readonly name: BackendName;
  readonly available: boolean;
  /** whether automatic selection may pick it (false for a software WebGPU adapter) */
  readonly automatic: boolean;
  /** why it is unavailable, or why it is not chosen automatically */
  readonly reason?: string;
  /** the device or library behind it, e.g. "llvmpipe ... via Dawn opengles, software" */
  readonly adapter?: string;
}

/** The backend that {@link initBackend} activated. */
export interface BackendInfo {
  readonly name: BackendName;
  /** the TensorFlow.js backend name now active (tf.getBackend()) */
  readonly tfBackend: string;
  readonly adapter?: string;
  /** what decided it */
  readonly source: 'argument' | 'SDEKIT_BACKEND' | 'automatic';
  /** statuses of the backends tried before it, in order (automatic choice only) */
  readonly skipped: readonly BackendStatus[];
}

type Ok = { ok: true; adapter: string; activate: () => Promise<void>; automatic: boolean; note?: string };
type Fail = { ok: false; reason: string };
type Probe = Ok | Fail;

function message(e: unknown): string {
  return e instanceof Error ? e.message.split('\n')[0] : String(e);
}

/** Dynamic import of an optional package; the specifier is a variable so a missing one is no type error. */
async function importOptional(spec: string): Promise<unknown> {
  return import(spec);
}

async function setTf(name: string): Promise<void> {
  const ok = await tf.setBackend(name);
  if (!ok || tf.getBackend() !== name) throw new Error(`TensorFlow.js could not initialise its "${name}" backend`);
  await tf.ready();
}

async function probeTensorflow(): Promise<Probe> {
  const reasons: string[] = [];
  for (const pkg of ['@tensorflow/tfjs-node-gpu', '@tensorflow/tfjs-node']) {
    try {
      await importOptional(pkg);
      if (tf.findBackendFactory('tensorflow') === null) throw new Error('it did not register a "tensorflow" backend');
      return { ok: true, automatic: true, adapter: pkg, activate: () => setTf('tensorflow') };
    } catch (e) {
      const code = (e as { code?: string }).code;
      reasons.push(code === 'ERR_MODULE_NOT_FOUND' || code === 'MODULE_NOT_FOUND' ? `${pkg} is not installed` : `${pkg}: ${message(e)}`);
    }
  }
  return { ok: false, reason: `${reasons.join('; ')} (optional peers: npm install @tensorflow/tfjs-node-gpu or @tensorflow/tfjs-node)` };
}

let webgpuRegistered: DawnContext | undefined;

/** Register TensorFlow.js's WebGPU backend on sdekit's own Dawn device (tfjs would ask navigator.gpu itself). */
async function registerTfWebgpu(ctx: DawnContext): Promise<void> {
  if (webgpuRegistered === ctx) return;
  exposeNavigatorGpu(ctx.gpu);
  const mod = (await import('@tensorflow/tfjs-backend-webgpu')) as unknown as {
    WebGPUBackend: new (device: GPUDevice, info?: GPUAdapterInfo) => tf.KernelBackend;
  };
  if (tf.findBackendFactory('webgpu') !== null) tf.removeBackend('webgpu');
  tf.registerBackend('webgpu', () => new mod.WebGPUBackend(ctx.device, ctx.adapter.info), 1);
  webgpuRegistered = ctx;
}

async function probeWebgpu(opts: { automatic?: boolean } = {}): Promise<Probe> {
  const p = await probeDawn({ fallback: !opts.automatic });
  if (!p.ok) return { ok: false, reason: p.reason };
  const ctx = p.context;
  try {
    await import('@tensorflow/tfjs-backend-webgpu');
  } catch (e) {
    return { ok: false, reason: `@tensorflow/tfjs-backend-webgpu could not be loaded: ${message(e)}` };
  }
  return {
    ok: true,
    automatic: !ctx.info.software,
    note: ctx.info.software ? 'software adapter: used only when requested (--backend webgpu)' : undefined,
    adapter: describeAdapter(ctx.info),
    activate: async () => {
      await registerTfWebgpu(ctx);
      await setTf('webgpu');
    },
  };
}

async function probeWasm(): Promise<Probe> {
  try {
    await import('@tensorflow/tfjs-backend-wasm');
  } catch (e) {
    return { ok: false, reason: `@tensorflow/tfjs-backend-wasm could not be loaded: ${message(e)}` };
  }
  if (tf.findBackendFactory('wasm') === null) return { ok: false, reason: '@tensorflow/tfjs-backend-wasm registered no backend' };
  return {
    ok: true,
    automatic: true,
    adapter: 'XNNPACK, SIMD, 1 thread (transposed matmuls patched)',
    activate: async () => {
      patchWasmMatMul(); // issue 6: flag-free XNNPACK path for transposed products
      await setTf('wasm');
    },
  };
}

async function probeCpu(): Promise<Probe> {
  return { ok: true, automatic: true, adapter: 'plain JavaScript', activate: () => setTf('cpu') };
}

const PROBES: Record<BackendName, (opts?: { automatic?: boolean }) => Promise<Probe>> = {
  tensorflow: probeTensorflow,
  webgpu: probeWebgpu,
  wasm: probeWasm,
  cpu: probeCpu,
};

function toStatus(name: BackendName, p: Probe): BackendStatus {
  if (!p.ok) return { name, available: false, automatic: false, reason: p.reason };
  return { name, available: true, automatic: p.automatic, adapter: p.adapter, ...(p.note ? { reason: p.note } : {}) };
}

/** Each backend, available or why not, and its adapter (the `sdekit backends` report). */
export async function listBackends(): Promise<BackendStatus[]> {
  const out: BackendStatus[] = [];
  for (const name of BACKEND_NAMES) {
    let p: Probe;
    try {
      p = await PROBES[name]();
    } catch (e) {
      p = { ok: false, reason: message(e) };
    }
    out.push(toStatus(name, p));
  }
  return out;
}

function isBackendName(s: string): s is BackendName {
  return (BACKEND_NAMES as readonly string[]).includes(s);
}

/**
 * Activate a backend and return what was chosen. `name` (from `--backend`) wins over
 * `SDEKIT_BACKEND`; with neither, the first available backend in DESIGN.md order that may be chosen
 * automatically. A requested backend that is unknown or unavailable is a {@link UserError}.
 */
export async function initBackend(name?: string): Promise<BackendInfo> {
  const env = process.env.SDEKIT_BACKEND;
  const requested = name ?? (env !== undefined && env !== '' ? env : undefined);
  const source: BackendInfo['source'] = name !== undefined ? 'argument' : requested !== undefined ? 'SDEKIT_BACKEND' : 'automatic';
  const field = source === 'argument' ? '--backend' : 'SDEKIT_BACKEND';
  if (requested !== undefined) {
    if (!isBackendName(requested)) {
      throw new UserError(field, `unknown backend; known: ${BACKEND_NAMES.join(', ')}`, { value: requested });
    }
    const p = await PROBES[requested]();
    if (!p.ok) {
      const avail = (await listBackends()).filter((s) => s.available).map((s) => s.name);
      throw new UserError(field, `backend "${requested}" is unavailable: ${p.reason}; available: ${avail.join(', ')}`, { value: requested });
    }
    await p.activate();
    return { name: requested, tfBackend: tf.getBackend(), adapter: p.adapter, source, skipped: [] };
  }
  const skipped: BackendStatus[] = [];
  for (const n of BACKEND_NAMES) {
    const p = await PROBES[n]({ automatic: true });
    if (p.ok && p.automatic) {
      try {
        await p.activate();
        return { name: n, tfBackend: tf.getBackend(), adapter: p.adapter, source, skipped };
      } catch (e) {
        skipped.push({ name: n, available: false, automatic: false, reason: message(e) });
        continue;
      }
    }
    skipped.push(toStatus(n, p));
  }
  throw new Error('no TensorFlow.js backend could be initialised (not even cpu)');
}
