/**
 * Data-parallel training of the reference MLP over worker threads: TensorFlow.js disables wasm
 * threads in Node, so each worker runs its own single-threaded wasm backend on a shard of the batch
 * (synchronous data parallelism with gradient averaging, as in Dean et al. 2012 / PyTorch DDP).
 *
 * Shared memory (one SharedArrayBuffer, float32): [ parameters | grad slot 0 | ... | grad slot W-1 |
 * losses ]. Per step the main thread posts `step` to every worker, blocks on an Atomics counter until
 * all have written their gradients, averages the slots (shards are equal, so the mean of the shard
 * means is the batch mean) and applies Adam in place on the shared parameters, which the workers
 * read at the start of the next step. No tensors or arrays are allocated per step on the main thread.
 */
import { Worker } from 'node:worker_threads';
import { layerWidths, REFERENCE_MLP, type MlpBatch, type MlpParams } from './mlpWorkload.ts';
import { adamUpdate, type AdamAttrs } from './wasmKernels.ts';
import type { AdamOptions } from './mlpWasmStep.ts';

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
}

/** Messages to a worker. */
export type WorkerMessage =
  | { type: 'batch'; rows: number; x: Float32Array; t: Float32Array; target: Float32Array }
  | { type: 'step' };

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
  private readonly slots: Float32Array[];
  private readonly losses: Float32Array;
  private readonly ctrl: Int32Array;
  private readonly mean: Float32Array;
  private readonly m: Float32Array;
  private readonly v: Float32Array;
  private t = 0;
  private lastError: string | undefined;

  private constructor(
    private readonly workers: Worker[],
    shared: SharedArrayBuffer,
    control: SharedArrayBuffer,
    private readonly total: number,
    private readonly adam: Required<AdamOptions>,
  ) {
    const W = workers.length;
    this.params = new Float32Array(shared, 0, total);
    this.slots = workers.map((_, i) => new Float32Array(shared, 4 * total * (1 + i), total));
    this.losses = new Float32Array(shared, 4 * total * (1 + W), W);
    this.ctrl = new Int32Array(control);
    this.mean = new Float32Array(total);
    this.m = new Float32Array(total);
    this.v = new Float32Array(total);
    for (const w of workers) w.on('message', (r: WorkerReply) => { if (r.type === 'error') this.lastError = r.message; });
  }

  /** Start the workers (each loads tfjs and its wasm backend) with the initial parameters. */
  static async create(params: MlpParams, opts: AdamOptions & { workers?: number; embDim?: number } = {}): Promise<ParallelMlpTrainer> {
    const W = opts.workers ?? 2;
    const embDim = opts.embDim ?? REFERENCE_MLP.embDim;
    const sizes = params.map((p) => p.length);
    const offsets: number[] = [];
    let total = 0;
    for (const n of sizes) { offsets.push(total); total += n; }
    const shapes = params.map((p, i) => (i % 2 === 0 ? [p.length / params[i + 1].length, params[i + 1].length] : [p.length]));
    const shared = new SharedArrayBuffer(4 * (total * (1 + W) + W));
    const control = new SharedArrayBuffer(4 * (1 + W));
    const flat = new Float32Array(shared, 0, total);
    params.forEach((p, i) => flat.set(p, offsets[i]));
    const workers = Array.from({ length: W }, (_, index) =>
      startWorker({ index, workers: W, shared, control, total, offsets, sizes, shapes, embDim } satisfies WorkerInit));
    await Promise.all(workers.map((w) => once(w, 'ready')));
    return new ParallelMlpTrainer(workers, shared, control, total, {
      learningRate: opts.learningRate ?? 1e-3, beta1: opts.beta1 ?? 0.9, beta2: opts.beta2 ?? 0.999, eps: opts.eps ?? 1e-7,
    });
  }

  /** Split a batch into equal contiguous shards, one per worker. */
  async setBatch(b: MlpBatch): Promise<void> {
    const W = this.workers.length;
    if (b.batch % W !== 0) throw new Error(`batch ${b.batch} is not divisible by ${W} workers`);
    const rows = b.batch / W;
    const d = b.x.length / b.batch;
    await Promise.all(this.workers.map((w, i) => {
      const ack = once(w, 'ack');
      w.postMessage({
        type: 'batch', rows,
        x: b.x.slice(i * rows * d, (i + 1) * rows * d), t: b.t.slice(i * rows, (i + 1) * rows),
        target: b.target.slice(i * rows * d, (i + 1) * rows * d),
      } satisfies WorkerMessage);
      return ack;
    }));
  }

  /** One synchronous data-parallel Adam step; returns the batch loss before the update. */
  async step(): Promise<number> {
    const W = this.workers.length;
    Atomics.store(this.ctrl, 0, 0);
    for (const w of this.workers) w.postMessage({ type: 'step' } satisfies WorkerMessage);
    let done: number;
    while ((done = Atomics.load(this.ctrl, 0)) < W) Atomics.wait(this.ctrl, 0, done, 10_000);
    for (let i = 0; i < W; i++) {
      if (Atomics.load(this.ctrl, 1 + i) !== 0) {
        await new Promise((r) => setImmediate(r)); // let the error message arrive
        throw new Error(`worker ${i} failed: ${this.lastError ?? 'unknown error'}`);
      }
    }
    const g = this.mean;
    g.set(this.slots[0]);
    for (let i = 1; i < W; i++) { const s = this.slots[i]; for (let j = 0; j < this.total; j++) g[j] += s[j]; }
    if (W > 1) { const inv = 1 / W; for (let j = 0; j < this.total; j++) g[j] *= inv; }
    this.t++;
    const attrs: AdamAttrs = { lr: this.adam.learningRate, beta1: this.adam.beta1, beta2: this.adam.beta2, eps: this.adam.eps, t: this.t };
    adamUpdate(this.params, g, this.params, this.m, this.v, attrs);
    let loss = 0;
    for (let i = 0; i < W; i++) loss += this.losses[i];
    return loss / W;
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
