import { existsSync, mkdirSync, renameSync } from 'node:fs';
import path from 'node:path';
import type { Manager } from './detect.js';
import { readText, writeAtomic } from '../util/files.js';
import type { InstallAction, InstallManifest } from './manifest.js';
import {
  BEGIN,
  CHAIN_SUFFIX,
  HOOKS,
  extractBlock,
  guardedHookBlock,
  hasBlock,
  hookBlock,
  inlineCommand,
  plainHookScript,
  removeBlock,
  type HookName,
  type ShimOptions,
} from './shim.js';

/**
 * Wire the three hooks in through the detected manager, never around it. Each function returns the
 * actions to record, plus lines for the user (snippets to paste when editing is not safe).
 */
export interface IntegrationResult {
  actions: InstallAction[];
  messages: string[];
  /** Hooks that are NOT active after this run (the user has to paste a snippet or run a command). */
  pending: string[];
}

export async function integrate(
  manager: Manager,
  shim: ShimOptions,
  previous: InstallManifest | undefined,
  commonDir: string,
): Promise<IntegrationResult> {
  switch (manager.kind) {
    case 'plain':
      return writeHookFiles(manager.dir, shim, previous);
    case 'hooks-path':
      if (manager.scope === 'global' || manager.scope === 'system') return globalHooksPath(manager.dir, manager.scope, shim, commonDir);
      return writeHookFiles(manager.dir, shim, previous);
    case 'husky':
      return huskyBlocks(manager.dir, manager.version, shim, previous);
    case 'husky-v4':
      return jsonCommands(manager.packageJson, ['husky', 'hooks'], shim, previous);
    case 'simple-git-hooks':
      return simpleGitHooks(manager.file, shim, previous);
    case 'lefthook':
      return lefthook(manager.file, shim);
    case 'pre-commit':
      return preCommitFramework(manager.file, shim);
  }
}

// --- plain hooks directory (or a local core.hooksPath): whole shim files, foreign hooks chained ---

function writeHookFiles(dir: string, shim: ShimOptions, previous: InstallManifest | undefined): IntegrationResult {
  mkdirSync(dir, { recursive: true });
  const actions: InstallAction[] = [];
  const messages: string[] = [];
  for (const hook of HOOKS) {
    const file = path.join(dir, hook);
    const aside = `${file}${CHAIN_SUFFIX}`;
    const current = readText(file);
    const before = previous?.actions.find((a) => a.type === 'hook-file' && a.path === file);
    let movedAside = before && before.type === 'hook-file' ? before.movedAside : undefined;
    if (current !== undefined && !hasBlock(current)) {
      if (existsSync(aside)) {
        messages.push(`${file} exists and ${aside} too: left both alone; chain dbsafe into ${file} by hand (see templates/).`);
        continue;
      }
      renameSync(file, aside);
      movedAside = aside;
      messages.push(`existing ${hook} hook moved to ${path.basename(aside)}; it still runs after dbsafe-hooks`);
    } else if (movedAside === undefined && existsSync(aside)) {
      movedAside = aside;
    }
    writeAtomic(file, plainHookScript(hook, shim), 0o755);
    actions.push({ type: 'hook-file', hook, path: file, ...(movedAside ? { movedAside } : {}) });
  }
  return { actions, messages, pending: [] };
}

function globalHooksPath(dir: string, scope: string, shim: ShimOptions, commonDir: string): IntegrationResult {
  // That directory serves every repository on this machine: a repository-specific shim there would
  // run (and fail) everywhere else. Tell the user what to add instead of writing it; each block runs
  // only in this repository (guardedHookBlock).
  const snippets = HOOKS.map((hook) => `--- add to ${path.join(dir, hook)} ---\n${guardedHookBlock(hook, shim, commonDir)}`);
  return {
    actions: [],
    messages: [
      `core.hooksPath is set in the ${scope} git config (${dir}), so .git/hooks is ignored and that directory is shared by all repositories.`,
      'dbsafe-hooks did not write there. Add these blocks to the hooks in that directory (each guarded to this repository), or unset the global setting:',
      ...snippets,
    ],
    pending: [...HOOKS],
  };
}

