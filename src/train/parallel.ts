/**
 * Data-parallel training over worker threads (synchronous data parallelism with gradient
 * averaging: Dean et al. 2012; PyTorch DDP). TensorFlow.js runs its wasm backend on one thread in
 * Node, so each worker (trainWorker.ts) runs its own backend and the network's forward and backward
 * pass on a fixed contiguous shard of the global batch, for any network sdekit builds.
 *
 * Shared memory (SharedArrayBuffers): the current parameters (float32, flat in spec order), one
 * gradient slot per worker, Adam's moments and the EMA (float32), one loss and one partial squared
 * norm per worker (float64), control words, and two batch buffers (the main thread writes the next
 * batch while the workers compute on the current one). A step: every worker computes its shard's
 * gradient, scaled by rows / batch, into its slot; barrier; each worker sums the slots in worker
 * order over its own range of the parameters and writes its partial squared norm; barrier; every
 * worker sums the partial norms and losses in worker order (the same numbers in every worker) and,
 * if both are finite, applies clipping, Adam and the EMA to its range (hostOptimizer.ts). So a run
 * is deterministic for a given worker count, and a non-finite step changes nothing.
 */
import { Worker } from 'node:worker_threads';
import type { NetConfig } from '../score/net.ts';
import type { ParamSpec } from '../score/layers.ts';
import { sizeOf } from '../score/layers.ts';
import type { DsmBatch } from './dsmLoss.ts';
import type { AdamConfig } from './adam.ts';
import type { HostTrainState } from './hostOptimizer.ts';

/** Shared buffers of one batch (global batch size rows). */
export interface SharedBatch {
  readonly xIn: SharedArrayBuffer;
  readonly target: SharedArrayBuffer;
  readonly cNoise: SharedArrayBuffer;
  readonly weight: SharedArrayBuffer;
  /** int32 labels, or null for an unconditional model */
  readonly labels: SharedArrayBuffer | null;
}

/** What a training worker is started with. */
export interface TrainWorkerInit {
  readonly index: number;
  readonly workers: number;
  /** the TensorFlow.js backend to run (wasm or cpu) */
  readonly backend: string;
  readonly net: NetConfig;
  readonly dataShape: readonly number[];
  /** global batch size and this worker's rows [lo, hi) */
  readonly batch: number;
  readonly lo: number;
  readonly hi: number;
  readonly params: SharedArrayBuffer;
  readonly grads: SharedArrayBuffer;
  readonly losses: SharedArrayBuffer;
  /** per-worker partial squared gradient norms (float64) */
  readonly norms: SharedArrayBuffer;
  /** Adam's m, v and the EMA (float32, 3 x the parameters) */
  readonly opt: SharedArrayBuffer;
  /** int32 control words, {@link CTRL} */
  readonly ctrl: SharedArrayBuffer;
  readonly batches: readonly SharedBatch[];
  readonly adam: AdamConfig;
  readonly emaDecay: number;
}

/** Control words: the two barrier counters of a step and the abort flag (a worker failed: stop waiting). */
export const CTRL = { grads: 0, norms: 1, abort: 2, length: 3 } as const;

/** Main thread -> worker. */
export interface TrainWorkerStep { readonly type: 'step'; readonly slot: number; readonly step: number }
/** Worker -> main thread. */
export type TrainWorkerReply = { type: 'ready' } | { type: 'done' } | { type: 'error'; message: string };

/** A worker thread stopped or failed; the run cannot continue. */
export class WorkerFailedError extends Error {
  constructor(readonly worker: number, readonly workers: number, reason: string) {
    super(`training worker ${worker + 1} of ${workers} failed: ${reason}`);
    this.name = 'WorkerFailedError';
  }
}

/**
 * Start trainWorker.ts. From TypeScript sources Node 20 does not pass tsx's loader on to worker
 * threads, so a one-line bootstrap registers it first; a bundle (dist/, built with trainWorker as
 * its own entry) starts the sibling module directly.
 */
