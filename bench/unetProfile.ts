/**
 * Where one worker's share of the MNIST U-Net training step goes (issue 14): the class-conditional
 * U-Net of `sdekit train --dataset mnist --channels 32,64,64` (batch 32, so 16 rows per worker with
 * 2 workers), forward + backward by autodiff as trainWorker.ts runs it, broken down per TensorFlow.js
 * kernel by CPU time (each wasm kernel wrapped with process.cpuUsage; tf.profile's wall-clock times
 * are inflated by other load on a shared machine). Also the CPU time of the whole share (median).
 *
 *   npx tsx bench/unetProfile.ts [--rows 16] [--reps 8] [--reference]
 *
 * --reference: the plain tf-op layers (setFusedLayerKernels(false)), i.e. before sdekit's fused kernels.
 */
import * as os from 'node:os';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';
import * as tf from '@tensorflow/tfjs';
import { initTrainBackend } from '../src/train/backend.ts';
import { createUnet, defaultUnetConfig } from '../src/score/unet.ts';
import { initWeights, setFusedLayerKernels, type Weights } from '../src/score/layers.ts';
import { dsmLoss, type DsmTensors } from '../src/train/dsmLoss.ts';
import { Rng } from '../src/rng.ts';

const median = (xs: number[]): number => { const s = [...xs].sort((a, b) => a - b); return s[Math.floor(s.length / 2)]; };
const cpuMs = (): number => { const c = process.cpuUsage(); return (c.user + c.system) / 1000; };

/**
 * Wrap every registered wasm kernel with a CPU-time counter (process.cpuUsage around the call: less
 * disturbed by other load than tf.profile's wall-clock kernel times). Returns the counters and a
 * function that restores the original kernels.
 */
function countKernels(): { table: Map<string, { ms: number; calls: number }>; restore: () => void } {
  const table = new Map<string, { ms: number; calls: number }>();
  const originals = tf.getKernelsForBackend('wasm');
  for (const k of originals) {
    tf.unregisterKernel(k.kernelName, 'wasm');
    tf.registerKernel({
      ...k,
      kernelFunc: (args) => {
        const t = cpuMs();
        try { return k.kernelFunc(args); } finally {
          const e = table.get(k.kernelName) ?? { ms: 0, calls: 0 };
          e.ms += cpuMs() - t;
          e.calls++;
          table.set(k.kernelName, e);
        }
      },
    });
  }
  return { table, restore: () => { for (const k of originals) { tf.unregisterKernel(k.kernelName, 'wasm'); tf.registerKernel(k); } } };
}

/** Per-kernel table of one worker's U-Net forward + backward: [kernel, CPU ms per step, calls per step]. */
export async function profileUnetStep(opts: { rows?: number; reps?: number; reference?: boolean } = {}): Promise<{ stepCpuMs: number; kernels: [string, number, number][] }> {
  await initTrainBackend('wasm');
  setFusedLayerKernels(!opts.reference);
  const rows = opts.rows ?? 16, reps = opts.reps ?? 8;
  const cfg = { ...defaultUnetConfig(28, 28, 1, 10), widths: [32, 64, 64] };
  const net = createUnet(cfg);
  const rng = new Rng(0);
  const w = initWeights(net.specs, rng);
  const names = net.specs.map((s) => s.name);
  const x = new Float32Array(rows * 784), tgt = new Float32Array(rows * 784);
  rng.fillNormal(x); rng.fillNormal(tgt);
  const b: DsmTensors = {
    x: tf.tensor(x, [rows, 28, 28, 1]), target: tf.tensor(tgt, [rows, 28, 28, 1]),
    cNoise: tf.tensor1d(Array.from({ length: rows }, (_, i) => -1 + (2 * i) / rows)),
    labels: tf.tensor1d(Array.from({ length: rows }, (_, i) => i % 11), 'int32'),
    weight: tf.ones([rows]) as tf.Tensor1D,
  };
  // fresh weight tensors every step, as a worker has them (XNNPACK repacks their filters)
  const step = (): void => {
    const ws = names.map((n) => tf.add(w[n], 0));
    const r = tf.valueAndGrads((...a: tf.Tensor[]) => {
      const o: Weights = {};
      names.forEach((n, i) => (o[n] = a[i]));
      return dsmLoss(net, o, b);
    })(ws);
    tf.dispose([r.value, ...r.grads, ...ws]);
  };
  for (let i = 0; i < 2; i++) step();
  const cpu: number[] = [];
  for (let r = 0; r < reps; r++) {
    const t = cpuMs();
    step();
    cpu.push(cpuMs() - t);
  }
  const { table, restore } = countKernels();
  for (let r = 0; r < reps; r++) step();
  restore();
  const kernels = [...table].map(([k, v]) => [k, v.ms / reps, Math.round(v.calls / reps)] as [string, number, number]).sort((a, b) => b[1] - a[1]);
  return { stepCpuMs: median(cpu), kernels };
}

if (process.argv[1] && fileURLToPath(import.meta.url) === path.resolve(process.argv[1])) {
  const arg = (k: string): number | undefined => { const i = process.argv.indexOf(k); return i > 0 ? Number(process.argv[i + 1]) : undefined; };
  const { stepCpuMs, kernels } = await profileUnetStep({ rows: arg('--rows'), reps: arg('--reps'), reference: process.argv.includes('--reference') });
  const total = kernels.reduce((a, k) => a + k[1], 0);
  console.log(`U-Net forward+backward, ${arg('--rows') ?? 16} rows: CPU ${stepCpuMs.toFixed(1)} ms (median), of which in kernels ${total.toFixed(1)} ms; load average ${os.loadavg()[0].toFixed(1)}`);
  console.log('| kernel | CPU ms / step | share of kernel time | calls / step |\n|---|---:|---:|---:|');
  for (const [k, ms, calls] of kernels) if (ms >= 0.1) console.log(`| ${k} | ${ms.toFixed(1)} | ${((100 * ms) / total).toFixed(1)}% | ${calls} |`);
}
