/**
 * Client meta-commands that run other files or programs: psql `\i`, `\ir`, `\include`,
 * `\include_relative`, `\!`, `\copy … program`, `\gexec`; sqlite3 `.read`, `.shell`, `.system`,
 * `.restore`, `.load`. The SQL splitter skips client commands (they are not SQL); these ones can
 * destroy data, so the reader reads the file they include when it is in the repository, and reports
 * everything else as `opaque`. Other client commands (`\set`, `\echo`, `.mode`…) change nothing.
 */
import type { Dialect } from '../model/operation.js';
import { splitSql } from './split.js';

export interface ClientCommand {
  /** Offsets of the command line in the text. */
  start: number;
  end: number;
  /** The command as written, e.g. `\i schema/drop.sql`. */
  text: string;
  /** A file to read (its path as written, and whether it is relative to the including file), or why the command is opaque. */
  effect: { include: string; relative: boolean } | { opaque: string };
}

const PSQL = /^\\([a-z!_]+)(?:\s+([^]*?))?\s*$/i;
const SQLITE = /^\.([a-z_]+)(?:\s+([^]*?))?\s*$/i;

/**
 * Cheap look before splitting: could the text hold a client command with an effect? For psql only the
 * commands psqlEffect acts on are looked for, so `E'\\n'` or a regex in a string costs no second split.
 */
const PSQL_WITH_EFFECT = /\\(?:i|ir|include|include_relative|gexec|copy)(?![a-z_])|\\!/i;
function mayHold(text: string, dialect: Dialect): boolean {
  if (dialect === 'postgres') return PSQL_WITH_EFFECT.test(text);
  if (dialect === 'sqlite') return /(^|[\r\n])[ \t]*\.[a-z]/i.test(text);
  return false;
}

export function clientCommands(text: string, dialect: Dialect): ClientCommand[] {
  if (!mayHold(text, dialect)) return [];
  const out: ClientCommand[] = [];
  for (const region of splitSql(text, dialect).skipped) {
    const written = text.slice(region.start, region.end).trim();
    const effect = dialect === 'postgres' ? psqlEffect(written) : dialect === 'sqlite' ? sqliteEffect(written) : undefined;
    if (effect) out.push({ start: region.start, end: region.end, text: written, effect });
  }
  return out;
}

function unquote(arg: string): string {
  const m = /^(['"])(.*)\1$/.exec(arg.trim());
  return m ? m[2]! : arg.trim();
}

function psqlEffect(written: string): ClientCommand['effect'] | undefined {
  const m = PSQL.exec(written);
  if (!m) return undefined;
  const command = m[1]!.toLowerCase();
  const arg = m[2] ?? '';
  if (command === 'i' || command === 'include') return arg ? { include: unquote(arg), relative: false } : { opaque: `psql \\${command} without a file` };
  if (command === 'ir' || command === 'include_relative') return arg ? { include: unquote(arg), relative: true } : { opaque: `psql \\${command} without a file` };
  if (command === '!') return { opaque: 'psql \\! runs a shell command: its effect cannot be known statically' };
  if (command === 'gexec') return { opaque: 'psql \\gexec runs every value of the query result as SQL: its effect cannot be known statically' };
  if (command === 'copy' && /\bprogram\b/i.test(arg)) return { opaque: 'psql \\copy … program runs a shell command: its effect cannot be known statically' };
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