// --- husky: a marked block in .husky/<hook>; dbsafe first in pre-push ---

function huskyBlocks(dir: string, version: '9' | '5-8', shim: ShimOptions, previous: InstallManifest | undefined): IntegrationResult {
  mkdirSync(dir, { recursive: true });
  const actions: InstallAction[] = [];
  for (const hook of HOOKS) {
    const file = path.join(dir, hook);
    const block = hookBlock(hook, shim);
    const current = readText(file);
    let next: string;
    if (current === undefined) {
      next = version === '9' ? block : `#!/usr/bin/env sh\n. "$(dirname -- "$0")/_/husky.sh"\n\n${block}`;
    } else if (hasBlock(current) && !commandBefore(current)) {
      const existing = extractBlock(current)!;
      // a function, so `$$` / `$&` in the shell block are not read as replacement patterns
      next = current.replace(existing, () => block);
    } else {
      // first in every hook: a user's `exec …` or `exit 0` would make a block after it dead code. A block
      // an older install appended after the user's commands is moved up (uninstall still restores the rest).
      next = insertFirst(hasBlock(current) ? removeBlock(current) : current, block);
    }
    writeAtomic(file, next, version === '5-8' || current === undefined ? 0o755 : undefined);
    // a re-run keeps what the first run knew: whether the file existed before dbsafe-hooks
    const before = previous?.actions.find((a) => a.type === 'block' && a.path === file);
    const createdFile = before && before.type === 'block' ? before.createdFile : current === undefined;
    actions.push({ type: 'block', hook, path: file, createdFile });
  }
  return { actions, messages: [], pending: [] };
}

/** Lines husky files start with that run nothing of the user's: a shebang, husky v5-8's `. "…/husky.sh"`, blanks. */
const preamble = (line: string) => line.startsWith('#!') || /husky\.sh/.test(line) || line.trim() === '';

/** A user's command (not a comment, not the preamble) above our block. */
function commandBefore(text: string): boolean {
  return text.slice(0, text.indexOf(BEGIN)).split('\n').some((line) => !preamble(line) && !line.trim().startsWith('#'));
}

/** Insert after a shebang and husky's v5-8 `. "…/husky.sh"` line, before any command. */
function insertFirst(text: string, block: string): string {
  const lines = text.split('\n');
  let at = 0;
  while (at < lines.length && preamble(lines[at]!)) at++;
  return [...lines.slice(0, at), block.trimEnd(), ...lines.slice(at)].join('\n');
}

// --- JSON command strings: simple-git-hooks, husky v4 ---

async function simpleGitHooks(file: string, shim: ShimOptions, previous: InstallManifest | undefined): Promise<IntegrationResult> {
  if (!file.endsWith('.json')) {
    return {
      actions: [],
      messages: [
        `${file} is JavaScript; add these commands to it (dbsafe first), then run: npx --no -- simple-git-hooks`,
        ...HOOKS.map((hook) => `  "${hook}": ${JSON.stringify(inlineCommand(hook, shim))}`),
      ],
      pending: [...HOOKS],
    };
  }
  const key = path.basename(file) === 'package.json' ? ['simple-git-hooks'] : [];
  const result = await jsonCommands(file, key, shim, previous);
  const bin = path.join(path.dirname(file), 'node_modules', '.bin', 'simple-git-hooks');
  if (existsSync(bin)) {
    const { spawnSync } = await import('node:child_process');
    const run = spawnSync(bin, [], { cwd: path.dirname(file), encoding: 'utf8' });
    result.messages.push(run.status === 0 ? 'ran simple-git-hooks to update .git/hooks' : `simple-git-hooks failed: ${run.stderr.trim()}`);
  } else {
    result.messages.push('run `npx --no -- simple-git-hooks` to apply the updated hooks');
  }
  return result;
}

