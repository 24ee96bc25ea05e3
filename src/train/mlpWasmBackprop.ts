/**
 * The DSM loss of sdekit's MLP (src/score/mlp.ts) and its gradients by explicit back-propagation
 * (Rumelhart et al. 1986), computed in place on one WebAssembly memory with our own SIMD GEMM
 * (backend/wasmGemm.ts): the parameters, activations and gradients keep fixed places, allocated once,
 * so a step creates no tensor, operator or buffer (what the training workers run for the MLP). The
 * same formulas as mlpBackprop.ts: for h_0 = [x, emb], z_l = h_l W_l + b_l, h_{l+1} = silu(z_l),
 * F = z_{L-1},
 *
 *     loss = share * mean_b( weight_b * mean_d (F - target)^2 )
 *
 * dZ_{L-1} = 2 share weight_b (F - target) / (B D);  dW_l = h_l^T dZ_l;  db_l = 1^T dZ_l;
 * dZ_{l-1} = (dZ_l W_l^T) * s (1 + z (1 - s)) with s = sigmoid(z_{l-1})  (SiLU', Elfwing et al. 2018);
 * with classes emb = sinusoidal + E[label], so dE[label_b] += (dZ_0 W_0^T)[b, D:].
 */
import { WasmArena } from '../backend/wasmArena.ts';
import { embeddingFrequencies, sizeOf, type ParamSpec } from '../score/layers.ts';
import type { MlpConfig } from '../score/mlp.ts';

/** One shard of a DSM batch as host arrays (rows x D data, per-row noise input, weight, label). */
export interface MlpShard {
  readonly xIn: Float32Array;
  readonly cNoise: Float32Array;
  readonly target: Float32Array;
  readonly weight: Float32Array;
  readonly labels: Int32Array | null;
}

/**
 * Parts of a step, for profiles: parameters and rows into the wasm memory with the embedding (upload),
 * GEMMs, SiLU, its derivative, bias gradients (colSums), loss and its gradient (with the class table's
 * gradient), weight transposes and padding copies (copies), the gradient out to the caller.
 */
export type MlpStepPart = 'upload' | 'gemm' | 'silu' | 'siluGrad' | 'colSums' | 'loss' | 'copies' | 'gradient out';

/** Explicit back-propagation of the MLP `cfg` on `rows` rows, in a wasm memory laid out once. */
export class MlpWasmBackprop {
  private readonly g: WasmArena;
  private readonly widths: number[];
  private readonly L: number;
  private readonly D: number;
  private readonly E: number;
  private readonly freqs: Float32Array;
  /** float offsets in the memory */
  private readonly P = 0;
  private readonly G: number;
  private readonly WT: number;
  private readonly H: number[] = [];
  private readonly Z: number[] = [];
  private readonly S: number[] = [];
  private readonly dA: number;
  private readonly dB: number;
  /** the last layer padded to Np = D rounded up to 8 columns (whole GEMM tiles): W, b, dZ, dW */
  private readonly Np: number;
  private readonly WL: number;
  private readonly bL: number;
  private readonly dZL: number;
  private readonly dWL: number;
  private readonly off: Record<string, number> = {};
  readonly total: number;

  constructor(private readonly cfg: MlpConfig, specs: readonly ParamSpec[], readonly rows: number) {
    this.D = cfg.dim;
    this.E = cfg.embDim;
    this.widths = [cfg.dim + cfg.embDim, ...cfg.hidden, cfg.outDim ?? cfg.dim];
    this.L = this.widths.length - 1;
    if ((cfg.outDim ?? cfg.dim) !== cfg.dim) throw new Error('the DSM loss needs the MLP output width to equal the data dimension');
    this.freqs = embeddingFrequencies(this.E / 2);
    let total = 0;
    for (const s of specs) { this.off[s.name] = total; total += sizeOf(s.shape); }
    this.total = total;
    const w = this.widths, R = rows;
    let at = total;
    const take = (n: number): number => { const o = at; at += n; return o; };
    this.G = take(total);
    this.WT = take(Math.max(...w.slice(0, -1).map((x, l) => x * w[l + 1])));
    const L = this.L, Np = (this.Np = 8 * Math.ceil(this.D / 8));
    for (let l = 0; l < L; l++) {
      this.H.push(take(R * w[l]));
      this.Z.push(take(R * (l < L - 1 ? w[l + 1] : Np)));
      if (l < L - 1) this.S.push(take(R * w[l + 1]));
    }
    // (a new wasm memory is zero: the padding columns stay zero, only the first D are ever written)
    this.WL = take(w[L - 1] * Np);
    this.bL = take(Np);
    this.dZL = take(R * Np);
    this.dWL = take(w[L - 1] * Np);
    const maxW = Math.max(...w);
    this.dA = take(R * maxW);
    this.dB = take(R * maxW);
    this.g = new WasmArena(at);
  }

