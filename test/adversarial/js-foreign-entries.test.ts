/**
 * A migration whose `up` or `down` is code from another module is `opaque`: what it runs is not in the file,
 * so it is never read as a migration that does nothing.
 */
import { describe, expect, it } from 'vitest';
import type { MigrationFormat } from '../../src/readers/types.js';
import { checkText, described } from './helpers.js';

interface Row {
  file: string;
  expected: string[];
  format: MigrationFormat;
}

const path: Record<string, string> = { knex: 'migrations/20240101000000_x.js', sequelize: 'migrations/20240101000000-x.js', typeorm: 'src/migration/1700000000000-X.ts' };

const ROWS: Row[] = [
  { format: 'knex', file: "module.exports = require('./shared/drop-users');\n", expected: ['up opaque'] },
  { format: 'knex', file: "export { up, down } from './x';\n", expected: ['up opaque'] },
  { format: 'knex', file: "export { down } from './x';\nexport async function up() {}\n", expected: ['down opaque'] },
  { format: 'knex', file: "export * from './x';\n", expected: ['up opaque'] },
  { format: 'knex', file: "const { up, down } = require('./shared');\nmodule.exports = { up, down };\n", expected: ['up opaque', 'down opaque'] },
  { format: 'knex', file: "const shared = require('./shared');\nexports.up = shared.up;\nexports.down = async () => {};\n", expected: ['up opaque'] },
  { format: 'knex', file: "const shared = require('./shared');\nexports['up'] = shared.up;\nexports.down = async () => {};\n", expected: ['up opaque'] },
  { format: 'knex', file: "exports['up'] = async (knex) => {};\nexports.down = async () => {};\n", expected: [] },
  { format: 'knex', file: "import * as shared from './shared';\nexport const up = shared.up;\nexport async function down() {}\n", expected: ['up opaque'] },
  { format: 'knex', file: "module.exports = { up: require('./steps').dropUsers, down() {} };\n", expected: ['up opaque'] },
  { format: 'sequelize', file: "module.exports = require('./factory')('users');\n", expected: ['up opaque'] },
  { format: 'sequelize', file: "module.exports = { ...require('./shared'), async down() {} };\n", expected: ['up opaque'] },
  { format: 'knex', file: "const shared = require('./shared');\nmodule.exports = Object.assign({}, shared);\n", expected: ['up opaque'] },
  { format: 'typeorm', file: "import { MigrationInterface } from 'typeorm';\nimport { Base } from './base';\n\nexport class X1700000000000 extends Base implements MigrationInterface {}\n", expected: ['up opaque'] },
  { format: 'typeorm', file: "import { Base } from './base';\n\nexport class X1700000000000 extends Base {\n  async up(qr) { await super.up(qr); }\n  async down(qr) {}\n}\n", expected: ['up opaque'] },
  { format: 'typeorm', file: "import { Base } from './base';\n\nexport class X1700000000000 extends Base {\n  async up(qr) {}\n  async down(qr) { await super.down(qr); }\n}\n", expected: ['down opaque'] },
  // the migration's own code, and helpers that are not up or down
  { format: 'typeorm', file: "import { Base } from './base';\n\nexport class X1700000000000 extends Base {\n  async up(qr) { await qr.query('DROP TABLE users'); }\n  async down(qr) {}\n}\n", expected: ['up drop-table users'] },
  { format: 'knex', file: "const { formatDate } = require('./helpers');\nexports.up = async (knex) => { formatDate(1); };\nexports.down = async () => {};\n", expected: [] },
  { format: 'sequelize', file: "const { Model } = require('sequelize');\nclass User extends Model {}\nmodule.exports = { async up() {}, async down() {} };\n", expected: [] },
];

describe('up and down from another module', () => {
  it.each(ROWS)('$format: $file → $expected', async ({ file, expected, format }) => {
    const { ops } = await checkText(path[format]!, file, { format });
    expect(described(ops)).toEqual(expected);
  });
});