async function jsonCommands(
  file: string,
  key: string[],
  shim: ShimOptions,
  previous: InstallManifest | undefined,
): Promise<IntegrationResult> {
  const text = readText(file) ?? '{}';
  const json = JSON.parse(text) as Record<string, unknown>;
  let holder = json as Record<string, unknown>;
  for (const part of key) {
    if (typeof holder[part] !== 'object' || holder[part] === null) holder[part] = {};
    holder = holder[part] as Record<string, unknown>;
  }
  const actions: InstallAction[] = [];
  for (const hook of HOOKS) {
    const ours = inlineCommand(hook, shim);
    const current = typeof holder[hook] === 'string' ? (holder[hook] as string) : null;
    const recorded = previous?.actions.find(
      (a) => a.type === 'json-command' && a.path === file && a.key.join('.') === [...key, hook].join('.'),
    );
    let before = current;
    if (recorded && recorded.type === 'json-command' && current === recorded.after) before = recorded.before;
    else if (current?.includes('dbsafe-hooks hook')) before = recorded && recorded.type === 'json-command' ? recorded.before : null;
    const after = before ? `${ours} && ${before}` : ours;
    holder[hook] = after;
    actions.push({ type: 'json-command', path: file, key: [...key, hook], before, after });
  }
  const indent = /^[ \t]+(?=")/m.exec(text)?.[0] ?? '  ';
  writeAtomic(file, `${JSON.stringify(json, null, indent)}\n`);
  return { actions, messages: [], pending: [] };
}

// --- YAML configs: lefthook, the pre-commit framework ---

async function editYaml(
  file: string,
  edit: (doc: import('yaml').Document) => string[][],
): Promise<{ ok: true; entries: string[][] } | { ok: false; reason: string }> {
  const text = readText(file) ?? '';
  const YAML = await import('yaml');
  const doc = YAML.parseDocument(text);
  if (doc.errors.length) return { ok: false, reason: `it does not parse (${doc.errors[0]!.message.split('\n')[0]})` };
  const entries = edit(doc);
  const next = doc.toString();
  // editing must not lose a comment
  const comments = text.split('\n').filter((line) => /^\s*#/.test(line)).map((line) => line.trim());
  const kept = new Set(next.split('\n').map((line) => line.trim()));
  const lost = comments.filter((comment) => !kept.has(comment));
  if (lost.length) return { ok: false, reason: 'editing it would lose comments' };
  if (YAML.parse(next) === undefined) return { ok: false, reason: 'the edited file would be empty' };
  writeAtomic(file, next);
  return { ok: true, entries };
}

function lefthookSnippet(shim: ShimOptions): string {
  return [
    'pre-commit:',
    '  commands:',
    '    dbsafe-hooks:',
    `      run: ${JSON.stringify(inlineCommand('pre-commit', shim, ''))}`,
    'pre-merge-commit:',
    '  commands:',
    '    dbsafe-hooks:',
    `      run: ${JSON.stringify(inlineCommand('pre-merge-commit', shim, ''))}`,
    'pre-push:',
    '  commands:',
    '    dbsafe-hooks:',
    `      run: ${JSON.stringify(inlineCommand('pre-push', shim, '{1} {2}'))}`,
    '      use_stdin: true',
  ].join('\n');
}

async function lefthook(file: string, shim: ShimOptions): Promise<IntegrationResult> {
  const fallback = (reason: string): IntegrationResult => ({
    actions: [],
    messages: [`${file}: ${reason}; add this to it, then run: npx lefthook install`, lefthookSnippet(shim)],
    pending: [...HOOKS],
  });
  if (!/\.ya?ml$/.test(file)) return fallback('not YAML');
  const result = await editYaml(file, (doc) =>
    HOOKS.map((hook) => {
      const entry: Record<string, unknown> = {
        run: inlineCommand(hook, shim, hook === 'pre-push' ? '{1} {2}' : ''),
      };
      if (hook === 'pre-push') entry.use_stdin = true;
      doc.setIn([hook, 'commands', 'dbsafe-hooks'], doc.createNode(entry));
      return [hook, 'commands', 'dbsafe-hooks'];
    }),
  );
  if (!result.ok) return fallback(result.reason);
  const messages: string[] = [];
  const bin = path.join(path.dirname(file), 'node_modules', '.bin', 'lefthook');
  if (existsSync(bin)) {
    const { spawnSync } = await import('node:child_process');
    const run = spawnSync(bin, ['install'], { cwd: path.dirname(file), encoding: 'utf8' });
    messages.push(run.status === 0 ? 'ran lefthook install' : `lefthook install failed: ${run.stderr.trim()}`);
  } else {
    messages.push('run `npx lefthook install` so git runs the new pre-merge-commit / pre-push entries');
  }
  return { actions: [{ type: 'yaml-entries', path: file, entries: result.entries }], messages, pending: [] };
}

const PRE_COMMIT_INSTALL = 'pre-commit install -t pre-commit -t pre-merge-commit -t pre-push';

/**
 * The framework's stage names: `pre-commit`, `pre-merge-commit`, `pre-push` since pre-commit 3.2.0; older
 * releases (Debian 12 ships 3.0.4) reject them and only know `commit`, `merge-commit`, `push`, which 4.x
 * still accepts but warns about. So the installed framework's version decides; unknown means current.
 */
async function preCommitStages(cwd: string): Promise<{ commit: string[]; push: string[] }> {
  const { spawnSync } = await import('node:child_process');
  const run = spawnSync('pre-commit', ['--version'], { cwd, encoding: 'utf8' });
  const version = /(\d+)\.(\d+)/.exec(run.status === 0 ? run.stdout : '');
  const legacy = version !== null && (Number(version[1]) < 3 || (Number(version[1]) === 3 && Number(version[2]) < 2));
  return legacy ? { commit: ['commit', 'merge-commit'], push: ['push'] } : { commit: ['pre-commit', 'pre-merge-commit'], push: ['pre-push'] };
}

function preCommitEntries(shim: ShimOptions, stages: { commit: string[]; push: string[] }): Array<Record<string, unknown>> {
  // the framework runs `entry` from the repository root; in a monorepo the config is in the package dir
  const entry = (hook: HookName) =>
    shim.packageDir
      ? `sh -c 'cd ${shim.packageDir} && exec npx --no -- dbsafe-hooks hook ${hook}'`
      : `npx --no -- dbsafe-hooks hook ${hook}`;
  return [
    {
      id: 'dbsafe-hooks',
      name: 'dbsafe-hooks (destructive migrations)',
      entry: entry('pre-commit'),
      language: 'system',
      stages: stages.commit,
      pass_filenames: false,
      always_run: true,
    },
    {
      id: 'dbsafe-hooks-pre-push',
      name: 'dbsafe-hooks (pushed migrations)',
      entry: entry('pre-push'),
      language: 'system',
      stages: stages.push,
      pass_filenames: false,
      always_run: true,
    },
  ];
}

async function preCommitFramework(file: string, shim: ShimOptions): Promise<IntegrationResult> {
  const entries = preCommitEntries(shim, await preCommitStages(path.dirname(file)));
  const YAML = await import('yaml');
  const snippet = YAML.stringify({ repos: [{ repo: 'local', hooks: entries }] });
  const result = await editYaml(file, (doc) => {
    const repos = doc.get('repos') as import('yaml').YAMLSeq | undefined;
    const already = repos?.items.some((item) => JSON.stringify((item as { toJSON(): unknown }).toJSON()).includes('dbsafe-hooks hook'));
    if (already) return [['repos', 'dbsafe-hooks']];
    const node = doc.createNode({ repo: 'local', hooks: entries });
    if (repos) repos.items.push(node);
    else doc.set('repos', doc.createNode([{ repo: 'local', hooks: entries }]));
    return [['repos', 'dbsafe-hooks']];
  });
  if (!result.ok) {
    return {
      actions: [],
      messages: [`${file}: ${result.reason}; add this to it:`, snippet, `then run: ${PRE_COMMIT_INSTALL}`],
      pending: [...HOOKS],
    };
  }
  return {
    actions: [{ type: 'yaml-entries', path: file, entries: result.entries }],
    messages: [`added a local dbsafe-hooks repo to ${path.basename(file)}; now run: ${PRE_COMMIT_INSTALL}`],
    pending: [],
  };
}
