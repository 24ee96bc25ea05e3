/**
 * Work-around for the TensorFlow.js wasm backend's slow transposed matmul (tfjs 4.22).
 *
 * The wasm `BatchMatMul` and `_FusedMatMul` kernels run on XNNPACK only when neither `transposeA`
 * nor `transposeB` is set; with a flag they fall back to a scalar loop about 10x slower (issue 6,
 * profiled). Autodiff's matmul gradients always pass a flag (dA = dY B^T, dB = A^T dY), so training
 * pays that price on every backward pass. This module re-registers both kernels so that a flagged
 * call first materialises the transpose (an O(n) cache-blocked copy on the wasm heap) and then
 * calls the original kernel flag-free. The arithmetic is the same (the same products summed
 * in the order XNNPACK sums them), so outputs and gradients agree with the unpatched kernels to
 * float32 rounding.
 *
 * Isolated on purpose: `unpatchWasmMatMul()` restores the originals, and the whole file can be
 * dropped once tfjs runs transposed products on XNNPACK itself.
 */
import * as tf from '@tensorflow/tfjs';
import { wasmHeap, type WasmHeap } from './wasmHeap.ts';

type KernelFunc = tf.KernelConfig['kernelFunc'];
type KernelArgs = Parameters<KernelFunc>[0];

const BLOCK = 16;

/**
 * Swap the last two axes of a float32 tensor with a cache-blocked loop over the wasm heap. Measured
 * here on a 512 x 256 matrix: ~0.18 ms, against ~0.7 ms for the wasm backend's generic Transpose.
 */
function transposeLast2Heap(x: tf.TensorInfo, be: WasmHeap): tf.TensorInfo {
  const r = x.shape.length;
  const rows = x.shape[r - 2], cols = x.shape[r - 1];
  const out = be.makeOutput([...x.shape.slice(0, r - 2), cols, rows], 'float32');
  const src = be.typedArrayFromHeap(x), dst = be.typedArrayFromHeap(out); // after the allocation
  const plane = rows * cols;
  for (let base = 0; base < src.length; base += plane) {
    for (let i0 = 0; i0 < rows; i0 += BLOCK) {
      const i1 = Math.min(i0 + BLOCK, rows);
      for (let j0 = 0; j0 < cols; j0 += BLOCK) {
        const j1 = Math.min(j0 + BLOCK, cols);
        for (let i = i0; i < i1; i++) {
          const s = base + i * cols;
          for (let j = j0; j < j1; j++) dst[base + j * rows + i] = src[s + j];
        }
      }
    }
  }
  return out;
}

const PATCHED = ['BatchMatMul', '_FusedMatMul'] as const;
const originals = new Map<string, tf.KernelConfig>();

/** True while the patched kernels are registered. */
export function isWasmMatMulPatched(): boolean {
  return originals.size > 0;
}

/** Swap the last two axes of `x`: the heap loop for float32, else the backend's own Transpose kernel. */
function transposeLast2(x: tf.TensorInfo, backend: KernelArgs['backend'], transposeKernel: KernelFunc): tf.TensorInfo {
  if (x.dtype === 'float32') return transposeLast2Heap(x, wasmHeap(backend));
  const r = x.shape.length;
  const perm = Array.from({ length: r }, (_, i) => (i < r - 2 ? i : i === r - 2 ? r - 1 : r - 2));
  const out = transposeKernel({ inputs: { x }, backend, attrs: { perm } });
  if (Array.isArray(out)) throw new Error('wasm Transpose returned several outputs');
  return out;
}

function wrap(original: KernelFunc, transposeKernel: KernelFunc): KernelFunc {
  return (args: KernelArgs) => {
    const attrs = (args.attrs ?? {}) as Record<string, unknown>;
    const transposeA = attrs.transposeA === true;
    const transposeB = attrs.transposeB === true;
    if (!transposeA && !transposeB) return original(args);
    const { backend } = args;
    const inputs = args.inputs as Record<string, tf.TensorInfo | undefined>;
    const a0 = inputs.a;
    const b0 = inputs.b;
    if (a0 === undefined || b0 === undefined) return original(args);
    const a = transposeA ? transposeLast2(a0, backend, transposeKernel) : a0;
    const b = transposeB ? transposeLast2(b0, backend, transposeKernel) : b0;
    try {
      return original({ inputs: { ...args.inputs, a, b }, backend, attrs: { ...args.attrs, transposeA: false, transposeB: false } });
    } finally {
      const be = wasmHeap(backend);
      if (transposeA) be.disposeData(a.dataId);
      if (transposeB) be.disposeData(b.dataId);
    }
  };
}

/**
 * Re-register the wasm `BatchMatMul` and `_FusedMatMul` kernels with explicit transposes.
 * Idempotent. Safe before or after the wasm backend is initialised (the originals' setup functions
 * are kept). Returns false when the wasm kernels are not registered (package not loaded).
 */
export function patchWasmMatMul(): boolean {
  if (isWasmMatMulPatched()) return true;
  const transpose = tf.getKernel('Transpose', 'wasm');
  if (transpose === undefined) return false;
  const found = PATCHED.map((name) => tf.getKernel(name, 'wasm'));
  if (found.some((k) => k === undefined)) return false;
  for (const k of found as tf.KernelConfig[]) {
    originals.set(k.kernelName, k);
    tf.unregisterKernel(k.kernelName, 'wasm');
    tf.registerKernel({ ...k, kernelFunc: wrap(k.kernelFunc, transpose.kernelFunc) });
  }
  return true;
}

/** Restore the kernels tfjs ships. Idempotent. */
export function unpatchWasmMatMul(): void {
  for (const [name, k] of originals) {
    tf.unregisterKernel(name, 'wasm');
    tf.registerKernel(k);
  }
  originals.clear();
}
