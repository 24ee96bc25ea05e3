/**
 * The layering of src/, read from the code itself: every import points down the order
 *   expr -> scheme -> reverse -> codegen -> score -> data -> sample/train/likelihood/proofs
 *   -> kernels/run/engines -> cli/web -> index
 * (a module may import its own folder or a folder of lower rank, never a sibling or a higher one).
 * A few shared bottom modules (errors, the RNG, the tensor backends) sit below everything; every
 * folder of src/ must have a rank here, so a new folder is placed deliberately.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, normalize, relative } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = normalize(join(dirname(fileURLToPath(import.meta.url)), '../..'));

/** The layers, lowest first; an import must go to a lower layer or stay in its own. */
const LAYERS: readonly { readonly name: string; readonly paths: readonly string[] }[] = [
  // shared bottom modules: they import nothing of sdekit but each other
  { name: 'shared', paths: ['src/errors.ts', 'src/rng.ts', 'src/backend'] }, // backend: tensor-backend choice, MLP kernels
  { name: 'expr', paths: ['src/expr'] },
  { name: 'scheme', paths: ['src/scheme'] },
  { name: 'reverse', paths: ['src/reverse'] },
  { name: 'codegen', paths: ['src/codegen'] },
  { name: 'score', paths: ['src/score'] },
  // datasets: a mixture data set is drawn with its exact score; training reads them
  { name: 'data', paths: ['src/data'] },
  // sample, train, likelihood and the proofs are siblings: none imports another
  { name: 'sample', paths: ['src/sample'] },
  { name: 'train', paths: ['src/train'] },
  { name: 'likelihood', paths: ['src/likelihood'] },
  { name: 'proofs', paths: ['src/proofs', 'proofs'] }, // the runner and the proofs it runs
  { name: 'kernels', paths: ['src/kernels'] }, // device versions of the samplers' updates
  { name: 'run', paths: ['src/run'] }, // a training run folder opened as a score model
  { name: 'engines', paths: ['src/engines'] }, // other runtimes (PyTorch) driven from the samplers and training
  { name: 'cli', paths: ['src/cli'] },
  { name: 'web', paths: ['web/src'] },
  { name: 'index', paths: ['src/index.ts'] }, // the public barrel
];
/** Layers of equal rank are siblings. */
const RANK: Readonly<Record<string, number>> = {
  shared: 0, expr: 1, scheme: 2, reverse: 3, codegen: 4, score: 5, data: 6,
  sample: 7, train: 7, likelihood: 7, proofs: 7, kernels: 8, run: 8, engines: 8, cli: 9, web: 9, index: 10,
};

/** The layer a repository path belongs to (by its longest listed prefix), or null. */
function layerOf(file: string): string | null {
  let best: { name: string; len: number } | null = null;
  for (const { name, paths } of LAYERS) {
    for (const k of paths) {
      if ((file === k || file.startsWith(`${k}/`)) && (best === null || k.length > best.len)) best = { name, len: k.length };
    }
  }
  return best?.name ?? null;
}

/** Why an import from `from` to `to` (repository paths) breaks the layering, or null when it is fine. */
function violation(from: string, to: string): string | null {
  const a = layerOf(from), b = layerOf(to);
  if (a === null) return `${from} is in no layer (add it to LAYERS)`;
  if (b === null) return `${from} imports ${to}, which is in no layer`;
  if (a === b || RANK[b] < RANK[a]) return null;
  return `${from} (layer ${a}) imports ${to} (layer ${b}): imports must point down`;
}

function tsFiles(dir: string): string[] {
  const out: string[] = [];
  const walk = (d: string): void => {
    for (const e of readdirSync(join(root, d)).sort()) {
      const p = `${d}/${e}`;
      if (statSync(join(root, p)).isDirectory()) walk(p);
      else if (e.endsWith('.ts')) out.push(p);
    }
  };
  if (existsSync(join(root, dir))) walk(dir);
  return out;
}

/** Relative import specifiers of a module: static imports, re-exports, `import type` and dynamic import(). */
function importsOf(source: string): string[] {
  const specs: string[] = [];
  const statement = /^\s*(?:import|export)\b[^;]*?\bfrom\s*['"]([^'"]+)['"]|^\s*import\s*['"]([^'"]+)['"]/gm;
  for (const m of source.matchAll(statement)) specs.push(m[1] ?? m[2]);
  for (const line of source.split('\n')) {
    if (/^\s*(\*|\/\/|\/\*)/.test(line)) continue; // documentation that mentions import('...')
    for (const m of line.matchAll(/\bimport\(\s*['"]([^'"]+)['"]\s*\)/g)) specs.push(m[1]);
  }
  return specs.filter((s) => s.startsWith('.'));
}

/** Every import edge [from, to] between repository .ts files of the layered folders. */
function edges(): [string, string][] {
  const out: [string, string][] = [];
  for (const file of [...tsFiles('src'), ...tsFiles('web/src'), ...tsFiles('proofs')]) {
    for (const spec of importsOf(readFileSync(join(root, file), 'utf8'))) {
      const to = relative(root, normalize(join(root, dirname(file), spec))).split('\\').join('/');
      if (to.endsWith('.ts')) out.push([file, to]);
    }
  }
  return out;
}

test('the checker rejects the upward imports issue 11 removed and accepts downward ones', () => {
  assert.match(violation('src/score/neural.ts', 'src/train/config.ts') ?? '', /must point down/);
  assert.match(violation('src/scheme/types.ts', 'src/sample/steps.ts') ?? '', /must point down/);
  assert.match(violation('src/expr/simplify.ts', 'src/codegen/latex.ts') ?? '', /must point down/);
  assert.match(violation('src/train/loop.ts', 'src/sample/sample.ts') ?? '', /must point down/, 'siblings do not import each other');
  assert.match(violation('src/newfolder/x.ts', 'src/errors.ts') ?? '', /no layer/);
  assert.equal(violation('src/run/load.ts', 'src/train/checkpoint.ts'), null);
  assert.equal(violation('src/sample/steps.ts', 'src/scheme/spacing.ts'), null);
  assert.equal(violation('src/score/gmm.ts', 'src/rng.ts'), null);
  assert.equal(violation('proofs/tweedie.ts', 'src/proofs/probe.ts'), null);
  assert.deepEqual(Object.keys(RANK).sort(), LAYERS.map((l) => l.name).sort());
  assert.deepEqual(importsOf("import type { A } from './a.ts';\nexport { b } from '../b.ts';\nconst c = await import('./c.ts');\n * import('./doc.ts')\nimport 'node:fs';"), ['./a.ts', '../b.ts', './c.ts']);
});

test('every import in src/, web/src/ and proofs/ points down the layers', () => {
  const all = edges();
  assert.ok(all.length > 300, `found only ${all.length} imports: the scan is broken`);
  const bad = all.map(([a, b]) => violation(a, b)).filter((v): v is string => v !== null);
  assert.deepEqual(bad, []);
});

test('every folder of src/ has a layer', () => {
  const missing = readdirSync(join(root, 'src')).map((e) => `src/${e}`)
    .filter((p) => (statSync(join(root, p)).isDirectory() || p.endsWith('.ts')) && layerOf(p) === null);
  assert.deepEqual(missing, []);
});
