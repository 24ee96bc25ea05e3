/**
 * The TensorFlow.js wasm backend as the hand-written kernels here see it: tensors live on the wasm
 * heap, read and written in place through typed-array views (wasmKernels.ts, wasmMatMul.ts,
 * mlpWorker.ts). A view must be taken after the last allocation (`makeOutput`) of a kernel: an
 * allocation may grow the heap and detach older views.
 */
import * as tf from '@tensorflow/tfjs';

/** The parts of the wasm backend that kernels over its heap use. */
export interface WasmHeap {
  makeOutput(shape: number[], dtype: 'float32'): tf.TensorInfo;
  typedArrayFromHeap(t: tf.TensorInfo): Float32Array;
  disposeData(dataId: object): boolean;
}

/** A kernel's backend (default: the active one) seen as a {@link WasmHeap}; only valid on wasm. */
export function wasmHeap(backend: unknown = tf.backend()): WasmHeap {
  return backend as WasmHeap;
}

/**
 * Register a wasm kernel written over the heap unless one of that name is registered already; `f`
 * gets the heap, the inputs by name and the attributes, and returns the output(s).
 */
export function registerHeapKernel(kernelName: string, f: (be: WasmHeap, inputs: Record<string, tf.TensorInfo>, attrs: tf.NamedAttrMap) => tf.TensorInfo | tf.TensorInfo[]): void {
  if (tf.getKernel(kernelName, 'wasm') !== undefined) return;
  tf.registerKernel({ kernelName, backendName: 'wasm', kernelFunc: ({ inputs, backend, attrs }) => f(wasmHeap(backend), inputs as Record<string, tf.TensorInfo>, attrs ?? {}) });
}
