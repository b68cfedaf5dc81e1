import { describe, expect, it } from 'vitest';
import { modelEventsIn } from '../../src/readers/django-model-events.js';
import { applyModelEvent, truncateName, type ModelState } from '../../src/readers/django-model-state.js';
import { readMigration } from '../../src/readers/index.js';
import { objectName } from './helpers.js';

const migration = (...operations: string[]) =>
  `from django.db import migrations, models\n\nclass Migration(migrations.Migration):\n    operations = [\n${operations.map((o) => `        ${o},\n`).join('')}    ]\n`;

const stateAfter = (...files: string[]): ModelState => {
  const state: ModelState = {};
  for (const text of files) for (const event of modelEventsIn(text)) applyModelEvent(state, event);
  return state;
};

describe("a Django app's model state from its migrations", () => {
  it.each([
    ['CreateModel with db_table', [migration("migrations.CreateModel('Invoice', [('id', models.AutoField())], options={'db_table': 'payments'})")], 'invoice', 'payments'],
    ['AlterModelTable', [migration("migrations.CreateModel('Invoice', [])", "migrations.AlterModelTable('invoice', 'payments')")], 'invoice', 'payments'],
    ['AlterModelTable to None: back to the default', [migration("migrations.CreateModel('Invoice', [], options={'db_table': 'payments'})", "migrations.AlterModelTable('invoice', None)")], 'invoice', undefined],
    ['RenameModel keeps the db_table under the new name', [migration("migrations.CreateModel('Invoice', [], options={'db_table': 'payments'})"), migration("migrations.RenameModel('Invoice', 'Bill')")], 'bill', 'payments'],
    ['a db_table computed at run time is not known', [migration("migrations.CreateModel('Invoice', [], options={'db_table': table_name()})")], 'invoice', undefined],
  ])('%s', (_name, files, model, table) => {
    const state = stateAfter(...files);
    expect(state[model]).toBeDefined();
    expect(state[model]!.dbTable).toBe(table);
  });

  it.each([
    ['DeleteModel', migration("migrations.DeleteModel('Invoice')")],
    ['RenameModel away', migration("migrations.RenameModel('Invoice', 'Bill')")],
    ['an operation on a model named at run time empties the state', migration('migrations.DeleteModel(name)')],
    ['a file that does not tokenize empties the state', 'class Migration(:\n  operations = [\n'],
  ])('%s: the model is no longer known', (_name, later) => {
    const state = stateAfter(migration("migrations.CreateModel('Invoice', [], options={'db_table': 'payments'})"), later);
    expect(state.invoice).toBeUndefined();
  });

  it('fields: many-to-many (auto, db_table, through), foreign keys, renamed and removed fields', () => {
    const state = stateAfter(
      migration("migrations.CreateModel('Invoice', [('tags', models.ManyToManyField(to='t')), ('links', models.ManyToManyField(to='t', db_table='inv_links')), ('via', models.ManyToManyField(to='t', through='shop.Via')), ('customer', models.ForeignKey(to='c', on_delete=models.CASCADE))])"),
      migration("migrations.RenameField('invoice', 'customer', 'buyer')", "migrations.RemoveField('invoice', 'via')", 'migrations.AddField(\'invoice\', \'extra\', field=make_field())'),
    );
    const f = state.invoice!.fields;
    expect(f.tags).toMatchObject({ manyToMany: true });
    expect(f.tags!.joinTable).toBeUndefined();
    expect(f.links!.joinTable).toEqual({ explicit: 'inv_links' });
    expect(f.buyer).toMatchObject({ foreignKey: true });
    expect(f.customer).toBeUndefined();
    expect(f.via).toBeUndefined();
    expect(f.extra).toBeUndefined(); // a field built at run time: its kind is unknown
  });

  it("truncateName is Django's truncate_name (values computed with Python's hashlib)", () => {
    const long = 'shop_averylongmodelnamethatgoesonandonpasttheidentifierlimitofpostgres';
    expect(truncateName(long, 'postgres')).toBe('shop_averylongmodelnamethatgoesonandonpasttheidentifierlimi44d8');
    expect(truncateName(long, 'sqlite')).toBe(long); // SQLite has no limit
    expect(truncateName('shop_invoice', 'mysql')).toBe('shop_invoice');
  });
});

describe('the reader with and without the app history', () => {
  const read = (text: string, djangoModels?: ModelState) => readMigration({ path: 'shop/migrations/0005_x.py', text, format: 'django', dialect: 'postgres', djangoModels });
  const staged = migration("migrations.RemoveField('invoice', 'tags')", "migrations.DeleteModel('Invoice')");

  it('alone, it assumes the defaults and marks the operations for a second read', async () => {
    const ops = await read(staged);
    expect(ops.map(objectName)).toEqual(['shop_invoice.tags', 'shop_invoice']);
    expect(ops.every((op) => op.flags.assumedName)).toBe(true);
  });

  it('with the history, it names the join table and the db_table, and marks nothing', async () => {
    const history = stateAfter(migration("migrations.CreateModel('Invoice', [('tags', models.ManyToManyField(to='t'))], options={'db_table': 'payments'})"));
    const ops = await read(staged, history);
    expect(ops.map(objectName)).toEqual(['payments_tags', 'payments']);
    expect(ops.some((op) => op.flags.assumedName)).toBe(false);
  });

  it('with a history that does not know the model, the note says so and nothing is marked', async () => {
    const ops = await read(staged, {});
    expect(ops.some((op) => op.flags.assumedName)).toBe(false);
    expect(ops.find((op) => op.kind === 'drop-table')!.detail).toMatch(/no migration of this app before this one creates Invoice/);
  });
});
