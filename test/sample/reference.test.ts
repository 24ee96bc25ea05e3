/**
 * Agreement with independent re-implementations of the published algorithms in their reference
 * form (written here from the papers, not from src/): k-diffusion's Euler, Heun and DPM-Solver++(2M)
 * in VE sigma on EDM with a Karras grid; DPM-Solver-1/2/3 (single-step, "fast" split, time_uniform
 * inner steps) and DPM-Solver++(2M) with DPM-Solver's NoiseScheduleVP closed forms on vp-linear
 * with a uniform-t grid from 1 to 1e-3. Same noise in, agreement to 1e-9.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { GaussianMixtureModel } from '../../src/score/gmm.ts';
import { createRng } from '../../src/rng.ts';
import { sample } from '../../src/sample/sample.ts';
import { fastOrders } from '../../src/sample/dpmSolver.ts';
import { scheme } from './fixtures.ts';

const spec = { weights: [0.2, 0.5, 0.3], means: [[-2, 1], [0.5, 0.5], [3, -1]], stds: [0.4, 0.6, 0.3] };
const x0Model = new GaussianMixtureModel(spec, { parameterization: 'x0' });
const epsModel = new GaussianMixtureModel(spec, { parameterization: 'eps' });
const N = 16;
const noise = createRng(11).fillNormal(new Float64Array(N * 2));

type Vec = Float64Array;
const axpby = (a: number, x: Vec, b: number, y: Vec): Vec => x.map((v, i) => a * v + b * y[i]);
const denoise = (x: Vec, sigma: number): Vec => { const o = new Float64Array(x.length); x0Model.predict(x, N, { t: sigma, alpha: 1, sigma }, o); return o; };

function assertClose(a: Vec, b: Vec, tol: number, what: string): void {
  let m = 0;
  for (let i = 0; i < a.length; i++) m = Math.max(m, Math.abs(a[i] - b[i]) / (1 + Math.abs(b[i])));
  assert.ok(m < tol, `${what}: max relative difference ${m.toExponential(2)}`);
}

function karrasSigmas(n: number, smin: number, smax: number, rho = 7): number[] {
  const a = smax ** (1 / rho), b = smin ** (1 / rho);
  return [...Array.from({ length: n }, (_, i) => (a + (n === 1 ? 0 : i / (n - 1)) * (b - a)) ** rho), 0];
}

/** k-diffusion sample_euler / sample_heun / sample_dpmpp_2m (no churn), sigma-parameterised. */
function kdiffusion(kind: 'euler' | 'heun' | 'dpmpp2m', n: number): { x: Vec; nfe: number } {
  const sig = karrasSigmas(n, 0.002, 80);
  let x: Vec = noise.map((v) => v * sig[0]);
  let nfe = 0;
  let old: Vec | null = null;
  for (let i = 0; i < n; i++) {
    const s = sig[i], sn = sig[i + 1];
    const D = denoise(x, s); nfe++;
    if (kind === 'dpmpp2m') {
      const t = -Math.log(s), tn = -Math.log(sn), h = tn - t;
      if (old === null || sn === 0) x = axpby(sn / s, x, -Math.expm1(-h), D);
      else {
        const r = (t - -Math.log(sig[i - 1])) / h;
        const Dd = axpby(1 + 1 / (2 * r), D, -1 / (2 * r), old);
        x = axpby(sn / s, x, -Math.expm1(-h), Dd);
      }
      old = D;
      continue;
    }
    const d = axpby(1 / s, x, -1 / s, D);
    if (kind === 'euler' || sn === 0) { x = axpby(1, x, sn - s, d); continue; }
    const x2 = axpby(1, x, sn - s, d);
    const D2 = denoise(x2, sn); nfe++;
    const d2 = axpby(1 / sn, x2, -1 / sn, D2);
    x = x.map((v, j) => v + (sn - s) * 0.5 * (d[j] + d2[j]));
  }
  return { x, nfe };
}

test('EDM + Karras: euler, heun, dpm-solver++2m equal k-diffusion (nfe n, 2n - 1, n)', async () => {
  const s = scheme('edm');
  for (const n of [1, 2, 5, 18, 40]) {
    for (const [ours, kd] of [['euler', 'euler'], ['heun', 'heun'], ['dpm-solver++2m', 'dpmpp2m']] as const) {
      const r = await sample({ scheme: s, model: x0Model, sampler: ours, steps: n, spacing: 'karras', noise });
      const ref = kdiffusion(kd, n);
      assertClose(r.samples, ref.x, 1e-9, `${ours} n=${n}`);
      assert.equal(r.nfe, ref.nfe, `${ours} n=${n} nfe`);
    }
  }
});

