/**
 * The training loop: DSM loss (dsm.ts), Adam with gradient clipping (adam.ts), EMA (ema.ts),
 * atomic checkpoints (checkpoint.ts) holding weights, Adam moments, EMA, step, RNG state and
 * the loss log, so that `resume` continues bit-for-bit. All randomness (init, batches, times,
 * label dropout, noise) comes from one seeded host RNG; device arithmetic is deterministic per
 * backend, so an interrupted-then-resumed run equals an uninterrupted one.
 *
 * A non-finite loss or gradient stops the run before the update with a clear error and leaves
 * the last good checkpoint in place.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { UserError } from '../errors.ts';
import type { Dataset } from '../data/dataset.ts';
import type { Scheme } from '../scheme/types.ts';
import { initWeights, type Weights } from '../score/layers.ts';
import { createNet } from '../score/net.ts';
import { adamInit, adamStep, globalNorm, type AdamState } from './adam.ts';
import { checkpointIn, loadWeights, readCheckpoint, saveCheckpoint, storeWeights, writeFileAtomic } from './checkpoint.ts';
import { RUN_FILES, checkResumable, type TrainConfig } from './config.ts';
import { DsmObjective, disposeBatch, dsmLoss, uploadBatch } from './dsm.ts';
import { cloneWeights, emaUpdate } from './ema.ts';
import { progressBar } from './progress.ts';
import { Rng, type RngState } from '../rng.ts';
import type { HostTrainState } from './hostOptimizer.ts';
import { flatLayout, TrainWorkerPool, WorkerFailedError } from './parallel.ts';
import type { StoredTensor } from './checkpoint.ts';

/** Raised when the loss or the gradient stops being finite. */
export class NonFiniteLossError extends Error {
  constructor(readonly step: number, readonly loss: number, readonly gradNorm: number, readonly checkpointStep: number | null) {
    super(`training stopped at step ${step}: loss = ${loss}, gradient norm = ${gradNorm} (not finite); ` +
      (checkpointStep === null ? 'no checkpoint was written yet' : `the last good checkpoint (step ${checkpointStep}) is kept`) +
      '; try a lower --lr, a smaller --clip, or another --weighting / --pred');
    this.name = 'NonFiniteLossError';
  }
}

/** A training worker thread failed or was killed; the run stopped. */
export class TrainingWorkerError extends Error {
  constructor(readonly step: number, reason: string, readonly checkpointStep: number | null) {
    super(`training stopped at step ${step}: ${reason}; ` +
      (checkpointStep === null ? 'no checkpoint was written yet' : `the last good checkpoint (step ${checkpointStep}) is kept`) +
      '; rerun with --resume to continue from it');
    this.name = 'TrainingWorkerError';
  }
}

/** Options of {@link train}. */
export interface TrainOptions {
  readonly config: TrainConfig;
  readonly scheme: Scheme;
  readonly data: Dataset;
  /** the run folder */
  readonly outDir: string;
  /** continue from outDir's checkpoint */
  readonly resume?: boolean;
  /** show the stderr progress bar (default: when stderr is a TTY) */
  readonly progress?: boolean;
  /** stop after this step as if killed (tests); the checkpoint schedule is unchanged */
  readonly stopAfter?: number;
  /** loss values are averaged over this many steps in the log (default: steps/500, at least 1) */
  readonly logEvery?: number;
  /** called after every optimisation step (benchmarks, custom logging) */
  readonly onStep?: (step: number, loss: number) => void;
  /**
   * Worker threads (default 1: this thread, the TensorFlow.js path). With N > 1 each of N workers
   * runs forward and backward on a fixed 1/N of every batch (parallel.ts) on the wasm or cpu
   * backend; the optimiser runs fused on one host copy (hostOptimizer.ts). Deterministic for a
   * given N; a resumed run continues bit-for-bit with the same N.
   */
  readonly threads?: number;
  /** tests: terminate worker `worker` during step `step` (threads > 1) */
  readonly killWorker?: { readonly worker: number; readonly step: number };
}

/** What a run produced. */
export interface TrainResult {
  readonly step: number;
  readonly startStep: number;
  /** [step, mean loss over the preceding logEvery steps] */
  readonly lossLog: [number, number][];
  /** seconds of the training loop (after start-up) */
  readonly seconds: number;
  /** seconds spent starting worker threads (0 with one thread) */
  readonly startupSeconds: number;
  readonly stepsPerSecond: number;
  readonly checkpoint: string;
}

interface State { step: number; w: Weights; adam: AdamState; ema: Weights; rng: Rng; lossLog: [number, number][] }

function freshState(cfg: TrainConfig, specs: ReturnType<typeof createNet>['specs']): State {
  const rng = new Rng(cfg.seed);
  const w = initWeights(specs, rng);
  return { step: 0, w, adam: adamInit(w), ema: cloneWeights(w), rng, lossLog: [] };
}

