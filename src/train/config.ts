/**
 * A training run's configuration: everything needed to rebuild the model, the objective and the
 * data stream. Stored as config.json in the run folder and inside every checkpoint.
 */
import { UserError } from '../errors.ts';
import type { NetConfig } from '../score/net.ts';
import type { AdamConfig } from './adam.ts';
import type { DsmConfig } from './dsm.ts';

/** The scheme as loadScheme accepts it: a built-in name or the declaration object. */
export type SchemeSpec = string | Record<string, unknown>;

/** A run's configuration (JSON). */
export interface TrainConfig {
  readonly format: 'sdekit-run';
  readonly version: 1;
  readonly scheme: SchemeSpec;
  readonly data: string;
  readonly dataShape: readonly number[];
  readonly net: NetConfig;
  readonly objective: DsmConfig;
  readonly adam: AdamConfig;
  readonly batch: number;
  /** total optimisation steps */
  readonly steps: number;
  readonly seed: number;
  readonly emaDecay: number;
  readonly checkpointEvery: number;
  /** data mean (per coordinate) and isotropic variance, for the likelihood's Gaussian prior */
  readonly dataMoments: { readonly mean: number[]; readonly variance: number };
}

/** Fields that may differ between a run and its resumption. */
export const RESUMABLE_CHANGES: readonly (keyof TrainConfig)[] = ['steps', 'checkpointEvery', 'dataMoments'];

/** Throws a UserError on --resume when `now` differs from the run's `saved` config in a field outside {@link RESUMABLE_CHANGES}. */
export function checkResumable(saved: TrainConfig, now: TrainConfig, file: string): void {
  for (const k of Object.keys(now) as (keyof TrainConfig)[]) {
    if (RESUMABLE_CHANGES.includes(k)) continue;
    if (JSON.stringify(saved[k]) !== JSON.stringify(now[k])) {
      throw new UserError('--resume', `the run in ${file} was trained with a different "${k}" (${JSON.stringify(saved[k])}); resume with the same settings`, { value: JSON.stringify(now[k]) });
    }
  }
}

/** File names inside a run folder. */
export const RUN_FILES = {
  config: 'config.json',
  /** safetensors: weights, EMA, Adam moments, step, RNG and loss log (src/train/checkpoint.ts) */
  checkpoint: 'checkpoint.safetensors',
  /** the checkpoint of run folders written before safetensors (still read) */
  legacyCheckpoint: 'checkpoint.sdkt',
  lossCurve: 'loss.svg',
  lossLog: 'loss.json',
  samplesSvg: 'samples.svg',
  samplesPng: 'samples.png',
} as const;
