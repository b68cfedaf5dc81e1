/**
 * Statements that destroy data without saying DROP TABLE: each has an operation kind and a documented
 * severity (docs/rules/), and blocks by default unless its page says it warns; close relatives that destroy
 * nothing report nothing.
 */
import { describe, expect, it } from 'vitest';
import type { Dialect } from '../../src/model/operation.js';
import { checkText, described } from './helpers.js';

interface Row {
  sql: string;
  expected: string[];
  /** Whether `check` exits 1 with the default config. */
  blocks: boolean;
}

const POSTGRES: Row[] = [
  { sql: 'DROP OWNED BY legacy_app;', expected: ['up drop-dependents legacy_app'], blocks: true },
  { sql: 'DROP OWNED BY a, b CASCADE;', expected: ['up drop-dependents a', 'up drop-dependents b'], blocks: true },
  { sql: 'DROP EXTENSION postgis CASCADE;', expected: ['up drop-dependents postgis'], blocks: true },
  { sql: 'DROP EXTENSION IF EXISTS postgis, hstore CASCADE;', expected: ['up drop-dependents postgis', 'up drop-dependents hstore'], blocks: true },
  { sql: 'DROP SERVER legacy_srv CASCADE;', expected: ['up drop-dependents legacy_srv'], blocks: true },
  { sql: 'DROP FOREIGN DATA WRAPPER postgres_fdw CASCADE;', expected: ['up drop-dependents postgres_fdw'], blocks: true },
  // CASCADE of an object columns, tables or views are built on drops them without naming them
  { sql: 'DROP TYPE mood CASCADE;', expected: ['up drop-type mood'], blocks: true },
  { sql: 'DROP DOMAIN IF EXISTS email_address CASCADE;', expected: ['up drop-type email_address'], blocks: true },
  { sql: 'DROP FUNCTION normalize_email(text) CASCADE;', expected: ['up drop-function normalize_email'], blocks: true },
  { sql: 'DROP PROCEDURE purge() CASCADE;', expected: ['up drop-function purge'], blocks: true },
  { sql: 'DROP COLLATION german_phonebook CASCADE;', expected: ['up drop-dependents german_phonebook'], blocks: true },
  { sql: 'DROP ACCESS METHOD columnar CASCADE;', expected: ['up drop-dependents columnar'], blocks: true },
  { sql: 'DROP TEXT SEARCH CONFIGURATION app_english CASCADE;', expected: ['up drop-dependents app_english'], blocks: true },
  { sql: 'DROP AGGREGATE array_cat_agg(anycompatiblearray) CASCADE;', expected: ['up drop-dependents array_cat_agg'], blocks: true },
  { sql: 'DROP OPERATOR === (text, text) CASCADE;', expected: ['up drop-dependents ==='], blocks: true },
  { sql: 'DROP LANGUAGE plperl CASCADE;', expected: ['up drop-dependents plperl'], blocks: true },
  { sql: 'DROP CAST (text AS money) CASCADE;', expected: ['up drop-dependents cast'], blocks: true },
  { sql: 'DROP CONVERSION app_conv CASCADE;', expected: ['up drop-dependents app_conv'], blocks: true },
  // a type change whose USING expression reads no column replaces every value; one that reads it converts them
  { sql: 'ALTER TABLE orders ALTER COLUMN status TYPE int USING NULL;', expected: ['up alter-column-type orders.status'], blocks: true },
  { sql: 'ALTER TABLE orders ALTER COLUMN total TYPE numeric USING 0;', expected: ['up alter-column-type orders.total'], blocks: true },
  { sql: 'ALTER TABLE orders ALTER COLUMN placed_at SET DATA TYPE timestamptz USING now();', expected: ['up alter-column-type orders.placed_at'], blocks: true },
  { sql: "ALTER TABLE orders ALTER COLUMN status TYPE int USING CASE WHEN true THEN 1 END;", expected: ['up alter-column-type orders.status'], blocks: true },
  { sql: 'ALTER TABLE orders ALTER COLUMN id TYPE uuid USING gen_random_uuid();', expected: ['up alter-column-type orders.id'], blocks: true },
  { sql: 'ALTER TABLE orders ALTER COLUMN status TYPE int USING status::int;', expected: ['up alter-column-type orders.status'], blocks: false },
  { sql: 'ALTER TABLE orders ALTER COLUMN status TYPE int USING (orders.status)::int;', expected: ['up alter-column-type orders.status'], blocks: false },
  { sql: "ALTER TABLE orders ALTER COLUMN status TYPE int USING CASE status WHEN 'paid' THEN 1 ELSE 0 END;", expected: ['up alter-column-type orders.status'], blocks: false },
  { sql: 'ALTER TABLE orders ALTER COLUMN status TYPE text;', expected: ['up alter-column-type orders.status'], blocks: false },
  { sql: 'DO $$ BEGIN ALTER TABLE orders ALTER COLUMN status TYPE int USING NULL; END $$;', expected: ['up alter-column-type orders.status'], blocks: true },
  { sql: 'ALTER TABLE users SET SCHEMA archive;', expected: ['up rename-table users'], blocks: false },
  { sql: 'ALTER TABLE IF EXISTS billing.invoices SET SCHEMA archive;', expected: ['up rename-table billing.invoices'], blocks: false },
  { sql: 'ALTER SCHEMA billing RENAME TO billing_v1;', expected: ['up rename-schema billing'], blocks: false },
  { sql: 'CREATE RULE purge AS ON INSERT TO users DO ALSO DELETE FROM sessions;', expected: ['up opaque users'], blocks: true },
  { sql: 'CREATE RULE keep AS ON UPDATE TO users DO INSTEAD UPDATE audit SET n = n + 1;', expected: ['up opaque users'], blocks: true },
  { sql: 'MERGE INTO users u USING staging s ON u.id = s.id WHEN MATCHED THEN DELETE;', expected: ['up opaque users'], blocks: true },
  { sql: 'MERGE INTO users u USING staging s ON u.id = s.id WHEN MATCHED THEN UPDATE SET name = s.name;', expected: ['up opaque users'], blocks: true },
  { sql: 'DROP OPERATOR CLASS app_ops USING btree CASCADE;', expected: ['up drop-dependents app_ops'], blocks: true },
  { sql: "SELECT dblink_exec('host=replica', 'DROP TABLE users');", expected: ['up opaque dblink_exec'], blocks: true },
  { sql: "SELECT * FROM dblink('host=replica', 'DELETE FROM users RETURNING id') AS t(id int);", expected: ['up opaque dblink'], blocks: true },
  { sql: "COPY users FROM PROGRAM 'curl -s https://example.com/users.csv';", expected: ['up opaque users'], blocks: true },
  // the calls run wherever the statement runs its query: CREATE TABLE / MATERIALIZED VIEW … AS, COPY (query)
  { sql: "CREATE TABLE copied AS SELECT dblink_exec('host=replica', 'DROP TABLE users');", expected: ['up opaque dblink_exec'], blocks: true },
  { sql: "CREATE MATERIALIZED VIEW mv AS SELECT * FROM dblink('host=replica', 'DELETE FROM users RETURNING id') AS t(id int);", expected: ['up opaque dblink'], blocks: true },
  { sql: 'CREATE TABLE gone AS SELECT lo_unlink(42);', expected: ['up opaque lo_unlink'], blocks: true },
  { sql: "COPY (SELECT dblink_exec('host=replica', 'TRUNCATE users')) TO STDOUT;", expected: ['up opaque dblink_exec'], blocks: true },
  { sql: "SELECT dblink_exec('host=a', 'SELECT 1'), dblink_exec('host=b', 'SELECT 1');", expected: ['up opaque dblink_exec', 'up opaque dblink_exec'], blocks: true },
  // a procedure defined in an earlier migration: its body is unseen code
  { sql: 'CALL purge_old_sessions();', expected: ['up opaque purge_old_sessions'], blocks: true },
  { sql: "CALL maintenance.drop_partition('events', 2023);", expected: ['up opaque maintenance.drop_partition'], blocks: true },
  { sql: 'DO $$ BEGIN CALL purge_old_sessions(); END $$;', expected: ['up opaque purge_old_sessions'], blocks: true },
  // extension functions that delete rows when called
  { sql: "SELECT drop_chunks('metrics', INTERVAL '30 days');", expected: ['up opaque metrics'], blocks: true },
  { sql: "SELECT drop_chunks(relation => 'metrics', older_than => now() - INTERVAL '1 year');", expected: ['up opaque metrics'], blocks: true },
  { sql: "SELECT add_retention_policy('conditions', INTERVAL '7 days');", expected: ['up opaque conditions'], blocks: true },
  { sql: "SELECT partman.drop_partition_time('public.events', '30 days');", expected: ['up opaque public.events'], blocks: true },
  { sql: "DO $$ BEGIN PERFORM drop_chunks('metrics', older_than => INTERVAL '30 days'); END $$;", expected: ['up opaque metrics'], blocks: true },
  { sql: 'SELECT lo_unlink(42);', expected: ['up opaque lo_unlink'], blocks: true },
  { sql: "SELECT constructor(1), drop_chunks('metrics', INTERVAL '1 day');", expected: ['up opaque metrics'], blocks: true },
  // large-object data cut, partitions dropped by configured retention
  { sql: 'SELECT lo_truncate(lo_open(123, 131072), 0);', expected: ['up opaque lo_truncate'], blocks: true },
  { sql: 'SELECT lo_truncate64(fd, 0) FROM lo_fds;', expected: ['up opaque lo_truncate64'], blocks: true },
  { sql: 'SELECT partman.run_maintenance();', expected: ['up opaque partman.run_maintenance'], blocks: true },
  { sql: "CALL partman.run_maintenance_proc(p_analyze := false);", expected: ['up opaque partman.run_maintenance_proc'], blocks: true },
  { sql: "SELECT partman.undo_partition('public.events', p_target_table := 'public.events_all');", expected: ['up opaque public.events'], blocks: true },
  // SQL or a procedure run later by a scheduler (the object is the function: its first argument names a job)
  { sql: "SELECT cron.schedule('purge', '0 * * * *', 'DELETE FROM users');", expected: ['up opaque cron.schedule'], blocks: true },
  { sql: "SELECT cron.schedule_in_database('purge', '0 * * * *', 'DELETE FROM users', 'app');", expected: ['up opaque cron.schedule_in_database'], blocks: true },
  { sql: "SELECT cron.alter_job(42, command := 'DELETE FROM users');", expected: ['up opaque cron.alter_job'], blocks: true },
  { sql: "DO $$ BEGIN PERFORM cron.schedule('purge', '0 * * * *', 'DELETE FROM users'); END $$;", expected: ['up opaque cron.schedule'], blocks: true },
  { sql: "SELECT add_job('purge_old_rows', '1 day');", expected: ['up opaque add_job'], blocks: true },
  // relatives that destroy nothing
  { sql: 'DROP EXTENSION postgis;', expected: [], blocks: false },
  { sql: "CREATE MATERIALIZED VIEW mv AS SELECT dblink_exec('host=replica', 'SELECT 1') WITH NO DATA;", expected: [], blocks: false },
  { sql: "CREATE VIEW v AS SELECT * FROM dblink('host=replica', 'SELECT 1') AS t(id int);", expected: [], blocks: false },
  { sql: "SELECT 'dblink_exec' AS name, length('lo_unlink');", expected: [], blocks: false },
  // without CASCADE the drop fails while anything depends on it
  { sql: 'DROP TYPE mood;', expected: ['up drop-type mood'], blocks: false },
  { sql: 'DROP FUNCTION normalize_email(text);', expected: ['up drop-function normalize_email'], blocks: false },
  { sql: 'DROP COLLATION german_phonebook;', expected: [], blocks: false },
  { sql: 'DROP OPERATOR CLASS app_ops USING btree;', expected: [], blocks: false },
  { sql: 'DROP SERVER legacy_srv;', expected: [], blocks: false },
  { sql: 'REASSIGN OWNED BY legacy_app TO app;', expected: [], blocks: false },
  { sql: 'ALTER SCHEMA billing OWNER TO app;', expected: [], blocks: false },
  { sql: 'CREATE RULE log AS ON INSERT TO users DO ALSO INSERT INTO audit VALUES (1);', expected: [], blocks: false },
  { sql: 'MERGE INTO users u USING staging s ON u.id = s.id WHEN NOT MATCHED THEN INSERT VALUES (s.id);', expected: [], blocks: false },
  { sql: "COPY users TO '/tmp/users.csv';", expected: [], blocks: false },
  { sql: 'ALTER SEQUENCE s SET SCHEMA archive;', expected: [], blocks: false },
  { sql: "SELECT create_hypertable('conditions', 'time');", expected: [], blocks: false },
  { sql: "SELECT remove_retention_policy('conditions');", expected: [], blocks: false },
  { sql: "SELECT cron.unschedule('purge');", expected: [], blocks: false },
  { sql: 'CREATE TABLE jobs (id int, schedule text, alter_job boolean);', expected: [], blocks: false },
  { sql: 'SELECT lo_open(123, 262144);', expected: [], blocks: false },
  { sql: 'SELECT count(*) FROM drop_chunks_log;', expected: [], blocks: false },
  // a procedure created in the same file is read where it is created
  { sql: 'CREATE PROCEDURE touch() LANGUAGE sql AS $$ UPDATE stats SET n = n + 1 WHERE id = 1 $$;\nCALL touch();', expected: [], blocks: false },
  { sql: 'CREATE PROCEDURE wipe() LANGUAGE sql AS $$ DELETE FROM sessions $$;\nCALL wipe();', expected: ['up delete-all sessions'], blocks: true },
];

