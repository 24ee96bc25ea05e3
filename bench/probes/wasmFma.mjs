/**
 * Issue 14 part 2 probe: does WebAssembly relaxed SIMD's fused multiply-add (f32x4.relaxed_madd)
 * raise the peak of a 128-bit wasm kernel on this CPU? A hand-assembled wasm loop of K independent
 * accumulators (K=8 default, env K) runs f32x4.relaxed_madd, then f32x4.mul + f32x4.add; GFLOP/s
 * from CPU time, best of 5. Prints "not supported" where the engine lacks relaxed SIMD (Node 20
 * without --experimental-wasm-relaxed-simd; Node 22, 24, 26 enable it by default).
 *
 *   node bench/probes/wasmFma.mjs          K=12 node bench/probes/wasmFma.mjs
 *   node --experimental-wasm-relaxed-simd bench/probes/wasmFma.mjs      (Node 20)
 */
const K = Number(process.env.K ?? 8), leb = (n) => { const o = []; do { let b = n & 0x7f; n >>>= 7; if (n) b |= 0x80; o.push(b); } while (n); return o; };
const f32 = (x) => [...new Uint8Array(new Float32Array([x]).buffer)];
function module(fma) {
  const X = 1 + K, Y = 2 + K; // local indices: 0 n, 1..K acc, X, Y
  const body = [0x01, K + 2, 0x7b,
    0x43, ...f32(1.0001), 0xfd, 0x13, 0x21, X, 0x43, ...f32(0.9999), 0xfd, 0x13, 0x21, Y,
    0x02, 0x40, 0x03, 0x40, 0x20, 0x00, 0x45, 0x0d, 0x01];
  for (let k = 1; k <= K; k++) {
    if (fma) body.push(0x20, X, 0x20, Y, 0x20, k, 0xfd, 0x85, 0x02, 0x21, k);
    else body.push(0x20, X, 0x20, Y, 0xfd, 0xe6, 0x01, 0x20, k, 0xfd, 0xe4, 0x01, 0x21, k);
  }
  body.push(0x20, 0x00, 0x41, 0x01, 0x6b, 0x21, 0x00, 0x0c, 0x00, 0x0b, 0x0b, 0x20, 0x01);
  for (let k = 2; k <= K; k++) body.push(0x20, k, 0xfd, 0xe4, 0x01);
  body.push(0xfd, 0x1f, 0x00, 0x0b);
  const fn = [...leb(body.length), ...body];
  const code = [0x01, ...fn];
  return new Uint8Array([0, 0x61, 0x73, 0x6d, 1, 0, 0, 0, 0x01, 0x06, 0x01, 0x60, 0x01, 0x7f, 0x01, 0x7d, 0x03, 0x02, 0x01, 0x00,
    0x07, 0x05, 0x01, 0x01, 0x66, 0x00, 0x00, 0x0a, ...leb(code.length), ...code]);
}
const N = 2e7, out = [];
for (const fma of [false, true]) {
  const bytes = module(fma);
  if (!WebAssembly.validate(bytes)) { out.push(`${fma ? 'relaxed_madd' : 'mul+add'}: not supported`); continue; }
  const f = new WebAssembly.Instance(new WebAssembly.Module(bytes)).exports.f;
  f(1e5);
  let best = Infinity;
  for (let r = 0; r < 5; r++) { const c = process.cpuUsage(); f(N); const u = process.cpuUsage(c); best = Math.min(best, (u.user + u.system) / 1e6); }
  out.push(`${fma ? 'relaxed_madd' : 'mul+add'}: ${(N * K * 4 * 2 / best / 1e9).toFixed(1)} GFLOP/s (CPU time, best of 5)`);
}
console.log(`${process.version}: ${out.join('; ')}`);
