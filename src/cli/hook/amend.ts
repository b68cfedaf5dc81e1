import { execFile } from 'node:child_process';
import { readFileSync } from 'node:fs';
import path from 'node:path';

/**
 * Is this pre-commit run part of `git commit --amend`? The amended commit replaces HEAD, so what it
 * introduces is the index against HEAD's parents, not against HEAD: a DROP committed earlier with
 * --no-verify would otherwise pass unseen (docs/ARCHITECTURE.md). git gives hooks no signal (no variable, no
 * argument, tested); the only trace is git's own command line. So walk up the parent processes
 * (husky's sh layers, npx, node) to the first `git` and read its arguments.
 *   Linux: a few small /proc reads, no process started (the hook's speed is measured).
 *   macOS: `ps` for each level. Elsewhere: not detected.
 * Aliases (`git ca` = `commit --amend`) cannot be seen: that case stays with pre-push.
 */
export async function isAmendCommit(startPid = process.ppid): Promise<boolean> {
  const parentOf = process.platform === 'linux' ? procParent : process.platform === 'darwin' ? psParent : undefined;
  if (!parentOf) return false;
  let pid = startPid;
  for (let level = 0; level < MAX_LEVELS && pid > 1; level++) {
    const info = await parentOf(pid).catch(() => undefined);
    if (!info) return false;
    const program = path.basename(info.argv[0] ?? '');
    if (program === 'git' || program === 'git.exe') return amendsInGitArgs(info.argv.slice(1));
    pid = info.ppid;
  }
  return false;
}

/** shim sh, husky's two sh layers, npx (node + sh -c), node: git is within a few levels. */
const MAX_LEVELS = 8;

interface ProcessInfo {
  ppid: number;
  argv: string[];
}

async function procParent(pid: number): Promise<ProcessInfo> {
  const argv = readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0');
  if (argv.at(-1) === '') argv.pop();
  // `pid (comm) state ppid …`: comm may hold spaces and parentheses, so read after the LAST ')'
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  const ppid = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
  return { ppid, argv };
}

function psParent(pid: number): Promise<ProcessInfo> {
  return new Promise((resolve, reject) => {
    execFile('ps', ['-o', 'ppid=,args=', '-p', String(pid)], { timeout: 2000 }, (error, stdout) => {
      const match = /^\s*(\d+)\s+(.*)$/.exec(String(stdout).split('\n')[0] ?? '');
      // ps joins the arguments with spaces: an argument that contains one is split (good enough for flags)
      if (error || !match) reject(error ?? new Error('ps: no such process'));
      else resolve({ ppid: Number(match[1]), argv: match[2]!.trim().split(/\s+/) });
    });
  });
}

/** git's own options that take their value as the next argument (`git -C dir -c k=v commit`). */
const GIT_VALUE_OPTIONS = new Set(['-C', '-c', '--git-dir', '--work-tree', '--namespace', '--super-prefix', '--config-env', '--attr-source']);
/** `git commit` options whose value may be the next argument (so `-m --amend` is a message, not a flag). */
const COMMIT_VALUE_SHORT = new Set(['m', 'F', 'c', 'C', 't']);
const COMMIT_VALUE_LONG = new Set([
  '--message', '--file', '--reedit-message', '--reuse-message', '--author', '--date', '--template',
  '--fixup', '--squash', '--cleanup', '--trailer', '--pathspec-from-file',
]);

/**
 * git's arguments after argv[0] → is it `commit` with `--amend` (abbreviations `--am`… and a later
 * `--no-amend` included, as git's option parser reads them)? Options may follow pathspecs; `--` ends them.
 */
export function amendsInGitArgs(args: readonly string[]): boolean {
  let i = 0;
  for (; i < args.length; i++) {
    const arg = args[i]!;
    if (!arg.startsWith('-')) break;
    if (GIT_VALUE_OPTIONS.has(arg)) i++;
  }
  if (args[i] !== 'commit') return false;
  let amend = false;
  for (i++; i < args.length; i++) {
    const arg = args[i]!;
    if (arg === '--') break;
    if (arg.startsWith('--')) {
      const name = arg.split('=')[0]!;
      if (name.length >= 4 && '--amend'.startsWith(name)) amend = true;
      else if (name.length >= 7 && '--no-amend'.startsWith(name)) amend = false;
      else if (COMMIT_VALUE_LONG.has(name) && !arg.includes('=')) i++;
    } else if (arg.startsWith('-') && arg.length > 1) {
      // a bundle of short flags (`-am msg`, `-mmsg`): the first one that takes a value ends it
      const letters = arg.slice(1);
      const at = [...letters].findIndex((letter) => COMMIT_VALUE_SHORT.has(letter));
      if (at === letters.length - 1) i++;
    }
  }
  return amend;
}
