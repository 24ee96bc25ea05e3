/**
 * Worker thread of {@link ParallelMlpTrainer} (mlpParallel.ts): one wasm backend per worker. On each
 * `step` message it reads the current parameters from shared memory, then takes shards of the batch
 * from a shared counter until none is left (dynamic load balancing: a worker the OS deschedules
 * simply takes fewer shards), accumulating each shard's loss and gradients (explicit
 * back-propagation, mlpWasmStep.ts) into its own slot, weighted by 1/shards. After a barrier (every
 * slot written) it sums the slots over its own contiguous range of parameters and applies Adam there,
 * in place in shared memory, so the update is split across the workers too. Then it bumps the `done`
 * counter and notifies the main thread.
 */
import { parentPort, workerData } from 'node:worker_threads';
import * as tf from '@tensorflow/tfjs';
import { initBackend } from './select.ts';
import { disposeBatch, embeddingFrequencies, uploadBatch, type DeviceBatch } from './mlpWorkload.ts';
import { mlpForwardBackward } from './mlpWasmStep.ts';
import { adamUpdate, registerWasmTrainingKernels } from './wasmKernels.ts';
import { wasmHeap } from './wasmHeap.ts';
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
let shards: DeviceBatch[] = [];

function gradients(): void {
  if (shards.length === 0) throw new Error('worker: no batch');
  const be = wasmHeap();
  const S = shards.length, w = 1 / S;
  const ts = init.shapes.map((shape, i) => tf.tensor(params.subarray(init.offsets[i], init.offsets[i] + init.sizes[i]), shape));
  mine.fill(0);
  let lossSum = 0;
  for (let k = Atomics.add(ctrl, CTRL.next, 1); k < S; k = Atomics.add(ctrl, CTRL.next, 1)) {
    const { grads: gs, loss } = mlpForwardBackward(ts, shards[k], freqs, false);
    for (let i = 0; i < gs.length; i++) {
      const g = be.typedArrayFromHeap(gs[i]); // a view: no copy through dataSync
      const off = init.offsets[i], n = init.sizes[i];
      // a bias's "gradient" is the rows x n matrix dZ: fold its rows (column sums)
      for (let r = 0; r < g.length; r += n) for (let j = 0; j < n; j++) mine[off + j] += w * g[r + j];
    }
    lossSum += w * loss.dataSync()[0];
    tf.dispose([...gs, loss]);
  }
  losses[init.index] = lossSum;
  tf.dispose(ts);
}

/** Wait until every worker has written its gradients (or failed). */
function barrier(): void {
  Atomics.add(ctrl, CTRL.grads, 1);
  Atomics.notify(ctrl, CTRL.grads);
  let c: number;
  while ((c = Atomics.load(ctrl, CTRL.grads)) < W) Atomics.wait(ctrl, CTRL.grads, c, 10_000);
}

function adam(t: number): void {
  // slots hold shard gradients already weighted by 1/shards: the batch gradient is their sum
  gMean.set(slots[0].subarray(lo, hi));
  for (let k = 1; k < W; k++) { const s = slots[k]; for (let j = lo; j < hi; j++) gMean[j - lo] += s[j]; }
  const p = params.subarray(lo, hi);
  adamUpdate(p, gMean, p, m, v, { ...init.adam, t });
}

port.on('message', (msg: WorkerMessage) => {
  if (msg.type === 'batch') {
    shards.forEach(disposeBatch);
    const batch = { batch: msg.t.length, x: msg.x, t: msg.t, target: msg.target };
    const rows = batch.batch / msg.shards;
    shards = Array.from({ length: msg.shards }, (_, k) => uploadBatch(batch, k * rows, (k + 1) * rows));
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
