/**
 * `sdekit sample` without `--sampler` runs the documented default (DEFAULT_SAMPLER, README and
 * `sample --help`): the same samples, bit for bit, as naming it, for random seeds and step counts.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import fc from 'fast-check';
import { DEFAULT_SAMPLER, isSamplerName } from '../../src/sample/registry.ts';

async function quiet<T>(f: () => Promise<T>): Promise<{ value: T; out: string }> {
  const lines: string[] = [];
  const orig = console.log;
  console.log = (...a: unknown[]) => { lines.push(a.map(String).join(' ')); };
  try { return { value: await f(), out: lines.join('\n') }; } finally { console.log = orig; }
}

test('sample without --sampler equals sample --sampler DEFAULT_SAMPLER; --help names the default', async () => {
  assert.ok(DEFAULT_SAMPLER === 'auto' || isSamplerName(DEFAULT_SAMPLER));
  const { run } = await import('../../src/cli/sample.ts');
  const dir = mkdtempSync(join(tmpdir(), 'sdekit-default-sampler-'));
  const gmm = join(dir, 'mix.json');
  writeFileSync(gmm, JSON.stringify({ weights: [0.7, 0.3], means: [[1, -1], [-2, 0.5]], stds: [0.2, 0.4] }));
  await fc.assert(fc.asyncProperty(fc.integer({ min: 0, max: 1000 }), fc.integer({ min: 1, max: 12 }), fc.constantFrom('vp-linear', 'edm', 've'), async (seed, steps, scheme) => {
    const common = ['--scheme', scheme, '--score', `gmm:${gmm}`, '--steps', String(steps), '--n', '16', '--seed', String(seed)];
    const a = join(dir, 'a.json'), b = join(dir, 'b.json');
    assert.equal((await quiet(() => run([...common, '--out', a, '--json']))).value, 0);
    assert.equal((await quiet(() => run([...common, '--sampler', DEFAULT_SAMPLER, '--out', b, '--json']))).value, 0);
    const ra = JSON.parse(readFileSync(a, 'utf8')), rb = JSON.parse(readFileSync(b, 'utf8'));
    assert.equal(ra.sampler, DEFAULT_SAMPLER === 'auto' ? rb.sampler : DEFAULT_SAMPLER); // auto: the resolved pick
    assert.deepEqual(ra.samples, rb.samples);
  }), { numRuns: 3 });
  const help = await quiet(() => run(['--help']));
  assert.equal(help.value, 0);
  assert.match(help.out, new RegExp(`--sampler NAME \\(default ${DEFAULT_SAMPLER.replace(/\+/g, '\\+')}\\)`));
  rmSync(dir, { recursive: true });
});
