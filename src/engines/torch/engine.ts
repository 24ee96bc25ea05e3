/**
 * `sdekit train --engine torch`: write the run's PyTorch program into RUN/torch/ (program.ts) and run
 * it with torchrun (`python -m torch.distributed.run --standalone --nproc_per_node N`, the module
 * behind the torchrun command, with the interpreter findPython.ts chose). The ranks print one JSON
 * line per report; their progress goes into one bar (the slowest rank's step, rank 0's global loss).
 * Ctrl-C (SIGINT) and SIGTERM are forwarded: every rank stops after the same step and rank 0
 * checkpoints, so `--resume` continues. When it ends RUN is an ordinary run folder (config.json,
 * checkpoint.safetensors in sdekit's layout, loss.json).
 */
import { spawn } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import * as readline from 'node:readline';
import { UserError } from '../../errors.ts';
import type { Dataset } from '../../data/dataset.ts';
import type { Scheme } from '../../scheme/types.ts';
import { readCheckpoint, writeFileAtomic } from '../../train/checkpoint.ts';
import { RUN_FILES, checkResumable, type TrainConfig } from '../../train/config.ts';
import { progressBar } from '../../train/progress.ts';
import type { TrainResult } from '../../train/loop.ts';
import { findTorchPython } from './findPython.ts';
import { writeTorchProgram } from './program.ts';

/** Options of {@link trainTorch}. */
export interface TorchTrainOptions {
  readonly config: TrainConfig;
  readonly scheme: Scheme;
  readonly data: Dataset;
  readonly outDir: string;
  readonly resume?: boolean;
  /** processes on this machine (default 1) */
  readonly nproc?: number;
  readonly device?: 'cpu' | 'cuda';
  /** the python with torch (default: findTorchPython's choice) */
  readonly python?: string;
  readonly progress?: boolean;
  /** stop after this step as if interrupted (tests) */
  readonly stopAfter?: number;
  /** loss-log averaging window (default steps/500) */
  readonly logEvery?: number;
  /** extra environment of the torch processes (a key set to undefined is removed) */
  readonly env?: Readonly<Record<string, string | undefined>>;
  /** called for each rank report */
  readonly onReport?: (r: { rank: number; step: number; loss: number }) => void;
}

/** What a torch run produced: the fields of sdekit's TrainResult (seconds: the training loop measured inside the program; startupSeconds: the rest of the wall time, torchrun and the ranks starting) and the run's own. */
export interface TorchTrainResult extends TrainResult {
  readonly interrupted: boolean;
  readonly python: string;
  readonly torchVersion: string;
}

/** Raised when the torch program fails (its own message, or the exit status and the end of its output). */
export class TorchRunError extends Error {
  constructor(message: string) { super(message); this.name = 'TorchRunError'; }
}

