/**
 * `sdekit sample` contract (DESIGN.md): output file format, --json {nfe, seconds, backend},
 * x_T = sigma(T) * noise from --noise, --seed reproducibility, --plot, and UserErrors naming the flag.
 */
import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { run } from '../../src/cli/sample.ts';
import { UserError } from '../../src/errors.ts';
import { GaussianMixtureModel } from '../../src/score/gmm.ts';
import { scheme } from './fixtures.ts';

const dir = mkdtempSync(join(tmpdir(), 'sdekit-sample-'));
const gmmSpec = { weights: [0.5, 0.5], means: [[-1, 0], [1, 0.5]], stds: [0.3, 0.4] };
const gmmFile = join(dir, 'mix.json');
writeFileSync(gmmFile, JSON.stringify(gmmSpec));
after(() => rmSync(dir, { recursive: true, force: true }));

async function capture(argv: string[]): Promise<{ code: number; out: string }> {
  const lines: string[] = [];
  const orig = console.log;
  console.log = (...a: unknown[]) => { lines.push(a.join(' ')); };
  try {
    const code = await run(argv);
    return { code, out: lines.join('\n') };
  } finally {
    console.log = orig;
  }
}

test('writes {samples, nfe, seconds, sampler, scheme} and --json prints {nfe, seconds, backend}', async () => {
  const out = join(dir, 's.json');
  const r = await capture(['--scheme', 'vp-linear', '--score', `gmm:${gmmFile}`, '--sampler', 'dpm-solver++2m', '--steps', '10', '--n', '50', '--seed', '3', '--out', out, '--json']);
  assert.equal(r.code, 0);
  const j = JSON.parse(r.out) as { nfe: number; seconds: number; backend: string; sampler: string; spacing: string };
  assert.deepEqual(Object.keys(j).sort(), ['backend', 'nfe', 'sampler', 'seconds', 'spacing']);
  assert.equal(j.sampler, 'dpm-solver++2m');
  assert.equal(j.spacing, 'uniform-t');
  assert.equal(j.nfe, 10);
  const f = JSON.parse(readFileSync(out, 'utf8')) as { samples: number[][]; nfe: number; seconds: number; sampler: string; scheme: string };
  assert.equal(f.samples.length, 50);
  assert.ok(f.samples.every((row) => row.length === 2 && row.every(Number.isFinite)));
  assert.equal(f.nfe, 10);
  assert.equal(f.sampler, 'dpm-solver++2m');
  assert.equal(f.scheme, 'vp-linear');
  // same seed, same samples
  const out2 = join(dir, 's2.json');
  await capture(['--scheme', 'vp-linear', '--score', `gmm:${gmmFile}`, '--sampler', 'dpm-solver++2m', '--steps', '10', '--n', '50', '--seed', '3', '--out', out2]);
  assert.deepEqual(JSON.parse(readFileSync(out2, 'utf8')).samples, f.samples);
});

test('--noise FILE starts at x_T = sigma(T) * noise (one Karras DDIM step = x0_hat(x_T)); --plot writes svg and png', async () => {
  const noise = [[0.5, -1], [2, 0.25], [-1.5, 1]];
  const noiseFile = join(dir, 'noise.json');
  writeFileSync(noiseFile, JSON.stringify({ noise }));
  const out = join(dir, 'n.json');
  const svg = join(dir, 'p.svg'), png = join(dir, 'p.png');
  assert.equal((await capture(['--scheme', 'edm', '--score', `gmm:${gmmFile}`, '--sampler', 'ddim', '--steps', '1', '--spacing', 'karras', '--noise', noiseFile, '--out', out, '--plot', svg])).code, 0);
  const s = scheme('edm');
  const xT = Float64Array.from(noise.flat().map((v) => v * s.sigma(s.T)));
  const x0 = new Float64Array(6);
  new GaussianMixtureModel(gmmSpec).predict(xT, 3, { t: s.T, alpha: 1, sigma: s.sigma(s.T) }, x0);
  const got = (JSON.parse(readFileSync(out, 'utf8')) as { samples: number[][] }).samples.flat();
  got.forEach((v, i) => assert.ok(Math.abs(v - x0[i]) < 1e-12));
  assert.ok(readFileSync(svg, 'utf8').startsWith('<svg'));
  assert.equal((await capture(['--scheme', 'edm', '--score', `gmm:${gmmFile}`, '--sampler', 'heun', '--steps', '4', '--spacing', 'karras', '--n', '100', '--out', out, '--plot', png])).code, 0);
  assert.ok(existsSync(png) && readFileSync(png).subarray(1, 4).toString() === 'PNG');
});

test('bad input is a UserError naming the flag', async () => {
  const base = ['--scheme', 'vp-linear', '--score', `gmm:${gmmFile}`, '--sampler', 'euler', '--steps', '5', '--out', join(dir, 'x.json')];
  const expectFlag = async (argv: string[], field: string) => {
    await assert.rejects(capture(argv), (e: unknown) => e instanceof UserError && e.field.startsWith(field), `${argv.join(' ')} -> ${field}`);
  };
  await expectFlag(base.map((a) => (a === 'euler' ? 'nope' : a)), '--sampler');
  await expectFlag(base.map((a) => (a === '5' ? '0' : a)), '--steps');
  await expectFlag(base.map((a) => (a === '5' ? '2.5' : a)), '--steps');
  await expectFlag([...base, '--spacing', 'leading'], '--spacing');
  await expectFlag([...base, '--spacing', 'nope'], '--spacing');
  await expectFlag(base.map((a) => (a.startsWith('gmm:') ? 'mix.json' : a)), '--score');
  await expectFlag(base.map((a) => (a.startsWith('gmm:') ? `gmm:${join(dir, 'missing.json')}` : a)), '--score');
  await expectFlag([...base, '--model', dir], '--model');
  await expectFlag([...base, '--bogus', '1'], '--bogus');
  await expectFlag([...base, '--plot', join(dir, 'p.gif')], '--plot');
  await expectFlag([...base, '--lambda', '-1'], '--lambda');
  const badNoise = join(dir, 'bad-noise.json');
  writeFileSync(badNoise, JSON.stringify({ noise: [[1, 2, 3]] }));
  await expectFlag([...base, '--noise', badNoise], '--noise');
  await expectFlag(base.filter((a, i) => a !== '--out' && base[i - 1] !== '--out'), '--out');
  await expectFlag(['--scheme', 'nope', ...base.slice(2)], 'scheme');
});
