/**
 * Data-set names of the command line: a built-in 2-D set (ring8, moons, swissroll,
 * checkerboard), `gmm:FILE`, or `mnist`.
 */
import { UserError } from '../errors.ts';
import type { Dataset } from './dataset.ts';
import { gmmDataset } from './gmm.ts';
import { readGmmFile } from './gmmFile.ts';
import { mnistDataset } from './mnist.ts';
import { TOY2D_NAMES, isToy2d, toy2d } from './toy2d.ts';

/** Every accepted data name (gmm:FILE as a pattern). */
export const DATA_NAMES: readonly string[] = [...TOY2D_NAMES, 'gmm:FILE', 'mnist'];

/** Resolve a data name; unknown names are a {@link UserError} on `field`. */
export function resolveDataset(name: string, field = '--data'): Dataset {
  if (isToy2d(name)) return toy2d(name);
  if (name === 'mnist') return mnistDataset();
  if (name.startsWith('gmm:')) {
    const file = name.slice(4);
    if (!file) throw new UserError(field, 'gmm: needs a file name, e.g. gmm:mix.json', { value: name });
    return gmmDataset(readGmmFile(file, field), name);
  }
  throw new UserError(field, `unknown data set; known: ${DATA_NAMES.join(', ')}`, { value: name });
}