const MYSQL: Row[] = [
  { sql: 'ALTER TABLE users ENGINE=BLACKHOLE;', expected: ['up truncate users'], blocks: true },
  { sql: 'ALTER TABLE users ENGINE = blackhole;', expected: ['up truncate users'], blocks: true },
  { sql: 'ALTER TABLE users DISCARD TABLESPACE;', expected: ['up truncate users'], blocks: true },
  { sql: 'ALTER TABLE users ENGINE=InnoDB;', expected: [], blocks: false },
  { sql: 'ALTER TABLE users IMPORT TABLESPACE;', expected: [], blocks: false },
  // MariaDB: CREATE OR REPLACE drops what exists first
  { sql: 'CREATE OR REPLACE TABLE users (id int);', expected: ['up drop-table users'], blocks: true },
  { sql: 'CREATE OR REPLACE TABLE app.users AS SELECT 1;', expected: ['up drop-table app.users'], blocks: true },
  { sql: 'CREATE OR REPLACE DATABASE app;', expected: ['up drop-database app'], blocks: true },
  { sql: 'CREATE OR REPLACE SEQUENCE order_seq;', expected: ['up drop-sequence order_seq'], blocks: false },
  { sql: 'CREATE OR REPLACE TEMPORARY TABLE users (id int);', expected: [], blocks: false },
  { sql: 'CREATE OR REPLACE VIEW v AS SELECT 1;', expected: [], blocks: false },
  // every text column converted: lossy unless the new set holds every character
  { sql: 'ALTER TABLE users CONVERT TO CHARACTER SET latin1;', expected: ['up alter-column-type users.*'], blocks: true },
  { sql: 'ALTER TABLE users ADD COLUMN x int, CONVERT TO CHARSET ascii;', expected: ['up alter-column-type users.*'], blocks: true },
  { sql: 'ALTER TABLE users CONVERT TO CHARACTER SET utf8mb3;', expected: ['up alter-column-type users.*'], blocks: true },
  { sql: 'ALTER TABLE users CONVERT TO CHARACTER SET utf8mb4 COLLATE utf8mb4_unicode_ci;', expected: [], blocks: false },
  { sql: 'ALTER TABLE users CONVERT TO CHARACTER SET binary;', expected: [], blocks: false },
  // the shape of authelia's MySQL migrations: a helper procedure from an earlier file
  { sql: "CALL PROC_DROP_INDEX('webauthn_credentials', 'webauthn_credentials_kid_key');", expected: ['up opaque PROC_DROP_INDEX'], blocks: true },
  { sql: 'CALL `ops`.`purge`(30);', expected: ['up opaque ops.purge'], blocks: true },
  { sql: 'DELIMITER //\nCREATE PROCEDURE wipe() BEGIN DELETE FROM sessions; END //\nDELIMITER ;\nCALL wipe();', expected: ['up delete-all sessions'], blocks: true },
  { sql: 'DELIMITER //\nCREATE PROCEDURE touch() BEGIN UPDATE stats SET n = n + 1 WHERE id = 1; END //\nDELIMITER ;\nCALL touch();', expected: [], blocks: false },
  { sql: 'DELIMITER //\nCREATE PROCEDURE IF NOT EXISTS `tidy up`() BEGIN UPDATE stats SET n = 0 WHERE id = 1; END //\nDELIMITER ;\nCALL `tidy up`();', expected: [], blocks: false },
];

