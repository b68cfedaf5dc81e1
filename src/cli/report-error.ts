import { DbsafeError } from '../errors.js';

/**
 * Print an error the way every entry point does and return its exit code: a typed error gives its
 * message, hint and code; anything else is a bug, reported as exit 2 without a stack trace unless
 * DBSAFE_DEBUG is set.
 */
export function reportError(error: unknown): number {
  if (error instanceof DbsafeError) {
    process.stderr.write(`dbsafe-hooks: ${error.message}\n`);
    if (error.hint) process.stderr.write(`  ${error.hint}\n`);
    if (process.env.DBSAFE_DEBUG) process.stderr.write(`${error.stack}\n`);
    return error.exitCode;
  }
  const message = error instanceof Error ? error.message : String(error);
  process.stderr.write(`dbsafe-hooks: internal error: ${message}\n`);
  process.stderr.write(
    process.env.DBSAFE_DEBUG && error instanceof Error
      ? `${error.stack}\n`
      : '  Run again with DBSAFE_DEBUG=1 for details, and please report it.\n',
  );
  return 2;
}
