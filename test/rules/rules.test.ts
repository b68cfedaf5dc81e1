import { describe, expect, it } from 'vitest';
import type { Operation } from '../../src/model/operation.js';
import { OPERATION_RULES, POLICY_RULES, RULES } from '../../src/rules/index.js';
import { RULE_IDS } from '../../src/model/rule-ids.js';
import { ruleDocsUrl } from '../../src/model/rule-docs.js';
import { check, column, op, summary, table } from './helpers.js';

/**
 * One invalid and one valid case per operation rule, as a user sees it: rule id, severity,
 * a message that names the object (schema-qualified when written) and says what is lost,
 * help that says what to do instead and the exact marker line, and the docs link.
 */
const cases: Array<{
  id: string;
  severity: 'error' | 'warn';
  invalid: Operation;
  object: string;
  lost: RegExp;
  marker: string;
}> = [
  { id: 'drop-table', severity: 'error', invalid: op('drop-table', table('users', 'public')), object: 'public.users', lost: /every row/, marker: '-- dbsafe:allow drop-table(public.users) -- <why this is safe>' },
  { id: 'drop-column', severity: 'error', invalid: op('drop-column', column('orders', 'legacy_total')), object: 'orders.legacy_total', lost: /value in every row is lost/, marker: '-- dbsafe:allow drop-column(orders.legacy_total) -- <why this is safe>' },
  { id: 'drop-schema', severity: 'error', invalid: op('drop-schema', { type: 'schema', name: 'billing' }, { flags: { cascade: true } }), object: 'billing', lost: /every object in it/, marker: '-- dbsafe:allow drop-schema(billing)' },
  { id: 'drop-database', severity: 'error', invalid: op('drop-database', { type: 'database', name: 'shop' }), object: 'shop', lost: /every table/, marker: 'drop-database(shop)' },
  { id: 'truncate', severity: 'error', invalid: op('truncate', table('events')), object: 'events', lost: /every row in it is deleted/, marker: 'truncate(events)' },
  { id: 'delete-all', severity: 'error', invalid: op('delete-all', table('sessions')), object: 'sessions', lost: /no WHERE clause/, marker: 'delete-all(sessions)' },
  { id: 'update-all', severity: 'error', invalid: op('update-all', table('users'), { flags: { whereAlwaysTrue: true } }), object: 'users', lost: /always true/, marker: 'update-all(users)' },
  { id: 'drop-index', severity: 'warn', invalid: op('drop-index', { type: 'index', name: 'users_email_idx' }), object: 'users_email_idx', lost: /uniqueness/, marker: 'drop-index(users_email_idx)' },
  { id: 'drop-constraint', severity: 'warn', invalid: op('drop-constraint', { type: 'constraint', table: 'orders', name: 'orders_user_fk' }), object: 'orders.orders_user_fk', lost: /stops enforcing/, marker: 'drop-constraint(orders.orders_user_fk)' },
  { id: 'drop-view', severity: 'warn', invalid: op('drop-view', { type: 'view', name: 'active_users' }), object: 'active_users', lost: /read it fail/, marker: 'drop-view(active_users)' },
  { id: 'drop-function', severity: 'warn', invalid: op('drop-function', { type: 'function', name: 'touch_updated_at' }), object: 'touch_updated_at', lost: /call it fail/, marker: 'drop-function(touch_updated_at)' },
  { id: 'drop-type', severity: 'warn', invalid: op('drop-type', { type: 'type', name: 'mood' }), object: 'mood', lost: /use it break/, marker: 'drop-type(mood)' },
  { id: 'drop-sequence', severity: 'warn', invalid: op('drop-sequence', { type: 'sequence', name: 'invoice_no' }), object: 'invoice_no', lost: /current value is lost/, marker: 'drop-sequence(invoice_no)' },
  { id: 'drop-trigger', severity: 'warn', invalid: op('drop-trigger', { type: 'trigger', table: 'orders', name: 'audit' }), object: 'orders.audit', lost: /silently stops/, marker: 'drop-trigger(orders.audit)' },
  { id: 'rename-table', severity: 'warn', invalid: op('rename-table', table('users'), { flags: { newName: 'accounts' } }), object: 'users', lost: /to accounts: code that still uses the old name/, marker: 'rename-table(users)' },
  { id: 'rename-column', severity: 'warn', invalid: op('rename-column', column('users', 'mail'), { flags: { newName: 'email' } }), object: 'users.mail', lost: /old name fails/, marker: 'rename-column(users.mail)' },
  { id: 'rename-schema', severity: 'warn', invalid: op('rename-schema', { type: 'schema', name: 'billing' }, { flags: { newName: 'billing_v1' } }), object: 'billing', lost: /to billing_v1: every table in it changes name/, marker: 'rename-schema(billing)' },
  { id: 'drop-dependents', severity: 'error', invalid: op('drop-dependents', { type: 'role', name: 'legacy_app' }), object: 'legacy_app', lost: /every table and row the role owns/, marker: 'drop-dependents(legacy_app)' },
  { id: 'alter-column-type', severity: 'warn', invalid: op('alter-column-type', column('orders', 'total'), { flags: { newType: 'bigint' } }), object: 'orders.total', lost: /to bigint/, marker: 'alter-column-type(orders.total)' },
  { id: 'unparseable', severity: 'error', invalid: op('unparseable', undefined, { detail: 'syntax error at or near "TABL"' }), object: 'syntax error at or near "TABL"', lost: /cannot tell whether it destroys data/, marker: '-- dbsafe:allow unparseable -- <why this is safe>' },
  { id: 'opaque', severity: 'error', invalid: op('opaque', undefined, { detail: 'RunPython(forwards)' }), object: 'RunPython(forwards)', lost: /may destroy data/, marker: '-- dbsafe:allow opaque -- <why this is safe>' },
];

