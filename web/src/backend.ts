/**
 * TensorFlow.js backend of the page, chosen in the order WebGPU, WebGL, wasm, cpu (DESIGN.md
 * "Backends", with the browser's own WebGPU/WebGL in place of Dawn). As in DESIGN.md, a software
 * adapter (SwiftShader, llvmpipe, a WebGPU fallback adapter) is not chosen automatically; a link
 * may force one with `backend=NAME`.
 */
import * as tf from '@tensorflow/tfjs';
import '@tensorflow/tfjs-backend-webgpu';
import { setWasmPaths } from '@tensorflow/tfjs-backend-wasm';

/** Backends in the order of automatic choice. */
export const PAGE_BACKENDS = ['webgpu', 'webgl', 'wasm', 'cpu'] as const;
export type PageBackend = (typeof PAGE_BACKENDS)[number];

/** Outcome of the choice. */
export interface PageBackendInfo {
  readonly name: PageBackend;
  /** adapter / renderer description, when the browser gives one */
  readonly adapter?: string;
  /** backends tried before it, with the reason each was skipped */
  readonly skipped: readonly { readonly name: PageBackend; readonly reason: string }[];
}

const SOFTWARE = /swiftshader|llvmpipe|lavapipe|software|basic render/i;

function withTimeout<T>(p: Promise<T>, ms: number, what: string): Promise<T> {
  return new Promise<T>((ok, fail) => {
    const timer = setTimeout(() => fail(new Error(`${what} did not answer within ${ms} ms`)), ms);
    p.then((v) => { clearTimeout(timer); ok(v); }, (e: unknown) => { clearTimeout(timer); fail(e); });
  });
}

interface GpuAdapterLike { info?: { vendor?: string; architecture?: string; device?: string; description?: string }; isFallbackAdapter?: boolean }
interface GpuLike { requestAdapter(): Promise<GpuAdapterLike | null> }

/** Probe a backend: its adapter description, or the reason it cannot (or should not) be used. */
async function probe(name: PageBackend, forced: boolean): Promise<{ ok: true; adapter?: string } | { ok: false; reason: string }> {
  if (name === 'webgpu') {
    const gpu = (navigator as unknown as { gpu?: GpuLike }).gpu;
    if (!gpu) return { ok: false, reason: 'navigator.gpu is absent (WebGPU disabled or unsupported)' };
    const adapter = await withTimeout(gpu.requestAdapter(), 4000, 'requestAdapter');
    if (!adapter) return { ok: false, reason: 'no WebGPU adapter' };
    const i = adapter.info ?? {};
    const desc = [i.vendor, i.architecture, i.device, i.description].filter(Boolean).join(' ') || 'unnamed adapter';
    if (!forced && (adapter.isFallbackAdapter === true || SOFTWARE.test(desc))) return { ok: false, reason: `software adapter (${desc}); not chosen automatically` };
    return { ok: true, adapter: desc };
  }
  if (name === 'webgl') {
    const canvas = document.createElement('canvas');
    const gl = canvas.getContext('webgl2') ?? canvas.getContext('webgl');
    if (!gl) return { ok: false, reason: 'no WebGL context' };
    const ext = gl.getExtension('WEBGL_debug_renderer_info');
    const renderer = String(ext ? gl.getParameter(ext.UNMASKED_RENDERER_WEBGL) : gl.getParameter(gl.RENDERER));
    if (!forced && SOFTWARE.test(renderer)) return { ok: false, reason: `software renderer (${renderer}); not chosen automatically` };
    return { ok: true, adapter: renderer };
  }
  if (name === 'wasm') return { ok: true, adapter: 'WebAssembly' };
  return { ok: true, adapter: 'JavaScript' };
}

/** Choose and activate the backend; `force` tries that one first, then the automatic order. */
export async function chooseBackend(force: string | null = null): Promise<PageBackendInfo> {
  setWasmPaths(new URL('./', location.href).href);
  const skipped: { name: PageBackend; reason: string }[] = [];
  const forced = (PAGE_BACKENDS as readonly string[]).includes(force ?? '') ? (force as PageBackend) : null;
  const order: PageBackend[] = forced ? [forced, ...PAGE_BACKENDS.filter((b) => b !== forced)] : [...PAGE_BACKENDS];
  for (const name of order) {
    try {
      const p = await probe(name, name === forced);
      if (!p.ok) { skipped.push({ name, reason: p.reason }); continue; }
      const ok = await withTimeout(tf.setBackend(name), 8000, `tf.setBackend('${name}')`);
      await tf.ready();
      if (!ok || tf.getBackend() !== name) { skipped.push({ name, reason: 'TensorFlow.js could not initialise it' }); continue; }
      // one tiny op, so that a backend that initialises but cannot run is skipped too
      const sum = tf.add(tf.scalar(1), tf.scalar(2));
      const probeValue = (await withTimeout(sum.data(), 8000, 'a test op'))[0];
      sum.dispose();
      if (probeValue !== 3) { skipped.push({ name, reason: `a test op returned ${probeValue}` }); continue; }
      return { name, adapter: p.adapter, skipped };
    } catch (e) {
      skipped.push({ name, reason: e instanceof Error ? e.message.split('\n')[0] : String(e) });
    }
  }
  throw new Error(`no TensorFlow.js backend works here: ${skipped.map((s) => `${s.name}: ${s.reason}`).join('; ')}`);
}
