/**
 * The particle view: one animation frame at a time, over the exact marginal density p_t of the
 * target (computed with TensorFlow.js, src: density.ts), with the component means and the
 * recent paths of a few tracked particles (smooth at lambda = 0, jagged for lambda > 0).
 * The square view follows the scale of p_t, sqrt(alpha^2 E|x0|^2/D + sigma^2), so that a VE or
 * EDM start (sigma = 50 or 80) and the data both fit.
 */
import type { GmmSpec } from '../../src/score/gmm.ts';
import { densityImage } from './density.ts';
import { fitCanvas } from './plot.ts';
import type { Frame } from './sampling.ts';
import { dataExtent, secondMoment } from './targets.ts';

/** Number of particles whose paths are drawn. */
export const TRACKED = 8;
const TRAIL_COLORS = ['#e6194b', '#3cb44b', '#f58231', '#911eb4', '#46a0a0', '#f032e6', '#9a6324', '#000075'];
const DENSITY_RES = 128;
/** density images computed per run (frames in between reuse the nearest) */
const DENSITY_LEVELS = 30;

export class ParticleView {
  private gmm: GmmSpec | null = null;
  private frames: Frame[] = [];
  private current = 0;
  private follow = true;
  private densityCache = new Map<string, { image: HTMLCanvasElement; r: number }>();
  private densityPending = new Set<string>();
  /** set when the density cannot be computed (shown once, never breaks the view) */
  densityError: string | null = null;
  /** set once the TensorFlow.js backend is chosen (no tensor work before that) */
  densityReady = false;

  constructor(private readonly canvas: HTMLCanvasElement) {}

  setTarget(g: GmmSpec): void {
    this.gmm = g;
    this.densityCache.clear();
    this.draw();
  }

  setFrames(frames: Frame[]): void {
    this.frames = frames;
    this.current = 0;
    this.densityCache.clear();
    this.draw();
  }

  setFollow(on: boolean): void {
    this.follow = on;
    this.draw();
  }

  get frameCount(): number { return this.frames.length; }
  get frameIndex(): number { return this.current; }
  frame(i = this.current): Frame | undefined { return this.frames[i]; }

  showFrame(i: number): void {
    this.current = Math.max(0, Math.min(this.frames.length - 1, i));
    this.draw();
  }

  /** Half-width of the view at a noise level. */
  extent(alpha: number, sigma: number): number {
    const g = this.gmm;
    if (!g) return 3;
    const base = dataExtent(g);
    if (!this.follow) return base;
    return Math.max(base, 3.2 * Math.sqrt(alpha * alpha * secondMoment(g) + sigma * sigma));
  }

  /** World coordinates of a canvas pixel (for placing components by click). */
  toWorld(px: number, py: number): [number, number] {
    const f = this.frames[this.current];
    const r = f ? this.extent(f.alpha, f.sigma) : this.extent(1, 0);
    const w = this.canvas.clientWidth, h = this.canvas.clientHeight;
    return [((px / w) * 2 - 1) * r, (1 - (py / h) * 2) * r];
  }

  /**
   * The density image for frame i, computed for at most ~{@link DENSITY_LEVELS} frames per run
   * (the nearest computed frame stands in meanwhile); returns the image and the half-width it covers.
   */
  private densityFor(i: number): { image: HTMLCanvasElement; r: number } | undefined {
    const g = this.gmm;
    if (!g || this.densityError || !this.densityReady) return undefined;
    const n = this.frames.length;
    const stride = Math.max(1, Math.round(n / DENSITY_LEVELS));
    const q = n ? Math.min(n - 1, Math.round(i / stride) * stride) : -1;
    const f = this.frames[q];
    const alpha = f ? f.alpha : 1, sigma = f ? f.sigma : 0;
    const r = this.extent(alpha, sigma);
    const key = `${q}`;
    const hit = this.densityCache.get(key);
    if (hit) return hit;
    if (!this.densityPending.has(key) && this.densityPending.size < 1) {
      this.densityPending.add(key);
      const frames = this.frames;
      // off the drawing path: the tensor work runs in its own task
      setTimeout(() => {
        densityImage(g, alpha, sigma, r, DENSITY_RES).then((img) => {
          const c = document.createElement('canvas');
          c.width = img.width; c.height = img.height;
          c.getContext('2d')?.putImageData(img, 0, 0);
          if (this.gmm === g && this.frames === frames) this.densityCache.set(key, { image: c, r });
          this.densityPending.delete(key);
          if (this.frames === frames) this.draw();
        }, (e: unknown) => {
          this.densityPending.delete(key);
          this.densityError = e instanceof Error ? e.message : String(e);
        });
      }, 0);
    }
    // meanwhile, the last computed density
    let best: { image: HTMLCanvasElement; r: number } | undefined;
    for (const c of this.densityCache.values()) best = c;
    return best;
  }

  private layer: { canvas: HTMLCanvasElement; img: ImageData; buf: Uint32Array } | null = null;