describe('operation rules', () => {
  it('has a case for every operation rule reported by default', () => {
    const reported = Object.entries(OPERATION_RULES).filter(([, rule]) => rule.meta.defaultSeverity !== 'off');
    expect(cases.map((c) => c.id).sort()).toEqual(reported.map(([id]) => id).sort());
  });

  // renames that keep every row: reported only where asked for, or where the object is protected
  it.each<[string, Operation, { tables?: string[]; indexes?: string[] }]>([
    ['rename-index', op('rename-index', { type: 'index', name: 'orders_total_idx' }, { flags: { newName: 'orders_amount_idx' } }), { indexes: ['orders_total_idx'] }],
    ['rename-constraint', op('rename-constraint', { type: 'constraint', name: 'orders_total_check', table: 'orders' }, { flags: { newName: 'c2' } }), { tables: ['orders'] }],
  ])('%s: off by default, reported when configured, protected-object on a protected object', (id, invalid, prot) => {
    expect(check('', [invalid]).findings).toEqual([]);
    expect(summary(check('', [invalid], { rules: { [id]: 'warn' } }).findings)).toEqual([`${id}:warn@1`]);
    expect(summary(check('', [invalid], { protected: prot }).findings)).toEqual(['protected-object:error@1']);
  });

  it.each(cases)('$id: reported at $severity, naming $object, with help and docs', ({ id, severity, invalid, object, lost, marker }) => {
    const { findings, overridesUsed } = check('', [invalid]);
    expect(summary(findings)).toEqual([`${id}:${severity}@1`]);
    const [finding] = findings;
    expect(finding.message).toContain(object);
    expect(finding.message).toMatch(lost);
    expect(finding.help).toContain(OPERATION_RULES[invalid.kind].meta.help);
    expect(finding.help).toContain(marker);
    expect(finding.docs).toBe(ruleDocsUrl(id));
    expect(finding.operation).toBe(invalid);
    expect(overridesUsed).toEqual([]);
  });

  it.each(cases)('$id: can be turned off or raised in config `rules`', ({ id, severity, invalid }) => {
    expect(check('', [invalid], { rules: { [id]: 'off' } }).findings).toEqual([]);
    const other = severity === 'error' ? 'warn' : 'error';
    expect(summary(check('', [invalid], { rules: { [id]: other } }).findings)).toEqual([`${id}:${other}@1`]);
  });

  it.each(cases)('$id: valid when a marker with a reason allows it (and the override is listed)', ({ id, invalid }) => {
    const text = `-- dbsafe:allow ${id} -- reviewed: safe in this release\nSTATEMENT;`;
    const { findings, overridesUsed } = check(text, [{ ...invalid, line: 2, statementLine: 2 }]);
    expect(findings).toEqual([]);
    expect(overridesUsed).toEqual([
      expect.objectContaining({ line: 1, rule: id, reason: 'reviewed: safe in this release', fileWide: false, operationLines: [2] }),
    ]);
  });

  it('alter-column-type: narrowing is an error, widening a warning', () => {
    const narrowing = op('alter-column-type', column('users', 'name'), {
      flags: { oldType: 'varchar(255)', newType: 'varchar(50)', narrowing: true },
    });
    const widening = op('alter-column-type', column('users', 'id'), { flags: { oldType: 'integer', newType: 'bigint' } });
    const { findings } = check('', [narrowing, { ...widening, line: 2 }]);
    expect(summary(findings)).toEqual(['alter-column-type:error@1', 'alter-column-type:warn@2']);
    expect(findings[0].message).toContain('from varchar(255) to varchar(50), a narrower type');
    expect(findings[1].message).toContain('from integer to bigint');
    // An explicit severity in config applies to both.
    expect(summary(check('', [narrowing], { rules: { 'alter-column-type': 'warn' } }).findings)).toEqual([
      'alter-column-type:warn@1',
    ]);
  });

  it('drop-table: a scratch table (created earlier in the same migration) is a warning; protected, it still blocks; configured, the config wins', () => {
    const scratch = op('drop-table', table('tmp_import'), { flags: { scratch: true } });
    const { findings } = check('', [scratch]);
    expect(summary(findings)).toEqual(['drop-table:warn@1']);
    expect(findings[0].message).toContain('a table this migration created earlier');
    expect(summary(check('', [scratch], { protected: { tables: ['tmp_import'] } }).findings)).toContain('protected-object:error@1');
    expect(summary(check('', [scratch], { rules: { 'drop-table': 'error' } }).findings)).toEqual(['drop-table:error@1']);
  });

  it('messages add CASCADE, embedded code and the SQLite rebuild note', () => {
    const dropped = op('drop-table', table('users'), { flags: { cascade: true, embedded: true, dataCopied: true } });
    const [finding] = check('', [dropped]).findings;
    expect(finding.message).toContain('CASCADE also drops every object that depends on it');
    expect(finding.message).toContain('inside a DO block');
    expect(finding.message).toContain('rows were copied into a new table first');
  });

  it('quotes names that need it, per dialect', () => {
    const pg = check('', [op('drop-table', { type: 'table', name: 'User', written: '"User"' })]).findings[0];
    expect(pg.message).toContain('Drops table "User"');
    expect(pg.help).toContain('drop-table("User")');
    const my = check('', [op('drop-table', { type: 'table', name: 'order items' }, { dialect: 'mysql' })]).findings[0];
    expect(my.help).toContain('drop-table(`order items`)');
  });

  it('writes the marker in the comment syntax of the file', () => {
    const dropped = (path: string) => op('drop-table', table('users'), { file: path });
    const helpFor = (path: string) => check('', [dropped(path)], {}, { path }).findings[0].help;
    expect(helpFor('db/migrate/1_drop.rb')).toContain('# dbsafe:allow drop-table(users) -- <why this is safe>');
    expect(helpFor('alembic/versions/1_drop.py')).toContain('# dbsafe:allow drop-table(users) --');
    expect(helpFor('migrations/1_drop.js')).toContain('// dbsafe:allow drop-table(users) --');
    expect(helpFor('migrations/1_drop.ts')).toContain('// dbsafe:allow drop-table(users) --');
    expect(helpFor('changelog/1.xml')).toContain('<!-- dbsafe:allow drop-table(users): <why this is safe> -->');
    expect(helpFor('changelog/1.yaml')).toContain('# dbsafe:allow drop-table(users)');
  });
});

