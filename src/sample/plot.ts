/**
 * `--plot out.svg|png`: a 2-D scatter of samples over the target density (when known). The density
 * is rasterised (white to blue, linear in p) and encoded with pngjs; the SVG embeds it as a data URI
 * under up to 5000 sample dots, the PNG draws the dots into the raster.
 */
import { PNG } from 'pngjs';

/** Plot inputs: n x 2 samples and, optionally, the target log-density of n x 2 points. */
export interface PlotInput {
  readonly samples: Float64Array;
  readonly n: number;
  readonly logDensity?: (x: Float64Array, n: number) => Float64Array;
  readonly title?: string;
  readonly size?: number;
}

interface Frame { x0: number; y0: number; span: number; size: number }

function quantile(sorted: Float64Array, q: number): number {
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.floor(q * (sorted.length - 1))))];
}

/** A square window around the bulk of the samples (0.5%..99.5% quantiles, 15% margin). */
function frame(samples: Float64Array, n: number, size: number): Frame {
  const xs = new Float64Array(n), ys = new Float64Array(n);
  for (let i = 0; i < n; i++) { xs[i] = samples[2 * i]; ys[i] = samples[2 * i + 1]; }
  xs.sort(); ys.sort();
  const lo = [quantile(xs, 0.005), quantile(ys, 0.005)], hi = [quantile(xs, 0.995), quantile(ys, 0.995)];
  const span = Math.max(hi[0] - lo[0], hi[1] - lo[1], 1e-6) * 1.3;
  const cx = 0.5 * (lo[0] + hi[0]), cy = 0.5 * (lo[1] + hi[1]);
  return { x0: cx - span / 2, y0: cy - span / 2, span, size };
}

/** Density raster (RGBA, row 0 at the top), white where p = 0 and blue at the maximum. */
function raster(input: PlotInput, f: Frame, res: number): PNG {
  const png = new PNG({ width: res, height: res });
  png.data.fill(255);
  if (!input.logDensity) return png;
  const pts = new Float64Array(res * res * 2);
  for (let r = 0; r < res; r++) for (let c = 0; c < res; c++) {
    const i = r * res + c;
    pts[2 * i] = f.x0 + ((c + 0.5) / res) * f.span;
    pts[2 * i + 1] = f.y0 + f.span - ((r + 0.5) / res) * f.span;
  }
  const logp = input.logDensity(pts, res * res);
  let m = -Infinity;
  for (const v of logp) if (v > m) m = v;
  for (let i = 0; i < res * res; i++) {
    const p = Number.isFinite(m) ? Math.exp(logp[i] - m) : 0;
    png.data[4 * i] = Math.round(255 - 200 * p);
    png.data[4 * i + 1] = Math.round(255 - 150 * p);
    png.data[4 * i + 2] = 255;
    png.data[4 * i + 3] = 255;
  }
  return png;
}

/** An SVG document: the density raster under the samples. */
export function plotSvg(input: PlotInput): string {
  const size = input.size ?? 640;
  const f = frame(input.samples, input.n, size);
  const bg = PNG.sync.write(raster(input, f, 200)).toString('base64');
  const stride = Math.max(1, Math.ceil(input.n / 5000));
  const dots: string[] = [];
  for (let i = 0; i < input.n; i += stride) {
    const px = ((input.samples[2 * i] - f.x0) / f.span) * size;
    const py = size - ((input.samples[2 * i + 1] - f.y0) / f.span) * size;
    if (px >= 0 && px <= size && py >= 0 && py <= size) dots.push(`<circle cx="${px.toFixed(1)}" cy="${py.toFixed(1)}" r="1.6"/>`);
  }
  const title = input.title ? `<text x="8" y="18" font-family="sans-serif" font-size="13">${escapeXml(input.title)}</text>` : '';
  return [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${size}" height="${size}" viewBox="0 0 ${size} ${size}">`,
    `<image href="data:image/png;base64,${bg}" x="0" y="0" width="${size}" height="${size}" preserveAspectRatio="none"/>`,
    `<g fill="#e8590c" fill-opacity="0.55">${dots.join('')}</g>`,
    title,
    `<text x="8" y="${size - 8}" font-family="sans-serif" font-size="11">x: [${f.x0.toPrecision(3)}, ${(f.x0 + f.span).toPrecision(3)}], y: [${f.y0.toPrecision(3)}, ${(f.y0 + f.span).toPrecision(3)}]</text>`,
    '</svg>',
  ].join('\n');
}

/** A PNG image: the density raster with the samples drawn as small dots. */
export function plotPng(input: PlotInput): Buffer {
  const size = input.size ?? 640;
  const f = frame(input.samples, input.n, size);
  const png = raster(input, f, size);
  for (let i = 0; i < input.n; i++) {
    const px = Math.floor(((input.samples[2 * i] - f.x0) / f.span) * size);
    const py = Math.floor(size - ((input.samples[2 * i + 1] - f.y0) / f.span) * size);
    for (let dy = -1; dy <= 1; dy++) for (let dx = -1; dx <= 1; dx++) {
      const x = px + dx, y = py + dy;
      if (x < 0 || y < 0 || x >= size || y >= size) continue;
      const k = 4 * (y * size + x);
      png.data[k] = Math.round(0.5 * png.data[k] + 0.5 * 232);
      png.data[k + 1] = Math.round(0.5 * png.data[k + 1] + 0.5 * 89);
      png.data[k + 2] = Math.round(0.5 * png.data[k + 2] + 0.5 * 12);
    }
  }
  return PNG.sync.write(png);
}

function escapeXml(s: string): string {
  return s.replace(/[<>&"]/g, (c) => ({ '<': '&lt;', '>': '&gt;', '&': '&amp;', '"': '&quot;' })[c] ?? c);
}
