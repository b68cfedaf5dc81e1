import { readFileSync } from 'node:fs';
import path from 'node:path';
import { redactCommandLine } from '../backup/redact.js';
import { OPERATION_KINDS, type OperationKind } from '../model/operation.js';
import { ACTING_CALL } from '../sql/pg-ops.js';
import { DESTRUCTIVE_COMMANDS, rowMatchesArgs, rowNamesProgram, type CommandRow } from './commands.js';
import { parseCommandLine, type Redirect, type SimpleCommand } from './parse-command.js';
import { justRecipes, makeRecipes } from './task-runners.js';

/**
 * A command (a shell line or an argv) → the destructive database commands it would run. Wrappers
 * are looked through (`env X=1`, `sudo`, `sh -c '…'`, `bash -lc`, `npx`, `pnpm exec`, `yarn`,
 * `bunx`, `uvx`, `pipx run`, `xargs` (with the items it reads), `watch`, `flock`, `parallel`, `npm run <script>` read from package.json, `bundle exec`, `python manage.py`, `docker
 * exec`, `dbsafe-hooks guard --` …). What cannot be read with certainty is `unsure`: the guard treats
 * it as destructive and shows the reason.
 */

export interface Match {
  row: CommandRow;
  /** The command that matched, as written after unwrapping (`prisma migrate reset --force`). */
  command: string;
  /** How it is reached: `npm run db:reset`, `sh -c`… (outermost first). */
  via: string[];
  /** What makes it destructive, when the command alone does not say: SQL clients' statements (`drop-table users`), the database files removed. */
  found?: string[];
}

export interface Classification {
  destructive: boolean;
  matches: Match[];
  /** Why the command cannot be read with certainty (each makes it count as destructive). */
  unsure: string[];
  /** dbsafe-hooks commands that approve or waive (an agent may never run them). */
  selfApproval: string[];
}

export interface ClassifyContext {
  /** Where the command runs: package.json scripts and SQL files are read relative to it. */
  cwd: string;
  /** Extra rows (the `guard.commands` configuration). */
  extraRows?: readonly CommandRow[];
}

/** Operation kinds that destroy data or schema: every drop, TRUNCATE, DELETE / UPDATE of every row. */
const DESTRUCTIVE_KINDS = new Set<OperationKind>(OPERATION_KINDS.filter((kind) => kind.startsWith('drop-') || kind === 'truncate' || kind === 'delete-all' || kind === 'update-all'));

const MAX_DEPTH = 8;

/** Classify a shell command line. */
export async function classifyLine(line: string, context: ClassifyContext): Promise<Classification> {
  const parsed = parseCommandLine(line);
  const state = newState(context);
  state.unsure.push(...parsed.unsure);
  for (const command of parsed.commands) {
    await redirectsOntoDatabases(command, [], state);
    await visit(command, [], 0, state);
  }
  return finish(state);
}

/** Classify an argv run without a shell (`guard -- prisma migrate reset`). */
export async function classifyArgv(argv: readonly string[], context: ClassifyContext): Promise<Classification> {
  const state = newState(context);
  await visit({ argv: [...argv], assignments: [], dynamic: argv.map(() => false), redirects: [] }, [], 0, state);
  return finish(state);
}

interface State {
  context: ClassifyContext;
  rows: readonly CommandRow[];
  matches: Match[];
  unsure: string[];
  selfApproval: string[];
  scripts?: Record<string, string> | null;
}

function newState(context: ClassifyContext): State {
  return { context, rows: [...DESTRUCTIVE_COMMANDS, ...(context.extraRows ?? [])], matches: [], unsure: [], selfApproval: [] };
}

function finish(state: State): Classification {
  // what is shown and logged never carries a password (a URL's, or a PGPASSWORD=… before the program)
  const unsure = [...new Set(state.unsure.map(redactCommandLine))];
  return { destructive: state.matches.length > 0 || unsure.length > 0 || state.selfApproval.length > 0, matches: state.matches, unsure, selfApproval: state.selfApproval };
}

/** A command with its words, after the wrapper in front of it was taken off. */
function rest(command: SimpleCommand, from: number): SimpleCommand {
  return { ...command, argv: command.argv.slice(from), dynamic: command.dynamic.slice(from) };
}

async function visitLine(line: string, via: string[], depth: number, state: State): Promise<void> {
  if (depth > MAX_DEPTH) {
    state.unsure.push(`${via.join(' → ')}: nested too deeply to read`);
    return;
  }
  const parsed = parseCommandLine(line, depth);
  state.unsure.push(...parsed.unsure.map((reason) => `${via.join(' → ')}: ${reason}`));
  for (const command of parsed.commands) {
    await redirectsOntoDatabases(command, via, state);
    await visit(command, via, depth + 1, state);
  }
}

// what removes or empties database files (and picomatch for their globs): loaded only for such a command
let databaseFiles: Promise<typeof import('./database-files.js')> | undefined;
const loadDatabaseFiles = () => (databaseFiles ??= import('./database-files.js'));
let targetVersion: Promise<typeof import('./target-version.js')> | undefined;
const loadTargetVersion = () => (targetVersion ??= import('./target-version.js'));

