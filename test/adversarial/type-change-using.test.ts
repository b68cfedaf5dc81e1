/**
 * A type change whose USING expression does not read the column replaces every value (`USING NULL`,
 * `USING 0`, `USING now()`, another column): alter-column-type is an error there, in SQL and in the ORMs
 * that pass a USING expression through (Alembic `postgresql_using=`, Rails `using:`). One that reads the
 * column converts its values: the rule's usual warning.
 */
import { describe, expect, it } from 'vitest';
import type { MigrationFormat } from '../../src/readers/types.js';
import { checkText } from './helpers.js';

const alembic = (call: string) => `from alembic import op\nimport sqlalchemy as sa\n\nrevision = "2"\ndown_revision = "1"\n\n\ndef upgrade():\n    ${call}\n`;
const rails = (body: string) => `class ChangeStatus < ActiveRecord::Migration[7.1]\n  def up\n    ${body.replace(/\n/g, '\n    ')}\n  end\nend\n`;

interface Row {
  name: string;
  format: MigrationFormat;
  text: string;
  severity: 'error' | 'warn';
}

const PATHS: Partial<Record<MigrationFormat, string>> = { sql: 'db/migrations/002_status.sql', alembic: 'alembic/versions/002_status.py', rails: 'db/migrate/20240101000000_change_status.rb' };

const ROWS: Row[] = [
  { name: 'SQL: USING another column', format: 'sql', text: 'ALTER TABLE orders ALTER COLUMN status TYPE int USING legacy_status::int;', severity: 'error' },
  { name: 'SQL: USING a quoted name of another case is another column', format: 'sql', text: 'ALTER TABLE orders ALTER COLUMN status TYPE int USING "Status"::int;', severity: 'error' },
  { name: 'SQL: USING the quoted column', format: 'sql', text: 'ALTER TABLE orders ALTER COLUMN "Status" TYPE int USING "Status"::int;', severity: 'warn' },
  { name: 'SQL: USING the column qualified by its table', format: 'sql', text: 'ALTER TABLE orders ALTER COLUMN status TYPE int USING orders.status::int;', severity: 'warn' },
  { name: 'SQL: USING a function of the column', format: 'sql', text: "ALTER TABLE orders ALTER COLUMN status TYPE int USING coalesce(nullif(status, '')::int, 0);", severity: 'warn' },
  { name: 'Alembic: postgresql_using="NULL"', format: 'alembic', text: alembic('op.alter_column("orders", "status", type_=sa.Integer(), postgresql_using="NULL")'), severity: 'error' },
  { name: 'Alembic: postgresql_using="0"', format: 'alembic', text: alembic('op.alter_column("orders", "status", type_=sa.Integer(), postgresql_using="0")'), severity: 'error' },
  { name: 'Alembic: postgresql_using reads the column', format: 'alembic', text: alembic('op.alter_column("orders", "status", type_=sa.Integer(), postgresql_using="status::integer")'), severity: 'warn' },
  { name: 'Alembic: no postgresql_using', format: 'alembic', text: alembic('op.alter_column("orders", "status", type_=sa.Integer())'), severity: 'warn' },
  { name: "Rails: using: 'NULL'", format: 'rails', text: rails("change_column :orders, :status, :integer, using: 'NULL'"), severity: 'error' },
  { name: 'Rails: t.change in change_table, using another column', format: 'rails', text: rails("change_table :orders do |t|\n  t.change :status, :integer, using: 'legacy::integer'\nend"), severity: 'error' },
  { name: 'Rails: using: reads the column', format: 'rails', text: rails("change_column :orders, :status, :integer, using: 'status::integer'"), severity: 'warn' },
  { name: 'Rails: no using:', format: 'rails', text: rails('change_column :orders, :status, :integer'), severity: 'warn' },
];

describe('type changes with a USING expression', () => {
  it.each(ROWS)('$name → $severity', async ({ format, text, severity }) => {
    const { findings } = await checkText(PATHS[format]!, text, { format });
    expect(findings).toEqual([`alter-column-type:${severity}`]);
  });
});
