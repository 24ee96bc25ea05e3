/**
 * A/B of the training step between two source trees (this one and BASE, e.g. a worktree of an older
 * commit whose node_modules links to this one's): `sdekit train` defaults on ring8 with 2 workers, STEPS
 * steps after 10 warm-up steps, the trees interleaved (ABBA...) so that other load hits both alike;
 * wall and CPU ms per step (all threads).
 *
 *   git worktree add --detach /tmp/base COMMIT && ln -s $PWD/node_modules /tmp/base/node_modules
 *   npx tsx bench/probes/trainAB.ts /tmp/base [STEPS=100] [ROUNDS=3]
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
if (!process.argv[2]) throw new Error('usage: npx tsx bench/probes/trainAB.ts BASE_TREE [STEPS] [ROUNDS]');
const trees = { base: path.resolve(process.argv[2]), new: path.resolve(import.meta.dirname, '../..') } as const;
interface Tree {
  cli: typeof import('../../src/cli/train.ts'); data: typeof import('../../src/data/resolve.ts'); scheme: typeof import('../../src/scheme/load.ts');
  loop: typeof import('../../src/train/loop.ts'); be: typeof import('../../src/train/backend.ts');
}
const mods: Record<string, Tree> = {};
for (const [k, dir] of Object.entries(trees)) {
  mods[k] = {
    cli: await import(`${dir}/src/cli/train.ts`), data: await import(`${dir}/src/data/resolve.ts`), scheme: await import(`${dir}/src/scheme/load.ts`),
    loop: await import(`${dir}/src/train/loop.ts`), be: await import(`${dir}/src/train/backend.ts`),
  };
}
await mods.new.be.initTrainBackend();
async function once(k: string, steps: number): Promise<{ ms: number; cpu: number }> {
  const m = mods[k];
  const ds = m.data.resolveDataset('ring8');
  const cfg = m.cli.configFromArgs(['--scheme', 'vp-linear', '--steps', String(10 + steps), '--checkpoint-every', '100000'], ds);
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 't14m-ab-'));
  let t0 = 0, c0 = process.cpuUsage();
  await m.loop.train({ config: cfg, scheme: m.scheme.loadScheme('vp-linear'), data: ds, outDir: dir, progress: false, threads: 2, onStep: (s) => { if (s === 10) { t0 = performance.now(); c0 = process.cpuUsage(); } } });
  const c = process.cpuUsage(c0);
  fs.rmSync(dir, { recursive: true, force: true });
  return { ms: (performance.now() - t0) / steps, cpu: (c.user + c.system) / 1000 / steps };
}
const steps = Number(process.argv[3] ?? 100), rounds = Number(process.argv[4] ?? 3);
for (let r = 0; r < rounds; r++) for (const k of r % 2 ? ['new', 'base'] : ['base', 'new']) { const x = await once(k, steps); console.log(`${k} round ${r + 1}: ${x.ms.toFixed(2)} ms/step, CPU ${x.cpu.toFixed(2)} ms/step, load ${os.loadavg()[0].toFixed(1)}`); }
