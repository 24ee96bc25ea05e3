/**
 * Worker thread of {@link ParallelMlpTrainer} (mlpParallel.ts): one wasm backend per worker. On each
 * `step` message it reads the current parameters from shared memory, computes the loss and
 * gradients of its shard of the batch by explicit back-propagation (mlpWasmStep.ts) and writes them
 * into its gradient slot; after a barrier (every slot written) it averages the slots over its own
 * contiguous range of parameters and applies Adam there, in place in shared memory, so the update
 * is split across the workers too. Then it bumps the `done` counter and notifies the main thread.
 */
import { parentPort, workerData } from 'node:worker_threads';
import * as tf from '@tensorflow/tfjs';
import { initBackend } from './select.ts';
import { embeddingFrequencies } from './mlpWorkload.ts';
import { mlpForwardBackward, type DeviceBatch } from './mlpWasmStep.ts';
import { adamUpdate, registerWasmTrainingKernels } from './wasmKernels.ts';
import { CTRL, type WorkerInit, type WorkerMessage } from './mlpParallel.ts';

const init = workerData as WorkerInit;
const port = parentPort;
if (port === null) throw new Error('mlpWorker.ts must run in a worker thread');

await initBackend('wasm');
registerWasmTrainingKernels();
const W = init.workers;
const params = new Float32Array(init.shared, 0, init.total);
const slots = Array.from({ length: W }, (_, i) => new Float32Array(init.shared, 4 * init.total * (1 + i), init.total));
const mine = slots[init.index];
const losses = new Float32Array(init.shared, 4 * init.total * (1 + W), W);
const ctrl = new Int32Array(init.control);
const freqs = tf.tensor1d(embeddingFrequencies(init.embDim));
// this worker's share of the Adam update: parameters [lo, hi), with its moments
const lo = Math.floor((init.total * init.index) / W), hi = Math.floor((init.total * (init.index + 1)) / W);
const m = new Float32Array(hi - lo), v = new Float32Array(hi - lo), gMean = new Float32Array(hi - lo);
let batch: DeviceBatch | undefined;

interface HeapBackend { typedArrayFromHeap(t: tf.TensorInfo): Float32Array }

function gradients(): void {
  if (batch === undefined) throw new Error('worker: no batch');
  const be = tf.backend() as unknown as HeapBackend;
  const ts = init.shapes.map((shape, i) => tf.tensor(params.subarray(init.offsets[i], init.offsets[i] + init.sizes[i]), shape));
  const { grads: gs, loss } = mlpForwardBackward(ts, batch, freqs, false);
  for (let i = 0; i < gs.length; i++) {
    const g = be.typedArrayFromHeap(gs[i]); // a view: no copy through dataSync
    const off = init.offsets[i], n = init.sizes[i];
    if (g.length === n) mine.set(g, off);
    else {
      // a bias: column sums of the rows x n matrix dZ
      const slot = mine.subarray(off, off + n);
      slot.fill(0);
      for (let r = 0; r < g.length; r += n) for (let j = 0; j < n; j++) slot[j] += g[r + j];
    }
  }
  losses[init.index] = loss.dataSync()[0];
  tf.dispose([...ts, ...gs, loss]);
}

/** Wait until every worker has written its gradients (or failed). */
function barrier(): void {
  Atomics.add(ctrl, CTRL.grads, 1);
  Atomics.notify(ctrl, CTRL.grads);
  let c: number;
  while ((c = Atomics.load(ctrl, CTRL.grads)) < W) Atomics.wait(ctrl, CTRL.grads, c, 10_000);
}

function adam(t: number): void {
  const inv = 1 / W;
  gMean.set(slots[0].subarray(lo, hi));
  for (let k = 1; k < W; k++) { const s = slots[k]; for (let j = lo; j < hi; j++) gMean[j - lo] += s[j]; }
  if (W > 1) for (let j = 0; j < gMean.length; j++) gMean[j] *= inv;
  const p = params.subarray(lo, hi);
  adamUpdate(p, gMean, p, m, v, { ...init.adam, t });
}

port.on('message', (msg: WorkerMessage) => {
  if (msg.type === 'batch') {
    if (batch) tf.dispose([batch.x, batch.t, batch.target]);
    const d = msg.x.length / msg.rows;
    batch = { x: tf.tensor2d(msg.x, [msg.rows, d]), t: tf.tensor1d(msg.t), target: tf.tensor2d(msg.target, [msg.rows, d]) };
    port.postMessage({ type: 'ack' });
    return;
  }
  let failed = false;
  try {
    gradients();
  } catch (e) {
    failed = true;
    Atomics.store(ctrl, CTRL.errors + init.index, 1);
    port.postMessage({ type: 'error', message: e instanceof Error ? e.message : String(e) });
  }
  barrier();
  let anyFailed = failed;
  for (let k = 0; k < W; k++) if (Atomics.load(ctrl, CTRL.errors + k) !== 0) anyFailed = true;
  if (!anyFailed) adam(msg.t);
  Atomics.add(ctrl, CTRL.done, 1);
  Atomics.notify(ctrl, CTRL.done);
});
port.postMessage({ type: 'ready' });
