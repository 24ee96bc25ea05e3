/**
 * The package as a user gets it (issue 11): `npm pack` (its prepack builds dist/ and the
 * declarations), the tarball installed into an empty project, then from that project
 * `npx sdekit schemes`, a derive, a sample without --sampler, `import ... from 'sdekit'` in ESM,
 * and a strict TypeScript consumer (module/moduleResolution NodeNext) type-checked against the
 * shipped .d.ts. Also: the tarball holds what runs and nothing else, and a lost bundle or
 * dependency is named with its fix. One pack and one install serve every check.
 *
 * The pack runs in a copy of the sources (node_modules linked), so the checkout's own dist/ is
 * never rebuilt under a test that is running it. The consumer project lives in
 * $TMPDIR/sdekit-consumer-<hash of this checkout's path> and is kept between runs: the first run installs every
 * dependency from the registry (about a minute here), later runs `npm install` the new tarball over
 * it (npm re-resolves the tree from the tarball's package.json; seconds). Without the registry or
 * npm's cache the test says so and skips.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync, type SpawnSyncReturns } from 'node:child_process';
import { copyFileSync, cpSync, existsSync, mkdirSync, mkdtempSync, readFileSync, renameSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { createHash } from 'node:crypto';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { SAMPLER_NAMES } from '../../src/sample/registry.ts';

const root = join(dirname(fileURLToPath(import.meta.url)), '../..');
const npm = process.platform === 'win32' ? 'npm.cmd' : 'npm';
/** What `npm pack` needs from the checkout: the sources the build reads and the files it ships. */
const PACK_INPUTS = ['package.json', 'tsconfig.json', 'tsconfig.build.json', 'README.md', 'LICENSE', 'src', 'proofs', 'schemes', 'bin', 'scripts'];
/** Top-level entries a tarball may hold (package.json "files", plus what npm always adds). */
const SHIPPED = new Set(['package.json', 'README.md', 'LICENSE', 'dist', 'bin', 'schemes', 'proofs']);

function run(cmd: string, args: string[], cwd: string, env: NodeJS.ProcessEnv = {}): SpawnSyncReturns<string> {
  return spawnSync(cmd, args, { cwd, encoding: 'utf8', env: { ...process.env, npm_config_fund: 'false', npm_config_audit: 'false', npm_config_update_notifier: 'false', ...env }, maxBuffer: 1 << 26 });
}

function ok(r: SpawnSyncReturns<string>, what: string): string {
  assert.equal(r.status, 0, `${what} exited ${r.status}: ${r.stderr}${r.error ? String(r.error) : ''}`);
  return r.stdout;
}

interface PackFile { path: string; size: number }
interface PackInfo { filename: string; size: number; unpackedSize: number; files: PackFile[] }

const work = mkdtempSync(join(tmpdir(), 'sdekit-package-'));
const src = join(work, 'src-copy');
// outside the checkout: Node and TypeScript resolve packages up the folder tree, and the checkout's
// node_modules would hide a dependency missing from the tarball's package.json
const app = join(tmpdir(), `sdekit-consumer-${createHash('sha256').update(root).digest('hex').slice(0, 12)}`);

/** Pack a copy of the checkout; returns npm's description of the tarball. */
function pack(): PackInfo {
  mkdirSync(src);
  for (const e of PACK_INPUTS) if (existsSync(join(root, e))) cpSync(join(root, e), join(src, e), { recursive: true });
  symlinkSync(join(root, 'node_modules'), join(src, 'node_modules'), 'dir');
  const info = JSON.parse(ok(run(npm, ['pack', '--json', '--pack-destination', work], src), 'npm pack')) as PackInfo[];
  return info[0];
}

let packed: PackInfo | undefined;

