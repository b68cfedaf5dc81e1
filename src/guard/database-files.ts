/**
 * Files that are a database, and the commands that remove or empty them (`rm` of a file or a directory,
 * `find -delete`, `git clean -x`, `truncate`, `cp` onto one, a `>` redirection). A SQLite database is known by
 * its file name; a PostgreSQL or MySQL / MariaDB data directory by the file its server keeps at its top
 * (`PG_VERSION`, `ibdata1`, `mysql.ibd`, `aria_log_control`) or by the names such directories are given.
 */
import { readdirSync, statSync, type Dirent } from 'node:fs';
import path from 'node:path';
import picomatch from 'picomatch';

/** File names SQLite databases are given (Prisma `dev.db`, Rails and Django `*.sqlite3`), with their side files. */
const SQLITE_FILE = /\.(?:db|db3|sqlite|sqlite3|s3db|sl3)(?:-wal|-shm|-journal)?$/i;

/** The file a server keeps at the top of its data directory. */
const DATA_DIRECTORY_MARKERS: Record<string, string> = {
  PG_VERSION: 'a PostgreSQL data directory',
  ibdata1: 'a MySQL / MariaDB data directory',
  'mysql.ibd': 'a MySQL data directory',
  aria_log_control: 'a MariaDB data directory',
};

/**
 * Paths such directories have (Docker volumes mounted as `./pgdata`, Debian's and Homebrew's clusters): named a
 * database even where this process cannot read them (`sudo rm -rf /var/lib/postgresql/15/main`).
 */
const DATA_DIRECTORY_PATH =
  /(?:^|\/)(?:pgdata|pg_data|postgres(?:ql)?[-_]?data|mysql[-_]?data|mariadb[-_]?data)(?:\/|$)|^\/var\/lib\/(?:postgresql|pgsql|mysql|mariadb)(?:\/|$)|^\/(?:usr\/local|opt\/homebrew)\/var\/(?:postgres(?:ql)?|mysql|mariadb)(?:@[\d.]+)?(?:\/|$)/i;

/** How deep and how wide a removed directory is searched: `rm -rf node_modules` must stay cheap. */
const MAX_DEPTH = 3;
const MAX_ENTRIES = 4000;
/** Never searched, nor judged when removed whole: they hold no database people keep (package fixtures), and they are big. */
const SKIPPED = new Set(['node_modules', '.git', '.venv', 'venv', '__pycache__', 'target', 'vendor']);

/** What a command would destroy: the database files and directories among its operands. */
export interface Removed {
  /** One line per database removed (`data/pg is a PostgreSQL data directory`). */
  databases: string[];
  /** Directories that could not be searched (each counts as unsure). */
  unreadable: string[];
}

/**
 * The databases among the paths a command removes (`recursive`: directories are removed too): a SQLite
 * file by its name, a directory (with -r) by what it holds, a glob by what it matches now (the shell expands it
 * only when the command runs).
 */
function databasesRemoved(cwd: string, operands: readonly string[], recursive: boolean): Removed {
  const removed: Removed = { databases: [], unreadable: [] };
  const judge = (written: string) => {
    if (SQLITE_FILE.test(written)) return void removed.databases.push(`${written} is a SQLite database file`);
    if (!recursive) return;
    const verdict = databaseInDirectory(cwd, written);
    if (verdict && 'holds' in verdict) removed.databases.push(verdict.holds);
    else if (verdict) removed.unreadable.push(verdict.unreadable);
  };
  for (const operand of operands) {
    const expanded = expandGlob(cwd, operand);
    // a glob is judged by its name too (`rm data/*.db` before the files exist), then by what it matches now
    if (expanded && !SQLITE_FILE.test(operand)) expanded.forEach(judge);
    else judge(operand);
  }
  return removed;
}

/**
 * What a program run with `args` removes or overwrites among database files: `rm` / `unlink` / `shred` / `trash`
 * (databasesRemoved), `truncate`, `cp` / `install` / `dd` / `tee` onto a SQLite file, `find … -delete` (or
 * `-exec rm`), `git clean -x` (ignored files: where SQLite files usually are).
 */
