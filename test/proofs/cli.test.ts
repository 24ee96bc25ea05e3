/**
 * `sdekit check` and `sdekit proofs` (src/cli/check.ts, src/cli/proofs.ts), and the exit-2 contract
 * for invalid schedule files through the real entry point (check and eval): a one-line message
 * naming the field (and t for validation failures), no stack trace.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { isUserError } from '../../src/errors.ts';
import { PROOFS } from '../../src/proofs/runner.ts';
import { BUILTIN_NAMES } from '../../src/scheme/builtins.ts';

async function capture(mod: { run: (a: string[]) => Promise<number> }, argv: string[]): Promise<{ code: number; out: string }> {
  const lines: string[] = [];
  const orig = console.log;
  console.log = (...a: unknown[]) => { lines.push(a.map(String).join(' ')); };
  try { return { code: await mod.run(argv), out: lines.join('\n') }; } finally { console.log = orig; }
}

const dir = mkdtempSync(join(tmpdir(), 'sdekit-check-'));
const file = (name: string, content: unknown) => { const p = join(dir, name); writeFileSync(p, typeof content === 'string' ? content : JSON.stringify(content)); return p; };

test('check <built-in> --json: every proof, ok, exit 0', async () => {
  const check = await import('../../src/cli/check.ts');
  const { code, out } = await capture(check, ['vp-cosine', '--json']);
  assert.equal(code, 0);
  const doc = JSON.parse(out);
  assert.equal(doc.scheme, 'vp-cosine');
  assert.equal(doc.ok, true);
  assert.deepEqual(doc.proofs.map((p: { id: string }) => p.id), PROOFS.map((p) => p.id));
  for (const p of doc.proofs) {
    assert.ok(['identity', 'probe', 'numeric', 'statistical', 'n/a'].includes(p.method));
    assert.equal(typeof p.error === 'number' || typeof p.error === 'string', true);
    assert.equal(typeof p.tolerance, 'number');
  }
});

test('check <custom file>: human table names each proof, method and ok; exit 0', async () => {
  const check = await import('../../src/cli/check.ts');
  const p = file('custom.json', { name: 'vp-quadratic', params: { b0: 0.1, b1: 20 }, time: { t0: 1e-5, T: 1 }, sde: { f: '-(b0 + b1*t^2)/2', g2: 'b0 + b1*t^2' } });
  const { code, out } = await capture(check, [p]);
  assert.equal(code, 0, out);
  for (const pr of PROOFS) assert.match(out, new RegExp(`^${pr.id}\\s+(identity|probe|numeric|statistical|n/a)\\s`, 'm'));
  assert.match(out, /terminal KL/);
  assert.match(out, /0 failed/);
});

test('check: bad arguments are UserErrors', async () => {
  const check = await import('../../src/cli/check.ts');
  await assert.rejects(check.run([]), (e: unknown) => isUserError(e) && e.field === 'scheme');
  await assert.rejects(check.run(['vp-linear', 've']), (e: unknown) => isUserError(e));
  await assert.rejects(check.run(['vp-linear', '--frobnicate']), (e: unknown) => isUserError(e) && e.field === '--frobnicate');
  await assert.rejects(check.run(['no-such-scheme']), (e: unknown) => isUserError(e) && e.field === 'scheme');
});

test('proofs --json: theorem x scheme over every built-in, all ok; the table lists every theorem', async () => {
  const proofs = await import('../../src/cli/proofs.ts');
  const { code, out } = await capture(proofs, ['--json']);
  assert.equal(code, 0);
  const doc = JSON.parse(out);
  assert.equal(doc.ok, true);
  assert.deepEqual(doc.schemes, [...BUILTIN_NAMES]);
  assert.equal(doc.theorems.length, PROOFS.length);
  for (const t of doc.theorems) {
    assert.equal(t.ok, true, t.id);
    assert.deepEqual(Object.keys(t.results), [...BUILTIN_NAMES]);
    assert.equal(typeof t.statement, 'string');
  }
  const text = await capture(proofs, []);
  assert.equal(text.code, 0);
  for (const p of PROOFS) assert.match(text.out, new RegExp(`^${p.id}\\s`, 'm'));
});

const run = promisify(execFile);
async function cli(args: string[]): Promise<{ code: number; stderr: string; stdout: string }> {
  try {
    const r = await run(process.execPath, ['--import', 'tsx', 'src/cli/main.ts', ...args], { encoding: 'utf8' });
    return { code: 0, stderr: r.stderr, stdout: r.stdout };
  } catch (e) {
    const x = e as { code: number; stderr: string; stdout: string };
    return { code: x.code, stderr: x.stderr, stdout: x.stdout };
  }
}

test('invalid schedule files: check and eval exit 2 with one line naming the field (real entry point)', async () => {
  // three spawns (each loads mathjs: seconds); the other invalid files go through run() below
  const cases: { args: string[]; field: RegExp; t: boolean }[] = [
    { args: ['check', file('neg-g2.json', { time: { t0: 0.001, T: 1 }, sde: { f: '-0.5', g2: '(t - 0.5)^2 - 0.01' } })], field: /^sdekit: sde: .*g2/, t: true },
    { args: ['eval', file('alpha0.json', { marginal: { alpha: '1 - t / 0.7', sigma: 't' } }), '--t', '0.5'], field: /^sdekit: marginal: .*alpha/, t: true },
    { args: ['eval', file('inject.json', { sde: { f: "import('fs')", g2: '1' } }), '--t', '0.5'], field: /^sdekit: sde\.f: .*import/, t: false },
  ];
  const results = await Promise.all(cases.map((c) => cli(c.args)));
  results.forEach((r, i) => {
    const c = cases[i];
    assert.equal(r.code, 2, `${c.args.join(' ')}: exit ${r.code}, stderr ${r.stderr}`);
    const line = r.stderr.split('\n').filter((l) => l.startsWith('sdekit:')).join('\n');
    assert.match(line, c.field, `${c.args.join(' ')}: ${r.stderr}`);
    if (c.t) assert.match(line, /at t = [0-9.e-]+/, `${c.args.join(' ')}: no t in ${line}`);
    assert.doesNotMatch(r.stderr, /^\s+at /m, 'no stack trace');
    assert.equal(r.stdout, '');
  });
});

test('more invalid files: check rejects with a UserError naming the field (main turns it into exit 2)', async () => {
  const check = await import('../../src/cli/check.ts');
  const cases: [string, unknown, RegExp][] = [
    ['increasing.json', { logSnr: '2 * t - 3' }, /^logSnr: .*at t = /],
    ['syntax.json', { logSnr: '3 - (t' }, /^logSnr: syntax error/],
    ['unknown.json', { sde: { f: '-beta / 2', g2: 'beta' } }, /^sde\.f: unknown name "beta"/],
    ['member.json', { marginal: { alpha: 't.constructor', sigma: 't' } }, /^marginal\.alpha: /],
    ['evaluate.json', { logSnr: "evaluate('1')" }, /^logSnr: function "evaluate" is not allowed/],
    ['assign.json', { logSnr: 'a = 1' }, /^logSnr: /],
    ['notjson.json', '{"sde": ', /^scheme: .*not valid JSON/],
  ];
  for (const [name, content, re] of cases) {
    await assert.rejects(check.run([file(name, content)]), (e: unknown) => isUserError(e) && re.test(e.message), name);
  }
});
