/**
 * A one-line progress bar on stderr (only when stderr is a TTY): step, loss (running mean),
 * steps/s and time left. Non-TTY runs stay quiet so logs and pipes stay clean.
 */

/** Progress reporter. */
export interface Progress {
  update(step: number, loss: number): void;
  done(): void;
}

function fmtTime(s: number): string {
  if (!Number.isFinite(s)) return '?';
  const m = Math.floor(s / 60), h = Math.floor(m / 60);
  return h > 0 ? `${h}h${String(m % 60).padStart(2, '0')}m` : m > 0 ? `${m}m${String(Math.floor(s % 60)).padStart(2, '0')}s` : `${s.toFixed(0)}s`;
}

/** A bar for steps (start, total]; a no-op unless `enabled` (default: stderr is a TTY). */
export function progressBar(start: number, total: number, enabled = process.stderr.isTTY === true): Progress {
  if (!enabled) return { update: () => {}, done: () => {} };
  const t0 = performance.now();
  let last = 0, avg = NaN;
  return {
    update(step, loss) {
      avg = Number.isNaN(avg) ? loss : 0.98 * avg + 0.02 * loss;
      const now = performance.now();
      if (now - last < 100 && step < total) return;
      last = now;
      const rate = (step - start) / ((now - t0) / 1000);
      const frac = total > 0 ? step / total : 1;
      const width = 24, fill = Math.round(frac * width);
      const bar = '#'.repeat(fill) + '-'.repeat(width - fill);
      process.stderr.write(`\r[${bar}] ${step}/${total} loss ${avg.toPrecision(4)} ${rate.toFixed(1)} steps/s eta ${fmtTime((total - step) / rate)}   `);
    },
    done() { process.stderr.write('\n'); },
  };
}
