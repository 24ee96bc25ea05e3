/**
 * Seeded, serialisable pseudo-random numbers for training (batches, times, noise, init).
 * xoshiro128** (Blackman & Vigna, "Scrambled linear pseudorandom number generators", 2021),
 * seeded through splitmix32. The whole state is four uint32 words, so a checkpoint can store it
 * and `--resume` replays exactly the same stream.
 */

/** The full generator state (JSON-safe). */
export type RngState = [number, number, number, number];

/** splitmix32 step, used only to expand a seed into a non-zero state. */
function splitmix32(s: number): [number, number] {
  s = (s + 0x9e3779b9) | 0;
  let z = s;
  z = Math.imul(z ^ (z >>> 16), 0x85ebca6b);
  z = Math.imul(z ^ (z >>> 13), 0xc2b2ae35);
  return [s, (z ^ (z >>> 16)) >>> 0];
}

const rotl = (x: number, k: number): number => (x << k) | (x >>> (32 - k));

/** A seeded xoshiro128** generator with uniform, normal, integer and shuffle helpers. */
export class Rng {
  private s: Uint32Array;

  /** Seed from an integer, or restore from a saved {@link RngState}. */
  constructor(seed: number | RngState) {
    this.s = new Uint32Array(4);
    if (typeof seed === 'number') {
      let st = seed >>> 0;
      for (let i = 0; i < 4; i++) { const [n, z] = splitmix32(st); st = n; this.s[i] = z; }
      if ((this.s[0] | this.s[1] | this.s[2] | this.s[3]) === 0) this.s[0] = 1;
    } else this.s.set(seed);
  }

  /** Snapshot of the state (restorable with `new Rng(state)`). */
  state(): RngState { return [this.s[0], this.s[1], this.s[2], this.s[3]]; }

  /** Next raw uint32. */
  nextU32(): number {
    const s = this.s;
    const result = Math.imul(rotl(Math.imul(s[1], 5), 7), 9) >>> 0;
    const t = s[1] << 9;
    s[2] ^= s[0]; s[3] ^= s[1]; s[1] ^= s[2]; s[0] ^= s[3];
    s[2] ^= t; s[3] = rotl(s[3], 11);
    return result;
  }

  /** Uniform double in [0, 1) with 53 random bits. */
  uniform(): number {
    const hi = this.nextU32() >>> 5, lo = this.nextU32() >>> 6;
    return (hi * 67108864 + lo) / 9007199254740992;
  }

  /** Uniform double in (0, 1): never exactly 0, safe inside log. */
  uniformOpen(): number {
    let u = this.uniform();
    while (u === 0) u = this.uniform();
    return u;
  }

  /** Integer in [0, n). */
  int(n: number): number { return Math.floor(this.uniform() * n); }

  /** One standard normal (Box-Muller; the partner value is discarded so the state stays 4 words). */
  normal(): number {
    return Math.sqrt(-2 * Math.log(this.uniformOpen())) * Math.cos(2 * Math.PI * this.uniform());
  }

  /** Fill an array with standard normals (Box-Muller pairs). */
  fillNormal<A extends Float32Array | Float64Array>(out: A): A {
    const n = out.length;
    for (let i = 0; i < n; i += 2) {
      const r = Math.sqrt(-2 * Math.log(this.uniformOpen())), th = 2 * Math.PI * this.uniform();
      out[i] = r * Math.cos(th);
      if (i + 1 < n) out[i + 1] = r * Math.sin(th);
    }
    return out;
  }

  /** In-place Fisher-Yates shuffle. */
  shuffle<T>(a: T[] | Int32Array): void {
    for (let i = a.length - 1; i > 0; i--) { const j = this.int(i + 1); const tmp = a[i]; a[i] = a[j]; a[j] = tmp; }
  }
}
