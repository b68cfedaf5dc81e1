/**
 * Liquibase: everything a changeSet runs is read or made opaque, never ignored: `<modifySql>` edits the generated
 * SQL, `<createProcedure>` (inline or from a file) holds SQL that runs whenever the procedure is called, and a
 * change type dbsafe does not know (a plugin's, Liquibase Pro's) may do anything.
 */
import { describe, expect, it } from 'vitest';
import { checkText, described } from './helpers.js';

const xml = (changes: string) =>
  `<?xml version="1.0" encoding="UTF-8"?>\n<databaseChangeLog xmlns="http://www.liquibase.org/xml/ns/dbchangelog">\n  <changeSet id="1" author="a">\n    ${changes}\n  </changeSet>\n</databaseChangeLog>\n`;
const yaml = (changeSet: string) => `databaseChangeLog:\n  - changeSet:\n      id: 1\n      author: a\n${changeSet}`;
const FILES: Record<string, string> = { 'db/changelog/proc.sql': 'DROP TABLE users;', 'db/changelog/harmless.sql': 'CREATE TABLE audit (id int);' };
const CREATE = '<createTable tableName="t"><column name="id" type="int"/></createTable>';

const ROWS: Array<{ path?: string; text: string; expected: string[]; why: string }> = [
  { text: xml('<sql>SELECT 1</sql>\n    <modifySql><replace replace="SELECT 1" with="DROP TABLE users"/></modifySql>'), expected: ['up opaque'], why: 'replace puts a DROP into <sql>' },
  { text: xml('<sql>SELECT 1</sql>\n    <modifySql><append value="; DROP TABLE users"/></modifySql>'), expected: ['up opaque'], why: 'append adds a statement' },
  { text: xml('<sql>SELECT 1</sql>\n    <modifySql><regExpReplace replace="S.*" with="DROP TABLE users"/></modifySql>'), expected: ['up opaque'], why: 'regExpReplace puts a DROP in' },
  { text: xml('<delete tableName="users"><where>id = 1</where></delete>\n    <modifySql><replace replace="WHERE id = 1" with=""/></modifySql>'), expected: ['up opaque'], why: "replace removes a delete's where" },
  { text: xml(`${CREATE}\n    <modifySql><prepend value="DROP TABLE users; "/></modifySql>`), expected: ['up opaque'], why: 'prepend adds a statement to generated SQL' },
  { text: xml(`${CREATE}\n    <modifySql><mystery value="x"/></modifySql>`), expected: ['up opaque'], why: 'an edit of an unknown kind' },
  { path: 'db/changelog/x.yaml', text: yaml('      changes:\n        - sql:\n            sql: SELECT 1\n      modifySql:\n        - append:\n            value: "; DROP TABLE users"\n'), expected: ['up opaque'], why: 'YAML modifySql' },
  { text: xml('<createProcedure>DROP TABLE users</createProcedure>'), expected: ['up drop-table users'], why: 'an inline procedure body' },
  { text: xml('<createProcedure path="proc.sql" relativeToChangelogFile="true"/>'), expected: ['up drop-table users'], why: 'a procedure from a file' },
  { text: xml('<createProcedure path="missing.sql" relativeToChangelogFile="true"/>'), expected: ['up unparseable'], why: 'a procedure file that is not there' },
  { text: xml('<createProcedure/>'), expected: ['up unparseable'], why: 'a procedure with neither body nor path' },
  { path: 'db/changelog/x.yaml', text: yaml('      changes:\n        - createProcedure:\n            procedureText: DROP TABLE users\n'), expected: ['up drop-table users'], why: "YAML's procedureText" },
  { text: xml('<dropCheckConstraint tableName="users" constraintName="ck"/>'), expected: ['up opaque'], why: 'a Pro change not read' },
  { text: xml('<loadUpdateData tableName="users" file="users.csv"/>'), expected: ['up opaque'], why: 'loadUpdateData overwrites rows' },
  { text: xml('<ext:purgeTable tableName="users"/>'), expected: ['up opaque'], why: "a plugin's change" },
  { text: xml('<createSequence sequenceName="s"/>\n    <insert tableName="t"><column name="id" value="1"/></insert>'), expected: [], why: 'known harmless changes' },
  { text: xml(`${CREATE}\n    <modifySql dbms="mysql"><append value=" ENGINE=InnoDB"/></modifySql>`), expected: [], why: 'modifySql for another database' },
  { text: xml(`${CREATE}\n    <modifySql><append value=" ENGINE=InnoDB"/></modifySql>`), expected: [], why: 'appending harmless words' },
  { text: xml(`${CREATE}\n    <modifySql><replace replace="int" with="bigint"/></modifySql>`), expected: [], why: 'a harmless replace in generated SQL' },
  { text: xml('<createProcedure path="harmless.sql" relativeToChangelogFile="true"/>'), expected: [], why: 'a harmless procedure file' },
];

describe('Liquibase: every change is read or opaque', () => {
  it.each(ROWS)('$why: $expected', async ({ path, text, expected }) => {
    const { ops } = await checkText(path ?? 'db/changelog/x.xml', text, { format: 'liquibase', resolveFile: (p) => FILES[p] });
    expect(described(ops)).toEqual(expected);
  });
});
