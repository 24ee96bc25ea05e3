/**
 * Bits per dimension: the uniform density on [-1, 1]^D (log p = -D ln 2) gives log2(255) bits/dim,
 * the entropy of a uniform pixel over the 255 bins of width 2/255 it spans; dequantisation keeps
 * every value inside its own bin.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { bitsPerDim, dequantize } from '../../src/likelihood/bpd.ts';
import { Rng } from '../../src/rng.ts';

test('uniform density on [-1, 1]^D has log2(255) bits/dim; continuous data has no offset', () => {
  for (const D of [1, 2, 784]) {
    assert.ok(Math.abs(bitsPerDim(-D * Math.LN2, D, 256) - Math.log2(255)) < 1e-12);
    assert.ok(Math.abs(bitsPerDim(-D * Math.LN2, D) - 1) < 1e-12);
  }
});

test('dequantised values stay within half a bin of their grid value', () => {
  const grid = Float32Array.from({ length: 256 }, (_, k) => k / 127.5 - 1);
  const x = dequantize(grid, 256, new Rng(1));
  let spread = 0;
  for (let k = 0; k < 256; k++) {
    const d = Math.abs(x[k] - grid[k]);
    assert.ok(d <= 1 / 255 + 1e-9, `${k}: ${d}`);
    spread = Math.max(spread, d);
  }
  assert.ok(spread > 0.5 / 255, 'dequantisation must actually add noise');
});