  /**
   * The particles as pixels of an offscreen layer (one putImageData instead of thousands of
   * fillRect calls): a 2 x 2 device-pixel dot per particle, darker where dots overlap.
   */
  private particleLayer(x: Float32Array, r: number): HTMLCanvasElement {
    const W = this.canvas.width, H = this.canvas.height;
    if (!this.layer || this.layer.img.width !== W || this.layer.img.height !== H) {
      const canvas = document.createElement('canvas');
      canvas.width = W; canvas.height = H;
      const img = new ImageData(W, H);
      this.layer = { canvas, img, buf: new Uint32Array(img.data.buffer) };
    }
    const { canvas, img, buf } = this.layer;
    buf.fill(0);
    const sx = W / (2 * r), sy = H / (2 * r);
    const dot = W > 700 ? 2 : 1; // device pixels beyond the first, per side
    for (let i = 0; i < x.length / 2; i++) {
      const px = Math.floor((x[2 * i] + r) * sx), py = Math.floor((r - x[2 * i + 1]) * sy);
      if (px < 0 || py < 0 || px + dot >= W || py + dot >= H) continue;
      for (let dy = 0; dy <= dot; dy++) {
        for (let dx = 0; dx <= dot; dx++) {
          const k = (py + dy) * W + px + dx;
          const a = Math.min(255, (buf[k] >>> 24) + 110);
          buf[k] = ((a << 24) | 0x141414) >>> 0; // ABGR in little-endian memory: rgb(20, 20, 20)
        }
      }
    }
    canvas.getContext('2d')?.putImageData(img, 0, 0);
    return canvas;
  }

  draw(): void {
    const { ctx, w, h } = fitCanvas(this.canvas);
    const g = this.gmm;
    const f = this.frames[this.current];
    const alpha = f ? f.alpha : 1, sigma = f ? f.sigma : 0;
    const r = this.extent(alpha, sigma);
    const X = (x: number) => ((x / r + 1) / 2) * w;
    const Y = (y: number) => ((1 - y / r) / 2) * h;
    ctx.fillStyle = '#fff';
    ctx.fillRect(0, 0, w, h);
    const dens = this.densityFor(this.current);
    if (dens) {
      // the image covers [-dens.r, dens.r]^2; place it in this frame's coordinates
      ctx.imageSmoothingEnabled = true;
      ctx.drawImage(dens.image, X(-dens.r), Y(dens.r), X(dens.r) - X(-dens.r), Y(-dens.r) - Y(dens.r));
    }
    // axes through the origin
    ctx.strokeStyle = 'rgba(0,0,0,0.15)';
    ctx.lineWidth = 1;
    ctx.beginPath(); ctx.moveTo(X(-r), Y(0)); ctx.lineTo(X(r), Y(0)); ctx.moveTo(X(0), Y(-r)); ctx.lineTo(X(0), Y(r)); ctx.stroke();
    if (f) {
      const x = f.x, n = x.length / 2;
      ctx.drawImage(this.particleLayer(x, r), 0, 0, w, h);
      // the recent path of each tracked particle (a fading tail over the last fifth of the run),
      // drawn in the current frame's coordinates: smooth at lambda = 0, jagged for lambda > 0
      const tail = Math.max(6, Math.round(this.frames.length / 5));
      const from = Math.max(0, this.current - tail);
      ctx.lineWidth = 1.6;
      for (let p = 0; p < Math.min(TRACKED, n); p++) {
        const color = TRAIL_COLORS[p % TRAIL_COLORS.length];
        ctx.strokeStyle = color;
        for (let i = from + 1; i <= this.current; i++) {
          const a = this.frames[i - 1].x, b = this.frames[i].x;
          ctx.globalAlpha = 0.15 + 0.85 * ((i - from) / (this.current - from));
          ctx.beginPath(); ctx.moveTo(X(a[2 * p]), Y(a[2 * p + 1])); ctx.lineTo(X(b[2 * p]), Y(b[2 * p + 1])); ctx.stroke();
        }
        ctx.globalAlpha = 1;
        ctx.fillStyle = color;
        ctx.beginPath(); ctx.arc(X(x[2 * p]), Y(x[2 * p + 1]), 3.2, 0, 2 * Math.PI); ctx.fill();
      }
    }
    if (g) {
      // component means, scaled to the current level: alpha mu_k
      ctx.strokeStyle = '#c00';
      ctx.lineWidth = 1.5;
      g.means.forEach((m) => {
        const cx = X(alpha * m[0]), cy = Y(alpha * m[1]);
        ctx.beginPath(); ctx.moveTo(cx - 5, cy); ctx.lineTo(cx + 5, cy); ctx.moveTo(cx, cy - 5); ctx.lineTo(cx, cy + 5); ctx.stroke();
      });
    }
    ctx.fillStyle = '#222';
    ctx.font = '12px system-ui, sans-serif';
    const label = f ? `t = ${f.t.toPrecision(4)}   α = ${alpha.toPrecision(3)}   σ = ${sigma.toPrecision(3)}   view ±${r.toPrecision(3)}` : 'no samples yet';
    ctx.fillText(label, 8, h - 8);
  }
}
