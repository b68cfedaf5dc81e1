import { shQuote } from '../config/pathspecs.js';
import { LAYOUT_QUERY } from '../git/repo.js';
import { STAGED_DIFF_QUERY } from '../git/shim-handover.js';
import { freshnessScript, pathspecFingerprint } from './prefilter.js';

/**
 * The shell that git (or husky, lefthook, simple-git-hooks) runs. POSIX sh, LF only.
 * pre-commit / pre-merge-commit first ask git (`diff-index --cached --quiet`) whether any migration is staged; when none is, node
 * never starts. When migrations are staged but node cannot be found (GUI clients often have a
 * minimal PATH), the commit is blocked with a message: fail closed only when it matters (docs/ARCHITECTURE.md, shims).
 */

export const HOOKS = ['pre-commit', 'pre-merge-commit', 'pre-push'] as const;
export type HookName = (typeof HOOKS)[number];

export const BEGIN = '# >>> dbsafe-hooks >>>';
export const END = '# <<< dbsafe-hooks <<<';
export const CHAIN_SUFFIX = '.pre-dbsafe';
/** In the common git dir: the CLI's path as install found it, for worktrees without node_modules (findCliLines). */
export const CLI_RECORD = 'dbsafe/cli';

export interface ShimOptions {
  /** Pathspecs of migration files (`:(top,glob)…`), from the config at install time. */
  pathspecs: string[];
  /** Package directory relative to the repository root ('' at the root). Commands run there (config lookup). */
  packageDir: string;
  /** Root-relative path of the installed `node_modules/.bin/dbsafe-hooks`. */
  binPath: string;
  /** Root-relative config files that existed when the pathspecs were taken (install/prefilter.ts). */
  configFiles: string[];
}

function rootPath(rel: string): string {
  return rel ? `"$dbsafe_root"/${shQuote(rel)}` : '"$dbsafe_root"';
}

/**
 * Where the CLI is, into `dbsafe_cli`: this worktree's bin; else the one install recorded in the common git dir
 * (`dbsafe/cli`: a linked worktree has no node_modules of its own); else `via-npx` when `npx --no` finds it (a
 * hoisted or global install; asked only here, it is slow); else empty, which the caller turns into a
 * dbsafe-hooks message (never npm's own errors). Needs `dbsafe_common`, the common git dir.
 */
function findCliLines(options: ShimOptions, indent: string): string[] {
  const dir = rootPath(options.packageDir);
  return [
    `dbsafe_cli=${rootPath(options.binPath)}`,
    'if ! [ -x "$dbsafe_cli" ]; then',
    '  dbsafe_cli=',
    `  { read -r dbsafe_cli < "$dbsafe_common/${CLI_RECORD}"; } 2>/dev/null || :`,
    '  if ! [ -x "$dbsafe_cli" ]; then',
    `    dbsafe_cli=; (cd ${dir} && npx --no -- dbsafe-hooks --version) >/dev/null 2>&1 && dbsafe_cli=via-npx`,
    '  fi',
    'fi',
  ].map((line) => `${indent}${line}`);
}

/**
 * The command that runs the CLI found by findCliLines from the package directory (`npx --no`, never bare npx).
 * `pipe` feeds its stdin from the front, `redirect` from behind; `env` is exported for that one process only
 * (the subshell ends with it).
 */
function runLines(hook: HookName, options: ShimOptions, indent: string, io: { pipe?: string; redirect?: string; env?: string } = {}): string[] {
  const dir = rootPath(options.packageDir);
  const fail = hook === 'pre-push' ? `{ dbsafe_rc=$?; rm -f "$dbsafe_in"; exit $dbsafe_rc; }` : 'exit $?';
  const enter = `${io.pipe ? `${io.pipe} | ` : ''}(cd ${dir} &&${io.env ? ` export ${io.env} &&` : ''}`;
  const stdin = io.redirect ?? '';
  return [
    `${indent}if [ "$dbsafe_cli" = via-npx ]; then`,
    `${indent}  ${enter} exec npx --no -- dbsafe-hooks hook ${hook} "$@")${stdin} || ${fail}`,
    `${indent}else`,
    `${indent}  ${enter} exec "$dbsafe_cli" hook ${hook} "$@")${stdin} || ${fail}`,
    `${indent}fi`,
  ];
}

