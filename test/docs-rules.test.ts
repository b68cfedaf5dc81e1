import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { parseConfig } from '../src/config/load.js';
import type { Dialect } from '../src/model/operation.js';
import { evaluate } from '../src/policy/evaluate.js';
import { readMigration } from '../src/readers/index.js';
import { RULES } from '../src/rules/index.js';

/**
 * Every registered rule has a page docs/rules/<id>.md and every page a rule; each page states the
 * default severity, why, what to do instead, how to override, and has examples that behave as
 * documented. An example is a fenced block right after
 *   <!-- example: invalid|valid [dialect=postgres|mysql|sqlite] [path=a/b.py] [edit=modified|deleted|renamed] [unmatched=<format>] [config={...}] -->
 * `invalid`: the page's rule fires on it; `valid`: it does not.
 */
const DOCS = path.join(import.meta.dirname, '..', 'docs', 'rules');

interface Example {
  kind: 'valid' | 'invalid';
  lang: string;
  code: string;
  dialect: Dialect;
  path?: string;
  edit?: 'modified' | 'deleted' | 'renamed';
  /** `unmatched=<format>`: the file looks like a migration of this format but no glob selects it. */
  unmatched?: string;
  config: Record<string, unknown>;
  line: number;
}

const MARKER_RULES = ['override-missing-reason', 'unknown-override', 'unused-override'];

const EXT: Record<string, string> = { sql: 'sql', python: 'py', ruby: 'rb', js: 'js', javascript: 'js', ts: 'ts', typescript: 'ts', xml: 'xml', yaml: 'yaml' };

function examples(markdown: string): Example[] {
  const found: Example[] = [];
  const pattern = /<!--\s*example:\s*(valid|invalid)\b(.*?)-->\s*\n```(\w+)\n([\s\S]*?)\n```/g;
  for (const match of markdown.matchAll(pattern)) {
    const [, kind, attrText, lang, code] = match;
    const configAt = attrText.indexOf('config=');
    const config = configAt === -1 ? {} : JSON.parse(attrText.slice(configAt + 'config='.length).trim());
    const attrs = Object.fromEntries(
      (configAt === -1 ? attrText : attrText.slice(0, configAt))
        .trim()
        .split(/\s+/)
        .filter(Boolean)
        .map((pair) => pair.split('=') as [string, string]),
    );
    found.push({
      kind: kind as Example['kind'],
      lang,
      code,
      dialect: (attrs.dialect ?? 'postgres') as Dialect,
      path: attrs.path,
      edit: attrs.edit as Example['edit'],
      unmatched: attrs.unmatched,
      config,
      line: markdown.slice(0, match.index).split('\n').length,
    });
  }
  return found;
}

async function run(example: Example) {
  const file = example.path ?? `db/migrations/0001_example.${EXT[example.lang] ?? example.lang}`;
  const operations = await readMigration({
    path: file,
    text: example.code + '\n',
    dialect: example.dialect,
    format: example.lang === 'sql' && !example.path ? 'sql' : 'auto',
  });
  const config = parseConfig({ dialect: example.dialect, ...example.config }, 'docs example');
  // `unmatched=<format>`: a file no glob selects is not read (check/unmatched.ts)
  if (example.unmatched) return evaluate([{ path: file, text: example.code + '\n', operations: [], unmatched: { format: example.unmatched } }], config);
  return evaluate([{ path: file, text: example.code + '\n', operations, edit: example.edit ? { change: example.edit } : undefined }], config);
}

const pages = readdirSync(DOCS)
  .filter((name) => name.endsWith('.md') && name !== 'README.md')
  .map((name) => name.slice(0, -3));

describe('docs/rules', () => {
  it('has a page for every registered rule and a rule for every page', () => {
    expect([...pages].sort()).toEqual(RULES.map((rule) => rule.meta.id).sort());
  });

  it('lists every rule with its default severity and its description in the index (README.md), as the rule says them', () => {
    // The rule file's meta is the one home of a rule's id, default severity and description; the index repeats it.
    const index = readFileSync(path.join(DOCS, 'README.md'), 'utf8');
    const listed = [...index.matchAll(/^\| \[([a-z-]+)\]\(\1\.md\) \| (error|warn|off) \| (.*) \|$/gm)].map((m) => `${m[1]}:${m[2]}:${m[3]}`);
    expect(listed.sort()).toEqual(RULES.map((rule) => `${rule.meta.id}:${rule.meta.defaultSeverity}:${rule.meta.description}`).sort());
  });

  describe.each(RULES.map((rule) => [rule.meta.id, rule] as const))('%s', (id, rule) => {
    const markdown = readFileSync(path.join(DOCS, `${id}.md`), 'utf8');
    const list = examples(markdown);

    it('states the default severity and has the sections users need', () => {
      expect(markdown.startsWith(`# ${id}\n`)).toBe(true);
      expect(markdown).toContain(`Default severity: **${rule.meta.defaultSeverity}**`);
      for (const heading of ['## Why it matters', '## What to do instead', '## Examples', '## How to override', '## Configuration']) {
        expect(markdown).toContain(heading);
      }
      expect(list.filter((e) => e.kind === 'invalid').length).toBeGreaterThan(0);
      expect(list.filter((e) => e.kind === 'valid').length).toBeGreaterThan(0);
    });

    it.each(list.map((example) => [`${example.kind} example at line ${example.line}`, example] as const))(
      '%s behaves as documented',
      async (_name, example) => {
        const { findings } = await run(example);
        const fired = findings.filter((finding) => finding.rule === id);
        if (example.kind === 'invalid') {
          expect(fired, `expected ${id} to fire; got ${JSON.stringify(findings.map((f) => f.rule))}`).not.toHaveLength(0);
        } else {
          expect(fired.map((f) => f.message)).toEqual([]);
          // Markers shown as the right way to override must themselves be well-formed and used.
          const markerProblems = findings.filter((f) => MARKER_RULES.includes(f.rule));
          expect(markerProblems.map((f) => f.message)).toEqual([]);
        }
      },
    );
  });
});
