import { spawnSync } from 'node:child_process';
import { existsSync, statSync } from 'node:fs';
import path from 'node:path';
import { loadConfig } from '../config/load.js';
import type { Config } from '../config/schema.js';
import { DbsafeError, GitError } from '../errors.js';
import { execGit, gitText } from '../git/exec-git.js';
import { hooksPathSettings } from './detect.js';
import { isExecutable, readText } from '../util/files.js';
import { locate, type Location } from './locate.js';
import { readManifest, type InstallManifest } from './manifest.js';
import { pathspecsFor } from '../config/pathspecs.js';
import { HOOKS, hasBlock } from './shim.js';

/**
 * `dbsafe-hooks doctor`: what would stop the hooks from running, each with how to fix it.
 * Problems (exit 1) make a hook not run or not work; warnings (exit 0) are worth knowing.
 */
export interface Check {
  level: 'ok' | 'warning' | 'problem';
  message: string;
  fix?: string;
}

/** PATH a GUI git client (GitHub Desktop, Sourcetree, an IDE started from the dock) typically has. */
export const GUI_PATH = '/usr/bin:/bin:/usr/sbin:/sbin';

export async function doctor(cwd: string, configPath?: string): Promise<Check[]> {
  const located = await locate(cwd);
  // nothing to diagnose: the tool cannot do its job here (exit 2, as for every command)
  if (!located.ok) throw new GitError(`doctor: ${located.reason}`, { hint: 'Run doctor inside the repository whose hooks you want to check.' });
  const location = located.location;
  const checks: Check[] = [];
  const manifest = readManifest(location.commonDir);
  if (!manifest) {
    checks.push({ level: 'problem', message: 'dbsafe-hooks is not installed in this repository (no install.json)', fix: 'npx dbsafe-hooks install' });
  }
  checks.push(...(await hooksDirChecks(location, manifest)));
  const config = await configCheck(location, configPath, checks);
  if (config && manifest) checks.push(pathspecCheck(config, manifest));
  if (config) checks.push(await staleTrackingRefsAdvice(location, config));
  checks.push(nodeOnGuiPath());
  checks.push(...(await backupLogCheck(location)));
  if (config) checks.push(...clientChecks(config));
  return checks;
}

async function hooksDirChecks(location: Location, manifest: InstallManifest | undefined): Promise<Check[]> {
  const checks: Check[] = [];
  const settings = await hooksPathSettings(location.root, location.root);
  for (const setting of settings) {
    if (setting.scope === 'global' || setting.scope === 'system') {
      checks.push({
        level: 'warning',
        message: `core.hooksPath is set in the ${setting.scope} git config (${setting.value}): every repository uses that directory and ignores .git/hooks`,
        fix: `git config --${setting.scope} --unset core.hooksPath (or add the dbsafe-hooks blocks printed by install to the hooks there)`,
      });
    }
  }
  const hooksDir = path.resolve(location.root, await gitText(['rev-parse', '--git-path', 'hooks'], { cwd: location.root }));
  if (!existsSync(hooksDir) || !statSync(hooksDir).isDirectory()) {
    const where = settings.length ? `core.hooksPath (${settings[settings.length - 1]!.scope}) points at` : 'the hooks directory';
    checks.push({
      level: 'problem',
      message: `${where} ${hooksDir}, which does not exist: git runs no hooks at all`,
      fix: /\.husky[\\/]_$/.test(hooksDir)
        ? 'run `npx husky` (husky creates .husky/_, which is not committed; a fresh clone or a new worktree lacks it)'
        : 'create the directory and run `npx dbsafe-hooks install`, or unset core.hooksPath',
    });
    return checks;
  }
  checks.push({ level: 'ok', message: `git runs hooks from ${hooksDir}` });
  const relevant = manifest?.actions.filter((a) => a.type === 'hook-file' || a.type === 'block') ?? [];
  for (const hook of HOOKS) {
    const file = path.join(hooksDir, hook);
    const text = readText(file);
    if (text === undefined) {
      // with the pre-commit framework and lefthook, that manager writes the hook file, and only when told to
      if (manifest) checks.push({ level: 'problem', message: `${file} does not exist: git will not run ${hook}, so dbsafe-hooks does not either`, fix: managerInstallFix(manifest.manager, [hook]) });
      continue;
    }
    if (!isExecutable(file)) checks.push({ level: 'problem', message: `${file} is not executable: git skips it`, fix: `chmod +x '${file}'` });
    if (text.includes('\r\n')) {
      checks.push({
        level: 'problem',
        message: `${file} has CRLF line endings: sh fails on them`,
        fix: `convert it to LF (e.g. sed -i 's/\\r$//' '${file}') and add '* text eol=lf' for hook files in .gitattributes`,
      });
    }
  }
  for (const action of relevant) {
    const text = readText(action.path);
    if (text === undefined || !hasBlock(text)) {
      checks.push({ level: 'problem', message: `${action.path} no longer contains the dbsafe-hooks block`, fix: 'npx dbsafe-hooks install' });
    } else if (text.includes('\r\n')) {
      checks.push({ level: 'problem', message: `${action.path} has CRLF line endings`, fix: `convert it to LF; add '.husky/* text eol=lf' to .gitattributes` });
    }
  }
  return checks;
}

