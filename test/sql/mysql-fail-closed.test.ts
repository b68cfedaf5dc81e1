/**
 * MySQL / MariaDB / SQLite text that a server runs destructively but that was once read as harmless: each row is
 * a statement and the findings a user must see (kind, object); the valid rows must stay quiet.
 */
import { describe, expect, it } from 'vitest';
import { kinds, seen } from './helpers.js';

type Dialect = 'mysql' | 'mariadb' | 'sqlite';

const ids = Array.from({ length: 30 }, (_, k) => k + 1).join(', ');

const invalid: Array<[string, string, Dialect, string[]]> = [
  // `--` needs a space after it in MySQL: `0--1` is 0 - (-1)
  ['`--` without a space is minus minus', 'DELETE FROM orders WHERE 0--1;', 'mysql', ['delete-all orders']],
  ['`--` without a space inside ALTER TABLE', 'ALTER TABLE accounts ADD CONSTRAINT c CHECK (id--1 > 0), DROP COLUMN email;', 'mysql', ['drop-column accounts.email']],
  ['a condition of constants only', 'UPDATE orders SET total = 0 WHERE 2 - 1;', 'mysql', ['update-all orders']],
  // no size limit on an always-true WHERE
  ['`1 OR` before a long list', `DELETE FROM orders WHERE 1 OR id IN (${ids});`, 'mysql', ['delete-all orders']],
  ['`1 OR` before a long list (SQLite)', `DELETE FROM orders WHERE 1 OR id IN (${ids});`, 'sqlite', ['delete-all orders']],
  ['a long OR whose ends cover every value', `DELETE FROM orders WHERE id > 0 OR id IN (${ids}) OR id <= 0;`, 'mysql', ['delete-all orders']],
  // a versioned comment runs on some servers only: read with and without it
  ['`/*M!` is never run by MySQL', 'DELETE FROM orders /*M!100000 WHERE id = 1 */;', 'mysql', ['delete-all orders']],
  ['`/*!99999` is skipped by older servers', 'DELETE FROM orders /*!99999 WHERE id = 1 */;', 'mysql', ['delete-all orders']],
  ['MariaDB too', 'UPDATE orders SET total = 0 /*!50700 WHERE id = 1 */;', 'mariadb', ['update-all orders']],
  ['a versioned comment inside PREPARE text', "PREPARE st FROM '/*!50000 DROP TABLE users */'; SET @s = 'SELECT 1 /*M!100000 ; DROP TABLE orders */'; PREPARE s2 FROM @s;", 'mysql', ['drop-table users', 'drop-table orders']],
  ['a drop in a versioned comment still counts once', '/*!50001 DROP VIEW IF EXISTS v */; DROP TABLE /*!32312 IF EXISTS*/ t;', 'mysql', ['drop-view v', 'drop-table t']],
  // stored programs: every form of body is read
  ['MariaDB anonymous block', 'DELIMITER $$\nBEGIN NOT ATOMIC DELETE FROM orders; END$$', 'mariadb', ['delete-all orders']],
  ['MariaDB anonymous block, split at `;`', 'BEGIN NOT ATOMIC DELETE FROM orders; END;', 'mariadb', ['delete-all orders']],
  ['a procedure whose body has no BEGIN', 'CREATE PROCEDURE p() DELETE FROM orders;\nCALL p();', 'mysql', ['delete-all orders']],
  ['a function whose body has no BEGIN', "CREATE FUNCTION f() RETURNS INT DETERMINISTIC MODIFIES SQL DATA COMMENT 'x' RETURN (SELECT 1);\nCREATE PROCEDURE q(IN n INT) SQL SECURITY INVOKER UPDATE orders SET total = n;", 'mysql', ['update-all orders']],
  ['a trigger that FOLLOWS another', 'CREATE TRIGGER tr AFTER INSERT ON t FOR EACH ROW FOLLOWS other DELETE FROM users;', 'mysql', ['delete-all users']],
  ['a handler statement', 'DELIMITER //\nCREATE PROCEDURE p() BEGIN DECLARE CONTINUE HANDLER FOR SQLSTATE \'42S02\', NOT FOUND DELETE FROM orders; SELECT 1; END//', 'mysql', ['delete-all orders']],
  ['DROP TABLES (MySQL accepts the plural)', 'DELIMITER //\nCREATE PROCEDURE p() BEGIN DROP TABLES users; END//\nDROP TABLES a, b;', 'mysql', ['drop-table users', 'drop-table a', 'drop-table b']],
  ['ALTER EVENT … DO', 'ALTER EVENT ev ON SCHEDULE AT CURRENT_TIMESTAMP DO DROP TABLE orders;', 'mysql', ['drop-table orders']],
  ['a body statement nobody can read', 'DELIMITER //\nCREATE PROCEDURE p() BEGIN FROBNICATE orders; END//', 'mysql', ['unparseable']],
  // PREPARE … FROM @v: only a value known exactly is read; anything else is opaque
  ['a value computed from a literal', "SET @s = SUBSTRING('SELECT DROP TABLE users', 8); PREPARE st FROM @s; EXECUTE st;", 'mysql', ['opaque']],
  ['a choice whose statement starts with a comment', "SET @s = IF(@x, '/* c */ DROP TABLE users', 'SELECT 1'); PREPARE st FROM @s;", 'mysql', ['drop-table users']],
  ['adjacent literals are one string', "SET @s = 'DROP TABLE IF EXISTS tmp' ', users'; PREPARE st FROM @s;", 'mysql', ['drop-table tmp', 'drop-table users']],
  ['adjacent literals in PREPARE itself', "PREPARE st FROM 'DROP TABLE IF EXISTS tmp' ', users';", 'mysql', ['drop-table tmp', 'drop-table users']],
  ['reassigned by SELECT … INTO', "SET @s = 'SELECT 1'; SELECT 'DROP TABLE users' INTO @s; PREPARE st FROM @s;", 'mysql', ['opaque']],
  ['reassigned in a SET of several', "SET @s = 'SELECT 1'; SET @a = 1, @s = 'DROP TABLE users'; PREPARE st FROM @s;", 'mysql', ['drop-table users']],
  ['reassigned by :=', "SET @s = 'SELECT 1'; SELECT @s := 'DROP TABLE users'; PREPARE st FROM @s;", 'mysql', ['opaque']],
  ['reassigned in a routine body', "SET @s = 'SELECT 1';\nCREATE PROCEDURE p() SET @s = 'DROP TABLE users';\nCALL p(); PREPARE st FROM @s;", 'mysql', ['opaque']],
  // ALTER TABLE sub-commands
  ['DROP of a column named like a keyword', 'ALTER TABLE subscriptions DROP period, DROP identity, DROP expression, DROP `system`;', 'mysql', ['drop-column subscriptions.period', 'drop-column subscriptions.identity', 'drop-column subscriptions.expression', 'drop-column subscriptions.system']],
  ["ENGINE='BLACKHOLE'", "ALTER TABLE orders ENGINE='BLACKHOLE';", 'mysql', ['truncate orders']],
  ['ENGINE=`BLACKHOLE`', 'ALTER TABLE orders ENGINE=`blackhole`;', 'mysql', ['truncate orders']],
  ['ENGINE=BLACKHOLE after another table option', "ALTER TABLE orders COMMENT 'x' ENGINE BLACKHOLE;", 'mysql', ['truncate orders']],
  ['MariaDB DROP SYSTEM VERSIONING deletes the history', 'ALTER TABLE orders DROP SYSTEM VERSIONING;', 'mariadb', ['truncate orders']],
  // multi-table DELETE / UPDATE: every table that loses or changes rows
  ['DELETE FROM a, b USING …', 'DELETE FROM orders, users USING orders JOIN users ON orders.user_id = users.id;', 'mysql', ['delete-all orders', 'delete-all users']],
  ['DELETE FROM aliases USING …', 'DELETE FROM o, u USING shop.orders AS o JOIN users u ON o.user_id = u.id;', 'mysql', ['delete-all shop.orders', 'delete-all users']],
  ['UPDATE a JOIN b SET b.x', 'UPDATE orders JOIN users ON orders.user_id = users.id SET users.name = NULL;', 'mysql', ['update-all users']],
  ['UPDATE a, b SET through an alias', 'UPDATE orders o, users u SET u.name = NULL, o.total = 0 WHERE 1 = 1;', 'mysql', ['update-all users', 'update-all orders']],
  ['UPDATE a JOIN b SET an unqualified column', 'UPDATE orders JOIN users ON orders.user_id = users.id SET name = NULL;', 'mysql', ['update-all orders', 'update-all users']],
  // SET sql_mode changes how the rest of the file is lexed
  ['NO_BACKSLASH_ESCAPES: a backslash ends no string', "SET sql_mode = 'NO_BACKSLASH_ESCAPES';\nSELECT 'C:\\'; DROP TABLE users; -- ';", 'mysql', ['drop-table users']],
  ['ANSI_QUOTES: a backslash in a name escapes nothing', 'SET SESSION sql_mode = \'ANSI\';\nSELECT "C:\\"; DROP TABLE users; -- ";', 'mysql', ['drop-table users']],
  ['@@session.sql_mode added to', "SET @@session.sql_mode = CONCAT(@@sql_mode, ',NO_BACKSLASH_ESCAPES');\nSELECT 'C:\\'; DROP TABLE users; -- ';", 'mysql', ['drop-table users']],
];

