import { createHash, randomBytes } from 'node:crypto';
import { closeSync, existsSync, fsyncSync, openSync, readFileSync, renameSync, statSync, unlinkSync, writeSync } from 'node:fs';
import path from 'node:path';

/** Small file helpers: reading that tolerates absence, atomic writes (temp + fsync + rename), hashes. */

export function readText(file: string): string | undefined {
  try {
    return readFileSync(file, 'utf8');
  } catch {
    return undefined;
  }
}

export function sha256(text: string | Buffer): string {
  return createHash('sha256').update(text).digest('hex');
}

/** Write atomically; keeps the existing mode unless `mode` is given. Returns false when the content was already there. */
export function writeAtomic(file: string, text: string, mode?: number): boolean {
  const current = readText(file);
  const currentMode = existsSync(file) ? statSync(file).mode & 0o777 : undefined;
  const wantedMode = mode ?? currentMode ?? 0o644;
  if (current === text && currentMode === wantedMode) return false;
  const temp = path.join(path.dirname(file), `.${path.basename(file)}.${randomBytes(4).toString('hex')}.tmp`);
  const fd = openSync(temp, 'w', wantedMode);
  try {
    writeSync(fd, text);
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
  try {
    renameSync(temp, file);
  } catch (error) {
    try {
      unlinkSync(temp);
    } catch {
      /* already gone */
    }
    throw error;
  }
  return true;
}

export function isExecutable(file: string): boolean {
  try {
    return (statSync(file).mode & 0o111) !== 0;
  } catch {
    return false;
  }
}
