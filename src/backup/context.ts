import os from 'node:os';
import path from 'node:path';
import { loadConfig } from '../config/load.js';
import type { Config } from '../config/schema.js';
import { GitError } from '../errors.js';
import { gitText } from '../git/exec-git.js';
import { logPathFor } from './log-path.js';

/** Where a backup command runs: repository root, git common dir (shared by worktrees), log, config. */
export interface BackupContext {
  cwd: string;
  repoRoot: string;
  commonDir: string;
  logPath: string;
  config: Config;
  backupRoot: string;
}

export async function backupContext(options: { config?: string }, cwd = process.cwd()): Promise<BackupContext> {
  let repoRoot: string;
  let commonDir: string;
  try {
    // one git call for both answers (every spawn counts on the hook and backup paths)
    const [top, common] = (await gitText(['rev-parse', '--show-toplevel', '--git-common-dir'], { cwd })).split('\n');
    repoRoot = top!;
    commonDir = path.resolve(cwd, common!);
  } catch {
    throw new GitError('Not inside a git repository', {
      hint: 'Backups are recorded in the repository\'s log ($(git rev-parse --git-common-dir)/dbsafe/log.jsonl): run this inside the repository.',
    });
  }
  const { config } = await loadConfig(cwd, repoRoot, options.config);
  return {
    cwd,
    repoRoot,
    commonDir,
    logPath: logPathFor(commonDir),
    config,
    backupRoot: path.resolve(repoRoot, config.backupDir),
  };
}

export interface GitAnnotations {
  git: { commit: string | null; branch: string | null; dirty: boolean | null };
  creator: string;
  host: string;
}

export async function gitAnnotations(repoRoot: string): Promise<GitAnnotations> {
  const attempt = async (args: string[]) => {
    try {
      return await gitText(args, { cwd: repoRoot });
    } catch {
      return null;
    }
  };
  const commit = await attempt(['rev-parse', '--verify', '-q', 'HEAD']);
  const branch = await attempt(['symbolic-ref', '--short', '-q', 'HEAD']);
  const status = await attempt(['status', '--porcelain', '--untracked-files=no']);
  const email = await attempt(['config', 'user.email']);
  let user = 'unknown';
  try {
    user = os.userInfo().username;
  } catch {
    /* no passwd entry */
  }
  return {
    git: { commit: commit || null, branch: branch || null, dirty: status === null ? null : status.length > 0 },
    creator: email || process.env.USER || user,
    host: os.hostname(),
  };
}

/** Parse `30m`, `24h`, `7d`, `2w` into milliseconds. */
export function durationMs(text: string): number {
  const match = /^(\d+(?:\.\d+)?)\s*(s|m|h|d|w)$/.exec(text.trim());
  if (!match) throw new Error(`bad duration ${text}`);
  const unit = { s: 1e3, m: 60e3, h: 3600e3, d: 86400e3, w: 7 * 86400e3 }[match[2] as 's' | 'm' | 'h' | 'd' | 'w'];
  return Number(match[1]) * unit;
}
