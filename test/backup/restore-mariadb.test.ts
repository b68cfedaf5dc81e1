import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { manifestChecksum } from '../../src/backup/manifest.js';
import { makeRepo, runCli, type TestRepo } from '../helpers/repo.js';
import { skipUnless, startMariadb, TEST_PASSWORD, type MariaServer } from '../helpers/servers.js';
import { interruptRestore, checkKilledRestore, expectEveryRestoreStep, killAtEveryStep, logEntries, logText } from './helpers.js';

/** restore on a real MariaDB: side schema, checked, one RENAME TABLE, definitions recreated. */

const skip = skipUnless('mariadb');

let db: MariaServer;
let repo: TestRepo;
let env: NodeJS.ProcessEnv;
const cli = (...args: string[]) => runCli(args, { cwd: repo.dir, env });

const SCHEMA = String.raw`
CREATE TABLE users (id INT AUTO_INCREMENT PRIMARY KEY, name VARCHAR(100) CHARACTER SET utf8mb4, avatar BLOB) ENGINE=InnoDB;
INSERT INTO users (name, avatar) VALUES ('ada 😀', UNHEX('00FF00')), ('quote '' \\ backslash', ''), ('bob', NULL);
CREATE TABLE orders (id INT AUTO_INCREMENT PRIMARY KEY, user_id INT NOT NULL, total DECIMAL(10,2), FOREIGN KEY (user_id) REFERENCES users(id)) ENGINE=InnoDB;
INSERT INTO orders (user_id, total) VALUES (1, 10.5), (2, 99.99), (1, 0);
CREATE TABLE audit (id INT AUTO_INCREMENT PRIMARY KEY, what VARCHAR(50)) ENGINE=InnoDB;
CREATE TABLE big (id INT PRIMARY KEY, payload TEXT) ENGINE=InnoDB;
INSERT INTO big SELECT seq, REPEAT(MD5(seq), 4) FROM seq_1_to_30000;
CREATE VIEW named_users AS SELECT id, name FROM users WHERE name IS NOT NULL;
CREATE VIEW named_count AS SELECT count(*) AS n FROM named_users;
CREATE TRIGGER users_ai AFTER INSERT ON users FOR EACH ROW INSERT INTO audit (what) VALUES ('user');
CREATE FUNCTION twice(x INT) RETURNS INT DETERMINISTIC RETURN x * 2;
CREATE PROCEDURE bump() UPDATE orders SET total = total + 1;
CREATE EVENT nightly ON SCHEDULE EVERY 1 DAY DISABLE DO DELETE FROM audit;
CREATE SEQUENCE ticket_seq START WITH 100;
`;

const MANGLE = `DROP VIEW named_count; DROP TRIGGER users_ai; DROP TABLE orders; DELETE FROM big WHERE id % 3 = 0; UPDATE users SET name = 'mangled';
DROP FUNCTION twice; CREATE TABLE stray (x INT); CREATE VIEW stray_view AS SELECT 1 AS one;`;

/** Objects and, per table, count and CHECKSUM TABLE: equal text = same objects and rows. */
function contents(schema = 'app'): string {
  const objects = db.sql(
    `SELECT CONCAT(TABLE_TYPE, ' ', TABLE_NAME) FROM information_schema.TABLES WHERE TABLE_SCHEMA = '${schema}' ORDER BY TABLE_NAME;
     SELECT CONCAT(TABLE_NAME, ': ', VIEW_DEFINITION) FROM information_schema.VIEWS WHERE TABLE_SCHEMA = '${schema}' ORDER BY TABLE_NAME;
     SELECT CONCAT(ROUTINE_TYPE, ' ', ROUTINE_NAME) FROM information_schema.ROUTINES WHERE ROUTINE_SCHEMA = '${schema}' ORDER BY ROUTINE_NAME;
     SELECT CONCAT(TRIGGER_NAME, ' ', ACTION_STATEMENT) FROM information_schema.TRIGGERS WHERE TRIGGER_SCHEMA = '${schema}' ORDER BY TRIGGER_NAME;
     SELECT EVENT_NAME FROM information_schema.EVENTS WHERE EVENT_SCHEMA = '${schema}';
     SELECT CONCAT(TABLE_NAME, ' -> ', UNIQUE_CONSTRAINT_SCHEMA, '.', REFERENCED_TABLE_NAME) FROM information_schema.REFERENTIAL_CONSTRAINTS WHERE CONSTRAINT_SCHEMA = '${schema}';`,
  );
  const tables = db.sql(`SELECT TABLE_NAME FROM information_schema.TABLES WHERE TABLE_SCHEMA = '${schema}' AND TABLE_TYPE = 'BASE TABLE' ORDER BY TABLE_NAME`).trim().split('\n').filter(Boolean);
  const rows = tables.map((t) => `${t}: ${db.sql(`SELECT COUNT(*) FROM \`${t}\`; CHECKSUM TABLE \`${t}\`;`, schema).trim().replace(/\s+/g, ' ').replace(`${schema}.`, '')}`);
  return [objects.trim(), ...rows].join('\n');
}

const schemas = () => db.sql('SELECT SCHEMA_NAME FROM information_schema.SCHEMATA ORDER BY 1').trim().split('\n');

function resetApp() {
  for (const name of schemas().filter((s) => s.startsWith('app'))) db.sql(`DROP DATABASE \`${name}\``);
  db.sql('CREATE DATABASE app CHARACTER SET utf8mb4');
  db.sql(SCHEMA, 'app');
}

