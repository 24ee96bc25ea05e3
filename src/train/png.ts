/**
 * PNG grids of image samples (values on [-1, 1], NHWC rows) through pngjs.
 */
import { PNG } from 'pngjs';

/** Encode n images of height x width x channels (1 or 3) as a grid PNG with `cols` columns. */
export function imageGridPng(x: ArrayLike<number>, n: number, height: number, width: number, channels: number, cols = Math.ceil(Math.sqrt(n)), gap = 2): Buffer {
  const rows = Math.ceil(n / cols);
  const W = cols * width + (cols + 1) * gap, H = rows * height + (rows + 1) * gap;
  const png = new PNG({ width: W, height: H });
  png.data.fill(255);
  const per = height * width * channels;
  for (let k = 0; k < n; k++) {
    const oy = gap + Math.floor(k / cols) * (height + gap), ox = gap + (k % cols) * (width + gap);
    for (let i = 0; i < height; i++) {
      for (let j = 0; j < width; j++) {
        const p = ((oy + i) * W + ox + j) * 4;
        for (let c = 0; c < 3; c++) {
          const v = x[k * per + (i * width + j) * channels + (channels === 1 ? 0 : c)];
          png.data[p + c] = Math.max(0, Math.min(255, Math.round(((v + 1) / 2) * 255)));
        }
        png.data[p + 3] = 255;
      }
    }
  }
  return PNG.sync.write(png);
}