  /**
   * Loss (times `share`) of the shard `b` under the flat parameters `params` (spec order), and its
   * gradient into `grad` (flat, spec order). Returns the loss. `mark(part)`, if given, is called at
   * the end of each part of the step with its name (bench/trainProfile.ts times the parts).
   */
  run(params: Float32Array, b: MlpShard, share: number, grad: Float32Array, mark: (part: MlpStepPart) => void = () => {}): number {
    const { widths: w, L, D, E, rows: R } = this;
    const g = this.timed(mark);
    const f = this.g.f32;
    const { Np, P, G, off } = this;
    f.set(params, P);
    this.input(b);
    // the last layer's weight and bias into their padded copies
    const wL = P + off[`fc${L - 1}.w`], bL = P + off[`fc${L - 1}.b`];
    for (let k = 0; k < w[L - 1]; k++) for (let d = 0; d < D; d++) f[this.WL + k * Np + d] = f[wL + k * D + d];
    for (let d = 0; d < D; d++) f[this.bL + d] = f[bL + d];
    mark('upload');
    // forward: z_l = h_l W_l + b_l; h_{l+1} = silu(z_l), keeping s = sigmoid(z_l)
    for (let l = 0; l < L; l++) {
      const last = l === L - 1, n = last ? Np : w[l + 1];
      const W = last ? this.WL : P + off[`fc${l}.w`], bias = last ? this.bL : P + off[`fc${l}.b`];
      g.gemm(R, n, w[l], { off: this.H[l], si: w[l], sk: 1 }, { off: W, ld: n }, { off: this.Z[l], ld: n }, { bias });
      if (!last) g.silu(this.Z[l], this.S[l], this.H[l + 1], R * n);
    }
    // loss and dZ_{L-1} = 2 share weight_b (F - target) / (B D)
    const F = this.Z[L - 1];
    let loss = 0;
    for (let r = 0; r < R; r++) {
      let sq = 0;
      const k = (2 * share * b.weight[r]) / (R * D);
      for (let d = 0; d < D; d++) {
        const diff = f[F + r * Np + d] - b.target[r * D + d];
        sq += diff * diff;
        f[this.dZL + r * Np + d] = k * diff;
      }
      loss += (b.weight[r] * sq) / D;
    }
    loss *= share / R;
    mark('loss');
    // backward; dZ_l has row stride ldz (Np for the last layer)
    let dZ = this.dZL, ldz = Np;
    for (let l = L - 1; l >= 0; l--) {
      const nOut = w[l + 1], nIn = w[l], last = l === L - 1, dH = dZ === this.dA ? this.dB : this.dA;
      // dW_l = h_l^T dZ_l (A = h_l read transposed through its strides); db_l = column sums of dZ_l
      const dW = G + off[`fc${l}.w`];
      g.gemm(nIn, ldz, R, { off: this.H[l], si: 1, sk: nIn }, { off: dZ, ld: ldz }, { off: last ? this.dWL : dW, ld: ldz }, 'zero');
      if (last) { for (let k = 0; k < nIn; k++) for (let d = 0; d < D; d++) f[dW + k * D + d] = f[this.dWL + k * Np + d]; mark('copies'); }
      g.colSums(dZ, R, nOut, ldz, G + off[`fc${l}.b`]);
      if (l === 0 && this.cfg.numClasses === 0) break;
      this.transposeWeight(l);
      mark('copies');
      if (l > 0) {
        // dH = dZ_l W_l^T; dZ_{l-1} = dH * s (1 + z (1 - s)), in place
        g.gemm(R, nIn, nOut, { off: dZ, si: ldz, sk: 1 }, { off: this.WT, ld: nIn }, { off: dH, ld: nIn }, 'zero');
        g.siluGrad(dH, this.Z[l - 1], this.S[l - 1], R * nIn);
        dZ = dH;
        ldz = nIn;
      } else {
        // the embedding columns D.. of dZ_0 W_0^T, summed into the rows of the class table
        g.gemm(R, E, nOut, { off: dZ, si: ldz, sk: 1 }, { off: this.WT + D, ld: nIn }, { off: dH, ld: E }, 'zero');
        const ge = G + this.off['class.emb'], labels = b.labels as Int32Array;
        f.fill(0, ge, ge + (this.cfg.numClasses + 1) * E);
        for (let r = 0; r < R; r++) { const o = ge + labels[r] * E; for (let e = 0; e < E; e++) f[o + e] += f[dH + r * E + e]; }
        mark('loss');
      }
    }
    grad.set(f.subarray(G, G + this.total));
    mark('gradient out');
    return loss;
  }

