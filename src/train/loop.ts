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
import { RESUMABLE_CHANGES, RUN_FILES, type TrainConfig } from './config.ts';
import { DsmObjective, disposeBatch, dsmLoss, uploadBatch } from './dsm.ts';
import { cloneWeights, emaUpdate } from './ema.ts';
import { progressBar } from './progress.ts';
import { Rng, type RngState } from '../rng.ts';

/** Raised when the loss or the gradient stops being finite. */
export class NonFiniteLossError extends Error {
  constructor(readonly step: number, readonly loss: number, readonly gradNorm: number, readonly checkpointStep: number | null) {
    super(`training stopped at step ${step}: loss = ${loss}, gradient norm = ${gradNorm} (not finite); ` +
      (checkpointStep === null ? 'no checkpoint was written yet' : `the last good checkpoint (step ${checkpointStep}) is kept`) +
      '; try a lower --lr, a smaller --clip, or another --weighting / --pred');
    this.name = 'NonFiniteLossError';
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
}

/** What a run produced. */
export interface TrainResult {
  readonly step: number;
  readonly startStep: number;
  /** [step, mean loss over the preceding logEvery steps] */
  readonly lossLog: [number, number][];
  readonly seconds: number;
  readonly stepsPerSecond: number;
  readonly checkpoint: string;
}

interface State { step: number; w: Weights; adam: AdamState; ema: Weights; rng: Rng; lossLog: [number, number][] }

function checkCompatible(saved: TrainConfig, now: TrainConfig, file: string): void {
  for (const k of Object.keys(now) as (keyof TrainConfig)[]) {
    if (RESUMABLE_CHANGES.includes(k)) continue;
    if (JSON.stringify(saved[k]) !== JSON.stringify(now[k])) {
      throw new UserError('--resume', `the run in ${file} was trained with a different "${k}" (${JSON.stringify(saved[k])}); resume with the same settings`, { value: JSON.stringify(now[k]) });
    }
  }
}

function freshState(cfg: TrainConfig, specs: ReturnType<typeof createNet>['specs']): State {
  const rng = new Rng(cfg.seed);
  const w = initWeights(specs, rng);
  return { step: 0, w, adam: adamInit(w), ema: cloneWeights(w), rng, lossLog: [] };
}

function restoreState(file: string, cfg: TrainConfig): State {
  const { meta, groups } = readCheckpoint(file);
  if (meta.engine !== undefined && meta.engine !== 'sdekit') throw new UserError('--resume', `the run in ${file} was trained with --engine ${String(meta.engine)}; resume it with the same engine`, { value: file });
  checkCompatible(meta.config as TrainConfig, cfg, file);
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
  const t0 = performance.now();
  try {
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
      acc += loss; accN++;
      if (step % logEvery === 0 || step === cfg.steps) { s.lossLog.push([step, acc / accN]); acc = 0; accN = 0; }
      bar.update(step, loss);
      opts.onStep?.(step, loss);
      if (step % cfg.checkpointEvery === 0 || step === cfg.steps) { await save(ckptFile, cfg, s); lastCkpt = step; }
    }
  } finally {
    bar.done();
  }
  const seconds = (performance.now() - t0) / 1000;
  writeFileAtomic(path.join(opts.outDir, RUN_FILES.lossLog), JSON.stringify({ loss: s.lossLog }) + '\n');
  tf.dispose([...Object.values(s.w), ...Object.values(s.adam.m), ...Object.values(s.adam.v), ...Object.values(s.ema)]);
  return { step: s.step, startStep, lossLog: s.lossLog, seconds, stepsPerSecond: (s.step - startStep) / Math.max(seconds, 1e-9), checkpoint: ckptFile };
}