export function databaseFilesTouched(program: string, args: readonly string[], cwd: string): Removed {
  const operands = (withValue: string[] = []) => {
    const found: string[] = [];
    for (let index = 0; index < args.length; index++) {
      const arg = args[index]!;
      if (arg === '--') return [...found, ...args.slice(index + 1)];
      if (withValue.includes(arg)) index++;
      else if (!arg.startsWith('-') || arg === '-') found.push(arg);
    }
    return found;
  };
  const named = (paths: string[]): Removed => ({ databases: paths.filter((file) => SQLITE_FILE.test(file)).map((file) => `${file} is a SQLite database file`), unreadable: [] });
  switch (program) {
    case 'rm':
    case 'unlink':
    case 'shred':
    case 'trash':
      return databasesRemoved(cwd, operands(), program === 'trash' || args.some((arg) => arg === '--recursive' || /^-[a-zA-Z]*[rR]/.test(arg)));
    case 'truncate':
      return named(operands(['-s', '--size', '-r', '--reference']));
    case 'cp':
    case 'install': {
      // the destination is the last operand (with -t DIR the files keep their names there)
      if (args.some((arg) => arg === '-t' || arg.startsWith('--target-directory'))) return named([]);
      return named(operands(['-S', '--suffix', '-m', '--mode', '-o', '--owner', '-g', '--group']).slice(-1));
    }
    case 'dd':
      return named(args.filter((arg) => arg.startsWith('of=')).map((arg) => arg.slice(3)));
    case 'tee':
      return args.some((arg) => arg === '-a' || arg === '--append') ? named([]) : named(operands());
    case 'find':
      return foundAndDeleted(args, cwd);
    case 'git': {
      const clean = args.indexOf('clean');
      if (clean === -1) return named([]);
      const options = args.slice(clean + 1).filter((arg) => arg.startsWith('-'));
      const ignoredToo = options.some((arg) => /^-[a-zA-Z]*[xX]/.test(arg));
      if (!ignoredToo || options.some((arg) => arg === '--dry-run' || /^-[a-zA-Z]*n/.test(arg))) return named([]);
      // `git -C dir clean`: paths are the directory's; `-e pattern` takes a value
      const at = args.slice(0, clean).lastIndexOf('-C');
      const base = at !== -1 && args[at + 1] ? path.resolve(cwd, args[at + 1]!) : cwd;
      const paths: string[] = [];
      for (let index = clean + 1; index < args.length; index++) {
        const arg = args[index]!;
        if (arg === '-e' || arg === '--exclude') index++;
        else if (!arg.startsWith('-')) paths.push(arg);
      }
      return databasesRemoved(base, paths.length ? paths : ['.'], true);
    }
    default:
      return named([]);
  }
}

/** A shell redirection that truncates its file (`> dev.db`, `>| …`, `&> …`): the SQLite files it empties. */
export function overwrittenByRedirects(redirects: ReadonlyArray<{ op: string; target: string }>): string[] {
  return redirects.filter((redirect) => ['>', '>|', '&>', '>&'].includes(redirect.op) && SQLITE_FILE.test(redirect.target)).map((redirect) => `${redirect.target} is a SQLite database file, emptied by \`${redirect.op}\``);
}

/** `find <paths> … -delete` or `-exec rm …`: the database files under its paths that its `-name` tests let through. */
function foundAndDeleted(args: readonly string[], cwd: string): Removed {
  const deletes = args.includes('-delete') || args.some((arg, index) => (arg === '-exec' || arg === '-execdir') && /^(?:.*\/)?(?:rm|unlink|shred)$/.test(args[index + 1] ?? ''));
  if (!deletes) return { databases: [], unreadable: [] };
  // `find [-H|-L|-P|-O3|-D opts] <paths> <expression>`
  let start = 0;
  while (start < args.length && /^-(?:[HLP]|O\d*|D)$/.test(args[start]!)) start += args[start] === '-D' ? 2 : 1;
  const rest = args.slice(start);
  const firstTest = rest.findIndex((arg) => arg.startsWith('-') || arg === '(' || arg === '!');
  const roots = firstTest === -1 ? rest : rest.slice(0, firstTest);
  const names = args.flatMap((arg, index) => {
    const pattern = args[index + 1];
    if ((arg !== '-name' && arg !== '-iname') || pattern === undefined) return [];
    const nocase = arg === '-iname';
    return [globSegment(pattern, nocase) ?? ((name: string) => (nocase ? name.toLowerCase() === pattern.toLowerCase() : name === pattern))];
  });
  const removed: Removed = { databases: [], unreadable: [] };
  for (const root of roots.length ? roots : ['.']) {
    const verdict = databaseInDirectory(cwd, root, names.length ? (name) => names.some((test) => test(name)) : undefined);
    if (verdict && 'holds' in verdict) removed.databases.push(verdict.holds);
    else if (verdict) removed.unreadable.push(verdict.unreadable);
  }
  return removed;
}

