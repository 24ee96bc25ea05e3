/**
 * The PyTorch peer of the CPU benches, one process per thread count (OpenMP and OpenBLAS fix their
 * thread pools at load time), running bench/peers/torch_peer.py. The peer runs at its best on this
 * machine: OPENBLAS_CORETYPE and OPENBLAS_L2_SIZE (set here for old OpenBLAS builds; they halve
 * PyTorch's speed) are removed from the peer's environment only, and every bench prints the BLAS the
 * peer actually ran (library, OpenBLAS core) next to its numbers.
 */
import { spawn, spawnSync, type ChildProcessWithoutNullStreams } from 'node:child_process';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';

const here = path.dirname(fileURLToPath(import.meta.url));
/** bench/peers/torch_peer.py */
export const TORCH_PEER_SCRIPT = path.join(here, 'torch_peer.py');

/** A python3 that can import torch (the Debian one first: /usr/bin/python3), or null. */
export function findTorchPython(): string | null {
  for (const py of ['/usr/bin/python3', 'python3']) {
    if (spawnSync(py, ['-c', 'import torch'], { encoding: 'utf8' }).status === 0) return py;
  }
  return null;
}

/** The peer's environment: `threads` for every thread pool, OpenBLAS's core/L2 overrides removed. */
export function peerEnv(threads: number): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = { ...process.env, OMP_NUM_THREADS: String(threads), OPENBLAS_NUM_THREADS: String(threads), MKL_NUM_THREADS: String(threads) };
  delete env.OPENBLAS_CORETYPE;
  delete env.OPENBLAS_L2_SIZE;
  return env;
}

/** What the peer reports about its BLAS (bench/peers/torch_workloads.py blas_info). */
export interface BlasInfo {
  readonly libraries: string[];
  readonly env: Record<string, string | null>;
  readonly openblas_core?: string;
  readonly openblas_config?: string;
  readonly summary: string;
}

/** A timing request: a workload of torch_workloads.py STEPS and its keyword arguments. */
export interface PeerRequest {
  readonly workload: 'train' | 'mlpstep' | 'unet';
  readonly steps: number;
  readonly warmup?: number;
  readonly [kw: string]: unknown;
}

/** Per-step wall and process-CPU milliseconds. */
export interface PeerTiming { readonly ms: number[]; readonly cpu: number[]; readonly loss: number }

/** A persistent PyTorch peer process. */
export class TorchPeer {
  private buf = '';
  private waiting: { resolve: (line: string) => void; reject: (e: Error) => void } | undefined;
  private stderr = '';
  version = '';
  blas: BlasInfo = { libraries: [], env: {}, summary: 'unknown' };

  private constructor(private readonly proc: ChildProcessWithoutNullStreams, readonly threads: number) {
    proc.stdout.setEncoding('utf8');
    proc.stderr.setEncoding('utf8');
    proc.stderr.on('data', (d: string) => { this.stderr = (this.stderr + d).slice(-2000); });
    proc.stdout.on('data', (d: string) => {
      this.buf += d;
      let i: number;
      while ((i = this.buf.indexOf('\n')) >= 0) {
        const line = this.buf.slice(0, i);
        this.buf = this.buf.slice(i + 1);
        const w = this.waiting;
        this.waiting = undefined;
        w?.resolve(line);
      }
    });
    proc.on('exit', (code) => this.waiting?.reject(new Error(`PyTorch peer exited (${code}): ${this.stderr.trim().split('\n').pop() ?? ''}`)));
  }

  private next(): Promise<string> {
    return new Promise((resolve, reject) => { this.waiting = { resolve, reject }; });
  }

  /** Start a peer with `threads` threads. */
  static async start(python: string, threads: number): Promise<TorchPeer> {
    const p = new TorchPeer(spawn(python, [TORCH_PEER_SCRIPT, 'serve', '--threads', String(threads)], { stdio: ['pipe', 'pipe', 'pipe'], env: peerEnv(threads) }), threads);
    const hello = JSON.parse(await p.next()) as { version: string; blas: BlasInfo };
    p.version = hello.version;
    p.blas = hello.blas;
    return p;
  }

  /** "PyTorch 1.13 CPU f32 (OpenBLAS Cooperlake kernels ...), 1 thread" */
  describe(): string {
    return `PyTorch ${this.version} CPU f32 (${this.blas.summary}), ${this.threads} thread${this.threads > 1 ? 's' : ''}`;
  }

  /** Time `req.steps` steps of a workload (built on first use, then kept). */
  async time(req: PeerRequest): Promise<PeerTiming> {
    const reply = this.next();
    this.proc.stdin.write(JSON.stringify(req) + '\n');
    return JSON.parse(await reply) as PeerTiming;
  }

  stop(): void {
    this.proc.stdin.end();
    this.proc.kill();
  }
}

/** Warn when the peer is not PyTorch at its best (reference BLAS, or the OpenBLAS overrides still set). */
export function peerWarnings(p: TorchPeer): string[] {
  const w: string[] = [];
  if (!p.blas.openblas_core) w.push(`PyTorch runs ${p.blas.summary}; install libopenblas0-pthread (apt-get) for a fair peer`);
  for (const [k, v] of Object.entries(p.blas.env)) if (v !== null) w.push(`${k}=${v} is set in the peer's environment`);
  return w;
}
