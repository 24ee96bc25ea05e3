/**
 * The public API (src/index.ts): a user's first program works through the package entry alone,
 * and every exported symbol carries a TSDoc comment at its declaration.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import * as sdekit from '../../src/index.ts';

const src = join(dirname(fileURLToPath(import.meta.url)), '../../src');

test('declare -> prove -> sample through the package entry', async () => {
  const { scheme } = sdekit.declareScheme({
    name: 'mine', params: { b0: 0.1, b1: 20 }, time: { t0: 1e-3, T: 1 },
    sde: { f: '-(b0 + t * (b1 - b0)) / 2', g2: 'b0 + t * (b1 - b0)' },
  });
  assert.equal(scheme.quantities.sigma.method, 'symbolic');
  // alpha = exp(-(b0 t + (b1 - b0) t^2 / 2) / 2), MATH.md section 1
  const t = 0.37;
  assert.ok(Math.abs(scheme.alpha(t) - Math.exp(-(0.1 * t + (19.9 * t * t) / 2) / 2)) < 1e-14);
  assert.ok(sdekit.allPassed(sdekit.runProofs(scheme)));
  const model = new sdekit.GaussianMixtureModel({ weights: [1], means: [[1, -2]], stds: [0.1] });
  const r = await sdekit.sample({ scheme, model, sampler: 'dpm-solver++2m', steps: 10, n: 2000, seed: 0 });
  let m0 = 0, m1 = 0;
  for (let i = 0; i < r.n; i++) { m0 += r.samples[2 * i] / r.n; m1 += r.samples[2 * i + 1] / r.n; }
  assert.ok(Math.abs(m0 - 1) < 0.02 && Math.abs(m1 + 2) < 0.02, `mean ${m0}, ${m1}`);
  assert.throws(() => sdekit.declareScheme({ sde: { f: '0', g2: 'import(1)' } }), sdekit.UserError);
});

test('every symbol exported from src/index.ts is documented (TSDoc at its declaration)', () => {
  const index = readFileSync(join(src, 'index.ts'), 'utf8');
  const missing: string[] = [];
  for (const m of index.matchAll(/export (?:type )?\{([^}]+)\} from '\.\/([^']+)'/g)) {
    const file = readFileSync(join(src, m[2]), 'utf8');
    for (const spec of m[1].split(',')) {
      const name = spec.trim().replace(/^type /, '').split(/\s+as\s+/)[0].trim();
      if (!name) continue;
      const decl = new RegExp(`export (?:declare )?(?:async )?(?:function|class|const|let|interface|type|enum) ${name}\\b`).exec(file);
      if (!decl) {
        // re-exported from another module: `export { name } ...` or `export type { name }`
        if (new RegExp(`export (?:type )?\\{[^}]*\\b${name}\\b[^}]*\\}`).test(file)) continue;
        missing.push(`${m[2]}: ${name} (no declaration found)`);
        continue;
      }
      const before = file.slice(0, decl.index).trimEnd();
      if (!before.endsWith('*/')) missing.push(`${m[2]}: ${name}`);
    }
  }
  assert.deepEqual(missing, []);
});
