#!/usr/bin/env node
// Runs the test files under test/ with Node's built-in runner through tsx (Node 20 has no glob
// support in --test). `--slow` adds the *.slow.ts files; other arguments filter files by substring.
import { readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { spawnSync } from 'node:child_process';

const args = process.argv.slice(2);
const slow = args.includes('--slow');
const filters = args.filter((a) => a !== '--slow');
const files = [];
(function walk(dir) {
  for (const e of readdirSync(dir).sort()) {
    const p = join(dir, e);
    if (statSync(p).isDirectory()) walk(p);
    else if (e.endsWith('.test.ts') || (slow && e.endsWith('.slow.ts'))) files.push(p);
  }
})('test');
const chosen = filters.length ? files.filter((f) => filters.some((x) => f.includes(x))) : files;
if (chosen.length === 0) { console.error('run-tests: no test files matched'); process.exit(1); }
const r = spawnSync(process.execPath, ['--import', 'tsx', '--test', '--test-reporter=spec', ...chosen], { stdio: 'inherit', env: { ...process.env, ...(slow ? { SDEKIT_SLOW: '1' } : {}) } });
process.exit(r.status ?? 1);
