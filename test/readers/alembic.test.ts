import { describe, expect, it } from 'vitest';
import { readFixture, rows } from './helpers.js';

describe('Alembic reader', () => {
  it('reads op.* calls in upgrade() as up and in downgrade() as down, with schema and flags', async () => {
    const ops = await readFixture('alembic/3f2a9c1d7e4b_drop_legacy.py');
    expect(rows(ops)).toEqual([
      'up drop-index sessions.ix_sessions_user_id @23',
      'up drop-table sessions @24',
      'up drop-column auth.users.legacy_password @25',
      'up drop-constraint orders.orders_customer_id_fkey @26',
      'up alter-column-type orders.total @27',
      'up rename-column users.name @34',
      'up rename-table old_invoices @35',
      'down rename-table invoices @40',
      'down drop-table audit_log @46',
      'down drop-constraint orders.(unnamed foreignkey) @47', // autogenerate's unnamed constraint: not opaque
    ]);
    const alter = ops.find((o) => o.kind === 'alter-column-type')!;
    expect(alter.flags).toMatchObject({ newType: 'sa.Integer()', oldType: 'sa.NUMERIC(precision=12, scale=2)' });
    expect(ops.find((o) => o.kind === 'rename-column')!.flags.newName).toBe('full_name');
    expect(ops.find((o) => o.kind === 'drop-column')!.target).toMatchObject({ schema: 'auth', table: 'users', name: 'legacy_password' });
    expect(ops[0].file).toBe('alembic/3f2a9c1d7e4b_drop_legacy.py');
  });

  it('reads batch_alter_table blocks, op.execute SQL in every string form, and flags dynamic code as opaque', async () => {
    const ops = await readFixture('alembic/a1b2c3d4e5f6_batch_and_execute.py');
    expect(rows(ops)).toEqual([
      'up drop-index accounts.ix_accounts_email @20',
      'up drop-column accounts.nickname @21',
      'up alter-column-type accounts.balance @22',
      'up drop-table tmp_import @24',
      'up truncate page_views @25',
      'up drop-column accounts.legacy_flag @27', // implicitly concatenated string: the line of the DROP COLUMN piece
      'up delete-all events @28', // SQL held in a module-level variable: reported where it runs
      'up drop-table a @30', // loop over a literal tuple: one operation per value
      'up drop-table b @30',
      'up opaque - @31', // f-string interpolating an identifier
      'up delete-all notifications @34', // op.get_bind().execute(sa.text(...))
      'up drop-table reporting.stale @35',
      'down drop-constraint accounts.uq_accounts_email @40',
      'down drop-table accounts_backup @43',
    ]);
    expect(ops.find((o) => o.kind === 'delete-all')!.detail).toContain('CLEANUP_SQL');
  });
});

describe('Alembic reader: helpers and SQLAlchemy Core', () => {
  it('gives helper functions the direction of the function that calls them, and reads Core statements', async () => {
    const ops = await readFixture('alembic/c0ffee123456_helpers_and_core.py');
    expect(rows(ops)).toEqual([
      'up drop-column claims.nli_label @27', // schema_upgrades() is called from upgrade()
      'up delete-all claims @35', // claims.delete() without where(); insert/select/filtered update are safe
      'up drop-table claims_archive @36', // f-string interpolating a module constant
      'down drop-table claim_predictions @40', // schema_downgrades() only from downgrade()
    ]);
  });
});

describe('Alembic reader: loops', () => {
  it('expands loops over literal lists (also through a module constant, reversed() and tuple unpacking); other loops are opaque', async () => {
    const ops = await readFixture('alembic/d00d00d00d00_loops.py');
    expect(rows(ops)).toEqual([
      'down drop-column candidates.unified_number @18',
      'down drop-column candidates.blood_type @18',
      'down drop-column candidates.gender @19',
      'down opaque - @21', // for t in get_tables(): known only at run time
      'up opaque - @25', // a batch object passed to a helper: table unknown, never silent
    ]);
  });
});

describe('Alembic reader: SQL passed through text-only wrappers', () => {
  const read = async (body: string) => {
    const { readMigration } = await import('../../src/readers/index.js');
    const text = `from textwrap import dedent\nimport textwrap\nimport inspect\nfrom alembic import op\nimport sqlalchemy as sa\n\n\ndef upgrade():\n${body}\n`;
    return rows(await readMigration({ path: 'alembic/versions/1_x.py', text, format: 'alembic', dialect: 'postgres' }));
  };
  it.each([
    ['dedent()', '    op.execute(dedent("""\n        DELETE FROM sessions\n    """))', ['up delete-all sessions @10']], // where the statement is written
    ['textwrap.dedent() in sa.text()', '    op.execute(sa.text(textwrap.dedent("TRUNCATE page_views")))', ['up truncate page_views @9']],
    ['inspect.cleandoc()', '    op.execute(inspect.cleandoc("DROP TABLE legacy"))', ['up drop-table legacy @9']],
    ['.strip() of a named string', '    sql = "UPDATE users SET active = true"\n    op.execute(sql.strip())', ['up update-all users @9']], // where the SQL is written
    ['dedent of a harmless statement reports nothing', '    op.execute(dedent("UPDATE users SET active = true WHERE id = 1"))', []],
    ['a wrapper that is not text-only stays opaque', '    op.execute(build_sql("DROP TABLE legacy"))', ['up opaque - @9']],
  ])('%s', async (_name, body, expected) => {
    expect(await read(body)).toEqual(expected);
  });
});
