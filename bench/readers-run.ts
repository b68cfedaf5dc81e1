/**
 * Reading cost per migration format on a generated corpus (N files per format), in-process, against
 * the plain-SQL reader in the same run. Each generated file is shaped like the real thing (header,
 * several schema operations, one embedded SQL statement, a down section).
 * Run through bench/readers-bench.mjs (bundles this file like the shipped code).
 */
import { readMigration } from '../src/readers/index.js';
import type { MigrationFormat } from '../src/readers/types.js';

const N = Number(process.argv[2] ?? 2000);
const ROUNDS = Number(process.argv[3] ?? 3);

type Gen = (i: number) => { path: string; text: string };

const sql: Gen = (i) => ({
  path: `db/migrations/${String(i).padStart(5, '0')}_change.sql`,
  text: `-- migration ${i}\nCREATE TABLE t${i} (id bigint PRIMARY KEY, name text NOT NULL, created_at timestamptz DEFAULT now());\nALTER TABLE users_${i} DROP COLUMN legacy_${i};\nCREATE INDEX idx_t${i}_name ON t${i} (name);\nDROP TABLE IF EXISTS old_${i};\nUPDATE accounts SET plan = 'free' WHERE id = ${i};\nALTER TABLE orders RENAME COLUMN total TO total_${i};\n`,
});

const generators: Array<[MigrationFormat | 'sql', Gen]> = [
  ['sql', sql],
  ['prisma', (i) => ({ path: `prisma/migrations/2024${String(i).padStart(10, '0')}_m/migration.sql`, text: `/*\n  Warnings:\n\n  - You are about to drop the column \`legacy_${i}\` on the \`User\` table. All the data in the column will be lost.\n\n*/\n-- AlterTable\nALTER TABLE "User" DROP COLUMN "legacy_${i}";\n\n-- CreateTable\nCREATE TABLE "T${i}" (\n    "id" SERIAL NOT NULL,\n    "name" TEXT NOT NULL,\n    CONSTRAINT "T${i}_pkey" PRIMARY KEY ("id")\n);\n\n-- DropTable\nDROP TABLE "Old${i}";\n` })],
  ['drizzle', (i) => ({ path: `drizzle/${String(i).padStart(4, '0')}_m.sql`, text: `CREATE TABLE IF NOT EXISTS "t${i}" (\n\t"id" serial PRIMARY KEY NOT NULL,\n\t"name" text NOT NULL\n);\n--> statement-breakpoint\nALTER TABLE "users" DROP COLUMN IF EXISTS "legacy_${i}";--> statement-breakpoint\nDROP TABLE "old_${i}";--> statement-breakpoint\nCREATE INDEX IF NOT EXISTS "t${i}_name_idx" ON "t${i}" USING btree ("name");\n` })],
  ['alembic', (i) => ({ path: `alembic/versions/${i.toString(16).padStart(12, '0')}_m.py`, text: `"""change ${i}\n\nRevision ID: ${i}\nRevises: ${i - 1}\n"""\nfrom alembic import op\nimport sqlalchemy as sa\n\nrevision = "${i}"\ndown_revision = "${i - 1}"\n\n\ndef upgrade() -> None:\n    op.create_table(\n        "t${i}",\n        sa.Column("id", sa.Integer(), nullable=False),\n        sa.Column("name", sa.String(length=100), nullable=True),\n        sa.PrimaryKeyConstraint("id"),\n    )\n    op.drop_column("users", "legacy_${i}")\n    op.drop_index(op.f("ix_users_email_${i}"), table_name="users")\n    op.alter_column("orders", "total", existing_type=sa.NUMERIC(), type_=sa.Integer())\n    op.execute("UPDATE accounts SET plan = 'free' WHERE id = ${i}")\n\n\ndef downgrade() -> None:\n    op.drop_table("t${i}")\n` })],
  ['django', (i) => ({ path: `shop/migrations/${String(i).padStart(4, '0')}_m.py`, text: `from django.db import migrations, models\n\n\nclass Migration(migrations.Migration):\n\n    dependencies = [("shop", "${String(i - 1).padStart(4, '0')}_m")]\n\n    operations = [\n        migrations.CreateModel(\n            name="T${i}",\n            fields=[\n                ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False)),\n                ("name", models.CharField(max_length=100)),\n            ],\n        ),\n        migrations.RemoveField(model_name="order", name="legacy_${i}"),\n        migrations.DeleteModel(name="Old${i}"),\n        migrations.AlterField(model_name="product", name="sku", field=models.CharField(max_length=32)),\n        migrations.RunSQL("UPDATE shop_account SET plan = 'free' WHERE id = ${i};", reverse_sql=migrations.RunSQL.noop),\n    ]\n` })],
  ['rails', (i) => ({ path: `db/migrate/2024${String(i).padStart(10, '0')}_m.rb`, text: `class M${i} < ActiveRecord::Migration[7.1]\n  def change\n    create_table :t${i} do |t|\n      t.string :name, null: false\n      t.timestamps\n    end\n    remove_column :users, :legacy_${i}, :string\n    remove_index :users, :email_${i}\n    change_column :orders, :total, :integer\n    reversible do |dir|\n      dir.up do\n        execute <<~SQL\n          UPDATE accounts SET plan = 'free' WHERE id = ${i};\n        SQL\n      end\n    end\n    drop_table :old_${i}\n  end\nend\n` })],
  ['knex', (i) => ({ path: `migrations/2024${String(i).padStart(10, '0')}_m.js`, text: `/**\n * @param { import("knex").Knex } knex\n */\nexports.up = async function (knex) {\n  await knex.schema.createTable('t${i}', (table) => {\n    table.increments('id');\n    table.string('name', 100).notNullable();\n  });\n  await knex.schema.alterTable('users', (table) => {\n    table.dropColumn('legacy_${i}');\n    table.dropIndex(['email_${i}']);\n  });\n  await knex.raw("UPDATE accounts SET plan = 'free' WHERE id = ${i}");\n  await knex.schema.dropTableIfExists('old_${i}');\n};\n\nexports.down = function (knex) {\n  return knex.schema.dropTable('t${i}');\n};\n` })],
  ['typeorm', (i) => ({ path: `src/migrations/${1700000000000 + i}-M.ts`, text: `import { MigrationInterface, QueryRunner } from "typeorm";\n\nexport class M${i} implements MigrationInterface {\n    name = 'M${i}'\n\n    public async up(queryRunner: QueryRunner): Promise<void> {\n        await queryRunner.query(\`CREATE TABLE "t${i}" ("id" SERIAL NOT NULL, "name" character varying NOT NULL, CONSTRAINT "PK_${i}" PRIMARY KEY ("id"))\`);\n        await queryRunner.query(\`ALTER TABLE "user" DROP COLUMN "legacy_${i}"\`);\n        await queryRunner.dropIndex("user", "IDX_${i}");\n        await queryRunner.dropTable("old_${i}");\n    }\n\n    public async down(queryRunner: QueryRunner): Promise<void> {\n        await queryRunner.query(\`DROP TABLE "t${i}"\`);\n    }\n}\n` })],
  ['sequelize', (i) => ({ path: `migrations/2024${String(i).padStart(10, '0')}-m.js`, text: `'use strict';\n\n/** @type {import('sequelize-cli').Migration} */\nmodule.exports = {\n  async up (queryInterface, Sequelize) {\n    await queryInterface.createTable('T${i}', {\n      id: { allowNull: false, autoIncrement: true, primaryKey: true, type: Sequelize.INTEGER },\n      name: { type: Sequelize.STRING },\n    });\n    await queryInterface.removeColumn('Users', 'legacy${i}');\n    await queryInterface.removeIndex('Users', ['email${i}']);\n    await queryInterface.sequelize.query("UPDATE accounts SET plan = 'free' WHERE id = ${i}");\n    await queryInterface.dropTable('Old${i}');\n  },\n\n  async down (queryInterface, Sequelize) {\n    await queryInterface.dropTable('T${i}');\n  }\n};\n` })],
  ['liquibase', (i) => ({ path: `db/changelog/${String(i).padStart(5, '0')}.xml`, text: `<?xml version="1.0" encoding="UTF-8"?>\n<databaseChangeLog xmlns="http://www.liquibase.org/xml/ns/dbchangelog">\n    <changeSet id="${i}" author="bench">\n        <createTable tableName="t${i}">\n            <column name="id" type="bigint" autoIncrement="true"><constraints primaryKey="true"/></column>\n            <column name="name" type="varchar(100)"/>\n        </createTable>\n        <dropColumn tableName="users" columnName="legacy_${i}"/>\n        <dropIndex indexName="idx_${i}" tableName="users"/>\n        <sql>UPDATE accounts SET plan = 'free' WHERE id = ${i};</sql>\n        <dropTable tableName="old_${i}"/>\n        <rollback>\n            <dropTable tableName="t${i}"/>\n        </rollback>\n    </changeSet>\n</databaseChangeLog>\n` })],
];