function startWorker(data: TrainWorkerInit): Worker {
  const here = import.meta.url;
  if (!here.endsWith('.ts')) return new Worker(new URL('./trainWorker.mjs', here), { workerData: data });
  const worker = new URL('./trainWorker.ts', here).href;
  const tsx = import.meta.resolve('tsx/esm/api');
  return new Worker(`import(${JSON.stringify(tsx)}).then((m) => { m.register(); return import(${JSON.stringify(worker)}); })`, { eval: true, workerData: data });
}

interface Views { xIn: Float32Array; target: Float32Array; cNoise: Float32Array; weight: Float32Array; labels: Int32Array | null }

/** The batch loss and gradient norm from the workers' parts, summed in worker order (as every worker sums them). */
export function stepTotals(losses: Float64Array, norms: Float64Array): { loss: number; gradNorm: number } {
  let loss = 0, sq = 0;
  for (let i = 0; i < losses.length; i++) { loss += losses[i]; sq += norms[i]; }
  return { loss, gradNorm: Math.sqrt(sq) };
}

/** Typed-array views of a shared batch. */
export function batchViews(b: SharedBatch): Views {
  return {
    xIn: new Float32Array(b.xIn), target: new Float32Array(b.target), cNoise: new Float32Array(b.cNoise),
    weight: new Float32Array(b.weight), labels: b.labels ? new Int32Array(b.labels) : null,
  };
}

/** Offsets of the parameters of `specs` in the flat vector, and its length. */
export function flatLayout(specs: readonly ParamSpec[]): { offsets: number[]; total: number } {
  const offsets: number[] = [];
  let total = 0;
  for (const s of specs) { offsets.push(total); total += sizeOf(s.shape); }
  return { offsets, total };
}

/** A pool of training workers sharing the parameters, gradients and batches with this thread. */
export class TrainWorkerPool {
  /** current parameters, Adam's moments and the EMA (shared; read or write only between steps) */
  readonly state: HostTrainState;
  /** each worker's share of the batch gradient */
  readonly slots: Float32Array[];
  private readonly losses: Float64Array;
  private readonly norms: Float64Array;
  private readonly ctrl: Int32Array;
  private readonly views: Views[];
  private pending: { remaining: number; resolve: () => void; reject: (e: Error) => void } | null = null;
  private failure: WorkerFailedError | null = null;
  private closing = false;

  private constructor(private readonly workers: Worker[], init: Omit<TrainWorkerInit, 'index' | 'lo' | 'hi'>, total: number) {
    const W = workers.length;
    this.state = {
      w: new Float32Array(init.params), m: new Float32Array(init.opt, 0, total), v: new Float32Array(init.opt, 4 * total, total), ema: new Float32Array(init.opt, 8 * total, total),
    };
    this.norms = new Float64Array(init.norms);
    this.ctrl = new Int32Array(init.ctrl);
    this.slots = Array.from({ length: W }, (_, i) => new Float32Array(init.grads, 4 * total * i, total));
    this.losses = new Float64Array(init.losses);
    this.views = init.batches.map(batchViews);
    workers.forEach((w, i) => {
      w.on('message', (r: TrainWorkerReply) => {
        if (r.type === 'done' && this.pending && --this.pending.remaining === 0) { const p = this.pending; this.pending = null; p.resolve(); }
        else if (r.type === 'error') this.fail(i, r.message);
      });
      w.on('error', (e: Error) => this.fail(i, e.message));
      w.on('exit', (code: number) => { if (!this.closing) this.fail(i, `the thread exited (code ${code})`); });
    });
  }

  private fail(i: number, reason: string): void {
    Atomics.store(this.ctrl, CTRL.abort, 1);
    this.failure ??= new WorkerFailedError(i, this.workers.length, reason);
    const p = this.pending;
    this.pending = null;
    p?.reject(this.failure);
  }

