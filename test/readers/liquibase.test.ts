import { readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { FIXTURES, readFixture, rows } from './helpers.js';

const dir = 'liquibase/changelog';
/** What `check` supplies: repository files by repository-relative path. */
const resolveFile = (rel: string) => {
  try {
    return readFileSync(path.join(FIXTURES, rel), 'utf8');
  } catch {
    return undefined;
  }
};

describe('Liquibase reader', () => {
  it('reads XML changeSets: drop/rename/modify changes, nested columns, delete without where, <sql>, sqlFile and <rollback>', async () => {
    const ops = await readFixture(`${dir}/db.changelog-2.0.xml`, { resolveFile });
    expect(rows(ops)).toEqual([
      'up drop-table app.legacy_sessions @9',
      'up drop-column person.middle_name @10',
      'up drop-column person.fax @11',
      'up drop-column person.pager @11',
      'up drop-index person.idx_person_email @23',
      'up drop-constraint orders.fk_orders_person @24',
      'up rename-table cust @25',
      'up rename-column customer.nm @26',
      'up alter-column-type customer.zip @27',
      'up drop-view v_active_people @28',
      'up drop-sequence seq_person @29',
      'up delete-all audit_log @30', // the delete with <where> (entity-encoded) is not reported
      'up truncate page_views @38',
      'up delete-all notifications @39',
      'up drop-table tmp_import @42', // CDATA
      'up drop-table old_reports @44', // sqlFile, reported at the <sqlFile> element
      'down drop-table customer_v2 @46',
    ]);
    expect(ops[0].flags.cascade).toBe(true);
    expect(ops.find((o) => o.target?.name === 'old_reports')!.detail).toContain('changelog/sql/cleanup.sql line 2');
  });

  it('reports a sqlFile it cannot read as unparseable, naming the file', async () => {
    const ops = await readFixture(`${dir}/db.changelog-2.0.xml`, { resolveFile: () => undefined });
    const missing = ops.find((o) => o.kind === 'unparseable')!;
    expect(missing.line).toBe(44);
    expect(missing.detail).toContain('liquibase/changelog/sql/cleanup.sql was not found');
  });

  it('skips changeSets and <sql> limited by dbms to other databases', async () => {
    expect(rows(await readFixture(`${dir}/db.changelog-6.0.xml`))).toEqual(['up drop-table pg_only @7', 'up drop-table everywhere_but_h2 @11']);
    expect(rows(await readFixture(`${dir}/db.changelog-6.0.xml`, { dialect: 'mysql' }))).toEqual(['up drop-column t.c @10', 'up drop-table everywhere_but_h2 @11']);
  });

  it('reads YAML changelogs with line numbers, block-scalar SQL, and rollback as changes or SQL', async () => {
    const ops = await readFixture(`${dir}/db.changelog-3.0.yaml`);
    expect(rows(ops)).toEqual([
      'up drop-table feature_flags @6',
      'up drop-column account.legacy_plan @8',
      'up drop-column account.legacy_seats @8',
      'up update-all account @17',
      'up drop-table plan_history @18',
      'up delete-all login_attempts @19',
      'down drop-table feature_flags_v2 @22',
      'up rename-column account.name @28',
      'down drop-table account_names @32',
    ]);
  });

  it('reads JSON changelogs', async () => {
    expect(rows(await readFixture(`${dir}/db.changelog-4.0.json`))).toEqual(['up drop-table integrations.webhooks @8', 'up alter-column-type invoice.amount @9']);
  });

  it('reads formatted SQL changelogs with --rollback lines as down', async () => {
    expect(rows(await readFixture(`${dir}/005-formatted.sql`))).toEqual(['up drop-column invoice.notes @4', 'down drop-table invoice_v2 @9']);
  });

  it('reports a broken changelog as unparseable at the line of the problem', async () => {
    const { readMigration } = await import('../../src/readers/index.js');
    const text = '<databaseChangeLog>\n  <changeSet id="1" author="a">\n    <dropTable tableName="x">\n  </changeSet>\n</databaseChangeLog>\n';
    const ops = await readMigration({ path: 'db/changelog.xml', text, dialect: 'postgres' });
    expect(ops.map((o) => [o.kind, o.line])).toEqual([['unparseable', 4]]);
  });
});
