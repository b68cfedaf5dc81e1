import type { Config } from '../config/schema.js';
import { commitSubject, commitsTouching, fallbackRanges, filesChangedBy, type PushRange } from '../git/push-refs.js';
import { resolveCommit } from '../git/repo.js';
import { pathspecsFor } from '../config/pathspecs.js';
import type { PushedMigrations } from './pre-push.js';

/**
 * `gate --base <ref>`: what a push of HEAD would carry when the remote has `<ref>`, computed with
 * the pre-push hook's own primitives (src/git/push-refs.ts) so both decide on the same commits.
 */

/** Commits touching migrations looked at, at most (as in the hook). */
const MAX_COMMITS = 500;

/** `<base>..HEAD` as a push range; without a base, the current branch's unpushed commits (as the hook's fallback). */
export async function gateRange(root: string, base: string | undefined): Promise<PushRange | undefined> {
  if (base === undefined) return (await fallbackRanges(root))[0];
  const baseOid = await resolveCommit(root, base);
  const head = await resolveCommit(root, 'HEAD');
  return { label: `${base}..HEAD`, remoteRef: base, tip: head, excludes: [baseOid], basis: [base], forced: false, remoteOidUnknown: false };
}

/**
 * The migration commits of a range, newest first, with the files each changed. `destructive` is
 * computed only when `gate.when` needs it (it reads and parses every migration in the range).
 */
export async function migrationsInRange(root: string, config: Config, range: PushRange, configPath?: string): Promise<PushedMigrations> {
  const pathspecs = pathspecsFor(config);
  const { commits } = await commitsTouching(root, range, pathspecs, MAX_COMMITS);
  const pushed: PushedMigrations = { commits: [], destructive: false };
  for (const oid of commits) {
    const { files } = await filesChangedBy(root, oid, pathspecs);
    pushed.commits.push({ oid, subject: await commitSubject(root, oid), files });
  }
  if (pushed.commits.length && config.gate.enabled && config.gate.when === 'destructive') {
    const { runCheck } = await import('../check/run-check.js');
    const base = range.excludes.find((exclude) => !exclude.startsWith('--'));
    const result = await runCheck({ cwd: root, mode: { kind: 'range', base: base ?? range.tip, head: range.tip }, configPath });
    pushed.destructive = result.findings.length > 0 || result.overridesUsed.length > 0;
  }
  return pushed;
}
