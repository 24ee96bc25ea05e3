/**
 * `sdekit sample` (DESIGN.md command-line contract):
 *
 *     sdekit sample --scheme S --score gmm:FILE | --model DIR --sampler NAME --steps N
 *                   [--spacing uniform-t|logsnr|karras|leading|trailing|linspace] [--rho R]
 *                   [--lambda L] [--eta E] [--rtol R --atol A] [--snr R] [--churn S]
 *                   [--noise FILE | --n M --seed K] --out FILE [--plot out.svg|out.png] [--json]
 *
 * Writes {"samples", "nfe", "seconds", "sampler", "scheme"} to --out; prints a summary, or with
 * --json one document {"nfe", "seconds", "backend"}; shows a progress bar on stderr when it is a
 * terminal. The exact mixture score runs as float64 host loops (backend "host"; `--backend cpu`,
 * `wasm` and `tensorflow` keep that path), or with `--backend webgpu` / `SDEKIT_BACKEND=webgpu`
 * entirely on float32 WebGPU buffers (generated kernels on Dawn, src/kernels/deviceOps.ts), reported
 * as "webgpu (<adapter>)". A `--model DIR` network runs on the TensorFlow.js backend it selects.
 */
import { allowOnly, bool, num, parseArgs, req, str } from './args.ts';
import { prepareOutput, writeOutput } from './output.ts';
import { progressBar } from './progress.ts';
import { gridSteps, samplerSettings } from './samplerFlags.ts';
import { readStepsFileSampler } from '../sample/stepsFile.ts';
import { UserError } from '../errors.ts';
import { readGmmFile } from '../data/gmmFile.ts';
import { GaussianMixtureModel, DATA_LEVEL } from '../score/gmm.ts';
import { ParallelGaussianMixtureModel } from '../score/gmmParallel.ts';
import type { ScoreModel } from '../score/model.ts';
import { openModelForCli, writeGrid, type CliModel } from '../run/load.ts';
import { BACKEND_NAMES } from '../backend/select.ts';
import { describeAdapter, probeDawn } from '../backend/webgpu.ts';
import { KernelRuntime } from '../kernels/runtime.ts';
import { webgpuDevice } from '../kernels/deviceOps.ts';
import type { SampleDevice } from '../sample/ops.ts';
import { loadScheme } from '../scheme/load.ts';
import { plotPng, plotSvg } from '../sample/plot.ts';
import { readNoiseFile, toRows } from '../sample/noiseFile.ts';
import { DEFAULT_SAMPLER, SAMPLER_NAMES, isSamplerName } from '../sample/registry.ts';
import { sample } from '../sample/sample.ts';
import { DPMPP3M_DEFAULT_FORM } from '../sample/dpmSolverPlusPlus.ts';
import { SPACINGS, defaultSpacing } from '../scheme/spacing.ts';
import type { Spacing } from '../scheme/spacing.ts';

const FLAGS = [
  'scheme', 'score', 'model', 'sampler', 'steps', 'spacing', 'rho', 'lambda', 'eta', 'rtol', 'atol', 'snr',
  'churn', 'noise', 'n', 'seed', 'out', 'plot', 'order', 'variant', 'lower-order-final', 'form', 'steps-file',
  'class', 'guidance', 'grid', 'classifier', // --model DIR (trained runs, src/run/load.ts)
];