// DPM-Solver's NoiseScheduleVP('linear'), beta in [0.1, 20], written from the paper.
const b0 = 0.1, b1 = 20;
const logAlpha = (t: number) => -0.25 * t * t * (b1 - b0) - 0.5 * t * b0;
const sigmaVp = (t: number) => Math.sqrt(1 - Math.exp(2 * logAlpha(t)));
const lam = (t: number) => logAlpha(t) - Math.log(sigmaVp(t));
const invLam = (l: number) => {
  const tmp = 2 * (b1 - b0) * Math.log1p(Math.exp(-2 * l));
  return tmp / (Math.sqrt(b0 * b0 + tmp) + b0) / (b1 - b0);
};
const epsAt = (x: Vec, t: number): Vec => { const o = new Float64Array(x.length); epsModel.predict(x, N, { t, alpha: Math.exp(logAlpha(t)), sigma: sigmaVp(t) }, o); return o; };
const dataAt = (x: Vec, t: number): Vec => { const o = new Float64Array(x.length); x0Model.predict(x, N, { t, alpha: Math.exp(logAlpha(t)), sigma: sigmaVp(t) }, o); return o; };

/** singlestep DPM-Solver (noise prediction, 'dpmsolver' type), reference form. */
function dpmSolverRef(order: 1 | 2 | 3, steps: number): { x: Vec; nfe: number } {
  const fine = Array.from({ length: steps + 1 }, (_, i) => 1 + (i / steps) * (1e-3 - 1));
  const orders = fastOrders(steps, order);
  let x: Vec = noise.map((v) => v * sigmaVp(1));
  let idx = 0, nfe = 0;
  for (const k of orders) {
    const s = fine[idx], t = fine[idx + k];
    const inner = Array.from({ length: k + 1 }, (_, j) => s + (j / k) * (t - s)); // time_uniform inner steps
    const h = lam(t) - lam(s);
    const r1 = (lam(inner[1]) - lam(s)) / h, r2 = k === 3 ? (lam(inner[2]) - lam(s)) / h : 0;
    const e0 = epsAt(x, s); nfe++;
    const ea = (u: number) => Math.exp(logAlpha(u) - logAlpha(s));
    if (k === 1) x = axpby(ea(t), x, -sigmaVp(t) * Math.expm1(h), e0);
    else if (k === 2) {
      const s1 = invLam(lam(s) + r1 * h);
      const x1 = axpby(ea(s1), x, -sigmaVp(s1) * Math.expm1(r1 * h), e0);
      const e1 = epsAt(x1, s1); nfe++;
      x = x.map((v, j) => ea(t) * v - sigmaVp(t) * Math.expm1(h) * e0[j] - (0.5 / r1) * sigmaVp(t) * Math.expm1(h) * (e1[j] - e0[j]));
    } else {
      const s1 = invLam(lam(s) + r1 * h), s2 = invLam(lam(s) + r2 * h);
      const phi22 = Math.expm1(r2 * h) / (r2 * h) - 1, phi2 = Math.expm1(h) / h - 1;
      const x1 = axpby(ea(s1), x, -sigmaVp(s1) * Math.expm1(r1 * h), e0);
      const e1 = epsAt(x1, s1); nfe++;
      const x2 = x.map((v, j) => ea(s2) * v - sigmaVp(s2) * Math.expm1(r2 * h) * e0[j] - (r2 / r1) * sigmaVp(s2) * phi22 * (e1[j] - e0[j]));
      const e2 = epsAt(x2, s2); nfe++;
      x = x.map((v, j) => ea(t) * v - sigmaVp(t) * Math.expm1(h) * e0[j] - (1 / r2) * sigmaVp(t) * phi2 * (e2[j] - e0[j]));
    }
    idx += k;
  }
  return { x, nfe };
}

/** multistep DPM-Solver++(2M), reference form (first step order 1, lower order final when steps < 10). */
function dpmpp2mRef(steps: number): Vec {
  return dpmppMultistepRef(2, steps);
}

/**
 * multistep DPM-Solver++(2M)/(3M) as dpm-solver's `multistep_dpm_solver_{second,third}_update`
 * (data prediction, solver_type 'dpmsolver'): warm start with orders 1, 2; lower order final when steps < 10.
 */