/**
 * pre-commit asks git what node would ask first (git/shim-handover.ts): the layout (LAYOUT_QUERY, git/repo.ts:
 * the root, git dirs, object format and HEAD; exit 1 when HEAD is unborn), which it needs anyway for the
 * root, and the staged diff against HEAD, which runs while node starts and reaches it on stdin, followed by
 * an end marker printed only when git succeeded. Node, given both, starts no git process for a new migration.
 */
const HANDOVER_LINES = [
  // `|| dbsafe_rc=$?`: husky runs this under `sh -e`, where a bare failing assignment would end the script
  `  dbsafe_rc=0; dbsafe_git=$(git ${LAYOUT_QUERY.map(shQuote).join(' ')}) || dbsafe_rc=$?`,
  '  [ "$dbsafe_rc" -le 1 ] || exit 2',
  "  dbsafe_root=${dbsafe_git%%'",
  "'*}",
  '  [ -n "$dbsafe_root" ] || exit 2',
  "  dbsafe_common=${dbsafe_git#*'",
  "'}; dbsafe_common=${dbsafe_common%%'",
  "'*}",
  '  dbsafe_layout="$dbsafe_rc',
  '$PWD',
  '$dbsafe_git"',
  // HEAD (the last line, when it exists) and the end marker
  '  dbsafe_diff=',
  `  [ "$dbsafe_rc" -ne 0 ] || dbsafe_diff="\${dbsafe_git##*'`,
  `'} dbsafe-diff-end-$$"`,
];
const HANDOVER_PIPE = `{ [ -z "$dbsafe_diff" ] || { git ${STAGED_DIFF_QUERY.map(shQuote).join(' ')} "\${dbsafe_diff%% *}" -- && echo "\${dbsafe_diff#* }"; }; } 2>/dev/null`;
const HANDOVER_ENV = 'DBSAFE_GIT_LAYOUT="$dbsafe_layout" DBSAFE_STAGED_DIFF="$dbsafe_diff"';
/** Only when the pre-filter is stale: the fingerprint node compares with the config's (install/prefilter.ts). */
const prefilterEnv = (options: ShimOptions) => `DBSAFE_PREFILTER="\${dbsafe_stale:+${pathspecFingerprint(options.pathspecs)}}"`;

const NO_NODE_COMMIT = [
  `echo "dbsafe-hooks: migrations are staged, but node is not on the PATH this git client gives hooks, so they cannot be checked. Commit blocked." >&2`,
  `echo "  Fix: run 'npx dbsafe-hooks doctor' for how to make node visible to git. Skip once (at your own risk): git commit --no-verify" >&2`,
];
/** The pre-filter is stale (install/prefilter.ts): which staged files are migrations is node's to say. */
const NO_NODE_STALE = [
  `echo "dbsafe-hooks: the dbsafe-hooks configuration changed since this hook was installed, so node must tell which staged files are migrations, but node is not on the PATH this git client gives hooks. Commit blocked." >&2`,
  `echo "  Fix: run 'npx dbsafe-hooks install' (updates the hook for the new configuration); 'npx dbsafe-hooks doctor' says how to make node visible to git." >&2`,
];
/** No CLI in this worktree nor where install recorded it (findCliLines). */
const NO_CLI_FIX = `echo "  Fix: run 'npm install' in this worktree (a linked worktree has no node_modules of its own), or 'npx dbsafe-hooks install' again from a worktree that has it." >&2`;
const NO_CLI_COMMIT = [
  `echo "dbsafe-hooks: migrations are staged, but the dbsafe-hooks CLI is not installed in this worktree ($dbsafe_root) nor where install recorded it, so they cannot be checked. Commit blocked." >&2`,
  NO_CLI_FIX,
];
const NO_CLI_PUSH = [
  `echo "dbsafe-hooks: this push carries commits that touch migrations, but the dbsafe-hooks CLI is not installed in this worktree ($dbsafe_root) nor where install recorded it, so they cannot be checked. Push blocked." >&2`,
  NO_CLI_FIX,
];
const NO_NODE_PUSH = [
  `echo "dbsafe-hooks: node is not on the PATH this git client gives hooks, so the pushed migrations cannot be checked. Push blocked." >&2`,
  `echo "  Fix: run 'npx dbsafe-hooks doctor' for how to make node visible to git. Skip once (at your own risk): git push --no-verify" >&2`,
];

