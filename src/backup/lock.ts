import { closeSync, linkSync, openSync, readFileSync, renameSync, unlinkSync, writeSync } from 'node:fs';
import os from 'node:os';

/**
 * Lock files made with O_EXCL (atomic create on every local filesystem). The file holds the owner's
 * pid, host and start time so a lock left by a crashed process can be recognised and taken over.
 */

export interface LockOwner {
  pid: number;
  host: string;
  createdAt: string;
  purpose?: string;
}

export interface HeldLock {
  path: string;
  release(): void;
}

export interface LockOptions {
  /** How long to keep retrying while another live process holds it (0 = fail at once). */
  waitMs?: number;
  /** A lock older than this is stale even when its owner looks alive (pid reuse, another host). */
  staleMs?: number;
  purpose?: string;
}

export class LockBusyError extends Error {
  constructor(
    readonly lockPath: string,
    readonly owner: LockOwner | undefined,
  ) {
    super(`lock ${lockPath} is held${owner ? ` by pid ${owner.pid} on ${owner.host} since ${owner.createdAt}` : ''}`);
  }
}

function readOwner(lockPath: string): { raw: string; owner?: LockOwner } | undefined {
  try {
    const raw = readFileSync(lockPath, 'utf8');
    try {
      return { raw, owner: JSON.parse(raw) as LockOwner };
    } catch {
      return { raw };
    }
  } catch {
    return undefined;
  }
}

export function pidAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

function isStale(owner: LockOwner | undefined, raw: string, staleMs: number): boolean {
  if (!owner || typeof owner.pid !== 'number') {
    // unreadable content: a writer that died between create and write (the caller re-checks after a pause)
    return raw.length >= 0;
  }
  if (owner.host === os.hostname() && !pidAlive(owner.pid)) return true;
  const age = Date.now() - Date.parse(owner.createdAt);
  return Number.isFinite(age) && age > staleMs;
}

/** Remove a stale lock without ever removing a fresh one another process just created. */
function breakStaleLock(lockPath: string, judgedRaw: string): void {
  const aside = `${lockPath}.stale-${process.pid}-${Math.random().toString(36).slice(2)}`;
  try {
    renameSync(lockPath, aside);
  } catch {
    return; // someone else broke it first
  }
  let movedRaw = '';
  try {
    movedRaw = readFileSync(aside, 'utf8');
  } catch {
    /* gone */
  }
  if (movedRaw !== judgedRaw) {
    // we moved a lock that a live process took in the meantime: put it back unless a new one exists
    try {
      linkSync(aside, lockPath);
    } catch {
      /* a newer lock is already there; the moved one's owner will fail its release harmlessly */
    }
  }
  try {
    unlinkSync(aside);
  } catch {
    /* ignore */
  }
}

function tryCreate(lockPath: string, purpose?: string): HeldLock | undefined {
  let fd: number;
  try {
    fd = openSync(lockPath, 'wx', 0o600);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'EEXIST') return undefined;
    throw error;
  }
  const owner: LockOwner = { pid: process.pid, host: os.hostname(), createdAt: new Date().toISOString(), purpose };
  const raw = JSON.stringify(owner);
  try {
    writeSync(fd, raw);
  } finally {
    closeSync(fd);
  }
  let released = false;
  return {
    path: lockPath,
    release() {
      if (released) return;
      released = true;
      // only remove the lock if it is still ours
      const current = readOwner(lockPath);
      if (current?.raw === raw) {
        try {
          unlinkSync(lockPath);
        } catch {
          /* already gone */
        }
      }
    },
  };
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** Take the lock, breaking it when its owner is dead; waits up to `waitMs`, then throws LockBusyError. */
export async function acquireLock(lockPath: string, options: LockOptions = {}): Promise<HeldLock> {
  const waitMs = options.waitMs ?? 0;
  const staleMs = options.staleMs ?? 6 * 60 * 60 * 1000;
  const deadline = Date.now() + waitMs;
  let delay = 5;
  for (;;) {
    const held = tryCreate(lockPath, options.purpose);
    if (held) return held;
    const current = readOwner(lockPath);
    if (current && isStale(current.owner, current.raw, staleMs)) {
      // an empty lock may be a writer between create and write: give it a moment before breaking
      if (current.raw.length === 0) await sleep(50);
      const again = readOwner(lockPath);
      if (again && again.raw === current.raw) breakStaleLock(lockPath, current.raw);
      continue;
    }
    if (Date.now() >= deadline) throw new LockBusyError(lockPath, current?.owner);
    await sleep(delay);
    delay = Math.min(delay * 2, 100);
  }
}
