/**
 * Generated WGSL of every built-in scheme (codegen/shader.ts) runs on Dawn (llvmpipe in CI) and
 * matches the float64 host views to float32 tolerance on the last 90% of [t0, T] (near t0 a closed
 * form with cancellation, e.g. sub-vp's e^B + e^-B - 2, loses float32 digits by construction).
 * Skips with a message when no adapter exists.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { probeDawn } from '../../src/backend/webgpu.ts';
import { ELEMENT_INDEX_WGSL, KernelRuntime } from '../../src/kernels/runtime.ts';
import { discreteKnots, shaderModule } from '../../src/codegen/shader.ts';
import { BUILTIN_NAMES } from '../../src/scheme/builtins.ts';
import { loadScheme } from '../../src/scheme/load.ts';

const VIEWS = ['alpha', 'sigma', 'f', 'g2', 'logSnr', 'dlogSnr'] as const;
const probe = await probeDawn();
const skip = probe.ok ? false : `no WebGPU adapter, generated-kernel tests skipped: ${probe.reason}`;
if (skip) console.log(`# ${skip}`);

test('generated WGSL of every built-in matches the float64 views', { skip }, async () => {
  const rt = await KernelRuntime.open();
  try {
    for (const name of BUILTIN_NAMES) {
      const s = loadScheme(name);
      const table = s.discrete ? { group: 0, binding: 2 } : undefined;
      const wgsl = `${shaderModule(s, 'wgsl', { discreteTable: table })}
${ELEMENT_INDEX_WGSL}
@group(0) @binding(0) var<storage, read> ts: array<f32>;
@group(0) @binding(1) var<storage, read_write> outv: array<f32>;
@compute @workgroup_size(64)
fn main(@builtin(global_invocation_id) gid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>) {
  let n = arrayLength(&ts);
  let i = elementIndex(gid, nwg, 64u);
  if (i >= n) { return; }
  let t = ts[i];
  ${VIEWS.map((v, k) => `outv[${k}u * n + i] = ${v}(t);`).join('\n  ')}
}`;
      const kernel = await rt.compile({ wgsl, entryPoint: 'main', workgroupSize: 64, label: name, bindings: [{ name: 'ts', binding: 0, kind: 'read' }, { name: 'outv', binding: 1, kind: 'read_write' }, ...(table ? [{ name: 'knots', binding: 2, kind: 'read' as const }] : [])] });
      const n = 256; // a multiple of 4: the runtime pads buffers to 16 bytes and arrayLength sees the padding
      const ts = Float32Array.from({ length: n }, (_, i) => s.t0 + (0.1 + (0.9 * i) / (n - 1)) * (s.T - s.t0) * (1 - 1e-6));
      const tin = rt.array(ts), out = rt.array(VIEWS.length * n);
      const knots = s.discrete ? rt.array(discreteKnots(s)) : undefined;
      kernel.run({ ts: tin, outv: out, ...(knots ? { knots } : {}) }, n);
      const got = await rt.read(out);
      VIEWS.forEach((v, k) => {
        const host = Array.from(ts, (t) => s[v](t));
        const scale = Math.max(...host.map(Math.abs));
        let worst = 0;
        host.forEach((h, i) => {
          const err = Math.abs(got[k * n + i] - h) / (Math.abs(h) + 1e-3 * scale + 1e-30);
          worst = Math.max(worst, err);
        });
        assert.ok(worst < 2e-4, `${name}.${v}: worst float32 relative error ${worst.toExponential(2)}`);
      });
      rt.free(tin); rt.free(out); if (knots) rt.free(knots); kernel.destroy();
    }
  } finally { rt.destroy(); }
});
