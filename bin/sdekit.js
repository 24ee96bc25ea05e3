#!/usr/bin/env node
// The sdekit CLI: the bundled build (dist/, made by `npm run build` / on install) when it is
// present and not older than the sources, else the TypeScript sources through tsx (a checkout
// being edited never runs a stale bundle).
import { existsSync, readdirSync, statSync } from 'node:fs';
import { spawnSync } from 'node:child_process';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { dirname, join } from 'node:path';
const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const bundle = join(root, 'dist', 'sdekit.mjs');
const tsx = join(root, 'node_modules', '.bin', 'tsx');

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

const stale = existsSync(bundle) && existsSync(tsx) && newestSource([join(root, 'src'), join(root, 'proofs'), join(root, 'schemes')]) > statSync(bundle).mtimeMs;
if (existsSync(bundle) && !stale) {
  await import(pathToFileURL(bundle).href);
} else {
  const r = spawnSync(tsx, [join(root, 'src', 'cli', 'main.ts'), ...process.argv.slice(2)], { stdio: 'inherit' });
  process.exit(r.status ?? 1);
}
