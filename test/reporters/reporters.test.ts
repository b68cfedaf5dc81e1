import { describe, expect, it } from 'vitest';
import type { Finding, UsedOverride } from '../../src/model/finding.js';
import { exitCodeFor, report, reportPieces, type ReportInput } from '../../src/reporters/index.js';

const source = ['-- legacy cleanup', 'ALTER TABLE orders', '\tDROP COLUMN legacy_total;', 'DROP TABLE users;', ''].join('\n');

const dropColumn: Finding = {
  rule: 'drop-column',
  severity: 'error',
  message: 'Drops column orders.legacy_total',
  help: 'Stop reading the column first, then drop it in a later release.',
  docs: 'https://example.test/docs/rules/drop-column.md',
  file: 'db/migrations/002 drop, "legacy".sql',
  line: 3,
  column: 2,
  statement: 'ALTER TABLE orders\n\tDROP COLUMN legacy_total;',
  statementLine: 2,
  object: 'orders.legacy_total',
  marker: '-- dbsafe:allow drop-column(orders.legacy_total) -- <why this is safe>',
  operation: {
    kind: 'drop-column',
    target: { type: 'column', table: 'orders', name: 'legacy_total', written: 'legacy_total' },
    file: 'db/migrations/002 drop, "legacy".sql',
    line: 3,
    column: 2,
    direction: 'up',
    flags: {},
    statement: 'ALTER TABLE orders\n\tDROP COLUMN legacy_total;',
    statementLine: 2,
  },
};
const renameWarn: Finding = { ...dropColumn, object: undefined, marker: undefined, rule: 'rename-table', severity: 'warn', message: 'Renames table a', line: 4, column: 1, statementLine: 4, statement: 'DROP TABLE users;', operation: undefined };
const override: UsedOverride = { file: 'db/migrations/001.sql', line: 7, rule: 'drop-table', object: 'users', reason: 'replaced by accounts in 0042', fileWide: false };

const input: ReportInput = {
  findings: [renameWarn, dropColumn],
  overridesUsed: [override],
  filesChecked: 2,
  operations: 5,
  sources: new Map([[dropColumn.file, source]]),
};

