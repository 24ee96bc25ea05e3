/** The samplers by their DESIGN.md names. */
import { ddim } from './ddim.ts';
import { ddpm } from './ddpm.ts';
import { dpmSolver1, dpmSolver2, dpmSolver3 } from './dpmSolver.ts';
import { dpmSolverPlusPlus2m, dpmSolverPlusPlus3m } from './dpmSolverPlusPlus.ts';
import { dpmSolverPlusPlus2mSde } from './dpmSolverPlusPlusSde.ts';
import { euler } from './euler.ts';
import { eulerMaruyama } from './eulerMaruyama.ts';
import { heun } from './heun.ts';
import { pc } from './pc.ts';
import { rk45 } from './rk45.ts';
import { unipc } from './unipc.ts';
import { deis } from './deis.ts';
import { ipndm } from './ipndm.ts';
import type { Sampler } from './types.ts';

/** Sampler names accepted by `--sampler`, in DESIGN.md order. */
export const SAMPLER_NAMES = [
  'euler', 'euler-maruyama', 'heun', 'ddpm', 'ddim', 'dpm-solver-1', 'dpm-solver-2', 'dpm-solver-3',
  'dpm-solver++2m', 'dpm-solver++3m', 'dpm-solver++2m-sde', 'rk45', 'pc',
  'unipc', 'deis', 'ipndm',
] as const;
/** One of {@link SAMPLER_NAMES}. */
export type SamplerName = (typeof SAMPLER_NAMES)[number];

/** Every sampler, by name. */
export const SAMPLERS: Readonly<Record<SamplerName, Sampler>> = {
  euler,
  'euler-maruyama': eulerMaruyama,
  heun,
  ddpm,
  ddim,
  'dpm-solver-1': dpmSolver1,
  'dpm-solver-2': dpmSolver2,
  'dpm-solver-3': dpmSolver3,
  'dpm-solver++2m': dpmSolverPlusPlus2m,
  'dpm-solver++3m': dpmSolverPlusPlus3m,
  'dpm-solver++2m-sde': dpmSolverPlusPlus2mSde,
  rk45,
  pc,
  unipc,
  deis,
  ipndm,
};

/**
 * The sampler `sdekit sample` uses without `--sampler`: `auto`, the sampler, settings and grid our
 * measurements found most accurate for the budget and the kind of scheme (src/sample/auto.ts).
 */
export const DEFAULT_SAMPLER: SamplerName | 'auto' = 'auto';

/** True for a known sampler name. */
export function isSamplerName(name: string): name is SamplerName {
  return (SAMPLER_NAMES as readonly string[]).includes(name);
}