/** The command that makes git run these hooks, for the manager install integrated with. */
export function managerInstallFix(manager: string, hooks: string[]): string {
  if (manager === 'pre-commit') return `pre-commit install ${hooks.map((hook) => `-t ${hook}`).join(' ')}`;
  if (manager === 'lefthook') return 'npx lefthook install';
  return 'npx dbsafe-hooks install';
}

/** Hooks whose file is missing from the directory git runs hooks from (a manager that writes them itself was not run yet). */
export async function missingHookFiles(root: string): Promise<string[]> {
  const hooksDir = path.resolve(root, await gitText(['rev-parse', '--git-path', 'hooks'], { cwd: root }));
  return HOOKS.filter((hook) => !existsSync(path.join(hooksDir, hook)));
}

async function configCheck(location: Location, configPath: string | undefined, checks: Check[]): Promise<Config | undefined> {
  try {
    const { config, filepath } = await loadConfig(location.packageRoot, location.root, configPath);
    checks.push({ level: 'ok', message: `config ${filepath ? path.relative(location.root, filepath) : '(defaults: no config file)'} is valid` });
    return config;
  } catch (error) {
    if (!(error instanceof DbsafeError)) throw error;
    checks.push({ level: 'problem', message: error.message, fix: error.hint });
    return undefined;
  }
}

function pathspecCheck(config: Config, manifest: InstallManifest): Check {
  const now = pathspecsFor(config, '', { unmatched: true });
  if (now.join('\n') === manifest.pathspecs.join('\n')) return { level: 'ok', message: 'the hooks\' migration pre-filter matches the config' };
  return {
    level: 'problem',
    message: `the hooks were installed for migrations ${manifest.pathspecs.join(' ')} but the config now says ${now.join(' ')}: new migration paths would skip the check`,
    fix: 'npx dbsafe-hooks install (rewrites the hooks for the current config)',
  };
}

/**
 * Stale tracking refs (docs/pre-push.md): pre-push trusts refs/remotes/<remote>/* as "already on the remote". A branch deleted on the
 * server but never pruned here keeps its commits out of the re-check. Not knowable cheaply at push
 * time, so doctor gives advice (a warning: it never changes the exit code).
 */
async function staleTrackingRefsAdvice(location: Location, config: Config): Promise<Check> {
  if (config.prePush?.strict) return { level: 'ok', message: 'prePush.strict: pre-push asks the remote which commits it has (stale tracking refs cannot hide any)' };
  // unset → undefined (exit 1); a value git cannot read as a boolean (exit 128) prunes nothing either
  const bool = async (key: string) => {
    const { stdout, code } = await execGit(['config', '--type=bool', '--get', key], { cwd: location.root, okCodes: [1, 128] });
    return code === 1 ? undefined : stdout.toString('utf8').trim() === 'true';
  };
  const fetchPrune = (await bool('fetch.prune')) ?? false;
  const remotes = (await gitText(['remote'], { cwd: location.root })).split('\n').filter(Boolean);
  // remote.<name>.prune overrides fetch.prune for that remote
  const unpruned: string[] = [];
  for (const remote of remotes) if (!((await bool(`remote.${remote}.prune`)) ?? fetchPrune)) unpruned.push(remote);
  if (remotes.length ? !unpruned.length : fetchPrune) return { level: 'ok', message: 'fetch prunes remote-tracking refs (fetch.prune)' };
  return {
    level: 'warning',
    message:
      `stale tracking refs can hide commits from the pre-push re-check (docs/pre-push.md): fetch.prune is not true${unpruned.length ? ` for ${unpruned.join(', ')}` : ''}, ` +
      'so a branch deleted on the server keeps its refs/remotes/ ref here and its commits count as already pushed',
    fix: 'git config fetch.prune true (and git fetch --prune once), or set "prePush": { "strict": true } to ask the remote on every push',
  };
}