/**
 * pre-push without the CLI: fail closed only when it matters. git itself says whether a pushed ref carries
 * commits touching migrations (the install-time pathspecs; a config changed since then counts as yes,
 * install/prefilter.ts); a push of code only goes on with a note.
 */
function noCliPushLines(options: ShimOptions, indent: string): string[] {
  const specs = options.pathspecs.map(shQuote).join(' ');
  return [
    freshnessScript(options.packageDir, options.configFiles, { indent }),
    'dbsafe_mig=$dbsafe_stale',
    'while read -r dbsafe_l dbsafe_lo dbsafe_r dbsafe_ro; do',
    '  case $dbsafe_lo in *[!0]*) ;; *) continue ;; esac',
    '  dbsafe_not=',
    '  case $dbsafe_ro in *[!0]*) git cat-file -e "$dbsafe_ro^{commit}" 2>/dev/null && dbsafe_not=$dbsafe_ro ;; esac',
    `  dbsafe_out=$(git rev-list -1 "$dbsafe_lo" --not --remotes="$1" $dbsafe_not -- ${specs} 2>/dev/null) || dbsafe_mig=1`,
    '  [ -z "$dbsafe_out" ] || dbsafe_mig=1',
    'done < "$dbsafe_in"',
    'if [ -n "$dbsafe_mig" ]; then',
    ...NO_CLI_PUSH.map((l) => `  ${l}`),
    '  rm -f "$dbsafe_in"; exit 1',
    'fi',
    `echo "dbsafe-hooks: note: the dbsafe-hooks CLI is not installed in this worktree; this push touches no migration, so it goes on (run 'npm install' here to check pushes again)." >&2`,
  ].map((line, i) => (i === 0 ? line : `${indent}${line}`));
}

