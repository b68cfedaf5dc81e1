import { existsSync } from 'node:fs';
import path from 'node:path';
import { loadConfig, parseConfig } from '../config/load.js';
import { execGit } from '../git/exec-git.js';
import { VERSION } from '../version.js';
import { configText, proposeMigrationSets } from './config-init.js';
import { describeManager, detectManagers } from './detect.js';
import { readText, sha256, writeAtomic } from '../util/files.js';
import { managerInstallFix, missingHookFiles } from './doctor.js';
import { integrate } from './integrate.js';
import { CLI_RECORD } from './shim.js';
import { findBin, locate, type Location } from './locate.js';
import { readManifest, upsertAction, writeManifest, type InstallAction, type InstallManifest } from './manifest.js';
import { pathspecsFor } from '../config/pathspecs.js';
import { STAMP_NAME, presentConfigFiles, writeStamp } from './prefilter.js';

export interface InstallOptions {
  cwd: string;
  force?: boolean;
  configPath?: string;
  env?: NodeJS.ProcessEnv;
}

export interface InstallReport {
  installed: boolean;
  lines: string[];
  /** Problems worth a non-zero exit only when the user asked explicitly (never during npm install). */
  warnings: string[];
}

/** Why install should do nothing here (spec: never fail an npm install), or undefined to go ahead. */
export function skipReason(env: NodeJS.ProcessEnv, force: boolean): string | undefined {
  if (force) return undefined;
  if (env.DBSAFE === '0') return 'DBSAFE=0 is set: skipping hook installation (use --force to install anyway).';
  if (env.CI && env.CI !== 'false' && env.CI !== '0')
    return 'CI is set: git hooks are not installed in CI (run `dbsafe-hooks check --base <ref>` there instead; --force installs anyway).';
  return undefined;
}

export async function install(options: InstallOptions): Promise<InstallReport> {
  const env = options.env ?? process.env;
  const skip = skipReason(env, Boolean(options.force));
  if (skip) return { installed: false, lines: [`dbsafe-hooks: ${skip}`], warnings: [] };
  const located = await locate(options.cwd);
  if (!located.ok) return { installed: false, lines: [`dbsafe-hooks: ${located.reason}; no hooks installed.`], warnings: [] };
  const location = located.location;
  const lines: string[] = [];
  const warnings: string[] = [];
  const previous = readManifest(location.commonDir);
  const actions: InstallAction[] = previous ? [...previous.actions] : [];

  // 1. configuration: use the existing one, or create one from the template. The pre-filter's stamp is
  // written before the config is read (install/prefilter.ts), and again after a config this run created.
  const stamp = path.join(location.gitDir, STAMP_NAME);
  writeStamp(stamp);
  const config = await ensureConfig(location, options.configPath, actions, lines);
  if (actions.some((a) => a.type === 'config-file') && !previous?.actions.some((a) => a.type === 'config-file')) writeStamp(stamp);
  const pathspecs = pathspecsFor(config, '', { unmatched: true });

  // 2. ignore the backup directory and .dbsafe/
  await ensureGitignore(location, config.backupDir, actions, lines);

  // 3. the hook manager
  const { managers } = await detectManagers(location);
  const manager = managers[0]!;
  lines.push(`hook manager: ${describeManager(manager)}`);
  for (const other of managers.slice(1, -1)) lines.push(`  also found: ${describeManager(other)} (not used: the first one wins)`);
  const shim = { pathspecs, packageDir: location.packageDir, binPath: findBin(location), configFiles: presentConfigFiles(location.root, location.packageDir) };
  if (!existsSync(path.join(location.root, shim.binPath))) {
    warnings.push(
      `dbsafe-hooks is not installed in ${location.packageDir || 'this project'} (no ${shim.binPath}): run \`npm install --save-dev dbsafe-hooks\`. ` +
        'Until then the hooks fall back to `npx --no -- dbsafe-hooks`, which fails (and blocks) when migrations are staged.',
    );
  }
  const result = await integrate(manager, shim, previous, location.commonDir);
  for (const action of result.actions) upsertAction(actions, action);
  lines.push(...result.messages);
  await ensureLfHookFiles(location, result.actions, actions, lines);
  if (manager.kind === 'pre-commit' || manager.kind === 'lefthook') {
    // these managers write git's hook files themselves, only when their own install runs: until then a hook is not reachable
    const missing = (await missingHookFiles(location.root)).filter((hook) => !result.pending.includes(hook));
    if (missing.length) {
      lines.push(`git does not run ${missing.join(', ')} yet: run ${managerInstallFix(manager.kind, missing)}`);
      result.pending.push(...missing);
    }
  }
  if (result.pending.length) warnings.push(`not active yet: ${result.pending.join(', ')} (see the instructions above)`);
  else lines.push(`hooks: pre-commit, pre-merge-commit and pre-push run dbsafe-hooks when migrations matching ${pathspecs.join(' ')} are involved`);

  const manifest: InstallManifest = {
    tool: 'dbsafe-hooks',
    version: previous?.version ?? VERSION,
    manager: manager.kind,
    packageDir: location.packageDir,
    pathspecs,
    actions,
  };
  if (actions.length) writeManifest(location.commonDir, manifest);
  // for linked worktrees, which have no node_modules of their own (install/shim.ts findCliLines)
  const cli = path.join(location.root, shim.binPath);
  if (actions.length && existsSync(cli)) writeAtomic(path.join(location.commonDir, CLI_RECORD), `${cli}\n`);
  return { installed: result.pending.length === 0, lines, warnings };
}