async function timeFormat(files: Array<{ path: string; text: string }>): Promise<{ ms: number; ops: number }> {
  const start = performance.now();
  let ops = 0;
  for (const f of files) ops += (await readMigration({ path: f.path, text: f.text, dialect: 'postgres' })).length;
  return { ms: performance.now() - start, ops };
}

const corpora = generators.map(([format, gen]) => ({ format, files: Array.from({ length: N }, (_, i) => gen(i + 1)) }));
// warm-up: load every reader and the parsers once
for (const c of corpora) await timeFormat(c.files.slice(0, 20));
const results = new Map<string, number[]>();
for (let r = 0; r < ROUNDS; r++) {
  for (const c of corpora) {
    const { ms } = await timeFormat(c.files);
    results.set(c.format, [...(results.get(c.format) ?? []), ms]);
  }
}
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
const base = corpora[0];
const baseMs = median(results.get('sql')!);
const baseBytes = base.files.reduce((n, f) => n + Buffer.byteLength(f.text), 0);
const baseMBs = baseBytes / 1e6 / (baseMs / 1000);
console.log(`| format | files | MB | ms/file | MB/s | ms/file vs SQL | MB/s vs SQL | ops/file |`);
console.log(`|---|---:|---:|---:|---:|---:|---:|---:|`);
for (const c of corpora) {
  const ms = median(results.get(c.format)!);
  const bytes = c.files.reduce((n, f) => n + Buffer.byteLength(f.text), 0);
  const mbs = bytes / 1e6 / (ms / 1000);
  const { ops } = await timeFormat(c.files.slice(0, 50));
  console.log(`| ${c.format} | ${c.files.length} | ${(bytes / 1e6).toFixed(2)} | ${(ms / c.files.length).toFixed(3)} | ${mbs.toFixed(2)} | ${(ms / c.files.length / (baseMs / base.files.length)).toFixed(2)}× | ${(mbs / baseMBs).toFixed(2)}× | ${(ops / 50).toFixed(1)} |`);
}