describe('text reporter', () => {
  const text = report(input, 'text', { color: false });

  it('prints file:line:col, severity and rule, message, errors first', () => {
    const lines = text.split('\n');
    expect(lines[0]).toBe('db/migrations/002 drop, "legacy".sql:3:2  error drop-column  Drops column orders.legacy_total');
    expect(text.indexOf('error drop-column')).toBeLessThan(text.indexOf('warn rename-table'));
  });

  it('shows the statement with the caret under the operation column (tabs kept)', () => {
    const lines = text.split('\n');
    const at = lines.findIndex((l) => l.includes('\tDROP COLUMN legacy_total;'));
    expect(lines[at - 1]).toContain('2 | ALTER TABLE orders');
    expect(lines[at]).toBe('  3 | \tDROP COLUMN legacy_total;');
    expect(lines[at + 1]).toBe('    | \t^');
    expect(text).toContain('help: Stop reading the column first');
    expect(text).toContain('docs: https://example.test/docs/rules/drop-column.md');
  });

  it('lists every override used with its reason, then a summary that says how to override', () => {
    expect(text).toContain('Overrides used (1):\n  db/migrations/001.sql:7  drop-table(users)  -- replaced by accounts in 0042');
    expect(text).toMatch(/✖ dbsafe-hooks: 1 error, 1 warning in 2 migration files \(5 operations checked\); 1 override used: blocked/);
    expect(text).toContain('-- dbsafe:allow drop-column(orders.legacy_total) -- <why this is safe>');
  });

  it('has no ANSI codes without colour, and has them with it', () => {
    expect(text).not.toMatch(/\u001b\[/);
    expect(report(input, 'text', { color: true })).toMatch(/\u001b\[31merror drop-column\u001b\[39m/);
  });

  it('shows a path with a newline escaped, on one line', () => {
    const f: Finding = { ...dropColumn, file: 'db/new\nline.sql' };
    const out = report({ findings: [f], overridesUsed: [], filesChecked: 1, operations: 1 }, 'text');
    expect(out.split('\n')[0]).toBe('"db/new\\nline.sql":3:2  error drop-column  Drops column orders.legacy_total');
  });

  it('a clean run says so', () => {
    expect(report({ findings: [], overridesUsed: [], filesChecked: 1, operations: 0 }, 'text')).toBe('✔ dbsafe-hooks: 0 errors, 0 warnings in 1 migration file (0 operations checked)\n');
  });

  it('puts the caret in the right place on a very long line', () => {
    const long = `${'x'.repeat(300)}DROP TABLE t;`;
    const f: Finding = { ...dropColumn, line: 1, column: 301, statementLine: 1, file: 'l.sql' };
    const out = report({ findings: [f], overridesUsed: [], filesChecked: 1, operations: 1, sources: new Map([['l.sql', long]]) }, 'text').split('\n');
    const code = out[1]!.slice('  1 | '.length);
    const caret = out[2]!.slice('  1 | '.length);
    expect(code.slice(caret.indexOf('^'), caret.indexOf('^') + 4)).toBe('DROP');
  });
});

describe('json reporter', () => {
  it('has the documented stable shape', () => {
    const json = JSON.parse(report(input, 'json'));
    expect(Object.keys(json)).toEqual(['version', 'summary', 'findings', 'overridesUsed']);
    expect(json.version).toBe(1);
    expect(json.summary).toEqual({ errors: 1, warnings: 1, files: 2, operations: 5, overrides: 1 });
    expect(json.findings[0]).toMatchObject({
      rule: 'drop-column',
      severity: 'error',
      file: dropColumn.file,
      line: 3,
      column: 2,
      kind: 'drop-column',
      direction: 'up',
      object: 'orders.legacy_total',
      statement: dropColumn.statement,
      statementLine: 2,
      docs: dropColumn.docs,
    });
    expect(json.overridesUsed).toEqual([override]);
  });
});

describe('sarif reporter', () => {
  const sarif = JSON.parse(report(input, 'sarif', { version: '1.2.3' }));

  it('is a SARIF 2.1.0 log with rules and results pointing at the files', () => {
    expect(sarif.version).toBe('2.1.0');
    expect(sarif.$schema).toMatch(/sarif-2\.1\.0/);
    const run = sarif.runs[0];
    expect(run.tool.driver.name).toBe('dbsafe-hooks');
    expect(run.tool.driver.version).toBe('1.2.3');
    const ids = run.tool.driver.rules.map((r: { id: string }) => r.id);
    for (const result of run.results) {
      expect(ids[result.ruleIndex]).toBe(result.ruleId);
      expect(['error', 'warning', 'note']).toContain(result.level);
      expect(result.locations[0].physicalLocation.region.startLine).toBeGreaterThan(0);
    }
    const error = run.results.find((r: { ruleId: string }) => r.ruleId === 'drop-column');
    expect(error.level).toBe('error');
    expect(error.locations[0].physicalLocation.artifactLocation.uri).toBe('db/migrations/002%20drop%2C%20%22legacy%22.sql');
  });

  it('reports used overrides as suppressed results with the reason', () => {
    const suppressed = sarif.runs[0].results.filter((r: { suppressions?: unknown[] }) => r.suppressions);
    expect(suppressed).toHaveLength(1);
    expect(suppressed[0].suppressions[0]).toEqual({ kind: 'inSource', status: 'accepted', justification: 'replaced by accounts in 0042' });
  });
});

describe('github reporter', () => {
  it('prints escaped workflow commands for findings and notices for overrides', () => {
    const out = report(input, 'github').split('\n');
    expect(out[0]).toBe(
      '::error file=db/migrations/002 drop%2C "legacy".sql,line=3,col=2,title=dbsafe drop-column::Drops column orders.legacy_total%0AStop reading the column first, then drop it in a later release.%0Ahttps://example.test/docs/rules/drop-column.md',
    );
    expect(out[1]).toMatch(/^::warning file=.*line=4,col=1,title=dbsafe rename-table::Renames table a/);
    expect(out[2]).toMatch(/^::notice file=db\/migrations\/001.sql,line=7,title=dbsafe override drop-table\(users\)::Override used: drop-table\(users\) -- replaced by accounts in 0042$/);
  });
});

describe('reports written in pieces (check writes them so, never as one string)', () => {
  // a statement with a newline, quotes and a backslash: escaped inside strings, never a line of the layout
  const tricky: Finding = { ...dropColumn, line: 9, statement: 'DROP TABLE "a\\b";\n-- "x"', message: 'Drops table "a\\b"' };
  const many = Array.from({ length: 300 }, (_, i) => ({ ...dropColumn, line: i + 1, file: `db/m${i % 7}.sql` }));
  const cases: Array<[string, ReportInput]> = [
    ['nothing found', { findings: [], overridesUsed: [], filesChecked: 0, operations: 0 }],
    ['one finding, no override', { findings: [dropColumn], overridesUsed: [], filesChecked: 1, operations: 1 }],
    ['only an override', { findings: [], overridesUsed: [override], filesChecked: 1, operations: 1 }],
    ['findings and overrides', input],
    ['escapes inside strings', { findings: [tricky, renameWarn], overridesUsed: [override, { ...override, operationLines: [3, 4], fileWide: true }], filesChecked: 2, operations: 3 }],
    ['hundreds of findings', { findings: many, overridesUsed: [override], filesChecked: 7, operations: 300 }],
  ];
  it.each(cases)('JSON and SARIF are exactly JSON.stringify of the whole document: %s', (_name, result) => {
    for (const format of ['json', 'sarif'] as const) {
      const pieces = [...reportPieces(result, format, { version: '1.2.3' })];
      const whole = pieces.join('');
      expect(whole).toBe(`${JSON.stringify(JSON.parse(whole), null, 2)}\n`);
      if (result.findings.length > 1) expect(pieces.length).toBeGreaterThan(result.findings.length);
    }
    expect(JSON.parse(report(result, 'json')).findings).toHaveLength(result.findings.length);
    expect(JSON.parse(report(result, 'sarif')).runs[0].results).toHaveLength(result.findings.length + result.overridesUsed.length);
  });
});

describe('exit codes', () => {
  it('1 when something is at error level, 0 for warnings only', () => {
    expect(exitCodeFor(input)).toBe(1);
    expect(exitCodeFor({ ...input, findings: [renameWarn] })).toBe(0);
  });
});
