// Cold derive of every built-in in one process: npx tsx bench/derive-time.mts
import { performance } from 'node:perf_hooks';
const t0 = performance.now();
const { BUILTIN_NAMES } = await import('../src/scheme/builtins.ts');
const { loadScheme } = await import('../src/scheme/load.ts');
const t1 = performance.now();
for (const name of BUILTIN_NAMES) loadScheme(name);
const t2 = performance.now();
console.log(`import ${(t1 - t0).toFixed(0)} ms, derive of ${BUILTIN_NAMES.length} built-ins ${(t2 - t1).toFixed(0)} ms`);
