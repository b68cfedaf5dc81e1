import { cpSync, existsSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { makeRepo, type TestRepo } from '../helpers/repo.js';
import { buildOnce, checkJson, commit, findingsOf, type JsonFinding } from './check-helpers.js';

/**
 * A Django migration names models, not tables: the tables come from the app's earlier migrations
 * (check/django-history.ts). Each case commits the app's history, stages one migration, and says what
 * `check` must report: the destructive findings as `rule object`, and a detail it must carry.
 */
beforeAll(buildOnce);

let repo: TestRepo;
afterEach(() => repo?.cleanup());

const config = (dialect = 'postgres') =>
  JSON.stringify({ dialect, migrations: [{ glob: '*/migrations/*.py', format: 'django' }], protected: { tables: ['payments'] } });

const migration = (...operations: string[]) =>
  `from django.db import migrations, models\n\n\nclass Migration(migrations.Migration):\n    operations = [\n${operations.map((o) => `        ${o},\n`).join('')}    ]\n`;

const invoice = (options = '', fields = '') =>
  `migrations.CreateModel(name='Invoice', fields=[('id', models.AutoField(primary_key=True)), ('customer', models.ForeignKey(on_delete=models.CASCADE, to='shop.customer'))${fields}]${options ? `, options=${options}` : ''})`;

interface Case {
  name: string;
  history: Record<string, string>;
  staged: string;
  dialect?: string;
  /** Every finding of these rules, as `rule object`. */
  expected: string[];
  /** Matched against the findings' messages and details. */
  detail?: RegExp;
}

const DESTRUCTIVE = /^(protected-object|drop-table|drop-column|rename-table|rename-column|alter-column-type|opaque)$/;

const cases: Case[] = [
  {
    name: "DeleteModel drops the db_table an earlier migration set (a protected table: blocked)",
    history: { 'shop/migrations/0001_initial.py': migration(invoice("{'db_table': 'payments'}")) },
    staged: migration("migrations.DeleteModel(name='Invoice')"),
    expected: ['protected-object payments'],
  },
  {
    name: 'DeleteModel without db_table anywhere: the default name, stated as known (no assumption)',
    history: { 'shop/migrations/0001_initial.py': migration(invoice()) },
    staged: migration("migrations.DeleteModel(name='Invoice')"),
    expected: ['drop-table shop_invoice'],
  },
  {
    name: 'a model no earlier migration creates: the default name, and the finding says so',
    history: { 'shop/migrations/0001_initial.py': migration(invoice()) },
    staged: migration("migrations.DeleteModel(name='Ghost')"),
    expected: ['drop-table shop_ghost'],
    detail: /no migration of this app before this one creates Ghost/,
  },
  {
    name: 'RemoveField of a many-to-many field drops its join table, not a column',
    history: { 'shop/migrations/0001_initial.py': migration(invoice('', ", ('tags', models.ManyToManyField(to='shop.tag'))")) },
    staged: migration("migrations.RemoveField(model_name='invoice', name='tags')"),
    expected: ['drop-table shop_invoice_tags'],
  },
  {
    name: 'RemoveField of a many-to-many field added by a later AddField, on a model with db_table',
    history: {
      'shop/migrations/0001_initial.py': migration(invoice("{'db_table': 'billing_invoice'}")),
      'shop/migrations/0002_tags.py': migration("migrations.AddField(model_name='invoice', name='tags', field=models.ManyToManyField(to='shop.tag'))"),
    },
    staged: migration("migrations.RemoveField('invoice', 'tags')"),
    expected: ['drop-table billing_invoice_tags'],
  },
  {
    name: 'many-to-many with its own db_table: that table',
    history: { 'shop/migrations/0001_initial.py': migration(invoice('', ", ('tags', models.ManyToManyField(db_table='invoice_tag_links', to='shop.tag'))")) },
    staged: migration("migrations.RemoveField(model_name='invoice', name='tags')"),
    expected: ['drop-table invoice_tag_links'],
  },
  {
    name: 'many-to-many through a model of its own: removing the field drops nothing',
    history: { 'shop/migrations/0001_initial.py': migration(invoice('', ", ('tags', models.ManyToManyField(through='shop.InvoiceTag', to='shop.tag'))")) },
    staged: migration("migrations.RemoveField(model_name='invoice', name='tags')"),
    expected: [],
  },
  {
    name: 'DeleteModel drops the join tables of its many-to-many fields too',
    history: { 'shop/migrations/0001_initial.py': migration(invoice('', ", ('tags', models.ManyToManyField(to='shop.tag'))")) },
    staged: migration("migrations.DeleteModel('Invoice')"),
    expected: ['drop-table shop_invoice', 'drop-table shop_invoice_tags'],
  },
  {
    name: 'RemoveField of a ForeignKey declared earlier: the <name>_id column',
    history: { 'shop/migrations/0001_initial.py': migration(invoice()) },
    staged: migration("migrations.RemoveField(model_name='invoice', name='customer')"),
    expected: ['drop-column shop_invoice.customer_id'],
  },
  {
    name: 'AlterModelTable earlier, then DeleteModel: the table it was renamed to',
    history: {
      'shop/migrations/0001_initial.py': migration(invoice()),
      'shop/migrations/0002_table.py': migration("migrations.AlterModelTable(name='invoice', table='payments')"),
    },
    staged: migration("migrations.DeleteModel(name='Invoice')"),
    expected: ['protected-object payments'],
  },
  {
    name: 'AlterModelTable renames from the earlier db_table (a protected table: blocked)',
    history: { 'shop/migrations/0001_initial.py': migration(invoice("{'db_table': 'payments'}")) },
    staged: migration("migrations.AlterModelTable(name='invoice', table='invoices')"),
    expected: ['protected-object payments'],
  },
  {
    name: 'RenameModel of a model with db_table renames nothing; a later DeleteModel by the new name drops that table',
    history: {
      'shop/migrations/0001_initial.py': migration(invoice("{'db_table': 'payments'}")),
      'shop/migrations/0002_rename.py': migration("migrations.RenameModel(old_name='Invoice', new_name='Bill')"),
    },
    staged: migration("migrations.DeleteModel(name='Bill')"),
    expected: ['protected-object payments'],
  },
  {
    name: 'RenameModel without db_table: the table follows the model name',
    history: {
      'shop/migrations/0001_initial.py': migration(invoice()),
      'shop/migrations/0002_rename.py': migration("migrations.RenameModel(old_name='Invoice', new_name='Bill')"),
    },
    staged: migration("migrations.DeleteModel(name='Bill')"),
    expected: ['drop-table shop_bill'],
  },
  {
    name: 'a proxy model has no table: deleting it drops nothing',
    history: { 'shop/migrations/0001_initial.py': migration("migrations.CreateModel(name='PaidInvoice', fields=[], options={'proxy': True}, bases=('shop.invoice',))") },
    staged: migration("migrations.DeleteModel(name='PaidInvoice')"),
    expected: [],
  },
  {
    name: 'an unmanaged model: deleting it drops nothing',
    history: { 'shop/migrations/0001_initial.py': migration(invoice("{'managed': False, 'db_table': 'payments'}")) },
    staged: migration("migrations.DeleteModel(name='Invoice')"),
    expected: [],
  },
  {
    name: 'an unmanaged model made managed by AlterModelOptions: deleting it drops its table',
    history: {
      'shop/migrations/0001_initial.py': migration(invoice("{'managed': False, 'db_table': 'payments'}")),
      'shop/migrations/0002_manage.py': migration("migrations.AlterModelOptions(name='invoice', options={'ordering': ['id']})"),
    },
    staged: migration("migrations.DeleteModel(name='Invoice')"),
    expected: ['protected-object payments'],
  },
  {
    name: 'SeparateDatabaseAndState: the state_operations give the later name',
    history: { 'shop/migrations/0001_adopt.py': migration(`migrations.SeparateDatabaseAndState(state_operations=[${invoice("{'db_table': 'payments'}")}], database_operations=[])`) },
    staged: migration("migrations.DeleteModel(name='Invoice')"),
    expected: ['protected-object payments'],
  },
  {
    name: "another app's model of the same name does not lend its db_table",
    history: { 'billing/migrations/0001_initial.py': migration(invoice("{'db_table': 'payments'}")), 'shop/migrations/0001_initial.py': migration(invoice()) },
    staged: migration("migrations.DeleteModel(name='Invoice')"),
    expected: ['drop-table shop_invoice'],
  },
  {
    name: 'a migration after the staged one (by number) does not count',
    history: { 'shop/migrations/0001_initial.py': migration(invoice()), 'shop/migrations/0009_later.py': migration("migrations.AlterModelTable(name='invoice', table='payments')") },
    staged: migration("migrations.DeleteModel(name='Invoice')"),
    expected: ['drop-table shop_invoice'],
  },
  {
    name: 'a DeleteModel then CreateModel earlier: the new model\'s table',
    history: {
      'shop/migrations/0001_initial.py': migration(invoice("{'db_table': 'payments'}")),
      'shop/migrations/0002_recreate.py': migration("migrations.DeleteModel(name='Invoice')", invoice("{'db_table': 'invoices_v2'}")),
    },
    staged: migration("migrations.DeleteModel(name='Invoice')"),
    expected: ['drop-table invoices_v2'],
  },
  {
    name: 'a default name longer than PostgreSQL allows is shortened as Django does (name[:59] + md5[:4], computed with Python)',
    history: { 'shop/migrations/0001_initial.py': migration("migrations.CreateModel(name='AVeryLongModelNameThatGoesOnAndOnPastTheIdentifierLimitOfPostgres', fields=[])") },
    staged: migration("migrations.DeleteModel(name='AVeryLongModelNameThatGoesOnAndOnPastTheIdentifierLimitOfPostgres')"),
    expected: ['drop-table shop_averylongmodelnamethatgoesonandonpasttheidentifierlimi44d8'],
  },
  {
    name: 'RenameField of a many-to-many field renames its join table',
    history: { 'shop/migrations/0001_initial.py': migration(invoice('', ", ('tags', models.ManyToManyField(to='shop.tag'))")) },
    staged: migration("migrations.RenameField(model_name='invoice', old_name='tags', new_name='labels')"),
    expected: ['rename-table shop_invoice_tags'],
  },
  {
    name: 'AlterField compares with the type an earlier migration declared (narrowing)',
    history: { 'shop/migrations/0001_initial.py': migration(invoice('', ", ('code', models.CharField(max_length=100))")) },
    staged: migration("migrations.AlterField(model_name='invoice', name='code', field=models.CharField(max_length=50))"),
    expected: ['alter-column-type shop_invoice.code'],
    detail: /from models\.CharField\(max_length=100\) to models\.CharField\(max_length=50\), a narrower type/,
  },
  {
    name: 'an earlier migration whose operations are built at run time: names are assumed again, and said so',
    history: {
      'shop/migrations/0001_initial.py': migration(invoice("{'db_table': 'payments'}")),
      'shop/migrations/0002_dynamic.py': 'from django.db import migrations\n\n\nclass Migration(migrations.Migration):\n    operations = build_operations()\n',
    },
    staged: migration("migrations.DeleteModel(name='Invoice')"),
    expected: ['drop-table shop_invoice'],
    detail: /assumed/,
  },
];

describe('Django tables and columns named from the app\'s earlier migrations', () => {
  it.each(cases)('$name', ({ history, staged, dialect, expected, detail }) => {
    repo = makeRepo();
    commit(repo, { '.dbsaferc.json': config(dialect), ...history });
    repo.write('shop/migrations/0005_staged.py', staged);
    repo.git('add', '-A');
    const findings = findingsOf(checkJson(repo, [])).filter((f: JsonFinding) => DESTRUCTIVE.test(f.rule));
    const shown = JSON.stringify(findings, null, 2);
    expect(findings.map((f) => `${f.rule} ${f.object}`).sort(), shown).toEqual([...expected].sort());
    if (detail) expect(findings.map((f) => `${f.message} ${f.detail ?? ''}`).join(' '), shown).toMatch(detail);
  });
});

describe('RunPython bodies', () => {
  it("an ORM delete of every row names the model's db_table from the app's history (protected: blocked)", () => {
    repo = makeRepo();
    commit(repo, { '.dbsaferc.json': config(), 'shop/migrations/0001_initial.py': migration(invoice("{'db_table': 'payments'}")) });
    repo.write(
      'shop/migrations/0002_purge.py',
      "from django.db import migrations\n\n\ndef purge(apps, schema_editor):\n    Invoice = apps.get_model('shop', 'Invoice')\n    Invoice.objects.all().delete()\n\n\nclass Migration(migrations.Migration):\n    operations = [migrations.RunPython(purge)]\n",
    );
    repo.git('add', '-A');
    const findings = findingsOf(checkJson(repo, []));
    expect(findings.map((f) => `${f.rule} ${f.object}`), JSON.stringify(findings, null, 2)).toContain('protected-object payments');
  });
});

describe('where the history comes from', () => {
  const appsCache = () => path.join(repo.dir, '.git', 'dbsafe', 'django-apps');

  it('reads only when a name was assumed, then caches the app once per blob in .git/dbsafe/django-apps', () => {
    repo = makeRepo();
    commit(repo, { '.dbsaferc.json': config(), 'shop/migrations/0001_initial.py': migration(invoice("{'db_table': 'payments'}")) });
    repo.write('shop/migrations/0002_new.py', migration("migrations.CreateModel(name='Other', fields=[])"));
    repo.git('add', '-A');
    expect(checkJson(repo, []).code).toBe(0);
    expect(existsSync(appsCache())).toBe(false);
    repo.write('shop/migrations/0003_drop.py', migration("migrations.DeleteModel(name='Invoice')"));
    repo.git('add', '-A');
    expect(findingsOf(checkJson(repo, [])).map((f) => `${f.rule} ${f.object}`)).toContain('protected-object payments');
    expect(readdirSync(appsCache())).toHaveLength(1);
  });

  it("check --base reads the head commit's tree (and writes no cache)", () => {
    repo = makeRepo();
    commit(repo, { '.dbsaferc.json': config(), 'shop/migrations/0001_initial.py': migration(invoice("{'db_table': 'payments'}")) });
    const base = repo.git('rev-parse', 'HEAD');
    commit(repo, { 'shop/migrations/0002_drop.py': migration("migrations.DeleteModel(name='Invoice')") });
    // the working tree and index no longer hold the history: only the head commit's tree does
    repo.git('rm', '-q', '--cached', 'shop/migrations/0001_initial.py');
    expect(findingsOf(checkJson(repo, ['--base', base])).map((f) => `${f.rule} ${f.object}`)).toContain('protected-object payments');
    expect(existsSync(appsCache())).toBe(false);
  });

  it('outside a git repository the name stays assumed, and the finding says so', () => {
    repo = makeRepo();
    repo.write('.dbsaferc.json', config());
    repo.write('shop/migrations/0002_drop.py', migration("migrations.DeleteModel(name='Invoice')"));
    const outside = mkdtempSync(path.join(os.tmpdir(), 'dbsafe-plain-'));
    try {
      cpSync(path.join(repo.dir, 'shop'), path.join(outside, 'shop'), { recursive: true });
      cpSync(path.join(repo.dir, '.dbsaferc.json'), path.join(outside, '.dbsaferc.json'));
      const findings = findingsOf(checkJson(repo, ['--worktree', 'shop/migrations/0002_drop.py'], outside));
      expect(findings.map((f) => `${f.rule} ${f.object}`)).toEqual(['drop-table shop_invoice']);
      expect(findings[0]!.detail).toMatch(/assumed/);
    } finally {
      rmSync(outside, { recursive: true, force: true });
    }
  });
});