/** The marked block (without shebang), as appended to husky files and written into plain shims. */
export function hookBlock(hook: HookName, options: ShimOptions): string {
  const lines = [BEGIN, '# Added by `npx dbsafe-hooks install`; `npx dbsafe-hooks uninstall` removes this block.'];
  if (hook === 'pre-push') {
    // dbsafe reads the ref lines from a saved copy; afterwards the rest of this script reads the same
    // copy on its stdin (git lfs pre-push and other consumers still see every line).
    lines.push(
      'dbsafe_in=$(mktemp) || exit 2',
      'cat > "$dbsafe_in"',
      "dbsafe_git=$(git rev-parse --show-toplevel --git-common-dir) || exit 2",
      "dbsafe_root=${dbsafe_git%%'",
      "'*} dbsafe_common=${dbsafe_git#*'",
      "'}",
      'if ! command -v node >/dev/null 2>&1; then',
      '  if [ -s "$dbsafe_in" ]; then',
      ...NO_NODE_PUSH.map((l) => `    ${l}`),
      '    rm -f "$dbsafe_in"; exit 1',
      '  fi',
      'else',
      ...findCliLines(options, '  '),
      '  if [ -z "$dbsafe_cli" ]; then',
      ...noCliPushLines(options, '    '),
      '  else',
      ...runLines(hook, options, '    ', { redirect: ' < "$dbsafe_in"' }),
      '  fi',
      'fi',
      'exec < "$dbsafe_in"',
      'rm -f "$dbsafe_in" 2>/dev/null || :',
    );
  } else {
    const specs = options.pathspecs.map(shQuote).join(' ');
    const staged = `git diff-index --cached --quiet HEAD -- ${specs} 2>/dev/null`;
    lines.push(
      // a config changed since install may select other paths: then node decides (install/prefilter.ts)
      '# the pathspecs below are the config\'s as of install; a config file changed since then starts node',
      freshnessScript(options.packageDir, options.configFiles, { indent: '' }),
      // plumbing (config-independent); with no commit yet it fails and node decides
      ...(hook === 'pre-commit'
        ? ['dbsafe_run=$dbsafe_stale', `[ -n "$dbsafe_run" ] || ${staged} || dbsafe_run=1`, ...amendCheck(specs), 'if [ -n "$dbsafe_run" ]; then']
        : [`if [ -n "$dbsafe_stale" ] || ! ${staged}; then`]),
      ...HANDOVER_LINES,
      '  if ! command -v node >/dev/null 2>&1; then',
      '    if [ -n "$dbsafe_stale" ]; then',
      ...NO_NODE_STALE.map((l) => `      ${l}`),
      '    else',
      ...NO_NODE_COMMIT.map((l) => `      ${l}`),
      '    fi',
      '    exit 1',
      '  fi',
      ...findCliLines(options, '  '),
      '  if [ -z "$dbsafe_cli" ]; then',
      ...NO_CLI_COMMIT.map((l) => `    ${l}`),
      '    exit 1',
      '  fi',
      ...runLines(hook, options, '  ', { pipe: HANDOVER_PIPE, env: `${HANDOVER_ENV} ${prefilterEnv(options)}` }),
      'fi',
    );
  }
  lines.push(END);
  return `${lines.join('\n')}\n`;
}

/**
 * The block for a hooks directory that every repository shares (a global core.hooksPath): it runs only in
 * the repository it was made for (any of its worktrees: the common git dir is compared), so the other
 * repositories' commits and pushes go on as before. Built from hookBlock, inside the same markers.
 */
export function guardedHookBlock(hook: HookName, options: ShimOptions, commonDir: string): string {
  const lines = hookBlock(hook, options).trimEnd().split('\n');
  // not indented: some of the block's strings span lines
  const body = lines.slice(2, -1);
  return [
    ...lines.slice(0, 2),
    `# only in ${commonDir.replace(/\n/g, ' ')}: this hooks directory serves every repository`,
    `if [ "$(git rev-parse --path-format=absolute --git-common-dir 2>/dev/null)" = ${shQuote(commonDir)} ]; then`,
    ...body,
    'fi',
    END,
    '',
  ].join('\n');
}

/**
 * `git commit --amend` replaces HEAD: it commits the index against HEAD's parent, which the staged
 * check does not see (docs/ARCHITECTURE.md, `--amend`). git gives no signal but its own command line. On Linux: find
 * the first git among the parent processes with shell builtins only (no process; `read` drops the
 * NUL separators, so this is a superset and node reads the exact arguments, hooks/amend.ts); then
 * node starts only when HEAD's own commit touched migrations. Without /proc (macOS) telling would take a
 * process on every commit, which the speed budget for a commit with no migration staged has no room
 * for: there an amend with nothing staged is left to pre-push (with something staged, node detects it).
 */
