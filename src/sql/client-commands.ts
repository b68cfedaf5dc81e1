/**
 * Client meta-commands that run other files or programs: psql `\i`, `\ir`, `\include`,
 * `\include_relative`, `\!`, `\copy … program`, `\gexec`, output piped to a command (`\o |cmd`, `\g |cmd`,
 * `\w |cmd`), backquoted text in an argument (run by the shell), an editor (`\e`, `\ef`, `\ev`),
 * `\lo_unlink`; sqlite3 `.read`, `.shell`, `.system`, `.restore`, `.load`. The SQL splitter skips client
 * commands (they are not SQL); these ones can destroy data, so the reader reads the file they include when it
 * is in the repository, and reports everything else as `opaque`. Other client commands (`\set`, `\echo`,
 * `.mode`…) change nothing.
 */
import type { Dialect } from '../model/operation.js';
import { splitSql } from './split.js';

export interface ClientCommand {
  /** Offsets of the command in the text. */
  start: number;
  end: number;
  /** The command as written, e.g. `\i schema/drop.sql`. */
  text: string;
  /** A file to read (its path as written, and whether it is relative to the including file), or why the command is opaque. */
  effect: { include: string; relative: boolean } | { opaque: string };
}

/** One psql meta-command as psql reads it: a line may hold several (`\echo x \i f.sql`). */
export interface PsqlCommand {
  start: number;
  end: number;
  text: string;
  /** The command name, lower case, without its backslash (`i`, `!`, `gexec`). */
  name: string;
  /** Its arguments with their quotes (a whole-line argument is one). */
  args: string[];
  /** An argument holds unquoted backquoted text, which psql runs as a shell command. */
  backquote: boolean;
  /** What follows `\\`, `\;` or `\:` on the line: SQL again. */
  sqlAfter?: string;
}

const SQLITE = /^\.([a-z_]+)(?:\s+([^]*?))?\s*$/i;

/**
 * Cheap look before splitting: could the text hold a psql meta-command that does something? A backslash
 * before a letter, `!`, `;`, `:` or another backslash, or a backquote; `E'\\n'` costs a second split, no more.
 */
const PSQL_MAYBE = /\\[a-z!\\;:]|`/i;
function mayHold(text: string, dialect: Dialect): boolean {
  if (dialect === 'postgres') return PSQL_MAYBE.test(text);
  if (dialect === 'sqlite') return /(^|[\r\n])[ \t]*\.[a-z]/i.test(text);
  return false;
}

export function clientCommands(text: string, dialect: Dialect): ClientCommand[] {
  if (!mayHold(text, dialect)) return [];
  const out: ClientCommand[] = [];
  if (dialect === 'postgres') {
    for (const command of psqlCommands(text)) {
      const effect = psqlEffect(command);
      if (effect) out.push({ start: command.start, end: command.end, text: command.text, effect });
    }
    return out;
  }
  for (const region of splitSql(text, dialect).skipped) {
    const written = text.slice(region.start, region.end).trim();
    const effect = dialect === 'sqlite' ? sqliteEffect(written) : undefined;
    if (effect) out.push({ start: region.start, end: region.end, text: written, effect });
  }
  return out;
}

/** Every psql meta-command of the text, in order (the lines the splitter skipped, read as psql reads them). */
export function psqlCommands(text: string): PsqlCommand[] {
  if (!PSQL_MAYBE.test(text)) return [];
  const out: PsqlCommand[] = [];
  for (const region of splitSql(text, 'postgres').skipped) {
    if (region.reason !== 'psql meta-command') continue;
    out.push(...commandsOfLine(text, region.start, region.end));
  }
  return out;
}

/** Commands whose argument is the rest of the line, as written (psql's OT_WHOLE_LINE): no quotes, no backquotes, no second command. */
const WHOLE_LINE = new Set(['!', 'copy', 'h', 'help', 'ef', 'ev', 'sf', 'sv']);
/** Commands whose argument may be `|command` (psql's OT_FILEPIPE): the rest of the line goes to the shell. */
const FILE_PIPE = new Set(['o', 'out', 'w', 'write', 'g', 'gx']);

/**
 * The meta-commands of one line, as psql's documentation gives their syntax: the name runs up to a space or a
 * backslash; arguments are separated by spaces and may be quoted ('…' with '' and backslash escapes, "…" with
 * "", `…` run by the shell); an unquoted backslash starts the next command, and `\\` returns to SQL.
 */
function commandsOfLine(text: string, from: number, to: number): PsqlCommand[] {
  const out: PsqlCommand[] = [];
  let i = from;
  while (i < to && text[i] === '\\') {
    const start = i;
    i++;
    if (text[i] === '\\' || text[i] === ';' || text[i] === ':') {
      // `\\` ends the meta-commands of the line; `\;` and `\:` put a `;` or `:` in the query: SQL follows
      const sql = text.slice(i + 1, to).trim();
      if (sql) out.push({ start, end: to, text: text.slice(start, to).trim(), name: text[i]!, args: [], backquote: false, sqlAfter: sql });
      return out;
    }
    let j = i;
    while (j < to && !/[\s\\]/.test(text[j]!)) j++;
    const name = text.slice(i, j).toLowerCase();
    const command: PsqlCommand = { start, end: to, text: '', name, args: [], backquote: false };
    out.push(command);
    i = j;
    let next = to;
    for (;;) {
      while (i < to && /\s/.test(text[i]!)) i++;
      if (i >= to) break;
      if (WHOLE_LINE.has(name) || (FILE_PIPE.has(name) && text[i] === '|')) {
        command.args.push(text.slice(i, to).trim());
        i = to;
        break;
      }
      if (text[i] === '\\') {
        next = i;
        break;
      }
      const arg = argumentAt(text, i, to);
      command.args.push(text.slice(i, arg.end));
      command.backquote ||= arg.backquote;
      i = arg.end;
    }
    command.end = Math.min(next, to);
    command.text = text.slice(start, command.end).trim();
    i = next;
  }
  return out;
}

/** One argument from `i`: up to an unquoted space or backslash; an unterminated quote runs to the end of the line. */
function argumentAt(text: string, i: number, to: number): { end: number; backquote: boolean } {
  let backquote = false;
  while (i < to && !/[\s\\]/.test(text[i]!)) {
    const quote = text[i]!;
    if (quote !== "'" && quote !== '"' && quote !== '`') {
      i++;
      continue;
    }
    if (quote === '`') backquote = true;
    i++;
    while (i < to) {
      if (quote === "'" && text[i] === '\\') i += 2;
      else if (text[i] === quote && quote !== '`' && text[i + 1] === quote) i += 2;
      else if (text[i] === quote) break;
      else i++;
    }
    i = Math.min(i + 1, to);
  }
  return { end: i, backquote };
}

