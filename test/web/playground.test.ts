/**
 * The playground in a real headless Chromium (Debian's `chromium`, driven by playwright-core):
 * build and serve the page, type a custom schedule, read the KaTeX-rendered closed forms and the
 * proof statuses, sample with the exact mixture score and check that the particles end near the
 * mixture's modes with the mixture's weights for lambda = 0, 1, 2 (while the paths grow rougher
 * with lambda), check the inline errors (bad token, syntax, invalid schedule with its t), the URL
 * state, the parameter sliders (re-bound scheme, plots and particles change) and the TensorFlow.js
 * density against the library's. Screenshots go to test/screenshots/
 * (git-ignored); with SDEKIT_UPDATE_DOCS=1 also docs/playground.png.
 * Skips only when no chromium executable exists (SDEKIT_CHROMIUM overrides the path).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Page } from 'playwright-core';
import { PROOFS } from '../../src/proofs/runner.ts';
import { loadScheme } from '../../src/scheme/load.ts';
import { ROOT } from '../../web/build.ts';
import { startPlayground } from '../../web/serve.ts';
import type { PlaygroundHook } from '../../web/src/main.ts';

const CHROMIUM = process.env.SDEKIT_CHROMIUM ?? '/usr/bin/chromium';
const SKIP = existsSync(CHROMIUM) ? false : `no chromium executable at ${CHROMIUM} (apt-get install -y chromium, or set SDEKIT_CHROMIUM)`;
const SHOTS = join(ROOT, 'test', 'screenshots');
const FLAGS = ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'];

const CUSTOM = `{
  "name": "my-vp-quadratic",
  "params": { "b0": 0.1, "b1": 20 },
  "time": { "t0": 0.001, "T": 1 },
  "sde": { "f": "-(b0 + b1*t^2)/2", "g2": "b0 + b1*t^2" }
}`;

type Hook = PlaygroundHook;
const hook = <R>(page: Page, f: (h: Hook) => R | Promise<R>): Promise<R> =>
  page.evaluate(`(${f.toString()})(window.__sdekit)`) as Promise<R>;

/** Wait until the last finished run has these settings and nothing is running. */
async function waitRun(page: Page, sampler: string, lambda: number, target?: string): Promise<void> {
  await page.waitForFunction(([s, l, tg]) => {
    const h = (window as unknown as { __sdekit: Hook }).__sdekit;
    const r = h.result();
    return !h.busy() && r !== null && r.sampler === s && r.lambda === l && (tg === null || h.state().target === tg);
  }, [sampler, lambda, target ?? null] as const, { timeout: 20_000 });
}

async function setRange(page: Page, selector: string, value: number): Promise<void> {
  await page.locator(selector).evaluate((e, v) => {
    (e as HTMLInputElement).value = String(v);
    e.dispatchEvent(new Event('input', { bubbles: true }));
  }, value);
}

/** Type a number into an input and leave it (the browser's change event, as for a user). */
async function setNumber(page: Page, selector: string, value: number): Promise<void> {
  await page.fill(selector, String(value));
  await page.locator(selector).blur();
}

/** Share of samples within 4 std of their nearest mean, and the TV between nearest-mode shares and the weights. */
function modeFit(samples: number[], means: number[][], stds: number[], weights: number[]): { near: number; tv: number } {
  const n = samples.length / 2;
  const count = new Array<number>(means.length).fill(0);
  let near = 0;
  for (let i = 0; i < n; i++) {
    let best = 0, bz = Infinity;
    means.forEach((m, k) => {
      const z = Math.hypot(samples[2 * i] - m[0], samples[2 * i + 1] - m[1]) / stds[k];
      if (z < bz) { bz = z; best = k; }
    });
    count[best]++;
    if (bz < 4) near++;
  }
  const W = weights.reduce((a, b) => a + b, 0);
  return { near: near / n, tv: count.reduce((a, c, k) => a + Math.abs(c / n - weights[k] / W), 0) / 2 };
}

/** Mean squared step of a path, over its middle frames (the roughness of a trajectory). */
function roughness(path: number[][]): number {
  let s = 0, m = 0;
  for (let i = 2; i + 2 < path.length; i++) {
    const a = path[i - 1], b = path[i], c = path[i + 1];
    // second difference: zero for a straight, smooth path; O(noise) for a stochastic one
    s += (c[0] - 2 * b[0] + a[0]) ** 2 + (c[1] - 2 * b[1] + a[1]) ** 2;
    m++;
  }
  return s / m;
}

