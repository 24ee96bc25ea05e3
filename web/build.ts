/**
 * Build the playground: bundle web/src/main.ts (and through it the library's own modules:
 * scheme/, expr/, reverse/, sample/, score/, proofs/) for the browser with esbuild, and copy the
 * static assets next to it: index.html, KaTeX's stylesheet and fonts, and TensorFlow.js's wasm
 * binaries (the wasm backend fetches them at run time).
 *
 *     tsx web/build.ts [--outdir DIR] [--no-minify]
 */
import { build } from 'esbuild';
import { cpSync, existsSync, mkdirSync, readdirSync, rmSync, statSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

/** The repository root (the parent of web/). */
export const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..');
/** Default output folder (git-ignored). */
export const DEFAULT_OUTDIR = join(ROOT, 'web', 'dist');

/** Options of {@link buildPlayground}. */
export interface BuildOptions {
  readonly outdir?: string;
  /** minify the bundle (default true) */
  readonly minify?: boolean;
}

/** What {@link buildPlayground} made. */
export interface BuildResult {
  readonly outdir: string;
  /** size of the JavaScript bundle in bytes */
  readonly bundleBytes: number;
  readonly seconds: number;
}

/** Bundle the page and copy its assets into `outdir` (replaced). */
export async function buildPlayground(opts: BuildOptions = {}): Promise<BuildResult> {
  const outdir = resolve(opts.outdir ?? DEFAULT_OUTDIR);
  const start = performance.now();
  rmSync(outdir, { recursive: true, force: true });
  mkdirSync(outdir, { recursive: true });
  await build({
    entryPoints: [join(ROOT, 'web', 'src', 'main.ts')],
    bundle: true,
    format: 'esm',
    platform: 'browser',
    target: 'es2022',
    outfile: join(outdir, 'playground.js'),
    minify: opts.minify ?? true,
    sourcemap: false,
    legalComments: 'none',
    define: { 'process.env.NODE_ENV': '"production"' },
    logLevel: 'error',
  });
  cpSync(join(ROOT, 'web', 'index.html'), join(outdir, 'index.html'));
  const katexDist = join(ROOT, 'node_modules', 'katex', 'dist');
  mkdirSync(join(outdir, 'katex'), { recursive: true });
  cpSync(join(katexDist, 'katex.min.css'), join(outdir, 'katex', 'katex.min.css'));
  cpSync(join(katexDist, 'fonts'), join(outdir, 'katex', 'fonts'), { recursive: true });
  const wasmDist = join(ROOT, 'node_modules', '@tensorflow', 'tfjs-backend-wasm', 'dist');
  for (const f of readdirSync(wasmDist)) if (f.endsWith('.wasm')) cpSync(join(wasmDist, f), join(outdir, f));
  const bundleBytes = statSync(join(outdir, 'playground.js')).size;
  return { outdir, bundleBytes, seconds: (performance.now() - start) / 1000 };
}

if (process.argv[1] && pathToFileURL(resolve(process.argv[1])).href === import.meta.url) {
  const args = process.argv.slice(2);
  const i = args.indexOf('--outdir');
  const outdir = i >= 0 ? args[i + 1] : undefined;
  if (i >= 0 && !outdir) { console.error('--outdir: needs a folder'); process.exit(2); }
  const r = await buildPlayground({ outdir, minify: !args.includes('--no-minify') });
  if (!existsSync(join(r.outdir, 'index.html'))) { console.error('build produced no index.html'); process.exit(1); }
  console.log(`playground built in ${r.seconds.toFixed(2)} s: ${r.outdir} (bundle ${(r.bundleBytes / 1e6).toFixed(2)} MB)`);
}