/** Run the command; returns the exit code. */
export async function run(argv: string[]): Promise<number> {
  const a = parseArgs(argv);
  if (bool(a, 'help')) {
    console.log(`usage: sdekit sample --scheme S --score gmm:FILE | --model DIR --steps N --out FILE [--sampler NAME (default ${DEFAULT_SAMPLER})]
  [--class C] [--guidance W] [--classifier DIR] [--grid digits.png]   (--model: a run folder of sdekit train)
  [--spacing auto|${SPACINGS.join('|')} (default: with --sampler auto its measured grid; else the scheme's "sampling", else logsnr with --model, uniform-t with --score)] [--rho 7] [--lambda 1] [--eta E] [--rtol 1e-5 --atol 1e-5]
  [--snr 0.16] [--churn 0] [--noise FILE | --n 1000 --seed 0] [--plot out.svg|out.png] [--json]
  [--order K] (unipc, deis: 1..3, default 3; ipndm: 1..4, default 4) [--variant bh1|bh2] (unipc, default bh2)
  [--lower-order-final on|off] (unipc: order-1 last step as the reference, default on)
  [--form reference|taylor] (dpm-solver++3m: dpm-solver's D2 term, or ours; default ${DPMPP3M_DEFAULT_FORM})
  [--steps-file steps.json] ({"t": [T, ..., t_end]} strictly descending in [t0, T], e.g. from sdekit tune; replaces --spacing; without --sampler, the file's "sampler" and "options" when it has them)
  [--backend host|cpu|wasm|webgpu|tensorflow]  (gmm: webgpu = float32 device buffers, others = float64 host loops)
samplers: auto (default: the sampler, settings and grid measured most accurate for the budget and the kind of scheme, src/sample/auto.ts), ${SAMPLER_NAMES.join(', ')}`);
    return 0;
  }
  allowOnly(a, FLAGS);
  const schemeSpec = req(a, 'scheme');
  const scheme = loadScheme(schemeSpec);
  const { steps, times } = gridSteps(a, scheme);
  // a steps file from `sdekit tune` names the sampler its grid is for: used when --sampler is not given
  const fileSampler = str(a, 'sampler') === undefined && times ? readStepsFileSampler(str(a, 'steps-file')!) : undefined;
  const samplerName = str(a, 'sampler') ?? fileSampler?.sampler ?? DEFAULT_SAMPLER;
  if (samplerName !== 'auto' && !isSamplerName(samplerName)) throw new UserError('--sampler', `unknown sampler; known: auto, ${SAMPLER_NAMES.join(', ')}`, { value: samplerName });
  const stepsFile = str(a, 'steps-file');
  const spacing = str(a, 'spacing');
  if (spacing !== undefined && spacing !== 'auto' && !(SPACINGS as readonly string[]).includes(spacing)) throw new UserError('--spacing', `unknown spacing; known: auto, ${SPACINGS.join(', ')}`, { value: spacing });
  const out = req(a, 'out');
  prepareOutput(out, '--out');

  const scoreSpec = str(a, 'score');
  const modelDir = str(a, 'model');
  const backendArg = str(a, 'backend');
  const backendFlag = backendArg ?? (process.env.SDEKIT_BACKEND || undefined);
  let backend = 'host';
  let device: SampleDevice | undefined;
  let model: ScoreModel;
  let gmm: GaussianMixtureModel | null = null;
  let run: CliModel | null = null;
  if (modelDir !== undefined) {
    if (scoreSpec !== undefined) throw new UserError('--model', 'cannot be combined with --score', { value: modelDir });
    run = await openModelForCli(modelDir, { classArg: str(a, 'class'), guidance: num(a, 'guidance', 0), backend: str(a, 'backend'), classifier: str(a, 'classifier') });
    model = run.guided;
    backend = run.backend;
  } else {
    if (scoreSpec === undefined) throw new UserError('--score', 'is required (gmm:FILE), or --model DIR');
    if (!scoreSpec.startsWith('gmm:') || scoreSpec.length <= 4) throw new UserError('--score', 'must be gmm:FILE (a GMM file, DESIGN.md)', { value: scoreSpec });
    if (a.flags.has('class') || a.flags.has('guidance') || a.flags.has('grid') || a.flags.has('classifier')) throw new UserError('--class', '--class, --guidance, --classifier and --grid need --model DIR');
    // float64 host loops on both cores (bit-identical to one core); --backend webgpu runs it on device
    model = gmm = new ParallelGaussianMixtureModel(readGmmFile(scoreSpec.slice(4), '--score'));
    device = await analyticDevice(backendFlag, backendArg !== undefined ? '--backend' : 'SDEKIT_BACKEND');
    if (device) backend = device.description;
  }
  const grid = str(a, 'grid');
  if (grid !== undefined && run?.config.dataShape.length !== 3) throw new UserError('--grid', 'draws image samples; use --plot for 2-D models', { value: grid });
  const noiseFile = str(a, 'noise');
  if (noiseFile !== undefined && (a.flags.has('n'))) throw new UserError('--n', 'cannot be combined with --noise (the noise file fixes the number of samples)');
  const noise = noiseFile !== undefined ? readNoiseFile(noiseFile, model.dim) : undefined;
  const n = num(a, 'n', 1000, { integer: true, min: 1, max: 10_000_000 });
  const seed = num(a, 'seed', 0, { integer: true });
  const rho = str(a, 'rho') === undefined ? undefined : num(a, 'rho', 7, { min: 1e-6 }); // default: the scheme's, else 7
  const lambda = num(a, 'lambda', 1, { min: 0 });
  const eta = a.flags.has('eta') ? num(a, 'eta', 0, { min: 0 }) : undefined;
  const rtol = num(a, 'rtol', 1e-5, { min: 1e-14 });
  const atol = num(a, 'atol', 1e-5, { min: 1e-14 });
  const snr = num(a, 'snr', 0.16, { min: 0 });
  const sChurn = num(a, 'churn', 0, { min: 0 });
  const flagSettings = samplerSettings(a, samplerName);
  const settings = { ...fileSampler?.options, ...Object.fromEntries(Object.entries(flagSettings).filter(([, v]) => v !== undefined)) } as typeof flagSettings;
  const plot = str(a, 'plot');
  if (plot !== undefined) prepareOutput(plot, '--plot');
  if (plot !== undefined && !/\.(svg|png)$/i.test(plot)) throw new UserError('--plot', 'must end in .svg or .png', { value: plot });
  if (plot !== undefined && model.dim !== 2) throw new UserError('--plot', `draws 2-D samples; the model has dimension ${model.dim}`, { value: plot });

  const bar = progressBar(`${samplerName} ${steps} steps`);
  // --sampler auto picks its grid too unless --spacing is given; a named sampler keeps the default grid rule
  const spacingUsed = (spacing as Spacing | 'auto' | undefined) ?? (samplerName === 'auto' ? 'auto' : defaultSpacing(scheme, run !== null));
  const result = await sample({
    scheme, model, sampler: samplerName, steps, spacing: spacingUsed, times, rho, noise, n, seed,
    lambda, eta, rtol, atol, snr, churn: { sChurn }, onProgress: bar.update, device,
    ...settings,
  });
  bar.done();

  writeOutput(out, JSON.stringify({
    samples: toRows(result.samples, result.dim), nfe: result.nfe, seconds: result.seconds, sampler: result.sampler, scheme: scheme.name,
  }), '--out');
  if (plot !== undefined) {
    const input = {
      samples: result.samples, n: result.n, logDensity: gmm ? (x: Float64Array, m: number) => (gmm as GaussianMixtureModel).logDensity(x, m, DATA_LEVEL) : undefined,
      title: `${result.sampler}, ${scheme.name}, ${steps} steps (nfe ${result.nfe})`,
    };
    writeOutput(plot, plot.toLowerCase().endsWith('.png') ? plotPng(input) : plotSvg(input), '--plot');
  }
  if (grid !== undefined && run) writeGrid(grid, result.samples, result.n, run.config);
  if (bool(a, 'json')) {
    console.log(JSON.stringify({ nfe: result.nfe, seconds: result.seconds, backend, sampler: result.sampler, spacing: result.spacing, ...result.picked, ...(fileSampler?.sampler ? { ...fileSampler.options, samplerFrom: 'steps-file' } : {}) }));
  } else {
    const note = backendFlag && !device && !run ? ` (--backend ${backendFlag}: the exact score runs as float64 host loops)` : '';
    console.log(`${result.n} samples of dimension ${result.dim} from ${scheme.name} with ${result.sampler}${picked(result.picked)}${samplerName === 'auto' ? ' (auto)' : ''}${fileSampler?.sampler ? `${picked(fileSampler.options)} (from the steps file)` : ''} (${steps} steps, ${str(a, 'steps-file') ?? result.spacing} grid): nfe ${result.nfe}, ${result.seconds.toFixed(3)} s, backend ${backend}${note} -> ${out}${plot ? `, plot ${plot}` : ''}`);
  }
  return 0;
}