/** `> dev.db` empties the database file whatever the program (read once per parsed command, not per wrapper). */
async function redirectsOntoDatabases(command: SimpleCommand, via: string[], state: State): Promise<void> {
  if (!command.redirects.some((redirect) => redirect.op.includes('>'))) return;
  const found = (await loadDatabaseFiles()).overwrittenByRedirects(command.redirects);
  const row = state.rows.find((candidate) => candidate.databaseFile);
  if (found.length && row) state.matches.push({ row, command: shown(command.argv), via, found });
}

async function visit(command: SimpleCommand, via: string[], depth: number, state: State): Promise<void> {
  if (depth > MAX_DEPTH) {
    state.unsure.push(`${[...via, shown(command.argv)].join(' → ')}: nested too deeply to read`);
    return;
  }
  if (command.argv.length === 0) return;
  if (command.dynamic[0]) {
    state.unsure.push(`the program is only known when the command runs: ${command.argv[0]}`);
    return;
  }
  // the program's name as the rows write it: without a package runner's version spec (`npx supabase@latest`,
  // `bunx prisma@5`), a Windows launcher's extension (`prisma.cmd`), or capitals (`Supabase` on a
  // case-insensitive file system runs supabase)
  const program = path
    .basename(command.argv[0]!)
    .replace(/(?<=.)@[^/@]*$/, '')
    .replace(/\.(?:exe|cmd|bat|ps1)$/i, '')
    .toLowerCase();
  const args = command.argv.slice(1);
  const next = (from: number, label = program) => visit(rest(command, from), [...via, label], depth + 1, state);
  const optionEnd = (options: OptionSpec) => skipOptions(args, options) + 1;

  switch (program) {
    case 'env': {
      let index = 1;
      while (index < command.argv.length) {
        const word = command.argv[index]!;
        if (word === '-S' || word === '--split-string') return visitLine(command.argv.slice(index + 1).join(' '), [...via, 'env -S'], depth, state);
        if (word.startsWith('-S')) return visitLine([word.slice(2), ...command.argv.slice(index + 1)].join(' '), [...via, 'env -S'], depth, state);
        if (['-u', '--unset', '-C', '--chdir'].includes(word)) index += 2;
        else if (word === '--') {
          index++;
          break;
        } else if (word.startsWith('-') || /^[A-Za-z_][A-Za-z0-9_]*=/.test(word)) index++;
        else break;
      }
      return next(index);
    }
    case 'sudo':
    case 'doas':
      return next(optionEnd({ withValue: ['-u', '-g', '-h', '-p', '-C', '-D', '-r', '-t', '-U', '--user', '--group'] }));
    case 'nohup':
    case 'time':
    case 'exec':
    case 'command':
    case 'builtin':
    case 'nice':
    case 'ionice':
    case 'stdbuf':
    case 'chronic':
      return next(optionEnd({ withValue: ['-n', '-a', '-c', '-i', '-o', '-e', '--adjustment'] }));
    case 'timeout': {
      const index = optionEnd({ withValue: ['-s', '--signal', '-k', '--kill-after'] });
      return next(index + 1); // the duration
    }
    case 'xargs':
      return visitXargs(command, via, depth, state);
    case 'watch': {
      // `watch [-n 2] cmd args…` runs the words as a shell line (`-x`: as a command)
      const index = optionEnd({ withValue: ['-n', '--interval', '-q', '--equexit'] });
      if (args.some((arg) => arg === '-x' || arg === '--exec')) return next(index);
      return visitLine(command.argv.slice(index).join(' '), [...via, 'watch'], depth, state);
    }
    case 'flock': {
      // `flock [-w 5] <lockfile> cmd…` or `flock -c 'cmd' <lockfile>`
      const inline = args.findIndex((arg) => arg === '-c' || arg === '--command');
      if (inline >= 0 && args[inline + 1] !== undefined) return visitLine(args[inline + 1]!, [...via, 'flock -c'], depth, state);
      return next(optionEnd({ withValue: ['-w', '--timeout', '-E', '--conflict-exit-code'] }) + 1);
    }
    case 'parallel':
      return visitParallel(command, via, depth, state);
    case 'make':
    case 'gmake':
    case 'just': {
      // the recipes it would run, read from the Makefile / justfile (task-runners.ts)
      const recipes = program === 'just' ? justRecipes(state.context.cwd, args) : makeRecipes(state.context.cwd, args);
      if (!recipes) return;
      if ('unsure' in recipes) return void state.unsure.push(`${shown(command.argv)}: ${recipes.unsure}`);
      for (const line of recipes.lines) await visitLine(line, [...via, shown(command.argv)], depth, state);
      return;
    }
    case 'sh':
    case 'bash':
    case 'zsh':
    case 'dash':
    case 'ksh':
    case 'ash':
      return visitShell(command, program, via, depth, state);
    case 'script': {
      // util-linux `script -c 'cmd'` runs the command in a pseudo-terminal
      const index = args.findIndex((arg) => arg === '-c' || arg === '--command' || /^-[a-zA-Z]*c$/.test(arg));
      if (index >= 0 && args[index + 1] !== undefined) return visitLine(args[index + 1]!, [...via, 'script -c'], depth, state);
      const inline = args.find((arg) => arg.startsWith('--command='));
      if (inline) return visitLine(inline.slice('--command='.length), [...via, 'script -c'], depth, state);
      return;
    }
    case 'eval':
      return visitLine(args.join(' '), [...via, 'eval'], depth, state);
    case 'npx':
    case 'bunx':
    case 'pnpx': {
      const inline = args.findIndex((arg) => arg === '-c' || arg === '--call');
      if (inline >= 0 && args[inline + 1] !== undefined) return visitLine(args[inline + 1]!, [...via, `${program} -c`], depth, state);
      return next(optionEnd({ withValue: ['-p', '--package', '--cache', '--userconfig'] }));
    }
    case 'uvx':
      return next(optionEnd({ withValue: ['--from', '--with', '--python', '-p', '--index-url', '--with-requirements'] }));
    case 'pipx': {
      // `pipx run [--spec pkg] <app> …`; its other verbs install and list
      if (args[0] !== 'run') return;
      const index = skipOptions(args.slice(1), { withValue: ['--spec', '--python', '--index-url', '--pip-args'] });
      return next(index + 2, 'pipx run');
    }
    case 'npm':
      return visitPackageManager(command, 'npm', via, depth, state);
    case 'pnpm':
      return visitPackageManager(command, 'pnpm', via, depth, state);
    case 'yarn':
      return visitPackageManager(command, 'yarn', via, depth, state);
    case 'bun':
      return visitPackageManager(command, 'bun', via, depth, state);
    case 'bundle':
    case 'poetry':
    case 'pipenv':
    case 'pdm':
    case 'uv':
    case 'hatch':
    case 'rye': {
      const index = args.findIndex((arg) => arg === 'exec' || arg === 'run');
      if (index >= 0) return next(index + 2, `${program} ${args[index]}`);
      return;
    }
    case 'dotenv':
    case 'cross-env':
    case 'doppler':
    case 'op':
    case 'infisical':
    case 'with-env': {
      const dashes = args.indexOf('--');
      if (dashes >= 0) return next(dashes + 2);
      let index = 1;
      if (program === 'doppler' || program === 'op' || program === 'infisical') {
        if (args[0] !== 'run') return;
        index = 2;
      }
      while (index < command.argv.length && (command.argv[index]!.startsWith('-') || /^[A-Za-z_][A-Za-z0-9_]*=/.test(command.argv[index]!))) {
        index += ['-e', '-c', '-v', '--env-file'].includes(command.argv[index]!) ? 2 : 1;
      }
      return next(index);
    }
    case 'docker':
    case 'podman':
    case 'docker-compose':
      return visitContainer(command, program, via, depth, state);
    case 'python':
    case 'python3':
    case 'py': {
      // `python manage.py flush` runs manage.py; `python -m django flush` runs django-admin
      for (let index = 0; index < args.length; index++) {
        const arg = args[index]!;
        if (arg === '-c') return inlineCode(program, '-c', args[index + 1], via, state);
        if (arg === '-m') {
          const module = args[index + 1] === 'django' ? 'django-admin' : args[index + 1];
          if (module === undefined) return;
          const tail = rest(command, index + 2);
          return visit({ ...tail, argv: [module, ...tail.argv.slice(1)] }, [...via, `${program} -m`], depth + 1, state);
        }
        if (arg === '-W' || arg === '-X') index++;
        else if (!arg.startsWith('-')) return next(index + 1);
      }
      return;
    }
    case 'php': {
      const inline = args.indexOf('-r');
      if (inline >= 0) return inlineCode(program, '-r', args[inline + 1], via, state);
      return next(skipOptions(args, { withValue: ['-d', '-c'] }) + 1);
    }
    case 'node':
    case 'nodejs':
    case 'ruby':
    case 'perl':
    case 'deno': {
      // inline code: `node -e`, `ruby -e`, `perl -E`, `deno eval`; a script file is run like any program
      const flag = args.find((arg) => INLINE_CODE_FLAGS.has(arg) || (program === 'deno' && arg === 'eval'));
      if (flag) return inlineCode(program, flag, args[args.indexOf(flag) + 1], via, state);
      break;
    }
    case 'dbsafe-hooks':
      return visitSelf(command, via, depth, state);
    case 'rails': {
      // `rails runner '…'` (or a script file) runs Ruby with the app's models and connection
      if (args[0] !== 'runner' && args[0] !== 'r') break;
      const code = args[1 + skipOptions(args.slice(1), { withValue: ['-e', '--environment'] })];
      return inlineCode(program, args[0], code === undefined ? undefined : (readRelative(state.context.cwd, code) ?? code), via, state);
    }
    case 'manage.py':
    case 'django-admin': {
      // `manage.py shell -c '…'` (or code on stdin) runs Python with the project's models
      if (args[0] !== 'shell') break;
      const flag = args.findIndex((arg) => arg === '-c' || arg === '--command');
      if (flag >= 0) return inlineCode(program, 'shell -c', args[flag + 1], via, state);
      const inlineFlag = args.find((arg) => arg.startsWith('--command='));
      if (inlineFlag) return inlineCode(program, 'shell -c', inlineFlag.slice('--command='.length), via, state);
      const stdin = await stdinText(command, state);
      if (stdin.kind === 'text') return inlineCode(program, 'shell <', stdin.text, via, state);
      if (stdin.kind !== 'none') state.unsure.push(`${shown(command.argv)}: Python code on stdin that cannot be read here`);
      return;
    }
    default:
      break;
  }
  await matchRows(command, program, via, state);
}

