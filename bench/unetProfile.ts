/**
 * Where one worker's share of the MNIST U-Net training step goes (issue 14): the class-conditional
 * U-Net of `sdekit train --dataset mnist --channels 32,64,64` (batch 32, so 16 rows per worker with
 * 2 workers), forward + backward by autodiff as trainWorker.ts runs it, broken down per TensorFlow.js
 * kernel with tf.profile. Also the CPU time of the whole share (process.cpuUsage, median).
 *
 *   npx tsx bench/unetProfile.ts [--rows 16] [--reps 8] [--reference]
 *
 * --reference: the plain tf-op layers (setFusedLayerKernels(false)), i.e. before sdekit's fused kernels.
 */
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

/** Per-kernel table of one worker's U-Net forward + backward: [kernel, ms per step, calls]. */
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
  const step = (): tf.Tensor[] => {
    const r = tf.valueAndGrads((...ws: tf.Tensor[]) => {
      const o: Weights = {};
      names.forEach((n, i) => (o[n] = ws[i]));
      return dsmLoss(net, o, b);
    })(names.map((n) => w[n]));
    return [r.value, ...r.grads];
  };
  for (let i = 0; i < 2; i++) tf.dispose(step());
  const cpu: number[] = [];
  const byKernel = new Map<string, { ms: number; calls: number }>();
  for (let r = 0; r < reps; r++) {
    const t = cpuMs();
    tf.dispose(step());
    cpu.push(cpuMs() - t);
    const prof = await tf.profile(step);
    for (const k of prof.kernels) {
      const e = byKernel.get(k.name) ?? { ms: 0, calls: 0 };
      e.ms += (typeof k.kernelTimeMs === 'number' ? k.kernelTimeMs : 0) / reps;
      e.calls += 1 / reps;
      byKernel.set(k.name, e);
    }
    tf.dispose(prof.result);
  }
  const kernels = [...byKernel].map(([k, v]) => [k, v.ms, Math.round(v.calls)] as [string, number, number]).sort((a, b) => b[1] - a[1]);
  return { stepCpuMs: median(cpu), kernels };
}

if (process.argv[1] && fileURLToPath(import.meta.url) === path.resolve(process.argv[1])) {
  const arg = (k: string): number | undefined => { const i = process.argv.indexOf(k); return i > 0 ? Number(process.argv[i + 1]) : undefined; };
  const { stepCpuMs, kernels } = await profileUnetStep({ rows: arg('--rows'), reps: arg('--reps'), reference: process.argv.includes('--reference') });
  const total = kernels.reduce((a, k) => a + k[1], 0);
  console.log(`U-Net forward+backward, ${arg('--rows') ?? 16} rows: CPU ${stepCpuMs.toFixed(1)} ms (median); kernel sum ${total.toFixed(1)} ms`);
  console.log('| kernel | ms / step | share | calls |\n|---|---:|---:|---:|');
  for (const [k, ms, calls] of kernels) if (ms > 0.05 * total / 100) console.log(`| ${k} | ${ms.toFixed(2)} | ${((100 * ms) / total).toFixed(1)}% | ${calls} |`);
}
