/**
 * `sdekit export --target torch-sampler`: one sampler of `sdekit sample`, on one step grid, as a
 * self-contained PyTorch module
 *
 *     sample(denoise, x_T, generator=None, randn=None, **cond) -> x_0
 *
 * with `denoise(x, t, **cond)` the x0 estimate at time t (a Python float). The sampler runs once over
 * {@link TraceOps} at export time; the module is the recorded straight-line program, every
 * coefficient a float64 literal computed by the sampler's own code. Each linear combination is
 * evaluated in the order the host engine sums it (src/sample/hostOps.ts linHost) and the views
 * are derived from x0 as src/reverse/parameterization.ts does, so with float64 tensors the module
 * reproduces `sdekit sample` up to the denoiser's own rounding. Stochastic samplers draw from
 * `generator` (or from `randn(like)`, e.g. to replay another implementation's noise stream, in
 * the order sdekit draws: row-major, one normal per entry). Arrays are float64 when x_T is,
 * else float32.
 */
import { UserError } from '../../errors.ts';
import { float64 } from '../../codegen/infix.ts';
import type { Scheme } from '../../scheme/types.ts';
import { SAMPLERS } from '../../sample/registry.ts';
import { createRng } from '../../rng.ts';
import { resolveSampler, samplerSetup, type SampleOptions } from '../../sample/sample.ts';
import type { GridOptions, GridPoint } from '../../sample/steps.ts';
import { DEFAULT_SAMPLER_OPTIONS } from '../../sample/types.ts';
import { NotTraceableError, TraceOps, type Slot, type TraceOp } from './traceOps.ts';

/**
 * What to compile: a sampler name and the settings of `sample()` that shape the program (grid:
 * steps, spacing, rho or explicit times; lambda, eta, churn, order, variant, form, ...).
 */
export interface TorchSamplerSpec extends Omit<SampleOptions, 'scheme' | 'model' | 'sampler' | 'noise' | 'n' | 'seed' | 'device' | 'onProgress'> {
  readonly scheme: Scheme;
  readonly sampler: string;
}

/** A traced sampler. */
export interface TracedSampler {
  readonly program: readonly TraceOp[];
  readonly output: Slot;
  readonly nfe: number;
  readonly grid: readonly GridPoint[];
  readonly gridOptions: GridOptions;
  readonly stochastic: boolean;
}

/**
 * Run the sampler over the recording ops, on the grid and settings `sample()` would use
 * (samplerSetup). Adaptive samplers are a {@link UserError} on --sampler.
 */
export async function traceSampler(spec: TorchSamplerSpec): Promise<TracedSampler> {
  const { name, spacing, picked } = resolveSampler(spec.scheme, spec); // 'auto' resolves as in sample()
  const sampler = SAMPLERS[name];
  const { grid, gridOptions, options } = samplerSetup(spec.scheme, { ...spec, spacing }, picked);
  const ops = new TraceOps();
  let output: Slot;
  try {
    output = await sampler.runOn(ops.input, {
      scheme: spec.scheme, grid, gridOptions, n: 1, dim: 1, rng: createRng(0), options, progress: () => {}, ops,
    });
  } catch (e) {
    if (e instanceof NotTraceableError) throw new UserError('--sampler', `${spec.sampler} cannot be exported: ${e.message}; export a fixed-grid sampler instead`, { value: spec.sampler });
    throw e;
  }
  const stochastic = ops.program.some((o) => o.op === 'noise' || o.op === 'normal');
  return { program: ops.program, output, nfe: ops.nfe, grid, gridOptions, stochastic };
}

const num = (v: number): string => {
  if (!Number.isFinite(v)) throw new Error(`torch-sampler: non-finite constant ${v}`);
  const s = float64(v);
  return /[.eE]/.test(s) ? s : `${s}.0`;
};

