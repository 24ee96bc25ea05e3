/**
 * Issue 14 part 2 probe: CPU time of one worker's forward + backward on a shard of R rows (default
 * 256, the default batch over 2 workers) of sdekit's default MLP (130-256-256-256-2) under the DSM
 * loss: explicit back-propagation (src/train/mlpBackprop.ts, what the workers run) against
 * tf.valueAndGrads (what they ran before), interleaved, medians of 20, gradients read back each time.
 *
 *   npx tsx bench/probes/mlpBackprop.ts [R]
 */
import * as tf from '@tensorflow/tfjs';
import { initBackend } from '../../src/backend/select.ts';
import { mlpDsmGradients } from '../../src/train/mlpBackprop.ts';
import type { MlpConfig } from '../../src/score/mlp.ts';
import { createNet } from '../../src/score/net.ts';
import { initWeights, type Weights } from '../../src/score/layers.ts';
import { dsmLoss } from '../../src/train/dsmLoss.ts';
import { registerWasmTrainingKernels } from '../../src/backend/wasmKernels.ts';
import { Rng } from '../../src/rng.ts';
await initBackend('wasm'); registerWasmTrainingKernels();
const rows = Number(process.argv[2] ?? 256);
const cfg: MlpConfig = { kind: 'mlp', dim: 2, hidden: [256, 256, 256], embDim: 128, numClasses: 0 };
const net = createNet(cfg);
const w = initWeights(net.specs, new Rng(0)); const names = net.specs.map((s) => s.name);
const b = { x: tf.randomNormal([rows, 2]), cNoise: tf.randomNormal([rows]) as tf.Tensor1D, labels: null, target: tf.randomNormal([rows, 2]), weight: tf.ones([rows]) as tf.Tensor1D };
const cpu = () => { const c = process.cpuUsage(); return c.user + c.system; };
function explicit() { const ws: Weights = {}; for (const n of names) ws[n] = tf.clone(w[n]); const { grads, loss } = mlpDsmGradients(cfg, ws, b, 1); for (const g of grads) g.dataSync(); tf.dispose([...grads, loss, ...Object.values(ws)]); }
function auto() { const ws = names.map((n) => tf.clone(w[n])); const { value, grads } = tf.valueAndGrads((...xs: tf.Tensor[]) => { const o: Weights = {}; names.forEach((n, i) => (o[n] = xs[i])); return dsmLoss(net, o, b); })(ws); for (const g of grads) g.dataSync(); tf.dispose([value, ...grads, ...ws]); }
for (let i = 0; i < 3; i++) { explicit(); auto(); }
const E: number[] = [], A: number[] = [];
for (let r = 0; r < 20; r++) { let c = cpu(); explicit(); E.push((cpu() - c) / 1000); c = cpu(); auto(); A.push((cpu() - c) / 1000); }
const med = (x: number[]) => x.sort((a, b) => a - b)[x.length >> 1];
console.log(`rows ${rows}: explicit ${med(E).toFixed(2)} ms CPU, autodiff ${med(A).toFixed(2)} ms CPU`);
