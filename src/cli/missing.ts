/**
 * A dependency that is not installed, named from the import error: the bundles keep dependencies
 * external (scripts/build.mjs), so a consumer whose install lost one gets ERR_MODULE_NOT_FOUND for
 * it when a command first loads it. The CLI turns that into what is missing and how to get it.
 */

/** The package (`name` or `@scope/name`) an import error says is missing, or null for any other error. */
export function missingPackage(e: unknown): string | null {
  const { code, message } = (e ?? {}) as { code?: unknown; message?: unknown };
  if (code !== 'ERR_MODULE_NOT_FOUND' && code !== 'MODULE_NOT_FOUND') return null;
  const m = /Cannot find (?:package|module) '([^']+)'/.exec(String(message));
  if (m === null || m[1].startsWith('.') || m[1].startsWith('/')) return null;
  const parts = m[1].split('/');
  return parts[0].startsWith('@') ? parts.slice(0, 2).join('/') : parts[0];
}

/** The message for a missing package. */
export function missingPackageText(pkg: string): string {
  return `this command needs the package ${pkg}, which is not installed; install it next to sdekit: npm install ${pkg}`;
}
