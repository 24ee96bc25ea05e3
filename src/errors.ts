/**
 * Typed errors. A {@link UserError} is bad input: the CLI prints its message and exits 2,
 * never a stack trace. Anything else is an internal failure (exit 1).
 */
export class UserError extends Error {
  /** the offending field, e.g. "sde.g2" or "--steps" */
  readonly field: string;
  /** the offending value or token, when there is one */
  readonly value: string | undefined;
  /** the first time t where a condition fails, when there is one */
  readonly t: number | undefined;
  constructor(field: string, reason: string, opts: { value?: unknown; t?: number } = {}) {
    const value = opts.value === undefined ? undefined : typeof opts.value === 'string' || typeof opts.value === 'number' ? String(opts.value) : JSON.stringify(opts.value);
    const parts = [`${field}: ${reason}`];
    if (value !== undefined) parts.push(`(value: ${value})`);
    if (opts.t !== undefined) parts.push(`at t = ${opts.t}`);
    super(parts.join(' '));
    this.name = 'UserError';
    this.field = field;
    this.value = value;
    this.t = opts.t;
  }
}

/** True for errors that are the user's input, not our bug. */
export function isUserError(e: unknown): e is UserError {
  return e instanceof UserError;
}