const valid: Array<[string, string, Dialect]> = [
  ['`-- ` with a space is a comment', 'DELETE FROM orders WHERE id = 1 -- 1\n;', 'mysql'],
  ['SQLite: `--` always starts a comment', 'DELETE FROM orders WHERE id = 1--1\n;', 'sqlite'],
  ['a constant condition that is false', 'DELETE FROM orders WHERE 1 = 0;', 'mysql'],
  ['mysqldump: versioned comments that hold whole statements', '/*!40101 SET NAMES utf8 */;\n/*!50001 CREATE ALGORITHM=UNDEFINED */ /*!50013 DEFINER=`u`@`%` SQL SECURITY DEFINER */ /*!50001 VIEW v AS SELECT 1 */;\n/*!40000 ALTER TABLE `t` DISABLE KEYS */;', 'mysql'],
  ['a restriction outside the versioned comment', 'DELETE FROM orders WHERE id = 1 /*!80000 AND total > 0 */;', 'mysql'],
  ['a procedure body of loops, labels, handlers and returns', 'DELIMITER //\nCREATE PROCEDURE p() BEGIN DECLARE done INT DEFAULT 0; DECLARE c CURSOR FOR SELECT id FROM t; DECLARE CONTINUE HANDLER FOR NOT FOUND SET done = 1; OPEN c; l: LOOP FETCH c INTO x; IF done THEN LEAVE l; END IF; ITERATE l; END LOOP; REPEAT SET x = x + 1; UNTIL x > 3 END REPEAT; CLOSE c; END//\nCREATE FUNCTION f() RETURNS INT RETURN 1//', 'mysql'],
  ['ALTER EVENT without a body, plain BEGIN', 'ALTER EVENT ev DISABLE; BEGIN; BEGIN WORK; COMMIT;', 'mysql'],
  ['a choice between literal statements that destroy nothing', "SET @s = (SELECT IF(@n > 0, 'ALTER TABLE t ADD COLUMN c INT', 'SELECT 1')); PREPARE st FROM @s; EXECUTE st; DEALLOCATE PREPARE st;", 'mysql'],
  ['ALTER TABLE sub-commands that keep the data', "ALTER TABLE orders ENGINE=InnoDB, COMMENT 'blackhole', ADD COLUMN engine VARCHAR(9) DEFAULT 'BLACKHOLE', DROP PERIOD FOR p, ALTER COLUMN c DROP DEFAULT;", 'mariadb'],
  ['multi-table UPDATE with a WHERE', 'UPDATE orders o JOIN users u ON o.user_id = u.id SET u.name = NULL WHERE u.id = 3;', 'mysql'],
  ['default sql_mode: a backslash escapes the quote', "SELECT 'C:\\'; DROP TABLE users; -- ';", 'mysql'],
  ['sql_mode set back: a backslash escapes again', "SET sql_mode = 'NO_BACKSLASH_ESCAPES';\nSET sql_mode = DEFAULT;\nSELECT 'C:\\'; DROP TABLE users; -- ';", 'mysql'],
  ['a long list that restricts', `DELETE FROM orders WHERE id IN (${ids});`, 'mysql'],
];

