/**
 * A small line plot on a canvas: one curve y(t) with axes, "nice" ticks (1, 2, 5 x 10^k),
 * an optional logarithmic y axis, a marker at the current time, and gaps where y is not finite
 * (e.g. logSnr = +Infinity at sigma = 0).
 */
import { fmtNum } from './dom.ts';

/** One plotted curve. */
export interface Curve {
  readonly title: string;
  readonly t: Float64Array;
  readonly y: Float64Array;
  readonly color: string;
  /** plot log10(y) (only when every finite y is > 0) */
  readonly logY?: boolean;
  /** a vertical marker at this time */
  readonly marker?: number;
}

/** "Nice" ticks covering [lo, hi], about `count` of them. */
export function niceTicks(lo: number, hi: number, count = 5): number[] {
  if (!(hi > lo)) return [lo];
  const raw = (hi - lo) / count;
  const mag = 10 ** Math.floor(Math.log10(raw));
  const step = [1, 2, 5, 10].map((m) => m * mag).find((s) => s >= raw) ?? 10 * mag;
  const ticks: number[] = [];
  for (let v = Math.ceil(lo / step) * step; v <= hi + step * 1e-9; v += step) ticks.push(Math.abs(v) < step * 1e-9 ? 0 : v);
  return ticks;
}

/** Size the canvas backing store to its CSS size times the device pixel ratio; returns the 2-D context in CSS pixels. */
export function fitCanvas(canvas: HTMLCanvasElement): { ctx: CanvasRenderingContext2D; w: number; h: number } {
  const dpr = window.devicePixelRatio || 1;
  const w = canvas.clientWidth || canvas.width, h = canvas.clientHeight || canvas.height;
  if (canvas.width !== Math.round(w * dpr) || canvas.height !== Math.round(h * dpr)) {
    canvas.width = Math.round(w * dpr);
    canvas.height = Math.round(h * dpr);
  }
  const ctx = canvas.getContext('2d');
  if (!ctx) throw new Error('playground: no 2-D canvas context');
  ctx.setTransform(dpr, 0, 0, dpr, 0, 0);
  return { ctx, w, h };
}

/** The last curve drawn into a canvas, as an offscreen copy, so a moving marker redraws cheaply. */
interface Cached { readonly t: Float64Array; readonly y: Float64Array; readonly title: string; readonly w: number; readonly h: number; readonly image: HTMLCanvasElement; readonly X: (t: number) => number; readonly top: number; readonly ph: number }
const cache = new WeakMap<HTMLCanvasElement, Cached>();

/** Draw a curve into the canvas (cleared first), reusing the previous drawing when only the marker moved. */
export function drawCurve(canvas: HTMLCanvasElement, c: Curve): void {
  const { ctx, w, h } = fitCanvas(canvas);
  let hit = cache.get(canvas);
  if (!hit || hit.t !== c.t || hit.y !== c.y || hit.title !== c.title || hit.w !== w || hit.h !== h) {
    const image = document.createElement('canvas');
    image.width = canvas.width; image.height = canvas.height;
    const ictx = image.getContext('2d');
    if (!ictx) throw new Error('playground: no 2-D canvas context');
    ictx.setTransform(canvas.width / w, 0, 0, canvas.height / h, 0, 0);
    const geom = render(ictx, w, h, c);
    hit = { t: c.t, y: c.y, title: c.title, w, h, image, ...geom };
    cache.set(canvas, hit);
  }
  ctx.clearRect(0, 0, w, h);
  ctx.drawImage(hit.image, 0, 0, w, h);
  const t0 = c.t[0], t1 = c.t[c.t.length - 1];
  if (c.marker !== undefined && c.marker >= Math.min(t0, t1) && c.marker <= Math.max(t0, t1)) {
    const x = hit.X(c.marker);
    ctx.strokeStyle = '#d33';
    ctx.lineWidth = 1;
    ctx.setLineDash([4, 3]);
    ctx.beginPath(); ctx.moveTo(x, hit.top); ctx.lineTo(x, hit.top + hit.ph); ctx.stroke();
    ctx.setLineDash([]);
  }
}

/** Axes, ticks and the curve; returns the time-to-pixel map and the plot box. */
function render(ctx: CanvasRenderingContext2D, w: number, h: number, c: Curve): { X: (t: number) => number; top: number; ph: number } {
  ctx.clearRect(0, 0, w, h);
  const left = 46, right = 8, top = 20, bottom = 22;
  const pw = w - left - right, ph = h - top - bottom;
  const finite: number[] = [];
  const logY = c.logY === true && [...c.y].every((v) => !Number.isFinite(v) || v > 0);
  const ys = Float64Array.from(c.y, (v) => (logY ? Math.log10(v) : v));
  for (const v of ys) if (Number.isFinite(v)) finite.push(v);
  ctx.font = '12px system-ui, sans-serif';
  ctx.fillStyle = '#222';
  ctx.fillText(c.title + (logY ? '  (log scale)' : ''), left, 13);
  const t0 = c.t[0], t1 = c.t[c.t.length - 1];
  const X = (t: number) => left + ((t - t0) / (t1 - t0)) * pw;
  if (finite.length === 0) {
    ctx.fillStyle = '#a00';
    ctx.fillText('no finite values', left + 10, top + ph / 2);
    return { X, top, ph };
  }
  let yLo = Math.min(...finite), yHi = Math.max(...finite);
  if (yHi - yLo < 1e-12 * Math.max(1, Math.abs(yHi))) { yLo -= 0.5 * Math.max(1e-3, Math.abs(yLo)); yHi += 0.5 * Math.max(1e-3, Math.abs(yHi)); }
  const pad = 0.05 * (yHi - yLo);
  yLo -= pad; yHi += pad;
  const Y = (v: number) => top + (1 - (v - yLo) / (yHi - yLo)) * ph;
  // axes and ticks
  ctx.strokeStyle = '#ccc';
  ctx.lineWidth = 1;
  ctx.fillStyle = '#555';
  ctx.font = '10px system-ui, sans-serif';
  for (const v of niceTicks(yLo, yHi, 4)) {
    const y = Y(v);
    ctx.beginPath(); ctx.moveTo(left, y); ctx.lineTo(left + pw, y); ctx.stroke();
    const label = logY ? `1e${fmtNum(v)}` : fmtNum(v);
    ctx.fillText(label, 2, y + 3);
  }
  for (const v of niceTicks(t0, t1, 5)) {
    const x = X(v);
    ctx.beginPath(); ctx.moveTo(x, top); ctx.lineTo(x, top + ph); ctx.stroke();
    ctx.fillText(fmtNum(v), x - 8, top + ph + 14);
  }
  ctx.strokeStyle = '#888';
  ctx.strokeRect(left, top, pw, ph);
  // the curve, with gaps at non-finite points
  ctx.strokeStyle = c.color;
  ctx.lineWidth = 2;
  ctx.beginPath();
  let pen = false;
  for (let i = 0; i < ys.length; i++) {
    const v = ys[i];
    if (!Number.isFinite(v)) { pen = false; continue; }
    const x = X(c.t[i]), y = Y(v);
    if (pen) ctx.lineTo(x, y); else ctx.moveTo(x, y);
    pen = true;
  }
  ctx.stroke();
  return { X, top, ph };
}
