/**
 * The CLI contract of DESIGN.md: `schemes`, `derive --json`, `eval --json`, and exit codes.
 * Derived expressions printed by `derive --json` must evaluate, in a stock mathjs, to the values
 * `eval` prints (the check an outside user will run).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { evaluate } from 'mathjs';
import { BUILTIN_NAMES } from '../../src/scheme/builtins.ts';
import { isUserError } from '../../src/errors.ts';

async function capture(mod: { run: (a: string[]) => Promise<number> }, argv: string[]): Promise<{ code: number; out: string }> {
  const lines: string[] = [];
  const orig = console.log;
  console.log = (...a: unknown[]) => { lines.push(a.map(String).join(' ')); };
  try { return { code: await mod.run(argv), out: lines.join('\n') }; } finally { console.log = orig; }
}

const cli = (args: string[]) => spawnSync(process.execPath, ['--import', 'tsx', 'src/cli/main.ts', ...args], { encoding: 'utf8' });

test('schemes --json lists every built-in', async () => {
  const { code, out } = await capture(await import('../../src/cli/schemes.ts'), ['--json']);
  assert.equal(code, 0);
  assert.deepEqual(JSON.parse(out).map((r: { name: string }) => r.name), [...BUILTIN_NAMES]);
});

test('derive --json: shape of DESIGN.md, and every closed form evaluates (stock mathjs) to eval values', async () => {
  const derive = await import('../../src/cli/derive.ts');
  const ev = await import('../../src/cli/eval.ts');
  for (const name of BUILTIN_NAMES) {
    const d = JSON.parse((await capture(derive, [name, '--json'])).out);
    for (const k of ['name', 'params', 't0', 'T', 'quantities', 'reverse', 'pfOde']) assert.ok(k in d, `${name}: ${k}`);
    for (const k of ['alpha', 'sigma', 'sigma2', 'f', 'g2', 'logSnr', 'dlogSnr']) {
      assert.ok(['symbolic', 'numeric'].includes(d.quantities[k].method), `${name}.${k}.method`);
      assert.equal(d.quantities[k].expr === null, d.quantities[k].method === 'numeric');
    }
    assert.equal(typeof d.reverse.drift, 'string');
    assert.equal(typeof d.reverse.diffusion, 'string');
    assert.equal(typeof d.pfOde.drift, 'string');
    const ts = [0.13, 0.5, 0.87].map((u) => d.t0 + u * (d.T - d.t0));
    const values = JSON.parse((await capture(ev, [name, '--t', ts.join(','), '--json'])).out);
    assert.deepEqual(Object.keys(values).sort(), ['alpha', 'dlogSnr', 'f', 'g2', 'logSnr', 'sigma', 't'].sort());
    for (const k of ['alpha', 'sigma', 'f', 'g2', 'logSnr', 'dlogSnr']) {
      const q = d.quantities[k];
      if (!q.expr) continue;
      ts.forEach((t, i) => {
        const got = evaluate(q.expr, { ...d.params, t }) as number, want = values[k][i] as number;
        assert.ok(Math.abs(got - want) <= 1e-9 * Math.max(1, Math.abs(want)), `${name}.${k}(${t}): expr ${got} vs eval ${want}`);
      });
    }
    // the lambda-family drift at lambda = 0 is the PF-ODE drift
    // (expressions in t and the param names; the family's x, s, lambda are renamed where a param has that name)
    const vars = d.reverse.variables;
    const scope = { ...d.params, [vars.x]: 0.7, [vars.s]: -1.3, t: ts[1], [vars.lambda]: 0 };
    if (d.reverse.method === 'symbolic') assert.ok(Math.abs((evaluate(d.reverse.drift, scope) as number) - (evaluate(d.pfOde.drift, scope) as number)) < 1e-9);
  }
});

test('bad input is a UserError naming the field and the first failing t; the CLI exits 2 without a stack trace', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'sdekit-'));
  const ev = await import('../../src/cli/eval.ts');
  const cases: [string, object, RegExp][] = [
    ['neg-g2', { sde: { f: '-5*(1 - 2*t)', g2: '10*(1 - 2*t)' } }, /g2.*t = 0\.5/],
    ['alpha-zero', { marginal: { alpha: '1 - 2*t', sigma: 't' } }, /alpha.*t = 0\.5/],
    ['unknown-name', { marginal: { alpha: '1 - q*t', sigma: 't' } }, /marginal\.alpha.*"q"/],
    ['injection', { logSnr: 'import({}, {override: true})' }, /logSnr.*import/],
  ];
  for (const [file, body, re] of cases) {
    const p = join(dir, `${file}.json`);
    writeFileSync(p, JSON.stringify(body));
    await assert.rejects(capture(ev, [p, '--t', '0.3']), (e: unknown) => isUserError(e) && re.test(e.message), file);
  }
  const r = cli(['eval', join(dir, 'neg-g2.json'), '--t', '0.3']);
  assert.equal(r.status, 2, r.stderr);
  assert.match(r.stderr, /^sdekit: sde: g2/);
  assert.doesNotMatch(r.stderr, /at .*\.ts:\d+/, 'no stack trace for user error');
  assert.equal(cli(['no-such-command']).status, 2);
});
