import { useColor } from '../../util/palette.js';
import { runCheck } from '../../check/run-check.js';
import type { Config } from '../../config/schema.js';
import { backupGate } from '../../gate/pre-push.js';
import { addsDestructive, commitLimit, pushedCommits } from '../../gate/pushed-commits.js';
import {
  askRemoteTips,
  fallbackRanges,
  parsePushLines,
  rangeFromPreCommitEnv,
  rangesFromLines,
  type PushRange,
} from '../../git/push-refs.js';
import { execGit } from '../../git/exec-git.js';
import { locateRepo } from '../../git/repo.js';
import type { PushedCommit } from '../../gate/messages.js';
import type { Finding, UsedOverride } from '../../model/finding.js';
import { textReport } from '../../reporters/text.js';
import { hookConfig } from '../../config/cached.js';

export interface PrePushOptions {
  cwd: string;
  /** argv from git: remote name (or URL) and URL. */
  args: string[];
  /** stdin text; undefined when stdin is a terminal (manual run). */
  stdin: string | undefined;
  configPath?: string;
  env?: NodeJS.ProcessEnv;
}

/**
 * pre-push: which commits are being pushed (docs/pre-push.md), which of them touch migrations,
 * re-check what those commits changed for unapproved destructive operations (pre-commit can be
 * bypassed), then hand the migration commits to the backup gate. Changes nothing.
 */
export async function runPrePushHook(options: PrePushOptions): Promise<number> {
  const env = options.env ?? process.env;
  const repo = await locateRepo(options.cwd);
  const config = await hookConfig({ cwd: options.cwd, root: repo.root, commonDir: repo.commonDir, configPath: options.configPath, writeCache: false });
  const limit = commitLimit(env);
  const remoteName = options.args[0] ?? '';
  const strict = config.prePush?.strict === true;

  const { ranges, fallback } = await pushRanges(repo.root, { remoteName, remoteUrl: options.args[1], strict }, options.stdin, env, limit);
  const pushed = await pushedCommits(repo.root, config as Config, ranges, { limit, recheck: true });
  if (!pushed.commits.length) return 0;
  const { findings, filesChecked, operations } = pushed;

  const label = fallback ? `${fallback} (no ref lines on stdin)` : ranges.map((r) => r.label).join(', ');
  process.stderr.write(
    `dbsafe-hooks: ${pushed.commits.length} pushed commit(s) touch migrations (${label}); re-checked ${filesChecked} file(s).\n`,
  );
  if (pushed.truncated) {
    process.stderr.write(
      `dbsafe-hooks: note: more than ${limit} commits touch migrations; only the newest ${limit} were re-checked (DBSAFE_PUSH_MAX_COMMITS raises the bound).\n`,
    );
  }
  const errors = findings.filter((finding) => finding.severity === 'error');
  if (findings.length || pushed.overridesUsed.length) {
    const report = textReport(
      { findings: dedupe(findings), overridesUsed: dedupeOverrides(pushed.overridesUsed), filesChecked, operations, sources: pushed.sources },
      { color: useColor(process.stderr) },
    );
    process.stderr.write(report);
  }
  if (errors.length) {
    const commits = [...new Set(errors.map((finding) => finding.commit))];
    process.stderr.write(
      `dbsafe-hooks: push blocked: commit(s) ${commits.map((c) => c.slice(0, 12)).join(', ')} add destructive operations without an approved override ` +
        '(pre-commit was skipped or bypassed for them).\n' +
        (await unapprovedFix(repo.root, commits, errors, pushed.commits)),
    );
    if (fallback) process.stderr.write(stdinHint());
    return 1;
  }

  const decision = await backupGate({
    cwd: repo.root,
    config: config as Config,
    pushed: { commits: pushed.commits, destructive: addsDestructive(pushed) },
  });
  for (const line of decision.report) process.stderr.write(`dbsafe-hooks: ${line}\n`);
  if (!decision.ok) {
    if (fallback) process.stderr.write(stdinHint());
    return 1;
  }
  return 0;
}

/**
 * How to approve (or remove) an operation in a pushed commit: in that commit itself. Each pushed commit is
 * re-checked against its own parent, as it is deployed and audited (a migration runner can apply it before
 * the next one arrives), so a marker added by a later commit approves nothing and "fix it in a new commit"
 * would be blocked again. The commit is named with the git commands that rewrite it.
 */