describe('MySQL-family statements that must not pass', () => {
  it.each(invalid)('%s', async (_name, sql, dialect, expected) => {
    expect(await kinds(sql, dialect)).toEqual(expected);
  });
  it.each(valid)('valid: %s', async (_name, sql, dialect) => {
    expect(await kinds(sql, dialect)).toEqual([]);
  });
});

describe('MySQL type changes of a column declared in the same file', () => {
  it.each<[string, string, Array<Record<string, unknown>>]>([
    ['MODIFY to a shorter VARCHAR narrows', 'CREATE TABLE t2 (id INT, name VARCHAR(255) NOT NULL);\nALTER TABLE t2 MODIFY name VARCHAR(10);', [{ kind: 'alter-column-type', object: 't2.name', flags: { oldType: 'VARCHAR(255)', newType: 'VARCHAR(10)', narrowing: true } }]],
    ['CHANGE with a rename narrows', 'CREATE TABLE `t2` (`id` INT, `total` BIGINT);\nALTER TABLE t2 CHANGE total amount INT;', [{ kind: 'rename-column', object: 't2.total' }, { kind: 'alter-column-type', object: 't2.total', flags: { oldType: 'BIGINT', narrowing: true } }]],
    ['a widening is no narrowing', 'CREATE TABLE t2 (name VARCHAR(10));\nALTER TABLE t2 MODIFY name VARCHAR(255);', [{ kind: 'alter-column-type', object: 't2.name', flags: { oldType: 'VARCHAR(10)', narrowing: false } }]],
    ['after a drop of the table nothing is known', 'CREATE TABLE t2 (name VARCHAR(255));\nDROP TABLE t2;\nCREATE TABLE t3 (x INT);\nALTER TABLE t2 MODIFY name VARCHAR(10);', [{ kind: 'drop-table', object: 't2' }, { kind: 'alter-column-type', object: 't2.name', flags: { newType: 'VARCHAR(10)' } }]],
  ])('%s', async (_name, sql, expected) => {
    const ops = await seen(sql, 'mysql');
    expect(ops).toHaveLength(expected.length);
    expected.forEach((e, i) => expect(ops[i]).toMatchObject(e));
  });

  it('knows no old type once the table is dropped', async () => {
    const ops = await seen('CREATE TABLE t2 (name VARCHAR(255));\nDROP TABLE t2;\nALTER TABLE t2 MODIFY name VARCHAR(10);', 'mysql');
    expect(ops.map((o) => o.flags?.oldType)).toEqual([undefined, undefined]);
  });
});