  /**
   * Run `calls` steps on zero parameters and data, so that V8 has compiled the kernels and `run` with
   * its optimising tiers before the first real step (measured: the first ~13 calls of a fresh engine
   * take 35-50 ms, then 8-14 ms, then ~7 ms CPU at 256 rows). Leaves nothing behind that `run` reads.
   */
  warmUp(calls = 16): void {
    const R = this.rows, D = this.D, zeros = new Float32Array(R * D);
    const shard: MlpShard = { xIn: zeros, cNoise: new Float32Array(R), target: zeros, weight: new Float32Array(R), labels: this.cfg.numClasses > 0 ? new Int32Array(R) : null };
    const p = new Float32Array(this.total), grad = new Float32Array(this.total);
    for (let i = 0; i < calls; i++) this.run(p, shard, 1, grad);
  }

  /** The arena's kernels, each followed by `mark` of its part. */
  private timed(mark: (part: MlpStepPart) => void): Pick<WasmArena, 'gemm' | 'silu' | 'siluGrad' | 'colSums'> {
    const a = this.g;
    return {
      gemm: (...x) => { a.gemm(...x); mark('gemm'); },
      silu: (...x) => { a.silu(...x); mark('silu'); },
      siluGrad: (...x) => { a.siluGrad(...x); mark('siluGrad'); },
      colSums: (...x) => { a.colSums(...x); mark('colSums'); },
    };
  }

  /** h_0 = [x, sin(c w), cos(c w)] (+ E[label] on the embedding) (Vaswani et al. 2017). */
  private input(b: MlpShard): void {
    const f = this.g.f32, { D, E, rows: R } = this, half = E / 2, width = D + E, h = this.H[0], fr = this.freqs;
    const table = this.cfg.numClasses > 0 ? this.P + this.off['class.emb'] : -1;
    if (table >= 0 && !b.labels) throw new Error('class-conditional MLP needs labels (use the null class for none)');
    for (let r = 0; r < R; r++) {
      const o = h + r * width;
      for (let d = 0; d < D; d++) f[o + d] = b.xIn[r * D + d];
      const c = b.cNoise[r];
      for (let j = 0; j < half; j++) {
        const a = Math.fround(c * fr[j]); // the float32 argument, as tf.mul rounds it
        f[o + D + j] = Math.sin(a);
        f[o + D + half + j] = Math.cos(a);
      }
      if (table >= 0) {
        const t = table + (b.labels as Int32Array)[r] * E;
        for (let e = 0; e < E; e++) f[o + D + e] += f[t + e];
      }
    }
  }

  /** W_l^T (w_{l+1} x w_l) into the scratch WT. */
  private transposeWeight(l: number): void {
    this.g.transpose(this.P + this.off[`fc${l}.w`], this.widths[l], this.widths[l + 1], this.WT);
  }

}
