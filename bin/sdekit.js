#!/usr/bin/env node
// The sdekit CLI. An installed package runs its bundle, dist/sdekit.mjs (built by prepack). A
// checkout runs the bundle too when it is present and not older than the sources; otherwise (no
// build yet, or sources edited since) it runs the TypeScript sources through tsx, a devDependency,
// so a checkout being edited never runs a stale bundle. Whatever is missing is named, with how to
// get it: the CLI never exits without a word.
import { existsSync, readdirSync, statSync } from 'node:fs';
import { spawnSync } from 'node:child_process';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { dirname, join } from 'node:path';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const bundle = join(root, 'dist', 'sdekit.mjs');
const tsx = join(root, 'node_modules', '.bin', 'tsx');
const sources = join(root, 'src', 'cli', 'main.ts');

/** newest modification time of the .ts/.json sources under these folders */
function newestSource(dirs) {
  let newest = 0;
  const walk = (d) => {
    for (const e of readdirSync(d, { withFileTypes: true })) {
      const p = join(d, e.name);
      if (e.isDirectory()) walk(p);
      else if (/\.(ts|json)$/.test(e.name)) newest = Math.max(newest, statSync(p).mtimeMs);
    }
  };
  for (const d of dirs) if (existsSync(d)) walk(d);
  return newest;
}

function fail(lines) {
  console.error(lines.map((l, i) => (i === 0 ? `sdekit: ${l}` : `  ${l}`)).join('\n'));
  process.exit(1);
}

/** The package a failed import names when it is not installed (the bundle keeps dependencies external). */
function missingPackage(e) {
  if (!e || (e.code !== 'ERR_MODULE_NOT_FOUND' && e.code !== 'MODULE_NOT_FOUND')) return null;
  const m = /Cannot find (?:package|module) '([^']+)'/.exec(String(e.message));
  if (!m || m[1].startsWith('.') || m[1].startsWith('/')) return null;
  const parts = m[1].split('/');
  return parts[0].startsWith('@') ? parts.slice(0, 2).join('/') : parts[0];
}

const checkout = existsSync(sources) && existsSync(tsx);
const stale = checkout && existsSync(bundle) && newestSource([join(root, 'src'), join(root, 'proofs'), join(root, 'schemes')]) > statSync(bundle).mtimeMs;

if (existsSync(bundle) && !stale) {
  try {
    await import(pathToFileURL(bundle).href);
  } catch (e) {
    const pkg = missingPackage(e);
    if (pkg !== null) fail([`the package ${pkg}, a dependency of sdekit, is not installed.`, `Install it next to sdekit: npm install ${pkg} (or reinstall sdekit with its dependencies: npm install sdekit).`]);
    fail([`the CLI bundle ${bundle} could not be loaded: ${e instanceof Error ? e.message : String(e)}`, 'Reinstall sdekit (npm install sdekit); in a checkout, rebuild it with npm run build.']);
  }
} else if (checkout) {
  const r = spawnSync(tsx, [sources, ...process.argv.slice(2)], { stdio: 'inherit' });
  if (r.error) fail([`could not run the TypeScript sources through ${tsx}: ${r.error.message}`, 'Reinstall the devDependencies (npm ci), or build the bundle (npm run build).']);
  process.exit(r.status ?? 1);
} else if (existsSync(sources)) {
  fail([`the CLI bundle ${bundle} is missing, and tsx (a devDependency) is not installed to run the sources.`, 'In this checkout run npm ci (installs the devDependencies and builds dist/), or npm run build.']);
} else {
  fail([`the CLI bundle ${bundle} is missing: this copy of sdekit was packed without its build.`, 'Reinstall sdekit from the registry or from a tarball made by npm pack, whose prepack builds dist/.']);
}
