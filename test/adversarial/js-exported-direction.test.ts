/**
 * Direction from what is exported as `up`, not from a function's name: a function exported as `up` runs when
 * migrating forward whatever it is called, so its drops block. What is exported only as `down` runs on rollback.
 */
import { describe, expect, it } from 'vitest';
import type { MigrationFormat } from '../../src/readers/types.js';
import { checkText, described } from './helpers.js';

interface Row {
  file: string;
  expected: string[];
  format?: MigrationFormat;
}

const downFn = "async function down(k) { await k.schema.dropTable('users'); }";

const ROWS: Row[] = [
  { file: `${downFn}\nexports.down = down;\nexports.up = down;\n`, expected: ['up drop-table users'] },
  { file: `${downFn}\nmodule.exports = { up: down, down };\n`, expected: ['up drop-table users'] },
  { file: `exports.down = async (k) => { await k.schema.dropTable('users'); };\nmodule.exports.up = module.exports.down;\n`, expected: ['up drop-table users'] },
  { file: `const migration = {};\nmigration.down = async (k) => { await k.schema.dropTable('users'); };\nmigration.up = migration.down;\nmodule.exports = migration;\n`, expected: ['up drop-table users'] },
  { file: `${downFn}\nexports['up'] = down;\nexports['down'] = down;\n`, expected: ['up drop-table users'] },
  { file: `export ${downFn}\nexport const up = down;\n`, expected: ['up drop-table users'] },
  { file: `${downFn}\nexport { down as up, down };\n`, expected: ['up drop-table users'] },
  { file: `${downFn}\nexports.up = wrap(down);\nexports.down = down;\n`, expected: ['up drop-table users'] },
  // exported as down only: rollback
  { file: `${downFn}\nexports.up = async () => {};\nexports.down = down;\n`, expected: ['down drop-table users'] },
  { file: `async function rollback(k) { await k.schema.dropTable('users'); }\nexports.up = async () => {};\nexports.down = rollback;\n`, expected: ['down drop-table users'] },
  { file: `${downFn}\nmodule.exports = { up: async () => {}, down };\n`, expected: ['down drop-table users'] },
  { file: "exports.up = knex => {\n  return knex.schema.createTable('t', (t) => {})\n}\n\nexports.down = knex => {\n  return knex.schema.dropTable('users')\n}\n", expected: ['down drop-table users'] },
];

describe('direction from what is exported as up', () => {
  it.each(ROWS)('$file → $expected', async ({ file, expected, format }) => {
    const { ops } = await checkText('migrations/20240101000000_x.js', file, { format: format ?? 'knex' });
    expect(described(ops)).toEqual(expected);
  });
});
