import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { mkdirPrivate } from './files.js';
import { pidAlive } from './lock.js';

/**
 * Private temporary directories for passfiles, defaults files and scratch copies:
 * `$(git rev-parse --git-common-dir)/dbsafe/tmp/<pid>@<host>-<random>/`, every level 0700.
 * Not /tmp: after `kill -9` nothing would ever remove a 0600 passfile there. Here every backup,
 * verify and adopt sweeps the directories of processes that no longer run (sweepPrivateTemp), so a
 * secret left by a killed run lives until the next command, and only inside `.git`.
 */

function tmpRoot(commonDir: string): string {
  return path.join(commonDir, 'dbsafe', 'tmp');
}

export function privateTempDir(commonDir: string): string {
  // `.git/dbsafe` too is 0700, whoever created it (install writes there as well)
  mkdirPrivate(path.join(commonDir, 'dbsafe'));
  mkdirPrivate(tmpRoot(commonDir));
  return mkdtempSync(path.join(tmpRoot(commonDir), `${process.pid}@${os.hostname()}-`));
}

/** Remove the private temp dirs of dead processes on this host; returns what was removed. */
export function sweepPrivateTemp(commonDir: string): string[] {
  let names: string[];
  try {
    names = readdirSync(tmpRoot(commonDir));
  } catch {
    return [];
  }
  const removed: string[] = [];
  for (const name of names) {
    const owner = /^(\d+)@(.+)-[^-]+$/.exec(name);
    // another host's run (a repository on a shared disk) is left to that host
    if (owner && (owner[2] !== os.hostname() || pidAlive(Number(owner[1])))) continue;
    rmSync(path.join(tmpRoot(commonDir), name), { recursive: true, force: true });
    removed.push(name);
  }
  return removed;
}
