import { describe, expect, it } from 'vitest';
import { readMigration } from '../../src/readers/index.js';
import { objectName } from './helpers.js';

/** A Django migration whose RunPython(forwards, backwards) runs the given function bodies. */
function migration(body: string, reverse = 'migrations.RunPython.noop', code = 'forwards'): string {
  return `from django.db import migrations, models

${body}


class Migration(migrations.Migration):
    dependencies = [("shop", "0001_initial")]
    operations = [
        migrations.RunPython(${code}, ${reverse}),
    ]
`;
}

async function read(text: string): Promise<string[]> {
  const ops = await readMigration({ path: 'shop/migrations/0002_data.py', text, format: 'django', dialect: 'postgres' });
  return ops.map((op) => `${op.direction} ${op.kind} ${objectName(op)}`);
}

const get = `    Order = apps.get_model("shop", "Order")\n`;

// Bodies read entirely that destroy nothing a rule reports: no operation at all.
const harmless: Array<[string, string]> = [
  ['a filtered update', `def forwards(apps, schema_editor):\n${get}    Order.objects.filter(status="old").update(status="archived")\n`],
  ['a filtered delete (like DELETE … WHERE)', `def forwards(apps, schema_editor):\n${get}    Order.objects.filter(total__lt=0).delete()\n`],
  ['an exclude().update()', `def forwards(apps, schema_editor):\n${get}    Order.objects.exclude(note=None).update(note="")\n`],
  ['creating rows', `def forwards(apps, schema_editor):\n${get}    Order.objects.bulk_create([Order(total=1)])\n    Order.objects.get_or_create(total=2)\n`],
  ['a loop that saves each row', `def forwards(apps, schema_editor):\n${get}    for order in Order.objects.all():\n        order.total = order.total or 0\n        order.save()\n`],
  ['deleting rows of a filtered loop', `def forwards(apps, schema_editor):\n${get}    for order in Order.objects.filter(total=0):\n        order.delete()\n`],
  ['logging, builtins and dict updates', `import logging\nlogger = logging.getLogger()\n\ndef forwards(apps, schema_editor):\n${get}    seen = {}\n    seen.update({"a": 1})\n    logger.info("%d orders", len(list(Order.objects.all())))\n`],
  ['a helper defined in the same file', `def helper(model):\n    model.objects.filter(total=0).update(total=1)\n\ndef forwards(apps, schema_editor):\n${get}    helper(Order)\n`],
  ['the model inline', `def forwards(apps, schema_editor):\n    apps.get_model("shop", "Order").objects.filter(pk=1).update(total=0)\n`],
  ['a many-to-many join model (Model.field.through) and filter(lambda …)', `def forwards(apps, schema_editor):\n${get}    Tag = Order.tags.through\n    Tag.objects.bulk_create([Tag(order_id=1, tag_id=2)])\n    ids = list(filter(lambda o: o.pk > 1, Order.objects.all()))\n`],
  ['hashing a file (pathlib, hashlib) and a module-level regex', `import hashlib\nimport re\nfrom pathlib import Path\nNAME_RE = re.compile("x")\n\ndef forwards(apps, schema_editor):\n    h = hashlib.sha256()\n    with Path("a").open("rb") as fh:\n        h.update(fh.read())\n    NAME_RE.sub("", "x")\n`],
  ['a cursor that reads (a local f-string with a quoted value hole), fetches and closes', `from django.db import connection\nfrom django.conf import settings\n\ndef forwards(apps, schema_editor):\n    sql = f"SELECT id FROM shop_order WHERE note = '{settings.LABEL}'"\n    with connection.cursor() as cursor:\n        cursor.execute(sql)\n        rows = cursor.fetchall()\n    cur = schema_editor.connection.cursor()\n    cur.execute("UPDATE shop_order SET total = 0 WHERE id = %s", [1])\n    cur.close()\n`],
  // filters that choose rows, beside the every-row ones above
  ['filter(note__isnull=False) (a nullable field)', `def forwards(apps, schema_editor):\n${get}    Order.objects.filter(note__isnull=False).delete()\n`],
  ['filter(pk__isnull=True)', `def forwards(apps, schema_editor):\n${get}    Order.objects.filter(pk__isnull=True).delete()\n`],
  ['filter(note__contains="x")', `def forwards(apps, schema_editor):\n${get}    Order.objects.filter(note__contains="x").delete()\n`],
  ['filter(pk__isnull=False, total=0)', `def forwards(apps, schema_editor):\n${get}    Order.objects.filter(pk__isnull=False, total=0).delete()\n`],
  ['filter(pk__isnull=False).filter(total=0)', `def forwards(apps, schema_editor):\n${get}    Order.objects.filter(pk__isnull=False).filter(total=0).delete()\n`],
  ['filter(note__regex="^a")', `def forwards(apps, schema_editor):\n${get}    Order.objects.filter(note__regex="^a").delete()\n`],
  ['exclude(pk=1)', `def forwards(apps, schema_editor):\n${get}    Order.objects.exclude(pk=1).delete()\n`],
  ['exclude(pk__in=[1])', `def forwards(apps, schema_editor):\n${get}    Order.objects.exclude(pk__in=[1]).delete()\n`],
  ['filter(pk__in=[])', `def forwards(apps, schema_editor):\n${get}    Order.objects.filter(pk__in=[]).delete()\n`],
  ['get(pk__isnull=False) is one row', `def forwards(apps, schema_editor):\n${get}    Order.objects.get(pk__isnull=False).delete()\n`],
  ['query expressions from django.db.models', `from django.db.models import F, Q\n\ndef forwards(apps, schema_editor):\n${get}    Order.objects.filter(Q(total=1)).update(total=F("total") + 1)\n`],
];

