import { performance } from 'node:perf_hooks';
const T = (f) => { const s = performance.now(); let r; try { r = f(); } catch (e) { r = 'ERROR ' + e.message.slice(0, 100); } return [String(r), (performance.now() - s).toFixed(1) + ' ms']; };
const cases = {
  alpha: 'exp(-(b0*t + (b1-b0)*t^2/2)/2)',
  cosG2: 'diff(1 - cos(pi/2*(t+s)/(1+s))^2/cos(pi/2*s/(1+s))^2, t) - 2*diff(log(cos(pi/2*(t+s)/(1+s))), t)*(1 - cos(pi/2*(t+s)/(1+s))^2/cos(pi/2*s/(1+s))^2)',
  zero: 'diff(exp(-b0*t/2 - (b1-b0)*t^2/4), t) - (-(b0 + (b1-b0)*t)/2)*exp(-b0*t/2 - (b1-b0)*t^2/4)',
  zero2: 'sin(x)^2 + cos(x)^2 - 1',
  sqrt2: 'sqrt(x^2)',
  logexp: 'log(exp(x)*exp(y))',
};
let t0 = performance.now();
const { ComputeEngine } = await import('@cortex-js/compute-engine');
const ce = new ComputeEngine();
console.log('compute-engine load', (performance.now() - t0).toFixed(0), 'ms');
const ceCases = {
  alpha: '\\exp(-(b_0 t + (b_1-b_0) t^2/2)/2)',
  zero: '\\frac{d}{dt}\\exp(-b_0 t/2 - (b_1-b_0) t^2/4) + \\frac{b_0 + (b_1-b_0) t}{2}\\exp(-b_0 t/2 - (b_1-b_0) t^2/4)',
  zero2: '\\sin(x)^2 + \\cos(x)^2 - 1',
  sqrt2: '\\sqrt{x^2}',
  logexp: '\\ln(e^x e^y)',
  cosG2: '\\frac{d}{dt}\\left(1 - \\frac{\\cos(\\frac{\\pi}{2}\\frac{t+s}{1+s})^2}{\\cos(\\frac{\\pi}{2}\\frac{s}{1+s})^2}\\right)',
};
for (const [k, v] of Object.entries(ceCases)) console.log('CE', k, ...T(() => ce.parse(v).simplify().latex));
t0 = performance.now();
const Algebrite = (await import('algebrite')).default;
console.log('algebrite load', (performance.now() - t0).toFixed(0), 'ms');
const alg = { ...cases, cosG2: cases.cosG2.replaceAll('diff(', 'd(') };
for (const [k, v] of Object.entries(alg)) console.log('ALG', k, ...T(() => Algebrite.run(`simplify(${v.replaceAll('diff(', 'd(')})`)));
t0 = performance.now();
const math = await import('mathjs');
console.log('mathjs load', (performance.now() - t0).toFixed(0), 'ms');
const mj = { alpha: cases.alpha, zero: 'derivative("exp(-b0*t/2 - (b1-b0)*t^2/4)","t")', zero2: cases.zero2, sqrt2: cases.sqrt2, logexp: cases.logexp };
console.log('MJ alpha', ...T(() => math.simplify(cases.alpha).toString()));
console.log('MJ zero', ...T(() => math.simplify(math.parse(`${math.derivative('exp(-b0*t/2 - (b1-b0)*t^2/4)', 't').toString()} - (-(b0 + (b1-b0)*t)/2)*exp(-b0*t/2 - (b1-b0)*t^2/4)`)).toString()));
console.log('MJ zero2', ...T(() => math.simplify(cases.zero2).toString()));
console.log('MJ sqrt2', ...T(() => math.simplify(cases.sqrt2).toString()));
console.log('MJ logexp', ...T(() => math.simplify(cases.logexp).toString()));
console.log('MJ rationalize', ...T(() => math.rationalize('(x*y + x*z)/x + 1/(x+1) - 1/(x+1)').toString()));
console.log('MJ cosG2 deriv+simplify', ...T(() => math.simplify(math.derivative('1 - cos(pi/2*(t+s)/(1+s))^2/cos(pi/2*s/(1+s))^2', 't')).toString()));
try { t0 = performance.now(); const giac = (await import('giac')).default; console.log('giac load', (performance.now() - t0).toFixed(0)); for (const [k, v] of Object.entries(cases)) console.log('GIAC', k, ...T(() => giac.evaluate(`simplify(${v})`))); } catch (e) { console.log('giac: cannot load:', e.message.slice(0, 200)); }
