/**
 * A training run folder (DESIGN.md run-folder format) opened as a score model: the loader used by
 * `sdekit sample --model`, `sdekit likelihood --model` and the training preview. It sits above
 * both the scores (src/score/neural.ts) and training (checkpoints, config, the noisy classifier).
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { UserError } from '../errors.ts';
import { NeuralScoreModel, type Conditioning } from '../score/neural.ts';
import type { ScoreModel } from '../score/model.ts';
import { createNet } from '../score/net.ts';
import { initTrainBackend } from '../train/backend.ts';
import { checkpointIn, loadWeights, readCheckpoint } from '../train/checkpoint.ts';
import { ClassifierGuidedModel, NoisyClassifier } from '../train/classifier.ts';
import { RUN_FILES, type TrainConfig } from '../train/config.ts';
import { imageGridPng } from '../train/png.ts';

/** A run folder loaded for sampling or likelihood. */
export interface LoadedRun {
  readonly config: TrainConfig;
  readonly step: number;
  readonly model: NeuralScoreModel;
}

/** Load a run folder's model (EMA weights unless `ema` is false) with the given conditioning. */
export function loadRun(dir: string, cond: Conditioning = {}, opts: { ema?: boolean } = {}): LoadedRun {
  const cfgFile = path.join(dir, RUN_FILES.config), ckFile = checkpointIn(dir, RUN_FILES.checkpoint, RUN_FILES.legacyCheckpoint);
  if (!fs.existsSync(cfgFile) || !fs.existsSync(ckFile)) throw new UserError('--model', `${dir} is not a training run folder (needs ${RUN_FILES.config} and ${RUN_FILES.checkpoint})`, { value: dir });
  const { meta, groups } = readCheckpoint(ckFile);
  const config = meta.config as TrainConfig;
  const net = createNet(config.net);
  const weights = loadWeights(groups[opts.ema === false ? 'weights' : 'ema']);
  const model = new NeuralScoreModel(net, weights, config.objective.head, config.dataShape, config.objective.numClasses, cond);
  return { config, step: meta.step, model };
}

/** What the command line needs to sample from or evaluate a run. */
export interface CliModel extends LoadedRun {
  /** the model to sample from: the network (with CFG), or the classifier-guided network */
  readonly guided: ScoreModel;
  /** the backend description (src/train/backend.ts) */
  readonly backend: string;
  dispose(): void;
}

/**
 * Open a run folder for `sdekit sample --model DIR` / `sdekit likelihood --model DIR`:
 * initialise the tensor backend, parse `--class` and `--guidance`. Without `classifier` the
 * guidance is classifier-free (the model must be class-conditional); with `--classifier CDIR` it
 * is classifier guidance with that noisy classifier (src/train/classifier.ts).
 */
export async function openModelForCli(dir: string, opts: { classArg?: string; guidance?: number; backend?: string; classifier?: string } = {}): Promise<CliModel> {
  const backend = await initTrainBackend(opts.backend);
  let classLabel: number | null = null;
  if (opts.classArg !== undefined) {
    classLabel = Number(opts.classArg);
    if (opts.classArg.trim() === '' || !Number.isInteger(classLabel)) throw new UserError('--class', 'must be an integer class index', { value: opts.classArg });
  }
  if (opts.classifier !== undefined) {
    if (classLabel === null) throw new UserError('--classifier', 'needs --class');
    const run = loadRun(dir, {});
    const clf = NoisyClassifier.load(opts.classifier);
    const guided = new ClassifierGuidedModel(run.model, clf, classLabel, opts.guidance ?? 1);
    return { ...run, guided, backend, dispose: () => { run.model.dispose(); clf.dispose(); } };
  }
  const run = loadRun(dir, { classLabel, guidance: opts.guidance ?? 0 });
  return { ...run, guided: run.model, backend, dispose: () => run.model.dispose() };
}

/** Write image samples of a run as a PNG grid (one class per column when `--class` varies; else square). */
export function writeGrid(file: string, samples: Float64Array, n: number, config: TrainConfig): void {
  const [h, w, c] = config.dataShape;
  if (config.dataShape.length !== 3) throw new UserError('--grid', `the model's data (shape ${config.dataShape.join('x')}) are not images`, { value: file });
  fs.writeFileSync(file, imageGridPng(samples, n, h, w, c));
}
