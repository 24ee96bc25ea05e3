/**
 * `sdekit export --target torch --scheme S --data ... [train flags] --out DIR`: the training program of
 * `sdekit train --engine torch` (program.ts) written into DIR without running it, for clusters;
 * DIR/README.md says how to launch it on N nodes with torchrun.
 */
import * as fs from 'node:fs';
import { UserError } from '../errors.ts';
import { allowOnly, bool, parseArgs, req } from './args.ts';
import { configFromArgs, TRAIN_FLAGS } from './train.ts';
import { resolveDataset } from '../data/resolve.ts';
import { loadScheme } from '../scheme/load.ts';
import { initTrainBackend } from '../train/backend.ts';
import { writeTorchProgram } from '../engines/torch/program.ts';

/** Run the export; returns the exit code. */
export async function exportTrainingProgram(argv: string[]): Promise<number> {
  const a = parseArgs(argv, ['resume', 'classifier']);
  allowOnly(a, ['target', ...TRAIN_FLAGS.filter((f) => !['resume', 'classifier', 'engine', 'nproc', 'device', 'python', 'samples', 'progress', 'threads'].includes(f))]);
  const out = req(a, 'out');
  if (fs.existsSync(out) && !fs.statSync(out).isDirectory()) throw new UserError('--out', 'is a file; give a folder', { value: out });
  const data = resolveDataset(req(a, 'data'));
  const config = configFromArgs(argv.filter((x, i) => x !== '--target' && argv[i - 1] !== '--target' && !x.startsWith('--target=')), data);
  const scheme = loadScheme(config.scheme as Parameters<typeof loadScheme>[0]);
  await initTrainBackend('cpu'); // the initial weights are drawn on the host
  const files = await writeTorchProgram(out, config, scheme, data);
  if (bool(a, 'json')) console.log(JSON.stringify({ out, files }));
  else console.log(`wrote the PyTorch training program to ${out} (${files.length} files); launch: see ${out}/README.md`);
  return 0;
}
