import { describe, expect, it } from 'vitest';
import { commentStyleFor, parseMarkers } from '../../src/policy/markers.js';

describe('parseMarkers: comment syntaxes', () => {
  it.each([
    ['a.sql', '-- dbsafe:allow drop-table(users) -- replaced by accounts; data migrated in 0042'],
    ['a.sql', '/* dbsafe:allow drop-table(users) -- replaced by accounts; data migrated in 0042 */'],
    ['a.sql', '# dbsafe:allow drop-table(users) -- replaced by accounts; data migrated in 0042'],
    ['a.py', '    # dbsafe:allow drop-table(users) -- replaced by accounts; data migrated in 0042'],
    ['a.rb', '# dbsafe:allow drop-table(users) -- replaced by accounts; data migrated in 0042'],
    ['a.yaml', '  # dbsafe:allow drop-table(users) -- replaced by accounts; data migrated in 0042'],
    ['a.yml', '# dbsafe:allow drop-table(users) -- replaced by accounts; data migrated in 0042'],
    ['a.js', '  // dbsafe:allow drop-table(users) -- replaced by accounts; data migrated in 0042'],
    ['a.ts', '/** dbsafe:allow drop-table(users) -- replaced by accounts; data migrated in 0042 */'],
    ['a.ts', '  await knex.schema.dropTable("users"); // dbsafe:allow drop-table(users) -- replaced by accounts; data migrated in 0042'],
    ['a.xml', '<!-- dbsafe:allow drop-table(users): replaced by accounts; data migrated in 0042 -->'],
    ['a.xml', '<!-- dbsafe:allow drop-table(users) -- replaced by accounts; data migrated in 0042 -->'],
    // SQL comments inside strings of host languages (op.execute, knex.raw) count too.
    ['a.py', '    op.execute("-- dbsafe:allow drop-table(users) -- replaced by accounts; data migrated in 0042\\nDROP TABLE users")'],
  ])('%s: %s', (path, line) => {
    const { markers, malformed } = parseMarkers(`SELECT 1;\n${line}\n`, path);
    expect(malformed).toEqual([]);
    expect(markers).toHaveLength(1);
    expect(markers[0]).toMatchObject({
      line: 2,
      fileWide: false,
      items: [{ rule: 'drop-table', object: 'users', text: 'drop-table(users)' }],
    });
    expect(markers[0].reason).toMatch(/^replaced by accounts; data migrated in 0042/);
    expect(markers[0].reason).not.toMatch(/\*\/|-->/);
  });

  it.each([
    ['a.js', '# dbsafe:allow drop-table -- a hash is not a JS comment'],
    ['a.py', '// dbsafe:allow drop-table -- not a Python comment'],
    ['a.sql', '<!-- dbsafe:allow drop-table -- not SQL -->'],
  ])('ignores markers in a foreign comment syntax: %s', (path, line) => {
    expect(parseMarkers(line, path).markers).toEqual([]);
  });

  it('ignores prose that mentions dbsafe', () => {
    expect(parseMarkers('-- see the dbsafe: docs\n-- run dbsafe:allow later', 'a.sql')).toEqual({ markers: [], malformed: [] });
  });

  it('reads several items, file-wide markers, quoted and qualified objects', () => {
    const text = [
      '# dbsafe:allow drop-column(orders.legacy_total), rename-table -- reason text that is long',
      '// dbsafe:allow-file opaque -- data backfill, reviewed in PR 311',
      '-- dbsafe:allow drop-table(public."Users"),drop-index(`idx a`) -- quoted names are fine',
    ].join('\n');
    const { markers, malformed } = parseMarkers(text, 'x.unknown');
    expect(malformed).toEqual([]);
    expect(markers.map((m) => [m.line, m.fileWide, m.items.map((i) => i.text), m.reason])).toEqual([
      [1, false, ['drop-column(orders.legacy_total)', 'rename-table'], 'reason text that is long'],
      [2, true, ['opaque'], 'data backfill, reviewed in PR 311'],
      [3, false, ['drop-table(public."Users")', 'drop-index(`idx a`)'], 'quoted names are fine'],
    ]);
    expect(markers[2].items[0].segments).toEqual([
      { text: 'public', quoted: false },
      { text: 'Users', quoted: true },
    ]);
  });

  it('keeps a marker without a reason (the policy reports it)', () => {
    const { markers } = parseMarkers('-- dbsafe:allow drop-table(users)', 'a.sql');
    expect(markers[0].reason).toBeUndefined();
  });

  it.each([
    ['-- dbsafe:allow', /no rule named/],
    ['-- dbsafe:allow drop-table users are gone', /unexpected "users are gone"/],
    ['-- dbsafe:allow drop-table(users -- reason is here', /missing "\)"/],
    ['-- dbsafe:allow drop-table() -- reason is here', /is not an object name/],
    ['-- dbsafe:allow drop-table(a..b) -- reason is here', /is not an object name/],
    ['-- dbsafe:allow Drop-Table -- reason is here', /expected a rule id/],
    ['-- dbsafe:ignore drop-table -- reason is here', /unknown directive "dbsafe:ignore"/],
    ['-- dbsafe:allow-next drop-table -- reason is here', /unknown directive/],
  ])('reports malformed markers: %s', (line, problem) => {
    const { markers, malformed } = parseMarkers(`\n${line}`, 'a.sql');
    expect(markers).toEqual([]);
    expect(malformed).toHaveLength(1);
    expect(malformed[0].line).toBe(2);
    expect(malformed[0].problem).toMatch(problem);
  });

  it('handles CRLF line endings', () => {
    const { markers } = parseMarkers('SELECT 1;\r\n-- dbsafe:allow truncate -- nightly scratch table\r\nTRUNCATE t;\r\n', 'a.sql');
    expect(markers[0]).toMatchObject({ line: 2, reason: 'nightly scratch table' });
  });

  it('picks the comment syntax from the extension', () => {
    expect(commentStyleFor('db/1.sql').comment('x')).toBe('-- x');
    expect(commentStyleFor('a/b.PY').comment('x')).toBe('# x');
    expect(commentStyleFor('a/b.mjs').comment('x')).toBe('// x');
    expect(commentStyleFor('a/b.xml').comment('x')).toBe('<!-- x -->');
  });
});

