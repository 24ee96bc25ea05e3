#!/usr/bin/env node
// Builds what the package ships (DESIGN.md; package.json "files"):
//   dist/*.mjs     the ESM bundles: the CLI (sdekit.mjs), the library (index.mjs) and the worker threads
//                  (gmmWorker.mjs, trainWorker.mjs), split into shared chunks; dependencies stay external
//   dist/types/    the declarations of the public API (--types: tsc --emitDeclarationOnly, tsconfig.build.json)
// `--unless-packing` (the prepare script) does nothing inside `npm pack` / `npm publish`, whose
// prepack already built (npm runs prepack, then prepare).
import { rmSync, readdirSync, existsSync } from 'node:fs';
import { join, dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { spawnSync } from 'node:child_process';
import { createRequire } from 'node:module';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const args = process.argv.slice(2);
if (args.includes('--unless-packing') && ['pack', 'publish'].includes(process.env.npm_command ?? '')) process.exit(0);
// prepare also runs when another project installs this folder (npm install ../sdekit): it then
// gets the declarations too (npm's INIT_CWD is that project, not this checkout)
const types = args.includes('--types') || (args.includes('--unless-packing') && process.env.INIT_CWD !== undefined && resolve(process.env.INIT_CWD) !== resolve(root));

/** Packages the bundles import at run time instead of inlining (dependencies, or dev-only tools never reached by the CLI). */
const EXTERNAL = ['@tensorflow/*', 'webgpu', 'mnist', 'playwright-core', 'esbuild', 'pngjs', 'fast-check'];

function fail(msg) {
  console.error(`build: ${msg}`);
  process.exit(1);
}

let esbuild;
try {
  esbuild = createRequire(import.meta.url)('esbuild');
} catch {
  fail('esbuild is not installed: run `npm ci` in the checkout (it is a devDependency)');
}

const dist = join(root, 'dist');
// remove the previous bundles (chunk names change with their content); keep dist/types unless rebuilt
if (existsSync(dist)) for (const e of readdirSync(dist)) if (e !== 'types' || types) rmSync(join(dist, e), { recursive: true, force: true });

await esbuild.build({
  absWorkingDir: root,
  entryPoints: { sdekit: 'src/cli/main.ts', index: 'src/index.ts', gmmWorker: 'src/score/gmmWorker.ts', trainWorker: 'src/train/trainWorker.ts' },
  bundle: true, splitting: true, platform: 'node', format: 'esm', target: 'node20',
  outdir: 'dist', entryNames: '[name]', outExtension: { '.js': '.mjs' },
  external: EXTERNAL, logLevel: 'warning',
}).catch(() => fail('esbuild failed (see above)'));

if (types) {
  const tsc = join(root, 'node_modules', '.bin', process.platform === 'win32' ? 'tsc.cmd' : 'tsc');
  if (!existsSync(tsc)) fail('typescript is not installed: run `npm ci` in the checkout');
  const r = spawnSync(tsc, ['-p', join(root, 'tsconfig.build.json')], { stdio: 'inherit', cwd: root });
  if (r.status !== 0) fail('declarations: tsc -p tsconfig.build.json failed');
}
