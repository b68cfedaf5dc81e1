import { existsSync, readdirSync, renameSync, rmSync, statSync } from 'node:fs';
import path from 'node:path';
import { readManifest, type Manifest } from './manifest.js';
import { acquireLock, LockBusyError, type HeldLock } from './lock.js';
import { mkdirPrivate } from './files.js';
import { DatabaseError } from '../errors.js';

/** The backup directory tree: `<backupDir>/<instance>/<id>/{artifact, manifest.json}`. */

export function instanceDir(backupRoot: string, instance: string): string {
  return path.join(backupRoot, instance);
}

export interface StoredBackup {
  id: string;
  dir: string;
  manifest: Manifest;
}

/** Complete backups (a readable, untampered manifest) of one instance, newest snapshot first. */
export function listBackups(backupRoot: string, instance: string): StoredBackup[] {
  const root = instanceDir(backupRoot, instance);
  if (!existsSync(root)) return [];
  const out: StoredBackup[] = [];
  for (const name of readdirSync(root)) {
    if (name.startsWith('.')) continue;
    const dir = path.join(root, name);
    try {
      if (!statSync(dir).isDirectory()) continue;
    } catch {
      continue;
    }
    const read = readManifest(dir);
    if (read.ok) out.push({ id: name, dir, manifest: read.manifest });
  }
  return out.sort((a, b) => (a.manifest.snapshot.takenAt < b.manifest.snapshot.takenAt ? 1 : a.manifest.snapshot.takenAt > b.manifest.snapshot.takenAt ? -1 : a.id < b.id ? 1 : -1));
}

/** `20261121T024500Z-1a2b3c`: sortable, unique enough, safe as a directory and database name part. */
export function newBackupId(now = new Date()): string {
  const stamp = now.toISOString().replace(/[-:]/g, '').replace(/\.\d+Z$/, 'Z');
  return `${stamp}-${Math.random().toString(16).slice(2, 8).padEnd(6, '0')}`;
}

/** Remove unfinished backup directories (`.tmp-*`) and half-deleted ones (`.trash-*`); call only under the instance lock. */
export function sweepLeftovers(backupRoot: string, instance: string): string[] {
  const root = instanceDir(backupRoot, instance);
  if (!existsSync(root)) return [];
  const removed: string[] = [];
  for (const name of readdirSync(root)) {
    if (name.startsWith('.tmp-') || name.startsWith('.trash-')) {
      rmSync(path.join(root, name), { recursive: true, force: true });
      removed.push(name);
    }
  }
  return removed;
}

/** Delete one backup atomically from a reader's point of view: rename aside, then remove. */
export function deleteBackup(dir: string): void {
  const trash = path.join(path.dirname(dir), `.trash-${path.basename(dir)}`);
  renameSync(dir, trash);
  rmSync(trash, { recursive: true, force: true });
}

/** One backup, restore or migration per instance at a time (shared by all worktrees). */
export async function lockInstance(commonDir: string, instance: string, purpose: string): Promise<HeldLock> {
  const dir = path.join(commonDir, 'dbsafe', 'locks');
  mkdirPrivate(dir);
  try {
    return await acquireLock(path.join(dir, `${instance}.lock`), { waitMs: 0, purpose });
  } catch (error) {
    if (error instanceof LockBusyError) {
      const owner = error.owner;
      throw new DatabaseError(
        `Another ${owner?.purpose ?? 'backup, verify, restore or migration'} of instance "${instance}" is running${owner ? ` (pid ${owner.pid} on ${owner.host}, since ${owner.createdAt})` : ''}`,
        { hint: `Wait for it to finish. If no dbsafe-hooks process is running, remove ${error.lockPath}.` },
      );
    }
    throw error;
  }
}
