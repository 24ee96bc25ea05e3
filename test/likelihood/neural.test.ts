/**
 * The network's divergence by autodiff (exact: D vector-Jacobian products in one replicated batch;
 * Hutchinson: z^T J z) agrees with float64 central differences of the same model seen as a plain
 * host model, for every parameterisation and with classifier-free guidance; its score agrees with
 * predict() through the view conversions.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as tf from '@tensorflow/tfjs';
import { initTrainBackend } from '../../src/train/backend.ts';
import { initWeights } from '../../src/score/layers.ts';
import { createMlp } from '../../src/score/mlp.ts';
import { convertViews } from '../../src/reverse/parameterization.ts';
import type { ScoreModel } from '../../src/score/model.ts';
import { NeuralScoreModel } from '../../src/score/neural.ts';
import { PREDS, type HeadConfig } from '../../src/score/precond.ts';
import { scoreAndDivergence, rademacher } from '../../src/likelihood/divergence.ts';
import { Rng } from '../../src/rng.ts';

await initTrainBackend('wasm');

function hostView(m: ScoreModel): ScoreModel {
  return { dim: m.dim, parameterization: m.parameterization, predict: (x, n, at, out) => m.predict(x, n, at, out) };
}

/** Central differences of the score along direction v (per row), step h large enough for float32 outputs. */
async function fdAlong(m: ScoreModel, x: Float64Array, n: number, at: { t: number; alpha: number; sigma: number }, v: Float64Array, h = 3e-3): Promise<Float64Array> {
  const D = m.dim, xp = x.map((xi, i) => xi + h * v[i]), xm = x.map((xi, i) => xi - h * v[i]);
  const score = async (y: Float64Array): Promise<Float64Array> => { const nat = new Float64Array(n * D), s = new Float64Array(n * D); await m.predict(y, n, at, nat); convertViews(m.parameterization, y, nat, at, { score: s }); return s; };
  const sp = await score(xp), sm = await score(xm);
  const d = new Float64Array(n);
  for (let i = 0; i < n; i++) for (let j = 0; j < D; j++) d[i] += (v[i * D + j] * (sp[i * D + j] - sm[i * D + j])) / (2 * h);
  return d;
}

const cfgs: { head: HeadConfig; classes: number; guidance: number }[] = [
  ...PREDS.map((pred) => ({ head: { pred, precond: 'none' as const, sigmaData: 1 }, classes: 0, guidance: 0 })),
  { head: { pred: 'x0', precond: 'edm', sigmaData: 0.5 }, classes: 0, guidance: 0 },
  { head: { pred: 'eps', precond: 'none', sigmaData: 1 }, classes: 4, guidance: 1.5 },
];

for (const c of cfgs) {
  test(`autodiff divergence == finite differences (${c.head.pred}${c.head.precond === 'edm' ? ', EDM' : ''}${c.guidance ? ', CFG w = 1.5' : ''})`, async () => {
    const D = 3, n = 5;
    const net = createMlp({ kind: 'mlp', dim: D, hidden: [16, 16], embDim: 8, numClasses: c.classes });
    const w = initWeights(net.specs, new Rng(11));
    const model = new NeuralScoreModel(net, w, c.head, [D], c.classes, c.classes ? { classLabel: 2, guidance: c.guidance } : {});
    const rng = new Rng(4);
    const x = rng.fillNormal(new Float64Array(n * D));
    const at = { t: 0.3, alpha: 0.8, sigma: 0.6 };
    const s1 = new Float64Array(n * D), d1 = new Float64Array(n), s2 = new Float64Array(n * D), d2 = new Float64Array(n);
    await scoreAndDivergence(model, x, n, at, { kind: 'exact' }, s1, d1);
    await scoreAndDivergence(hostView(model), x, n, at, { kind: 'exact' }, s2, d2); // host path: score only is compared
    for (let i = 0; i < n * D; i++) assert.ok(Math.abs(s1[i] - s2[i]) < 1e-5 * (1 + Math.abs(s2[i])), `score ${i}: ${s1[i]} vs ${s2[i]}`);
    // float32 network: differences with h = 3e-3 (truncation ~1e-5, rounding ~1e-5)
    const exactFd = new Float64Array(n);
    for (let j = 0; j < D; j++) {
      const e = new Float64Array(n * D);
      for (let i = 0; i < n; i++) e[i * D + j] = 1;
      const dj = await fdAlong(model, x, n, at, e);
      for (let i = 0; i < n; i++) exactFd[i] += dj[i];
    }
    for (let i = 0; i < n; i++) assert.ok(Math.abs(d1[i] - exactFd[i]) < 2e-3 * (1 + Math.abs(exactFd[i])), `div ${i}: ${d1[i]} vs ${exactFd[i]}`);
    // Hutchinson with a fixed probe z equals z^T J z
    const z = rademacher(new Rng(9), n * D);
    await scoreAndDivergence(model, x, n, at, { kind: 'hutchinson', z }, s1, d1);
    const zfd = await fdAlong(model, x, n, at, z);
    for (let i = 0; i < n; i++) assert.ok(Math.abs(d1[i] - zfd[i]) < 2e-3 * (1 + Math.abs(zfd[i])), `hutchinson ${i}: ${d1[i]} vs ${zfd[i]}`);
    tf.dispose(Object.values(w));
  });
}

test('classifier-free guidance: (1 + w) eps(c) - w eps(null) in every view', () => {
  const D = 2, n = 4;
  const net = createMlp({ kind: 'mlp', dim: D, hidden: [8], embDim: 8, numClasses: 3 });
  const w = initWeights(net.specs, new Rng(1));
  const head: HeadConfig = { pred: 'x0', precond: 'edm', sigmaData: 0.5 };
  const at = { t: 0.5, alpha: 0.7, sigma: 0.7 };
  const x = new Rng(2).fillNormal(new Float64Array(n * D));
  const eps = (cond: ConstructorParameters<typeof NeuralScoreModel>[5]): Float64Array => {
    const m = new NeuralScoreModel(net, w, head, [D], 3, cond);
    const nat = new Float64Array(n * D), e = new Float64Array(n * D);
    m.predict(x, n, at, nat);
    convertViews('x0', x, nat, at, { eps: e });
    return e;
  };
  const ec = eps({ classLabel: 1 }), eu = eps({}), eg = eps({ classLabel: 1, guidance: 2 });
  let diff = 0;
  for (let i = 0; i < n * D; i++) {
    assert.ok(Math.abs(eg[i] - (3 * ec[i] - 2 * eu[i])) < 1e-4 * (1 + Math.abs(eg[i])), `${i}`);
    diff += Math.abs(ec[i] - eu[i]);
  }
  assert.ok(diff > 1e-4, 'conditional and unconditional predictions must differ');
  tf.dispose(Object.values(w));
});
