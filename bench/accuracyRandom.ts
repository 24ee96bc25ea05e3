/**
 * The issue-12 goal on mixtures nothing was tuned to: random 2-D Gaussian mixtures (2-8 components
 * in [-3, 3]^2, log-uniform stds 0.03-0.6, uneven weights, vp-linear), `tune --sampler auto` with
 * its defaults (tuning seed = mixture seed + 1) against every configuration the peers offer (UniPC
 * bh1/bh2 order 2/3, DPM-Solver++(2M), DPM-Solver++(3M) reference form, on logSNR, time_uniform and
 * time_quadratic grids: sdekit's unipc and dpm-solver++ reproduce the reference code, see
 * test/sample/reference.test.ts), RMS to the exact PF-ODE solution (rk45 at 1e-10) on held-out
 * points. Prints one row per mixture and budget with the ratio best peer / tuned (goal: >= 2 at 10
 * NFE, > 1 at 5 NFE). A measurement, not a test: it takes minutes per mixture.
 *
 *   npx tsx bench/accuracyRandom.ts [--mixtures 4] [--seed 2026] [--test-n 40000] [--steps 10,5] [--n N]
 *   npx tsx bench/accuracyRandom.ts --cases 5:0,8:3 ...   (given components:mixture-seed pairs)
 *   ... --tuned K (samplers tuned) --refine E (second-stage evaluations per sampler)
 */
import { GaussianMixtureModel } from '../src/score/gmm.ts';
import { createRng } from '../src/rng.ts';
import { sample } from '../src/sample/sample.ts';
import type { SampleOptions } from '../src/sample/sample.ts';
import { rmsDistance, tuneAuto } from '../src/sample/tune.ts';
import { loadScheme } from '../src/scheme/load.ts';

const PEERS: { label: string; sampler: string; opts: Partial<SampleOptions> }[] = [
  ...(['bh1', 'bh2'] as const).flatMap((variant) => [2, 3].map((order) => ({ label: `unipc ${variant} ${order}`, sampler: 'unipc', opts: { variant, order } }))),
  { label: 'dpm-solver++2m', sampler: 'dpm-solver++2m', opts: {} },
  { label: 'dpm-solver++3m reference', sampler: 'dpm-solver++3m', opts: { form: 'reference' } },
];

const arg = (name: string, dflt: string): string => {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 && i + 1 < process.argv.length ? process.argv[i + 1] : dflt;
};
const mixtures = Number(arg('mixtures', '4'));
const testN = Number(arg('test-n', '40000'));
const budgets = arg('steps', '10,5').split(',').map(Number);
const tuneN = process.argv.includes('--n') ? Number(arg('n', '0')) : undefined;
const refine = process.argv.includes('--refine') ? Number(arg('refine', '0')) : undefined;
const tuned = process.argv.includes('--tuned') ? Number(arg('tuned', '3')) : undefined;
const s = loadScheme('vp-linear');
const pick = createRng(Number(arg('seed', '2026')));
console.log('| components | mixture seed | NFE | tuned (sampler, options) | RMS | best peer configuration | RMS | peer / tuned | tuning NFE |');
console.log('|---|---|---|---|---|---|---|---|---|');
const given = process.argv.includes('--cases') ? arg('cases', '').split(',').map((c) => c.split(':').map(Number)) : null;
for (let m = 0; m < (given ? given.length : mixtures); m++) {
  const k = given ? given[m][0] : 2 + Math.floor(pick.uniform() * 7);
  const seed = given ? given[m][1] : Math.floor(pick.uniform() * 1e6);
  const rng = createRng(seed);
  const model = new GaussianMixtureModel({
    weights: Array.from({ length: k }, () => 0.1 + rng.uniform()),
    means: Array.from({ length: k }, () => [6 * rng.uniform() - 3, 6 * rng.uniform() - 3]),
    stds: Array.from({ length: k }, () => 0.03 * Math.exp(rng.uniform() * Math.log(0.6 / 0.03))),
  });
  const noise = createRng(seed + 7).fillNormal(new Float64Array(testN * 2));
  const exact = (await sample({ scheme: s, model, sampler: 'rk45', steps: 1, spacing: 'uniform-t', noise, rtol: 1e-10, atol: 1e-10 })).samples;
  for (const steps of budgets) {
    let peer = Infinity, peerLabel = '';
    for (const p of PEERS) {
      for (const spacing of ['logsnr', 'uniform-t', 'time-quadratic'] as const) {
        const e = rmsDistance((await sample({ scheme: s, model, sampler: p.sampler, steps, spacing, noise, ...p.opts })).samples, exact, testN);
        if (e < peer) { peer = e; peerLabel = `${p.label} ${spacing}`; }
      }
    }
    {
      const t = await tuneAuto({ scheme: s, model, steps, seed: seed + 1, n: tuneN, tuned, refine });
      const ours = rmsDistance((await sample({ scheme: s, model, sampler: t.sampler, steps, times: t.times, noise, ...t.samplerOptions })).samples, exact, testN);
      console.log(`| ${k} | ${seed} | ${steps} | ${t.sampler} ${JSON.stringify(t.samplerOptions)} (n ${t.n}${refine ? `, refine ${refine}` : ''}) | ${ours.toPrecision(3)} | ${peerLabel} | ${peer.toPrecision(3)} | ${(peer / ours).toFixed(2)} | ${t.nfe} |`);
    }
  }
}