const SQLITE: Row[] = [
  { sql: "PRAGMA writable_schema = 1;\nDELETE FROM sqlite_master WHERE name = 'users';", expected: ['up opaque'], blocks: true },
  { sql: "PRAGMA writable_schema = ON;\nUPDATE sqlite_schema SET sql = 'CREATE TABLE users (x)' WHERE name = 'users';", expected: ['up opaque'], blocks: true },
  { sql: "INSERT INTO main.sqlite_master VALUES ('table', 't', 't', 0, 'CREATE TABLE t (a)');", expected: ['up opaque'], blocks: true },
  { sql: "SELECT name FROM sqlite_master WHERE type = 'table';", expected: [], blocks: false },
  { sql: 'PRAGMA writable_schema = 0;', expected: [], blocks: false },
];

describe.each([
  ['postgres', POSTGRES],
  ['mysql', MYSQL],
  ['sqlite', SQLITE],
] as Array<[Dialect, Row[]]>)('statements that destroy without DROP TABLE: %s', (dialect, rows) => {
  it.each(rows)('$sql → $expected', async ({ sql, expected, blocks }) => {
    const result = await checkText('migrations/001.sql', sql, { dialect, format: 'sql' });
    expect(described(result.ops), sql).toEqual(expected);
    expect(result.blocks, result.findings.join(', ')).toBe(blocks);
  });
});

it('DROP OWNED is a protected-object error whenever something is protected', async () => {
  const { findings } = await checkText('migrations/001.sql', 'DROP OWNED BY legacy_app;', { config: { protected: { tables: ['users'] } } });
  expect(findings).toContain('protected-object:error');
});

it('a schema rename covering a protected table is a protected-object error', async () => {
  const { findings } = await checkText('migrations/001.sql', 'ALTER SCHEMA billing RENAME TO billing_v1;', { config: { protected: { tables: ['billing.invoices'] } } });
  expect(findings).toContain('protected-object:error');
});
