/**
 * Output files of the commands: checked before the work starts (the folder is created; a folder
 * or an unwritable place is a UserError naming the flag), then written atomically (temporary file,
 * then rename), so a crash or a kill never leaves half a file behind.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { UserError } from '../errors.ts';
import { writeFileAtomic } from '../train/checkpoint.ts';

/** Make sure `file` can be written: create its folder, refuse a folder or a read-only place. */
export function prepareOutput(file: string, flag: string): void {
  const dir = path.dirname(path.resolve(file));
  try {
    makeFolders(dir);
    fs.accessSync(dir, fs.constants.W_OK);
  } catch (e) {
    throw new UserError(flag, `cannot write to ${dir} (${(e as NodeJS.ErrnoException).code ?? (e as Error).message})`, { value: file });
  }
  if (fs.existsSync(file) && fs.statSync(file).isDirectory()) throw new UserError(flag, 'is a folder; give a file name', { value: file });
}

/** mkdir -p one level at a time (Node's recursive mkdir can spin forever on pseudo file systems such as /proc). */
function makeFolders(dir: string): void {
  if (fs.existsSync(dir)) return;
  const parent = path.dirname(dir);
  if (parent !== dir) makeFolders(parent);
  fs.mkdirSync(dir);
}

/** Write an output file atomically; a failure is a UserError naming the flag. */
export function writeOutput(file: string, data: string | Buffer, flag: string): void {
  try {
    writeFileAtomic(file, data);
  } catch (e) {
    throw new UserError(flag, `could not be written (${(e as NodeJS.ErrnoException).code ?? (e as Error).message})`, { value: file });
  }
}
