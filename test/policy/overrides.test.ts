import { describe, expect, it } from 'vitest';
import type { Operation } from '../../src/model/operation.js';
import { evaluate } from '../../src/policy/evaluate.js';
import { ruleDocsUrl } from '../../src/model/rule-docs.js';
import { check, column, config, file, op, summary, table } from '../rules/helpers.js';

const REASON = 'replaced by accounts; data migrated in 0042';

/** An operation at a line, in a statement starting at `statementLine` (default: the same line). */
function at(line: number, o: Operation, statementLine = line, statement = `stmt@${statementLine}`): Operation {
  return { ...o, line, statementLine, statement };
}

describe('override markers', () => {
  it('a marker above the statement allows it, and the override is listed with its reason', () => {
    const text = `-- dbsafe:allow drop-table(users) -- ${REASON}\nDROP TABLE users;`;
    const { findings, overridesUsed } = check(text, [at(2, op('drop-table', table('users')))]);
    expect(findings).toEqual([]);
    expect(overridesUsed).toEqual([
      { file: 'db/migrations/001.sql', line: 1, rule: 'drop-table', object: 'users', reason: REASON, fileWide: false, operationLines: [2] },
    ]);
  });

  it('a marker without a reason is reported and the operation stays blocked', () => {
    const text = `-- dbsafe:allow drop-table(users)\nDROP TABLE users;`;
    const { findings, overridesUsed } = check(text, [at(2, op('drop-table', table('users')))]);
    expect(summary(findings)).toEqual(['override-missing-reason:error@1', 'drop-table:error@2']);
    expect(findings[0].message).toContain('drop-table(users) has no reason');
    expect(findings[0].help).toContain('-- dbsafe:allow drop-table(users) -- <why this is safe>');
    expect(overridesUsed).toEqual([]);
  });

  it('a reason shorter than overrides.minReasonLength is refused (configurable)', () => {
    const text = `-- dbsafe:allow drop-table -- ok\nDROP TABLE users;`;
    const ops = [at(2, op('drop-table', table('users')))];
    const short = check(text, ops);
    expect(summary(short.findings)).toEqual(['override-missing-reason:error@1', 'drop-table:error@2']);
    expect(short.findings[0].message).toContain('shorter than 10 characters ("ok")');
    expect(check(text, ops, { overrides: { minReasonLength: 2 } }).findings).toEqual([]);
  });

  it('the placeholder pasted from the help is not a reason', () => {
    const text = `-- dbsafe:allow drop-table(users) -- <why this is safe>\nDROP TABLE users;`;
    const { findings } = check(text, [at(2, op('drop-table', table('users')))]);
    expect(summary(findings)).toEqual(['override-missing-reason:error@1', 'drop-table:error@2']);
    expect(findings[0].message).toContain('placeholder');
  });

  it('a marker naming another object does not allow the operation and is unused', () => {
    const text = `-- dbsafe:allow drop-table(accounts) -- ${REASON}\nDROP TABLE users;`;
    const { findings } = check(text, [at(2, op('drop-table', table('users')))]);
    expect(summary(findings)).toEqual(['unused-override:warn@1', 'drop-table:error@2']);
    expect(findings[0].message).toContain('"drop-table(accounts)" covers nothing');
  });

  it('a marker naming another rule does not allow the operation', () => {
    const text = `-- dbsafe:allow truncate -- ${REASON}\nDROP TABLE users;`;
    expect(summary(check(text, [at(2, op('drop-table', table('users')))]).findings)).toEqual([
      'unused-override:warn@1',
      'drop-table:error@2',
    ]);
  });

  describe('protected objects', () => {
    const protectedUsers = { protected: ['users'] };

    it('a bare rule does not cover a protected table; the finding and the unused marker say why', () => {
      const text = `-- dbsafe:allow drop-table -- ${REASON}\nDROP TABLE users;`;
      const { findings } = check(text, [at(2, op('drop-table', table('users')))], protectedUsers);
      expect(summary(findings)).toEqual(['unused-override:warn@1', 'protected-object:error@2']);
      expect(findings[1].help).toContain('The marker "drop-table" does not cover it');
      expect(findings[1].help).toContain('-- dbsafe:allow drop-table(users) -- <why this is safe>');
      expect(findings[0].message).toContain('which a marker must name: drop-table(users)');
    });

    it('a marker naming the object covers it (also as protected-object(name)), and is listed', () => {
      for (const item of ['drop-table(users)', 'protected-object(users)', 'drop-table(public.users)']) {
        const text = `-- dbsafe:allow ${item} -- ${REASON}\nDROP TABLE users;`;
        const { findings, overridesUsed } = check(text, [at(2, op('drop-table', table('users')))], protectedUsers);
        expect(findings).toEqual([]);
        expect(overridesUsed).toMatchObject([{ line: 1, object: 'users', reason: REASON }]);
      }
    });

    it('protected-object without an object is an unknown-override', () => {
      const text = `-- dbsafe:allow protected-object -- ${REASON}\nDROP TABLE users;`;
      const { findings } = check(text, [at(2, op('drop-table', table('users')))], protectedUsers);
      expect(summary(findings)).toEqual(['unknown-override:error@1', 'protected-object:error@2']);
      expect(findings[0].message).toContain('must name the object');
    });

    it('a column of a protected table must be named as a column', () => {
      const dropColumn = at(2, op('drop-column', column('users', 'email')));
      const named = check(`-- dbsafe:allow drop-column(users.email) -- ${REASON}\nx`, [dropColumn], protectedUsers);
      expect(named.findings).toEqual([]);
      const wrong = check(`-- dbsafe:allow drop-table(users) -- ${REASON}\nx`, [dropColumn], protectedUsers);
      expect(summary(wrong.findings)).toEqual(['unused-override:warn@1', 'protected-object:error@2']);
    });

    it('schema-qualified names follow the same rules as config', () => {
      const qualified = at(2, op('drop-table', table('users', 'auth')));
      // unqualified marker, qualified object: matches any schema by default
      expect(check(`-- dbsafe:allow drop-table(users) -- ${REASON}\nx`, [qualified], protectedUsers).findings).toEqual([]);
      // ...but not when unqualified names mean the default schema only
      const limited = { ...protectedUsers, unqualifiedMatchesAnySchema: false, protected: ['auth.users'] };
      expect(summary(check(`-- dbsafe:allow drop-table(users) -- ${REASON}\nx`, [qualified], limited).findings)).toEqual([
        'unused-override:warn@1',
        'protected-object:error@2',
      ]);
      expect(check(`-- dbsafe:allow drop-table(auth.users) -- ${REASON}\nx`, [qualified], limited).findings).toEqual([]);
      // a marker for another schema does not cover it
      expect(summary(check(`-- dbsafe:allow drop-table(billing.users) -- ${REASON}\nx`, [qualified], protectedUsers).findings)).toEqual([
        'unused-override:warn@1',
        'protected-object:error@2',
      ]);
    });

    it('names in markers follow the dialect case rules', () => {
      const quoted = at(2, op('drop-table', { type: 'table', name: 'Users', written: '"Users"' }));
      const cfg = { protected: ['"Users"'] };
      expect(check(`-- dbsafe:allow drop-table("Users") -- ${REASON}\nx`, [quoted], cfg).findings).toEqual([]);
      expect(summary(check(`-- dbsafe:allow drop-table("users") -- ${REASON}\nx`, [quoted], cfg).findings)).toContain(
        'protected-object:error@2',
      );
      const mysql = at(2, op('drop-table', table('Users'), { dialect: 'mysql' }));
      expect(check(`-- dbsafe:allow drop-table(USERS) -- ${REASON}\nx`, [mysql], { protected: ['users'] }).findings).toEqual([]);
    });

    it('allow-file covers a protected object only when it names it', () => {
      const ops = [at(3, op('drop-table', table('users'))), at(4, op('drop-table', table('tmp')))];
      const bare = check(`-- dbsafe:allow-file drop-table -- ${REASON}\n\nx\ny`, ops, protectedUsers);
      expect(summary(bare.findings)).toEqual(['protected-object:error@3']);
      const named = check(`-- dbsafe:allow-file drop-table(users), drop-table -- ${REASON}\n\nx\ny`, ops, protectedUsers);
      expect(named.findings).toEqual([]);
      expect(named.overridesUsed.map((o) => [o.rule, o.object, o.fileWide])).toEqual([
        ['drop-table', 'users', true],
        ['drop-table', 'tmp', true],
      ]);
    });
  });

  describe('what a marker covers', () => {
    it('only the next statement: not the one after it', () => {
      const text = `-- dbsafe:allow drop-table -- ${REASON}\nDROP TABLE a;\nDROP TABLE b;`;
      const ops = [at(2, op('drop-table', table('a'))), at(3, op('drop-table', table('b')))];
      expect(summary(check(text, ops).findings)).toEqual(['drop-table:error@3']);
    });

    it('a marker between two statements on consecutive lines covers the one after it', () => {
      const text = `DROP TABLE a;\n-- dbsafe:allow drop-table -- ${REASON}\nDROP TABLE b;`;
      const ops = [at(1, op('drop-table', table('a'))), at(3, op('drop-table', table('b')))];
      expect(summary(check(text, ops).findings)).toEqual(['drop-table:error@1']);
    });

    it('skips comment lines and blank lines to the next statement', () => {
      const text = `-- dbsafe:allow drop-table(users) -- ${REASON}\n-- the accounts table replaces it\n\n\nDROP TABLE users;`;
      const { findings } = check(text, [at(5, op('drop-table', table('users')))], { protected: ['users'] });
      expect(findings).toEqual([]);
    });

    it('on the same line: the operations of that line', () => {
      const text = `DROP TABLE a; DROP TABLE b; -- dbsafe:allow drop-table -- ${REASON}\nDROP TABLE c;`;
      const ops = [
        at(1, op('drop-table', table('a')), 1, 'DROP TABLE a;'),
        { ...at(1, op('drop-table', table('b')), 1, 'DROP TABLE b;'), column: 15 },
        at(2, op('drop-table', table('c'))),
      ];
      const { findings, overridesUsed } = check(text, ops);
      expect(summary(findings)).toEqual(['drop-table:error@2']);
      expect(overridesUsed.map((o) => o.object)).toEqual(['a', 'b']);
    });

    it('every operation of one statement (DROP TABLE a, b): a bare rule covers both unprotected tables', () => {
      const text = `-- dbsafe:allow drop-table -- ${REASON}\nDROP TABLE a, b;`;
      const ops = [at(2, op('drop-table', table('a'))), { ...at(2, op('drop-table', table('b'))), column: 15 }];
      expect(check(text, ops).findings).toEqual([]);
    });

    it('DROP TABLE a, b with both protected: each must be named', () => {
      const ops = [at(2, op('drop-table', table('a'))), { ...at(2, op('drop-table', table('b'))), column: 15 }];
      const cfg = { protected: ['a', 'b'] };
      expect(check(`-- dbsafe:allow drop-table(a), drop-table(b) -- ${REASON}\nx`, ops, cfg).findings).toEqual([]);
      const one = check(`-- dbsafe:allow drop-table(a) -- ${REASON}\nx`, ops, cfg);
      expect(one.findings.map((f) => `${f.rule}:${f.protectedObject}`)).toEqual(['protected-object:b']);
    });

    it('a marker inside a multi-line ALTER TABLE covers only the sub-commands after it', () => {
      const text = [
        'ALTER TABLE t',
        '  DROP COLUMN a,',
        `  -- dbsafe:allow drop-column -- ${REASON}`,
        '  DROP COLUMN b;',
      ].join('\n');
      const ops = [at(2, op('drop-column', column('t', 'a')), 1, 'ALTER...'), at(4, op('drop-column', column('t', 'b')), 1, 'ALTER...')];
      expect(summary(check(text, ops).findings)).toEqual(['drop-column:error@2']);
    });

    it('a marker above a multi-line ALTER TABLE covers all its sub-commands', () => {
      const text = `-- dbsafe:allow drop-column -- ${REASON}\nALTER TABLE t\n  DROP COLUMN a,\n  DROP COLUMN b;`;
      const ops = [at(3, op('drop-column', column('t', 'a')), 2, 'ALTER...'), at(4, op('drop-column', column('t', 'b')), 2, 'ALTER...')];
      const { findings, overridesUsed } = check(text, ops);
      expect(findings).toEqual([]);
      expect(overridesUsed.map((o) => o.object)).toEqual(['t.a', 't.b']);
    });

    it('one marker with several items: each item must be used', () => {
      const text = `# dbsafe:allow drop-column(orders.legacy_total), rename-table -- ${REASON}\nx`;
      const ops = [at(2, op('drop-column', column('orders', 'legacy_total')), 2, 'ALTER')];
      const { findings, overridesUsed } = check(text, ops, {}, { path: 'db/migrate/1.rb' });
      expect(summary(findings)).toEqual(['unused-override:warn@1']);
      expect(findings[0].message).toContain('"rename-table" covers nothing');
      expect(overridesUsed.map((o) => o.rule)).toEqual(['drop-column']);
    });

    it('two markers stacked above one statement both apply', () => {
      const text = `-- dbsafe:allow drop-table(a) -- ${REASON}\n-- dbsafe:allow drop-table(b) -- ${REASON}\nDROP TABLE a, b;`;
      const ops = [at(3, op('drop-table', table('a'))), { ...at(3, op('drop-table', table('b'))), column: 15 }];
      expect(check(text, ops, { protected: ['a', 'b'] }).findings).toEqual([]);
    });

    it('a marker at the end of the file covers nothing', () => {
      const text = `DROP TABLE a;\n-- dbsafe:allow drop-table -- ${REASON}`;
      expect(summary(check(text, [at(1, op('drop-table', table('a')))]).findings)).toEqual([
        'drop-table:error@1',
        'unused-override:warn@2',
      ]);
    });

    it('allow-file covers every matching operation in the file', () => {
      const text = `// dbsafe:allow-file opaque -- data backfill, reviewed in PR 311\nx\ny`;
      const ops = [at(2, op('opaque', undefined, { file: 'm/1.js' })), at(3, op('opaque', undefined, { file: 'm/1.js' }))];
      const { findings, overridesUsed } = check(text, ops, {}, { path: 'm/1.js' });
      expect(findings).toEqual([]);
      expect(overridesUsed).toEqual([
        { file: 'm/1.js', line: 1, rule: 'opaque', object: undefined, reason: 'data backfill, reviewed in PR 311', fileWide: true, operationLines: [2, 3] },
      ]);
    });
  });

  describe('invalid markers', () => {
    it('an unknown rule id is an error with a suggestion, and allows nothing', () => {
      const text = `-- dbsafe:allow drop-tabel(users) -- ${REASON}\nDROP TABLE users;`;
      const { findings } = check(text, [at(2, op('drop-table', table('users')))]);
      expect(summary(findings)).toEqual(['unknown-override:error@1', 'drop-table:error@2']);
      expect(findings[0].message).toContain('there is no rule "drop-tabel" (did you mean "drop-table"?)');
      expect(findings[0].docs).toBe(ruleDocsUrl('unknown-override'));
    });

    it('a malformed marker is an unknown-override error', () => {
      const { findings } = check('-- dbsafe:allow drop-table users are gone\nx', [at(2, op('drop-table', table('users')))]);
      expect(summary(findings)).toEqual(['unknown-override:error@1', 'drop-table:error@2']);
    });

    it('marker rules cannot be allowed by a marker', () => {
      const { findings } = check(`-- dbsafe:allow-file unused-override -- ${REASON}`, []);
      expect(summary(findings)).toEqual(['unknown-override:error@1']);
      expect(findings[0].message).toContain('cannot be allowed by one');
    });

    it('marker findings have configurable severity', () => {
      const text = `-- dbsafe:allow drop-table -- ${REASON}`;
      expect(check(text, [], { rules: { 'unused-override': 'off' } }).findings).toEqual([]);
      expect(summary(check(text, [], { rules: { 'unused-override': 'error' } }).findings)).toEqual(['unused-override:error@1']);
    });
  });

  describe('changed files', () => {
    it('markers attached to operations already committed are used, but those operations report nothing', () => {
      const old = at(2, op('drop-table', table('users')));
      const added = at(4, op('drop-table', table('orders')));
      const text = `-- dbsafe:allow drop-table(users) -- ${REASON}\nDROP TABLE users;\n\nDROP TABLE orders;`;
      const { findings, overridesUsed } = check(text, [old, added], { protected: ['users'] }, { preexisting: new Set([old]) });
      expect(summary(findings)).toEqual(['drop-table:error@4']);
      expect(overridesUsed).toEqual([]);
    });

    it('edited-applied-migration: modified, renamed, deleted; allow-file; severity', () => {
      const modified = check('SELECT 1;', [], {}, { edit: { change: 'modified' } });
      expect(summary(modified.findings)).toEqual(['edited-applied-migration:warn@1']);
      expect(modified.findings[0].message).toContain('db/migrations/001.sql already exists on the base branch and is modified');
      expect(modified.findings[0].help).toContain('-- dbsafe:allow-file edited-applied-migration -- <why this is safe>');

      const renamed = check('', [], {}, { edit: { change: 'renamed', from: 'db/migrations/000.sql' } });
      expect(renamed.findings[0].message).toContain('is renamed (from db/migrations/000.sql)');

      const deleted = check('', [], {}, { edit: { change: 'deleted' } });
      expect(deleted.findings[0].message).toContain('is deleted');
      expect(deleted.findings[0].help).toContain('cannot carry a marker');

      const allowed = check(`-- dbsafe:allow-file edited-applied-migration -- fixing a typo in a comment`, [], {}, { edit: { change: 'modified' } });
      expect(allowed.findings).toEqual([]);
      expect(allowed.overridesUsed).toMatchObject([{ rule: 'edited-applied-migration', fileWide: true, line: 1 }]);

      expect(summary(check('', [], { rules: { 'edited-applied-migration': 'error' } }, { edit: { change: 'modified' } }).findings)).toEqual([
        'edited-applied-migration:error@1',
      ]);
      expect(check('', [], { rules: { 'edited-applied-migration': 'off' } }, { edit: { change: 'deleted' } }).findings).toEqual([]);
    });
  });
});

