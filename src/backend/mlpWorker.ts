/**
 * Worker thread of {@link ParallelMlpTrainer} (mlpParallel.ts): one wasm backend per worker. On each
 * `step` message it reads the current parameters from shared memory, computes the loss and
 * gradients of its shard of the batch by explicit back-propagation (mlpWasmStep.ts), writes them
 * into its own gradient slot of the SharedArrayBuffer, then bumps the `done` counter and notifies.
 */
import { parentPort, workerData } from 'node:worker_threads';
import * as tf from '@tensorflow/tfjs';
import { initBackend } from './select.ts';
import { embeddingFrequencies } from './mlpWorkload.ts';
import { mlpForwardBackward, type DeviceBatch } from './mlpWasmStep.ts';
import { registerWasmTrainingKernels } from './wasmKernels.ts';
import type { WorkerInit, WorkerMessage } from './mlpParallel.ts';

const init = workerData as WorkerInit;
const port = parentPort;
if (port === null) throw new Error('mlpWorker.ts must run in a worker thread');

await initBackend('wasm');
registerWasmTrainingKernels();
const params = new Float32Array(init.shared, 0, init.total);
const grads = new Float32Array(init.shared, 4 * init.total * (1 + init.index), init.total);
const losses = new Float32Array(init.shared, 4 * init.total * (1 + init.workers), init.workers);
const ctrl = new Int32Array(init.control);
const freqs = tf.tensor1d(embeddingFrequencies(init.embDim));
let batch: DeviceBatch | undefined;

function step(): void {
  if (batch === undefined) throw new Error('worker: no batch');
  const b = batch;
  const ts = init.shapes.map((shape, i) => tf.tensor(params.subarray(init.offsets[i], init.offsets[i] + init.sizes[i]), shape));
  const { grads: gs, loss } = mlpForwardBackward(ts, b, freqs, false);
  for (let i = 0; i < gs.length; i++) {
    const g = gs[i].dataSync() as Float32Array;
    const off = init.offsets[i];
    const n = init.sizes[i];
    if (g.length === n) grads.set(g, off);
    else {
      // a bias: column sums of the rows x n matrix dZ
      const slot = grads.subarray(off, off + n);
      slot.fill(0);
      for (let r = 0; r < g.length; r += n) for (let j = 0; j < n; j++) slot[j] += g[r + j];
    }
  }
  losses[init.index] = loss.dataSync()[0];
  tf.dispose([...ts, ...gs, loss]);
}

port.on('message', (m: WorkerMessage) => {
  if (m.type === 'batch') {
    if (batch) tf.dispose([batch.x, batch.t, batch.target]);
    const d = m.x.length / m.rows;
    batch = { x: tf.tensor2d(m.x, [m.rows, d]), t: tf.tensor1d(m.t), target: tf.tensor2d(m.target, [m.rows, d]) };
    port.postMessage({ type: 'ack' });
    return;
  }
  if (m.type === 'step') {
    try {
      step();
      Atomics.store(ctrl, 1 + init.index, 0);
    } catch (e) {
      Atomics.store(ctrl, 1 + init.index, 1);
      port.postMessage({ type: 'error', message: e instanceof Error ? e.message : String(e) });
    }
    Atomics.add(ctrl, 0, 1);
    Atomics.notify(ctrl, 0);
  }
});
port.postMessage({ type: 'ready' });
