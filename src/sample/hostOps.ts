/**
 * {@link VectorOps} on host Float64Array buffers: plain typed-array loops in float64, the model
 * evaluated through {@link ModelViews} (MATH.md section 2 conversions). These are the reference
 * numbers every other backend is compared with.
 */
import type { ModelViews } from '../score/model.ts';
import type { NoiseLevel } from '../score/model.ts';
import type { Rng } from '../rng.ts';
import type { Term, VectorOps, Views } from './ops.ts';

/**
 * out[i] = sum_k c_k y_k[i], summed in the order given (a specialised loop for 1..4 terms); terms
 * with c = 0 are skipped. `out` may be one of the y_k (in place). Also the host reference of the
 * fused device kernel (src/kernels/fusedUpdate.ts), hence float32 outputs.
 */
export function linHost<A extends Float32Array | Float64Array>(out: A, terms: readonly Term<ArrayLike<number>>[]): A {
  const t = terms.filter(([c]) => c !== 0);
  const n = out.length;
  switch (t.length) {
    case 0: out.fill(0); return out;
    case 1: { const [[a, x]] = t; for (let i = 0; i < n; i++) out[i] = a * x[i]; return out; }
    case 2: { const [[a, x], [b, y]] = t; for (let i = 0; i < n; i++) out[i] = a * x[i] + b * y[i]; return out; }
    case 3: {
      const [[a, x], [b, y], [c, z]] = t;
      for (let i = 0; i < n; i++) out[i] = a * x[i] + b * y[i] + c * z[i];
      return out;
    }
    case 4: {
      const [[a, x], [b, y], [c, z], [d, w]] = t;
      for (let i = 0; i < n; i++) out[i] = a * x[i] + b * y[i] + c * z[i] + d * w[i];
      return out;
    }
    default:
      for (let i = 0; i < n; i++) {
        let acc = 0;
        for (const [c, y] of t) acc += c * y[i];
        out[i] = acc;
      }
      return out;
  }
}

/** Host float64 vector operations for a batch of n rows of dimension dim. */
export class HostOps implements VectorOps<Float64Array> {
  readonly backend = 'host';

  constructor(private readonly model: ModelViews, private readonly rng: Rng, readonly n: number, readonly dim: number) {}

  get nfe(): number {
    return this.model.nfe;
  }

  alloc(): Float64Array {
    return new Float64Array(this.n * this.dim);
  }

  clone(x: Float64Array): Float64Array {
    return Float64Array.from(x);
  }

  copy(dst: Float64Array, src: Float64Array): Float64Array {
    dst.set(src);
    return dst;
  }

  lin(out: Float64Array, terms: readonly Term<Float64Array>[]): Float64Array {
    return linHost(out, terms);
  }

  addNoise(out: Float64Array, c: number): Float64Array {
    if (c === 0) return out;
    const rng = this.rng;
    for (let i = 0; i < out.length; i++) out[i] += c * rng.normal();
    return out;
  }

  fillNormal(out: Float64Array): Float64Array {
    return this.rng.fillNormal(out);
  }

  evaluate(x: Float64Array, at: NoiseLevel, want: Views<Float64Array>): Promise<void> {
    return this.model.evaluate(x, this.n, at, want);
  }

  async meanRowNorm(v: Float64Array): Promise<number> {
    const { n, dim } = this;
    let acc = 0;
    for (let r = 0; r < n; r++) {
      let q = 0;
      for (let j = 0; j < dim; j++) q += v[r * dim + j] * v[r * dim + j];
      acc += Math.sqrt(q);
    }
    return acc / n;
  }

  async rmsScaled(v: Float64Array, y: Float64Array, yNew: Float64Array | null, rtol: number, atol: number): Promise<number> {
    let s = 0;
    for (let i = 0; i < v.length; i++) {
      const sc = atol + rtol * (yNew ? Math.max(Math.abs(y[i]), Math.abs(yNew[i])) : Math.abs(y[i]));
      const r = v[i] / sc;
      s += r * r;
    }
    return Math.sqrt(s / Math.max(1, v.length));
  }
}
