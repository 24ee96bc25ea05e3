/**
 * `npm run playground`: build the page (web/build.ts) and serve it on 127.0.0.1 on a free port
 * (or `--port N`), printing its address. Static files only; no state on the server.
 *
 *     tsx web/serve.ts [--port N] [--no-build]
 */
import { createServer, type Server } from 'node:http';
import { existsSync, readFileSync, statSync } from 'node:fs';
import { extname, join, normalize, resolve, sep } from 'node:path';
import { pathToFileURL } from 'node:url';
import { buildPlayground, DEFAULT_OUTDIR } from './build.ts';

const TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.wasm': 'application/wasm',
  '.woff2': 'font/woff2',
  '.woff': 'font/woff',
  '.ttf': 'font/ttf',
  '.png': 'image/png',
  '.json': 'application/json',
};

/** Options of {@link startPlayground}. */
export interface ServeOptions {
  /** 0 (default): a free port */
  readonly port?: number;
  /** build before serving (default true) */
  readonly build?: boolean;
  readonly outdir?: string;
}

/** A running playground server. */
export interface Playground {
  readonly url: string;
  readonly port: number;
  readonly server: Server;
  close(): Promise<void>;
}

/** Build (unless told not to) and serve the playground on 127.0.0.1. */
export async function startPlayground(opts: ServeOptions = {}): Promise<Playground> {
  const outdir = resolve(opts.outdir ?? DEFAULT_OUTDIR);
  if (opts.build ?? true) await buildPlayground({ outdir });
  if (!existsSync(join(outdir, 'index.html'))) throw new Error(`no built page in ${outdir}: run without --no-build`);
  const server = createServer((req, res) => {
    const path = decodeURIComponent(new URL(req.url ?? '/', 'http://localhost').pathname);
    const file = normalize(join(outdir, path === '/' ? 'index.html' : path));
    if (!(file === outdir || file.startsWith(outdir + sep)) || !existsSync(file) || !statSync(file).isFile()) {
      res.writeHead(404, { 'content-type': 'text/plain' });
      res.end(`not found: ${path}`);
      return;
    }
    res.writeHead(200, { 'content-type': TYPES[extname(file)] ?? 'application/octet-stream', 'cache-control': 'no-cache' });
    res.end(readFileSync(file));
  });
  await new Promise<void>((ok, fail) => {
    server.once('error', fail);
    server.listen(opts.port ?? 0, '127.0.0.1', () => ok());
  });
  const addr = server.address();
  const port = typeof addr === 'object' && addr ? addr.port : 0;
  return {
    url: `http://127.0.0.1:${port}/`,
    port,
    server,
    close: () => new Promise<void>((ok) => { server.closeAllConnections(); server.close(() => ok()); }),
  };
}

if (process.argv[1] && pathToFileURL(resolve(process.argv[1])).href === import.meta.url) {
  const args = process.argv.slice(2);
  const i = args.indexOf('--port');
  const port = i >= 0 ? Number(args[i + 1]) : 0;
  if (!Number.isInteger(port) || port < 0 || port > 65535) { console.error(`--port: must be an integer 0..65535 (value: ${args[i + 1]})`); process.exit(2); }
  try {
    const p = await startPlayground({ port, build: !args.includes('--no-build') });
    console.log(`sdekit playground: ${p.url}  (Ctrl-C to stop)`);
  } catch (e) {
    console.error(`playground: ${(e as Error).message}`);
    process.exit(1);
  }
}
