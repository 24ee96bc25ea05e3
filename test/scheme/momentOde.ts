/**
 * An independent reference for the forward moments (MATH.md section 1): RK4 of
 *   alpha' = f alpha,   (sigma^2)' = 2 f sigma^2 + g^2
 * with the declared expressions evaluated by stock mathjs (not by our parser and compiler).
 */
import { compile as mathjsCompile } from 'mathjs';

export const sigmoid = (x: number) => (x >= 0 ? 1 / (1 + Math.exp(-x)) : Math.exp(x) / (1 + Math.exp(x)));

/** A declared expression evaluated by stock mathjs with the declaration's params. */
export function mjs(src: string | number, params: Record<string, number> = {}): (t: number) => number {
  const c = mathjsCompile(String(src));
  return (t) => Number(c.evaluate({ ...params, t, sigmoid }));
}

export type State = [number, number];
/**
 * RK4 for the moment ODEs in the variables (log alpha, sigma^2/alpha^2), where they read
 *   (log alpha)' = f,   (sigma^2/alpha^2)' = g^2/alpha^2
 * (alpha and sigma^2 may change by factors e^{+-20} over a schedule; in these variables RK4's
 * error stays relative), from (a, y) to b in n steps, recording every `every` steps. The
 * steps are uniform in u with t = a + (b - a) u^3, so that they are tiny near the start, where
 * schedules may be singular (sigma^2 ~ t^p); RK4 is run on dy/du = y'(t) dt/du.
 */
function rk4(F: (t: number) => number, G: (t: number) => number, a: number, y: State, b: number, n: number, every: number): { t: number; y: State }[] {
  const h = 1 / n;
  const tOf = (u: number) => a + (b - a) * u * u * u;
  const rhs = (u: number, [la]: State): State => { const t = tOf(u), dt = 3 * (b - a) * u * u; return [F(t) * dt, G(t) * Math.exp(-2 * la) * dt]; };
  const out: { t: number; y: State }[] = [];
  let cur = y;
  for (let i = 0; i < n; i++) {
    const u = i * h;
    const k1 = rhs(u, cur);
    const k2 = rhs(u + h / 2, [cur[0] + (h / 2) * k1[0], cur[1] + (h / 2) * k1[1]]);
    const k3 = rhs(u + h / 2, [cur[0] + (h / 2) * k2[0], cur[1] + (h / 2) * k2[1]]);
    const k4 = rhs(u + h, [cur[0] + h * k3[0], cur[1] + h * k3[1]]);
    cur = [cur[0] + (h / 6) * (k1[0] + 2 * k2[0] + 2 * k3[0] + k4[0]), cur[1] + (h / 6) * (k1[1] + 2 * k2[1] + 2 * k3[1] + k4[1])];
    if ((i + 1) % every === 0) out.push({ t: tOf((i + 1) * h), y: cur });
  }
  return out;
}

/** RK4 at n and 2n steps, Richardson-extrapolated; y = (alpha, sigma^2) in and out. */
export function reference(F: (t: number) => number, G: (t: number) => number, a: number, y: State, b: number): { t: number; y: State }[] {
  const y0: State = [Math.log(y[0]), y[1] / (y[0] * y[0])];
  const coarse = rk4(F, G, a, y0, b, 4000, 100), fine = rk4(F, G, a, y0, b, 8000, 200);
  return fine.map((p, i) => {
    const la = p.y[0] + (p.y[0] - coarse[i].y[0]) / 15, Q = p.y[1] + (p.y[1] - coarse[i].y[1]) / 15;
    return { t: p.t, y: [Math.exp(la), Math.exp(2 * la) * Q] };
  });
}


export const rel = (a: number, b: number) => (a === b ? 0 : Math.abs(a - b) / Math.max(Math.abs(a), Math.abs(b)));
