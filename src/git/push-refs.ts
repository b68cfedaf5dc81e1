import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { execGit, gitText } from './exec-git.js';

/**
 * What a `git push` sends, computed as githooks(5) describes pre-push input (docs/pre-push.md): one range per stdin line,
 * `<tip> --not <excludes>`, where the excludes are everything the remote is known to have.
 * Pure reading: nothing here writes to the repository (pre-push also runs on `push --dry-run`).
 */

/** One line of pre-push stdin: `<local ref> SP <local oid> SP <remote ref> SP <remote oid>`. */
export interface PushLine {
  localRef: string;
  localOid: string;
  remoteRef: string;
  remoteOid: string;
}

/** The commits one pushed ref sends: reachable from `tip`, not from any of `excludes`. */
export interface PushRange {
  /** Human label: the local ref as git printed it (`refs/heads/main`, `HEAD~1`, `@{push}..HEAD`). */
  label: string;
  remoteRef: string;
  tip: string;
  /** Oids or `--remotes=<name>` / `--remotes` arguments for `rev-list --not`. */
  excludes: string[];
  /** What the exclusion is based on, for messages. */
  basis: string[];
  /** The remote ref pointed at a commit that is not an ancestor of the tip (force push). */
  forced: boolean;
  /** The remote oid is not in this repository (someone else pushed; not fetched). */
  remoteOidUnknown: boolean;
}

export interface SkippedLine {
  line: PushLine;
  reason: 'deletion' | 'not-a-commit';
}

const ZERO = /^0+$/;

export function isZeroOid(oid: string): boolean {
  return ZERO.test(oid);
}

/**
 * Parse pre-push stdin. Each line is split FROM THE RIGHT into four fields: the local ref is
 * whatever the user typed (`HEAD~1`, a sha, `refs/heads/a b` is impossible but expressions are not).
 */
export function parsePushLines(text: string): PushLine[] {
  const lines: PushLine[] = [];
  for (const raw of text.split('\n')) {
    const line = raw.replace(/\r$/, '');
    if (!line.trim()) continue;
    const fields = line.split(' ');
    if (fields.length < 4) continue;
    const remoteOid = fields.pop()!;
    const remoteRef = fields.pop()!;
    const localOid = fields.pop()!;
    const localRef = fields.join(' ');
    if (!/^[0-9a-f]+$/i.test(localOid) || !/^[0-9a-f]+$/i.test(remoteOid)) continue;
    lines.push({ localRef, localOid, remoteRef, remoteOid });
  }
  return lines;
}

interface RepoFacts {
  named: boolean;
  hasTracking: boolean;
  shallowOids: string[];
}

async function repoFacts(cwd: string, remoteName: string): Promise<RepoFacts> {
  const remotes = (await gitText(['remote'], { cwd })).split('\n').filter(Boolean);
  const named = remotes.includes(remoteName);
  const hasTracking =
    named && (await gitText(['for-each-ref', '--count=1', '--format=%(refname)', `refs/remotes/${remoteName}/`], { cwd })) !== '';
  return { named, hasTracking, shallowOids: await shallowBoundary(cwd) };
}

/** Oids of the shallow boundary (grafted roots came from a remote; they are not "new"). */
export async function shallowBoundary(cwd: string): Promise<string[]> {
  if ((await gitText(['rev-parse', '--is-shallow-repository'], { cwd })) !== 'true') return [];
  const file = await gitText(['rev-parse', '--path-format=absolute', '--git-path', 'shallow'], { cwd });
  try {
    return (await readFile(path.resolve(cwd, file), 'utf8')).split('\n').map((s) => s.trim()).filter(Boolean);
  } catch {
    return [];
  }
}

/** `<oid>^{commit}` if it names a commit here, else undefined (tags on trees/blobs, unknown oids). */
export async function peelToCommit(cwd: string, oid: string): Promise<string | undefined> {
  const { stdout, code } = await execGit(['rev-parse', '--verify', '-q', `${oid}^{commit}`], { cwd, okCodes: [1, 128] });
  return code === 0 ? stdout.toString('utf8').trim() : undefined;
}

