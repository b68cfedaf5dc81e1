import { describe, expect, it } from 'vitest';
import { readFixture, rows } from './helpers.js';

const dir = 'django/shop/migrations';

describe('Django reader', () => {
  it('maps model operations to tables named <app>_<model>, and says when the name is assumed', async () => {
    const ops = await readFixture(`${dir}/0007_remove_legacy.py`);
    expect(rows(ops)).toEqual([
      'up drop-column shop_order.customer @16',
      'up drop-column shop_order.legacy_total @20',
      'up drop-table shop_coupon @24',
      'up drop-table shop_legacyinvoice @27',
      'up rename-column shop_product.title @30',
      'up rename-table shop_basket @35',
      'up alter-column-type shop_product.sku @39',
      'up drop-index shop_product.shop_produc_sku_3f1a2b_idx @44',
      'up drop-constraint shop_order.positive_total @48',
    ]);
    expect(ops[0].detail).toContain('customer_id'); // field type unknown here: the FK column is mentioned
    expect(ops[2].detail).toContain('assumed');
    expect(ops.find((o) => o.kind === 'rename-table')!.flags.newName).toBe('shop_cart');
    expect(ops.find((o) => o.kind === 'alter-column-type')!.flags.newType).toBe('models.CharField(max_length=32, unique=True)');
  });

  it('uses db_table, ForeignKey _id columns, db_column and many-to-many tables declared in the same file', async () => {
    const ops = await readFixture(`${dir}/0003_create_then_drop.py`);
    expect(rows(ops)).toEqual([
      'up drop-column shipping_shipment.carrier_id @24',
      'up drop-column shipping_shipment.tracking_no @25',
      'up drop-table shipping_shipment_tags @26',
      'up drop-table shipping_shipment @27', // the join table went with RemoveField: not dropped twice
    ]);
  });

  it('reads RunSQL (sql up, reverse_sql down; strings, lists, (sql, params), variables), RunPython bodies (a filtered delete reports nothing), and only database_operations', async () => {
    const ops = await readFixture(`${dir}/0011_data_and_sql.py`);
    expect(rows(ops)).toEqual([
      'up delete-all shop_auditentry @22',
      'down drop-table shop_auditentry_archive @23',
      'up update-all shop_product @27',
      'up truncate shop_pageview @28',
      'up drop-table report_cache @32',
      'up drop-column shop_order.ghost_id @38',
    ]);
    expect(ops.some((o) => o.target?.name === 'shop_ghost')).toBe(false); // state_operations never run
    expect(ops.find((o) => o.target?.name === 'report_cache')!.detail).toContain('DROP_VIEW');
  });

  it('reports an operations list built by a helper at run time as opaque (the class attribute, not the helper variable)', async () => {
    expect(rows(await readFixture(`${dir}/0012_sql_from_files.py`))).toEqual(['up opaque - @15']);
  });

  it('treats __init__.py in a migrations folder as not a migration', async () => {
    const { readMigration } = await import('../../src/readers/index.js');
    expect(await readMigration({ path: 'shop/migrations/__init__.py', text: '', dialect: 'postgres' })).toEqual([]);
  });
});