interface OptionSpec {
  /** Options that take the next word as their value. */
  withValue: string[];
}

/** Index (into args) of the first word that is not an option of the wrapper. */
function skipOptions(args: readonly string[], spec: OptionSpec): number {
  let index = 0;
  while (index < args.length) {
    const arg = args[index]!;
    if (arg === '--') return index + 1;
    if (!arg.startsWith('-') || arg === '-') return index;
    index += spec.withValue.includes(arg) ? 2 : 1;
  }
  return index;
}

const INLINE_CODE_FLAGS = new Set(['-e', '-E', '-p', '--eval', '--print']);

/**
 * Inline code (`python -c`, `node -e`, `ruby -e`, `perl -e`, `php -r`, `deno eval`) is a program of its own that
 * the guard cannot run in its head. Code that mentions nothing a database command needs passes (agents
 * run `python3 -c "import json…"` all day); code that mentions a known destructive tool, SQL that destroys,
 * a database client library or a way to start another program is unsure: treated as destructive, with why.
 */
function inlineCode(program: string, flag: string, code: string | undefined, via: string[], state: State): void {
  if (code === undefined) return;
  const tools = state.rows.flatMap((row) => row.pattern.split(' ')[0]!.split('|'));
  const mentioned = INLINE_CODE_RISK.exec(code)?.[0] ?? tools.find((tool) => new RegExp(`\\b${tool.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}\\b`).test(code));
  if (mentioned) state.unsure.push(`${[...via, `${program} ${flag}`].join(' → ')}: inline code that mentions \`${mentioned}\` cannot be read with certainty`);
}