async function isAncestor(cwd: string, ancestor: string, descendant: string): Promise<boolean> {
  const { code } = await execGit(['merge-base', '--is-ancestor', ancestor, descendant], { cwd, okCodes: [1, 128] });
  return code === 0;
}

/** Turn pre-push stdin lines into ranges (docs/pre-push.md). */
export async function rangesFromLines(
  cwd: string,
  remoteName: string,
  lines: PushLine[],
  options: {
    /**
     * Strict mode (`prePush.strict`, docs/pre-push.md): commits the remote was just asked about and confirmed to have (see
     * `askRemoteTips`). Given, they replace `--remotes=<name>`, which can be stale; an empty list
     * (the remote could not be asked) leaves only what stdin says the remote has.
     */
    remoteHas?: string[];
  } = {},
): Promise<{ ranges: PushRange[]; skipped: SkippedLine[] }> {
  const facts = await repoFacts(cwd, remoteName);
  const ranges: PushRange[] = [];
  const skipped: SkippedLine[] = [];
  for (const line of lines) {
    if (isZeroOid(line.localOid)) {
      skipped.push({ line, reason: 'deletion' });
      continue;
    }
    const tip = await peelToCommit(cwd, line.localOid);
    if (!tip) {
      skipped.push({ line, reason: 'not-a-commit' });
      continue;
    }
    const excludes: string[] = [];
    const basis: string[] = [];
    let forced = false;
    let remoteOidUnknown = false;
    if (!isZeroOid(line.remoteOid)) {
      const remoteCommit = await peelToCommit(cwd, line.remoteOid);
      if (remoteCommit) {
        excludes.push(remoteCommit);
        basis.push(`remote ${line.remoteRef} at ${remoteCommit.slice(0, 12)}`);
        forced = !(await isAncestor(cwd, remoteCommit, tip));
      } else {
        // never pass an unknown oid to rev-list (it dies with "bad object")
        remoteOidUnknown = true;
      }
    }
    if (options.remoteHas) {
      if (options.remoteHas.length) {
        excludes.push(...options.remoteHas);
        basis.push('tips the remote reported (ls-remote)');
      }
    } else if (facts.hasTracking) {
      excludes.push(`--remotes=${remoteName}`);
      basis.push(`refs/remotes/${remoteName}/*`);
    }
    if (facts.shallowOids.length) {
      excludes.push(...facts.shallowOids);
      basis.push('shallow boundary');
    }
    ranges.push({ label: line.localRef, remoteRef: line.remoteRef, tip, excludes, basis, forced, remoteOidUnknown });
  }
  return { ranges, skipped };
}

/** What the push destination has: its branch and tag tips that are commits here, or why it could not be asked. */
export type RemoteTips = { ok: true; commits: string[] } | { ok: false; target: string; reason: string };

/** A remote name only this process defines (through the environment), for asking a URL without putting it in argv. */
const PROBE_REMOTE = 'dbsafe-hooks-push-target';

/**
 * Strict mode (`prePush.strict`, docs/pre-push.md): ask the remote being pushed to which branch and tag tips it has
 * (`git ls-remote --heads --tags`), keep those that are commits in this repository (the others
 * cannot be excluded, and cannot hide anything), deduplicated. Never prompts: an auth prompt would
 * hang the push, so a remote that wants one counts as unreachable.
 *
 * The repository asked is the one git pushes to: the remote's name when its fetch and push URLs
 * agree (its whole configuration applies), else the push URL git passed to the hook, handed to
 * git through GIT_CONFIG_* so a URL with credentials never appears in a command line.
 */
