/**
 * `sdekit train --scheme S --data NAME|gmm:FILE --steps N [--batch B] [--pred eps|x0|v|score]
 *   [--weighting simple|elbo|likelihood|edm] [--seed K] --out DIR [--resume]` (DESIGN.md), plus
 * [--time uniform|lognormal|importance] [--lr R] [--warmup N] [--clip C] [--ema D] [--cond on|off]
 * [--p-uncond P] [--net mlp|unet] [--hidden 256,256,256] [--channels 32,64,64] [--sigma-data S] [--checkpoint-every N]
 * [--samples N] [--backend B] [--json].
 * With --classifier it trains a time-conditioned noisy classifier instead (classifier guidance:
 * `sdekit sample --model DIR --classifier CDIR --class C --guidance W`).
 *
 * Writes config.json, checkpoint.safetensors, loss.json and loss.svg into DIR and, unless --samples 0,
 * a plot of EMA-model samples (samples.svg over the data for 2-D, samples.png grid for images).
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { availableParallelism } from 'node:os';
import { UserError } from '../errors.ts';
import { allowOnly, bool, num, numList, parseArgs, req, str } from './args.ts';
import { resolveDataset } from '../data/resolve.ts';
import { dataMoments, type Dataset } from '../data/dataset.ts';
import { BUILTIN_NAMES } from '../scheme/builtins.ts';
import { loadScheme, readDeclaration } from '../scheme/load.ts';
import { defaultMlpConfig } from '../score/mlp.ts';
import type { NetConfig } from '../score/net.ts';
import { defaultUnetConfig } from '../score/unet.ts';
import { PREDS, type Pred } from '../score/precond.ts';
import { DEFAULT_ADAM } from '../train/adam.ts';
import { initTrainBackend } from '../train/backend.ts';
import { RUN_FILES, type SchemeSpec, type TrainConfig } from '../train/config.ts';
import { WEIGHTINGS, type WeightingName } from '../train/dsm.ts';
import { NonFiniteLossError, TrainingWorkerError, train } from '../train/loop.ts';
import { TIME_SAMPLINGS, type TimeSampling } from '../train/timeSampling.ts';
import { writeFileAtomic } from '../train/checkpoint.ts';
import { lossCurveSvg } from '../train/plot.ts';
import { renderSamples } from '../run/preview.ts';
import { trainClassifier, type ClassifierConfig } from '../train/classifier.ts';

/** The flags of `sdekit train` (also accepted by `sdekit export --target torch`). */
export const TRAIN_FLAGS = ['scheme', 'data', 'steps', 'batch', 'pred', 'weighting', 'seed', 'out', 'resume', 'time', 'lr', 'warmup', 'clip', 'ema',
  'cond', 'p-uncond', 'net', 'hidden', 'channels', 'attention', 'sigma-data', 'checkpoint-every', 'samples', 'progress', 'classifier', 'threads',
  'engine', 'nproc', 'device', 'python'];

const HELP = `usage: sdekit train --scheme S --data ring8|moons|swissroll|checkerboard|gmm:FILE|mnist --steps N --out DIR [--resume]
       sdekit train --out DIR --resume [--steps N]        (continue a run with its saved settings)
  [--pred eps|x0|v|score] [--weighting simple|elbo|likelihood|edm] [--time uniform|lognormal|importance]
  [--batch B] [--lr R] [--warmup N] [--clip C] [--ema D] [--seed K] [--checkpoint-every N]
  [--net mlp|unet] [--hidden 256,256,256] [--channels 32,64,64] [--attention on|off] [--cond on|off] [--p-uncond P] [--sigma-data S]
  [--samples N] [--classifier] [--backend cpu|wasm|webgpu|tensorflow] [--threads N] [--json]
  [--engine sdekit|torch] [--nproc N] [--device cpu|cuda] [--python PATH]
--threads N: worker threads, each computing the gradient of 1/N of every batch (wasm, cpu backends;
default: every core, ${availableParallelism()} here, with at least 16 rows of the batch each; 1: this thread
only). Deterministic for a given N.
--engine torch writes a PyTorch program into DIR/torch/ and runs it under torchrun with N processes
(DistributedDataParallel; the global batch is split across them); python: --python, SDEKIT_PYTHON,
python3 on PATH, /usr/bin/python3. The run folder is the same; sample and likelihood use it as usual.
Weightings are eps-space loss weights w(t) derived from the scheme (MATH.md section 4); --pred only
changes what the network outputs. --weighting edm with x0 prediction uses EDM preconditioning.
Defaults: --weighting edm --pred x0 (with --pred eps|v|score: --weighting simple); --time uniform
(simple), importance (elbo, likelihood), lognormal (edm).`;

