import { runCheck } from '../check/run-check.js';
import type { Config } from '../config/schema.js';
import { pathspecsFor } from '../config/pathspecs.js';
import { commitSubject, commitsTouching, filesChangedBy, type PushRange } from '../git/push-refs.js';
import { locateRepo } from '../git/repo.js';
import type { Finding, UsedOverride } from '../model/finding.js';
import type { PushedCommit } from './messages.js';

/**
 * The commits a push carries that touch migrations, each re-checked against its parent(s): the one
 * loop behind the pre-push hook and `gate --base`, so both see the same commits, the same bound and
 * the same meaning of "destructive". Each commit is checked on its own, not the range as one diff: a
 * drop added in one commit and its file deleted in the next still ran wherever that commit was deployed.
 */

/** Commits touching migrations re-checked per push at most (a first push of a big repository). */
export const MAX_COMMITS = 500;

/** The bound: env DBSAFE_PUSH_MAX_COMMITS when it is a positive number, else MAX_COMMITS. */
export function commitLimit(env: NodeJS.ProcessEnv): number {
  const wanted = Number(env.DBSAFE_PUSH_MAX_COMMITS);
  return wanted > 0 ? wanted : MAX_COMMITS;
}

export interface PushedCommits {
  /** Commits that touch migration files, newest first, at most `limit`. */
  commits: PushedCommit[];
  /** More commits touched migrations than `limit`: the oldest were not looked at. */
  truncated: boolean;
  findings: Array<Finding & { commit: string }>;
  overridesUsed: UsedOverride[];
  sources: Map<string, string>;
  filesChecked: number;
  operations: number;
  /** New destructive operations, whatever severity the config gives their rules (a rule set to "off" included). */
  destructive: number;
}

/**
 * True when a pushed commit adds a destructive operation, approved or not, or anything reported (what
 * `gate.when: destructive` asks). From the operations, not the findings: `"rules": { "drop-table": "off" }`
 * stops a commit being blocked, not the table being lost, so it must not waive the backup too.
 */
export function addsDestructive(pushed: Pick<PushedCommits, 'findings' | 'overridesUsed' | 'destructive'>): boolean {
  return pushed.destructive > 0 || pushed.findings.length > 0 || pushed.overridesUsed.length > 0;
}

/**
 * Lists the migration commits of `ranges` (deduplicated across ranges) and, unless `recheck` is false,
 * re-checks each one. Listing alone is for callers that do not need to know what the commits do.
 */
export async function pushedCommits(
  root: string,
  config: Config,
  ranges: PushRange[],
  options: { limit: number; recheck: boolean },
): Promise<PushedCommits> {
  const pathspecs = pathspecsFor(config);
  const seen = new Set<string>();
  const touching: string[] = [];
  let truncated = false;
  for (const range of ranges) {
    const found = await commitsTouching(root, range, pathspecs, options.limit);
    truncated ||= found.truncated;
    for (const commit of found.commits) {
      if (seen.has(commit)) continue;
      seen.add(commit);
      touching.push(commit);
    }
  }
  if (touching.length > options.limit) truncated = true;

  const pushed: PushedCommits = { commits: [], truncated, findings: [], overridesUsed: [], sources: new Map(), filesChecked: 0, operations: 0, destructive: 0 };
  const emptyTree = options.recheck && touching.length ? (await locateRepo(root)).emptyTree : '';
  for (const commit of touching.slice(0, options.limit)) {
    const { parents, files } = await filesChangedBy(root, commit, pathspecs);
    pushed.commits.push({ oid: commit, subject: await commitSubject(root, commit), files });
    if (!options.recheck || !files.length) continue;
    const result = await runCheck({
      cwd: root,
      mode: { kind: 'range', base: parents[0] ?? emptyTree, head: commit },
      config,
      // a merge: only what differs from every parent is the merge's own doing
      only: parents.length > 1 ? files.map((file) => file.path) : undefined,
    });
    pushed.filesChecked += result.filesChecked;
    pushed.operations += result.operations;
    pushed.destructive += result.destructive;
    for (const finding of result.findings) pushed.findings.push({ ...finding, commit });
    for (const used of result.overridesUsed) pushed.overridesUsed.push(used);
    for (const [file, text] of result.sources) pushed.sources.set(file, text);
  }
  return pushed;
}
