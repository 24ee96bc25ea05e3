/**
 * Plots a person wants to look at, as dependency-free SVG: the loss curve (log scale) and a
 * 2-D scatter of samples over the data. (Image grids are PNG, see png.ts.)
 */

const esc = (s: string): string => s.replace(/[<>&"]/g, (c) => ({ '<': '&lt;', '>': '&gt;', '&': '&amp;', '"': '&quot;' })[c] as string);

function ticks(lo: number, hi: number, n = 5): number[] {
  return Array.from({ length: n }, (_, i) => lo + ((hi - lo) * i) / (n - 1));
}

const fmt = (v: number): string => (Math.abs(v) >= 1e4 || (Math.abs(v) < 1e-2 && v !== 0) ? v.toExponential(1) : v.toPrecision(3));

/** Loss curve: [step, loss] pairs, log-scaled y when all losses are positive. */
export function lossCurveSvg(points: readonly (readonly [number, number])[], title = 'training loss'): string {
  const W = 640, H = 360, L = 70, R = 20, T = 30, B = 45;
  const pts = points.filter(([, l]) => Number.isFinite(l));
  const logY = pts.length > 0 && pts.every(([, l]) => l > 0);
  const ys = pts.map(([, l]) => (logY ? Math.log10(l) : l));
  const x0 = pts.length ? pts[0][0] : 0, x1 = pts.length ? pts[pts.length - 1][0] : 1;
  let y0 = Math.min(...ys, Infinity), y1 = Math.max(...ys, -Infinity);
  if (!Number.isFinite(y0)) { y0 = 0; y1 = 1; }
  if (y1 - y0 < 1e-12) { y0 -= 0.5; y1 += 0.5; }
  const sx = (x: number): number => L + ((x - x0) / Math.max(1e-12, x1 - x0)) * (W - L - R);
  const sy = (y: number): number => H - B - ((y - y0) / (y1 - y0)) * (H - T - B);
  const path = pts.map(([s], i) => `${i ? 'L' : 'M'}${sx(s).toFixed(1)},${sy(ys[i]).toFixed(1)}`).join('');
  const yt = ticks(y0, y1).map((y) => `<line x1="${L - 4}" x2="${L}" y1="${sy(y)}" y2="${sy(y)}" stroke="#333"/><text x="${L - 6}" y="${sy(y) + 4}" text-anchor="end">${fmt(logY ? 10 ** y : y)}</text>`).join('');
  const xt = ticks(x0, x1).map((x) => `<text x="${sx(x)}" y="${H - B + 16}" text-anchor="middle">${Math.round(x)}</text>`).join('');
  return `<svg xmlns="http://www.w3.org/2000/svg" width="${W}" height="${H}" font-family="sans-serif" font-size="11">
<rect width="${W}" height="${H}" fill="white"/>
<text x="${W / 2}" y="18" text-anchor="middle" font-size="13">${esc(title)}</text>
<rect x="${L}" y="${T}" width="${W - L - R}" height="${H - T - B}" fill="none" stroke="#333"/>
${yt}${xt}
<text x="${W / 2}" y="${H - 8}" text-anchor="middle">step</text>
<path d="${path}" fill="none" stroke="#1f77b4" stroke-width="1.5"/>
</svg>
`;
}

/** Scatter of 2-D samples (blue) over data points (grey); both row-major n x 2. */
export function scatterSvg(samples: ArrayLike<number>, data: ArrayLike<number>, title = 'samples over data'): string {
  const W = 520, H = 540, pad = 20, top = 40;
  const all = [samples, data];
  let lo = Infinity, hi = -Infinity;
  for (const a of all) for (let i = 0; i < a.length; i++) if (Number.isFinite(a[i])) { lo = Math.min(lo, a[i]); hi = Math.max(hi, a[i]); }
  if (!Number.isFinite(lo)) { lo = -1; hi = 1; }
  const m = 0.05 * (hi - lo || 1); lo -= m; hi += m;
  const size = W - 2 * pad;
  const sx = (v: number): number => pad + ((v - lo) / (hi - lo)) * size;
  const sy = (v: number): number => top + size - ((v - lo) / (hi - lo)) * size;
  const dots = (a: ArrayLike<number>, color: string, r: number): string => {
    let s = '';
    for (let i = 0; i + 1 < a.length; i += 2) if (Number.isFinite(a[i]) && Number.isFinite(a[i + 1])) s += `<circle cx="${sx(a[i]).toFixed(1)}" cy="${sy(a[i + 1]).toFixed(1)}" r="${r}"/>`;
    return `<g fill="${color}">${s}</g>`;
  };
  return `<svg xmlns="http://www.w3.org/2000/svg" width="${W}" height="${H}" font-family="sans-serif" font-size="12">
<rect width="${W}" height="${H}" fill="white"/>
<text x="${W / 2}" y="22" text-anchor="middle" font-size="13">${esc(title)}</text>
<rect x="${pad}" y="${top}" width="${size}" height="${size}" fill="none" stroke="#999"/>
${dots(data, 'rgba(120,120,120,0.35)', 1.2)}
${dots(samples, 'rgba(31,119,180,0.7)', 1.4)}
</svg>
`;
}