function dpmppMultistepRef(order: 2 | 3, steps: number): Vec {
  const ts = Array.from({ length: steps + 1 }, (_, i) => 1 + (i / steps) * (1e-3 - 1));
  let x: Vec = noise.map((v) => v * sigmaVp(1));
  const hist: Vec[] = [];
  for (let i = 0; i < steps; i++) {
    const s = ts[i], t = ts[i + 1], h = lam(t) - lam(s), phi1 = Math.expm1(-h), at = Math.exp(logAlpha(t));
    const m0 = dataAt(x, s);
    hist.unshift(m0);
    let k = Math.min(order, i + 1);
    if (steps < 10) k = Math.min(k, steps - i);
    const a = sigmaVp(t) / sigmaVp(s);
    if (k === 1) x = axpby(a, x, -at * phi1, m0);
    else if (k === 2) {
      const r0 = (lam(s) - lam(ts[i - 1])) / h;
      const p = hist[1];
      x = x.map((v, j) => a * v - at * phi1 * m0[j] - 0.5 * at * phi1 * (m0[j] - p[j]) / r0);
    } else {
      const r0 = (lam(s) - lam(ts[i - 1])) / h, r1 = (lam(ts[i - 1]) - lam(ts[i - 2])) / h;
      const phi2 = phi1 / h + 1, phi3 = phi2 / h - 0.5;
      x = x.map((v, j) => {
        const d10 = (m0[j] - hist[1][j]) / r0, d11 = (hist[1][j] - hist[2][j]) / r1;
        const D1 = d10 + (r0 / (r0 + r1)) * (d10 - d11), D2 = (d10 - d11) / (r0 + r1);
        return a * v - at * phi1 * m0[j] + at * phi2 * D1 - at * phi3 * D2;
      });
    }
  }
  return x;
}

test('vp-linear + uniform-t (1 to 1e-3): dpm-solver-1/2/3, dpm-solver++2m and dpm-solver++3m --form reference equal the reference form', async () => {
  const s = scheme('vp-linear');
  for (const steps of [1, 2, 3, 4, 5, 6, 7, 10, 11, 20]) {
    for (const order of [1, 2, 3] as const) {
      const r = await sample({ scheme: s, model: epsModel, sampler: `dpm-solver-${order}`, steps, noise, spacing: 'uniform-t' });
      const ref = dpmSolverRef(order, steps);
      assertClose(r.samples, ref.x, 1e-9, `dpm-solver-${order} steps=${steps}`);
      assert.equal(r.nfe, steps);
      assert.equal(ref.nfe, steps);
    }
    const r2 = await sample({ scheme: s, model: x0Model, sampler: 'dpm-solver++2m', steps, noise, spacing: 'uniform-t' });
    assertClose(r2.samples, dpmpp2mRef(steps), 1e-9, `dpm-solver++2m steps=${steps}`);
    assert.equal(r2.nfe, steps);
    const r3 = await sample({ scheme: s, model: x0Model, sampler: 'dpm-solver++3m', steps, noise, spacing: 'uniform-t', form: 'reference' });
    assertClose(r3.samples, dpmppMultistepRef(3, steps), 1e-9, `dpm-solver++3m --form reference steps=${steps}`);
    assert.equal(r3.nfe, steps);
  }
});

test('the "fast" order split of DPM-Solver uses exactly `steps` evaluations', () => {
  assert.deepEqual(fastOrders(1, 3), [1]);
  assert.deepEqual(fastOrders(2, 3), [2]);
  assert.deepEqual(fastOrders(3, 3), [2, 1]);
  assert.deepEqual(fastOrders(6, 3), [3, 2, 1]);
  assert.deepEqual(fastOrders(7, 3), [3, 3, 1]);
  assert.deepEqual(fastOrders(8, 3), [3, 3, 2]);
  assert.deepEqual(fastOrders(5, 2), [2, 2, 1]);
  for (let n = 1; n <= 60; n++) for (const o of [1, 2, 3] as const) assert.equal(fastOrders(n, o).reduce((a, b) => a + b, 0), n);
});

/** dense solve by Cramer's rule (n <= 3): an independent small solver for the UniPC transcription */
function cramer(A: number[][], b: number[]): number[] {
  const det = (M: number[][]): number => M.length === 1 ? M[0][0]
    : M.length === 2 ? M[0][0] * M[1][1] - M[0][1] * M[1][0]
      : M[0].reduce((acc, v, j) => acc + (j % 2 ? -1 : 1) * v * det(M.slice(1).map((r) => r.filter((_, k) => k !== j))), 0);
  const d = det(A);
  return b.map((_, j) => det(A.map((row, i) => row.map((v, k) => (k === j ? b[i] : v)))) / d);
}

