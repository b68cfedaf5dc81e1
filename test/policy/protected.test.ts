import { describe, expect, it } from 'vitest';
import type { UserConfig } from '../../src/config/schema.js';
import { ConfigError } from '../../src/errors.js';
import type { Dialect, ObjectRef, OperationKind } from '../../src/model/operation.js';
import { evaluate } from '../../src/policy/evaluate.js';
import { buildProtection } from '../../src/policy/protected.js';
import { ruleDocsUrl } from '../../src/model/rule-docs.js';
import { check, column, config, file, op, table } from '../rules/helpers.js';

type Target = Omit<ObjectRef, 'written'>;

/** Is this operation blocked as protected-object under this config? */
function isProtected(kind: OperationKind, target: Target, raw: UserConfig, dialect: Dialect = 'postgres'): boolean {
  const { findings } = check('', [op(kind, target, { dialect })], raw);
  return findings.some((f) => f.rule === 'protected-object');
}

describe('protected objects', () => {
  const rows: Array<[string, OperationKind, Target, UserConfig, Dialect, boolean]> = [
    // exact names, unqualified pattern matches any schema by default
    ['exact table', 'drop-table', table('users'), { protected: ['users'] }, 'postgres', true],
    ['other table', 'drop-table', table('users_archive'), { protected: ['users'] }, 'postgres', false],
    ['unqualified pattern, qualified object', 'drop-table', table('users', 'auth'), { protected: ['users'] }, 'postgres', true],
    // unqualifiedMatchesAnySchema: false
    ['only public when limited (pg)', 'drop-table', table('users', 'auth'), { protected: ['users'], unqualifiedMatchesAnySchema: false }, 'postgres', false],
    ['public still matches (pg)', 'drop-table', table('users', 'public'), { protected: ['users'], unqualifiedMatchesAnySchema: false }, 'postgres', true],
    ['unqualified object still matches (pg)', 'drop-table', table('users'), { protected: ['users'], unqualifiedMatchesAnySchema: false }, 'postgres', true],
    ['no default schema in mysql', 'drop-table', table('users', 'shop'), { protected: ['users'], unqualifiedMatchesAnySchema: false }, 'mysql', false],
    ['unqualified object in mysql', 'drop-table', table('users'), { protected: ['users'], unqualifiedMatchesAnySchema: false }, 'mysql', true],
    // schema-qualified patterns
    ['qualified pattern', 'drop-table', table('users', 'auth'), { protected: ['auth.users'] }, 'postgres', true],
    ['qualified pattern, other schema', 'drop-table', table('users', 'public'), { protected: ['auth.users'] }, 'postgres', false],
    ['qualified pattern, unqualified object is public (pg)', 'drop-table', table('users'), { protected: ['auth.users'] }, 'postgres', false],
    ['qualified public pattern, unqualified object (pg)', 'drop-table', table('users'), { protected: ['public.users'] }, 'postgres', true],
    ['qualified pattern, unqualified object (mysql: unknown db, fail closed)', 'drop-table', table('users'), { protected: ['shop.users'] }, 'mysql', true],
    // globs
    ['schema glob', 'drop-table', table('sessions', 'auth'), { protected: ['auth.*'] }, 'postgres', true],
    ['schema glob, other schema', 'drop-table', table('sessions', 'public'), { protected: ['auth.*'] }, 'postgres', false],
    ['suffix glob', 'truncate', table('orders_audit'), { protected: ['*_audit'] }, 'postgres', true],
    ['suffix glob miss', 'truncate', table('orders_audits'), { protected: ['*_audit'] }, 'postgres', false],
    ['brace glob', 'drop-table', table('invoices'), { protected: ['{orders,invoices}'] }, 'postgres', true],
    // case rules
    ['pg: quoted pattern is exact', 'drop-table', table('users'), { protected: ['"Users"'] }, 'postgres', false],
    ['pg: quoted pattern matches quoted name', 'drop-table', table('Users'), { protected: ['"Users"'] }, 'postgres', true],
    ['pg: lower-case pattern does not match "Users"', 'drop-table', table('Users'), { protected: ['users'] }, 'postgres', false],
    ['pg: unquoted mixed-case pattern matches Prisma "User"', 'drop-table', table('User'), { protected: ['User'] }, 'postgres', true],
    ['pg: unquoted mixed-case pattern matches folded user', 'drop-table', table('user'), { protected: ['User'] }, 'postgres', true],
    ['mysql: case-insensitive', 'drop-table', table('Users'), { protected: ['users'] }, 'mysql', true],
    ['mysql: case-insensitive glob', 'drop-table', table('ORDERS_AUDIT'), { protected: ['*_audit'] }, 'mysql', true],
    ['sqlite: case-insensitive', 'drop-table', table('USERS'), { protected: ['"users"'] }, 'sqlite', true],
    // a protected table protects its columns, indexes, constraints, triggers, renames, data
    ['column of protected table', 'drop-column', column('users', 'email'), { protected: ['users'] }, 'postgres', true],
    ['column rename of protected table', 'rename-column', column('users', 'email'), { protected: ['users'] }, 'postgres', true],
    ['type change on protected table', 'alter-column-type', column('users', 'email'), { protected: ['users'] }, 'postgres', true],
    ['index of protected table', 'drop-index', { type: 'index', table: 'users', name: 'users_email_idx' }, { protected: ['users'] }, 'mysql', true],
    ['index, table unknown', 'drop-index', { type: 'index', name: 'users_email_idx' }, { protected: ['users'] }, 'postgres', false],
    ['constraint of protected table', 'drop-constraint', { type: 'constraint', table: 'users', name: 'users_pkey' }, { protected: ['users'] }, 'postgres', true],
    ['trigger of protected table', 'drop-trigger', { type: 'trigger', table: 'users', name: 'audit' }, { protected: ['users'] }, 'postgres', true],
    ['rename of protected table', 'rename-table', table('users'), { protected: ['users'] }, 'postgres', true],
    ['truncate protected', 'truncate', table('users'), { protected: ['users'] }, 'postgres', true],
    ['delete-all protected', 'delete-all', table('users'), { protected: ['users'] }, 'postgres', true],
    ['update-all protected', 'update-all', table('users'), { protected: ['users'] }, 'postgres', true],
    ['view with a protected name (same namespace)', 'drop-view', { type: 'view', name: 'users' }, { protected: ['users'] }, 'postgres', true],
    ['column of a table in another schema', 'drop-column', column('users', 'email', 'auth'), { protected: ['public.users'] }, 'postgres', false],
    // columns / indexes / schemas lists
    ['column entry', 'drop-column', column('orders', 'legacy_total'), { protected: { columns: ['orders.legacy_total'] } }, 'postgres', true],
    ['column entry, other column', 'drop-column', column('orders', 'note'), { protected: { columns: ['orders.legacy_total'] } }, 'postgres', false],
    ['a column entry protects it from its table\'s drop', 'drop-table', table('orders'), { protected: { columns: ['orders.legacy_total'] } }, 'postgres', true],
    ['… truncate, delete, update, rename', 'truncate', table('Orders'), { protected: { columns: ['orders.legacy_total'] } }, 'mysql', true],
    ['… of the table in its schema only', 'delete-all', table('orders', 'other'), { protected: { columns: ['billing.orders.total'] } }, 'postgres', false],
    ['… not another table\'s', 'drop-table', table('orders_archive'), { protected: { columns: ['orders.legacy_total'] } }, 'postgres', false],
    ['… nor a view of the same name', 'drop-view', { type: 'view', name: 'orders' }, { protected: { columns: ['orders.legacy_total'] } }, 'postgres', false],
    ['every column of its table (CONVERT TO CHARACTER SET)', 'alter-column-type', column('orders', '*'), { protected: { columns: ['orders.legacy_total'] } }, 'mysql', true],
    ['column entry with schema', 'drop-column', column('orders', 'total', 'billing'), { protected: { columns: ['billing.orders.total'] } }, 'postgres', true],
    ['column entry glob', 'drop-column', column('orders', 'ssn_hash'), { protected: { columns: ['*.ssn_*'] } }, 'postgres', true],
    ['index entry, table unknown', 'drop-index', { type: 'index', name: 'users_email_key' }, { protected: { indexes: ['users_*'] } }, 'postgres', true],
    ['index entry, other index', 'drop-index', { type: 'index', name: 'orders_idx' }, { protected: { indexes: ['users_*'] } }, 'postgres', false],
    ['index entry table.index (mysql)', 'drop-index', { type: 'index', table: 'users', name: 'idx_email' }, { protected: { indexes: ['users.idx_email'] } }, 'mysql', true],
    ['tables key of the object form', 'drop-table', table('users'), { protected: { tables: ['users'] } }, 'postgres', true],
    ['protected schema: drop it', 'drop-schema', { type: 'schema', name: 'auth' }, { protected: { schemas: ['auth'] } }, 'postgres', true],
    ['protected schema: a table in it', 'drop-table', table('anything', 'auth'), { protected: { schemas: ['auth'] } }, 'postgres', true],
    ['protected schema: a function in it', 'drop-function', { type: 'function', name: 'f', schema: 'auth' }, { protected: { schemas: ['auth'] } }, 'postgres', true],
    ['protected schema: other schema', 'drop-table', table('anything', 'app'), { protected: { schemas: ['auth'] } }, 'postgres', false],
    ['schema holding a protected table', 'drop-schema', { type: 'schema', name: 'auth' }, { protected: ['auth.users'] }, 'postgres', true],
    ['schema glob holding protected tables', 'drop-schema', { type: 'schema', name: 'auth' }, { protected: ['auth.*'] }, 'postgres', true],
    ['unrelated schema', 'drop-schema', { type: 'schema', name: 'scratch' }, { protected: ['auth.users'] }, 'postgres', false],
    ['database when anything is protected', 'drop-database', { type: 'database', name: 'shop' }, { protected: ['users'] }, 'mysql', true],
    ['database when nothing is protected', 'drop-database', { type: 'database', name: 'shop' }, {}, 'mysql', false],
    // external
    ['external table', 'drop-table', table('session'), { external: ['session'] }, 'postgres', true],
    ['column of external table', 'drop-column', column('account', 'password'), { external: ['account'] }, 'postgres', true],
  ];

  it.each(rows)('%s', (_name, kind, target, raw, dialect, expected) => {
    expect(isProtected(kind, target, raw, dialect)).toBe(expected);
  });

  it('reports protected-object at error, naming the object and the config entry', () => {
    const { findings } = check('', [op('drop-column', column('users', 'email', 'public'))], { protected: ['users'] });
    expect(findings).toHaveLength(1);
    const [f] = findings;
    expect(f.rule).toBe('protected-object');
    expect(f.severity).toBe('error');
    expect(f.protectedObject).toBe('public.users.email');
    expect(f.message).toContain('Drops column public.users.email');
    expect(f.message).toContain('belongs to a protected table ("users" in config `protected`)');
    expect(f.help).toContain('-- dbsafe:allow drop-column(public.users.email) -- <why this is safe>');
    expect(f.docs).toBe(ruleDocsUrl('protected-object'));
  });

  it('says a table drop takes a protected column with it; a bare marker does not cover it', () => {
    const text = '-- dbsafe:allow drop-table -- replaced by the new accounts table\nDROP TABLE accounts;';
    const { findings } = check(text, [op('drop-table', table('accounts'), { line: 2 })], { protected: { columns: ['accounts.email'] } });
    expect(findings.map((f) => f.rule)).toContain('protected-object');
    expect(findings.find((f) => f.rule === 'protected-object')!.message).toContain('It holds protected objects ("accounts.email" in config `protected.columns`)');
  });

  it('says why a schema or database drop is protected', () => {
    const schema = check('', [op('drop-schema', { type: 'schema', name: 'auth' }, { flags: { cascade: true } })], { protected: ['auth.users'] });
    expect(schema.findings[0].message).toContain('It holds protected objects ("auth.users" in config `protected`)');
    const listed = check('', [op('drop-schema', { type: 'schema', name: 'auth' })], { protected: { schemas: ['auth'] } });
    expect(listed.findings[0].message).toContain('auth is protected ("auth" in config `protected.schemas`)');
    const inSchema = check('', [op('drop-table', table('users', 'auth'))], { protected: { schemas: ['auth'] } });
    expect(inSchema.findings[0].message).toContain('It is in a protected schema ("auth" in config `protected.schemas`)');
    const database = check('', [op('drop-database', { type: 'database', name: 'shop' }, { dialect: 'mysql' })], { protected: ['users'] });
    expect(database.findings[0].message).toContain('The database holds protected objects ("users" in config `protected`)');
  });

  it('says an external table is managed outside the ORM', () => {
    const { findings } = check('', [op('drop-table', table('verification'))], { external: ['session', 'account', 'verification'] });
    expect(findings[0].rule).toBe('protected-object');
    expect(findings[0].message).toContain('managed outside the ORM');
    expect(findings[0].message).toContain('"verification" in config `external`');
  });

  it('blocks a warn-level kind (drop-index) and one whose rule is off', () => {
    const ops = [
      op('drop-index', { type: 'index', name: 'users_email_key' }),
      op('drop-table', table('users'), { line: 2 }),
    ];
    const { findings } = check('', ops, { protected: { tables: ['users'], indexes: ['users_*'] }, rules: { 'drop-table': 'off', 'drop-index': 'off' } });
    expect(findings.map((f) => `${f.rule}:${f.severity}`)).toEqual(['protected-object:error', 'protected-object:error']);
  });

  it('cannot be turned off or lowered in config `rules`', () => {
    for (const severity of ['off', 'warn'] as const) {
      let error: unknown;
      try {
        config({ protected: ['users'], rules: { 'protected-object': severity } });
      } catch (e) {
        error = e;
      }
      expect(error).toBeInstanceOf(ConfigError);
      expect((error as Error).message).toContain('"rules.protected-object"');
      expect((error as Error).message).toContain('always blocks');
    }
    // evaluate() refuses a config that bypassed the schema, too.
    const raw = { ...config({ protected: ['users'] }), rules: { 'protected-object': 'off' as const } };
    expect(() => evaluate([file('', [op('drop-table', table('users'))])], raw)).toThrow(ConfigError);
  });

  it('rejects unknown rule ids in config `rules`, suggesting the right one', () => {
    expect(() => config({ rules: { 'drop-tabel': 'off' } })).toThrow(/"rules.drop-tabel": unknown rule "drop-tabel" \(did you mean "drop-table"\?\)/);
  });

  it('rejects malformed protected entries, naming the key', () => {
    expect(() => config({ protected: ['a.b.c'] })).toThrow(/"protected.0": "a.b.c" is not a valid name here/);
    expect(() => config({ protected: { columns: ['w.x.y.z'] } })).toThrow(/"protected.columns.0"/);
    expect(() => config({ protected: { schemas: ['a.b'] } })).toThrow(/"protected.schemas.0"/);
    expect(() => config({ external: ['"unclosed'] })).toThrow(/"external.0"/);
  });

  it('has nothing to protect by default', () => {
    expect(buildProtection(config()).isEmpty).toBe(true);
    expect(buildProtection(config({ external: ['session'] })).isEmpty).toBe(false);
  });
});

describe('protected-object help', () => {
  it('points at the config key that protects the object', () => {
    const external = check('', [op('drop-table', table('session'))], { external: ['session'] }).findings[0];
    expect(external.help).toContain('remove it from `external` in the configuration');
    const listed = check('', [op('drop-table', table('users'))], { protected: ['users'] }).findings[0];
    expect(listed.help).toContain('remove it from `protected` in the configuration');
  });
});