function restoreState(file: string, cfg: TrainConfig): State {
  const { meta, groups } = readCheckpoint(file);
  if (meta.engine !== undefined && meta.engine !== 'sdekit') throw new UserError('--resume', `the run in ${file} was trained with --engine ${String(meta.engine)}; resume it with the same engine`, { value: file });
  checkResumable(meta.config as TrainConfig, cfg, file);
  return {
    step: meta.step,
    w: loadWeights(groups.weights),
    adam: { m: loadWeights(groups['adam.m']), v: loadWeights(groups['adam.v']) },
    ema: loadWeights(groups.ema),
    rng: new Rng(meta.rng as RngState),
    lossLog: (meta.lossLog as [number, number][]) ?? [],
  };
}

async function save(file: string, cfg: TrainConfig, s: State): Promise<void> {
  saveCheckpoint(file, { step: s.step, rng: s.rng.state(), config: cfg, lossLog: s.lossLog }, {
    weights: await storeWeights(s.w), 'adam.m': await storeWeights(s.adam.m), 'adam.v': await storeWeights(s.adam.v), ema: await storeWeights(s.ema),
  });
}

type Specs = ReturnType<typeof createNet>['specs'];

/** Flatten weights (tensors, spec order) into `out`. */
function flatten(w: Weights, specs: Specs, out: Float32Array): Float32Array {
  const { offsets } = flatLayout(specs);
  specs.forEach((p, i) => out.set(w[p.name].dataSync() as Float32Array, offsets[i]));
  return out;
}

/** Flat host values as checkpoint tensors. */
function unflatten(a: Float32Array, specs: Specs): Record<string, StoredTensor> {
  const { offsets } = flatLayout(specs);
  const o: Record<string, StoredTensor> = {};
  specs.forEach((p, i) => { const n = p.shape.reduce((x, y) => x * y, 1); o[p.name] = { shape: [...p.shape], data: a.slice(offsets[i], offsets[i] + n) }; });
  return o;
}

function saveHost(file: string, cfg: TrainConfig, step: number, rng: RngState, lossLog: [number, number][], h: HostTrainState, specs: Specs): void {
  saveCheckpoint(file, { step, rng, config: cfg, lossLog }, {
    weights: unflatten(h.w, specs), 'adam.m': unflatten(h.m, specs), 'adam.v': unflatten(h.v, specs), ema: unflatten(h.ema, specs),
  });
}

/** Train (or resume) a run; writes config.json, the checkpoint and loss.json into outDir. */
export async function train(opts: TrainOptions): Promise<TrainResult> {
  const cfg = opts.config;
  const net = createNet(cfg.net);
  const objective = new DsmObjective(opts.scheme, cfg.objective);
  fs.mkdirSync(opts.outDir, { recursive: true });
  const ckptFile = path.join(opts.outDir, RUN_FILES.checkpoint);
  const existing = checkpointIn(opts.outDir, RUN_FILES.checkpoint, RUN_FILES.legacyCheckpoint);
  let s: State;
  if (opts.resume) {
    if (!fs.existsSync(existing)) throw new UserError('--resume', `no checkpoint in ${opts.outDir}`, { value: ckptFile });
    s = restoreState(existing, cfg);
  } else {
    if (fs.existsSync(existing)) throw new UserError('--out', `${opts.outDir} already holds a run; pass --resume to continue it or choose another folder`, { value: opts.outDir });
    s = freshState(cfg, net.specs);
  }
  writeFileAtomic(path.join(opts.outDir, RUN_FILES.config), JSON.stringify(cfg, null, 2) + '\n');
  let lastCkpt: number | null = opts.resume ? s.step : null;
  const startStep = s.step;
  const names = net.specs.map((p) => p.name);
  const logEvery = opts.logEvery ?? Math.max(1, Math.floor(cfg.steps / 500));
  const bar = progressBar(startStep, cfg.steps, opts.progress);
  const end = Math.min(cfg.steps, opts.stopAfter ?? Infinity);
  let acc = 0, accN = 0;
  const record = (step: number, loss: number): void => {
    acc += loss; accN++;
    if (step % logEvery === 0 || step === cfg.steps) { s.lossLog.push([step, acc / accN]); acc = 0; accN = 0; }
    bar.update(step, loss);
    opts.onStep?.(step, loss);
  };
  const threads = opts.threads ?? 1;
  const tStart = performance.now();
  let t0 = tStart; // after the worker threads have started
  const started = (): void => { t0 = performance.now(); };
  try {
    if (threads > 1) {
      lastCkpt = await parallelSteps(opts, threads, net.specs, objective, s, end, ckptFile, lastCkpt, record, started);
      return finish();
    }
    while (s.step < end) {
      const data = opts.data.sample(s.rng, cfg.batch);
      const host = objective.batch(data.x, data.labels, data.n, s.rng);
      const b = uploadBatch(host, cfg.dataShape);
      const { value, grads } = tf.valueAndGrads((...ws: tf.Tensor[]) => {
        const w: Weights = {};
        names.forEach((n, i) => (w[n] = ws[i]));
        return dsmLoss(net, w, b);
      })(names.map((n) => s.w[n]));
      disposeBatch(b);
      const g: Weights = {};
      names.forEach((n, i) => (g[n] = grads[i]));
      const norm = globalNorm(g);
      const both = tf.stack([value, norm]);
      const [loss, gn] = await both.data(); // asynchronous: the WebGPU backend has no sync reads in Node
      tf.dispose([both, value]);
      if (!Number.isFinite(loss) || !Number.isFinite(gn)) {
        tf.dispose([norm, ...grads]);
        throw new NonFiniteLossError(s.step + 1, loss, gn, lastCkpt);
      }
      const step = s.step + 1;
      const up = adamStep(s.w, g, s.adam, step, cfg.adam, norm);
      norm.dispose();
      s.w = up.w; s.adam = up.s;
      s.ema = emaUpdate(s.ema, s.w, cfg.emaDecay, step);
      s.step = step;
      record(step, loss);
      if (step % cfg.checkpointEvery === 0 || step === cfg.steps) { await save(ckptFile, cfg, s); lastCkpt = step; }
    }
  } finally {
    bar.done();
  }
  return finish();

  function finish(): TrainResult {
    const seconds = (performance.now() - t0) / 1000;
    writeFileAtomic(path.join(opts.outDir, RUN_FILES.lossLog), JSON.stringify({ loss: s.lossLog }) + '\n');
    tf.dispose([...Object.values(s.w), ...Object.values(s.adam.m), ...Object.values(s.adam.v), ...Object.values(s.ema)]);
    return { step: s.step, startStep, lossLog: s.lossLog, seconds, startupSeconds: (t0 - tStart) / 1000, stepsPerSecond: (s.step - startStep) / Math.max(seconds, 1e-9), checkpoint: ckptFile };
  }
}

