/**
 * Minimal argv parser shared by every command: `--flag value`, `--flag=value`, boolean `--flag`,
 * positionals. Typed getters throw {@link UserError} naming the flag and the bad value.
 */
import { UserError } from '../errors.ts';

export interface ParsedArgs {
  readonly positionals: string[];
  readonly flags: Map<string, string | true>;
}

/** Parse argv; `booleans` lists flags that never take a value. */
export function parseArgs(argv: readonly string[], booleans: readonly string[] = []): ParsedArgs {
  const positionals: string[] = [];
  const flags = new Map<string, string | true>();
  const bool = new Set(['json', 'help', 'latex', ...booleans]);
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    if (a.startsWith('--')) {
      const eq = a.indexOf('=');
      if (eq > 0) { flags.set(a.slice(2, eq), a.slice(eq + 1)); continue; }
      const name = a.slice(2);
      const next = argv[i + 1];
      if (bool.has(name) || next === undefined || (next.startsWith('--') && !/^--?\d/.test(next))) flags.set(name, true);
      else { flags.set(name, next); i++; }
    } else positionals.push(a);
  }
  return { positionals, flags };
}

/** String flag value, or the default; a bare flag with no value is an error. */
export function str(a: ParsedArgs, name: string, dflt?: string): string | undefined {
  const v = a.flags.get(name);
  if (v === undefined) return dflt;
  if (v === true) throw new UserError(`--${name}`, 'expects a value');
  return v;
}

/** Required string flag. */
export function req(a: ParsedArgs, name: string): string {
  const v = str(a, name);
  if (v === undefined) throw new UserError(`--${name}`, 'is required');
  return v;
}

/** Finite number flag with optional bounds. */
export function num(a: ParsedArgs, name: string, dflt: number, opts: { min?: number; max?: number; integer?: boolean } = {}): number {
  const s = str(a, name);
  if (s === undefined) return dflt;
  const v = Number(s);
  if (s.trim() === '' || !Number.isFinite(v)) throw new UserError(`--${name}`, 'must be a finite number', { value: s });
  if (opts.integer && !Number.isInteger(v)) throw new UserError(`--${name}`, 'must be an integer', { value: s });
  if (opts.min !== undefined && v < opts.min) throw new UserError(`--${name}`, `must be >= ${opts.min}`, { value: s });
  if (opts.max !== undefined && v > opts.max) throw new UserError(`--${name}`, `must be <= ${opts.max}`, { value: s });
  return v;
}

/** Boolean flag. */
export function bool(a: ParsedArgs, name: string): boolean {
  return a.flags.get(name) !== undefined && a.flags.get(name) !== 'false';
}

/** Comma-separated list of finite numbers. */
export function numList(a: ParsedArgs, name: string): number[] | undefined {
  const s = str(a, name);
  if (s === undefined) return undefined;
  return s.split(',').map((p) => {
    const v = Number(p);
    if (p.trim() === '' || !Number.isFinite(v)) throw new UserError(`--${name}`, 'must be a comma-separated list of finite numbers', { value: p });
    return v;
  });
}

/** Rejects flags a command does not know, naming them. */
export function allowOnly(a: ParsedArgs, known: readonly string[]): void {
  const ok = new Set([...known, 'json', 'help', 'backend']);
  for (const k of a.flags.keys()) if (!ok.has(k)) throw new UserError(`--${k}`, `unknown option; known: ${[...ok].map((x) => '--' + x).join(' ')}`);
}
