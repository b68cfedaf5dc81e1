/**
 * Liquibase `include` / `includeAll`: an included changelog runs where it is included, so its operations are
 * read (through `resolveFile`, inside the repository) and reported at the include, naming the file and line
 * they come from. An include that cannot be read (missing, outside the repository, a cycle, too deep) and
 * `includeAll` (a folder listed at run time) are opaque. docs/check.md, "Liquibase includes".
 */
import type { Operation } from '../model/operation.js';
import { opaqueOp, type ReadContext } from './common.js';
import type { FormatInput } from './types.js';
import { parseXml } from './xml.js';

export interface IncludeRef {
  kind: 'include' | 'includeAll';
  /** `file` (include) or `path` (includeAll), as written. */
  file: string;
  relative: boolean;
  offset: number;
  statement: string;
}

const MAX_DEPTH = 6;

/** The includes of an XML / YAML / JSON changelog (only when the text mentions one: most have none). */
export async function changelogIncludes(text: string, path: string): Promise<IncludeRef[]> {
  if (!/include/.test(text)) return [];
  const out: IncludeRef[] = [];
  if (/\.(ya?ml|json)$/i.test(path)) {
    const YAML = await import('yaml');
    const doc = YAML.parseDocument(text, { uniqueKeys: false });
    const log = doc.get('databaseChangeLog', true);
    if (!YAML.isSeq(log)) return [];
    for (const entry of log.items) {
      if (!YAML.isMap(entry)) continue;
      for (const kind of ['include', 'includeAll'] as const) {
        const node = entry.get(kind, true);
        if (!YAML.isMap(node)) continue;
        const file = String(node.get(kind === 'include' ? 'file' : 'path') ?? '');
        const relative = String(node.get('relativeToChangelogFile') ?? 'false') === 'true';
        const offset = node.range?.[0] ?? 0;
        out.push({ kind, file, relative, offset, statement: text.slice(offset, node.range?.[1] ?? offset).trim() });
      }
    }
    return out;
  }
  const log = parseXml(text).children.find((c) => c.name === 'databaseChangeLog');
  for (const el of log?.children ?? []) {
    if (el.name !== 'include' && el.name !== 'includeAll') continue;
    out.push({
      kind: el.name,
      file: el.attrs.get(el.name === 'include' ? 'file' : 'path')?.value ?? '',
      relative: el.attrs.get('relativeToChangelogFile')?.value === 'true',
      offset: el.start,
      statement: text.slice(el.start, el.end),
    });
  }
  return out;
}

function normalize(path: string): string | undefined {
  const out: string[] = [];
  for (const part of path.split('/')) {
    if (part === '' || part === '.') continue;
    if (part === '..') {
      if (!out.length) return undefined; // outside the repository
      out.pop();
    } else out.push(part);
  }
  return out.join('/');
}

/** Where an include may point: beside the changelog, from the repository root, or from a classpath root above it. */
export function includeCandidates(changelog: string, file: string, relative: boolean): string[] {
  const name = file.replace(/^classpath\*?:/, '').replace(/\\/g, '/');
  const dir = changelog.includes('/') ? changelog.slice(0, changelog.lastIndexOf('/')) : '';
  if (relative) return [normalize(`${dir}/${name}`)].filter((p): p is string => p !== undefined);
  const roots = [''];
  const parts = dir.split('/').filter(Boolean);
  for (let k = parts.length; k > 0; k--) roots.push(`${parts.slice(0, k).join('/')}/`);
  return [...new Set(roots.map((root) => normalize(`${root}${name.replace(/^\//, '')}`)).filter((p): p is string => p !== undefined))];
}

/**
 * Read each include of a changelog with `read` (the Liquibase reader) and place what it finds at the include.
 * `chain`: the changelogs being read, outermost first (a cycle is opaque).
 */
export async function readIncludes(
  ctx: ReadContext,
  input: FormatInput,
  chain: string[],
  read: (input: FormatInput, chain: string[]) => Promise<Operation[]>,
): Promise<Operation[]> {
  const ops: Operation[] = [];
  for (const inc of await changelogIncludes(input.text, input.path)) {
    const opaque = (why: string) => ops.push(opaqueOp(ctx, inc.offset, 'up', inc.statement, why));
    if (inc.kind === 'includeAll') {
      opaque(`includeAll runs every changelog in ${inc.file || 'a folder'}, listed at run time: include the files one by one so they can be checked`);
      continue;
    }
    const found = includeCandidates(input.path, inc.file, inc.relative)
      .map((path) => ({ path, text: input.resolveFile?.(path) }))
      .find((c) => c.text !== undefined);
    if (!found) {
      opaque(`include ${inc.file} is not a file of this repository that dbsafe can read: what it runs cannot be known statically`);
      continue;
    }
    if (chain.includes(found.path) || chain.length >= MAX_DEPTH) {
      opaque(`include ${inc.file} ${chain.includes(found.path) ? 'includes itself (a cycle)' : 'is nested too deeply to follow'}`);
      continue;
    }
    const included = await read({ ...input, path: found.path, text: found.text! }, [...chain, found.path]);
    const at = ctx.lines.position(inc.offset);
    for (const op of included) {
      ops.push({ ...op, file: input.path, line: at.line, column: at.column, statement: inc.statement, statementLine: at.line, detail: [op.detail, `in ${found.path} line ${op.line}, run by this include`].filter(Boolean).join('; ') });
    }
  }
  return ops;
}