/** An argument's value: single quotes (with '' and backslash escapes) and double quotes removed. */
function unquote(arg: string): string {
  const t = arg.trim();
  if (/^'.*'$/s.test(t)) return t.slice(1, -1).replace(/''|\\(.)/gs, (m, c: string | undefined) => c ?? "'");
  if (/^".*"$/s.test(t)) return t.slice(1, -1).replace(/""/g, '"');
  return t;
}

/** Environment variables that name a program psql runs (a pager, an editor). */
const PROGRAM_VARIABLES = new Set(['pager', 'psql_pager', 'psql_watch_pager', 'editor', 'psql_editor', 'visual', 'shell']);

/** What a psql meta-command does that the reader must know: a file it includes, or why it is opaque. */
export function psqlEffect(command: PsqlCommand): ClientCommand['effect'] | undefined {
  const { name, args } = command;
  const first = args[0] ? unquote(args[0]) : '';
  if (command.backquote && !WHOLE_LINE.has(name)) return { opaque: `psql runs the backquoted text of ${command.text} as a shell command: its effect cannot be known statically` };
  if (command.sqlAfter !== undefined) return { opaque: `the SQL after \\${name} on a psql meta-command line is not read: write it on a line of its own` };
  if (name === 'i' || name === 'include') return first ? { include: first, relative: false } : { opaque: `psql \\${name} without a file` };
  if (name === 'ir' || name === 'include_relative') return first ? { include: first, relative: true } : { opaque: `psql \\${name} without a file` };
  if (name === '!') return { opaque: 'psql \\! runs a shell command: its effect cannot be known statically' };
  if (name === 'gexec') return { opaque: 'psql \\gexec runs every value of the query result as SQL: its effect cannot be known statically' };
  if (name === 'copy' && /\bprogram\b/i.test(first)) return { opaque: 'psql \\copy … program runs a shell command: its effect cannot be known statically' };
  if (FILE_PIPE.has(name) && args.some((arg) => unquote(arg).startsWith('|'))) return { opaque: `psql \\${name} | sends output to a shell command: its effect cannot be known statically` };
  if (name === 'e' || name === 'edit' || name === 'ef' || name === 'ev') return { opaque: `psql \\${name} runs an editor, then what was edited: its effect cannot be known statically` };
  if (name === 'lo_unlink') return { opaque: 'psql \\lo_unlink deletes a large object and its data' };
  if (name === 'setenv' && PROGRAM_VARIABLES.has(first.toLowerCase())) return { opaque: `psql \\setenv ${first} names a program psql runs: its effect cannot be known statically` };
  return undefined;
}

function sqliteEffect(written: string): ClientCommand['effect'] | undefined {
  const m = SQLITE.exec(written);
  if (!m) return undefined;
  const command = m[1]!.toLowerCase();
  const arg = m[2] ?? '';
  if (command === 'read') {
    // `.read |cmd` runs a command and reads its output as SQL
    if (arg.trim().startsWith('|') || unquote(arg).startsWith('|')) return { opaque: 'sqlite3 .read | runs a command and runs its output as SQL' };
    return arg ? { include: unquote(arg), relative: false } : { opaque: 'sqlite3 .read without a file' };
  }
  if (command === 'shell' || command === 'system') return { opaque: `sqlite3 .${command} runs a shell command: its effect cannot be known statically` };
  if (command === 'restore') return { opaque: 'sqlite3 .restore replaces the database with the content of a backup file' };
  if (command === 'load') return { opaque: 'sqlite3 .load loads an extension (native code): its effect cannot be known statically' };
  return undefined;
}

/** The repository path of an included file: relative to the including file's folder, or as written from the root. */
export function includedPaths(includer: string, include: string, relative: boolean): string[] {
  const folder = includer.includes('/') ? includer.slice(0, includer.lastIndexOf('/')) : '';
  const normalize = (p: string): string | undefined => {
    const parts: string[] = [];
    for (const part of p.split('/')) {
      if (part === '' || part === '.') continue;
      if (part === '..') {
        if (!parts.length) return undefined; // outside the repository
        parts.pop();
      } else parts.push(part);
    }
    return parts.join('/');
  };
  if (include.startsWith('/')) return [];
  // psql resolves \i from its working directory: try the repository root and the including file's folder
  const candidates = relative ? [`${folder}/${include}`] : [include, `${folder}/${include}`];
  return [...new Set(candidates.map(normalize).filter((p): p is string => p !== undefined && p !== ''))];
}
