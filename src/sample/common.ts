/**
 * Shared pieces of the samplers: model evaluation at a grid point, the linear-combination loops
 * (plain typed arrays, no allocation per step), the PF-ODE drift in its stable form, and the
 * first-order exponential step from a zero-SNR start.
 */
import type { NoiseLevel, ViewRequest } from '../score/model.ts';
import { pointAtLogSnr } from './steps.ts';
import type { GridPoint } from './steps.ts';
import type { SamplerContext } from './types.ts';

/** The noise level of a grid point. */
export function level(p: GridPoint): NoiseLevel {
  return { t: p.t, alpha: p.alpha, sigma: p.sigma };
}

/** One model evaluation at grid point p, filling the requested views. */
export function evaluate(ctx: SamplerContext, x: Float64Array, p: GridPoint, want: ViewRequest): Promise<void> {
  return ctx.model.evaluate(x, ctx.n, level(p), want);
}

/** A fresh n x dim buffer. */
export function buffer(ctx: SamplerContext): Float64Array {
  return new Float64Array(ctx.n * ctx.dim);
}

/** out = a x + b y */
export function lin2(out: Float64Array, a: number, x: Float64Array, b: number, y: Float64Array): Float64Array {
  for (let i = 0; i < out.length; i++) out[i] = a * x[i] + b * y[i];
  return out;
}

/** out = a x + b y + c z */
export function lin3(out: Float64Array, a: number, x: Float64Array, b: number, y: Float64Array, c: number, z: Float64Array): Float64Array {
  for (let i = 0; i < out.length; i++) out[i] = a * x[i] + b * y[i] + c * z[i];
  return out;
}

/** out = a x + b y + c z + d w */
export function lin4(
  out: Float64Array, a: number, x: Float64Array, b: number, y: Float64Array, c: number, z: Float64Array, d: number, w: Float64Array,
): Float64Array {
  for (let i = 0; i < out.length; i++) out[i] = a * x[i] + b * y[i] + c * z[i] + d * w[i];
  return out;
}

/** out += c * standard normal noise */
export function addNoise(ctx: SamplerContext, out: Float64Array, c: number): Float64Array {
  if (c === 0) return out;
  const rng = ctx.rng;
  for (let i = 0; i < out.length; i++) out[i] += c * rng.normal();
  return out;
}

/**
 * PF-ODE drift in the stable form dx/dt = alpha'(t) x0_hat + sigma'(t) eps_hat (equal to
 * f x - g^2 s / 2, MATH.md section 3, and finite at alpha = 0): out = dalpha x0 + dsigma eps.
 */
export function pfOdeDrift(ctx: SamplerContext, p: GridPoint, x0: Float64Array, eps: Float64Array, out: Float64Array): Float64Array {
  return lin2(out, ctx.scheme.dalpha(p.t), x0, ctx.scheme.dsigma(p.t), eps);
}

/** True when a step starts at zero SNR (alpha = 0), where logSnr-based formulas have h = infinity. */
export function zeroSnr(p: GridPoint): boolean {
  return p.logSnr === -Infinity;
}

/**
 * A step of order 1..3 from a zero-SNR point s (alpha_s = 0) to t, as an explicit Runge-Kutta step
 * of the PF-ODE in DDIM's coordinates u = alpha/sigma, xbar = x/sigma, where it reads
 * d xbar / d u = x0_hat and is regular at u = 0 (the exponential integrators' logSnr = log u is not).
 * Order 1 is DDIM (Euler in u); order 2 the midpoint rule; order 3 Heun's third-order rule
 * (c = 0, 1/3, 2/3; b = 1/4, 0, 3/4). Costs `order` model evaluations (1 when t is the data point:
 * the denoised estimate).
 */
export async function zeroSnrStep(ctx: SamplerContext, x: Float64Array, s: GridPoint, t: GridPoint, order: number, out: Float64Array): Promise<Float64Array> {
  const k1 = buffer(ctx);
  await evaluate(ctx, x, s, { x0: k1 });
  if (t.data) {
    out.set(k1);
    return out;
  }
  const uT = t.alpha / t.sigma;
  const xbar = buffer(ctx);
  lin2(xbar, 1 / s.sigma, x, 0, x);
  if (order <= 1) return lin2(out, t.sigma, xbar, t.alpha, k1);
  const stage = async (frac: number, build: (tmp: Float64Array) => void): Promise<Float64Array> => {
    const p = pointAtLogSnr(ctx.scheme, Math.log(frac * uT));
    const tmp = buffer(ctx);
    build(tmp); // xbar at the stage ...
    for (let i = 0; i < tmp.length; i++) tmp[i] *= p.sigma; // ... as x = sigma xbar
    const k = buffer(ctx);
    await evaluate(ctx, tmp, p, { x0: k });
    return k;
  };
  if (order === 2) {
    const k2 = await stage(0.5, (tmp) => lin2(tmp, 1, xbar, 0.5 * uT, k1));
    for (let i = 0; i < out.length; i++) out[i] = t.sigma * (xbar[i] + uT * k2[i]);
    return out;
  }
  const k2 = await stage(1 / 3, (tmp) => lin2(tmp, 1, xbar, uT / 3, k1));
  const k3 = await stage(2 / 3, (tmp) => lin2(tmp, 1, xbar, (2 * uT) / 3, k2));
  for (let i = 0; i < out.length; i++) out[i] = t.sigma * (xbar[i] + uT * (0.25 * k1[i] + 0.75 * k3[i]));
  return out;
}

/** (e^{-h} - 1)/h + 1 = h/2 - h^2/6 + ..., without cancellation for small h (DPM-Solver++ phi_2). */
export function phi2Minus(h: number): number {
  if (Math.abs(h) < 1e-2) return h * (1 / 2 - h * (1 / 6 - h * (1 / 24 - h * (1 / 120 - h * (1 / 720 - h / 5040)))));
  return Math.expm1(-h) / h + 1;
}

/** phi_2/h - 1/2 = -h/6 + h^2/24 - ..., without cancellation for small h (DPM-Solver++ phi_3). */
export function phi3Minus(h: number): number {
  if (Math.abs(h) < 1e-2) return -h * (1 / 6 - h * (1 / 24 - h * (1 / 120 - h * (1 / 720 - h * (1 / 5040 - h / 40320)))));
  return phi2Minus(h) / h - 0.5;
}

/** (e^h - 1)/h - 1 = h/2 + h^2/6 + ..., without cancellation for small h (DPM-Solver phi_2). */
export function phi2Plus(h: number): number {
  if (Math.abs(h) < 1e-2) return h * (1 / 2 + h * (1 / 6 + h * (1 / 24 + h * (1 / 120 + h * (1 / 720 + h / 5040)))));
  return Math.expm1(h) / h - 1;
}