/** " order 2, bh2" for the settings auto picked */
function picked(o: Record<string, unknown>): string {
  const parts = Object.entries(o).filter(([, v]) => v !== undefined).map(([k, v]) => `${k} ${String(v)}`);
  return parts.length ? ` (${parts.join(', ')})` : '';
}

/** Backends accepted with an analytic score: all but webgpu keep the float64 host path. */
const ANALYTIC_BACKENDS = ['host', ...BACKEND_NAMES];

/**
 * The device for an analytic score: undefined for the host path, the opened Dawn device for
 * webgpu; an unknown name or an unavailable WebGPU is a UserError on `field` that lists what is
 * available.
 */
async function analyticDevice(name: string | undefined, field: string): Promise<SampleDevice | undefined> {
  if (name === undefined || name === '') return undefined;
  if (!ANALYTIC_BACKENDS.includes(name)) throw new UserError(field, `unknown backend; known: ${ANALYTIC_BACKENDS.join(', ')}`, { value: name });
  if (name !== 'webgpu') return undefined;
  const p = await probeDawn();
  if (!p.ok) {
    const avail = ANALYTIC_BACKENDS.filter((b) => b !== 'webgpu');
    throw new UserError(field, `backend "webgpu" is unavailable: ${p.reason}; available: ${avail.join(', ')} (the exact score runs as float64 host loops on each)`, { value: name });
  }
  return webgpuDevice(new KernelRuntime(p.context.device), `webgpu (${describeAdapter(p.context.info)})`);
}
