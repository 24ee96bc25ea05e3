/**
 * Worker thread of {@link TrainWorkerPool} (parallel.ts): its own TensorFlow.js backend and the
 * network sdekit builds from the run's config. On each `step` message it reads the current
 * parameters from shared memory, runs the DSM loss forward and backward (the MLP on wasm by explicit
 * back-propagation in place on its own wasm memory, mlpWasmBackprop.ts; otherwise autodiff,
 * dsmLoss.ts) on its rows [lo, hi) of the
 * shared batch, scaled by (hi - lo) / batch so that the workers' gradients sum to the batch
 * gradient, writes the gradient into its slot and the loss into its loss word; then, between two
 * barriers, sums the slots over its own range of the parameters and updates that range (clip, Adam,
 * EMA, hostOptimizer.ts), and replies `done`.
 */
import { parentPort, workerData } from 'node:worker_threads';
import * as tf from '@tensorflow/tfjs';
import { initBackend } from '../backend/select.ts';
import { wasmHeap } from '../backend/wasmHeap.ts';
import { registerWasmTrainingKernels } from '../backend/wasmKernels.ts';
import { createNet } from '../score/net.ts';
import { sizeOf, type Weights } from '../score/layers.ts';
import { dsmLoss, type DsmTensors } from './dsmLoss.ts';
import { mlpDsmGradients } from './mlpBackprop.ts';
import { MlpWasmBackprop } from './mlpWasmBackprop.ts';
import { wasmSimdSupported } from '../backend/wasmArena.ts';
import { batchViews, CTRL, flatLayout, stepTotals, type TrainWorkerInit, type TrainWorkerReply, type TrainWorkerStep } from './parallel.ts';
import { fusedAdamEma, ownedRange, reduceSlots, stateRange } from './hostOptimizer.ts';

const init = workerData as TrainWorkerInit;
const port = parentPort;
if (port === null) throw new Error('trainWorker.ts must run in a worker thread');
const reply = (r: TrainWorkerReply): void => port.postMessage(r);

try {
  await initBackend(init.backend);
} catch (e) {
  reply({ type: 'error', message: `backend ${init.backend}: ${e instanceof Error ? e.message : String(e)}` });
  throw e;
}
const onWasm = tf.getBackend() === 'wasm';
const net = createNet(init.net);
// the MLP on wasm: explicit back-propagation (mlpBackprop.ts); anything else: autodiff
const mlp = onWasm && init.net.kind === 'mlp' ? init.net : null;
if (mlp) registerWasmTrainingKernels();
const names = net.specs.map((s) => s.name);
const shapes = net.specs.map((s) => [...s.shape]);
const { offsets, total } = flatLayout(net.specs);
const params = new Float32Array(init.params);
const slots = Array.from({ length: init.workers }, (_, i) => new Float32Array(init.grads, 4 * total * i, total));
const slot = slots[init.index];
const losses = new Float64Array(init.losses);
const norms = new Float64Array(init.norms);
const ctrl = new Int32Array(init.ctrl);
// this worker's range of the parameters: it sums the slots and updates parameters, moments and EMA there
const own = ownedRange(total, init.index, init.workers);
const ownSlots = slots.map((x) => x.subarray(own.lo, own.hi));
const ownState = stateRange({
  w: params, m: new Float32Array(init.opt, 0, total), v: new Float32Array(init.opt, 4 * total, total), ema: new Float32Array(init.opt, 8 * total, total),
}, own.lo, own.hi);
const gOwn = new Float32Array(own.hi - own.lo);
const views = init.batches.map(batchViews);
const { lo, hi } = init;
const rows = hi - lo, D = sizeOf(init.dataShape), share = rows / init.batch;
// the MLP on wasm with SIMD: our own GEMM on one wasm memory laid out once (mlpWasmBackprop.ts); the
// tfjs path (mlpBackprop.ts) where the engine lacks SIMD or the layout exceeds a wasm memory (RangeError)
function inPlaceStep(): MlpWasmBackprop | null {
  if (!mlp || !wasmSimdSupported()) return null;
  try {
    const step = new MlpWasmBackprop(mlp, net.specs, rows);
    step.warmUp(); // compiled before 'ready': the run's first steps at full speed
    return step;
  } catch (e) {
    if (e instanceof RangeError) return null;
    throw e;
  }
}
const inPlace = inPlaceStep();

