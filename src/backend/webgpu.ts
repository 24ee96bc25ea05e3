/**
 * Dawn (the npm `webgpu` package) set-up, done by sdekit so the user never has to.
 *
 * Order of attempts (issue 6, measured on a GPU-less Debian machine):
 *   1. Dawn's default backend (Vulkan / Metal / D3D12): a real GPU when one is there;
 *   2. Dawn's OpenGL ES backend (`backend=opengles`) over Mesa EGL with `EGL_PLATFORM=surfaceless`,
 *      requested at `featureLevel: 'compatibility'`: on a machine without a GPU this is Mesa's llvmpipe,
 *      a software rasteriser that is correct but slow, used to test generated kernels.
 * The device is requested with the adapter's full limits (compatibility mode otherwise caps e.g.
 * storage buffers per stage at 4). One device per process, created lazily and shared.
 */
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

/** What sdekit knows about the adapter it opened. */
export interface DawnAdapterInfo {
  /** which Dawn attempt produced it */
  readonly via: 'default' | 'opengles';
  readonly vendor: string;
  readonly architecture: string;
  readonly device: string;
  readonly description: string;
  /** a software rasteriser (llvmpipe, lavapipe, SwiftShader, ...): never chosen automatically */
  readonly software: boolean;
  readonly featureLevel: 'core' | 'compatibility';
}

/** An opened Dawn adapter and device. */
export interface DawnContext {
  readonly gpu: GPU;
  readonly adapter: GPUAdapter;
  readonly device: GPUDevice;
  readonly info: DawnAdapterInfo;
}

/** Result of trying to open Dawn: the context, or why it failed (every attempt's reason). */
export type DawnProbe = { ok: true; context: DawnContext } | { ok: false; reason: string };

type CreateFn = (options: string[]) => GPU;
interface WebgpuModule { create: CreateFn; globals: object }

const SOFTWARE = /llvmpipe|lavapipe|softpipe|swiftshader|software|basic render/i;

/** True when the adapter strings name a software rasteriser. */
export function isSoftwareAdapter(info: { vendor?: string; architecture?: string; device?: string; description?: string; isFallbackAdapter?: boolean }): boolean {
  if (info.isFallbackAdapter === true) return true;
  return SOFTWARE.test([info.vendor, info.architecture, info.device, info.description].join(' '));
}

/** One-line human description of an adapter. */
export function describeAdapter(info: DawnAdapterInfo): string {
  const name = [info.vendor, info.architecture, info.device].filter((s) => s !== '').join(' ') || 'unknown adapter';
  const extra = info.description !== '' && info.description !== info.device ? ` (${info.description})` : '';
  return `${name}${extra} via Dawn ${info.via}${info.software ? ', software' : ''}`;
}

let webgpuModule: Promise<WebgpuModule> | undefined;

/** Load the native Dawn binding; a missing or broken binary becomes a rejected promise, not a crash. */
async function loadWebgpu(): Promise<WebgpuModule> {
  webgpuModule ??= import('webgpu').then((m) => ({ create: m.create as CreateFn, globals: m.globals }));
  return webgpuModule;
}

/** Copy Dawn's globals (GPUBufferUsage, GPUMapMode, ...) onto globalThis without overwriting any. */
function installGlobals(globals: object): void {
  const g = globalThis as unknown as Record<string, unknown>;
  for (const [k, v] of Object.entries(globals)) if (g[k] === undefined) g[k] = v;
}

/** Every numeric limit the adapter supports, to request them all on the device. */
function fullLimits(adapter: GPUAdapter): Record<string, number> {
  const out: Record<string, number> = {};
  const lim = adapter.limits as unknown as Record<string, unknown>;
  const keys = new Set<string>();
  for (const k in lim) keys.add(k);
  for (const k of Object.getOwnPropertyNames(Object.getPrototypeOf(lim) ?? {})) keys.add(k);
  for (const k of keys) {
    const v = lim[k];
    if (typeof v === 'number' && Number.isFinite(v)) out[k] = v;
  }
  return out;
}

async function attempt(mod: WebgpuModule, via: 'default' | 'opengles'): Promise<DawnContext> {
  if (via === 'opengles' && process.env.EGL_PLATFORM === undefined) process.env.EGL_PLATFORM = 'surfaceless';
  const gpu = mod.create(via === 'opengles' ? ['backend=opengles'] : []);
  let adapter: GPUAdapter | null = null;
  let featureLevel: 'core' | 'compatibility' = 'core';
  if (via === 'default') adapter = await gpu.requestAdapter({ powerPreference: 'high-performance' });
  if (adapter === null) {
    featureLevel = 'compatibility';
    adapter = await gpu.requestAdapter({ powerPreference: 'high-performance', featureLevel: 'compatibility' });
  }
  if (adapter === null) throw new Error(`Dawn ${via} backend returned no adapter`);
  const requiredFeatures: GPUFeatureName[] = [];
  if (adapter.features.has('timestamp-query')) requiredFeatures.push('timestamp-query');
  const device = await adapter.requestDevice({ requiredLimits: fullLimits(adapter), requiredFeatures });
  const a = adapter.info;
  const info: DawnAdapterInfo = {
    via,
    vendor: a.vendor ?? '',
    architecture: a.architecture ?? '',
    device: a.device ?? '',
    description: a.description ?? '',
    software: isSoftwareAdapter(a),
    featureLevel,
  };
  return { gpu, adapter, device, info };
}

