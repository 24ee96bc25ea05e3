/**
 * The one seeded generator (src/rng.ts) in both Box-Muller variants: a saved state replays
 * the stream, equal seeds give equal streams, each variant's fillNormal is its own normal() stream,
 * forks are separate streams, and both variants draw standard normals.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { Rng, createRng } from '../../src/rng.ts';

const seed = fc.integer({ min: 0, max: 2 ** 32 - 1 });

test("a 'stateless' generator restored from state() continues the same stream", () => {
  fc.assert(fc.property(seed, fc.integer({ min: 0, max: 20 }), (s, skip) => {
    const r = new Rng(s);
    for (let i = 0; i < skip; i++) r.normal();
    const copy = new Rng(r.state());
    assert.deepEqual(copy.fillNormal(new Float64Array(7)), r.fillNormal(new Float64Array(7)));
    assert.equal(copy.uniform(), r.uniform());
  }), { numRuns: 50 });
});

test("a 'cached' generator has no four-word state", () => {
  assert.throws(() => createRng(1).state(), /stateless/);
});

test('equal seeds give equal streams; different seeds and forks give different ones', () => {
  fc.assert(fc.property(seed, (s) => {
    assert.equal(createRng(s).normal(), createRng(s).normal());
    assert.equal(new Rng(s).normal(), new Rng(s).normal());
    assert.notEqual(createRng(s).uniform(), createRng(s + 1).uniform());
    const r = createRng(s);
    const f = r.fork();
    assert.equal(f.normals, 'cached');
    assert.notEqual(f.uniform(), r.uniform());
  }), { numRuns: 50 });
});

test("fillNormal is the generator's own normal() stream (both values of a Box-Muller pair)", () => {
  fc.assert(fc.property(seed, fc.integer({ min: 1, max: 9 }), (s, n) => {
    // cached: fillNormal is repeated normal()
    const a = createRng(s), b = createRng(s);
    const viaNormal = Float64Array.from({ length: n }, () => a.normal());
    assert.deepEqual(b.fillNormal(new Float64Array(n)), viaNormal);
    // stateless: normal() is the first value of the pair that fillNormal uses in full
    assert.equal(new Rng(s).fillNormal(new Float64Array(2))[0], new Rng(s).normal());
  }), { numRuns: 50 });
});

test('both variants draw standard normals (mean, variance, tail mass)', () => {
  for (const r of [new Rng(7), createRng(7)]) {
    const n = 40000;
    const x = r.fillNormal(new Float64Array(n));
    let m = 0, v = 0, tail = 0;
    for (const xi of x) { m += xi; v += xi * xi; if (Math.abs(xi) > 1.959964) tail++; }
    m /= n; v = v / n - m * m;
    // 5-sigma bounds: sd(mean) = 1/200, sd(var) ~ sqrt(2/n) = 0.0071, sd(tail) ~ sqrt(0.05 * 0.95 / n) = 0.0011
    assert.ok(Math.abs(m) < 0.025, `${r.normals}: mean ${m}`);
    assert.ok(Math.abs(v - 1) < 0.036, `${r.normals}: variance ${v}`);
    assert.ok(Math.abs(tail / n - 0.05) < 0.0055, `${r.normals}: P(|x| > 1.96) = ${tail / n}`);
  }
});