function oneOf<T extends string>(name: string, v: string | undefined, allowed: readonly T[], dflt: T): T {
  if (v === undefined) return dflt;
  if (!(allowed as readonly string[]).includes(v)) throw new UserError(`--${name}`, `must be one of ${allowed.join(', ')}`, { value: v });
  return v as T;
}

/** The scheme as stored in config.json: the built-in name, or the declaration read from the file. */
function schemeSpec(arg: string): SchemeSpec {
  return BUILTIN_NAMES.includes(arg) ? arg : (readDeclaration(arg) as unknown as Record<string, unknown>);
}

/** Build the run configuration from the command line. */
export function configFromArgs(argv: string[], data: Dataset): TrainConfig {
  const a = parseArgs(argv, ['resume', 'classifier']);
  const image = data.image !== undefined;
  // default: EDM (x0 prediction with EDM preconditioning, log-normal noise levels), measured best on
  // the 2-D sets (ring8 SW2 0.040 vs 0.101 for eps/simple after 1000 steps); with an explicit
  // --pred other than x0 the default weighting is DDPM's simple one
  const predArg = str(a, 'pred');
  const weighting = oneOf<WeightingName>('weighting', str(a, 'weighting'), WEIGHTINGS, predArg === undefined || predArg === 'x0' ? 'edm' : 'simple');
  const pred = oneOf<Pred>('pred', predArg, PREDS, weighting === 'edm' ? 'x0' : 'eps');
  const time = oneOf<TimeSampling>('time', str(a, 'time'), TIME_SAMPLINGS, weighting === 'edm' ? 'lognormal' : weighting === 'simple' ? 'uniform' : 'importance');
  const cond = oneOf('cond', str(a, 'cond'), ['on', 'off'] as const, image && data.numClasses > 0 ? 'on' : 'off');
  if (cond === 'on' && data.numClasses === 0) throw new UserError('--cond', `data set ${data.name} has no labels`, { value: 'on' });
  const numClasses = cond === 'on' ? data.numClasses : 0;
  const netKind = oneOf('net', str(a, 'net'), ['mlp', 'unet'] as const, image ? 'unet' : 'mlp');
  let net: NetConfig;
  if (netKind === 'unet') {
    if (!data.image) throw new UserError('--net', `unet needs image data; ${data.name} is not`, { value: 'unet' });
    const widths = numList(a, 'channels');
    if (widths && (widths.length < 1 || widths.some((c) => !Number.isInteger(c) || c < 8 || c % 8 !== 0))) throw new UserError('--channels', 'must be multiples of 8 (group norm uses 8 groups), one per resolution', { value: widths.join(',') });
    const attention = oneOf('attention', str(a, 'attention'), ['on', 'off'] as const, 'off') === 'on';
    net = { ...defaultUnetConfig(data.image.height, data.image.width, data.image.channels, numClasses), ...(widths ? { widths } : {}), ...(attention ? { attention } : {}) };
  } else {
    const hidden = numList(a, 'hidden');
    if (hidden && hidden.some((h) => !Number.isInteger(h) || h < 1)) throw new UserError('--hidden', 'must be positive integers', { value: hidden.join(',') });
    net = { ...defaultMlpConfig(data.dim, numClasses), ...(hidden ? { hidden } : {}) };
  }
  const sigmaData = num(a, 'sigma-data', data.sigmaData, { min: 1e-6 });
  const steps = num(a, 'steps', 0, { min: 1, integer: true });
  if (str(a, 'steps') === undefined) throw new UserError('--steps', 'is required');
  return {
    format: 'sdekit-run', version: 1,
    scheme: schemeSpec(req(a, 'scheme')),
    data: data.name, dataShape: [...data.shape],
    net,
    objective: {
      head: { pred, precond: weighting === 'edm' && pred === 'x0' ? 'edm' : 'none', sigmaData },
      weighting, time,
      pUncond: num(a, 'p-uncond', numClasses > 0 ? 0.1 : 0, { min: 0, max: 0.99 }),
      numClasses,
    },
    adam: {
      ...DEFAULT_ADAM,
      lr: num(a, 'lr', netKind === 'unet' ? 5e-4 : 1e-3, { min: 0 }),
      warmup: num(a, 'warmup', netKind === 'unet' ? 200 : 0, { min: 0, integer: true }),
      clip: num(a, 'clip', 1, { min: 0 }),
    },
    batch: num(a, 'batch', image ? 32 : 512, { min: 1, integer: true }),
    steps,
    seed: num(a, 'seed', 0, { integer: true }),
    emaDecay: num(a, 'ema', 0.999, { min: 0, max: 1 }),
    checkpointEvery: num(a, 'checkpoint-every', Math.max(1, Math.min(1000, Math.ceil(steps / 10))), { min: 1, integer: true }),
    dataMoments: dataMoments(data),
  };
}