async function ensureConfig(
  location: Location,
  configPath: string | undefined,
  actions: InstallAction[],
  lines: string[],
) {
  const loaded = await loadConfig(location.packageRoot, location.root, configPath);
  if (loaded.filepath) {
    lines.push(`config: ${path.relative(location.root, loaded.filepath) || loaded.filepath}`);
    return loaded.config;
  }
  const file = path.join(location.packageRoot, '.dbsaferc.json');
  const proposed = await proposeMigrationSets(location.root, location.packageDir);
  const text = configText(proposed);
  const config = parseConfig(JSON.parse(text), file);
  writeAtomic(file, text);
  upsertAction(actions, { type: 'config-file', path: file, sha256: sha256(text) });
  lines.push(
    `config: created ${path.relative(location.root, file)}` +
      (proposed.length ? ` with migrations found in ${proposed.flatMap((s) => s.glob).join(', ')}` : ' (no migration directory found: edit "migrations")'),
  );
  return config;
}

async function ensureGitignore(location: Location, backupDir: string, actions: InstallAction[], lines: string[]): Promise<void> {
  const file = path.join(location.root, '.gitignore');
  const wanted = ['.dbsafe/'];
  const normalized = backupDir.replace(/^\.\//, '').replace(/\/+$/, '');
  if (!normalized.startsWith('.dbsafe/') && normalized !== '.dbsafe') wanted.push(`/${normalized}/`);
  const missing: string[] = [];
  for (const entry of wanted) {
    const probe = `${entry.replace(/^\//, '').replace(/\/$/, '')}/probe`;
    const { code } = await execGit(['check-ignore', '-q', '--no-index', '--', probe], { cwd: location.root, okCodes: [1] });
    if (code !== 0) missing.push(entry);
  }
  if (!missing.length) return;
  appendLines('gitignore', file, missing, actions);
  lines.push(`.gitignore: added ${missing.join(', ')}`);
}

/**
 * Hook scripts that live in the repository (husky's `.husky/*`, a local core.hooksPath directory) are
 * committed: a Windows checkout with core.autocrlf=true would give them CRLF line endings, on which sh
 * fails (git's core.autocrlf rewrites them to CRLF in a Windows checkout). `<file> text eol=lf` in .gitattributes keeps them LF in every checkout.
 */
async function ensureLfHookFiles(location: Location, written: InstallAction[], actions: InstallAction[], lines: string[]): Promise<void> {
  const inRepository = written
    .filter((action) => action.type === 'block' || action.type === 'hook-file')
    .map((action) => path.relative(location.root, action.path).split(path.sep).join('/'))
    .filter((rel) => rel !== '' && !rel.startsWith('../') && !rel.startsWith('.git/'))
    // a path with blanks or quotes cannot be written as a plain pattern (doctor still reports CRLF there)
    .filter((rel) => !/[\s"]/.test(rel));
  const missing: string[] = [];
  for (const rel of inRepository) {
    // `git check-attr eol -- <path>`: "<path>: eol: lf" when some rule already says so
    const { stdout } = await execGit(['check-attr', 'eol', '--', rel], { cwd: location.root });
    if (!/: eol: lf\s*$/.test(stdout.toString('utf8'))) missing.push(`/${rel.replace(/([*?[\\#!])/g, '\\$1')} text eol=lf`);
  }
  if (!missing.length) return;
  appendLines('gitattributes', path.join(location.root, '.gitattributes'), missing, actions);
  lines.push(`.gitattributes: hook scripts kept LF in every checkout (${missing.length} line(s))`);
}

/** Append lines to a text file and record them (merged with an earlier run's) for uninstall. */
function appendLines(type: 'gitignore' | 'gitattributes', file: string, added: string[], actions: InstallAction[]): void {
  const current = readText(file);
  const prefix = current === undefined || current === '' || current.endsWith('\n') ? current ?? '' : `${current}\n`;
  writeAtomic(file, `${prefix}${added.join('\n')}\n`);
  const before = actions.find((a) => a.type === type && a.path === file);
  const recorded = before && before.type === type ? before : undefined;
  upsertAction(actions, {
    type,
    path: file,
    lines: [...new Set([...(recorded?.lines ?? []), ...added])],
    createdFile: recorded?.createdFile ?? current === undefined,
  });
}
