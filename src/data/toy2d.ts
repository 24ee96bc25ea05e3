/**
 * Built-in 2-D data sets, each scaled to roughly unit variance per coordinate:
 * ring8 (8 Gaussians on a circle; label = component), moons (two interleaved half circles;
 * label = moon), swissroll (a 2-D spiral) and checkerboard (uniform on the dark squares of a
 * 4x4 board on [-2, 2]^2). Generative definitions, so every batch is fresh data.
 */
import { Rng } from '../rng.ts';
import type { DataBatch, Dataset } from './dataset.ts';

/** Names of the built-in 2-D sets. */
export const TOY2D_NAMES = ['ring8', 'moons', 'swissroll', 'checkerboard'] as const;
export type Toy2dName = (typeof TOY2D_NAMES)[number];

type Draw = (rng: Rng) => [number, number, number];

const RING_R = Math.SQRT2, RING_STD = 0.1;

const DRAWS: Record<Toy2dName, { classes: number; draw: Draw }> = {
  ring8: {
    classes: 8,
    draw: (rng) => {
      const k = rng.int(8), a = (2 * Math.PI * k) / 8;
      return [RING_R * Math.cos(a) + RING_STD * rng.normal(), RING_R * Math.sin(a) + RING_STD * rng.normal(), k];
    },
  },
  moons: {
    classes: 2,
    draw: (rng) => {
      const k = rng.int(2), a = Math.PI * rng.uniform();
      const x = k === 0 ? Math.cos(a) : 1 - Math.cos(a), y = k === 0 ? Math.sin(a) : 0.5 - Math.sin(a);
      // centre (0.5, 0.25) and scale to ~unit variance; 0.05 jitter as in the usual construction
      return [(x - 0.5 + 0.05 * rng.normal()) / 0.87, (y - 0.25 + 0.05 * rng.normal()) / 0.5, k];
    },
  },
  swissroll: {
    classes: 0,
    draw: (rng) => {
      const s = 1.5 * Math.PI * (1 + 2 * rng.uniform());
      // centred: E[s cos s] = 2 and E[s sin s] = 2/(3 pi) for s ~ U[1.5 pi, 4.5 pi]
      return [(s * Math.cos(s) - 2) / 6 + 0.05 * rng.normal(), (s * Math.sin(s) - 2 / (3 * Math.PI)) / 6 + 0.05 * rng.normal(), 0];
    },
  },
  checkerboard: {
    classes: 0,
    draw: (rng) => {
      const x = 4 * rng.uniform() - 2;
      const y = rng.uniform() - 2 * rng.int(2) + (Math.floor(x) & 1);
      return [x, y, 0];
    },
  },
};

/** True when `name` is a built-in 2-D set. */
export function isToy2d(name: string): name is Toy2dName {
  return (TOY2D_NAMES as readonly string[]).includes(name);
}

/** A built-in 2-D data set. */
export function toy2d(name: Toy2dName): Dataset {
  const { classes, draw } = DRAWS[name];
  const sample = (rng: Rng, n: number): DataBatch => {
    const x = new Float32Array(2 * n), labels = classes > 0 ? new Int32Array(n) : null;
    for (let i = 0; i < n; i++) {
      const [a, b, k] = draw(rng);
      x[2 * i] = a; x[2 * i + 1] = b;
      if (labels) labels[i] = k;
    }
    return { n, x, labels };
  };
  return {
    name, shape: [2], dim: 2, numClasses: classes, sigmaData: 1,
    sample,
    heldOut: (n) => sample(new Rng(0x5eed + n), n),
  };
}
