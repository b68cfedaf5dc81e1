import path from 'node:path';

/** Where the backup log lives: its own module, so a reader of the path (the guard) does not load the log's code. */
export function logPathFor(gitCommonDir: string): string {
  return path.join(path.resolve(gitCommonDir), 'dbsafe', 'log.jsonl');
}
