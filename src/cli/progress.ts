/** A one-line progress bar on stderr for the sampling commands (no output when stderr is not a terminal). */
export function progressBar(label: string): { update: (f: number) => void; done: () => void } {
  if (!process.stderr.isTTY) return { update: () => {}, done: () => {} };
  let last = -1;
  const draw = (f: number): void => {
    const pct = Math.floor(f * 100);
    if (pct === last) return;
    last = pct;
    const w = 30, k = Math.round(f * w);
    process.stderr.write(`\r${label} [${'#'.repeat(k)}${'.'.repeat(w - k)}] ${String(pct).padStart(3)}%`);
  };
  return { update: draw, done: () => { draw(1); process.stderr.write('\n'); } };
}