test('npm pack: the tarball holds dist/, bin/, schemes/, proofs/, README, LICENSE and nothing else, under 1 MB', () => {
  packed = pack();
  const top = new Set(packed.files.map((f) => f.path.split('/')[0]));
  assert.deepEqual([...top].filter((t) => !SHIPPED.has(t)), [], 'unexpected top-level entries');
  const paths = new Set(packed.files.map((f) => f.path));
  for (const f of ['dist/sdekit.mjs', 'dist/index.mjs', 'dist/gmmWorker.mjs', 'dist/types/src/index.d.ts', 'bin/sdekit.js', 'LICENSE', 'schemes/vp-linear.json', 'proofs/index.ts']) assert.ok(paths.has(f), `${f} missing from the tarball`);
  assert.ok(![...paths].some((p) => p.startsWith('dist/') && p.endsWith('.ts') && !p.endsWith('.d.ts')), 'TypeScript sources in dist/');
  assert.ok(packed.size < 1_000_000, `tarball ${packed.size} bytes`);
});

test('installed into an empty project: npx sdekit, ESM import, a strict NodeNext TypeScript consumer', async (t) => {
  assert.ok(packed, 'the pack test ran first');
  mkdirSync(app, { recursive: true });
  for (const f of ['main.ts', 'use.mjs', 's.json', 'mix.json']) rmSync(join(app, f), { force: true });
  writeFileSync(join(app, 'package.json'), JSON.stringify({ name: 'consumer', version: '1.0.0', private: true, type: 'module', dependencies: { sdekit: 'file:sdekit.tgz' } }));
  copyFileSync(join(work, packed.filename), join(app, 'sdekit.tgz'));
  const inst = run(npm, ['install', '--prefer-offline', '--no-audit', '--no-fund'], app);
  if (inst.status !== 0) {
    if (/ENOTFOUND|EAI_AGAIN|ECONNREFUSED|ETIMEDOUT|ENETUNREACH/.test(inst.stderr)) { t.skip(`npm install could not reach the registry: ${inst.stderr.split('\n')[0]}`); return; }
    assert.fail(`npm install of the tarball failed: ${inst.stderr}`);
  }
  const sdekit = (args: string[]) => run(process.execPath, [join(app, 'node_modules', '.bin', 'sdekit'), ...args], app);
  const npx = (args: string[]) => run(npm, ['exec', '--no', '--', 'sdekit', ...args], app);

  await t.test('npx sdekit schemes, derive --json, sample without --sampler', () => {
    const schemes = ok(npx(['schemes']), 'sdekit schemes');
    assert.match(schemes, /^vp-linear\s/m);
    const d = JSON.parse(ok(sdekit(['derive', 'vp-linear', '--json']), 'sdekit derive')) as { name: string; quantities: Record<string, { method: string }> };
    assert.equal(d.name, 'vp-linear');
    assert.equal(d.quantities.alpha.method, 'symbolic');
    writeFileSync(join(app, 'mix.json'), JSON.stringify({ weights: [1], means: [[0.5, -0.5]], stds: [0.1] }));
    ok(sdekit(['sample', '--scheme', 'vp-linear', '--score', 'gmm:mix.json', '--steps', '8', '--n', '64', '--out', 's.json', '--json']), 'sdekit sample');
    const picked = (JSON.parse(readFileSync(join(app, 's.json'), 'utf8')) as { sampler: string }).sampler;
    assert.ok((SAMPLER_NAMES as readonly string[]).includes(picked), `the default sampler resolved to ${picked}`);
    const bad = sdekit(['sample', '--scheme', 'vp-linear', '--score', 'gmm:mix.json', '--steps', '0', '--out', 's.json']);
    assert.equal(bad.status, 2);
    assert.match(bad.stderr, /--steps/);
  });

  await t.test('import from ESM: the library runs from dist/index.mjs', () => {
    writeFileSync(join(app, 'use.mjs'), `
import { declareScheme, runProofs, allPassed, sample, GaussianMixtureModel, DEFAULT_SAMPLER } from 'sdekit';
import pkg from 'sdekit/package.json' with { type: 'json' };
const { scheme } = declareScheme({ name: 'mine', params: { b0: 0.1, b1: 20 }, time: { t0: 1e-3, T: 1 },
  sde: { f: '-(b0 + t * (b1 - b0)) / 2', g2: 'b0 + t * (b1 - b0)' } });
const t = 0.37;
const model = new GaussianMixtureModel({ weights: [1], means: [[1, -2]], stds: [0.1] });
const r = await sample({ scheme, model, sampler: DEFAULT_SAMPLER, steps: 10, n: 200, seed: 0 });
console.log(JSON.stringify({ version: pkg.version, alpha: scheme.alpha(t), exact: Math.exp(-(0.1 * t + (19.9 * t * t) / 2) / 2), proofs: allPassed(runProofs(scheme)), n: r.n }));
`);
    const out = JSON.parse(ok(run(process.execPath, ['use.mjs'], app), 'node use.mjs')) as { version: string; alpha: number; exact: number; proofs: boolean; n: number };
    assert.ok(Math.abs(out.alpha - out.exact) < 1e-14, `alpha ${out.alpha} vs ${out.exact}`);
    assert.equal(out.proofs, true);
    assert.equal(out.n, 200);
  });

  await t.test('a strict NodeNext TypeScript project type-checks against the shipped .d.ts (and its errors are real)', () => {
    // skipLibCheck off: the shipped declarations themselves are checked. TensorFlow.js's own
    // declarations and @webgpu/types (pulled in through it) have errors of their own under strict
    // settings; those files are not ours and are left out of the verdict below.
    writeFileSync(join(app, 'tsconfig.json'), JSON.stringify({
      compilerOptions: { strict: true, module: 'NodeNext', moduleResolution: 'NodeNext', target: 'ES2022', noEmit: true, skipLibCheck: false, types: [] },
      files: ['main.ts'],
    }));
    writeFileSync(join(app, 'main.ts'), `
import { declareScheme, sample, GaussianMixtureModel, SPACINGS, type Spacing, type SamplerName } from 'sdekit';
const { scheme } = declareScheme({ name: 'mine', time: { t0: 1e-3, T: 1 }, sde: { f: '-t / 2', g2: 't' } });
const a: number = scheme.alpha(0.5);
const spacing: Spacing = SPACINGS[1];
const sampler: SamplerName = 'dpm-solver++2m';
const model = new GaussianMixtureModel({ weights: [1], means: [[0, 0]], stds: [0.1] });
const r = await sample({ scheme, model, sampler, steps: 10, n: 100, spacing });
const s: Float64Array = r.samples;
// @ts-expect-error alpha returns a number (fails if the declarations resolved to any)
const wrong: string = scheme.alpha(0.5);
// @ts-expect-error not a spacing
const notSpacing: Spacing = 'geometric';
console.log(a, s.length, wrong, notSpacing);
`);
    const tsc = run(process.execPath, [join(root, 'node_modules', 'typescript', 'bin', 'tsc'), '-p', '.'], app);
    const errors = tsc.stdout.split('\n').filter((l) => /error TS\d+/.test(l));
    const ours = errors.filter((l) => !/node_modules\/(@tensorflow|@webgpu)\/|\/lib\.dom\.d\.ts/.test(l));
    assert.deepEqual(ours, [], `type errors in the consumer or in sdekit's declarations:\n${tsc.stdout}`);
  });

  await t.test('a lost dependency or bundle is named with its fix (exit 1, never silent)', () => {
    // the bundles keep @tensorflow/tfjs external; `backends` loads it
    const pkg = join(app, 'node_modules', '@tensorflow', 'tfjs'), away = `${pkg}.away`;
    renameSync(pkg, away);
    try {
      const r = sdekit(['backends']);
      assert.equal(r.status, 1);
      assert.match(r.stderr, /@tensorflow\/tfjs, which is not installed[\s\S]*npm install @tensorflow\/tfjs/);
    } finally { renameSync(away, pkg); }
    const dist = join(app, 'node_modules', 'sdekit', 'dist'), gone = `${dist}.away`;
    renameSync(dist, gone);
    try {
      const r = sdekit(['schemes']);
      assert.equal(r.status, 1);
      assert.match(r.stderr, /bundle .*dist[/\\]sdekit\.mjs is missing[\s\S]*npm pack/);
    } finally { renameSync(gone, dist); }
  });
});

test('clean up', () => {
  rmSync(work, { recursive: true, force: true });
});
