#!/usr/bin/env node
/**
 * sdekit command-line entry point. Each command lives in its own module and exports
 * `run(argv): Promise<number>` returning the exit code. Exit 0 ok, 2 bad input, 1 internal failure.
 */
import { isUserError } from '../errors.ts';
import { missingPackage, missingPackageText } from './missing.ts';

type Command = (argv: string[]) => Promise<number>;

const COMMANDS: Record<string, { help: string; load: () => Promise<{ run: Command }> }> = {
  // COMMANDS: one line per command (keep alphabetical)
  bench: { help: 'run the benchmarks against PyTorch / SymPy peers; writes bench/RESULTS.md (--json, --quick)', load: () => import('./bench.ts') },
  check: { help: 'run every proof on one scheme; exit 1 if one fails (--json)', load: () => import('./check.ts') },
  demo: { help: 'derive, prove and sample every built-in (what npm start runs)', load: () => import('./demo.ts') },
  derive: { help: 'closed forms of every view (--json, --latex, --target python|wgsl|glsl)', load: () => import('./derive.ts') },
  export: { help: 'compile for PyTorch: a sampler module (--target torch-sampler) or the training program (--target torch)', load: () => import('./export.ts') },
  eval: { help: 'float64 values at --t t1,t2,...', load: () => import('./eval.ts') },
  proofs: { help: 'run every proof over every built-in: theorem x scheme table (--json)', load: () => import('./proofs.ts') },
  sample: { help: 'draw samples (--scheme S --score gmm:FILE | --model DIR --steps N --out FILE [--sampler NAME])', load: () => import('./sample.ts') },
  schemes: { help: 'list the built-in schemes', load: () => import('./schemes.ts') },
  likelihood: { help: 'log-densities by the PF-ODE (--scheme S --score gmm:FILE | --model DIR --points FILE|test --out FILE)', load: () => import('./likelihood.ts') },
  tune: { help: 'optimise the step grid of a sampler for a scheme, score and budget (--scheme S --score gmm:FILE --sampler NAME --steps N --out steps.json)', load: () => import('./tune.ts') },
  train: { help: 'train a score model (--scheme S --data NAME|gmm:FILE|mnist --steps N --out DIR)', load: () => import('./train.ts') },
  backends: { help: 'list compute backends: available or why not, and the adapter', load: () => import('./backends.ts') },
};

async function main(argv: string[]): Promise<number> {
  const [cmd, ...rest] = argv;
  if (cmd === undefined || cmd === 'help' || cmd === '--help' || cmd === '-h') {
    console.log('usage: sdekit <command> [options]\n\ncommands:');
    for (const [name, c] of Object.entries(COMMANDS)) console.log(`  ${name.padEnd(12)} ${c.help}`);
    return cmd === undefined ? 2 : 0;
  }
  const c = COMMANDS[cmd];
  if (!c) {
    console.error(`sdekit: unknown command ${JSON.stringify(cmd)}; known: ${Object.keys(COMMANDS).join(', ')}`);
    return 2;
  }
  const mod = await c.load();
  return mod.run(rest);
}

main(process.argv.slice(2)).then(
  (code) => { process.exitCode = code; },
  (e: unknown) => {
    if (isUserError(e)) { console.error(`sdekit: ${e.message}`); process.exitCode = 2; }
    else if (missingPackage(e) !== null) { console.error(`sdekit: ${missingPackageText(missingPackage(e) as string)}`); process.exitCode = 1; }
    else { console.error('sdekit: internal error:', e instanceof Error ? (e.stack ?? e.message) : e); process.exitCode = 1; }
  },
);
