/** dbmate files are split where dbmate splits them: which statements run on `dbmate up` and which on rollback. */
import { describe, expect, it } from 'vitest';
import { readDbmate } from '../../src/readers/sql-families.js';
import { rows } from './helpers.js';

const read = async (text: string) => rows(await readDbmate({ path: 'db/migrations/20240101_x.sql', text, dialect: 'mysql' }));

describe('dbmate sections', () => {
  it.each<[string, string, string[]]>([
    ['an indented down marker is a comment of the up block', '-- migrate:up\nDROP TABLE a;\n  -- migrate:down\nDROP TABLE b;\n-- migrate:down\nDROP TABLE c;\n', ['up drop-table a @2', 'up drop-table b @4', 'down drop-table c @6']],
    ['a down marker followed by more than one word is a comment', '-- migrate:up\n-- migrate:down (rollback is below)\nDROP TABLE b;\n-- migrate:down\n', ['up drop-table b @3']],
    ['a down marker with one option', '-- migrate:up\nDROP TABLE a;\n-- migrate:down transaction:false\nDROP TABLE b;\n', ['up drop-table a @2', 'down drop-table b @4']],
    ["another tool's marker is a comment in a dbmate file", '-- migrate:up\n-- +goose Down\nDROP TABLE b;\n-- migrate:down\nDROP TABLE c;\n', ['up drop-table b @3', 'down drop-table c @5']],
    ['everything after the first down marker is down', '-- migrate:up\nSELECT 1;\n-- migrate:down\nDROP TABLE c;\n-- migrate:up\nDROP TABLE d;\n', ['down drop-table c @4', 'down drop-table d @6']],
    ['a down marker before the up marker: dbmate refuses the file, read as up', '-- migrate:down\nDROP TABLE c;\n-- migrate:up\nDROP TABLE d;\n', ['up drop-table c @2', 'up drop-table d @4']],
    ['goose markers without dbmate ones still split', '-- +goose Up\nDROP TABLE a;\n-- +goose Down\nDROP TABLE b;\n', ['up drop-table a @2', 'down drop-table b @4']],
  ])('%s', async (_name, text, expected) => {
    expect(await read(text)).toEqual(expected);
  });
});
