import { describe, expect, it } from 'vitest';
import { kinds, read, seen } from './helpers.js';

const my = (sql: string) => seen(sql, 'mysql');

describe('MySQL / MariaDB: destructive statements', () => {
  it.each<[string, string, Array<Record<string, unknown>>]>([
    ['DROP TABLE with backticks', 'DROP TABLE `users`;', [{ kind: 'drop-table', object: 'users', line: 1, column: 1 }]],
    ['DROP TABLE a, b CASCADE (parser rejects it)', 'DROP TABLE IF EXISTS `a`, shop.`B` CASCADE;', [
      { kind: 'drop-table', object: 'a', flags: { ifExists: true, cascade: true } },
      { kind: 'drop-table', object: 'shop.B', flags: { ifExists: true, cascade: true } },
    ]],
    ['"double-quoted" names (ANSI_QUOTES)', 'DROP TABLE "users"; ALTER TABLE "t" DROP COLUMN "c";', [
      { kind: 'drop-table', object: 'users' }, { kind: 'drop-column', object: 't.c' },
    ]],
    ['DROP TEMPORARY TABLE', 'DROP TEMPORARY TABLE IF EXISTS tmp_x;', [{ kind: 'drop-table', object: 'tmp_x' }]],
    ['ALTER TABLE with several DROPs, each at its sub-command', 'ALTER TABLE `orders`\n  DROP COLUMN `legacy`,\n  DROP INDEX idx_b,\n  DROP FOREIGN KEY fk_c,\n  DROP PRIMARY KEY,\n  DROP KEY k2,\n  DROP d;', [
      { kind: 'drop-column', object: 'orders.legacy', line: 2, column: 3 },
      { kind: 'drop-index', object: 'orders.idx_b', line: 3, column: 3 },
      { kind: 'drop-constraint', object: 'orders.fk_c', line: 4, column: 3 },
      { kind: 'drop-constraint', object: 'orders.PRIMARY', line: 5, column: 3 },
      { kind: 'drop-index', object: 'orders.k2', line: 6, column: 3 },
      { kind: 'drop-column', object: 'orders.d', line: 7, column: 3 },
    ]],
    ['MariaDB DROP COLUMN IF EXISTS', 'ALTER TABLE t DROP COLUMN IF EXISTS c;', [{ kind: 'drop-column', object: 't.c', flags: { ifExists: true } }]],
    ['MODIFY and CHANGE', 'ALTER TABLE t MODIFY COLUMN name VARCHAR(50) NOT NULL, CHANGE old_col new_col INT(11) DEFAULT NULL, CHANGE same same BIGINT;', [
      { kind: 'alter-column-type', object: 't.name', flags: { newType: 'VARCHAR(50)' } },
      { kind: 'rename-column', object: 't.old_col', flags: { newName: 'new_col' } },
      { kind: 'alter-column-type', object: 't.old_col', flags: { newType: 'INT(11)' } },
      { kind: 'alter-column-type', object: 't.same', flags: { newType: 'BIGINT' } },
    ]],
    ['RENAME TABLE a TO b, c TO d', 'RENAME TABLE a TO b, db.c TO db.d;', [
      { kind: 'rename-table', object: 'a', column: 14, flags: { newName: 'b' } },
      { kind: 'rename-table', object: 'db.c', column: 22, flags: { newName: 'd' } },
    ]],
    ['ALTER TABLE RENAME / RENAME COLUMN', 'ALTER TABLE t RENAME TO t2; ALTER TABLE t2 RENAME COLUMN a TO b; ALTER TABLE t3 RENAME AS t4;', [
      { kind: 'rename-table', object: 't', flags: { newName: 't2' } },
      { kind: 'rename-column', object: 't2.a', flags: { newName: 'b' } },
      { kind: 'rename-table', object: 't3', flags: { newName: 't4' } },
    ]],
    ['DROP INDEX … ON table', 'DROP INDEX `idx_email` ON `users`;', [{ kind: 'drop-index', object: 'users.idx_email' }]],
    ['DROP DATABASE / SCHEMA', 'DROP DATABASE IF EXISTS shop; DROP SCHEMA old_shop;', [
      { kind: 'drop-database', object: 'shop' }, { kind: 'drop-database', object: 'old_shop' },
    ]],
    ['DROP PROCEDURE / FUNCTION / TRIGGER / VIEW', 'DROP PROCEDURE IF EXISTS p; DROP FUNCTION f; DROP TRIGGER IF EXISTS tr; DROP VIEW IF EXISTS v1, v2;', [
      { kind: 'drop-function', object: 'p' }, { kind: 'drop-function', object: 'f' }, { kind: 'drop-trigger', object: 'tr' },
      { kind: 'drop-view', object: 'v1' }, { kind: 'drop-view', object: 'v2' },
    ]],
    ['TRUNCATE with and without TABLE', 'TRUNCATE TABLE logs; truncate sessions;', [{ kind: 'truncate', object: 'logs' }, { kind: 'truncate', object: 'sessions' }]],
    ['DELETE / UPDATE without WHERE', 'DELETE FROM t; DELETE LOW_PRIORITY QUICK FROM u; UPDATE v SET a = 1; UPDATE IGNORE w SET b = 2 LIMIT 10;', [
      { kind: 'delete-all', object: 't' }, { kind: 'delete-all', object: 'u' }, { kind: 'update-all', object: 'v' }, { kind: 'update-all', object: 'w' },
    ]],
    ['always-true WHERE', "DELETE FROM t WHERE 1; UPDATE u SET a = 1 WHERE 1 = 1; DELETE FROM v WHERE 'x' <> 'y';", [
      { kind: 'delete-all', object: 't', flags: { whereAlwaysTrue: true } }, { kind: 'update-all', object: 'u', flags: { whereAlwaysTrue: true } },
      { kind: 'delete-all', object: 'v', flags: { whereAlwaysTrue: true } },
    ]],
    ['multi-table DELETE without WHERE', 'DELETE t1, t2 FROM t1 INNER JOIN t2 ON t1.id = t2.t1_id;', [
      { kind: 'delete-all', object: 't1' }, { kind: 'delete-all', object: 't2' },
    ]],
    ['multi-table DELETE through aliases', 'DELETE o, i FROM shop.orders AS o JOIN order_items i ON i.order_id = o.id;', [
      { kind: 'delete-all', object: 'shop.orders' }, { kind: 'delete-all', object: 'order_items' },
    ]],
    ['DROP PARTITION deletes rows', 'ALTER TABLE logs DROP PARTITION p2019, p2020;', [{ kind: 'truncate', object: 'logs' }]],
    ['versioned comments are executed', '/*!50001 DROP VIEW IF EXISTS `v_sales`*/;\n/*!40000 ALTER TABLE `t` DISABLE KEYS */;', [
      { kind: 'drop-view', object: 'v_sales', line: 1, column: 10 },
    ]],
    ['PREPARE from a literal / from a variable', "PREPARE s FROM 'DROP TABLE x'; SET @q = CONCAT('DROP TABLE ', @t); PREPARE s2 FROM @q;", [
      { kind: 'drop-table', object: 'x', flags: { embedded: true } }, { kind: 'opaque' },
    ]],
  ])('%s', async (_name, sql, expected) => {
    const ops = await my(sql);
    expect(ops).toHaveLength(expected.length);
    expected.forEach((e, i) => expect(ops[i]).toMatchObject(e));
  });

  it.each([
    'DELETE t1 FROM t1 JOIN t2 ON t1.id = t2.id WHERE t2.gone = 1;',
    'DELETE FROM t WHERE id IN (SELECT id FROM (SELECT id FROM t WHERE 1 = 1) x);',
    'UPDATE t SET a = (SELECT MAX(b) FROM u WHERE 1 = 1) WHERE id = 3;',
    'ALTER TABLE t ADD COLUMN c INT, ADD INDEX i (c), ALTER COLUMN d SET DEFAULT 0, ALTER COLUMN e DROP DEFAULT, RENAME INDEX a TO b;',
    'CREATE TABLE p (id INT) PARTITION BY RANGE (id) (PARTITION p0 VALUES LESS THAN (10));',
    'LOCK TABLES t WRITE; UNLOCK TABLES; SET FOREIGN_KEY_CHECKS = 0; START TRANSACTION; COMMIT;',
    "INSERT INTO t (a) VALUES ('x') ON DUPLICATE KEY UPDATE a = VALUES(a);",
    'DROP USER IF EXISTS bob; DROP EVENT e;',
    '# only a comment\n-- and another\n',
  ])('reports nothing for safe SQL: %s', async (sql) => {
    expect(await read(sql, 'mysql')).toEqual([]);
  });

  it('PREPARE FROM a variable set to a choice of literal statements reads those statements (drop-if-exists idiom)', async () => {
    const sql = [
      'SET @preparedStatement = (SELECT IF(',
      '    EXISTS(SELECT 1 FROM INFORMATION_SCHEMA.STATISTICS WHERE table_name = \'FileInfo\' AND index_name = \'idx_fileinfo_channel\') > 0,',
      "    'DROP INDEX idx_fileinfo_channel ON FileInfo;',",
      "    'SELECT 1'",
      '));',
      'PREPARE removeIndexIfExists FROM @preparedStatement;',
      'EXECUTE removeIndexIfExists;',
      'DEALLOCATE PREPARE removeIndexIfExists;',
      "SET @q = IF(@exist <= 0, 'ALTER TABLE t ADD COLUMN c INT', 'select \\'Column Exists\\' status');",
      'PREPARE s FROM @q;',
      "SET @ddl = CONCAT('ALTER TABLE ', @t, ' DROP FOREIGN KEY ', @fk);",
      'PREPARE s2 FROM @ddl;',
    ].join('\n');
    expect(await my(sql)).toMatchObject([
      { kind: 'drop-index', object: 'FileInfo.idx_fileinfo_channel', line: 3, column: 5, flags: { embedded: true } },
      { kind: 'opaque', line: 12 },
    ]);
  });

  it('procedures and triggers are safe to create, but a DROP/DELETE/TRUNCATE inside is reported (embedded)', async () => {
    const sql = [
      'DELIMITER $$',
      'CREATE DEFINER=`root`@`localhost` PROCEDURE `cleanup`(IN days INT)',
      'BEGIN',
      '  DECLARE n INT DEFAULT 0;',
      '  IF days > 0 THEN',
      '    DELETE FROM sessions WHERE created_at < NOW() - INTERVAL days DAY;',
      '  ELSE',
      '    TRUNCATE TABLE sessions;',
      '  END IF;',
      'END$$',
      'CREATE TRIGGER trg BEFORE DELETE ON orders FOR EACH ROW',
      'BEGIN',
      '  INSERT INTO orders_archive SELECT * FROM orders WHERE id = OLD.id;',
      'END$$',
      'DELIMITER ;',
      'CREATE PROCEDURE safe() BEGIN SELECT 1; END;',
    ].join('\n');
    expect(await my(sql)).toMatchObject([{ kind: 'truncate', object: 'sessions', line: 8, column: 5, flags: { embedded: true } }]);
  });

  it('mysqldump-style file: versioned comments, LOCK TABLES, DROP TABLE IF EXISTS before each CREATE', async () => {
    const sql = [
      '/*M!999999\\- enable the sandbox mode */ ',
      '/*!40101 SET @OLD_CHARACTER_SET_CLIENT=@@CHARACTER_SET_CLIENT */;',
      '/*!40103 SET TIME_ZONE=\'+00:00\' */;',
      'DROP TABLE IF EXISTS `users`;',
      '/*!40101 SET @saved_cs_client     = @@character_set_client */;',
      'CREATE TABLE `users` (',
      '  `id` int(11) NOT NULL AUTO_INCREMENT,',
      "  `name` varchar(255) COLLATE utf8mb4_unicode_ci NOT NULL DEFAULT '',",
      '  PRIMARY KEY (`id`)',
      ') ENGINE=InnoDB AUTO_INCREMENT=3 DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;',
      'LOCK TABLES `users` WRITE;',
      '/*!40000 ALTER TABLE `users` DISABLE KEYS */;',
      "INSERT INTO `users` VALUES (1,'a\\'; DROP TABLE x; --'),(2,'b');",
      '/*!40000 ALTER TABLE `users` ENABLE KEYS */;',
      'UNLOCK TABLES;',
    ].join('\n');
    expect(await my(sql)).toMatchObject([{ kind: 'drop-table', object: 'users', line: 4, column: 1 }]);
  });

  it('`--comment` without a space between statements, placeholders, CREATE EVENT … DO', async () => {
    const sql = '--no space after the dashes\nDROP TABLE `${db}`.old;\nCREATE EVENT e ON SCHEDULE EVERY 1 DAY DO DELETE FROM logs;';
    expect(await my(sql)).toMatchObject([
      { kind: 'drop-table', object: '${db}.old', line: 2 },
      { kind: 'delete-all', object: 'logs', line: 3, column: 43, flags: { embedded: true } },
    ]);
  });

  it('mariadb dialect reads the same and reports dialect mysql', async () => {
    const ops = await read('ALTER TABLE t DROP COLUMN IF EXISTS c;', 'mariadb');
    expect(ops).toMatchObject([{ kind: 'drop-column', dialect: 'mysql' }]);
  });

  it('garbage is unparseable with the parser message; the rest of the file is still read', async () => {
    const ops = await read('DROP TABLE a;\nthis is garbage;\nDROP TABLE b;', 'mysql');
    expect(ops.map((o) => o.kind)).toEqual(['drop-table', 'unparseable', 'drop-table']);
    expect(ops[1]).toMatchObject({ line: 2 });
    expect(ops[1].detail).toMatch(/MySQL parser/);
  });

  it('identifiers keep their written case (the policy compares case-insensitively)', async () => {
    expect(await kinds('DROP TABLE `Users`; DROP TABLE Orders;', 'mysql')).toEqual(['drop-table Users', 'drop-table Orders']);
  });
});