async function unapprovedFix(root: string, commits: string[], errors: Array<Finding & { commit: string }>, pushed: PushedCommit[]): Promise<string> {
  const head = (await execGit(['rev-parse', '-q', '--verify', 'HEAD'], { cwd: root, okCodes: [1] })).stdout.toString('utf8').trim();
  const lines = ['  Fix: each pushed commit is checked on its own, so the override marker (shown above) must be in the commit that adds the operation; a later commit cannot approve it.'];
  for (const commit of commits) {
    const short = commit.slice(0, 12);
    const subject = pushed.find((c) => c.oid === commit)?.subject ?? '';
    const files = [...new Set(errors.filter((f) => f.commit === commit).map((f) => f.file))].join(', ');
    const edit = `add the marker with a reason to ${files} (or remove the operation)`;
    if (commit === head) {
      lines.push(`    ${short} "${subject}" (HEAD): ${edit}, git add it, git commit --amend; then push again.`);
      continue;
    }
    const hasParent = (await execGit(['rev-parse', '-q', '--verify', `${commit}^`], { cwd: root, okCodes: [1] })).code === 0;
    lines.push(
      `    ${short} "${subject}": git rebase -i ${hasParent ? `${short}^` : '--root'}, mark that commit "edit", ${edit}, ` +
        'git add it, git commit --amend, git rebase --continue; then push again.',
    );
  }
  return `${lines.join('\n')}\n`;
}

function stdinHint(): string {
  return (
    '  note: git gave this hook no ref lines, so the current branch was checked instead. If another command in the\n' +
    '  same hook reads stdin first, put dbsafe-hooks first (or save stdin to a file, see `npx dbsafe-hooks install`).\n'
  );
}

/** Ranges for this push: pre-commit framework env, stdin lines, or the current-branch fallback. */
async function pushRanges(
  root: string,
  remote: { remoteName: string; remoteUrl: string | undefined; strict: boolean },
  stdin: string | undefined,
  env: NodeJS.ProcessEnv,
  limit: number,
): Promise<{ ranges: PushRange[]; fallback?: string }> {
  const fromFramework = await rangeFromPreCommitEnv(root, env);
  if (fromFramework) return { ranges: fromFramework };
  const lines = parsePushLines(stdin ?? '');
  if (lines.length) {
    const remoteHas = remote.strict ? await confirmedRemoteTips(root, remote.remoteName, remote.remoteUrl, limit) : undefined;
    return { ranges: (await rangesFromLines(root, remote.remoteName, lines, { remoteHas })).ranges };
  }
  const ranges = await fallbackRanges(root);
  return { ranges, fallback: ranges[0]?.label ?? 'HEAD' };
}

/**
 * prePush.strict (docs/pre-push.md): the tips the remote itself reports, instead of local tracking refs that may
 * be stale. A remote that cannot be asked does not fail open: nothing but the remote oids on stdin is
 * excluded (more commits are re-checked, still at most `limit`), and one line says so.
 */
async function confirmedRemoteTips(root: string, remoteName: string, remoteUrl: string | undefined, limit: number): Promise<string[]> {
  const tips = await askRemoteTips(root, remoteName, remoteUrl);
  if (tips.ok) return tips.commits;
  const { redactText, redactUrl } = await import('../../backup/redact.js');
  process.stderr.write(
    `dbsafe-hooks: note: prePush.strict: could not ask ${redactUrl(tips.target)} which commits it has (${redactText(tips.reason)}); ` +
      `only the remote tips git gave this hook are excluded, so more commits are re-checked (at most ${limit}).\n`,
  );
  return [];
}

/** The same finding reached through several commits (a file changed twice) is reported once. */
function dedupe(findings: Array<Finding & { commit: string }>): Finding[] {
  const seen = new Set<string>();
  const out: Finding[] = [];
  for (const finding of findings) {
    const key = `${finding.file}:${finding.line}:${finding.column}:${finding.rule}:${finding.commit}`;
    if (seen.has(key)) continue;
    seen.add(key);
    out.push({ ...finding, message: `${finding.message} (commit ${finding.commit.slice(0, 12)})` });
  }
  return out;
}

function dedupeOverrides(overrides: UsedOverride[]): UsedOverride[] {
  const seen = new Set<string>();
  return overrides.filter((o) => {
    const key = `${o.file}:${o.line}:${o.rule}:${o.object ?? ''}`;
    if (seen.has(key)) return false;
    seen.add(key);
    return true;
  });
}