// Destroying bodies: reported on the model's table (or opaque when the reader cannot see through).
const destructive: Array<[string, string, string[], string?]> = [
  ['an unfiltered delete', `def forwards(apps, schema_editor):\n${get}    Order.objects.all().delete()\n`, ['up delete-all shop_order']],
  ['a manager update', `def forwards(apps, schema_editor):\n${get}    Order.objects.update(total=0)\n`, ['up update-all shop_order']],
  ['filter() without arguments narrows nothing', `def forwards(apps, schema_editor):\n${get}    Order.objects.filter().delete()\n`, ['up delete-all shop_order']],
  ['deleting every row of an unfiltered loop', `def forwards(apps, schema_editor):\n${get}    for order in Order.objects.all():\n        order.delete()\n`, ['up delete-all shop_order']],
  ['a queryset held in a variable', `def forwards(apps, schema_editor):\n${get}    qs = Order.objects.all()\n    qs.update(total=0)\n`, ['up update-all shop_order']],
  ['a model of another app', `def forwards(apps, schema_editor):\n    Item = apps.get_model("billing.Item")\n    Item.objects.all().delete()\n`, ['up delete-all billing_item']],
  ['a same-file helper that deletes', `def wipe(model):\n    model.objects.all().delete()\n\ndef forwards(apps, schema_editor):\n${get}    wipe(Order)\n`, ['up opaque -']],
  ['an imported helper', `def forwards(apps, schema_editor):\n    from shop.utils import cleanup\n    cleanup(apps)\n`, ['up opaque -']],
  ['an imported helper (module level)', `from shop.utils import cleanup\n\ndef forwards(apps, schema_editor):\n    cleanup(apps)\n`, ['up opaque -']],
  ['a raw cursor (django.db.connection)', `from django.db import connection\n\ndef forwards(apps, schema_editor):\n    with connection.cursor() as c:\n        c.execute("DELETE FROM shop_order")\n`, ['up delete-all shop_order']],
  ["the schema editor's connection, SQL in a local variable", `def forwards(apps, schema_editor):\n    sql = "TRUNCATE shop_order"\n    with schema_editor.connection.cursor() as cursor:\n        cursor.execute(sql)\n`, ['up truncate shop_order']],
  ['a cursor held in a variable, executemany, an aliased import', `from django.db import connection as conn\n\ndef forwards(apps, schema_editor):\n    cur = conn.cursor()\n    cur.executemany("UPDATE shop_order SET total = 0", [])\n`, ['up update-all shop_order']],
  ['a cursor running SQL built at run time', `from django.db import connection\n\ndef forwards(apps, schema_editor):\n    with connection.cursor() as c:\n        c.execute("DELETE FROM " + table_name())\n`, ['up opaque -', 'up opaque -']],
  ['a cursor calling a procedure', `from django.db import connection\n\ndef forwards(apps, schema_editor):\n    with connection.cursor() as c:\n        c.callproc("purge")\n`, ['up opaque -']],
  ['a connection that is not django.db.connection', `from shop.db import connection\n\ndef forwards(apps, schema_editor):\n    with connection.cursor() as c:\n        c.execute("SELECT 1")\n`, ['up opaque -', 'up opaque -']],
  ['a cursor running an f-string with an unquoted hole (it could be any SQL text)', `from django.db import connection\nfrom django.conf import settings\n\ndef forwards(apps, schema_editor):\n    sql = f"SELECT id FROM shop_order HAVING COUNT(*) > {settings.LIMIT}"\n    with connection.cursor() as c:\n        c.execute(sql)\n`, ['up opaque -']],
  ['connections[...] (another database) stays opaque', `from django.db import connections\n\ndef forwards(apps, schema_editor):\n    with connections["other"].cursor() as c:\n        c.execute("SELECT 1")\n`, ['up opaque -', 'up opaque -']],
  ['SQL through schema_editor', `def forwards(apps, schema_editor):\n    schema_editor.execute("TRUNCATE shop_order")\n`, ['up truncate shop_order']],
  ['SQL built at run time through schema_editor', `def forwards(apps, schema_editor):\n    t = "shop_order"\n    schema_editor.execute("DROP TABLE " + t)\n`, ['up opaque -']],
  ['a call through a computed value', `def forwards(apps, schema_editor):\n${get}    getattr(Order.objects, "delete")()\n`, ['up opaque -']],
  ['a related manager cleared', `def forwards(apps, schema_editor):\n${get}    for order in Order.objects.all():\n        order.tags.clear()\n`, ['up opaque -']],
  ['a delete through a related object', `def forwards(apps, schema_editor):\n${get}    for order in Order.objects.all():\n        order.lines.all().delete()\n`, ['up opaque -']],
  ['a delete on an object of unknown origin', `def forwards(apps, schema_editor):\n    for order in things():\n        order.delete()\n\ndef things():\n    return []\n`, ['up opaque -']],
  ['a join model emptied', `def forwards(apps, schema_editor):\n${get}    Tag = Order.tags.through\n    Tag.objects.all().delete()\n`, ['up delete-all shop_order_tags']],
  ['filter() with a function it cannot see', `from shop.utils import wipe\n\ndef forwards(apps, schema_editor):\n${get}    list(filter(wipe, Order.objects.all()))\n`, ['up opaque -']],
  ['a regex compiled from an imported helper stays opaque', `from shop.utils import danger\nRX = danger.compile()\n\ndef forwards(apps, schema_editor):\n    RX.sub("", "x")\n`, ['up opaque -']],
  ['a method of an imported module, even a harmless-sounding one', `import shop.cleanup as c\n\ndef forwards(apps, schema_editor):\n    c.get()\n`, ['up opaque -']],
  ['raw()', `def forwards(apps, schema_editor):\n${get}    list(Order.objects.raw("DELETE FROM shop_order RETURNING id"))\n`, ['up opaque -']],
  ['a function not in the file', `def other(apps, schema_editor):\n    pass\n`, ['up opaque -']],
  // filters that hold for every row (the SQL readers' `WHERE id = id` class): nothing chosen
  ['filter(pk__isnull=False)', `def forwards(apps, schema_editor):\n${get}    Order.objects.filter(pk__isnull=False).delete()\n`, ['up delete-all shop_order']],
  ['filter(id__isnull=False) with an empty contains', `def forwards(apps, schema_editor):\n${get}    Order.objects.filter(id__isnull=False, note__contains="").update(total=0)\n`, ['up update-all shop_order']],
  ['filter(name__startswith="")', `def forwards(apps, schema_editor):\n${get}    Order.objects.filter(note__istartswith='').delete()\n`, ['up delete-all shop_order']],
  ['filter(name__regex=".*")', `def forwards(apps, schema_editor):\n${get}    Order.objects.filter(note__regex=".*").delete()\n`, ['up delete-all shop_order']],
  ['filter(Q())', `from django.db.models import Q\n\ndef forwards(apps, schema_editor):\n${get}    Order.objects.filter(Q()).delete()\n`, ['up delete-all shop_order']],
  ['exclude(pk=None)', `def forwards(apps, schema_editor):\n${get}    Order.objects.exclude(pk=None).delete()\n`, ['up delete-all shop_order']],
  ['exclude(id__isnull=True)', `def forwards(apps, schema_editor):\n${get}    Order.objects.all().exclude(id__isnull=True).update(total=0)\n`, ['up update-all shop_order']],
  ['exclude(pk__in=[])', `def forwards(apps, schema_editor):\n${get}    Order.objects.exclude(pk__in=[]).delete()\n`, ['up delete-all shop_order']],
  ['a queryset variable filtered by every row', `def forwards(apps, schema_editor):\n${get}    qs = Order.objects.filter(pk__isnull=False)\n    qs.delete()\n`, ['up delete-all shop_order']],
  ['a lambda that does something', `def forwards(apps, schema_editor):\n    pass\n`, ['up opaque -'], 'lambda apps, se: apps.get_model("shop", "Order").objects.all().delete()'],
];

