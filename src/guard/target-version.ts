/**
 * Commands that migrate to a version the person names: forward when it is the newest, a rollback when it is
 * older (`rails db:migrate VERSION=20240101000000`, `VERSION=0 rails db:migrate`, golang-migrate `goto 3`, Django
 * `manage.py migrate shop 0003`): every later migration is reverted, and a down migration drops what its up
 * created. Which one it is shows in the migration files: the version named against the newest file. When the
 * files cannot be found or the version cannot be read, nobody can tell here: unsure (counted as destructive).
 */
import { readdirSync, type Dirent } from 'node:fs';
import path from 'node:path';
import type { SimpleCommand } from './parse-command.js';

export type TargetVersionKind = 'rails' | 'golang-migrate' | 'django';

export interface TargetVerdict {
  /** What migrating there reverts (`reverts 2 migrations after 20240101000000: …`); absent when it goes forward. */
  reverts?: string[];
  /** Why it cannot be told. */
  unsure?: string;
}

/** Directories never searched for a Django app (big, and never an app of the project). */
const SKIPPED = new Set(['node_modules', '.git', '.venv', 'venv', 'env', '__pycache__', 'site-packages', 'dist', 'build']);
const MAX_DEPTH = 4;

export function targetVersionVerdict(kind: TargetVersionKind, command: SimpleCommand, cwd: string): TargetVerdict {
  if (kind === 'rails') return rails(command, cwd);
  if (kind === 'golang-migrate') return golangMigrate(command, cwd);
  return django(command, cwd);
}

