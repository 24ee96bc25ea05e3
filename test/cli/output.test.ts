/**
 * Output files: missing folders are created, a folder or an impossible place is a UserError naming
 * the flag (before any work), and a written file is complete with no temporary file left behind.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { run as sampleCmd } from '../../src/cli/sample.ts';
import { run as likelihoodCmd } from '../../src/cli/likelihood.ts';
import { UserError } from '../../src/errors.ts';

const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'sdekit-out-'));
const gmm = path.join(dir, 'g.json');
fs.writeFileSync(gmm, JSON.stringify({ weights: [1], means: [[0, 0]], stds: [0.3] }));
const points = path.join(dir, 'points.json');
fs.writeFileSync(points, JSON.stringify({ points: [[0.1, 0.2]] }));
const base = ['--scheme', 'vp-linear', '--score', `gmm:${gmm}`, '--sampler', 'ddim', '--steps', '4', '--n', '16'];
const quiet = async <T>(f: () => Promise<T>): Promise<T> => {
  const log = console.log;
  console.log = () => undefined;
  try { return await f(); } finally { console.log = log; }
};

test('sample --out and --plot into folders that do not exist yet', async () => {
  const out = path.join(dir, 'a', 'b', 's.json'), plot = path.join(dir, 'c', 'p.svg');
  assert.equal(await quiet(() => sampleCmd([...base, '--out', out, '--plot', plot])), 0);
  assert.equal(JSON.parse(fs.readFileSync(out, 'utf8')).samples.length, 16);
  assert.ok(fs.readFileSync(plot, 'utf8').startsWith('<svg'));
  assert.deepEqual(fs.readdirSync(path.dirname(out)), ['s.json'], 'no temporary file is left');
});

test('an --out that is a folder, or under a file, is a UserError naming --out', async () => {
  for (const out of [dir, path.join(gmm, 'x.json')]) {
    await assert.rejects(() => sampleCmd([...base, '--out', out]), (e: unknown) => e instanceof UserError && e.field === '--out');
    await assert.rejects(() => likelihoodCmd(['--scheme', 'vp-linear', '--score', `gmm:${gmm}`, '--points', points, '--out', out]),
      (e: unknown) => e instanceof UserError && e.field === '--out');
  }
});
