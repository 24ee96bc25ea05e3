/**
 * Noise files (DESIGN.md): {"noise": [[...], ...]} of standard-normal rows; sampling starts at
 * x_T = sigma(T) * noise. Sample output files: {"samples", "nfe", "seconds", "sampler", "scheme"}.
 */
import { readFileSync } from 'node:fs';
import { UserError } from '../errors.ts';

/** Read a noise file into an n x dim row-major array; rows must have `dim` finite numbers. */
export function readNoiseFile(path: string, dim: number, flag = '--noise'): Float64Array {
  let obj: unknown;
  try {
    obj = JSON.parse(readFileSync(path, 'utf8'));
  } catch (e) {
    throw new UserError(flag, `cannot read a JSON noise file: ${(e as Error).message}`, { value: path });
  }
  const rows = (obj as { noise?: unknown } | null)?.noise;
  if (!Array.isArray(rows) || rows.length === 0) throw new UserError(`${flag} ${path}: noise`, 'must be a non-empty array of rows');
  const out = new Float64Array(rows.length * dim);
  rows.forEach((row, r) => {
    if (!Array.isArray(row) || row.length !== dim) {
      throw new UserError(`${flag} ${path}: noise[${r}]`, `must be an array of ${dim} numbers (the model's dimension)`, { value: row });
    }
    row.forEach((v, j) => {
      if (typeof v !== 'number' || !Number.isFinite(v)) throw new UserError(`${flag} ${path}: noise[${r}][${j}]`, 'must be a finite number', { value: v });
      out[r * dim + j] = v;
    });
  });
  return out;
}

/** Rows of an n x dim array as nested arrays (for JSON). */
export function toRows(x: Float64Array, dim: number): number[][] {
  const rows: number[][] = [];
  for (let r = 0; r < x.length / dim; r++) rows.push(Array.from(x.subarray(r * dim, (r + 1) * dim)));
  return rows;
}
