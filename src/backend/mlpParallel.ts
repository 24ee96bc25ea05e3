/**
 * Data-parallel training of the reference MLP over worker threads: TensorFlow.js disables wasm
 * threads in Node, so each worker runs its own single-threaded wasm backend on a shard of the batch
 * (synchronous data parallelism with gradient averaging, as in Dean et al. 2012 / PyTorch DDP).
 *
 * Shared memory (one SharedArrayBuffer, float32): [ parameters | grad slot 0 | ... | grad slot W-1 |
 * losses ]. The batch is cut into equal shards (default 1 per worker); per step the main thread posts
 * `step` to every worker; workers take shards from a shared counter (dynamic load balancing, so a
 * descheduled worker does not stall the step), accumulate their shards' gradients into their slot
 * weighted by 1/shards (equal shards: the mean of shard means is the batch mean), wait at a barrier,
 * then sum the slots over their own 1/W of the parameters and apply Adam there in place;
 * the main thread blocks on an Atomics counter until every worker is done. The parameters are read
 * by the workers at the start of the next step. Nothing is allocated per step on the main thread.
 */
import { Worker } from 'node:worker_threads';
import { layerWidths, paramShapes, REFERENCE_MLP, type MlpBatch, type MlpParams } from './mlpWorkload.ts';
import type { AdamOptions } from './mlpWasmStep.ts';

/** Int32 control words: done counter, gradient barrier counter, next shard, then one error flag per worker. */
export const CTRL = { done: 0, grads: 1, next: 2, errors: 3 } as const;

/** What a worker is started with. */
export interface WorkerInit {
  readonly index: number;
  readonly workers: number;
  readonly shared: SharedArrayBuffer;
  readonly control: SharedArrayBuffer;
  readonly total: number;
  readonly offsets: number[];
  readonly sizes: number[];
  readonly shapes: number[][];
  readonly embDim: number;
  readonly adam: { lr: number; beta1: number; beta2: number; eps: number };
}

/** Messages to a worker. */
export type WorkerMessage =
  | { type: 'batch'; shards: number; x: Float32Array; t: Float32Array; target: Float32Array }
  | { type: 'step'; t: number };

type WorkerReply = { type: 'ready' } | { type: 'ack' } | { type: 'error'; message: string };

function once(w: Worker, type: 'ready' | 'ack'): Promise<void> {
  return new Promise((resolve, reject) => {
    const onMsg = (m: WorkerReply): void => {
      if (m.type === type) { w.off('message', onMsg); w.off('error', reject); resolve(); }
      else if (m.type === 'error') { w.off('message', onMsg); w.off('error', reject); reject(new Error(m.message)); }
    };
    w.on('message', onMsg);
    w.on('error', reject);
  });
}

/**
 * Start mlpWorker.ts. Node 20 does not pass tsx's loader on to worker threads, so from TypeScript
 * sources a one-line bootstrap registers tsx in the worker first; a compiled build (.js next to this
 * file) starts directly.
 */
function startWorker(data: WorkerInit): Worker {
  const here = import.meta.url;
  if (!here.endsWith('.ts')) return new Worker(new URL('./mlpWorker.js', here), { workerData: data });
  const worker = new URL('./mlpWorker.ts', here).href;
  const tsx = import.meta.resolve('tsx/esm/api');
  const boot = `import(${JSON.stringify(tsx)}).then((m) => { m.register(); return import(${JSON.stringify(worker)}); })`;
  return new Worker(boot, { eval: true, workerData: data });
}

/** Reference-MLP trainer over `workers` threads, each with its own wasm backend. */
export class ParallelMlpTrainer {
  private readonly params: Float32Array;
  private readonly losses: Float32Array;
  private readonly ctrl: Int32Array;
  private t = 0;
  private lastError: string | undefined;

  private constructor(
    private readonly workers: Worker[],
    private readonly shardsPerWorker: number,
    shared: SharedArrayBuffer,
    control: SharedArrayBuffer,
    total: number,
  ) {
    const W = workers.length;
    this.params = new Float32Array(shared, 0, total);
    this.losses = new Float32Array(shared, 4 * total * (1 + W), W);
    this.ctrl = new Int32Array(control);
    for (const w of workers) w.on('message', (r: WorkerReply) => { if (r.type === 'error') this.lastError = r.message; });
  }

  /** Start the workers (each loads tfjs and its wasm backend) with the initial parameters. */
  static async create(params: MlpParams, opts: AdamOptions & { workers?: number; shardsPerWorker?: number; embDim?: number } = {}): Promise<ParallelMlpTrainer> {
    const W = opts.workers ?? 2;
    const embDim = opts.embDim ?? REFERENCE_MLP.embDim;
    const sizes = params.map((p) => p.length);
    const offsets: number[] = [];
    let total = 0;
    for (const n of sizes) { offsets.push(total); total += n; }
    const shapes = paramShapes(params);
    const shared = new SharedArrayBuffer(4 * (total * (1 + W) + W));
    const control = new SharedArrayBuffer(4 * (CTRL.errors + W));
    const adam = { lr: opts.learningRate ?? 1e-3, beta1: opts.beta1 ?? 0.9, beta2: opts.beta2 ?? 0.999, eps: opts.eps ?? 1e-7 };
    const flat = new Float32Array(shared, 0, total);
    params.forEach((p, i) => flat.set(p, offsets[i]));
    const workers = Array.from({ length: W }, (_, index) =>
      startWorker({ index, workers: W, shared, control, total, offsets, sizes, shapes, embDim, adam } satisfies WorkerInit));
    await Promise.all(workers.map((w) => once(w, 'ready')));
    return new ParallelMlpTrainer(workers, opts.shardsPerWorker ?? 1, shared, control, total);
  }

  /** Give every worker the batch, cut into equal contiguous shards (workers x shardsPerWorker). */
  async setBatch(b: MlpBatch): Promise<void> {
    let S = this.workers.length * this.shardsPerWorker;
    while (S > 1 && b.batch % S !== 0) S--;
    await Promise.all(this.workers.map((w) => {
      const ack = once(w, 'ack');
      w.postMessage({ type: 'batch', shards: S, x: b.x, t: b.t, target: b.target } satisfies WorkerMessage);
      return ack;
    }));
  }

  /** One synchronous data-parallel Adam step; returns the batch loss before the update. */
  async step(): Promise<number> {
    const W = this.workers.length;
    Atomics.store(this.ctrl, CTRL.done, 0);
    Atomics.store(this.ctrl, CTRL.grads, 0);
    Atomics.store(this.ctrl, CTRL.next, 0);
    this.t++;
    for (const w of this.workers) w.postMessage({ type: 'step', t: this.t } satisfies WorkerMessage);
    let done: number;
    while ((done = Atomics.load(this.ctrl, CTRL.done)) < W) Atomics.wait(this.ctrl, CTRL.done, done, 10_000);
    for (let i = 0; i < W; i++) {
      if (Atomics.load(this.ctrl, CTRL.errors + i) !== 0) {
        await new Promise((r) => setImmediate(r)); // let the error message arrive
        throw new Error(`worker ${i} failed: ${this.lastError ?? 'unknown error'}`);
      }
    }
    let loss = 0;
    for (let i = 0; i < W; i++) loss += this.losses[i]; // already weighted by 1/shards
    return loss;
  }

  /** Current parameters, copied (W0, b0, ...), with the layer widths of the reference MLP. */
  parameters(): Float32Array {
    return this.params.slice();
  }

  /** Stop the workers. */
  async dispose(): Promise<void> {
    await Promise.all(this.workers.map((w) => w.terminate()));
  }
}

export { layerWidths };
