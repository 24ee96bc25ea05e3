/**
 * `sdekit demo [--json] [--n N] [--steps N] [--train-steps N] [--out DIR]` (what `npm start` runs):
 * derive and prove every built-in scheme, then sample a 2-D ring of 8 Gaussians with the exact
 * mixture score by dpm-solver++2m (20 steps) under each scheme, and print one table: derivation
 * methods, proofs passed, terminal KL, and the sliced Wasserstein distance of the samples to exact
 * data samples. Then train an MLP score model on the same ring under vp-linear (default 1000 steps,
 * `--train-steps 0` skips it; with --json only when asked) into `--out` (default runs/demo): the
 * run folder gets the checkpoint, the loss curve and a scatter plot of samples from the model.
 */
import { allowOnly, bool, num, parseArgs, str } from './args.ts';
import { BUILTIN_NAMES } from '../scheme/builtins.ts';
import { loadDeclared } from '../scheme/load.ts';
import { runProofs } from '../proofs/runner.ts';
import { GaussianMixtureModel } from '../score/gmm.ts';
import { sample } from '../sample/sample.ts';
import { Rng, createRng } from '../rng.ts';
import { slicedWasserstein } from '../sample/slicedWasserstein.ts';

const RING8 = {
  weights: Array(8).fill(1 / 8),
  means: Array.from({ length: 8 }, (_, k) => [2 * Math.cos((2 * Math.PI * k) / 8), 2 * Math.sin((2 * Math.PI * k) / 8)]),
  stds: Array(8).fill(0.1),
};

export async function run(argv: string[]): Promise<number> {
  const a = parseArgs(argv);
  allowOnly(a, ['n', 'steps', 'train-steps', 'out', 'backend']);
  const n = num(a, 'n', 10000, { min: 10, integer: true });
  const steps = num(a, 'steps', 20, { min: 1, integer: true });
  const model = new GaussianMixtureModel(RING8);
  const exact = model.sampleData(n, createRng(12345));
  const rows = [];
  let failed = 0;
  for (const name of BUILTIN_NAMES) {
    const t0 = performance.now();
    const { scheme, report } = loadDeclared(name);
    const deriveMs = performance.now() - t0;
    const proofs = runProofs(scheme);
    const passed = proofs.filter((p) => p.ok).length;
    failed += proofs.length - passed;
    const symbolic = Object.values(scheme.quantities).filter((q) => q.method === 'symbolic').length;
    const res = await sample({ scheme, model, sampler: 'dpm-solver++2m', steps, spacing: 'logsnr', n, seed: 1 });
    const sw = slicedWasserstein(res.samples, exact, 2, 64, { p: 2, rng: new Rng(7) });
    rows.push({ scheme: name, form: scheme.form, symbolic: `${symbolic}/${Object.keys(scheme.quantities).length}`, inverse: scheme.inverse.method, terminalKl: report.terminalKl, proofs: `${passed}/${proofs.length}`, failedProofs: proofs.filter((p) => !p.ok).map((p) => p.id), deriveMs, sw, nfe: res.nfe });
  }
  // reference: the distance between two independent exact sample sets of the same size
  const floor = slicedWasserstein(model.sampleData(n, createRng(999)), exact, 2, 64, { p: 2, rng: new Rng(7) });
  const json = bool(a, 'json');
  const trainSteps = num(a, 'train-steps', json ? 0 : 1000, { min: 0, integer: true });
  if (json) {
    console.log(JSON.stringify({ rows, swFloor: floor, sampler: 'dpm-solver++2m', steps, n }, null, 2));
    if (failed) return 1;
    return trainSteps > 0 ? trainDemo(a, trainSteps, true) : 0;
  }
  console.log(`sdekit demo: every built-in scheme derived, proved, and sampled (ring of 8 Gaussians, exact score, dpm-solver++2m, ${steps} steps uniform in logSnr, ${n} points)\n`);
  console.log(['scheme', 'form', 'closed forms', 'inverse', 'terminal KL', 'proofs', 'derive ms', 'NFE', 'SW2 to data'].map((h, i) => (i === 0 ? h.padEnd(19) : h.padStart(14))).join(''));
  for (const r of rows) {
    console.log([r.scheme.padEnd(19), r.form, r.symbolic, r.inverse, r.terminalKl.toExponential(1), r.proofs, r.deriveMs.toFixed(0), String(r.nfe), r.sw.toFixed(4)].map((c, i) => (i === 0 ? c : c.padStart(14))).join(''));
    if (r.failedProofs.length) console.log(`    failed: ${r.failedProofs.join(', ')}`);
  }
  console.log(`\nSW2 between two independent exact sample sets of the same size (the noise floor): ${floor.toFixed(4)}`);
  console.log(failed ? `${failed} proof(s) failed` : 'all proofs passed');
  if (failed) return 1;
  if (trainSteps === 0) return 0;
  console.log(`\nNow a learned score: an MLP trained on the ring under vp-linear for ${trainSteps} steps (sdekit train), then sampled.`);
  return trainDemo(a, trainSteps, false);
}

/** The train-and-sample part: `sdekit train` on ring8 (its defaults), which previews samples and SW2. */
async function trainDemo(a: ReturnType<typeof parseArgs>, steps: number, json: boolean): Promise<number> {
  const { run: trainRun } = await import('./train.ts');
  const argv = ['--scheme', 'vp-linear', '--data', 'ring8', '--steps', String(steps), '--out', str(a, 'out') ?? 'runs/demo'];
  const backend = str(a, 'backend');
  if (backend !== undefined) argv.push('--backend', backend);
  if (json) argv.push('--json');
  return trainRun(argv);
}