/** `rails db:migrate VERSION=…` (or `VERSION=… rails db:migrate`): the files of db/migrate (and db/<name>_migrate). */
function rails(command: SimpleCommand, cwd: string): TargetVerdict {
  const words = [...command.assignments, ...command.argv.slice(1)];
  const at = words.findIndex((word) => word.startsWith('VERSION='));
  if (at === -1) return {};
  const dynamic = at < command.assignments.length ? /[$`]/.test(words[at]!) : command.dynamic[at - command.assignments.length + 1];
  if (dynamic) return { unsure: 'its VERSION is only known when it runs' };
  const target = words[at]!.slice('VERSION='.length);
  if (!/^\d+$/.test(target)) return { unsure: `VERSION=${target} is not a migration version` };
  if (/^0+$/.test(target)) return { reverts: ['VERSION=0 reverts every migration'] };
  const dirs = listDir(path.join(cwd, 'db'))
    .filter((entry) => entry.isDirectory() && /^(?:\w+_)?migrate$/.test(entry.name))
    .map((entry) => path.join(cwd, 'db', entry.name));
  const files = dirs.flatMap((dir) => listDir(dir).map((entry) => entry.name)).filter((name) => /^\d+_\w+\.rb$/.test(name));
  if (!files.length) return { unsure: `no migration file in db/migrate tells whether VERSION=${target} is older than the newest` };
  return later(files.map((name) => ({ version: BigInt(name.slice(0, name.indexOf('_'))), name })), BigInt(target), `VERSION=${target}`);
}

/** golang-migrate `goto V`: the files of `-path dir` or `-source file://dir`. */
function golangMigrate(command: SimpleCommand, cwd: string): TargetVerdict {
  const args = command.argv.slice(1);
  const at = args.indexOf('goto');
  const target = args[at + 1];
  if (target === undefined || command.dynamic[at + 2]) return { unsure: 'the version of goto is only known when it runs' };
  if (!/^\d+$/.test(target)) return { unsure: `goto ${target}: not a migration version` };
  const source = optionValue(args, ['-path', '--path']) ?? optionValue(args, ['-source', '--source'])?.replace(/^file:\/\//, '');
  if (source === undefined || /^[a-z][\w+.-]*:\/\//i.test(source)) return { unsure: `its migrations are not in a folder given with -path or -source file://, so goto ${target} cannot be compared with the newest` };
  const files = listDir(path.resolve(cwd, source)).map((entry) => entry.name).filter((name) => /^\d+_.*\.up\.\w+$/.test(name));
  if (!files.length) return { unsure: `no migration file in ${source} tells whether goto ${target} is older than the newest` };
  return later(files.map((name) => ({ version: BigInt(name.slice(0, name.indexOf('_'))), name })), BigInt(target), `goto ${target}`);
}

/** Django `migrate <app> <migration>` (a unique prefix of its name): the app's migrations folder. */
function django(command: SimpleCommand, cwd: string): TargetVerdict {
  const args = command.argv.slice(command.argv.findIndex((word) => word === 'migrate') + 1);
  // --plan and --check change nothing; --fake marks migrations without running them
  if (args.some((arg) => ['--plan', '--check', '--fake'].includes(arg))) return {};
  const positional: string[] = [];
  for (let i = 0; i < args.length; i++) {
    const arg = args[i]!;
    if (['--database', '--settings', '--pythonpath', '--verbosity', '-v'].includes(arg)) i++;
    else if (!arg.startsWith('-')) positional.push(arg);
  }
  const [app, name] = positional;
  // without a migration it goes forward; `zero` is its own row of the table
  if (!app || !name || name === 'zero') return {};
  const dir = findAppMigrations(cwd, app, 0);
  if (!dir) return { unsure: `the migrations folder of the app ${app} was not found, so ${name} cannot be compared with its newest migration` };
  const names = listDir(dir)
    .map((entry) => entry.name)
    .filter((file) => file.endsWith('.py') && file !== '__init__.py')
    .map((file) => file.slice(0, -3))
    .sort();
  const matching = names.filter((migration) => migration.startsWith(name));
  if (matching.length !== 1) return { unsure: `${name} names ${matching.length ? 'more than one' : 'no'} migration of the app ${app}` };
  const reverted = names.filter((migration) => migration > matching[0]!);
  return reverted.length ? { reverts: [revertsLine(reverted, `${app} ${matching[0]}`)] } : {};
}

function later(files: Array<{ version: bigint; name: string }>, target: bigint, written: string): TargetVerdict {
  const reverted = files.filter((file) => file.version > target).map((file) => file.name).sort();
  return reverted.length ? { reverts: [revertsLine(reverted, written)] } : {};
}

function revertsLine(reverted: string[], after: string): string {
  const shown = reverted.slice(-3).join(', ');
  return `reverts the ${reverted.length} migration${reverted.length === 1 ? '' : 's'} after ${after} (${reverted.length > 3 ? '…, ' : ''}${shown})`;
}

/** `-path dir` or `-path=dir`. */
function optionValue(args: readonly string[], names: string[]): string | undefined {
  for (let i = 0; i < args.length; i++) {
    const arg = args[i]!;
    if (names.includes(arg)) return args[i + 1];
    const eq = names.find((name) => arg.startsWith(`${name}=`));
    if (eq) return arg.slice(eq.length + 1);
  }
  return undefined;
}

/** `<…>/<app>/migrations` under `dir`, a few levels deep. */
function findAppMigrations(dir: string, app: string, depth: number): string | undefined {
  const entries = listDir(dir).filter((entry) => entry.isDirectory() && !SKIPPED.has(entry.name) && !entry.name.startsWith('.'));
  const own = entries.find((entry) => entry.name === app);
  if (own && listDir(path.join(dir, app)).some((entry) => entry.isDirectory() && entry.name === 'migrations')) return path.join(dir, app, 'migrations');
  if (depth >= MAX_DEPTH) return undefined;
  for (const entry of entries) {
    const found = findAppMigrations(path.join(dir, entry.name), app, depth + 1);
    if (found) return found;
  }
  return undefined;
}

function listDir(dir: string): Dirent[] {
  try {
    return readdirSync(dir, { withFileTypes: true });
  } catch {
    return [];
  }
}