/**
 * Steps of a multi-worker run (parallel.ts): the workers compute the gradient of batch k, reduce it
 * in worker order and apply clipping, Adam and the EMA to the shared host copy (each its own range of
 * the parameters), while this thread draws batch k + 1 (same RNG order as one thread). Returns the
 * last checkpoint step.
 */
async function parallelSteps(
  opts: TrainOptions, threads: number, specs: Specs, objective: DsmObjective, s: State, end: number, ckptFile: string,
  lastCkpt: number | null, record: (step: number, loss: number) => void, started: () => void,
): Promise<number | null> {
  const cfg = opts.config;
  const backend = tf.getBackend();
  if (backend !== 'wasm' && backend !== 'cpu') {
    throw new UserError('--threads', `multi-worker training runs on the wasm or cpu backend, not ${backend}; use --threads 1 there`, { value: threads });
  }
  if (cfg.batch < threads) throw new UserError('--threads', `is larger than the batch (${cfg.batch})`, { value: threads });
  const pool = await TrainWorkerPool.create({
    workers: threads, backend, net: cfg.net, specs, dataShape: cfg.dataShape, batch: cfg.batch, conditional: cfg.objective.numClasses > 0, adam: cfg.adam, emaDecay: cfg.emaDecay,
  });
  try {
    const h: HostTrainState = pool.state;
    flatten(s.w, specs, h.w); flatten(s.adam.m, specs, h.m); flatten(s.adam.v, specs, h.v); flatten(s.ema, specs, h.ema);
    tf.dispose([...Object.values(s.w), ...Object.values(s.adam.m), ...Object.values(s.adam.v), ...Object.values(s.ema)]);
    s.w = {}; s.adam = { m: {}, v: {} }; s.ema = {};
    const draw = (slot: number): RngState => {
      const data = opts.data.sample(s.rng, cfg.batch);
      pool.writeBatch(slot, objective.batch(data.x, data.labels, data.n, s.rng));
      return s.rng.state();
    };
    let slot = 0;
    started();
    let rngAfter = s.step < end ? draw(slot) : s.rng.state(); // the RNG state after the current batch
    while (s.step < end) {
      const step = s.step + 1;
      const running = pool.run(slot, step); // gradients, then the update in the workers
      if (opts.killWorker?.step === step) void pool.kill(opts.killWorker.worker);
      const rngNext = step < end ? draw(1 - slot) : rngAfter; // off the critical path
      let r: { loss: number; gradNorm: number };
      try {
        r = await running;
      } catch (e) {
        if (e instanceof WorkerFailedError) throw new TrainingWorkerError(step, e.message, lastCkpt);
        throw e;
      }
      const loss = r.loss;
      // the workers skipped the update: nothing changed
      if (!Number.isFinite(loss) || !Number.isFinite(r.gradNorm)) throw new NonFiniteLossError(step, loss, r.gradNorm, lastCkpt);
      s.step = step;
      slot = 1 - slot;
      record(step, loss);
      if (step % cfg.checkpointEvery === 0 || step === cfg.steps) { saveHost(ckptFile, cfg, step, rngAfter, s.lossLog, h, specs); lastCkpt = step; }
      rngAfter = rngNext;
    }
    // hand the state back as tensors (the caller disposes them)
    s.w = loadWeights(unflatten(h.w, specs)); s.adam = { m: loadWeights(unflatten(h.m, specs)), v: loadWeights(unflatten(h.v, specs)) }; s.ema = loadWeights(unflatten(h.ema, specs));
    s.rng = new Rng(rngAfter);
    return lastCkpt;
  } finally {
    await pool.dispose();
  }
}