export async function askRemoteTips(cwd: string, remoteName: string, remoteUrl: string | undefined): Promise<RemoteTips> {
  const { repository, env, target } = await lsRemoteTarget(cwd, remoteName, remoteUrl);
  const listed = await execGit(['ls-remote', '--heads', '--tags', repository], {
    cwd,
    env: { ...env, GIT_TERMINAL_PROMPT: '0' },
    okCodes: [1, 2, 128],
  });
  if (listed.code !== 0) {
    const reason = listed.stderr.split('\n').map((line) => line.replace(/^fatal:\s*/, '').trim()).find(Boolean) ?? `exit ${listed.code}`;
    return { ok: false, target, reason };
  }
  const oids = new Set<string>();
  for (const line of listed.stdout.toString('utf8').split('\n')) {
    const oid = line.split('\t')[0]!.trim();
    if (/^[0-9a-f]+$/i.test(oid) && !isZeroOid(oid)) oids.add(oid);
  }
  if (!oids.size) return { ok: true, commits: [] };
  // peeled tag lines (`refs/tags/v1^{}`) are listed too, so a plain type check keeps annotated tags' commits
  const checked = await execGit(['cat-file', '--batch-check=%(objectname) %(objecttype)'], { cwd, input: [...oids].join('\n') + '\n' });
  const commits = checked.stdout
    .toString('utf8')
    .split('\n')
    .map((line) => line.split(' '))
    .filter(([oid, type]) => type === 'commit' && oid && oids.has(oid))
    .map(([oid]) => oid!);
  return { ok: true, commits };
}

async function lsRemoteTarget(
  cwd: string,
  remoteName: string,
  remoteUrl: string | undefined,
): Promise<{ repository: string; env: NodeJS.ProcessEnv; target: string }> {
  const remotes = (await gitText(['remote'], { cwd })).split('\n').filter(Boolean);
  if (remotes.includes(remoteName)) {
    const fetchUrl = await gitText(['remote', 'get-url', remoteName], { cwd });
    const pushUrl = await gitText(['remote', 'get-url', '--push', remoteName], { cwd });
    if (fetchUrl === pushUrl) return { repository: remoteName, env: {}, target: remoteName };
  }
  const url = remoteUrl || remoteName;
  const index = Number(process.env.GIT_CONFIG_COUNT) > 0 ? Number(process.env.GIT_CONFIG_COUNT) : 0;
  return {
    repository: PROBE_REMOTE,
    env: {
      GIT_CONFIG_COUNT: String(index + 1),
      [`GIT_CONFIG_KEY_${index}`]: `remote.${PROBE_REMOTE}.url`,
      [`GIT_CONFIG_VALUE_${index}`]: url,
    },
    target: url,
  };
}

/**
 * No ref lines (a manual run, nothing to push, or stdin consumed by an earlier command): the current
 * branch's unpushed commits, `@{push}..HEAD`, else `@{upstream}..HEAD`, else `HEAD --not --remotes`.
 */
export async function fallbackRanges(cwd: string): Promise<PushRange[]> {
  const head = await peelToCommit(cwd, 'HEAD');
  if (!head) return [];
  const shallow = await shallowBoundary(cwd);
  for (const upstream of ['@{push}', '@{upstream}']) {
    const base = await peelToCommit(cwd, upstream);
    if (base) {
      return [
        {
          label: `${upstream}..HEAD`,
          remoteRef: upstream,
          tip: head,
          excludes: [base, ...shallow],
          basis: [upstream],
          forced: false,
          remoteOidUnknown: false,
        },
      ];
    }
  }
  return [
    {
      label: 'HEAD --not --remotes',
      remoteRef: '(unknown)',
      tip: head,
      excludes: ['--remotes', ...shallow],
      basis: ['all remote-tracking refs'],
      forced: false,
      remoteOidUnknown: false,
    },
  ];
}

/** Ranges from the pre-commit framework's PRE_COMMIT_FROM_REF / PRE_COMMIT_TO_REF (FROM...TO). */
export async function rangeFromPreCommitEnv(cwd: string, env: NodeJS.ProcessEnv = process.env): Promise<PushRange[] | undefined> {
  const from = env.PRE_COMMIT_FROM_REF ?? env.PRE_COMMIT_SOURCE;
  const to = env.PRE_COMMIT_TO_REF ?? env.PRE_COMMIT_ORIGIN;
  if (!from || !to) return undefined;
  const tip = await peelToCommit(cwd, to);
  if (!tip) return undefined;
  const fromCommit = await peelToCommit(cwd, from);
  const excludes = fromCommit ? [fromCommit] : [];
  const remoteName = env.PRE_COMMIT_REMOTE_NAME;
  if (remoteName && (await gitText(['remote'], { cwd })).split('\n').includes(remoteName)) {
    excludes.push(`--remotes=${remoteName}`);
  }
  excludes.push(...(await shallowBoundary(cwd)));
  return [
    {
      label: `${from}...${to}`,
      remoteRef: env.PRE_COMMIT_REMOTE_BRANCH ?? '(unknown)',
      tip,
      excludes,
      basis: ['PRE_COMMIT_FROM_REF'],
      forced: false,
      remoteOidUnknown: false,
    },
  ];
}

