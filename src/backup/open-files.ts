import { readdirSync, readFileSync, readlinkSync } from 'node:fs';

/**
 * Which other processes have a file open (Linux: /proc/<pid>/fd). A process that only holds a
 * SQLite database open (no transaction, so no lock to detect) would keep writing to the old file
 * after a restore renamed a new one over it: its writes would vanish. Elsewhere (no /proc) the
 * caller falls back to a lock attempt. Only processes we may inspect are seen (same user, or root).
 */
export function processesHolding(files: string[]): Array<{ pid: number; command: string }> {
  const wanted = new Set(files);
  const out: Array<{ pid: number; command: string }> = [];
  let pids: string[];
  try {
    pids = readdirSync('/proc').filter((name) => /^\d+$/.test(name) && Number(name) !== process.pid);
  } catch {
    return out;
  }
  for (const pid of pids) {
    let fds: string[];
    try {
      fds = readdirSync(`/proc/${pid}/fd`);
    } catch {
      continue;
    }
    for (const fd of fds) {
      let target: string;
      try {
        target = readlinkSync(`/proc/${pid}/fd/${fd}`);
      } catch {
        continue;
      }
      if (!wanted.has(target)) continue;
      let command = '?';
      try {
        command = readFileSync(`/proc/${pid}/comm`, 'utf8').trim();
      } catch {
        /* exited meanwhile */
      }
      out.push({ pid: Number(pid), command });
      break;
    }
  }
  return out;
}

/** Whether this platform lets us see other processes' open files. */
export function canSeeOpenFiles(): boolean {
  try {
    readdirSync('/proc/self/fd');
    return true;
  } catch {
    return false;
  }
}