/**
 * UniPC, multistep, data prediction, B(h) variants bh1/bh2, lower_order_final, no corrector after
 * the last step (Zhao et al. 2023; transcribed from the paper's Algorithms 2-3 and the reference
 * `uni_pc.py` `multistep_uni_pc_bh_update` / `sample`, with its phi recursion h_phi_k / hh - 1/k!).
 */
function unipcRef(order: number, variant: 'bh1' | 'bh2', ts: number[]): { x: Vec; nfe: number } {
  const steps = ts.length - 1;
  let x: Vec = noise.map((v) => v * sigmaVp(ts[0]));
  let nfe = 0;
  const model = (y: Vec, t: number): Vec => { nfe++; return dataAt(y, t); };
  const tList = [ts[0]];
  const mList = [model(x, ts[0])];
  const update = (t: number, k: number, corrector: boolean): Vec | null => {
    const tp = tList[tList.length - 1], m0 = mList[mList.length - 1];
    const h = lam(t) - lam(tp);
    const rks: number[] = [], D1s: Vec[] = [];
    for (let i = 1; i < k; i++) {
      const rk = (lam(tList[tList.length - 1 - i]) - lam(tp)) / h;
      rks.push(rk);
      D1s.push(mList[mList.length - 1 - i].map((v, j) => (v - m0[j]) / rk));
    }
    rks.push(1);
    const hh = -h, hPhi1 = Math.expm1(hh);
    let hPhiK = hPhi1 / hh - 1, fact = 1;
    const Bh = variant === 'bh1' ? hh : Math.expm1(hh);
    const R: number[][] = [], b: number[] = [];
    for (let i = 1; i <= k; i++) {
      R.push(rks.map((r) => r ** (i - 1)));
      b.push((hPhiK * fact) / Bh);
      fact *= i + 1;
      hPhiK = hPhiK / hh - 1 / fact;
    }
    const at = Math.exp(logAlpha(t));
    const xBase = x.map((v, j) => (sigmaVp(t) / sigmaVp(tp)) * v - at * hPhi1 * m0[j]);
    let rhoP: number[] = [];
    if (D1s.length > 0) rhoP = k === 2 ? [0.5] : cramer(R.slice(0, -1).map((r) => r.slice(0, -1)), b.slice(0, -1));
    const xt = xBase.map((v, j) => v - at * Bh * D1s.reduce((acc, D, q) => acc + rhoP[q] * D[j], 0));
    if (!corrector) { x = xt; return null; }
    const rhoC = k === 1 ? [0.5] : cramer(R, b);
    const mt = model(xt, t);
    x = xBase.map((v, j) => v - at * Bh * (D1s.reduce((acc, D, q) => acc + rhoC[q] * D[j], 0) + rhoC[k - 1] * (mt[j] - m0[j])));
    return mt;
  };
  for (let step = 1; step < order; step++) {
    const mt = update(ts[step], step, true)!;
    tList.push(ts[step]); mList.push(mt);
  }
  for (let step = order; step <= steps; step++) {
    const k = Math.min(order, steps + 1 - step);
    const mt = update(ts[step], k, step !== steps);
    tList.push(ts[step]); mList.push(mt ?? new Float64Array(0));
    if (tList.length > order) { tList.shift(); mList.shift(); }
  }
  return { x, nfe };
}

test('vp-linear (1 to 1e-3): unipc equals the reference UniPC on each of its grids, orders 1-3, bh1 and bh2', async () => {
  const s = scheme('vp-linear');
  const grids = {
    'uniform-t': (n: number) => Array.from({ length: n + 1 }, (_, i) => 1 + (i / n) * (1e-3 - 1)),
    logsnr: (n: number) => Array.from({ length: n + 1 }, (_, i) => invLam(lam(1) + (i / n) * (lam(1e-3) - lam(1)))),
    'time-quadratic': (n: number) => Array.from({ length: n + 1 }, (_, i) => (1 + (i / n) * (Math.sqrt(1e-3) - 1)) ** 2),
  } as const;
  for (const [spacing, ts] of Object.entries(grids) as [keyof typeof grids, (n: number) => number[]][]) {
    for (const steps of [3, 4, 5, 6, 8, 10, 15, 20]) {
      for (const order of [1, 2, 3]) {
        for (const variant of ['bh1', 'bh2'] as const) {
          const r = await sample({ scheme: s, model: x0Model, sampler: 'unipc', steps, noise, spacing, order, variant });
          const ref = unipcRef(order, variant, ts(steps));
          assertClose(r.samples, ref.x, 1e-9, `unipc ${spacing} order ${order} ${variant} steps=${steps}`);
          assert.equal(r.nfe, steps);
          assert.equal(ref.nfe, steps);
        }
      }
    }
  }
});
