/**
 * Built-in 2-D mixture targets of the playground (isotropic Gaussian mixtures in the DESIGN.md
 * GMM-file form, so the score is exact for every scheme: src/score/gmm.ts), and the editing of a
 * custom mixture by clicks.
 */
import type { GmmSpec } from '../../src/score/gmm.ts';

function ring(k: number, radius: number, std: number): GmmSpec {
  const means = Array.from({ length: k }, (_, i) => {
    const a = (2 * Math.PI * i) / k;
    return [round(radius * Math.cos(a)), round(radius * Math.sin(a))];
  });
  return { weights: means.map(() => 1 / k), means, stds: means.map(() => std) };
}

function grid(side: number, spacing: number, std: number): GmmSpec {
  const means: number[][] = [];
  const c = (side - 1) / 2;
  for (let i = 0; i < side; i++) for (let j = 0; j < side; j++) means.push([(i - c) * spacing, (j - c) * spacing]);
  return { weights: means.map(() => 1 / means.length), means, stds: means.map(() => std) };
}

const round = (x: number) => Math.round(x * 1e6) / 1e6;

/** Built-in targets by name. */
export const TARGETS: Readonly<Record<string, GmmSpec>> = {
  'ring-8': ring(8, 2, 0.12),
  'grid-9': grid(3, 1.6, 0.12),
  'two-unequal': { weights: [0.75, 0.25], means: [[-1.2, -0.6], [1.4, 1]], stds: [0.35, 0.12] },
  'three-scales': { weights: [0.4, 0.35, 0.25], means: [[-1.5, 1.2], [1.5, 1.2], [0, -1.6]], stds: [0.08, 0.25, 0.5] },
};

/** Names of the built-in targets, in menu order. */
export const TARGET_NAMES: readonly string[] = Object.keys(TARGETS);

/** Default standard deviation of a component placed by a click. */
export const CLICK_STD = 0.15;

/** The mixture with one more component at (x, y) (equal weights for placed components). */
export function addComponent(g: GmmSpec | null, x: number, y: number, std = CLICK_STD): GmmSpec {
  const means = [...(g?.means ?? []).map((m) => [...m]), [round(x), round(y)]];
  const stds = [...(g?.stds ?? []), std];
  const weights = [...(g?.weights ?? []), g && g.weights.length ? g.weights.reduce((a, b) => a + b, 0) / g.weights.length : 1];
  return { weights, means, stds };
}

/** The mixture without the component nearest to (x, y); null when none would remain. */
export function removeNearest(g: GmmSpec, x: number, y: number): GmmSpec | null {
  if (g.means.length <= 1) return null;
  let best = 0, bestD = Infinity;
  g.means.forEach((m, k) => {
    const d = (m[0] - x) ** 2 + (m[1] - y) ** 2;
    if (d < bestD) { bestD = d; best = k; }
  });
  const keep = (_: unknown, k: number) => k !== best;
  return { weights: g.weights.filter(keep), means: g.means.filter(keep), stds: g.stds.filter(keep) };
}

/** Half-width of a square view that holds the data: max |mean| + 3 std, at least 2. */
export function dataExtent(g: GmmSpec): number {
  let r = 2;
  g.means.forEach((m, k) => { r = Math.max(r, Math.abs(m[0]) + 3 * g.stds[k], Math.abs(m[1]) + 3 * g.stds[k]); });
  return r * 1.05;
}

/** Second moment per coordinate of the mixture, E|x0|^2 / D (for the view's scale over t). */
export function secondMoment(g: GmmSpec): number {
  const W = g.weights.reduce((a, b) => a + b, 0);
  let m2 = 0;
  g.means.forEach((m, k) => { m2 += (g.weights[k] / W) * (g.stds[k] ** 2 + (m[0] ** 2 + m[1] ** 2) / 2); });
  return m2;
}