/**
 * On Linux Dawn's default backend is Vulkan; without a Vulkan loader it only prints a native warning.
 * Look for libvulkan.so.1 in the loader cache and LD_LIBRARY_PATH first, to skip it with a clear reason.
 */
function vulkanLoaderMissing(): string | undefined {
  if (process.platform !== 'linux') return undefined;
  const lib = 'libvulkan.so.1';
  for (const dir of (process.env.LD_LIBRARY_PATH ?? '').split(':').filter((d) => d !== '')) {
    if (existsSync(join(dir, lib))) return undefined;
  }
  try {
    if (readFileSync('/etc/ld.so.cache').includes(lib)) return undefined;
  } catch {
    return undefined; // no cache to consult: let Dawn try
  }
  for (const dir of ['/usr/lib/x86_64-linux-gnu', '/usr/lib/aarch64-linux-gnu', '/usr/lib64', '/usr/lib', '/usr/local/lib']) {
    if (existsSync(join(dir, lib))) return undefined;
  }
  return `${lib} not found (no Vulkan loader; Debian: apt-get install libvulkan1)`;
}

type Attempt = { ok: true; context: DawnContext } | { ok: false; reason: string };
const attempts = new Map<'default' | 'opengles', Promise<Attempt>>();

/** One Dawn backend, tried at most once per process. */
function tryVia(via: 'default' | 'opengles'): Promise<Attempt> {
  let a = attempts.get(via);
  if (a === undefined) {
    a = (async (): Promise<Attempt> => {
      const skip = via === 'default' ? vulkanLoaderMissing() : undefined;
      if (skip !== undefined) return { ok: false, reason: skip };
      let mod: WebgpuModule;
      try {
        mod = await loadWebgpu();
      } catch (e) {
        return { ok: false, reason: `the npm package "webgpu" (Dawn) could not be loaded: ${message(e)}` };
      }
      installGlobals(mod.globals);
      try {
        return { ok: true, context: await attempt(mod, via) };
      } catch (e) {
        return { ok: false, reason: message(e) };
      }
    })();
    attempts.set(via, a);
  }
  return a;
}

/**
 * Open Dawn once per process: its default backend, then (unless `fallback` is false) OpenGL ES over
 * Mesa. Automatic backend choice passes `fallback: false`: on Linux the OpenGL ES path only finds
 * software rasterisers, which are never chosen automatically, and opening it prints Dawn's native
 * limit warnings. Never throws: a failure is `{ ok: false, reason }` naming what each attempt said.
 */
export async function probeDawn(opts: { fallback?: boolean } = {}): Promise<DawnProbe> {
  const reasons: string[] = [];
  for (const via of opts.fallback === false ? (['default'] as const) : (['default', 'opengles'] as const)) {
    const a = await tryVia(via);
    if (a.ok) return a;
    reasons.push(`${via}: ${a.reason}`);
  }
  const fallbackNote = opts.fallback === false ? ' (the OpenGL ES fallback is tried only when webgpu is requested)' : '';
  return {
    ok: false,
    reason: `no WebGPU adapter (${reasons.join('; ')})${fallbackNote}; on Debian run .ci/setup-webgpu.sh (Mesa EGL/GLES) for the software adapter`,
  };
}

/** Open Dawn or throw an Error saying why. */
export async function openDawn(): Promise<DawnContext> {
  const p = await probeDawn();
  if (!p.ok) throw new Error(p.reason);
  return p.context;
}

/** Make `navigator.gpu` point at Dawn (TensorFlow.js's WebGPU backend looks there). */
export function exposeNavigatorGpu(gpu: GPU): void {
  const g = globalThis as unknown as { navigator?: object };
  if (g.navigator === undefined) {
    Object.defineProperty(globalThis, 'navigator', { value: { gpu }, configurable: true, writable: true });
  } else if ((g.navigator as { gpu?: unknown }).gpu !== gpu) {
    Object.defineProperty(g.navigator, 'gpu', { value: gpu, configurable: true, writable: true });
  }
}

function message(e: unknown): string {
  return e instanceof Error ? e.message : String(e);
}
