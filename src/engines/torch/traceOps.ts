/**
 * A recording {@link VectorOps}: running a sampler over it does no arithmetic on samples; it records
 * the sampler as a straight-line program of linear combinations with float64 coefficients, model
 * calls at fixed noise levels and standard-normal draws. Every coefficient is computed by the
 * sampler's own code (src/sample/*), in float64, exactly as `sdekit sample` computes it, so an
 * emitted program (torchSampler.ts) is the same sampler. Samplers whose control flow depends on the
 * samples (the adaptive rk45, pc's SNR-scaled Langevin step) call the reductions `meanRowNorm` /
 * `rmsScaled`, which refuse with {@link NotTraceableError}.
 */
import type { NoiseLevel } from '../../score/model.ts';
import type { Term, VectorOps, Views } from '../../sample/ops.ts';

/** An opaque array of the traced program (a variable). */
export interface Slot { readonly id: number }

/** One recorded instruction. */
export type TraceOp =
  /** out <- sum c_k y_k (terms with c = 0 dropped; no terms: zeros) */
  | { readonly op: 'lin'; readonly out: number; readonly terms: readonly (readonly [number, number])[] }
  /** out <- src (the same values) */
  | { readonly op: 'copy'; readonly out: number; readonly src: number }
  /** out <- out + c z, z standard normal */
  | { readonly op: 'noise'; readonly out: number; readonly c: number }
  /** out <- z, standard normal */
  | { readonly op: 'normal'; readonly out: number }
  /** one model evaluation at x, filling the views: x0 = D(x, t); eps = (x - alpha x0)/sigma; score = -eps/sigma; v = alpha eps - sigma x0 */
  | { readonly op: 'eval'; readonly x: number; readonly at: NoiseLevel; readonly want: { readonly [K in keyof Views<unknown>]?: number } };

/** Raised when a sampler's steps depend on the samples themselves (no fixed program exists). */
export class NotTraceableError extends Error {
  constructor(what: string) {
    super(`${what} depends on the values of the samples (an adaptive step), so the sampler is not a fixed program`);
    this.name = 'NotTraceableError';
  }
}

/** The recording ops. Slot 0 is the input x_T. */
export class TraceOps implements VectorOps<Slot> {
  readonly backend = 'trace';
  readonly program: TraceOp[] = [];
  private next = 1;
  private evals = 0;

  /** the slot holding the sampler's input */
  readonly input: Slot = { id: 0 };

  get nfe(): number { return this.evals; }

  alloc(): Slot { return { id: this.next++ }; }

  clone(x: Slot): Slot {
    const s = this.alloc();
    this.program.push({ op: 'copy', out: s.id, src: x.id });
    return s;
  }

  copy(dst: Slot, src: Slot): Slot {
    if (dst.id !== src.id) this.program.push({ op: 'copy', out: dst.id, src: src.id });
    return dst;
  }

  lin(out: Slot, terms: readonly Term<Slot>[]): Slot {
    for (const [c] of terms) if (!Number.isFinite(c)) throw new Error(`traced sampler produced the coefficient ${c}`);
    this.program.push({ op: 'lin', out: out.id, terms: terms.filter(([c]) => c !== 0).map(([c, y]) => [c, y.id] as const) });
    return out;
  }

  addNoise(out: Slot, c: number): Slot {
    if (!Number.isFinite(c)) throw new Error(`traced sampler produced the noise scale ${c}`);
    if (c !== 0) this.program.push({ op: 'noise', out: out.id, c });
    return out;
  }

  fillNormal(out: Slot): Slot {
    this.program.push({ op: 'normal', out: out.id });
    return out;
  }

  async evaluate(x: Slot, at: NoiseLevel, want: Views<Slot>): Promise<void> {
    const w: { [K in keyof Views<unknown>]?: number } = {};
    for (const k of ['x0', 'eps', 'score', 'v'] as const) {
      const s = want[k];
      if (s === undefined) continue;
      if (s.id === x.id) throw new Error(`evaluate: the ${k} view may not overwrite x`);
      if (k !== 'x0' && !(at.sigma > 0)) throw new Error(`evaluate: the ${k} view needs sigma > 0 (t = ${at.t})`);
      w[k] = s.id;
    }
    this.evals++;
    this.program.push({ op: 'eval', x: x.id, at: { t: at.t, alpha: at.alpha, sigma: at.sigma }, want: w });
  }

  async meanRowNorm(): Promise<number> { throw new NotTraceableError('a mean row norm (the Langevin corrector step size)'); }

  async rmsScaled(): Promise<number> { throw new NotTraceableError('a scaled error norm (adaptive step-size control)'); }
}
