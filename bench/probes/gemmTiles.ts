/**
 * Issue 14: which register tile for our wasm SIMD GEMM (src/backend/wasmGemm.ts)? Each MR x NR tile
 * kernel on C = A B, 256 x 256 x 256, GFLOP/s from CPU time (best of 5 x 40 calls), tiles interleaved
 * over 3 rounds so that other load hits them alike.
 *
 *   npx tsx bench/probes/gemmTiles.ts
 */
import { wasmModule } from '../../src/backend/wasmAsm.ts';
import { gemmFunc } from '../../src/backend/wasmGemm.ts';

const S = 256;
const tiles: [number, number][] = [[4, 2], [2, 4], [2, 3], [6, 1], [1, 4], [6, 2], [4, 3]]; // [MR, NV]: NR = 4 NV
const best = new Map<string, number>();
for (let round = 0; round < 3; round++) {
  for (const [MR, NV] of tiles) {
    const mem = new WebAssembly.Memory({ initial: 64, maximum: 64 });
    const name = `gemm${MR}x${4 * NV}`;
    const k = new WebAssembly.Instance(new WebAssembly.Module(wasmModule([gemmFunc(MR, NV)])), { env: { mem } }).exports[name] as (...a: number[]) => void;
    const f = new Float32Array(mem.buffer);
    for (let i = 0; i < 3 * S * S; i++) f[i] = Math.random();
    const M = S - (S % MR), N = S - (S % (4 * NV));
    const run = (): void => k(M, N, S, 0, 4 * S, 4, 4 * S * S, 4 * S, 8 * S * S, 4 * S, 0, 0);
    for (let i = 0; i < 30; i++) run();
    for (let r = 0; r < 5; r++) {
      const c = process.cpuUsage();
      for (let i = 0; i < 40; i++) run();
      const u = process.cpuUsage(c), gf = (2 * M * N * S * 40) / ((u.user + u.system) / 1e6) / 1e9;
      best.set(name, Math.max(best.get(name) ?? 0, gf));
    }
  }
}
for (const [name, gf] of best) console.log(`${name.padEnd(10)} ${gf.toFixed(1)} GFLOP/s`);