/** What inline code must mention to touch a database: destructive SQL, a client library, or another program. */
const INLINE_CODE_RISK =
  /\b(?:drop|truncate|delete\s+from|alter\s+table|flush|reset_db|drop_all|dropdb|sqlite3|psycopg2?|pymysql|mysqldb|sqlalchemy|pg|mysql2?|knex|sequelize|typeorm|prisma|ActiveRecord|DBI|PDO|mysqli|subprocess|os\.system|popen|child_process|execSync|spawnSync|exec|system|spawn|Deno\.Command|delete_all|destroy_all|delete_by|destroy_by|deleteMany|execute|connection|cursor|objects)\b|%x[({[]|\.(?:delete|destroy)\b/i;

async function visitShell(command: SimpleCommand, program: string, via: string[], depth: number, state: State): Promise<void> {
  const args = command.argv.slice(1);
  for (let index = 0; index < args.length; index++) {
    const arg = args[index]!;
    if (arg === '--') break;
    if (/^-[a-zA-Z]*c[a-zA-Z]*$/.test(arg)) {
      const script = args[index + 1];
      if (script === undefined) return;
      if (command.dynamic[index + 2]) {
        state.unsure.push(`${program} -c runs a script only known when it runs: ${script}`);
        return;
      }
      return visitLine(script, [...via, `${program} ${arg}`], depth, state);
    }
    if (arg === '-o' || arg === '+o' || arg === '-O' || arg === '+O') index++;
    else if (!arg.startsWith('-') && !arg.startsWith('+')) {
      // `bash script.sh`: the script's commands run
      const text = readRelative(state.context.cwd, arg);
      if (text === undefined) state.unsure.push(`${program} runs ${arg}, which cannot be read`);
      else await visitLine(text, [...via, `${program} ${arg}`], depth, state);
      return;
    }
  }
  // a shell reading its commands from stdin
  const stdin = await stdinText(command, state);
  if (stdin.kind === 'text') await visitLine(stdin.text, [...via, program], depth, state);
  else if (stdin.kind === 'unknown') state.unsure.push(`${program} runs commands piped from \`${stdin.from}\`, which cannot be read here`);
}

/** npm / pnpm / yarn / bun: `run <script>`, `exec <bin>`, `dlx`, and bare `<script-or-bin>`. */
async function visitPackageManager(command: SimpleCommand, manager: string, via: string[], depth: number, state: State): Promise<void> {
  const args = command.argv.slice(1);
  // the manager's own options: before the verb, and between `run` and the script name
  const verbAt = args.findIndex((arg) => !arg.startsWith('-'));
  const runLike = verbAt >= 0 && ['run', 'run-script', 'rum', 'urn', 'test', 'start'].includes(args[verbAt]!);
  const nameAt = runLike ? args.findIndex((arg, position) => position > verbAt && !arg.startsWith('-')) : verbAt;
  const own = args.slice(0, nameAt >= 0 ? nameAt : args.length).filter((arg) => arg !== args[verbAt] || !runLike);
  if (own.some((option) => /^(?:-w|--workspace|--workspaces|--filter|-F|--dir|-C|--prefix|--cwd|-r|--recursive)$/.test(option) || /^(?:--workspace|--filter|--dir|--prefix|--cwd)=/.test(option))) {
    state.unsure.push(`${shown(command.argv)}: runs in other workspace packages, whose scripts are not read here`);
    return;
  }
  let index = 0;
  while (index < args.length && args[index]!.startsWith('-')) index++;
  const verb = args[index];
  if (verb === undefined) return;
  const after = command.argv.slice(index + 2);
  const afterDynamic = command.dynamic.slice(index + 2);
  const label = `${manager} ${verb}`;
  const runBinary = (from: number) => {
    const words = command.argv.slice(index + 2 + from);
    return visit({ ...command, argv: words, dynamic: command.dynamic.slice(index + 2 + from) }, [...via, label], depth + 1, state);
  };
  if (['exec', 'x', 'dlx'].includes(verb)) return runBinary(skipOptions(after, { withValue: ['-p', '--package', '-c'] }));
  if (['run', 'run-script', 'rum', 'urn'].includes(verb)) {
    const scriptIndex = skipOptions(after, { withValue: [] });
    const name = after[scriptIndex];
    if (name === undefined) return;
    if (afterDynamic[scriptIndex]) {
      state.unsure.push(`${label} runs a script only known when it runs: ${name}`);
      return;
    }
    const found = await visitScript(name, manager, via, depth, state);
    // bun run / yarn run also run a binary or file of that name
    if (!found && manager !== 'npm') await runBinary(scriptIndex);
    return;
  }
  if (manager === 'npm') {
    if (['test', 't', 'start', 'stop', 'restart'].includes(verb)) {
      await visitScript(verb === 't' ? 'test' : verb, manager, via, depth, state);
    }
    return;
  }
  // pnpm <x>, yarn <x>, bun <x>: a script of that name, else a binary
  const found = await visitScript(verb, manager, via, depth, state);
  if (!found) await visit({ ...command, argv: args.slice(index), dynamic: command.dynamic.slice(index + 1) }, [...via, manager], depth + 1, state);
}

/** Run a package.json script (and npm's pre/post scripts). False when there is no such script. */
async function visitScript(name: string, manager: string, via: string[], depth: number, state: State): Promise<boolean> {
  const scripts = packageScripts(state);
  const body = scripts?.[name];
  if (typeof body !== 'string') return false;
  for (const hook of manager === 'npm' ? [`pre${name}`, name, `post${name}`] : [name]) {
    const text = scripts?.[hook];
    if (typeof text === 'string') await visitLine(text, [...via, `${manager} run ${hook}`], depth + 1, state);
  }
  return true;
}

/** The scripts of the nearest package.json at or above cwd (null when there is none). */
function packageScripts(state: State): Record<string, string> | null {
  if (state.scripts !== undefined) return state.scripts;
  let dir = path.resolve(state.context.cwd);
  for (;;) {
    const text = readRelative(dir, 'package.json');
    if (text !== undefined) {
      try {
        const scripts = (JSON.parse(text) as { scripts?: unknown }).scripts;
        state.scripts = scripts && typeof scripts === 'object' ? (scripts as Record<string, string>) : null;
      } catch {
        state.unsure.push(`${path.join(dir, 'package.json')} is not valid JSON: its scripts cannot be read`);
        state.scripts = null;
      }
      return state.scripts;
    }
    const parent = path.dirname(dir);
    if (parent === dir) return (state.scripts = null);
    dir = parent;
  }
}

/** `docker exec [opts] <container> <cmd…>`, `docker compose exec|run [opts] <service> <cmd…>`. */
async function visitContainer(command: SimpleCommand, program: string, via: string[], depth: number, state: State): Promise<void> {
  let args = command.argv.slice(1);
  let offset = 1;
  if (program !== 'docker-compose' && args[0] === 'compose') {
    args = args.slice(1);
    offset++;
  }
  const verb = args[0];
  // not a command run inside a container: the container tool's own verbs (`compose down -v`, `volume rm`)
  if (verb !== 'exec' && verb !== 'run') return matchRows(command, program, via, state);
  const withValue = ['-e', '--env', '-u', '--user', '-w', '--workdir', '--env-file', '--name', '-v', '--volume', '-p', '--publish', '--entrypoint', '--network', '--platform', '--index'];
  const index = skipOptions(args.slice(1), { withValue });
  const from = offset + 1 + index + 1; // past the verb, the options and the container / service
  await visit(rest(command, from), [...via, `${program} ${verb}`], depth + 1, state);
}

/**
 * `xargs [opts] cmd args…`: cmd runs with the items read from stdin (or `-a file`) appended, or put in place of
 * `-I R`'s R. Items known here (echo / printf / cat of a file / a here-string, `-a file`) are put in; items only
 * known when it runs are a word only known then, as `$VAR` is (`… | xargs supabase` is unsure, `… | xargs rm`
 * is judged like `rm "$f"`).
 */
async function visitXargs(command: SimpleCommand, via: string[], depth: number, state: State): Promise<void> {
  const args = command.argv.slice(1);
  // (`-i`, `-l`, `-e` and `--replace` take their value attached or none)
  const withValue = ['-I', '-L', '-n', '-P', '-s', '-d', '-E', '-a', '--arg-file', '--delimiter', '--max-args', '--max-procs', '--max-lines'];
  const index = skipOptions(args, { withValue });
  // an option's value: the next word, or attached (`-I{}`, `--replace={}`); `-i` / `--replace` alone mean {}
  const option = (short: string, long: string, alone?: string) => {
    for (let at = 0; at < index; at++) {
      const arg = args[at]!;
      if (arg === short || arg === long) return alone ?? args[at + 1];
      if (arg.startsWith(`${long}=`)) return arg.slice(long.length + 1);
      if (arg.startsWith(short) && arg.length > short.length) return arg.slice(short.length);
    }
    return undefined;
  };
  const replace = option('-I', '-I') ?? option('-i', '--replace', '{}');
  const file = option('-a', '--arg-file');
  const template = command.argv.slice(index + 1);
  const dynamic = command.dynamic.slice(index + 1);
  if (template.length === 0) return; // xargs runs echo
  let items: string | undefined;
  if (file !== undefined) items = readRelative(state.context.cwd, file);
  else {
    const stdin = await stdinText(command, state);
    items = stdin.kind === 'text' ? stdin.text : undefined;
  }
  const label = [...via, 'xargs'];
  if (items === undefined) {
    // what xargs adds is only known when it runs
    return visit({ ...command, argv: [...template, '…'], dynamic: [...dynamic, true], redirects: [] }, label, depth + 1, state);
  }
  if (replace !== undefined) {
    for (const line of items.split('\n').filter((item) => item.trim() !== '')) {
      await visit({ ...command, argv: template.map((word) => word.split(replace).join(line)), dynamic, redirects: [] }, label, depth + 1, state);
    }
    return;
  }
  const words = items.split(/\s+/).filter(Boolean);
  await visit({ ...command, argv: [...template, ...words], dynamic: [...dynamic, ...words.map(() => false)], redirects: [] }, label, depth + 1, state);
}

/** GNU `parallel [opts] [cmd…] ::: args…`: each argument is appended to cmd, or run as a command line when there is none. */
async function visitParallel(command: SimpleCommand, via: string[], depth: number, state: State): Promise<void> {
  const args = command.argv.slice(1);
  const separator = args.findIndex((arg) => arg === ':::' || arg === '::::');
  const index = skipOptions(args, { withValue: ['-j', '--jobs', '-S', '--sshlogin', '--joblog', '--results', '--delay', '--timeout', '-d', '--delimiter'] });
  const template = args.slice(index, separator === -1 ? args.length : separator);
  const label = [...via, 'parallel'];
  if (separator === -1 || args[separator] === '::::') {
    // the arguments come from stdin or files: only known when it runs
    state.unsure.push(`${shown(command.argv)}: parallel runs commands or arguments only known when it runs`);
    return;
  }
  for (const item of args.slice(separator + 1)) {
    if (template.length === 0) await visitLine(item, label, depth, state);
    else await visitLine([...template.map((word) => (word.includes('{}') ? word.split('{}').join(item) : word)), ...(template.some((word) => word.includes('{}')) ? [] : [item])].join(' '), label, depth, state);
  }
}

/** `dbsafe-hooks guard [--approve …] -- cmd`, `dbsafe-hooks waive …`. */
async function visitSelf(command: SimpleCommand, via: string[], depth: number, state: State): Promise<void> {
  const args = command.argv.slice(1);
  const verb = args.find((arg) => !arg.startsWith('-'));
  if (verb === 'waive') state.selfApproval.push(shown(command.argv));
  if (verb !== 'guard') return;
  const dashes = args.indexOf('--');
  const options = dashes >= 0 ? args.slice(0, dashes) : args;
  if (options.some((arg) => arg === '--approve' || arg.startsWith('--approve=') || arg === '--grant' || arg.startsWith('--grant='))) {
    state.selfApproval.push(shown(command.argv));
  }
  if (dashes >= 0) await visit(rest(command, dashes + 2), [...via, 'dbsafe-hooks guard'], depth + 1, state);
}

async function matchRows(command: SimpleCommand, program: string, via: string[], state: State): Promise<void> {
  const args = command.argv.slice(1);
  for (const row of state.rows) {
    if (!rowNamesProgram(row, program)) continue;
    if (row.sql) {
      // `prisma db execute`, `manage.py dbshell`: only that verb of the program is given SQL
      if (row.pattern.includes(' ') && !rowMatchesArgs(row, args)) continue;
      const found = await inlineSql(command, program, row.sql, state);
      if (found.length) state.matches.push({ row, command: shown(command.argv), via, found });
      continue;
    }
    if (row.targetVersion) {
      // `rails db:migrate VERSION=…`: a rollback when the version is older than the newest migration file
      if (!rowMatchesArgs(row, args)) continue;
      const verdict = (await loadTargetVersion()).targetVersionVerdict(row.targetVersion, command, state.context.cwd);
      if (verdict.reverts) state.matches.push({ row, command: shown(command.argv), via, found: verdict.reverts });
      if (verdict.unsure) state.unsure.push(`${shown(command.argv)}: ${verdict.unsure}`);
      continue;
    }
    if (row.databaseFile) {
      // `rm "$f"` is asked about only when it names a database file
      const { databases, unreadable } = (await loadDatabaseFiles()).databaseFilesTouched(program, args, state.context.cwd);
      if (databases.length) state.matches.push({ row, command: shown(command.argv), via, found: databases });
      state.unsure.push(...unreadable.map((reason) => `${shown(command.argv)}: ${reason}`));
    } else if (rowMatchesArgs(row, args)) state.matches.push({ row, command: shown(command.argv), via });
    else if (command.dynamic.slice(1).some(Boolean)) {
      // a word only known when it runs could be the one that makes it destructive
      state.unsure.push(`${shown(command.argv)}: ${row.tool} arguments only known when it runs`);
    }
  }
}

const READING_STATEMENT = /^\s*(?:select|show|explain|describe|desc|values|table|with)\b/i;
/** Any word that could change data or run code, quoting that could hide a `;`, client commands (`\\i`, `.restore`). */
const CHANGING_WORD =
  /\b(?:drop|delete|truncate|update|alter|replace|rename|insert|merge|copy|load|do|execute|exec|call|perform|create|grant|revoke|reset|discard|vacuum|cluster|lock|import|attach|detach|pragma|purge|flush|handler|into|set|refresh|security|owned|reassign|comment|checkpoint|kill|shutdown|install|uninstall|xa|source|system)\b|[\\$`"']|^\s*\./im;

/**
 * SQL that only reads: every statement starts with SELECT, SHOW, EXPLAIN… and no word anywhere could change
 * data or run code. It passes without loading the SQL readers (a third of a second): `psql -c 'SELECT …'` is
 * what people run all day. Anything else goes to the readers.
 */
export function onlyReads(sql: string): boolean {
  // a SELECT may call what deletes (`SELECT lo_unlink(oid) FROM …`) or runs SQL elsewhere (dblink): the readers judge it
  return !CHANGING_WORD.test(sql) && !ACTING_CALL.test(sql) && sql.split(';').every((statement) => statement.trim() === '' || READING_STATEMENT.test(statement));
}

/** SQL given to a client: options, files, stdin. Returns its destructive statements. */
async function inlineSql(command: SimpleCommand, program: string, dialect: 'postgres' | 'mysql' | 'sqlite', state: State): Promise<string[]> {
  const args = command.argv.slice(1);
  const sources: Array<{ text?: string; from: string; dynamic?: boolean }> = [];
  const inline = dialect === 'postgres' ? ['-c', '--command'] : dialect === 'mysql' ? ['-e', '--execute'] : ['-cmd'];
  const files = dialect === 'postgres' ? ['-f', '--file'] : dialect === 'sqlite' ? ['-init'] : [];
  const sqliteWithValue = ['-cmd', '-init', '-separator', '-nullvalue', '-newline', '-vfs', '-mmap', '-maxsize', '-lookaside', '-pagecache', '-heap'];
  const sqlitePositional: number[] = [];
  for (let index = 0; index < args.length; index++) {
    const arg = args[index]!;
    const dynamic = command.dynamic[index + 1];
    const value = (option: string): { text: string; dynamic: boolean } | undefined => {
      if (arg === option) {
        index++;
        return args[index] === undefined ? undefined : { text: args[index]!, dynamic: Boolean(command.dynamic[index + 1]) };
      }
      if (option.startsWith('--') && arg.startsWith(`${option}=`)) return { text: arg.slice(option.length + 1), dynamic: Boolean(dynamic) };
      if (/^-[a-z]$/.test(option) && arg.startsWith(option) && arg.length > 2 && dialect !== 'sqlite') return { text: arg.slice(2), dynamic: Boolean(dynamic) };
      return undefined;
    };
    let handled = false;
    for (const option of inline) {
      const found = value(option);
      if (found) {
        sources.push({ text: found.text, from: `${option} ${found.text}`, dynamic: found.dynamic });
        handled = true;
        break;
      }
    }
    if (handled) continue;
    for (const option of files) {
      const found = value(option);
      if (found) {
        if (found.text === '-') sources.push({ from: `${option} -` });
        else sources.push({ text: found.dynamic ? undefined : readRelative(state.context.cwd, found.text), from: `${option} ${found.text}`, dynamic: found.dynamic });
        handled = true;
        break;
      }
    }
    if (handled) continue;
    if (dialect === 'sqlite') {
      if (sqliteWithValue.includes(arg)) index++;
      else if (!arg.startsWith('-')) sqlitePositional.push(index);
    }
  }
  // sqlite3 DB SQL…: every word after the database file is SQL
  for (const position of sqlitePositional.slice(1)) {
    sources.push({ text: args[position], from: args[position]!, dynamic: Boolean(command.dynamic[position + 1]) });
  }
  const stdin = await stdinText(command, state);
  if (stdin.kind === 'text') sources.push({ text: stdin.text, from: 'stdin' });
  else if (stdin.kind === 'unknown') sources.push({ from: `stdin piped from \`${stdin.from}\`` });
  else if (stdin.kind === 'file-missing') sources.push({ from: `stdin from ${stdin.from}` });

  const statements: string[] = [];
  for (const source of sources) {
    if (source.dynamic) {
      state.unsure.push(`${program} runs SQL only known when it runs (${source.from})`);
      continue;
    }
    if (source.text === undefined) {
      state.unsure.push(`${program} runs SQL that cannot be read here (${source.from})`);
      continue;
    }
    const judged = await judgeSql(source.text, dialect, `${program} ${source.from}`);
    statements.push(...judged.statements);
    state.unsure.push(...judged.doubts.map((doubt) => `${program}: SQL that cannot be read with certainty: ${doubt}`));
  }
  return statements;
}

/**
 * SQL a database will run, read with the project's SQL readers: its destructive statements (`drop-table users`)
 * and the statements that cannot be read with certainty (unparseable, opaque: each makes the call unsure).
 */
export async function judgeSql(text: string, dialect: 'postgres' | 'mysql' | 'sqlite', where: string): Promise<{ statements: string[]; doubts: string[] }> {
  const judged = { statements: [] as string[], doubts: [] as string[] };
  if (onlyReads(text)) return judged;
  const { readSql } = await import('../sql/index.js');
  for (const operation of await readSql(text, { path: where.slice(0, 200), dialect })) {
    if (operation.kind === 'unparseable' || operation.kind === 'opaque') judged.doubts.push(operation.statement.slice(0, 120));
    else if (DESTRUCTIVE_KINDS.has(operation.kind)) judged.statements.push(`${operation.kind}${operation.target ? ` ${operation.target.written}` : ''}`);
  }
  return judged;
}

type Stdin = { kind: 'none' } | { kind: 'text'; text: string } | { kind: 'unknown'; from: string } | { kind: 'file-missing'; from: string };

/** What a command reads on stdin, when the line says: a here-doc, a `<` file, `echo …|`, `cat file|`. */
async function stdinText(command: SimpleCommand, state: State): Promise<Stdin> {
  const input = [...command.redirects].reverse().find((redirect: Redirect) => redirect.op.startsWith('<') && redirect.op !== '<&');
  if (input) {
    if (input.body !== undefined) return { kind: 'text', text: input.body };
    const text = readRelative(state.context.cwd, input.target);
    return text === undefined ? { kind: 'file-missing', from: input.target } : { kind: 'text', text };
  }
  const source = command.pipedFrom;
  if (!source) return { kind: 'none' };
  const program = source.argv[0] ? path.basename(source.argv[0]) : '';
  const literal = source.dynamic.slice(1).every((dynamic) => !dynamic);
  if (literal && program === 'echo') return { kind: 'text', text: `${source.argv.slice(1).filter((arg, index) => !(index === 0 && /^-[neE]+$/.test(arg))).join(' ')}\n` };
  if (literal && program === 'printf' && source.argv.length >= 2) return { kind: 'text', text: source.argv.slice(1).join(' ').replace(/\\n/g, '\n') };
  if (literal && program === 'cat' && source.argv.length === 2) {
    const text = readRelative(state.context.cwd, source.argv[1]!);
    if (text !== undefined) return { kind: 'text', text };
  }
  return { kind: 'unknown', from: shown(source.argv) };
}

function readRelative(cwd: string, file: string): string | undefined {
  try {
    return readFileSync(path.resolve(cwd, file), 'utf8');
  } catch {
    return undefined;
  }
}

/** Words joined as a person would type them (quoted when needed). */
export function shown(argv: readonly string[]): string {
  return redactCommandLine(quoted(argv));
}

function quoted(argv: readonly string[]): string {
  return argv.map((word) => (/^[A-Za-z0-9_./:=@%+,-]+$/.test(word) ? word : `'${word.replace(/'/g, `'\\''`)}'`)).join(' ');
}
