/**
 * The project's one seeded pseudo-random generator, so that `--seed K` reproduces a run bit for bit
 * and a training checkpoint can store the generator and `--resume` replay the same stream.
 *
 * Uniforms: xoshiro128** (Blackman & Vigna, "Scrambled linear pseudorandom number generators",
 * 2021), its four uint32 state words expanded from the seed by splitmix32; a uniform double takes
 * 27 + 26 bits of two outputs. Standard normals: the Box-Muller transform (Box & Muller, 1958) in
 * one of two ways, chosen when the generator is made; both are kept because existing streams
 * (training checkpoints, seeded samples and tests) depend on each:
 *
 * - 'stateless' (`new Rng(seed)`, training, data, likelihood): `normal()` draws u1 in (0, 1),
 *   u2 in [0, 1) and returns sqrt(-2 log u1) cos(2 pi u2), discarding the partner sin value, so the
 *   whole state stays the four words of {@link RngState}; `fillNormal` uses both values of each pair.
 * - 'cached' ({@link createRng}, sampling and proofs): u1 = 1 - uniform in (0, 1]; `normal()`
 *   returns the cos value and keeps the sin value for the next call (`fillNormal` is repeated
 *   `normal()`), so it has no four-word state to save.
 */

/** The full state of a 'stateless' generator (JSON-safe). */
export type RngState = [number, number, number, number];

/** How standard normals are made from uniforms (see the module comment). */
export type NormalMethod = 'stateless' | 'cached';

/** splitmix32 step: used only to expand a seed into the xoshiro state. */
function splitmix32(state: { s: number }): number {
  state.s = (state.s + 0x9e3779b9) | 0;
  let z = state.s;
  z = Math.imul(z ^ (z >>> 16), 0x85ebca6b);
  z = Math.imul(z ^ (z >>> 13), 0xc2b2ae35);
  return (z ^ (z >>> 16)) >>> 0;
}

function rotl(x: number, k: number): number {
  return (x << k) | (x >>> (32 - k));
}

/** Fold an integer of up to 53 bits into 32 by XOR of its high and low words. */
function foldSeed(seed: number): number {
  return (seed | 0) ^ Math.floor(seed / 4294967296);
}

/** A seeded xoshiro128** generator with uniform, normal, integer, shuffle and fork helpers. */
export class Rng {
  private a = 0;
  private b = 0;
  private c = 0;
  private d = 0;
  private spare = 0;
  private hasSpare = false;

  /**
   * Seed from an integer (its low 32 bits), or restore a saved {@link RngState}. `normals` picks
   * the Box-Muller variant (default 'stateless', the checkpointable one).
   */
  constructor(seed: number | RngState, readonly normals: NormalMethod = 'stateless') {
    if (typeof seed === 'number') {
      const st = { s: seed >>> 0 };
      this.a = splitmix32(st);
      this.b = splitmix32(st);
      this.c = splitmix32(st);
      this.d = splitmix32(st);
      if ((this.a | this.b | this.c | this.d) === 0) this.a = 1;
    } else {
      [this.a, this.b, this.c, this.d] = seed.map((w) => w >>> 0);
    }
  }

  /** Snapshot of a 'stateless' generator (restorable with `new Rng(state)`). */
  state(): RngState {
    if (this.normals !== 'stateless') throw new Error("Rng.state: only a 'stateless' generator has a four-word state (a 'cached' one also holds a pending normal)");
    return [this.a >>> 0, this.b >>> 0, this.c >>> 0, this.d >>> 0];
  }

  /** Next raw uint32 of xoshiro128**. */
  nextU32(): number {
    const result = Math.imul(rotl(Math.imul(this.b, 5), 7), 9) >>> 0;
    const t = this.b << 9;
    this.c ^= this.a;
    this.d ^= this.b;
    this.b ^= this.c;
    this.a ^= this.d;
    this.c ^= t;
    this.d = rotl(this.d, 11);
    return result;
  }

  /** Uniform double in [0, 1) with 53 random bits. */
  uniform(): number {
    const hi = this.nextU32() >>> 5; // 27 bits
    const lo = this.nextU32() >>> 6; // 26 bits
    return (hi * 67108864 + lo) / 9007199254740992;
  }

  /** Uniform double in (0, 1): never exactly 0, safe inside log. */
  uniformOpen(): number {
    let u = this.uniform();
    while (u === 0) u = this.uniform();
    return u;
  }

  /** Integer in [0, n). */
  int(n: number): number {
    return Math.floor(this.uniform() * n);
  }

  /** One standard normal N(0, 1), by this generator's Box-Muller variant. */
  normal(): number {
    if (this.normals === 'stateless') {
      return Math.sqrt(-2 * Math.log(this.uniformOpen())) * Math.cos(2 * Math.PI * this.uniform());
    }
    if (this.hasSpare) {
      this.hasSpare = false;
      return this.spare;
    }
    const u1 = 1 - this.uniform(); // in (0, 1], so log(u1) is finite
    const u2 = this.uniform();
    const r = Math.sqrt(-2 * Math.log(u1));
    const theta = 2 * Math.PI * u2;
    this.spare = r * Math.sin(theta);
    this.hasSpare = true;
    return r * Math.cos(theta);
  }

  /** Fill `out` with independent standard normals and return it. */
  fillNormal<A extends Float32Array | Float64Array>(out: A): A {
    const n = out.length;
    if (this.normals === 'cached') {
      for (let i = 0; i < n; i++) out[i] = this.normal();
      return out;
    }
    for (let i = 0; i < n; i += 2) {
      const r = Math.sqrt(-2 * Math.log(this.uniformOpen())), th = 2 * Math.PI * this.uniform();
      out[i] = r * Math.cos(th);
      if (i + 1 < n) out[i + 1] = r * Math.sin(th);
    }
    return out;
  }

  /** In-place Fisher-Yates shuffle. */
  shuffle<T>(a: T[] | Int32Array): void {
    for (let i = a.length - 1; i > 0; i--) {
      const j = this.int(i + 1);
      const tmp = a[i];
      a[i] = a[j];
      a[j] = tmp;
    }
  }

  /** An independent generator of the same variant derived from this one (a separate stream, e.g. per-step noise). */
  fork(): Rng {
    return new Rng(foldSeed(this.nextU32() * 4096 + (this.nextU32() >>> 20)), this.normals);
  }
}

/**
 * A 'cached' generator seeded by an integer (any finite number, truncated; the high and low 32-bit
 * words are folded together; equal seeds give equal streams).
 */
export function createRng(seed: number): Rng {
  if (!Number.isFinite(seed)) throw new Error(`createRng: seed must be finite (value: ${seed})`);
  return new Rng(foldSeed(Math.trunc(seed)), 'cached');
}