describe('Django RunPython bodies (python-data.ts)', () => {
  it.each(harmless)('%s: read entirely, nothing to report', async (_name, body) => {
    expect(await read(migration(body))).toEqual([]);
  });

  it.each(destructive)('%s', async (_name, body, expected, code) => {
    expect(await read(migration(body, undefined, code))).toEqual(expected);
  });

  it('reads reverse_code as the down migration; lambda *args: None is a no-op', async () => {
    const back = `def backwards(apps, schema_editor):\n${get}    Order.objects.all().delete()\n`;
    const text = migration(`def forwards(apps, schema_editor):\n    pass\n\n${back}`, 'backwards');
    expect(await read(text)).toEqual(['down delete-all shop_order']);
    expect(await read(migration(`def forwards(apps, schema_editor):\n    pass\n`, 'lambda *args: None'))).toEqual([]);
  });

  it('names the model and the call in the finding', async () => {
    const ops = await readMigration({ path: 'shop/migrations/0002_data.py', text: migration(`def forwards(apps, schema_editor):\n${get}    Order.objects.all().delete()\n`), format: 'django', dialect: 'postgres' });
    expect(ops[0].detail).toMatch(/^line 5: Order\.objects\.all\(\)\.delete\(\) \(Order\.objects\.all\(\)\.delete\(\) in RunPython forwards deletes every row of Order/);
    // reported at the RunPython operation, where one marker covers the function
    expect(ops[0].line).toBe(12);
    expect(ops[0].statement).toMatch(/^migrations\.RunPython\(forwards/);
  });

  it.each([
    ['AlterModelTable renames the default table', `migrations.AlterModelTable(name="Order", table="orders")`, ['up rename-table shop_order']],
    ['AlterModelTable after a CreateModel with db_table renames that table', `migrations.CreateModel(name="Order", fields=[], options={"db_table": "legacy_orders"}),\n        migrations.AlterModelTable(name="Order", table="orders")`, ['up rename-table legacy_orders']],
    ['AlterModelTable(table=None) goes back to the default name', `migrations.CreateModel(name="Order", fields=[], options={"db_table": "legacy_orders"}),\n        migrations.AlterModelTable(name="Order", table=None)`, ['up rename-table legacy_orders']],
    ['AlterModelTable to the name it already has renames nothing', `migrations.AlterModelTable(name="Order", table="shop_order")`, []],
  ])('%s', async (_name, operation, expected) => {
    const text = `from django.db import migrations\n\n\nclass Migration(migrations.Migration):\n    operations = [\n        ${operation},\n    ]\n`;
    expect(await read(text)).toEqual(expected);
  });

  it('AlterModelTable names the new table and says when the old name is assumed', async () => {
    const text = `from django.db import migrations\n\n\nclass Migration(migrations.Migration):\n    operations = [\n        migrations.AlterModelTable(name="Order", table="orders"),\n    ]\n`;
    const [op] = await readMigration({ path: 'shop/migrations/0002_data.py', text, format: 'django', dialect: 'postgres' });
    expect(op.flags.newName).toBe('orders');
    expect(op.detail).toMatch(/old table name assumed/);
  });
});