/** The noisy-classifier configuration (`--classifier`), for classifier guidance on low-dimensional data. */
export function classifierConfigFromArgs(argv: string[], data: Dataset): ClassifierConfig {
  const a = parseArgs(argv, ['resume', 'classifier']);
  if (data.image) throw new UserError('--classifier', 'noisy classifiers are MLPs for low-dimensional data', { value: data.name });
  const hidden = numList(a, 'hidden') ?? [128, 128, 128];
  const steps = num(a, 'steps', NaN, { min: 1, integer: true });
  if (Number.isNaN(steps)) throw new UserError('--steps', 'is required');
  return {
    format: 'sdekit-classifier', version: 1,
    scheme: schemeSpec(req(a, 'scheme')), data: data.name,
    net: { kind: 'mlp', dim: data.dim, hidden, embDim: 128, numClasses: 0, outDim: data.numClasses },
    head: { pred: 'eps', precond: 'none', sigmaData: num(a, 'sigma-data', data.sigmaData, { min: 1e-6 }) },
    adam: { ...DEFAULT_ADAM, lr: num(a, 'lr', 1e-3, { min: 0 }), clip: num(a, 'clip', 1, { min: 0 }) },
    batch: num(a, 'batch', 512, { min: 1, integer: true }), steps, seed: num(a, 'seed', 0, { integer: true }),
  };
}

/** Entry point. */
export async function run(argv: string[]): Promise<number> {
  const a = parseArgs(argv, ['resume', 'classifier']);
  if (bool(a, 'help')) { console.log(HELP); return 0; }
  allowOnly(a, TRAIN_FLAGS);
  const out = req(a, 'out');
  const savedFile = path.join(out, RUN_FILES.config);
  if (bool(a, 'resume') && !bool(a, 'classifier') && str(a, 'scheme') === undefined && str(a, 'data') === undefined && fs.existsSync(savedFile)) {
    // `sdekit train --out DIR --resume [--steps N]`: continue with the saved settings
    const saved = JSON.parse(fs.readFileSync(savedFile, 'utf8')) as TrainConfig;
    const steps = num(a, 'steps', saved.steps, { min: 1, integer: true });
    return runTraining(a, out, resolveDataset(saved.data), { ...saved, steps, checkpointEvery: num(a, 'checkpoint-every', saved.checkpointEvery, { min: 1, integer: true }) });
  }
  const data = resolveDataset(req(a, 'data'));
  if (bool(a, 'classifier')) {
    const config = classifierConfigFromArgs(argv, data);
    const scheme = loadScheme(config.scheme as Parameters<typeof loadScheme>[0]);
    const backend = await initTrainBackend(str(a, 'backend'));
    const r = await trainClassifier({ config, scheme, data, outDir: out, progress: str(a, 'progress') === undefined ? undefined : bool(a, 'progress') });
    const summary = { run: out, backend, steps: config.steps, seconds: r.seconds, accuracy: r.accuracy };
    if (bool(a, 'json')) console.log(JSON.stringify(summary));
    else console.log(`trained a noisy classifier (${data.numClasses} classes) for ${config.steps} steps in ${r.seconds.toFixed(1)} s; held-out accuracy ${r.accuracy.map((x) => `${(100 * x.accuracy).toFixed(1)}% at t = ${x.t.toPrecision(3)}`).join(', ')} -> ${out}`);
    return 0;
  }
  return runTraining(a, out, data, configFromArgs(argv, data));
}

/** The default --threads gives each worker at least this many rows of the batch. */
const MIN_ROWS_PER_WORKER = 16;

/**
 * `--threads`: worker threads for the wasm and cpu backends (default: every core, with at least
 * MIN_ROWS_PER_WORKER rows of the batch each); the other backends run on this thread (their own
 * libraries use the device or the cores).
 */
function trainThreads(a: ReturnType<typeof parseArgs>, backend: string, batch: number): number {
  const multi = backend.startsWith('wasm') || backend.startsWith('cpu');
  // default: every core, but at least MIN_ROWS_PER_WORKER rows of the batch per worker (smaller shards waste the GEMMs)
  if (str(a, 'threads') === undefined) return multi ? Math.max(1, Math.min(availableParallelism(), Math.floor(batch / MIN_ROWS_PER_WORKER))) : 1;
  const n = num(a, 'threads', 1, { min: 1, max: 256, integer: true });
  if (n > 1 && !multi) throw new UserError('--threads', `multi-worker training runs on the wasm or cpu backend; the backend is ${backend}`, { value: n });
  return n;
}