describe('down direction and severity', () => {
  const down = (o: Operation) => ({ ...o, direction: 'down' as const });

  it('down operations are reported as warnings by default, never blocking', () => {
    const ops = [down(op('drop-table', table('users'))), down(op('unparseable', undefined, { line: 2 }))];
    expect(summary(check('', ops).findings)).toEqual(['drop-table:warn@1', 'unparseable:warn@2']);
    expect(check('', ops).findings[0].message).toContain('in the down migration, which runs on rollback');
  });

  it('down: error makes them block; down: off hides them', () => {
    const ops = [down(op('drop-table', table('users'))), down(op('drop-index', { type: 'index', name: 'i' }, { line: 2 }))];
    expect(summary(check('', ops, { down: 'error' }).findings)).toEqual(['drop-table:error@1', 'drop-index:warn@2']);
    expect(check('', ops, { down: 'off' }).findings).toEqual([]);
  });

  it('a protected object dropped on rollback is a warning too (a create migration\'s down drops what it created)', () => {
    const { findings } = check('', [down(op('drop-table', table('users')))], { protected: ['users'] });
    expect(summary(findings)).toEqual(['protected-object:warn@1']);
    expect(summary(check('', [down(op('drop-table', table('users')))], { protected: ['users'], down: 'error' }).findings)).toEqual([
      'protected-object:error@1',
    ]);
  });

  it('the rule severity still applies under the down cap', () => {
    expect(check('', [down(op('drop-table', table('users')))], { rules: { 'drop-table': 'off' }, down: 'error' }).findings).toEqual([]);
  });

  it('unparseable and opaque can be lowered to warn by a user who insists', () => {
    const ops = [op('unparseable'), op('opaque', undefined, { line: 2 })];
    expect(summary(check('', ops, { rules: { unparseable: 'warn', opaque: 'warn' } }).findings)).toEqual([
      'unparseable:warn@1',
      'opaque:warn@2',
    ]);
  });

  it('a marker for an operation whose rule is off is not reported as unused', () => {
    const text = `-- dbsafe:allow drop-index -- ${REASON}\nDROP INDEX i;`;
    const { findings, overridesUsed } = check(text, [at(2, op('drop-index', { type: 'index', name: 'i' }))], { rules: { 'drop-index': 'off' } });
    expect(findings).toEqual([]);
    expect(overridesUsed).toEqual([]);
  });

  it('evaluates several files, each with its own markers and comment syntax', () => {
    const sql = file(`-- dbsafe:allow drop-table -- ${REASON}\nDROP TABLE a;`, [at(2, op('drop-table', table('a')))]);
    const py = file('op.drop_table("b")', [op('drop-table', table('b'), { file: 'alembic/versions/2.py' })]);
    const { findings, overridesUsed } = evaluate([sql, py], config());
    expect(findings.map((f) => `${f.file}:${f.rule}`)).toEqual(['alembic/versions/2.py:drop-table']);
    expect(findings[0].help).toContain('# dbsafe:allow drop-table(b) -- <why this is safe>');
    expect(overridesUsed).toHaveLength(1);
  });
});

