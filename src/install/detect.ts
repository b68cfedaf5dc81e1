import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { execGit } from '../git/exec-git.js';
import type { Location } from './locate.js';

/** The hook managers we integrate with, in the order "first found wins" (spec/hooks.md step 2). */
export type Manager =
  | { kind: 'husky'; version: '9' | '5-8'; dir: string }
  | { kind: 'husky-v4'; packageJson: string }
  | { kind: 'lefthook'; file: string }
  | { kind: 'pre-commit'; file: string }
  | { kind: 'simple-git-hooks'; file: string }
  | { kind: 'hooks-path'; dir: string; scope: string }
  | { kind: 'plain'; dir: string };

export interface HooksPathSetting {
  value: string;
  /** local | global | system | worktree | command */
  scope: string;
  /** Absolute directory it resolves to (relative values are relative to the work tree root). */
  resolved: string;
}

/** Every core.hooksPath setting, lowest precedence first (the last one wins). */
export async function hooksPathSettings(cwd: string, root: string): Promise<HooksPathSetting[]> {
  const { stdout, code } = await execGit(['config', '--show-scope', '--get-all', 'core.hooksPath'], { cwd, okCodes: [1] });
  if (code !== 0) return [];
  return stdout
    .toString('utf8')
    .split('\n')
    .filter(Boolean)
    .map((line) => {
      const tab = line.indexOf('\t');
      const scope = line.slice(0, tab);
      const value = line.slice(tab + 1);
      const expanded = value.startsWith('~/') ? path.join(process.env.HOME ?? '', value.slice(2)) : value;
      return { scope, value, resolved: path.resolve(root, expanded) };
    });
}

const LEFTHOOK_FILES = ['lefthook', '.lefthook', '.config/lefthook'].flatMap((base) =>
  ['yml', 'yaml', 'json', 'jsonc', 'toml'].map((ext) => `${base}.${ext}`),
);

function readPackageJson(file: string): Record<string, unknown> | undefined {
  try {
    return JSON.parse(readFileSync(file, 'utf8')) as Record<string, unknown>;
  } catch {
    return undefined;
  }
}

/** All managers found, first = the one install integrates through. */
export async function detectManagers(location: Location): Promise<{ managers: Manager[]; hooksPath?: HooksPathSetting }> {
  const { root, packageRoot, commonDir } = location;
  const settings = await hooksPathSettings(root, root);
  const hooksPath = settings[settings.length - 1];
  const managers: Manager[] = [];
  const dirs = [...new Set([packageRoot, root])];

  const huskyDir = (dir: string) => path.join(dir, '.husky');
  if (hooksPath && /(^|[\\/])\.husky[\\/]_[\\/]?$/.test(hooksPath.value)) {
    managers.push({ kind: 'husky', version: '9', dir: path.dirname(hooksPath.resolved) });
  } else if (hooksPath && /(^|[\\/])\.husky[\\/]?$/.test(hooksPath.value)) {
    managers.push({ kind: 'husky', version: '5-8', dir: hooksPath.resolved });
  } else {
    for (const dir of dirs) {
      if (existsSync(path.join(huskyDir(dir), '_', 'h'))) {
        managers.push({ kind: 'husky', version: '9', dir: huskyDir(dir) });
        break;
      }
    }
  }
  for (const dir of dirs) {
    const pkg = readPackageJson(path.join(dir, 'package.json'));
    const husky = pkg?.husky as { hooks?: unknown } | undefined;
    if (husky && typeof husky === 'object' && husky.hooks) managers.push({ kind: 'husky-v4', packageJson: path.join(dir, 'package.json') });
  }
  for (const dir of dirs) {
    const file = LEFTHOOK_FILES.map((name) => path.join(dir, name)).find((candidate) => existsSync(candidate));
    if (file) {
      managers.push({ kind: 'lefthook', file });
      break;
    }
  }
  const preCommit = path.join(root, '.pre-commit-config.yaml');
  if (existsSync(preCommit)) managers.push({ kind: 'pre-commit', file: preCommit });
  for (const dir of dirs) {
    const pkgFile = path.join(dir, 'package.json');
    const pkg = readPackageJson(pkgFile);
    const own = ['.simple-git-hooks.cjs', '.simple-git-hooks.js', '.simple-git-hooks.mjs', '.simple-git-hooks.json', 'simple-git-hooks.cjs', 'simple-git-hooks.js', 'simple-git-hooks.mjs', 'simple-git-hooks.json']
      .map((name) => path.join(dir, name))
      .find((candidate) => existsSync(candidate));
    if (pkg && pkg['simple-git-hooks']) {
      managers.push({ kind: 'simple-git-hooks', file: pkgFile });
      break;
    }
    if (own) {
      managers.push({ kind: 'simple-git-hooks', file: own });
      break;
    }
  }
  if (hooksPath && !managers.some((m) => m.kind === 'husky')) {
    managers.push({ kind: 'hooks-path', dir: hooksPath.resolved, scope: hooksPath.scope });
  }
  managers.push({ kind: 'plain', dir: path.join(commonDir, 'hooks') });
  return { managers, hooksPath };
}

export function describeManager(manager: Manager): string {
  switch (manager.kind) {
    case 'husky':
      return `husky ${manager.version === '9' ? 'v9' : 'v5-8'} (${manager.dir})`;
    case 'husky-v4':
      return `husky v4 (${manager.packageJson} "husky.hooks")`;
    case 'lefthook':
      return `lefthook (${manager.file})`;
    case 'pre-commit':
      return `the pre-commit framework (${manager.file})`;
    case 'simple-git-hooks':
      return `simple-git-hooks (${manager.file})`;
    case 'hooks-path':
      return `core.hooksPath set in ${manager.scope} config (${manager.dir})`;
    case 'plain':
      return `plain git hooks (${manager.dir})`;
  }
}
