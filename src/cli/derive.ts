/**
 * `sdekit derive <scheme> [--json] [--latex] [--target mathjs|latex|python|wgsl|glsl|js]`:
 * the closed forms of every view, the lambda-family and the PF-ODE.
 */
import { allowOnly, bool, parseArgs, str } from './args.ts';
import { UserError } from '../errors.ts';
import { loadDeclared } from '../scheme/load.ts';
import { derivation, derivationLatex } from '../codegen/derivation.ts';
import { pythonModule } from '../codegen/python.ts';
import { jsModule } from '../codegen/jsModule.ts';

const TARGETS = ['mathjs', 'latex', 'python', 'wgsl', 'glsl', 'js'] as const;

export async function run(argv: string[]): Promise<number> {
  const a = parseArgs(argv);
  allowOnly(a, ['latex', 'target']);
  if (a.positionals.length === 0) throw new UserError('scheme', 'missing: sdekit derive <built-in name | scheme.json> [more schemes...]');
  if (a.positionals.length > 1) {
    // several schemes: one JSON array (or the human output of each in turn)
    const all: number[] = [];
    const docs: unknown[] = [];
    for (const spec of a.positionals) {
      if (bool(a, 'json')) { const { scheme, report } = loadDeclared(spec); docs.push({ ...derivation(scheme), terminalKl: report.terminalKl, warnings: report.warnings }); }
      else all.push(await run([spec, ...argv.filter((x) => !a.positionals.includes(x))]));
    }
    if (bool(a, 'json')) console.log(JSON.stringify(docs, null, 2));
    return Math.max(0, ...all);
  }
  const spec = a.positionals[0];
  const { scheme, report } = loadDeclared(spec);
  const target = str(a, 'target', bool(a, 'latex') ? 'latex' : 'mathjs') as string;
  if (!(TARGETS as readonly string[]).includes(target)) throw new UserError('--target', `must be one of ${TARGETS.join(', ')}`, { value: target });
  if (target === 'python') { process.stdout.write(pythonModule(scheme)); return 0; }
  if (target === 'js') { process.stdout.write(jsModule(scheme)); return 0; }
  if (target === 'wgsl' || target === 'glsl') {
    const { shaderModule } = await import('../codegen/shader.ts');
    process.stdout.write(shaderModule(scheme, target));
    return 0;
  }
  const d = derivation(scheme);
  if (bool(a, 'json')) {
    const out: Record<string, unknown> = { ...d, terminalKl: report.terminalKl, warnings: report.warnings };
    if (target === 'latex') out.latex = derivationLatex(scheme);
    console.log(JSON.stringify(out, null, 2));
    return 0;
  }
  console.log(`scheme ${d.name} (${d.form}) on [${d.t0}, ${d.T}]${Object.keys(d.params).length ? '  params ' + JSON.stringify(d.params) : ''}`);
  if (target === 'latex') {
    for (const [k, v] of Object.entries(derivationLatex(scheme))) console.log(`${k.padEnd(8)} ${v}`);
  } else {
    for (const [k, q] of Object.entries(d.quantities)) console.log(`${k.padEnd(8)} ${q.method.padEnd(9)} ${q.expr ?? '(no closed form; adaptive Gauss-Kronrod quadrature / table interpolation, rel. err <= 1e-12)'}`);
    console.log(`reverse  drift     ${d.reverse.drift}`);
    console.log(`reverse  diffusion ${d.reverse.diffusion}`);
    console.log(`pfOde    drift     ${d.pfOde.drift}`);
    console.log(`inverse  ${d.inverse.method.padEnd(9)} t(lambda) = ${d.inverse.expr ?? '(monotone safeguarded Newton/bisection to 1e-14)'}`);
    for (const [k, w] of Object.entries(d.weightings)) console.log(`weight   ${k.padEnd(10)} ${w.expr ?? '(numeric)'}`);
    const v = d.transition.earlier;
    console.log(`kernel   x_t | x_${v} ~ N(a x_${v}, v), ${v} < t: ${d.transition.alpha === null ? '(numeric: alpha(t)/alpha(' + v + '), sigma2(t) - a^2 sigma2(' + v + '))' : `a = ${d.transition.alpha}, v = ${d.transition.sigma2}`}`);
  }
  console.log(`terminal KL to prior: ${report.terminalKl.toExponential(3)} nats/dim`);
  for (const w of report.warnings) console.log(`warning: ${w}`);
  return 0;
}