/** Train (or resume) a run with PyTorch under torchrun. */
export async function trainTorch(opts: TorchTrainOptions): Promise<TorchTrainResult> {
  const cfg = opts.config;
  const nproc = opts.nproc ?? 1;
  if (!Number.isInteger(nproc) || nproc < 1) throw new UserError('--nproc', 'must be an integer >= 1', { value: nproc });
  if (nproc > cfg.batch) throw new UserError('--nproc', `must not exceed the global batch (${cfg.batch}): every process trains on a share of it`, { value: nproc });
  const device = opts.device ?? 'cpu';
  const py = findTorchPython({ python: opts.python });
  if (device === 'cuda' && !py.cuda) throw new UserError('--device', `${py.python} has torch ${py.torchVersion} without a usable CUDA device`, { value: 'cuda' });
  const ckpt = path.join(opts.outDir, RUN_FILES.checkpoint);
  fs.mkdirSync(opts.outDir, { recursive: true });
  if (opts.resume) {
    if (!fs.existsSync(ckpt)) throw new UserError('--resume', `no checkpoint in ${opts.outDir}`, { value: ckpt });
    const { meta } = readCheckpoint(ckpt);
    if (meta.engine !== 'torch') throw new UserError('--resume', `the run in ${opts.outDir} was trained with sdekit's own engine; resume it without --engine torch`, { value: opts.outDir });
    checkResumable(meta.config as TrainConfig, cfg, ckpt);
  } else if (fs.existsSync(ckpt) || fs.existsSync(path.join(opts.outDir, RUN_FILES.legacyCheckpoint))) {
    throw new UserError('--out', `${opts.outDir} already holds a run; pass --resume to continue it or choose another folder`, { value: opts.outDir });
  }
  const wall0 = performance.now();
  const progDir = path.join(opts.outDir, 'torch');
  await writeTorchProgram(progDir, cfg, opts.scheme, opts.data);
  writeFileAtomic(path.join(opts.outDir, RUN_FILES.config), JSON.stringify(cfg, null, 2) + '\n');

  // --redirects 1 --tee 1: the ranks' stdout goes to log files under torch/logs and to our pipe, each
  // line prefixed "[default<rank>]:". (Also a workaround: torch 1.13 under Python 3.11, Debian 12's
  // python3-torch, cannot parse torchrun's default "0" for these flags.)
  const args = ['-m', 'torch.distributed.run', '--standalone', '--nnodes', '1', '--nproc_per_node', String(nproc),
    '--redirects', '1', '--tee', '1', '--log_dir', path.join(progDir, 'logs'),
    path.join(progDir, 'train.py'), '--out', path.resolve(opts.outDir), '--device', device,
    ...(opts.resume ? ['--resume'] : []),
    ...(opts.stopAfter !== undefined ? ['--stop-after', String(opts.stopAfter)] : []),
    ...(opts.logEvery !== undefined ? ['--log-every', String(opts.logEvery)] : [])];
  // one intra-op thread per process unless the caller sets OMP_NUM_THREADS (torchrun's own default for
  // several processes): on a shared 2-core machine two OpenMP threads ran 5 steps/s against 111 with one
  // (ring8 MLP 256x3, batch 512, --nproc 1, load ~8)
  const env: NodeJS.ProcessEnv = { ...process.env, OMP_NUM_THREADS: process.env.OMP_NUM_THREADS ?? '1', ...opts.env };
  for (const [k, v] of Object.entries(opts.env ?? {})) if (v === undefined) delete env[k]; // undefined: unset
  const child = spawn(py.python, args, { env, stdio: ['ignore', 'pipe', 'pipe'] });
  let signalled = false;
  const forward = (sig: NodeJS.Signals) => () => { signalled = true; if (child.exitCode === null) child.kill(sig); };
  const onInt = forward('SIGINT'), onTerm = forward('SIGTERM');
  process.on('SIGINT', onInt);
  process.on('SIGTERM', onTerm);

  let startStep = 0;
  const ranks = new Map<number, number>();
  let bar: ReturnType<typeof progressBar> | null = null;
  let done: { step: number; startStep: number; seconds: number; interrupted: boolean } | null = null;
  let failure: string | null = null;
  const tail: string[] = [];
  const keep = (line: string) => { tail.push(line); if (tail.length > 40) tail.shift(); };
  const lines = readline.createInterface({ input: child.stdout });
  lines.on('line', (raw) => {
    const line = raw.replace(/^\[[^\]]*\]:/, '');
    let msg: Record<string, unknown>;
    try { msg = JSON.parse(line) as Record<string, unknown>; } catch { keep(raw); return; }
    if (typeof msg.error === 'string') { failure = msg.error; return; }
    if (msg.done === true) { done = msg as unknown as typeof done; return; }
    if (typeof msg.rank === 'number' && typeof msg.step === 'number') {
      ranks.set(msg.rank, msg.step);
      if (bar === null) { startStep = msg.step - 1; bar = progressBar(startStep, cfg.steps, opts.progress); }
      const slowest = ranks.size < nproc ? startStep : Math.min(...ranks.values());
      if (msg.rank === 0 && typeof msg.loss === 'number') {
        bar.update(Math.max(slowest, startStep), msg.loss);
        opts.onReport?.({ rank: 0, step: msg.step, loss: msg.loss });
      } else opts.onReport?.({ rank: msg.rank, step: msg.step, loss: NaN });
    }
  });
  readline.createInterface({ input: child.stderr }).on('line', keep);
  const code: number = await new Promise((resolve) => child.on('close', (c, sig) => resolve(c ?? (sig ? 128 : 1))));
  process.off('SIGINT', onInt);
  process.off('SIGTERM', onTerm);
  (bar as ReturnType<typeof progressBar> | null)?.done();
  let fin = done as { step: number; startStep: number; seconds: number; interrupted: boolean } | null;
  if (failure !== null) throw new TorchRunError(`sdekit train --engine torch: ${failure}; the last good checkpoint is kept`);
  if (signalled && fs.existsSync(ckpt)) {
    // interrupted: torchrun exits non-zero after passing the signal on, and may drop the ranks' last
    // lines; the ranks stopped together and rank 0 checkpointed, so the checkpoint says where
    const step = readCheckpoint(ckpt).meta.step;
    fin = { step, startStep: fin?.startStep ?? startStep, seconds: fin?.seconds ?? (performance.now() - wall0) / 1000, interrupted: true };
  }
  if ((code !== 0 && !signalled) || fin === null) {
    throw new TorchRunError(`the PyTorch program (${py.python} -m torch.distributed.run ... ${path.join(progDir, 'train.py')}) exited with status ${code}:\n${tail.join('\n')}`);
  }
  const lossFile = path.join(opts.outDir, RUN_FILES.lossLog);
  const lossLog = fs.existsSync(lossFile) ? (JSON.parse(fs.readFileSync(lossFile, 'utf8')) as { loss: [number, number][] }).loss
    : ((readCheckpoint(ckpt).meta.lossLog ?? []) as [number, number][]);
  return {
    step: fin.step, startStep: fin.startStep, lossLog, seconds: fin.seconds, startupSeconds: Math.max(0, (performance.now() - wall0) / 1000 - fin.seconds),
    stepsPerSecond: (fin.step - fin.startStep) / Math.max(fin.seconds, 1e-9), checkpoint: ckpt,
    interrupted: fin.interrupted, python: py.python, torchVersion: py.torchVersion,
  };
}