describe('registry', () => {
  it('lists every rule id exactly once, each with a docs link, description and help', () => {
    const ids = RULES.map((r) => r.meta.id);
    expect(new Set(ids).size).toBe(ids.length);
    expect([...ids].sort()).toEqual([...RULE_IDS].sort());
    for (const rule of RULES) {
      expect(rule.meta.docs).toBe(ruleDocsUrl(rule.meta.id));
      expect(rule.meta.description.length).toBeGreaterThan(20);
      expect(rule.meta.help.length).toBeGreaterThan(20);
    }
  });

  it('has the default severities of the spec', () => {
    const severities = Object.fromEntries(RULES.map((r) => [r.meta.id, r.meta.defaultSeverity]));
    expect(severities).toEqual({
      'drop-table': 'error', 'drop-column': 'error', 'drop-schema': 'error', 'drop-database': 'error',
      truncate: 'error', 'delete-all': 'error', 'update-all': 'error',
      'drop-index': 'warn', 'drop-constraint': 'warn', 'drop-view': 'warn', 'drop-function': 'warn',
      'drop-type': 'warn', 'drop-sequence': 'warn', 'drop-trigger': 'warn', 'rename-table': 'warn',
      'rename-column': 'warn', 'alter-column-type': 'warn', 'rename-schema': 'warn', 'drop-dependents': 'error',
      'rename-index': 'off', 'rename-constraint': 'off',
      'protected-object': 'error', unparseable: 'error', opaque: 'error',
      'override-missing-reason': 'error', 'unknown-override': 'error', 'unused-override': 'warn',
      'edited-applied-migration': 'warn', 'unmatched-migration': 'warn',
    });
    expect(Object.keys(POLICY_RULES)).toHaveLength(6);
  });
});
