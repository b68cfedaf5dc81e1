/**
 * Every failure the CLI reports is one of these. `cli/main.ts` maps them to exit codes:
 * 1 = blocked (the tool did its job and said no), 2 = the tool could not do its job.
 * Anything else that escapes is a bug, still reported as exit 2 without a stack trace
 * unless DBSAFE_DEBUG is set.
 */
export class DbsafeError extends Error {
  readonly exitCode: 1 | 2;
  /** A line telling the user what to do next, printed under the message. */
  readonly hint?: string;
  constructor(message: string, options: { exitCode?: 1 | 2; hint?: string; cause?: unknown } = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = new.target.name;
    this.exitCode = options.exitCode ?? 2;
    this.hint = options.hint;
  }
}

/** Wrong arguments or flags. */
export class UsageError extends DbsafeError {}

/** The configuration file is missing something, has a wrong key or a wrong type. */
export class ConfigError extends DbsafeError {}

/** git failed or the directory is not what we need (not a repository, bad ref). */
export class GitError extends DbsafeError {}

/** A database server or file could not be reached or used. */
export class DatabaseError extends DbsafeError {}

/** A required client program (pg_dump, mariadb-dump, sqlite3...) is missing or too old. */
export class ClientError extends DbsafeError {}

/** A file could not be read or written. */
export class FileError extends DbsafeError {}

/** The tool worked and the answer is no (the pre-push gate refused, a backup failed verification). */
export class BlockedError extends DbsafeError {
  constructor(message: string, options: { hint?: string; cause?: unknown } = {}) {
    super(message, { ...options, exitCode: 1 });
  }
}
