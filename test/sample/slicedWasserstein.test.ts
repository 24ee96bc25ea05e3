/**
 * The sliced Wasserstein distance (src/sample/slicedWasserstein.ts) in both orders and both
 * direction sources: zero on identical sets, symmetric, homogeneous of degree 1, SW1 <= SW2, exact
 * for translations (W_p along u is |<c, u>|), and unequal sets or a missing generator are refused.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { Rng } from '../../src/rng.ts';
import { slicedWasserstein } from '../../src/sample/slicedWasserstein.ts';

const sets = (dim: number) => fc.tuple(fc.integer({ min: 1, max: 2 ** 31 }), fc.integer({ min: 2, max: 60 }))
  .map(([seed, n]) => { const r = new Rng(seed); return [r.fillNormal(new Float64Array(n * dim)), r.fillNormal(new Float64Array(n * dim)).map((v) => 2 * v + 0.3)]; });

for (const dim of [2, 3]) {
  test(`SW1 and SW2 (dim ${dim}): zero on identical sets, symmetric, homogeneous, SW1 <= SW2`, () => {
    fc.assert(fc.property(sets(dim), fc.double({ min: 0.1, max: 10, noNaN: true }), ([a, b], k) => {
      const sw = (x: Float64Array, y: Float64Array, p: 1 | 2): number => slicedWasserstein(x, y, dim, 16, { p, rng: dim === 2 ? undefined : new Rng(3) });
      for (const p of [1, 2] as const) {
        assert.equal(sw(a, a, p), 0);
        const d = sw(a, b, p);
        assert.ok(d > 0);
        assert.ok(Math.abs(sw(b, a, p) - d) <= 1e-12 * d);
        assert.ok(Math.abs(sw(a.map((v) => k * v), b.map((v) => k * v), p) - k * d) <= 1e-12 * k * d);
      }
      // per direction W1 <= W2 (Jensen), and a mean is at most a root mean square
      assert.ok(sw(a, b, 1) <= sw(a, b, 2) * (1 + 1e-12));
    }), { numRuns: 30 });
  });
}

test('translation by c in 2-D over evenly spaced directions: SW1 = |c| 2/pi, SW2 = |c|/sqrt(2)', () => {
  const a = new Rng(1).fillNormal(new Float64Array(2 * 500));
  const b = a.map((v, i) => (i % 2 === 0 ? v + 0.3 : v - 0.4)); // |c| = 0.5
  // mean of |cos| over the angles pi (k + 1/2)/K tends to 2/pi; the mean of cos^2 is exactly 1/2 for K >= 2
  assert.ok(Math.abs(slicedWasserstein(a, b, 2, 256) - 0.5 * (2 / Math.PI)) < 1e-5);
  assert.ok(Math.abs(slicedWasserstein(a, b, 2, 64, { p: 2 }) - 0.5 / Math.SQRT2) < 1e-12);
});

test('unequal sets and dim != 2 without a generator are refused', () => {
  assert.throws(() => slicedWasserstein(new Float64Array(6), new Float64Array(4), 2), /same size/);
  assert.throws(() => slicedWasserstein(new Float64Array(6), new Float64Array(6), 3), /random generator/);
});