/** Paths a glob stands for: the shell expands it only when the command runs, here it is expanded now. */
const MAX_EXPANDED = 1000;

/** The paths `operand` matches (as the shell writes them), or undefined when it holds no glob character. */
function expandGlob(cwd: string, operand: string): string[] | undefined {
  if (!/[*?[]/.test(operand)) return undefined;
  let paths = [operand.startsWith('/') ? '/' : ''];
  for (const part of operand.split('/')) {
    if (part === '') continue;
    const pattern = globSegment(part);
    const next: string[] = [];
    for (const base of paths) {
      if (!pattern) {
        next.push(`${base}${part}/`);
        continue;
      }
      let names: string[];
      try {
        names = readdirSync(path.resolve(cwd, base || '.'));
      } catch {
        continue; // nothing there to remove
      }
      for (const name of names) if (next.length < MAX_EXPANDED && pattern(name)) next.push(`${base}${name}/`);
    }
    paths = next;
  }
  return paths.map((found) => found.slice(0, -1) || '/');
}

/** A matcher for one path segment with glob characters (as the shell reads it: `*` skips a leading dot), or undefined for a plain name. */
function globSegment(segment: string, nocase = false): ((name: string) => boolean) | undefined {
  return /[*?[]/.test(segment) ? picomatch(segment, { dot: false, nocase }) : undefined;
}

type DirectoryVerdict = { holds: string } | { unreadable: string } | undefined;

/**
 * What database a directory that `rm -r` would remove holds (`holds`: what, and where), `unreadable` when it
 * exists but cannot be searched, undefined when it holds none (or does not exist: nothing to lose).
 */
function databaseInDirectory(cwd: string, written: string, nameTest?: (name: string) => boolean): DirectoryVerdict {
  const full = path.resolve(cwd, written);
  const normalized = full.split(path.sep).join('/');
  if (!nameTest && DATA_DIRECTORY_PATH.test(normalized)) return { holds: `${written} is where database servers keep their data` };
  let entries = 0;
  const search = (dir: string, depth: number): DirectoryVerdict => {
    let list: Dirent[];
    try {
      list = readdirSync(dir, { withFileTypes: true });
    } catch (error) {
      const code = (error as NodeJS.ErrnoException).code;
      if (code === 'ENOENT' || code === 'ENOTDIR') return undefined;
      return depth === 0 ? { unreadable: `${written} cannot be read (${code}) to tell whether it holds a database` } : undefined;
    }
    const where = (name: string) => path.relative(cwd, path.join(dir, name)) || name;
    for (const entry of list) {
      if (++entries > MAX_ENTRIES) return undefined;
      // `find -name '*.log' -delete` removes only what its test lets through
      if (nameTest && !nameTest(entry.name)) continue;
      if (entry.isFile() && DATA_DIRECTORY_MARKERS[entry.name]) return { holds: `${path.relative(cwd, dir) || '.'} is ${DATA_DIRECTORY_MARKERS[entry.name]}` };
      if (entry.isFile() && SQLITE_FILE.test(entry.name)) return { holds: `${where(entry.name)} is a SQLite database file` };
    }
    if (depth >= MAX_DEPTH) return undefined;
    for (const entry of list) {
      // symbolic links are not followed: rm -r removes the link, not what it points to
      if (!entry.isDirectory() || SKIPPED.has(entry.name)) continue;
      const found = search(path.join(dir, entry.name), depth + 1);
      if (found) return found;
    }
    return undefined;
  };
  // `rm -r file` removes a file: only a directory is searched (a database file is judged by its name)
  if (SKIPPED.has(path.basename(full))) return undefined;
  try {
    if (!statSync(full).isDirectory()) return undefined;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EACCES' ? { unreadable: `${written} cannot be read (EACCES) to tell whether it holds a database` } : undefined;
  }
  return search(full, 0);
}