function amendCheck(specs: string): string[] {
  return [
    'if [ -z "$dbsafe_run" ]; then',
    '  dbsafe_amend= dbsafe_pid=$PPID dbsafe_n=0',
    // short files first (`comm`, `cmdline`): the shell's `read` takes a byte per system call
    '  while [ "$dbsafe_n" -lt 8 ] && read -r dbsafe_comm 2>/dev/null < "/proc/$dbsafe_pid/comm"; do',
    '    case $dbsafe_comm in git|git.exe)',
    '      read -r dbsafe_args 2>/dev/null < "/proc/$dbsafe_pid/cmdline" || :',
    '      case $dbsafe_args in *commit*--am*) dbsafe_amend=1 ;; esac',
    '      break ;;',
    '    esac',
    '    read -r dbsafe_stat 2>/dev/null < "/proc/$dbsafe_pid/stat" || break',
    '    dbsafe_stat=${dbsafe_stat##*) }; dbsafe_stat=${dbsafe_stat#* }',
    '    dbsafe_pid=${dbsafe_stat%% *} dbsafe_n=$((dbsafe_n + 1))',
    '  done',
    `  if [ -n "$dbsafe_amend" ] && ! git diff-tree --quiet -r HEAD^ HEAD -- ${specs} 2>/dev/null; then dbsafe_run=1; fi`,
    'fi',
  ];
}

/** A complete hook file for a hooks directory; a moved-aside foreign hook runs after dbsafe. */
export function plainHookScript(hook: HookName, options: ShimOptions): string {
  return [
    '#!/bin/sh',
    hookBlock(hook, options).trimEnd(),
    `# a hook that was here before dbsafe-hooks was installed keeps running (its exit code counts)`,
    `if [ -x "$0${CHAIN_SUFFIX}" ]; then exec "$0${CHAIN_SUFFIX}" "$@"; fi`,
    '',
  ].join('\n');
}

/**
 * One shell line for managers whose config holds a command string (lefthook `run:`, simple-git-hooks).
 * `args` is how that manager passes git's arguments ("$@" in a script, {0} in lefthook).
 */
export function inlineCommand(hook: HookName, options: ShimOptions, args = '"$@"'): string {
  const bin = options.binPath;
  const cd = options.packageDir ? `cd ${shQuote(options.packageDir)} && ` : '';
  const binFromPkg = options.packageDir ? relativeFrom(options.packageDir, bin) : bin;
  const run = `${cd}{ if [ -x ${shQuote(binFromPkg)} ]; then ${shQuote(binFromPkg)} hook ${hook} ${args}; else npx --no -- dbsafe-hooks hook ${hook} ${args}; fi; }`;
  if (hook === 'pre-push') return run;
  // one git process, as in the shims; an amend with nothing staged is not looked for here (one more git
  // process on every commit): node detects it when something is staged, pre-push otherwise. A config
  // changed since install starts node (install/prefilter.ts).
  const staged = `git diff-index --cached --quiet HEAD -- ${options.pathspecs.map(shQuote).join(' ')} 2>/dev/null`;
  return `${freshnessScript(options.packageDir, options.configFiles, 'inline')}; if [ -n "$dbsafe_stale" ] || ! ${staged}; then export ${prefilterEnv(options)}; ${run}; fi`;
}

function relativeFrom(fromDir: string, target: string): string {
  const up = fromDir.split('/').filter(Boolean).map(() => '..');
  return [...up, target].join('/');
}

/** Remove our marked block(s) from a script; returns the text unchanged when there is none. */
export function removeBlock(text: string): string {
  const lines = text.split('\n');
  const out: string[] = [];
  let inside = false;
  for (const line of lines) {
    if (line.trim() === BEGIN) inside = true;
    else if (line.trim() === END && inside) inside = false;
    else if (!inside) out.push(line);
  }
  return out.join('\n');
}

export function hasBlock(text: string): boolean {
  return text.includes(BEGIN) && text.includes(END);
}

/** The text of our block inside a script, if any (to compare with what install would write). */
export function extractBlock(text: string): string | undefined {
  const start = text.indexOf(BEGIN);
  const end = text.indexOf(END, start);
  if (start < 0 || end < 0) return undefined;
  return `${text.slice(start, end + END.length)}\n`;
}