test('playground in headless Chromium', { skip: SKIP, timeout: 150_000 }, async (t) => {
  const { chromium } = await import('playwright-core');
  const outdir = mkdtempSync(join(tmpdir(), 'sdekit-playground-'));
  const profile = mkdtempSync(join(tmpdir(), 'sdekit-chromium-'));
  const server = await startPlayground({ outdir });
  const browser = await chromium.launchPersistentContext(profile, { executablePath: CHROMIUM, headless: true, args: FLAGS, viewport: { width: 1400, height: 1050 } });
  mkdirSync(SHOTS, { recursive: true });
  const pageErrors: string[] = [];
  const page = await browser.newPage();
  page.on('pageerror', (e) => pageErrors.push(e.message));
  try {
    await t.test('loads: backend shown, formulas and proofs of the default scheme, a first run', async () => {
      await page.goto(server.url);
      await page.waitForFunction(() => {
        const h = (window as unknown as { __sdekit?: Hook }).__sdekit;
        return h !== undefined && h.runs() >= 1 && h.backend() !== null && document.querySelectorAll('#proofs details').length > 0;
      }, null, { timeout: 30_000 });
      const backend = await hook(page, (h) => h.backend());
      assert.ok(backend && ['webgpu', 'webgl', 'wasm', 'cpu'].includes(backend.name));
      assert.equal(await page.locator('#backend').textContent(), `TF.js backend: ${backend.name}`);
      assert.ok((await page.locator('#formulas .katex').count()) >= 7);
      // the TF.js density background agrees with the library's float64 mixture density
      const worst = await hook(page, (h) => h.densityCheck());
      assert.ok(worst < 1e-4, `TF.js log-density differs from the library's by ${worst} (relative)`);
      await page.screenshot({ path: join(SHOTS, 'loaded.png'), fullPage: true });
    });

    await t.test('a slider per parameter re-binds the scheme (Scheme.with, no re-derivation): plots and particles change', async () => {
      // the default scheme, vp-linear: b0 and b1
      assert.equal(await page.locator('#params input[data-param]').count(), 2);
      const slider = page.locator('#params input[data-param="b1"]');
      const declaredPos = Number(await slider.inputValue());
      const before = await hook(page, (h) => ({ curves: h.curves(), runs: h.runs(), samples: h.result()?.samples ?? [] }));
      const formulaHtml = await page.locator('#formulas .formula').first().innerHTML();
      await setRange(page, '#params input[data-param="b1"]', 950);
      await page.waitForFunction((n) => { const h = (window as unknown as { __sdekit: Hook }).__sdekit; return h.runs() > n && !h.busy(); }, before.runs, { timeout: 20_000 });
      const params = await hook(page, (h) => h.params());
      assert.equal(params.b0, 0.1);
      assert.ok(params.b1 > 50 && params.b1 <= 60, `b1 = ${params.b1}`);
      const after = await hook(page, (h) => ({ curves: h.curves(), samples: h.result()?.samples ?? [] }));
      // the plotted alpha is the library's at the new b1 (and visibly different from the declared one)
      const s = loadScheme('vp-linear').with(params);
      let moved = 0;
      after.curves!.t.forEach((t, i) => {
        assert.ok(Math.abs(after.curves!.alpha[i] - s.alpha(t)) <= 1e-12, `alpha(${t})`);
        moved = Math.max(moved, Math.abs(after.curves!.alpha[i] - before.curves!.alpha[i]));
      });
      assert.ok(moved > 0.05, `alpha moved by ${moved}`);
      assert.notDeepEqual(after.samples, before.samples, 'the particles were resampled');
      // the symbolic forms stay as derived; the head names the values in use
      assert.equal(await page.locator('#formulas .formula').first().innerHTML(), formulaHtml);
      assert.match(await page.locator('#formulas .param-values').textContent() ?? '', /b1 = 5\d/);
      await page.screenshot({ path: join(SHOTS, 'param-slider.png'), fullPage: true });
      // the link carries the slider value: opening it restores b1, its slider, plots and particles
      const link = page.url();
      assert.match(decodeURIComponent(link), /params=\{"b1":5\d/);
      await page.goto('about:blank');
      await page.goto(link);
      await page.waitForFunction((b1) => { const h = (window as unknown as { __sdekit?: Hook }).__sdekit; return h !== undefined && h.params().b1 === b1 && h.runs() >= 1 && !h.busy(); }, params.b1, { timeout: 30_000 });
      assert.equal(Number(await slider.inputValue()), 950);
      assert.ok(Math.abs((await hook(page, (h) => h.curves()))!.alpha[120] - after.curves!.alpha[120]) <= 1e-15);
      await setRange(page, '#params input[data-param="b1"]', declaredPos);
      await page.waitForFunction(() => (window as unknown as { __sdekit: Hook }).__sdekit.params().b1 === 20, null, { timeout: 5_000 });
      assert.doesNotMatch(decodeURIComponent(page.url()), /params=/);
    });

    await t.test('a typed custom schedule: KaTeX closed forms and every proof status', async () => {
      const area = page.locator('#decl');
      await area.fill(CUSTOM.slice(0, -1));
      await area.press('Control+End');
      await page.keyboard.type('}');
      await page.waitForFunction(() => document.querySelector('#proofs')?.getAttribute('data-scheme') === 'my-vp-quadratic', null, { timeout: 15_000 });
      assert.equal(await page.locator('#scheme-select').inputValue(), 'custom');
      assert.equal(await page.locator('#decl-error').isVisible(), false);
      for (const key of ['alpha', 'sigma', 'f', 'g2', 'logSnr', 'reverse', 'pfOde']) {
        const row = page.locator(`#formulas .formula[data-key="${key}"]`);
        assert.equal(await row.locator('.katex').count(), 1, `no KaTeX for ${key}`);
      }
      // g2 = b0 + b1 t^2 in the parameters (b_0, b_1), not their numbers; the PF-ODE names the score
      const g2 = (await page.locator('#formulas .formula[data-key="g2"] .katex-html').textContent()) ?? '';
      assert.match(g2, /b1/);
      assert.match(g2, /b0/);
      assert.doesNotMatch(g2, /20|0\.1/);
      const pf = (await page.locator('#formulas .formula[data-key="pfOde"] .katex-html').textContent()) ?? '';
      assert.match(pf, /sθ/);
      const statuses = await page.locator('#proofs details').evaluateAll((ds) => ds.map((d) => [d.getAttribute('data-id'), d.getAttribute('data-status')]));
      assert.deepEqual(statuses.map(([id]) => id), PROOFS.map((p) => p.id));
      const fromHook = await hook(page, (h) => h.proofs());
      statuses.forEach(([id, st], i) => {
        assert.ok(st === 'pass' || st === 'fail' || st === 'n/a', `${id}: status ${st}`);
        assert.equal(st === 'fail', !fromHook[i].ok, `${id}: page and runner disagree`);
      });
      assert.equal(statuses.find(([id]) => id === 'validity')?.[1], 'pass');
      assert.match((await page.locator('.proof-summary').textContent()) ?? '', /^\d+ \/ \d+ proofs pass$/);
      await page.screenshot({ path: join(SHOTS, 'custom-schedule.png'), fullPage: true });
    });

    await t.test('euler-maruyama for lambda = 0, 1, 2: particles end at the modes with the weights; paths rougher with lambda', async () => {
      await page.selectOption('#target', 'ring-8');
      await page.selectOption('#sampler', 'euler-maruyama');
      // 2000 particles and 60 steps keep the test quick on a loaded 2-core machine
      await setNumber(page, '#n', 2000);
      await setNumber(page, '#steps', 60);
      const ring = { weights: new Array<number>(8).fill(1) };
      const rough: number[] = [];
      for (const lambda of [0, 1, 2]) {
        await setRange(page, '#lambda', lambda);
        await waitRun(page, 'euler-maruyama', lambda, 'ring-8');
        const r = await hook(page, (h) => h.result());
        assert.ok(r);
        assert.ok(r.samples.length >= 2000 * 2, 'thousands of particles');
        const fit = modeFit(r.samples, r.means, r.stds, ring.weights);
        assert.ok(fit.near > 0.95, `lambda ${lambda}: only ${fit.near} of the particles within 4 std of a mode`);
        assert.ok(fit.tv < 0.06, `lambda ${lambda}: mode occupancy differs from the weights by TV ${fit.tv}`);
        const paths = await hook(page, (h) => [0, 1, 2, 3, 4, 5, 6, 7].map((i) => h.path(i)));
        rough.push(paths.reduce((a, p) => a + roughness(p), 0) / paths.length);
        if (lambda === 2) await page.screenshot({ path: join(SHOTS, 'lambda-2.png') });
      }
      assert.ok(rough[1] > 5 * rough[0] && rough[2] > 2 * rough[1], `path roughness should grow with lambda: ${rough.join(', ')}`);
    });

    await t.test('another sampler and target: dpm-solver++2m on an unequal mixture', async () => {
      await page.selectOption('#target', 'two-unequal');
      await page.selectOption('#sampler', 'dpm-solver++2m');
      await waitRun(page, 'dpm-solver++2m', 2, 'two-unequal');
      const r = await hook(page, (h) => h.result());
      assert.ok(r);
      const fit = modeFit(r.samples, r.means, r.stds, [0.75, 0.25]);
      assert.ok(fit.near > 0.95 && fit.tv < 0.04, `dpm-solver++2m: near ${fit.near}, tv ${fit.tv}`);
      // a setting the library rejects is an inline message next to the controls
      await page.selectOption('#spacing', 'leading');
      const err = page.locator('#sample-error');
      await err.waitFor({ state: 'visible', timeout: 10_000 });
      assert.match((await err.textContent()) ?? '', /^spacing: .*discrete/);
      await page.selectOption('#spacing', 'logsnr');
      await err.waitFor({ state: 'hidden', timeout: 10_000 });
    });

    await t.test('the state is a URL: the link restores the schedule and the sampling settings', async () => {
      const hash = new URL(page.url()).hash;
      assert.match(hash, /decl=/);
      // change everything, then follow the link (hashchange: the same decoding as a fresh load)
      await page.selectOption('#scheme-select', 'edm');
      await page.selectOption('#sampler', 'heun');
      await page.waitForFunction(() => document.querySelector('#proofs')?.getAttribute('data-scheme') === 'edm', null, { timeout: 15_000 });
      await page.evaluate((h) => { location.hash = h; }, hash);
      await page.waitForFunction(() => document.querySelector('#proofs')?.getAttribute('data-scheme') === 'my-vp-quadratic', null, { timeout: 15_000 });
      assert.equal(await page.locator('#decl').inputValue(), CUSTOM);
      assert.equal(await page.locator('#sampler').inputValue(), 'dpm-solver++2m');
      assert.equal(await page.locator('#target').inputValue(), 'two-unequal');
      assert.equal(await page.locator('#steps').inputValue(), '60');
      assert.equal(await page.locator('#n').inputValue(), '2000');
      assert.equal(await page.locator('#lambda').inputValue(), '2');
      await waitRun(page, 'dpm-solver++2m', 2, 'two-unequal');
    });

    await t.test('clicking the plot places mixture components', async () => {
      await page.selectOption('#sampler', 'euler-maruyama');
      await page.locator('#clear-target').click();
      const box = await page.locator('#particles').boundingBox();
      assert.ok(box);
      await page.mouse.click(box.x + box.width * 0.25, box.y + box.height * 0.25);
      await page.mouse.click(box.x + box.width * 0.75, box.y + box.height * 0.7);
      await page.waitForFunction(() => (window as unknown as { __sdekit: Hook }).__sdekit.state().gmm?.means.length === 3, null, { timeout: 5000 });
      const g = (await hook(page, (h) => h.state())).gmm;
      assert.ok(g);
      assert.deepEqual(g.means[0], [0, 0]);
      assert.ok(g.means[1][0] < 0 && g.means[1][1] > 0, `first click is up-left: ${g.means[1]}`);
      assert.ok(g.means[2][0] > 0 && g.means[2][1] < 0, `second click is down-right: ${g.means[2]}`);
      await page.waitForFunction(() => {
        const h = (window as unknown as { __sdekit: Hook }).__sdekit;
        return !h.busy() && h.result()?.means.length === 3;
      }, null, { timeout: 20_000 });
      const r = await hook(page, (h) => h.result());
      assert.ok(r);
      assert.ok(modeFit(r.samples, r.means, r.stds, [1, 1, 1]).near > 0.95);
      await setRange(page, '#lambda', 1);
      await page.selectOption('#target', 'ring-8');
      await waitRun(page, 'euler-maruyama', 1, 'ring-8');
    });

    await t.test('docs screenshot: the custom schedule mid-animation', async () => {
      await setNumber(page, '#n', 5000);
      await page.waitForFunction(() => {
        const h = (window as unknown as { __sdekit: Hook }).__sdekit;
        return !h.busy() && h.result()?.samples.length === 10000;
      }, null, { timeout: 20_000 });
      await page.locator('#frame').evaluate((e) => {
        const i = e as HTMLInputElement;
        i.value = String(Math.round(0.55 * Number(i.max)));
        i.dispatchEvent(new Event('input', { bubbles: true }));
      });
      await page.setViewportSize({ width: 1400, height: 1120 });
      await page.waitForTimeout(600); // the density background is computed asynchronously
      await page.screenshot({ path: join(SHOTS, 'playground.png') });
      await page.setViewportSize({ width: 1400, height: 1050 });
      // the README's picture is refreshed only on request, so a test run never dirties the checkout
      if (process.env.SDEKIT_UPDATE_DOCS === '1') {
        mkdirSync(join(ROOT, 'docs'), { recursive: true });
        copyFileSync(join(SHOTS, 'playground.png'), join(ROOT, 'docs', 'playground.png'));
      }
    });

    await t.test('errors are inline: the token, the syntax position, the first failing t', async () => {
      const area = page.locator('#decl');
      const err = page.locator('#decl-error');
      await area.fill(CUSTOM.replace('"b0 + b1*t^2"', '"b0 + b1*t^2 + foo(t)"'));
      await err.waitFor({ state: 'visible', timeout: 5000 });
      assert.equal(await err.locator('.err-field').textContent(), 'sde.g2');
      assert.match((await err.textContent()) ?? '', /foo/);
      assert.equal(await page.locator('#decl-backdrop mark.err-token').textContent(), 'foo');
      assert.match((await err.locator('.err-quote').textContent()) ?? '', /foo\(t\)"[^\n]*\n\s*\^\^\^$/);
      // the last valid derivation stays on the page, marked stale: never a blank page
      assert.ok((await page.locator('#formulas .katex').count()) >= 7);
      assert.equal(await page.locator('#formulas').getAttribute('class'), 'stale');
      await page.screenshot({ path: join(SHOTS, 'error-token.png'), fullPage: true });

      await area.fill(CUSTOM.replace('"b0 + b1*t^2"', '"b0 + bee*t^2"'));
      await page.waitForFunction(() => document.querySelector('#decl-backdrop mark')?.textContent === 'bee', null, { timeout: 5000 });

      await area.fill(CUSTOM.replace('"b0 + b1*t^2"', '"b0 +* t"'));
      await page.waitForFunction(() => document.querySelector('#decl-backdrop mark')?.textContent === '*', null, { timeout: 5000 });
      assert.match((await err.textContent()) ?? '', /syntax error/);

      await area.fill('{ "name": "bad", "marginal": { "alpha": "1 - 2*t", "sigma": "t" } }');
      await page.waitForFunction(() => /t = 0\.5/.test(document.querySelector('#decl-error .err-t')?.textContent ?? ''), null, { timeout: 5000 });
      assert.equal(await err.locator('.err-field').textContent(), 'marginal');
      assert.match((await err.textContent()) ?? '', /alpha must be > 0/);
      assert.equal(await page.locator('#decl-backdrop mark').textContent(), '"marginal"');

      await area.fill('{ "name": "bad", "sde": { "f": "-t" ');
      await page.waitForFunction(() => /not valid JSON/.test(document.querySelector('#decl-error')?.textContent ?? ''), null, { timeout: 5000 });
      await page.screenshot({ path: join(SHOTS, 'error-time.png'), fullPage: true });

      // and back to a valid built-in clears the error
      await page.selectOption('#scheme-select', 've');
      await err.waitFor({ state: 'hidden', timeout: 5000 });
      await page.waitForFunction(() => document.querySelector('#proofs')?.getAttribute('data-scheme') === 've', null, { timeout: 15_000 });
    });

    assert.deepEqual(pageErrors, [], 'uncaught errors in the page');
  } finally {
    await browser.close();
    await server.close();
    rmSync(outdir, { recursive: true, force: true });
    rmSync(profile, { recursive: true, force: true });
  }
});