describe('parseMarkers: inner lines of block comments', () => {
  it.each([
    ['a.ts', '/**\n * Drops the legacy table.\n * dbsafe:allow drop-table(users) -- replaced by accounts in 0042\n */'],
    ['a.js', '/*\n  dbsafe:allow drop-table(users) -- replaced by accounts in 0042\n*/'],
    ['a.sql', '/*\n * dbsafe:allow drop-table(users) -- replaced by accounts in 0042\n */'],
    ['a.xml', '<!--\n  dbsafe:allow drop-table(users): replaced by accounts in 0042\n-->'],
  ])('%s', (path, text) => {
    const { markers, malformed } = parseMarkers(`x\n${text}\n`, path);
    expect(malformed).toEqual([]);
    expect(markers).toHaveLength(1);
    expect(markers[0]).toMatchObject({ items: [{ text: 'drop-table(users)' }], reason: 'replaced by accounts in 0042' });
    expect(markers[0].line).toBe(text.split('\n').findIndex((l) => l.includes('dbsafe:')) + 2);
  });

  it('a line after a closed block comment is not inside it', () => {
    const text = '/* note */\n dbsafe:allow drop-table -- not in a comment at all\n';
    expect(parseMarkers(text, 'a.sql').markers).toEqual([]);
  });

  it('a block opener after a line comment does not open a block', () => {
    const text = 'SELECT 1; -- see /* here\n * dbsafe:allow drop-table -- not in a comment at all\n';
    expect(parseMarkers(text, 'a.sql').markers).toEqual([]);
  });

  it('the block closes on a later line', () => {
    const text = '/*\n multi\n*/ SELECT 1;\n * dbsafe:allow drop-table -- not in a comment at all\n';
    expect(parseMarkers(text, 'a.sql').markers).toEqual([]);
  });
});
