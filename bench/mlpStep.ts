/**
 * MLP training-step benchmark (issue 6): the reference step of src/backend/mlpWorkload.ts
 * (2 + 128-d time embedding = 130 -> 256 -> 256 -> 256 -> 2, SiLU, Adam, batch 512, MSE) on each
 * TensorFlow.js backend and formulation, against PyTorch CPU float32 on the same step measured in
 * the same run (Debian python3-torch), interleaved round by round so both see the same machine load.
 *
 *   npx tsx bench/mlpStep.ts [--quick]
 *
 * `benchMlpStep()` returns BenchRow[] for the top-level bench runner: value = median ms per step,
 * peer = PyTorch's median ms per step at the same thread count, ratio = peer / value (> 1: faster).
 */
import { cpus, loadavg } from 'node:os';
import { fileURLToPath } from 'node:url';
import * as tf from '@tensorflow/tfjs';
import { initBackend } from '../src/backend/select.ts';
import { probeDawn } from '../src/backend/webgpu.ts';
import { patchWasmMatMul, unpatchWasmMatMul } from '../src/backend/wasmMatMul.ts';
import { MlpTrainer, REFERENCE_MLP, initMlpParams, makeMlpBatch } from '../src/backend/mlpWorkload.ts';
import { WasmMlpTrainer } from '../src/backend/mlpWasmStep.ts';
import { ParallelMlpTrainer } from '../src/backend/mlpParallel.ts';
import type { BenchRow } from './row.ts';
import { findTorchPython, peerWarnings, TorchPeer } from './peers/torchPeer.ts';

export { findTorchPython };

const BATCH = 512;
const WORKLOAD = `MLP train step (130-256-256-256-2 SiLU, Adam, batch ${BATCH})`;

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  const n = s.length;
  return n % 2 ? s[(n - 1) >> 1] : (s[n / 2 - 1] + s[n / 2]) / 2;
}

interface Stepper {
  step(): Promise<number>;
  dispose(): void | Promise<void>;
}

interface Variant {
  backend: string;
  threads: number;
  steps: number;
  make: () => Promise<Stepper>;
  note?: string;
}

const params = initMlpParams(REFERENCE_MLP, 1);
const batch = makeMlpBatch(REFERENCE_MLP, BATCH, 2);

function tfStepper(tr: { setBatch(b: typeof batch): void; stepAsync(): Promise<number>; dispose(): void }): Stepper {
  tr.setBatch(batch);
  return { step: () => tr.stepAsync(), dispose: () => tr.dispose() };
}

/**
 * The wasm matmul roofline of one step: only the step's GEMMs, each flag-free on XNNPACK with its
 * operands already transposed (forward X W, backward dY W^T and X^T dY for each of the four layers),
 * nothing else. A training step cannot be faster than this on one wasm thread.
 */
function gemmRoofline(): Stepper {
  const widths = [130, 256, 256, 256, 2];
  const ops: [tf.Tensor2D, tf.Tensor2D][] = [];
  for (let l = 0; l + 1 < widths.length; l++) {
    const [i, o] = [widths[l], widths[l + 1]];
    ops.push([tf.randomNormal([BATCH, i]), tf.randomNormal([i, o])]); // forward X W
    ops.push([tf.randomNormal([BATCH, o]), tf.randomNormal([o, i])]); // dX = dY W^T
    ops.push([tf.randomNormal([i, BATCH]), tf.randomNormal([BATCH, o])]); // dW = X^T dY
  }
  return {
    step: async () => {
      const outs = ops.map(([a, b]) => tf.matMul(a, b));
      await Promise.all(outs.map((t) => t.data()));
      tf.dispose(outs);
      return 0;
    },
    dispose: () => tf.dispose(ops.flat()),
  };
}