/** Python statements of a traced program (indented for a function body). */
function emitProgram(tr: TracedSampler, indent: string): string[] {
  const lines: string[] = [];
  const defined = new Set<number>([0]);
  const v = (id: number): string => {
    if (!defined.has(id)) { lines.push(`${indent}v${id} = torch.zeros_like(v0)`); defined.add(id); }
    return `v${id}`;
  };
  let evalIndex = 0;
  for (const o of tr.program) {
    switch (o.op) {
      case 'copy': lines.push(`${indent}v${o.out} = ${v(o.src)}`); defined.add(o.out); break;
      case 'lin': {
        const rhs = o.terms.length === 0 ? 'torch.zeros_like(v0)' : o.terms.map(([c, y]) => `${num(c)} * ${v(y)}`).join(' + ');
        lines.push(`${indent}v${o.out} = ${rhs}`);
        defined.add(o.out);
        break;
      }
      case 'noise': lines.push(`${indent}v${o.out} = ${v(o.out)} + ${num(o.c)} * randn(v0)`); break;
      case 'normal': lines.push(`${indent}v${o.out} = randn(v0)`); defined.add(o.out); break;
      case 'eval': {
        const { t, alpha, sigma } = o.at;
        const x = v(o.x);
        lines.push(`${indent}# model evaluation ${++evalIndex}: t = ${num(t)}, alpha = ${num(alpha)}, sigma = ${num(sigma)}`);
        lines.push(`${indent}d = D(${x}, ${num(t)})`);
        const { x0, eps, score, v: vv } = o.want;
        // the views of src/reverse/parameterization.ts from an x0 prediction: r = x - alpha x0
        const inv = 1 / sigma;
        if (eps !== undefined || score !== undefined || vv !== undefined) lines.push(`${indent}r = ${x} - ${num(alpha)} * d`);
        if (eps !== undefined) { lines.push(`${indent}v${eps} = r * ${num(inv)}`); defined.add(eps); }
        if (score !== undefined) { lines.push(`${indent}v${score} = r * ${num(-(inv * inv))}`); defined.add(score); }
        if (vv !== undefined) { lines.push(`${indent}v${vv} = ${num(alpha)} * r * ${num(inv)} - ${num(sigma)} * d`); defined.add(vv); }
        if (x0 !== undefined) { lines.push(`${indent}v${x0} = d`); defined.add(x0); }
        break;
      }
    }
  }
  lines.push(`${indent}return ${v(tr.output.id)}`);
  return lines;
}

/** The Python module of a traced sampler. */
export function torchSamplerSource(spec: TorchSamplerSpec, tr: TracedSampler): string {
  const { scheme } = spec;
  const g = tr.gridOptions;
  const settings = [`lambda = ${spec.lambda ?? DEFAULT_SAMPLER_OPTIONS.lambda}`, ...(spec.eta !== undefined ? [`eta = ${spec.eta}`] : []),
    ...(spec.churn?.sChurn ? [`churn = ${spec.churn.sChurn}`] : []),
    ...(['order', 'variant', 'form', 'lowerOrderFinal'] as const).flatMap((k) => (spec[k] !== undefined ? [`${k} = ${spec[k]}`] : []))];
  const evalTimes = tr.program.flatMap((o) => (o.op === 'eval' ? [o.at.t] : []));
  const head = [
    `"""Sampler ${spec.sampler} on scheme "${scheme.name}", compiled by sdekit (export --target torch-sampler).`,
    `${g.steps} steps on the ${g.times ? 'given (steps file)' : g.spacing} grid${g.spacing === 'karras' && !g.times ? ` (rho ${g.rho ?? 7})` : ''}, ${tr.nfe} model evaluations; ${settings.join(', ')}.`,
    '',
    'sample(denoise, x_T, generator=None, randn=None, **cond) -> x_0',
    '  denoise(x, t, **cond): the x0 estimate at time t (a Python float) of the batch x',
    '  x_T: the state at time T, e.g. SIGMA_T * torch.randn(shape) (float64 in -> float64 arithmetic, else float32)',
    `  generator: a torch.Generator for the sampler's noise${tr.stochastic ? '' : ' (unused: this sampler is deterministic)'}`,
    '  randn(like): optional; standard normals shaped like `like`, drawn instead of the generator',
    'Every coefficient below was computed in float64 by the same sampler code as `sdekit sample`.',
    'Generated code: do not edit. No dependency on sdekit."""',
    'import torch',
    '',
    `SCHEME = ${JSON.stringify(scheme.name)}`,
    `SAMPLER = ${JSON.stringify(spec.sampler)}`,
    `STEPS = ${g.steps}`,
    `NFE = ${tr.nfe}`,
    `STOCHASTIC = ${tr.stochastic ? 'True' : 'False'}`,
    `T = ${num(scheme.T)}`,
    `T_START = ${num(tr.grid[0].t)}`,
    `SIGMA_T = ${num(tr.grid[0].sigma)}  # sigma at the first grid time: x_T = SIGMA_T * standard normal`,
    `# the step grid (times, the data point sigma = 0 as its time) and the times of the model evaluations`,
    `GRID = [${tr.grid.map((p) => num(p.t)).join(', ')}]`,
    `EVAL_TIMES = [${evalTimes.map(num).join(', ')}]`,
    '',
    '',
    'def sample(denoise, x_T, generator=None, randn=None, **cond):',
    '    dtype = torch.float64 if x_T.dtype == torch.float64 else torch.float32',
    '    v0 = x_T.to(dtype)',
    '    if randn is None:',
    '        def randn(like):',
    '            return torch.randn(like.shape, generator=generator, dtype=like.dtype, device=like.device)',
    '',
    '    def D(x, t):',
    '        return denoise(x, t, **cond).to(dtype)',
    '',
  ];
  return [...head, ...emitProgram(tr, '    '), ''].join('\n');
}

/** Trace and emit in one call. */
export async function torchSamplerModule(spec: TorchSamplerSpec): Promise<{ source: string; traced: TracedSampler }> {
  const traced = await traceSampler(spec);
  return { source: torchSamplerSource(spec, traced), traced };
}
