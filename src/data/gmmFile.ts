/**
 * Reading a GMM file (DESIGN.md: {"weights": [...], "means": [[...], ...], "stds": [...]},
 * isotropic standard deviation per component) into a validated {@link GmmSpec}. Errors are
 * {@link UserError}s naming the flag or file and the offending field.
 */
import { readFileSync } from 'node:fs';
import { UserError } from '../errors.ts';
import { validateGmm } from '../score/gmm.ts';
import type { GmmSpec } from '../score/gmm.ts';

/** Read and validate a GMM file; `flag` names the option it came from (e.g. "--score"). */
export function readGmmFile(path: string, flag = '--score'): GmmSpec {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (e) {
    throw new UserError(flag, `cannot read GMM file: ${(e as Error).message}`, { value: path });
  }
  let obj: unknown;
  try {
    obj = JSON.parse(text);
  } catch (e) {
    throw new UserError(flag, `GMM file is not valid JSON: ${(e as Error).message}`, { value: path });
  }
  return validateGmm(obj, `${flag} ${path}`);
}
