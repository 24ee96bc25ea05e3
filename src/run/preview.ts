/**
 * After training: draw samples from the run's EMA model with a registered sampler and save a
 * plot into the run folder (2-D: scatter over held-out data plus the sliced Wasserstein-2
 * distance to it; images: a PNG grid, one class per column for class-conditional models).
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { Dataset } from '../data/dataset.ts';
import { Rng } from '../rng.ts';
import { sample } from '../sample/sample.ts';
import { defaultSpacing } from '../scheme/spacing.ts';
import { slicedWasserstein } from '../sample/slicedWasserstein.ts';
import type { Scheme } from '../scheme/types.ts';
import { loadRun } from './load.ts';
import { RUN_FILES } from '../train/config.ts';
import { scatterSvg } from '../train/plot.ts';
import { imageGridPng } from '../train/png.ts';

/** Sampler settings of the preview (a second-order multistep solver; cheap and robust). */
export const PREVIEW_SAMPLER = { sampler: 'dpm-solver++2m', steps2d: 50, stepsImage: 25 } as const;

/** Sample `n` points from the run in `dir`, write the plot, return the file and (2-D) the SW2 distance. */
export async function renderSamples(dir: string, scheme: Scheme, data: Dataset, n: number, seed = 0): Promise<{ file: string; slicedWasserstein?: number }> {
  const img = data.image;
  const { model } = loadRun(dir, {});
  let cond = model;
  if (img && model.numClasses > 0) {
    const labels = Int32Array.from({ length: n }, (_, i) => i % model.numClasses);
    model.dispose();
    cond = loadRun(dir, { classLabel: labels }).model;
  }
  try {
    const spacing = defaultSpacing(scheme, true);
    const r = await sample({ scheme, model: cond, sampler: PREVIEW_SAMPLER.sampler, spacing, steps: img ? PREVIEW_SAMPLER.stepsImage : PREVIEW_SAMPLER.steps2d, n, seed });
    if (img) {
      const file = path.join(dir, RUN_FILES.samplesPng);
      const cols = model.numClasses > 0 ? model.numClasses : Math.ceil(Math.sqrt(n));
      fs.writeFileSync(file, imageGridPng(r.samples, n, img.height, img.width, img.channels, cols));
      return { file };
    }
    const held = data.heldOut(n);
    const file = path.join(dir, RUN_FILES.samplesSvg);
    // SW2 over 128 random directions (a fixed seed, so runs compare)
    const sw = slicedWasserstein(r.samples, held.x, data.dim, 128, { p: 2, rng: new Rng(1) });
    if (data.dim === 2) {
      fs.writeFileSync(file, scatterSvg(r.samples, held.x, `${data.name}: ${n} samples (${PREVIEW_SAMPLER.sampler}, ${PREVIEW_SAMPLER.steps2d} ${spacing} steps), SW2 ${sw.toFixed(3)}`));
    }
    return data.dim === 2 ? { file, slicedWasserstein: sw } : { file: '', slicedWasserstein: sw };
  } finally {
    cond.dispose();
  }
}
