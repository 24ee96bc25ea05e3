/**
 * A small deterministic pseudo-random generator so that `--seed K` reproduces a run bit for bit.
 * Uniforms come from xoshiro128** (Blackman and Vigna, 2018) seeded through splitmix32;
 * standard normals from the Box-Muller transform (Box and Muller, 1958), both outputs of a pair used.
 */

/** Seeded source of uniform and standard-normal float64 numbers. */
export interface Rng {
  /** uniform on [0, 1) with 53 random bits */
  uniform(): number;
  /** standard normal N(0, 1) */
  normal(): number;
  /** fill `out` with independent standard normals and return it */
  fillNormal(out: Float64Array): Float64Array;
  /** an independent generator derived from this one (for a separate stream, e.g. per-step noise) */
  fork(): Rng;
}

/** splitmix32 step: used only to expand a seed into the xoshiro state. */
function splitmix32(state: { s: number }): number {
  state.s = (state.s + 0x9e3779b9) | 0;
  let z = state.s;
  z = Math.imul(z ^ (z >>> 16), 0x85ebca6b);
  z = Math.imul(z ^ (z >>> 13), 0xc2b2ae35);
  return (z ^ (z >>> 16)) >>> 0;
}

class Xoshiro128 implements Rng {
  private a: number;
  private b: number;
  private c: number;
  private d: number;
  private spare = 0;
  private hasSpare = false;

  constructor(seed: number) {
    const st = { s: (seed | 0) ^ Math.floor(seed / 4294967296) };
    this.a = splitmix32(st);
    this.b = splitmix32(st);
    this.c = splitmix32(st);
    this.d = splitmix32(st);
    if ((this.a | this.b | this.c | this.d) === 0) this.d = 1;
  }

  /** one 32-bit output of xoshiro128** */
  private next32(): number {
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

  uniform(): number {
    const hi = this.next32() >>> 5; // 27 bits
    const lo = this.next32() >>> 6; // 26 bits
    return (hi * 67108864 + lo) / 9007199254740992;
  }

  normal(): number {
    if (this.hasSpare) {
      this.hasSpare = false;
      return this.spare;
    }
    // Box-Muller: u1 in (0, 1] so log(u1) is finite.
    const u1 = 1 - this.uniform();
    const u2 = this.uniform();
    const r = Math.sqrt(-2 * Math.log(u1));
    const theta = 2 * Math.PI * u2;
    this.spare = r * Math.sin(theta);
    this.hasSpare = true;
    return r * Math.cos(theta);
  }

  fillNormal(out: Float64Array): Float64Array {
    for (let i = 0; i < out.length; i++) out[i] = this.normal();
    return out;
  }

  fork(): Rng {
    return new Xoshiro128(this.next32() * 4096 + (this.next32() >>> 20));
  }
}

function rotl(x: number, k: number): number {
  return (x << k) | (x >>> (32 - k));
}

/** A generator seeded by an integer (any finite number; equal seeds give equal streams). */
export function createRng(seed: number): Rng {
  if (!Number.isFinite(seed)) throw new Error(`createRng: seed must be finite (value: ${seed})`);
  return new Xoshiro128(Math.trunc(seed));
}