/** Run the benchmark; `quick` uses fewer steps (for a smoke run). */
export async function benchMlpStep(opts: { quick?: boolean; log?: (s: string) => void } = {}): Promise<BenchRow[]> {
  const log = opts.log ?? ((s: string) => console.error(s));
  const k = opts.quick ? 0.25 : 1;
  const n = (s: number): number => Math.max(2, Math.round(s * k));
  const variants: Variant[] = [
    { backend: 'wasm (tfjs as shipped)', threads: 1, steps: n(8), make: async () => { await initBackend('wasm'); unpatchWasmMatMul(); return tfStepper(new MlpTrainer(params)); } },
    { backend: 'wasm + matmul patch', threads: 1, steps: n(40), make: async () => { await initBackend('wasm'); patchWasmMatMul(); return tfStepper(new MlpTrainer(params)); } },
    { backend: 'wasm + patch, fused matmul+bias', threads: 1, steps: n(40), make: async () => { await initBackend('wasm'); return tfStepper(new MlpTrainer(params, { variant: 'fused' })); } },
    { backend: 'wasm, explicit backprop + fused kernels', threads: 1, steps: n(40), make: async () => { await initBackend('wasm'); return tfStepper(new WasmMlpTrainer(params)); } },
    {
      backend: 'wasm x2 workers (data parallel)',
      threads: 2,
      steps: n(40),
      make: async () => {
        const tr = await ParallelMlpTrainer.create(params, { workers: 2 });
        tr.setBatch(batch);
        return { step: () => tr.step(), dispose: () => tr.dispose() };
      },
    },
    {
      backend: 'wasm matmul roofline (the GEMMs alone)', threads: 1, steps: n(40),
      make: async () => { await initBackend('wasm'); patchWasmMatMul(); return gemmRoofline(); },
      note: 'a bound, not a training step: the 12 GEMMs of one step on XNNPACK, operands pre-transposed',
    },
    { backend: 'cpu (tfjs)', threads: 1, steps: n(3), make: async () => { await initBackend('cpu'); return tfStepper(new MlpTrainer(params)); } },
  ];
  const dawn = await probeDawn();
  if (dawn.ok) {
    variants.push({
      backend: `webgpu (${dawn.context.info.software ? 'software: ' : ''}${dawn.context.info.device || dawn.context.info.vendor})`,
      threads: 1,
      steps: n(4),
      make: async () => { await initBackend('webgpu'); return tfStepper(new MlpTrainer(params)); },
      note: dawn.context.info.software ? 'llvmpipe: a correctness rig, not a speed path' : undefined,
    });
  } else log(`# webgpu skipped: ${dawn.reason}`);

  const python = findTorchPython();
  const peers = new Map<number, TorchPeer>();
  for (const th of new Set(variants.map((v) => v.threads))) {
    const p = python ? await TorchPeer.start(python, th).catch(() => null) : null;
    if (p) peers.set(th, p);
  }
  if (peers.size === 0) log('# PyTorch not available (apt-get install python3-torch): no peer column');
  for (const p of peers.values()) { log(`# peer: ${p.describe()}`); for (const w of peerWarnings(p)) log(`# warning: ${w}`); }
  const load0 = loadavg()[0];
  const rows: BenchRow[] = [];
  const rounds = opts.quick ? 1 : 3;
  try {
    for (const v of variants) {
      let st: Stepper;
      try {
        st = await v.make();
      } catch (e) {
        log(`# ${v.backend}: ${e instanceof Error ? e.message : String(e)}`);
        continue;
      }
      for (let i = 0; i < 2; i++) await st.step(); // warm-up: kernel set-up, XNNPACK packing, pipelines
      const ours: number[] = [];
      const oursCpu: number[] = [];
      const peer: number[] = [];
      const peerCpu: number[] = [];
      const torch = peers.get(v.threads);
      for (let r = 0; r < rounds; r++) {
        for (let i = 0; i < Math.ceil(v.steps / rounds); i++) {
          const c0 = process.cpuUsage();
          const t0 = performance.now();
          const loss = await st.step();
          ours.push(performance.now() - t0);
          const c = process.cpuUsage(c0);
          oursCpu.push((c.user + c.system) / 1000);
          if (!Number.isFinite(loss)) throw new Error(`${v.backend}: non-finite loss ${loss}`);
        }
        if (torch) {
          const t = await torch.time({ workload: 'mlpstep', steps: Math.max(5, Math.ceil(v.steps / rounds)) });
          peer.push(...t.ms);
          peerCpu.push(...t.cpu);
        }
      }
      await st.dispose();
      const value = median(ours);
      const p = peer.length ? median(peer) : undefined;
      const row: BenchRow = {
        workload: WORKLOAD,
        backend: v.backend,
        value,
        unit: 'ms/step',
        ...(p !== undefined ? { peer: p, peerName: torch?.describe(), ratio: p / value } : {}),
        note: [
          `min ${Math.min(...ours).toFixed(1)} ms over ${ours.length} steps`,
          // CPU time per step (all threads of the process): robust to other load on the machine
          `CPU ${median(oursCpu).toFixed(1)} ms/step${peerCpu.length ? ` vs PyTorch ${median(peerCpu).toFixed(1)}` : ''}`,
          v.note,
        ].filter(Boolean).join('; '),
      };
      rows.push(row);
      log(`${row.backend.padEnd(44)} ${value.toFixed(1).padStart(8)} ms/step${p !== undefined ? `   PyTorch ${p.toFixed(1)} ms   ratio ${(p / value).toFixed(2)}` : ''}   (${row.note})`);
    }
  } finally {
    for (const p of peers.values()) p.stop();
    await initBackend('wasm').catch(() => undefined);
  }
  const roof = rows.find((r) => r.backend.startsWith('wasm matmul roofline'));
  if (roof) {
    for (const r of rows) {
      if (r !== roof && r.backend.startsWith('wasm')) r.note = `${r.note}; ${(r.value / roof.value).toFixed(2)}x the matmul roofline${r.backend.includes('x2') ? ' (single-thread roofline)' : ''}`;
    }
  }
  log(`# machine: ${cpus().length} x ${cpus()[0]?.model ?? '?'}; load average ${load0.toFixed(2)} -> ${loadavg()[0].toFixed(2)}; tfjs ${tf.version.tfjs}`);
  return rows;
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  const rows = await benchMlpStep({ quick: process.argv.includes('--quick') });
  console.log(JSON.stringify(rows, null, 2));
}