async function runTraining(a: ReturnType<typeof parseArgs>, out: string, data: Dataset, config: TrainConfig): Promise<number> {
  const scheme = loadScheme(config.scheme as Parameters<typeof loadScheme>[0]);
  const engine = oneOf('engine', str(a, 'engine'), ['sdekit', 'torch'] as const, 'sdekit');
  if (engine === 'sdekit') for (const f of ['nproc', 'device', 'python']) if (a.flags.has(f)) throw new UserError(`--${f}`, 'needs --engine torch');
  const backend = await initTrainBackend(str(a, 'backend'));
  const json = bool(a, 'json');
  const progress = str(a, 'progress') === undefined ? undefined : bool(a, 'progress');
  let result: { step: number; startStep: number; lossLog: [number, number][]; seconds: number; startupSeconds: number; stepsPerSecond: number; checkpoint: string };
  let engineInfo = backend;
  let threads: number;
  if (engine === 'torch') {
    if (a.flags.has('threads')) throw new UserError('--threads', 'is for sdekit\'s own engine; with --engine torch use --nproc', { value: str(a, 'threads') });
    const { trainTorch, TorchRunError } = await import('../engines/torch/engine.ts');
    const device = oneOf('device', str(a, 'device'), ['cpu', 'cuda'] as const, 'cpu');
    const nproc = num(a, 'nproc', 1, { min: 1, integer: true });
    threads = nproc;
    if (!json) console.error(`sdekit train --engine torch: ${nproc} process${nproc > 1 ? 'es' : ''} on ${device}; scheme ${scheme.name}; data ${data.name}; ${config.net.kind}; pred ${config.objective.head.pred}; weighting ${config.objective.weighting}; time ${config.objective.time}`);
    try {
      const r = await trainTorch({ config, scheme, data, outDir: out, resume: bool(a, 'resume'), nproc, device, python: str(a, 'python'), progress });
      result = r;
      engineInfo = `torch ${r.torchVersion} (${r.python}), ${nproc} x ${device}`;
      if (r.interrupted) { console.error(`sdekit train: interrupted at step ${r.step}; checkpoint kept; continue with --resume`); return 130; }
    } catch (e) {
      if (e instanceof TorchRunError) { console.error(`sdekit train: ${e.message}`); return 1; }
      throw e;
    }
  } else {
    threads = trainThreads(a, backend, config.batch);
    if (!json) console.error(`sdekit train: backend ${backend}; scheme ${scheme.name}; data ${data.name}; ${config.net.kind}; pred ${config.objective.head.pred}` +
      `${config.objective.head.precond === 'edm' ? ' (EDM preconditioning)' : ''}; weighting ${config.objective.weighting}; time ${config.objective.time}; threads ${threads}`);
    try {
      result = await train({ config, scheme, data, outDir: out, resume: bool(a, 'resume'), progress, threads });
    } catch (e) {
      if (e instanceof NonFiniteLossError || e instanceof TrainingWorkerError) { console.error(`sdekit train: ${e.message}`); return 1; }
      throw e;
    }
  }
  fs.writeFileSync(path.join(out, RUN_FILES.lossCurve), lossCurveSvg(result.lossLog, `${data.name} / ${scheme.name}: ${config.objective.weighting} loss, pred ${config.objective.head.pred}`));
  const nSamples = num(a, 'samples', data.image ? 64 : 2000, { min: 0, integer: true });
  let preview: Awaited<ReturnType<typeof renderSamples>> | null = null;
  if (nSamples > 0) {
    try { preview = await renderSamples(out, scheme, data, nSamples); } catch (e) {
      console.error(`sdekit train: training finished, but the sample preview failed: ${(e as Error).message}`);
    }
  }
  const last = result.lossLog.length ? result.lossLog[result.lossLog.length - 1][1] : NaN;
  const summary = {
    run: out, backend: engineInfo, engine, threads, step: result.step, steps: config.steps, seconds: result.seconds, startupSeconds: result.startupSeconds, stepsPerSecond: result.stepsPerSecond,
    loss: last, checkpoint: result.checkpoint, ...(preview ?? {}),
  };
  writeFileAtomic(path.join(out, 'summary.json'), JSON.stringify(summary, null, 2) + '\n');
  if (json) console.log(JSON.stringify(summary));
  else {
    console.log(`trained ${result.step - result.startStep} steps (${result.startStep} -> ${result.step}) in ${result.seconds.toFixed(1)} s${result.startupSeconds > 0.05 ? ` (+ ${result.startupSeconds.toFixed(1)} s starting ${threads} workers)` : ''}, ${result.stepsPerSecond.toFixed(1)} steps/s; final loss ${last.toPrecision(4)}`);
    if (preview) console.log(`samples: ${preview.file}${preview.slicedWasserstein !== undefined ? `; sliced Wasserstein-2 to held-out data ${preview.slicedWasserstein.toFixed(4)}` : ''}`);
    console.log(`run folder: ${out}`);
  }
  return 0;
}