/** Loss and gradients: explicit back-propagation for the MLP on wasm, else autodiff. */
function gradients(ws: tf.Tensor[], b: DsmTensors): { value: tf.Scalar; grads: tf.Tensor[]; fold: boolean[] | null } {
  const named: Weights = {};
  names.forEach((n, i) => (named[n] = ws[i]));
  if (mlp) {
    const r = mlpDsmGradients(mlp, named, b, share);
    return { value: r.loss, grads: r.grads, fold: r.rows };
  }
  const r = tf.valueAndGrads((...w: tf.Tensor[]) => {
    const o: Weights = {};
    names.forEach((n, i) => (o[n] = w[i]));
    return tf.mul(dsmLoss(net, o, b), share) as tf.Scalar;
  })(ws);
  return { value: r.value, grads: r.grads, fold: null };
}

/** Wait until every worker has passed barrier `word` (or a failure set the abort flag). */
function barrier(word: number): void {
  Atomics.add(ctrl, word, 1);
  Atomics.notify(ctrl, word);
  let c: number;
  while ((c = Atomics.load(ctrl, word)) < init.workers) {
    if (Atomics.load(ctrl, CTRL.abort) !== 0) throw new Error('stopped: another worker failed');
    Atomics.wait(ctrl, word, c, 200);
  }
}

/** Reduce this worker's range of the slots; after the second barrier, update it (if the step is finite). */
function update(step: number): void {
  norms[init.index] = reduceSlots(ownSlots, gOwn);
  barrier(CTRL.norms);
  const { loss, gradNorm } = stepTotals(losses, norms);
  if (Number.isFinite(loss) && Number.isFinite(gradNorm)) fusedAdamEma(ownState, gOwn, gradNorm, step, init.adam, init.emaDecay);
}

/** The loss on this worker's rows, times its share of the batch, and its gradients. */
function gradientsInto(k: number): void {
  const v = views[k];
  if (inPlace) {
    const shard = { xIn: v.xIn.subarray(lo * D, hi * D), cNoise: v.cNoise.subarray(lo, hi), target: v.target.subarray(lo * D, hi * D), weight: v.weight.subarray(lo, hi), labels: v.labels ? v.labels.subarray(lo, hi) : null };
    losses[init.index] = inPlace.run(params, shard, share, slot);
    return;
  }
  const b: DsmTensors = {
    x: tf.tensor(v.xIn.subarray(lo * D, hi * D), [rows, ...init.dataShape]),
    cNoise: tf.tensor1d(v.cNoise.subarray(lo, hi)),
    labels: v.labels ? tf.tensor1d(v.labels.subarray(lo, hi), 'int32') : null,
    target: tf.tensor(v.target.subarray(lo * D, hi * D), [rows, ...init.dataShape]),
    weight: tf.tensor1d(v.weight.subarray(lo, hi)),
  };
  const ws = net.specs.map((s, i) => tf.tensor(params.subarray(offsets[i], offsets[i] + sizeOf(s.shape)), shapes[i], 'float32'));
  const { value, grads, fold } = gradients(ws, b);
  for (let i = 0; i < grads.length; i++) {
    // a view of the wasm heap: no copy through dataSync
    const g = onWasm ? wasmHeap().typedArrayFromHeap(grads[i]) : (grads[i].dataSync() as Float32Array);
    if (fold?.[i]) {
      // a bias's gradient given as the rows x n matrix dZ: its column sums
      const off = offsets[i], n = shapes[i][0];
      slot.set(g.subarray(0, n), off);
      for (let r = n; r < g.length; r += n) for (let j = 0; j < n; j++) slot[off + j] += g[r + j];
    } else slot.set(g, offsets[i]);
  }
  losses[init.index] = value.dataSync()[0];
  tf.dispose([value, ...grads, ...ws, b.x, b.cNoise, b.target, b.weight]);
  if (b.labels) b.labels.dispose();
}

port.on('message', (m: TrainWorkerStep) => {
  try {
    gradientsInto(m.slot);
    barrier(CTRL.grads);
    update(m.step);
    reply({ type: 'done' });
  } catch (e) {
    reply({ type: 'error', message: e instanceof Error ? e.message : String(e) });
  }
});
reply({ type: 'ready' });
