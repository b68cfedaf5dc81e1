/**
 * Alembic operations reached under another name, and what cannot be reached at all: `from alembic.op import
 * drop_table [as dt]`, `import alembic.op as o`, `from alembic import op as o`, `getattr(op, "drop_table")`
 * are read as the op call they are; `getattr` with a computed name, `exec`/`eval`, and a helper from another
 * module of the project given the database are opaque (docs/check.md, "What cannot be read").
 */
import type { PyTok, PyValue } from './python.js';

/** Python modules that are libraries, not the project's own code (their helpers are not migrations' code). */
const LIBRARIES = /^(alembic|sqlalchemy|sqlmodel|geoalchemy2|sqlalchemy_utils|typing|typing_extensions|datetime|uuid|json|os|sys|re|logging|enum|decimal|collections|itertools|functools|textwrap|hashlib|base64|time|pathlib|dataclasses|contextlib|warnings|__future__|math|random|string|copy|secrets|zoneinfo|pytz|dateutil|pydantic|psycopg2|psycopg|asyncpg|pymysql|sqlite3)(\.|$)/;

export interface PyImports {
  /** Names that mean `alembic.op`. */
  opNames: Set<string>;
  /** A bare function imported from alembic.op: local name → op method. */
  opFunctions: Map<string, string>;
  /** Names imported from the project's own modules: local name → module. */
  projectNames: Map<string, string>;
  /** Every imported name: local name → what it is (`sp` → `subprocess`, `run` → `subprocess.run`). */
  qualified: Map<string, string>;
  /** Modules imported whole into the file's names (`from shared.drops import *`), libraries left out. */
  starModules: string[];
}

/** Calls that run commands or code the file does not show (a shell, another script, Alembic itself). */
const UNSEEN_CODE = /^(os\.(system|popen|exec\w*|spawn\w*|posix_spawnp?)|subprocess\.\w+|runpy\.\w+|pty\.spawn|alembic\.command\.\w+)$/;

/** Why a call to `dotted` (as written) runs code this file does not show; undefined when it does not. */
export function unseenCodeCall(dotted: string | undefined, imports: PyImports): string | undefined {
  if (!dotted) return undefined;
  const [first, ...rest] = dotted.split('.');
  const full = [imports.qualified.get(first!) ?? first, ...rest].join('.');
  if (!UNSEEN_CODE.test(full)) return undefined;
  return full.startsWith('alembic.command')
    ? `${dotted} runs Alembic from inside a migration (a downgrade drops what the migrations created): its effect cannot be known statically`
    : `${dotted} runs a command or a script: what it does cannot be known statically`;
}

/** The import statements of a file (logical lines starting with `import` / `from`). */
export function readImports(lines: Array<{ toks: PyTok[] }>): PyImports {
  const opNames = new Set<string>(['op']);
  const opFunctions = new Map<string, string>();
  const projectNames = new Map<string, string>();
  const qualified = new Map<string, string>();
  const starModules: string[] = [];
  for (const { toks } of lines) {
    const words = toks.map((t) => t.value);
    if (words[0] === 'import') {
      // import alembic.op as o / import app.helpers as h / import helpers
      for (const part of splitCommas(words.slice(1))) {
        const asAt = part.indexOf('as');
        const module = (asAt === -1 ? part : part.slice(0, asAt)).join('');
        const local = asAt === -1 ? module.split('.')[0] : part[asAt + 1];
        if (!local) continue;
        qualified.set(local, asAt === -1 ? local : module);
        if (module === 'alembic.op') opNames.add(local);
        else if (!LIBRARIES.test(module)) projectNames.set(local, module);
      }
    } else if (words[0] === 'from') {
      const importAt = words.indexOf('import');
      if (importAt === -1) continue;
      const module = words.slice(1, importAt).join('');
      if (words[importAt + 1] === '*' && !LIBRARIES.test(module)) starModules.push(module);
      for (const part of splitCommas(words.slice(importAt + 1).filter((w) => w !== '(' && w !== ')'))) {
        const name = part[0];
        const local = part[1] === 'as' ? part[2] : name;
        if (!name || !local) continue;
        qualified.set(local, `${module}.${name}`);
        if (module === 'alembic' && name === 'op') opNames.add(local);
        else if (module === 'alembic.op') opFunctions.set(local, name);
        else if (module.startsWith('.') || !LIBRARIES.test(module)) projectNames.set(local, module);
      }
    }
  }
  return { opNames, opFunctions, projectNames, qualified, starModules };
}

function splitCommas(words: string[]): string[][] {
  const out: string[][] = [[]];
  for (const w of words) {
    if (w === ',') out.push([]);
    else out[out.length - 1].push(w);
  }
  return out.filter((p) => p.length);
}

/** Names a migration's database goes by: `op`, a bind, a connection, a session, an engine. */
const DATABASE = /^(op|bind|conn|connection|session|engine|connectable|db)$/;

/** Whether a value mentions the database (`op`, `op.get_bind()`, `conn`, `session`…). */
export function mentionsDatabase(v: PyValue | undefined, opNames: Set<string>): boolean {
  if (!v) return false;
  switch (v.kind) {
    case 'name':
      return DATABASE.test(v.name) || opNames.has(v.name);
    case 'attr':
      return mentionsDatabase(v.obj, opNames);
    case 'call':
      return mentionsDatabase(v.func, opNames) || v.args.some((a) => mentionsDatabase(a, opNames)) || [...v.kwargs.values()].some((a) => mentionsDatabase(a, opNames));
    case 'list':
      return v.items.some((a) => mentionsDatabase(a, opNames));
    default:
      return false;
  }
}

/** The first name of a dotted value (`helpers.purge` → helpers). */
export function rootName(v: PyValue): string | undefined {
  let cur = v;
  while (cur.kind === 'attr' || cur.kind === 'call') cur = cur.kind === 'attr' ? cur.obj : cur.func;
  return cur.kind === 'name' ? cur.name : undefined;
}
