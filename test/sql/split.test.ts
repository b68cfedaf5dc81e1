import { describe, expect, it } from 'vitest';
import type { Dialect } from '../../src/model/operation.js';
import { splitSql } from '../../src/sql/split.js';

function texts(sql: string, dialect: Dialect): string[] {
  return splitSql(sql, dialect).statements.map((s) => s.text);
}

describe('splitSql', () => {
  it.each<[string, Dialect, string, string[]]>([
    ['semicolons in strings and comments', 'postgres', "SELECT 'a;b'; -- x;y\nSELECT 2 /* ; */;", ["SELECT 'a;b'", 'SELECT 2 /* ; */']],
    ['doubled quotes', 'postgres', "SELECT 'it''s;'; SELECT \"a;\"\"b\";", ["SELECT 'it''s;'", 'SELECT "a;""b"']],
    ['dollar quotes with tags', 'postgres', 'CREATE FUNCTION f() AS $body$ BEGIN x; END $body$ LANGUAGE plpgsql; SELECT 1',
      ['CREATE FUNCTION f() AS $body$ BEGIN x; END $body$ LANGUAGE plpgsql', 'SELECT 1']],
    ['positional parameters are not dollar quotes', 'postgres', 'PREPARE p AS SELECT $1; SELECT 2', ['PREPARE p AS SELECT $1', 'SELECT 2']],
    ['E strings with backslash escapes', 'postgres', "SELECT E'a\\';b'; SELECT 2", ["SELECT E'a\\';b'", 'SELECT 2']],
    ['nested block comments in PostgreSQL', 'postgres', 'SELECT 1 /* a /* b; */ c; */; SELECT 2', ['SELECT 1 /* a /* b; */ c; */', 'SELECT 2']],
    ['backticks and # comments in MySQL', 'mysql', 'DROP TABLE `a;b`; # x; y\nSELECT 1', ['DROP TABLE `a;b`', 'SELECT 1']],
    ['backslash escapes in MySQL strings', 'mysql', "INSERT INTO t VALUES ('a\\';b'); SELECT 1", ["INSERT INTO t VALUES ('a\\';b')", 'SELECT 1']],
    ['DELIMITER directives', 'mysql', 'DELIMITER $$\nCREATE PROCEDURE p() BEGIN DELETE FROM t; END$$\nDELIMITER ;\nSELECT 1;',
      ['CREATE PROCEDURE p() BEGIN DELETE FROM t; END', 'SELECT 1']],
    ['MySQL trigger body without DELIMITER', 'mysql', 'CREATE TRIGGER tr BEFORE INSERT ON t FOR EACH ROW BEGIN IF NEW.a THEN SET NEW.b = 1; END IF; CASE WHEN 1 THEN SET @x = 1; END CASE; END; SELECT 1',
      ['CREATE TRIGGER tr BEFORE INSERT ON t FOR EACH ROW BEGIN IF NEW.a THEN SET NEW.b = 1; END IF; CASE WHEN 1 THEN SET @x = 1; END CASE; END', 'SELECT 1']],
    ['SQLite trigger body', 'sqlite', 'CREATE TRIGGER t AFTER UPDATE ON a BEGIN UPDATE b SET x = CASE WHEN 1 THEN 2 END; DELETE FROM c; END; DROP TABLE z;',
      ['CREATE TRIGGER t AFTER UPDATE ON a BEGIN UPDATE b SET x = CASE WHEN 1 THEN 2 END; DELETE FROM c; END', 'DROP TABLE z']],
    ['SQLite BEGIN TRANSACTION is not a body', 'sqlite', 'BEGIN TRANSACTION; DROP TABLE a; COMMIT;', ['BEGIN TRANSACTION', 'DROP TABLE a', 'COMMIT']],
    ['a column named function does not open a body', 'mysql', 'CREATE TABLE t (function varchar(9), x int); BEGIN; DROP TABLE a; END;',
      ['CREATE TABLE t (function varchar(9), x int)', 'BEGIN', 'DROP TABLE a', 'END']],
    ['PostgreSQL BEGIN ATOMIC bodies', 'postgres', 'CREATE FUNCTION f() RETURNS int LANGUAGE sql BEGIN ATOMIC SELECT 1; SELECT CASE WHEN true THEN 1 END; END; SELECT 2',
      ['CREATE FUNCTION f() RETURNS int LANGUAGE sql BEGIN ATOMIC SELECT 1; SELECT CASE WHEN true THEN 1 END; END', 'SELECT 2']],
    ['-- needs a space in MySQL', 'mysql', 'SELECT 1--1;\nSELECT 2', ['SELECT 1--1', 'SELECT 2']],
    ['SQLite [bracketed] names', 'sqlite', 'DROP TABLE [a;b]; SELECT 1', ['DROP TABLE [a;b]', 'SELECT 1']],
  ])('%s', (_name, dialect, sql, expected) => {
    expect(texts(sql, dialect)).toEqual(expected);
  });

  it('treats MySQL versioned comments as code and blanks their markers in `code`', () => {
    const { statements } = splitSql('/*!40101 SET NAMES utf8 */;\n/*!50001 DROP VIEW IF EXISTS `v`*/;\n/* plain; comment */ SELECT 1;', 'mysql');
    expect(statements.map((s) => s.text)).toEqual(['/*!40101 SET NAMES utf8 */', '/*!50001 DROP VIEW IF EXISTS `v`*/', 'SELECT 1']);
    expect(statements[1].code.trim()).toBe('DROP VIEW IF EXISTS `v`');
    expect(statements[1].code).toHaveLength(statements[1].text.length);
  });

  it('gives exact string offsets of each statement', () => {
    const sql = '-- héllo\nSELECT 1;\n\n  DROP TABLE x;';
    const { statements } = splitSql(sql, 'postgres');
    expect(statements.map((s) => sql.slice(s.start, s.end))).toEqual(['SELECT 1', 'DROP TABLE x']);
  });

  it('skips psql meta-commands and COPY … FROM stdin data, and says so', () => {
    const sql = '\\connect app\nCOPY t (a, b) FROM stdin;\n1\tx; DROP TABLE nope;\n\\.\nDROP TABLE real;\n\\i other.sql\n';
    const { statements, skipped } = splitSql(sql, 'postgres');
    expect(statements.map((s) => s.text)).toEqual(['COPY t (a, b) FROM stdin', 'DROP TABLE real']);
    expect(skipped.map((s) => s.reason)).toEqual(['psql meta-command', 'COPY … FROM stdin data', 'psql meta-command']);
  });

  it.each<[string, Dialect, string, string, number]>([
    ['string', 'postgres', "SELECT 1; SELECT 'abc", 'unterminated string literal', 17],
    ['quoted name', 'postgres', 'SELECT "abc', 'unterminated quoted identifier', 7],
    ['dollar quote', 'postgres', 'DO $x$ BEGIN DROP TABLE t; END', 'unterminated dollar-quoted string $x$', 3],
    ['comment', 'postgres', 'SELECT 1; /* open', 'unterminated /* comment', 10],
    ['nested comment', 'postgres', 'SELECT 1 /* a /* b */', 'unterminated /* comment', 9],
    ['backtick', 'mysql', 'DROP TABLE `abc', 'unterminated backtick-quoted identifier', 11],
    ['versioned comment', 'mysql', '/*!50001 DROP VIEW v', 'unterminated /*! versioned comment', 0],
  ])('reports an unterminated %s at its opening position', (_n, dialect, sql, message, offset) => {
    const { statements } = splitSql(sql, dialect);
    const bad = statements.find((s) => s.error);
    expect(bad?.error).toEqual({ message, offset });
  });

  it('is linear: a huge file with many statements and deep parentheses splits quickly', () => {
    const deep = 'SELECT ' + '('.repeat(200_000) + '1' + ')'.repeat(200_000) + ';\n';
    const many = 'INSERT INTO t VALUES (1, \'a;b\', "c"); -- c\n'.repeat(50_000);
    const { statements } = splitSql(deep + many, 'postgres');
    expect(statements).toHaveLength(50_001);
  });

  it('never loops on a lone quote at the end or stray delimiters', () => {
    for (const d of ['postgres', 'mysql', 'sqlite'] as const) {
      expect(() => splitSql(";;;'", d)).not.toThrow();
      expect(splitSql(';;;', d).statements).toEqual([]);
    }
  });
});