/**
 * Commits of a range that touch the given pathspecs, newest first. `--full-history` keeps
 * side-branch commits whose net effect is TREESAME (add DROP, then revert) that history
 * simplification would hide. `limit` bounds very large ranges (a first push of a big repository).
 */
export async function commitsTouching(
  cwd: string,
  range: PushRange,
  pathspecs: string[],
  limit: number,
): Promise<{ commits: string[]; truncated: boolean }> {
  // Excluded oids go through stdin as `^<oid>` (a remote can have thousands of tips: too many for a
  // command line on Windows); `--stdin` comes before `--not` so that flag cannot flip them back.
  const oids = range.excludes.filter((exclude) => !exclude.startsWith('-'));
  const pseudo = range.excludes.filter((exclude) => exclude.startsWith('-'));
  const args = ['rev-list', '--full-history', `--max-count=${limit + 1}`];
  if (oids.length) args.push('--stdin');
  args.push(range.tip);
  if (pseudo.length) args.push('--not', ...pseudo);
  args.push('--', ...pathspecs);
  const out = await gitText(args, { cwd, input: oids.map((oid) => `^${oid}\n`).join('') });
  const commits = out.split('\n').filter(Boolean);
  const truncated = commits.length > limit;
  return { commits: truncated ? commits.slice(0, limit) : commits, truncated };
}

/** Parents of a commit (empty for a root commit). */
export async function parentsOf(cwd: string, commit: string): Promise<string[]> {
  const out = await gitText(['rev-list', '--parents', '-n', '1', commit], { cwd });
  return out.split(' ').slice(1).filter(Boolean);
}

/** The empty tree of this repository's object format (SHA-1 and SHA-256 differ). */
export async function emptyTree(cwd: string): Promise<string> {
  return gitText(['hash-object', '-t', 'tree', '--stdin'], { cwd, input: '' });
}

/** One line subject of a commit. */
export async function commitSubject(cwd: string, commit: string): Promise<string> {
  return gitText(['log', '-1', '--format=%s', commit], { cwd });
}

/**
 * Files a commit changed under the pathspecs: compared with its single parent, with the empty tree
 * for a root commit, and for a merge only the paths that differ from EVERY parent (what the merge
 * itself introduced; the side branch's own commits are checked on their own).
 */
export async function filesChangedBy(
  cwd: string,
  commit: string,
  pathspecs: string[],
): Promise<{ parents: string[]; files: Array<{ path: string; status: string }> }> {
  const parents = await parentsOf(cwd, commit);
  const bases = parents.length ? parents : [await emptyTree(cwd)];
  let result: Map<string, string> | undefined;
  for (const base of bases) {
    const { stdout } = await execGit(['diff-tree', '-r', '-z', '--no-commit-id', '--name-status', '-M', base, commit, '--', ...pathspecs], {
      cwd,
    });
    const fields = stdout.toString('utf8').split('\0');
    if (fields.length && fields[fields.length - 1] === '') fields.pop();
    const here = new Map<string, string>();
    for (let i = 0; i < fields.length; ) {
      const status = fields[i++]!;
      if (/^[RC]/.test(status)) {
        i++; // old path
        here.set(fields[i++]!, status[0]!);
      } else {
        here.set(fields[i++]!, status[0]!);
      }
    }
    if (!result) result = here;
    else for (const key of [...result.keys()]) if (!here.has(key)) result.delete(key);
  }
  return { parents, files: [...(result ?? new Map()).entries()].map(([p, status]) => ({ path: p, status })) };
}