function backupVerified(): string {
  const r = cli('backup', '--verify', '--json');
  expect(r.code, r.stderr + r.stdout).toBe(0);
  return JSON.parse(r.stdout).id;
}

describe.skipIf(skip)('restore on MariaDB', { timeout: 300_000 }, () => {
  beforeAll(async () => {
    db = await startMariadb();
    repo = makeRepo();
    repo.write('.dbsaferc.json', JSON.stringify({ databases: { app: { url: 'env:APP_URL' } } }));
    env = { APP_URL: db.url('app'), COPY_URL: db.url('app_rehearsal') };
  });
  afterAll(async () => {
    await db?.stop();
    repo?.cleanup();
  });

  it('round trip: restore --latest --yes gives back exactly the backup (tables, rows, views, triggers, routines, events, FKs); previous tables kept; logged', () => {
    resetApp();
    const original = contents();
    const id = backupVerified();
    db.sql(MANGLE, 'app');
    const mangled = contents();
    expect(mangled).not.toBe(original);

    const r = cli('restore', '--latest', '--yes');
    expect(r.code, r.stderr + r.stdout).toBe(0);
    expect(contents()).toBe(original);
    expect(r.stdout).toMatch(/one RENAME TABLE statement \(atomic\)/);
    const previous = schemas().find((s) => s.startsWith('app__dbsafe_prev_'));
    expect(previous).toBeTruthy();
    expect(db.sql(`SELECT COUNT(*) FROM \`${previous}\`.stray`).trim()).toBe('0');
    expect(schemas().filter((s) => s.includes('__dbsafe_new_'))).toEqual([]);
    const safety = /safety backup (\S+) of/.exec(r.stderr)?.[1];
    expect(logEntries(repo.dir).filter((e) => e.event === 'restore').pop()).toMatchObject({ instance: 'app', backupId: id, safetyBackupId: safety, result: 'restored' });
    for (const text of [r.stdout, r.stderr, logText(repo.dir)]) expect(text).not.toContain(TEST_PASSWORD);

    // the safety backup undoes the restore, definitions included
    const undo = cli('restore', safety!, 'app', '--yes', '--drop-previous');
    expect(undo.code, undo.stderr).toBe(0);
    expect(contents()).toBe(mangled);
    const again = cli('restore', id, '--yes', '--drop-previous');
    expect(again.code, again.stderr).toBe(0);
    expect(contents()).toBe(original);
    // the trigger, the foreign key and the function work on the restored tables
    db.sql("INSERT INTO users (name) VALUES ('new')", 'app');
    expect(db.sql("SELECT COUNT(*) FROM audit WHERE what = 'user'", 'app').trim()).toBe('1');
    expect(() => db.sql('INSERT INTO orders (user_id, total) VALUES (999, 1)', 'app')).toThrow(/foreign key constraint fails/);
    expect(db.sql('SELECT twice(21)', 'app').trim()).toBe('42');
  });

  it('a restore in the same second as an earlier one keeps that one\'s previous tables: swapped under another name, never dropped', () => {
    resetApp();
    backupVerified();
    db.sql(MANGLE, 'app');
    // previous schemas an earlier restore kept for this second and the next few (what two restores in one second leave)
    const stamp = (at: number) => new Date(at).toISOString().replace(/[-:]/g, '').replace(/\.\d+Z$/, 'Z').toLowerCase();
    const now = Date.now();
    const earlier = [0, 1, 2, 3, 4, 5].map((s) => `app__dbsafe_prev_${stamp(now + s * 1000)}`);
    for (const name of earlier) db.sql(`CREATE DATABASE \`${name}\`; CREATE TABLE \`${name}\`.kept AS SELECT 'an earlier restore' AS what`);
    const r = cli('restore', '--latest', '--yes');
    expect(r.code, r.stderr + r.stdout).toBe(0);
    for (const name of earlier) expect(db.sql(`SELECT what FROM \`${name}\`.kept`).trim()).toBe('an earlier restore');
    const kept = schemas().filter((name) => name.startsWith('app__dbsafe_prev_') && !earlier.includes(name));
    expect(kept).toHaveLength(1);
    // the mangled state this restore replaced (its stray table, empty) is in its own schema
    expect(db.sql(`SELECT COUNT(*) FROM \`${kept[0]}\`.stray`).trim()).toBe('0');
  });

  it('a backup taken by a newer server major is refused before anything is touched (exit 2)', () => {
    resetApp();
    const id = backupVerified();
    const file = path.join(repo.dir, '.dbsafe', 'backups', 'app', id, 'manifest.json');
    const manifest = JSON.parse(readFileSync(file, 'utf8'));
    manifest.server.version = '99.1.0-MariaDB';
    manifest.checksum = manifestChecksum(manifest);
    writeFileSync(file, JSON.stringify(manifest));
    const r = cli('restore', id, '--yes');
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/taken from mariadb 99\.1\.0-MariaDB; the target runs 10\./);
  });

  it('kill -9 mid-restore leaves app as it was or as the backup; the printed command restores the state before; the side schema is swept', async () => {
    resetApp();
    const original = contents();
    backupVerified();
    db.sql(MANGLE, 'app');
    const mangled = contents();
    const run = await interruptRestore(['--latest', '--yes', '--reverify'], { cwd: repo.dir, env, signal: 'SIGKILL', ready: () => schemas().some((s) => s.startsWith('app__dbsafe_new_')) });
    expect([original, mangled]).toContain(contents());
    const undo = cli(...run.undoArgs(), '--drop-previous');
    expect(undo.code, undo.stderr).toBe(0);
    expect(contents()).toBe(mangled);
    expect(schemas().filter((s) => s.includes('__dbsafe_'))).toEqual([]);
  });

  it('kill -9 between every two steps: app is as it was or as the backup, the printed command undoes it, the next restore sweeps and works', () => {
    resetApp();
    const original = contents();
    const id = backupVerified();
    db.sql(MANGLE, 'app');
    const mangled = contents();
    const run = killAtEveryStep(['restore', id, '--yes', '--reverify'], {
      cwd: repo.dir,
      env,
      prepare: () => {
        if (contents() === mangled) return;
        db.sql('DROP DATABASE app; CREATE DATABASE app CHARACTER SET utf8mb4');
        db.sql(SCHEMA + ';\n' + MANGLE, 'app');
      },
      afterKill: checkKilledRestore({ original, mangled }, contents, cli),
    });
    expectEveryRestoreStep(run);
    expect(contents()).toBe(original);
    expect(schemas().filter((s) => s.includes('__dbsafe_new_'))).toEqual([]);
  });

  it('--schema-only --into an env:VAR database creates it with every definition and empty tables; app is untouched', () => {
    resetApp();
    const id = backupVerified();
    const before = contents();
    const r = cli('restore', id, '--yes', '--schema-only', '--into', 'env:COPY_URL');
    expect(r.code, r.stderr + r.stdout).toBe(0);
    expect(contents()).toBe(before);
    expect(db.sql('SELECT (SELECT COUNT(*) FROM big) + (SELECT COUNT(*) FROM users) + (SELECT COUNT(*) FROM orders)', 'app_rehearsal').trim()).toBe('0');
    expect(db.sql("SELECT COUNT(*) FROM information_schema.TRIGGERS WHERE TRIGGER_SCHEMA = 'app_rehearsal'").trim()).toBe('1');
    expect(db.sql("SELECT COUNT(*) FROM information_schema.VIEWS WHERE TABLE_SCHEMA = 'app_rehearsal'").trim()).toBe('2');
  });

  it('export --sql: the full dump, and schema-only then data-only, rebuild the database exactly (mariadb client)', () => {
    resetApp();
    const id = backupVerified();
    const original = contents();
    const full = cli('export', id, '--sql');
    expect(full.code, full.stderr).toBe(0);
    db.sql('DROP DATABASE IF EXISTS app; CREATE DATABASE app CHARACTER SET utf8mb4');
    db.sql(full.stdout, 'app');
    expect(contents()).toBe(original);
    const schema = cli('export', id, '--sql', '--schema-only');
    const data = cli('export', id, '--sql', '--data-only');
    expect(schema.stdout).not.toMatch(/^INSERT INTO `big`/m);
    expect(data.stdout).not.toMatch(/CREATE TABLE/);
    db.sql('DROP DATABASE app; CREATE DATABASE app CHARACTER SET utf8mb4');
    db.sql(schema.stdout, 'app');
    expect(db.sql('SELECT COUNT(*) FROM big', 'app').trim()).toBe('0');
    db.sql(data.stdout, 'app');
    // loading rows into a schema with triggers fires them (as with mysqldump --no-create-info): audit gets a row per user
    const withoutAudit = (text: string) => text.replace(/^audit: .*$/m, '');
    expect(withoutAudit(contents())).toBe(withoutAudit(original));
    expect(db.sql('SELECT COUNT(*) FROM audit', 'app').trim()).toBe('3');
  });
});
