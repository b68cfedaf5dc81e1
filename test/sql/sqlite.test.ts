import { describe, expect, it } from 'vitest';
import { read, seen } from './helpers.js';

const lite = (sql: string) => seen(sql, 'sqlite');

describe('SQLite: destructive statements', () => {
  it.each<[string, string, Array<Record<string, unknown>>]>([
    ['DROP TABLE', 'DROP TABLE IF EXISTS "users";', [{ kind: 'drop-table', object: 'users', flags: { ifExists: true } }]],
    ['DROP INDEX without ON (node-sql-parser rejects it)', 'DROP INDEX IF EXISTS idx_users_email;', [{ kind: 'drop-index', object: 'idx_users_email' }]],
    ["'single-quoted' names, which SQLite accepts", "DROP TABLE 'legacy'; DELETE FROM 'jobs';", [
      { kind: 'drop-table', object: 'legacy' }, { kind: 'delete-all', object: 'jobs' },
    ]],
    ['DROP INDEX schema-qualified', 'DROP INDEX main.idx;', [{ kind: 'drop-index', object: 'main.idx' }]],
    ['DROP VIEW / TRIGGER', 'DROP VIEW v; DROP TRIGGER IF EXISTS trg_x;', [{ kind: 'drop-view', object: 'v' }, { kind: 'drop-trigger', object: 'trg_x' }]],
    ['ALTER TABLE DROP COLUMN / RENAME', 'ALTER TABLE t DROP COLUMN c;\nALTER TABLE t RENAME COLUMN a TO b;\nALTER TABLE t RENAME a2 TO b2;\nALTER TABLE t RENAME TO t2;', [
      { kind: 'drop-column', object: 't.c', line: 1, column: 15 },
      { kind: 'rename-column', object: 't.a', line: 2, flags: { newName: 'b' } },
      { kind: 'rename-column', object: 't.a2', line: 3, flags: { newName: 'b2' } },
      { kind: 'rename-table', object: 't', line: 4, flags: { newName: 't2' } },
    ]],
    ['DELETE without WHERE, [bracketed] and `backtick` names', 'DELETE FROM [order items]; DELETE FROM `x`;', [
      { kind: 'delete-all', object: 'order items' }, { kind: 'delete-all', object: 'x' },
    ]],
    ['UPDATE OR REPLACE without WHERE', 'UPDATE OR REPLACE t SET a = 1;', [{ kind: 'update-all', object: 't' }]],
    ['trigger body with a DELETE without WHERE', 'CREATE TRIGGER t AFTER INSERT ON a BEGIN\n  DELETE FROM b;\n  UPDATE c SET x = 1 WHERE id = new.id;\nEND;', [
      { kind: 'delete-all', object: 'b', line: 2, column: 3, flags: { embedded: true } },
    ]],
  ])('%s', async (_name, sql, expected) => {
    const ops = await lite(sql);
    expect(ops).toHaveLength(expected.length);
    expected.forEach((e, i) => expect(ops[i]).toMatchObject(e));
  });

  it('table-rebuild pattern: the drop is reported, with a note that rows were copied first', async () => {
    const sql = [
      'PRAGMA foreign_keys=OFF;',
      'BEGIN TRANSACTION;',
      'CREATE TABLE "new__app_user" ("id" integer NOT NULL PRIMARY KEY AUTOINCREMENT, "name" varchar(50) NOT NULL);',
      'INSERT INTO "new__app_user" ("id", "name") SELECT "id", "name" FROM "app_user";',
      'DROP TABLE "app_user";',
      'ALTER TABLE "new__app_user" RENAME TO "app_user";',
      'CREATE INDEX "app_user_name_idx" ON "app_user" ("name");',
      'COMMIT;',
      'PRAGMA foreign_keys=ON;',
    ].join('\n');
    const ops = await read(sql, 'sqlite');
    expect(ops.map((o) => o.kind)).toEqual(['drop-table', 'rename-table']);
    expect(ops[0]).toMatchObject({ line: 5, target: { name: 'app_user' }, flags: { dataCopied: true } });
    expect(ops[0].detail).toMatch(/copied into new__app_user/);
  });

  it('sqlite3 shell dot-commands are skipped, not unparseable; .read of a file that cannot be read is opaque', async () => {
    expect(await lite('.headers on\n.mode csv\nDROP TABLE t;\n.read other.sql\n')).toMatchObject([
      { kind: 'drop-table', object: 't', line: 3 },
      { kind: 'opaque', line: 4 },
    ]);
  });

  it('embedded SQL keeps the file position and direction given by the format reader', async () => {
    const ops = await read('DELETE FROM jobs;\nDROP TABLE old;', 'sqlite', { startLine: 40, startColumn: 17, direction: 'down' });
    expect(ops.map((o) => [o.kind, o.line, o.column, o.direction])).toEqual([['delete-all', 40, 17, 'down'], ['drop-table', 41, 1, 'down']]);
  });

  it('a plain DROP without a copy is not marked as copied', async () => {
    const ops = await read('INSERT INTO other SELECT * FROM elsewhere;\nDROP TABLE app_user;', 'sqlite');
    expect(ops[0].flags.dataCopied).toBeUndefined();
  });

  it.each([
    'PRAGMA foreign_keys = OFF; BEGIN; COMMIT; VACUUM; ANALYZE;',
    'INSERT INTO t (id, a) VALUES (1, 2) ON CONFLICT(id) DO UPDATE SET a = excluded.a;',
    'INSERT OR IGNORE INTO t VALUES (1);',
    'CREATE TABLE t (id INTEGER PRIMARY KEY, x TEXT) WITHOUT ROWID; CREATE TABLE s (a INT) STRICT;',
    'CREATE TRIGGER upd AFTER UPDATE ON t BEGIN UPDATE t SET modified = CURRENT_TIMESTAMP WHERE id = NEW.id; END;',
    'CREATE VIRTUAL TABLE docs USING fts5(body); ATTACH DATABASE \'x.db\' AS x; DETACH DATABASE x; REINDEX;',
    'DELETE FROM t WHERE rowid NOT IN (SELECT MIN(rowid) FROM t GROUP BY a);',
  ])('reports nothing for safe SQL: %s', async (sql) => {
    expect(await read(sql, 'sqlite')).toEqual([]);
  });
});