function nodeOnGuiPath(): Check {
  const probe = spawnSync('sh', ['-c', 'command -v node'], { env: { PATH: GUI_PATH, HOME: process.env.HOME ?? '' }, encoding: 'utf8' });
  if (probe.status === 0 && probe.stdout.trim()) return { level: 'ok', message: `node is found with a minimal PATH (${probe.stdout.trim()})` };
  return {
    level: 'warning',
    message: `node is not found with the minimal PATH a GUI git client gives hooks (${GUI_PATH}); from such a client, commits that stage migrations are blocked`,
    fix:
      'node comes from nvm/volta/fnm/asdf through your shell profile. Either link it: sudo ln -s "$(command -v node)" /usr/local/bin/node ' +
      '(and use a client that includes /usr/local/bin), or with husky put `export PATH="$HOME/.nvm/versions/node/<v>/bin:$PATH"` (or `. "$HOME/.nvm/nvm.sh"`) ' +
      'in ~/.config/husky/init.sh; simple-git-hooks reads SIMPLE_GIT_HOOKS_RC; lefthook has `rc:`.',
  };
}

async function backupLogCheck(location: Location): Promise<Check[]> {
  try {
    const [{ logPathFor }, { readLog }] = await Promise.all([import('../backup/log-path.js'), import('../backup/log.js')]);
    const logPath = logPathFor(location.commonDir);
    const log = await readLog(logPath);
    if (!log.exists) return [{ level: 'ok', message: `backup log ${logPath} does not exist yet (no backup taken)` }];
    if (!log.chain.ok) {
      return [
        {
          level: 'problem',
          message: `backup log ${logPath} is broken: ${'message' in log.chain ? log.chain.message : 'hash chain broken'}`,
          fix: 'npx dbsafe-hooks log (shows where); the pre-push gate does not trust a broken log',
        },
      ];
    }
    const { witnessWarnings } = await import('../backup/log-witness.js');
    const lastSeq = log.entries[log.entries.length - 1]?.seq ?? 0;
    return [
      { level: 'ok', message: `backup log readable (${log.entries.length} entries, chain intact)` },
      ...witnessWarnings(log.witnesses, lastSeq).map((message): Check => ({ level: 'warning', message, fix: 'take a backup or verify one (every append rewrites both witnesses); check that $XDG_STATE_HOME (default ~/.local/state) is writable' })),
    ];
  } catch (error) {
    return [{ level: 'problem', message: `backup log not readable: ${(error as Error).message}`, fix: 'check the permissions of .git/dbsafe/' }];
  }
}

/** Per engine, the client programs backups need; each entry lists alternatives (any one will do). */
const CLIENTS: Record<string, string[][]> = {
  postgres: [['pg_dump'], ['pg_restore']],
  mysql: [['mysqldump', 'mariadb-dump']],
  mariadb: [['mariadb-dump', 'mysqldump']],
  sqlite: [],
};

function clientChecks(config: Config): Check[] {
  const checks: Check[] = [];
  const engines = new Set<string>();
  for (const database of Object.values(config.databases)) {
    const engine = database.engine ?? engineFromUrl(database.url);
    if (engine) engines.add(engine);
  }
  for (const engine of engines) {
    for (const alternatives of CLIENTS[engine] ?? []) {
      const found = alternatives
        .map((client) => ({ client, probe: spawnSync(client, ['--version'], { encoding: 'utf8' }) }))
        .find(({ probe }) => !probe.error && probe.status === 0);
      if (!found) {
        checks.push({ level: 'problem', message: `${alternatives.join(' / ')} not found on PATH: ${engine} backups cannot run`, fix: `install the ${engine} client tools` });
      } else {
        checks.push({ level: 'ok', message: `${found.client}: ${found.probe.stdout.trim().split('\n')[0]} (server compatibility is checked when a backup runs)` });
      }
    }
  }
  return checks;
}

function engineFromUrl(url: string): string | undefined {
  if (/^postgres(ql)?:/.test(url)) return 'postgres';
  if (/^mysql:/.test(url)) return 'mysql';
  if (/^mariadb:/.test(url)) return 'mariadb';
  if (/^sqlite:|\.(db|sqlite3?)$/.test(url)) return 'sqlite';
  return undefined;
}