describe('markers in every comment syntax, applied', () => {
  const syntaxes: Array<[string, (body: string) => string]> = [
    ['m/1.sql', (b) => `-- ${b}`],
    ['m/1.sql', (b) => `/* ${b} */`],
    ['m/1.py', (b) => `    # ${b}`],
    ['m/1.rb', (b) => `  # ${b}`],
    ['m/1.yaml', (b) => `# ${b}`],
    ['m/1.js', (b) => `  // ${b}`],
    ['m/1.ts', (b) => `  /* ${b} */`],
    ['m/1.xml', (b) => `  <!-- ${b.replace(' -- ', ': ')} -->`],
  ];

  it.each(syntaxes)('%s: a marker with a reason allows the next operation and is listed', (path, comment) => {
    const text = `${comment(`dbsafe:allow drop-table(users) -- ${REASON}`)}\n  drop users\n`;
    const { findings, overridesUsed } = check(text, [at(2, op('drop-table', table('users'), { file: path }))], { protected: ['users'] }, { path });
    expect(findings).toEqual([]);
    expect(overridesUsed).toMatchObject([{ file: path, line: 1, rule: 'drop-table', object: 'users', reason: REASON }]);
  });

  it.each(syntaxes)('%s: without a reason the operation stays blocked', (path, comment) => {
    const text = `${comment('dbsafe:allow drop-table(users)')}\n  drop users\n`;
    const { findings } = check(text, [at(2, op('drop-table', table('users'), { file: path }))], {}, { path });
    expect(summary(findings)).toEqual(['override-missing-reason:error@1', 'drop-table:error@2']);
  });

  it.each(syntaxes)('%s: a same-line marker covers the operation on its line', (path, comment) => {
    const text = `drop users ${comment(`dbsafe:allow drop-table -- ${REASON}`).trim()}\ndrop accounts\n`;
    const ops = [at(1, op('drop-table', table('users'), { file: path })), at(2, op('drop-table', table('accounts'), { file: path }))];
    expect(summary(check(text, ops, {}, { path }).findings)).toEqual(['drop-table:error@2']);
  });
});

describe('fail closed', () => {
  it('an operation kind no rule knows is reported as unparseable', () => {
    const odd = { ...op('drop-table', table('users')), kind: 'drop-procedure' } as unknown as Operation;
    const { findings } = check('', [odd]);
    expect(summary(findings)).toEqual(['unparseable:error@1']);
    expect(findings[0].message).toContain('unknown operation kind "drop-procedure"');
  });
});
