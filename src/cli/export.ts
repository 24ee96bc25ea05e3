/**
 * `sdekit export` (DESIGN.md):
 *
 *     sdekit export --target torch-sampler --scheme S --sampler NAME --steps N
 *                   [--spacing ... | --steps-file F] [--rho R] [--lambda L] [--eta E] [--churn S]
 *                   [--order K] [--variant V] [--form F] [--lower-order-final on|off] --out FILE.py [--json]
 *     sdekit export --target torch --scheme S [train flags] --out DIR [--json]
 *
 * torch-sampler: one sampler of `sdekit sample` compiled to a PyTorch module (src/engines/torch/
 * torchSampler.ts); the default grid is the scheme's declared one, else uniform in t (the default of
 * `sdekit sample --score` and of DPM-Solver). torch: the self-contained PyTorch training program
 * that `sdekit train --engine torch` runs, written without running it (src/engines/torch/program.ts).
 */
import { allowOnly, bool, num, parseArgs, req, str } from './args.ts';
import { prepareOutput, writeOutput } from './output.ts';
import { UserError } from '../errors.ts';
import { loadScheme } from '../scheme/load.ts';
import { SAMPLER_NAMES } from '../sample/registry.ts';
import { SPACINGS, defaultSpacing, type Spacing } from '../scheme/spacing.ts';
import { torchSamplerModule } from '../engines/torch/torchSampler.ts';
import { gridSteps, samplerSettings } from './samplerFlags.ts';

const TARGETS = ['torch-sampler', 'torch'] as const;

const HELP = `usage: sdekit export --target torch-sampler --scheme S --sampler NAME --steps N --out FILE.py
         [--spacing ${SPACINGS.join('|')} | --steps-file F] [--rho R] [--lambda L] [--eta E] [--churn S]
         [--order K] [--variant bh1|bh2] [--form reference|taylor] [--lower-order-final on|off] [--json]
       sdekit export --target torch --scheme S --data NAME|gmm:FILE|mnist --steps N [train flags] --out DIR [--json]
torch-sampler: sample(denoise, x_T, generator=None, randn=None, **cond) -> x_0, a straight-line PyTorch
program with sdekit's float64 coefficients; samplers: ${SAMPLER_NAMES.filter((s) => s !== 'rk45' && s !== 'pc').join(', ')}
(rk45 and pc adapt their steps to the samples and cannot be exported).
torch: the PyTorch DDP training program of \`sdekit train --engine torch\`; DIR/README.md says how to launch it.`;

/** Entry point. */
export async function run(argv: string[]): Promise<number> {
  const a = parseArgs(argv, ['resume']);
  if (bool(a, 'help')) { console.log(HELP); return 0; }
  const target = req(a, 'target');
  if (!(TARGETS as readonly string[]).includes(target)) throw new UserError('--target', `must be one of ${TARGETS.join(', ')}`, { value: target });
  if (target === 'torch') {
    const { exportTrainingProgram } = await import('./exportTorch.ts');
    return exportTrainingProgram(argv);
  }
  allowOnly(a, ['target', 'scheme', 'sampler', 'steps', 'steps-file', 'spacing', 'rho', 'lambda', 'eta', 'churn', 'out', 'order', 'variant', 'lower-order-final', 'form']);
  const scheme = loadScheme(req(a, 'scheme'));
  const sampler = req(a, 'sampler');
  const { steps, times } = gridSteps(a, scheme);
  const spacingArg = str(a, 'spacing');
  if (spacingArg !== undefined && !(SPACINGS as readonly string[]).includes(spacingArg)) throw new UserError('--spacing', `unknown spacing; known: ${SPACINGS.join(', ')}`, { value: spacingArg });
  const spacing = (spacingArg as Spacing | undefined) ?? defaultSpacing(scheme, false);
  const out = req(a, 'out');
  if (!out.endsWith('.py')) throw new UserError('--out', 'must be a Python file name ending in .py', { value: out });
  prepareOutput(out, '--out');
  const { source, traced } = await torchSamplerModule({
    scheme, sampler, steps, spacing, times,
    rho: str(a, 'rho') === undefined ? undefined : num(a, 'rho', 7, { min: 1e-6 }),
    lambda: num(a, 'lambda', 1, { min: 0 }),
    eta: a.flags.has('eta') ? num(a, 'eta', 0, { min: 0 }) : undefined,
    churn: { sChurn: num(a, 'churn', 0, { min: 0 }) },
    ...samplerSettings(a, sampler),
  });
  writeOutput(out, source, '--out');
  const summary = { out, scheme: scheme.name, sampler, steps, spacing, nfe: traced.nfe, stochastic: traced.stochastic, lines: source.split('\n').length };
  if (bool(a, 'json')) console.log(JSON.stringify(summary));
  else console.log(`wrote ${out}: ${sampler} on ${scheme.name}, ${steps} steps (${spacing} grid), ${traced.nfe} model evaluations${traced.stochastic ? ', stochastic (noise from `generator`)' : ''}`);
  return 0;
}