  /** Start `workers` threads for the network `net` and global batch size `batch`. */
  static async create(opts: {
    workers: number; backend: string; net: NetConfig; specs: readonly ParamSpec[]; dataShape: readonly number[]; batch: number; conditional: boolean;
    adam: AdamConfig; emaDecay: number;
  }): Promise<TrainWorkerPool> {
    const W = opts.workers, n = opts.batch;
    if (!(Number.isInteger(W) && W >= 1)) throw new Error(`worker count ${W}`);
    if (n < W) throw new Error(`batch ${n} is smaller than the ${W} workers`);
    const { total } = flatLayout(opts.specs);
    const D = sizeOf(opts.dataShape);
    const sab = (bytes: number): SharedArrayBuffer => new SharedArrayBuffer(bytes);
    const batches: SharedBatch[] = [0, 1].map(() => ({
      xIn: sab(4 * n * D), target: sab(4 * n * D), cNoise: sab(4 * n), weight: sab(4 * n), labels: opts.conditional ? sab(4 * n) : null,
    }));
    const init = {
      workers: W, backend: opts.backend, net: opts.net, dataShape: [...opts.dataShape], batch: n,
      params: sab(4 * total), grads: sab(4 * total * W), losses: sab(8 * W), norms: sab(8 * W), opt: sab(12 * total), ctrl: sab(4 * CTRL.length),
      batches, adam: opts.adam, emaDecay: opts.emaDecay,
    };
    const workers: Worker[] = [];
    for (let index = 0; index < W; index++) {
      workers.push(startWorker({ ...init, index, lo: Math.floor((n * index) / W), hi: Math.floor((n * (index + 1)) / W) }));
    }
    await Promise.all(workers.map((w, i) => new Promise<void>((resolve, reject) => {
      const onMsg = (r: TrainWorkerReply): void => {
        if (r.type === 'ready') { off(); resolve(); } else if (r.type === 'error') { off(); reject(new WorkerFailedError(i, W, r.message)); }
      };
      const onErr = (e: Error): void => { off(); reject(new WorkerFailedError(i, W, e.message)); };
      const onExit = (code: number): void => { off(); reject(new WorkerFailedError(i, W, `the thread exited (code ${code}) while starting`)); };
      const off = (): void => { w.off('message', onMsg); w.off('error', onErr); w.off('exit', onExit); };
      w.on('message', onMsg); w.on('error', onErr); w.on('exit', onExit);
    }))).catch(async (e: unknown) => { await Promise.all(workers.map((w) => w.terminate())); throw e; });
    return new TrainWorkerPool(workers, init, total);
  }

  /** Copy a host batch into shared batch buffer `slot` (0 or 1). */
  writeBatch(slot: number, b: DsmBatch): void {
    const v = this.views[slot];
    v.xIn.set(b.xIn); v.target.set(b.target); v.cNoise.set(b.cNoise); v.weight.set(b.weight);
    if (v.labels) {
      if (!b.labels) throw new Error('a class-conditional model needs labels');
      v.labels.set(b.labels);
    }
  }

  /**
   * Optimisation step `step` (1-based) on batch buffer `slot`: the workers compute the gradient
   * with the current parameters and, if the loss and the gradient norm are finite, update the
   * parameters, moments and EMA in place. Resolves with the batch loss and the gradient norm
   * (before clipping). Rejects with a {@link WorkerFailedError} if a worker fails or exits.
   */
  run(slot: number, step: number): Promise<{ loss: number; gradNorm: number }> {
    if (this.failure) return Promise.reject(this.failure);
    Atomics.store(this.ctrl, CTRL.grads, 0);
    Atomics.store(this.ctrl, CTRL.norms, 0);
    const done = new Promise<void>((resolve, reject) => { this.pending = { remaining: this.workers.length, resolve, reject }; });
    const msg: TrainWorkerStep = { type: 'step', slot, step };
    for (const w of this.workers) w.postMessage(msg);
    return done.then(() => stepTotals(this.losses, this.norms));
  }

  /** Stop worker `i` as if it crashed (tests of the failure path). */
  async kill(i: number): Promise<void> {
    await this.workers[i].terminate();
  }

  /** Stop every worker. */
  async dispose(): Promise<void> {
    this.closing = true;
    Atomics.store(this.ctrl, CTRL.abort, 1);
    await Promise.all(this.workers.map((w) => w.terminate()));
  }
}
