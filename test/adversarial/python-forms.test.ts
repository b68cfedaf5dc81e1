/**
 * Python migrations (Alembic, Django): every form Python runs a statement in is read, and code that is not the
 * framework's own operation (a project's, a plugin's, one in another module or base class) is `opaque`, never
 * silence. Each row: a file, and `direction kind object` of what it runs ([] = nothing destructive).
 */
import { describe, expect, it } from 'vitest';
import type { MigrationFormat } from '../../src/readers/types.js';
import { checkText, described } from './helpers.js';

interface Row {
  text: string;
  expected: string[];
  why: string;
}

const DROP = ['up drop-table users'];
const OPAQUE = ['up opaque'];

// Alembic: an `upgrade()` body, or a whole file
const alembicFile = (body: string) => `from alembic import op\nimport sqlalchemy as sa\n\nrevision = "b2"\ndown_revision = "a1"\n\n\ndef upgrade():\n${body}\n\n\ndef downgrade():\n    pass\n`;
const ALEMBIC_PATH = 'alembic/versions/b2_change.py';

const ALEMBIC_INVALID: Row[] = [
  { text: alembicFile('    # cleanup\r    op.drop_table("users")'), expected: DROP, why: 'a lone CR ends a # comment' },
  { text: alembicFile('    pass').replace(/\n/g, '\r').replace('pass', 'op.drop_table("users")'), expected: DROP, why: 'a file with CR-only line ends' },
  { text: alembicFile('    if is_pg: op.drop_table("users")'), expected: DROP, why: 'a one-line if' },
  { text: alembicFile('    if is_pg:\n        pass\n    else: op.drop_table("users")'), expected: DROP, why: 'a one-line else' },
  { text: alembicFile('    for t in ["users"]: op.drop_table(t)'), expected: DROP, why: 'a one-line for over a literal list' },
  { text: alembicFile('    while again(): op.drop_table("users")'), expected: DROP, why: 'a one-line while' },
  { text: alembicFile('    with op.get_context().autocommit_block(): op.drop_table("users")'), expected: DROP, why: 'a one-line with' },
  { text: alembicFile('    with op.batch_alter_table("users") as b: b.drop_column("email")'), expected: ['up drop-column users.email'], why: 'a one-line batch block' },
  { text: alembicFile('    try: op.drop_table("users")\n    except Exception: pass'), expected: DROP, why: 'a one-line try' },
  { text: alembicFile('    is_pg and op.drop_table("users")'), expected: DROP, why: 'the right side of and' },
  { text: alembicFile('    op.drop_table("users") or 1'), expected: DROP, why: 'the left side of or' },
  { text: alembicFile('    op.drop_table("users") if is_pg else None'), expected: DROP, why: 'a conditional expression' },
  { text: alembicFile('    x = None if is_pg else op.drop_table("users")'), expected: DROP, why: 'the else of a conditional expression' },
  { text: alembicFile('    not op.drop_table("users")'), expected: DROP, why: 'under not' },
  { text: alembicFile('    assert op.drop_table("users") is None'), expected: DROP, why: 'an assert' },
  { text: alembicFile('    run = lambda: op.drop_table("users")\n    run()'), expected: DROP, why: 'a lambda body (read as running)' },
  { text: alembicFile('    drop = op.drop_table\n    drop("users")'), expected: DROP, why: 'an alias of an operation, called' },
  { text: alembicFile('    list(map(op.drop_table, ["users"]))'), expected: OPAQUE, why: 'an operation passed to map' },
  { text: alembicFile('    drop = op.drop_table\n    list(map(drop, ["users"]))'), expected: OPAQUE, why: 'an alias passed to map' },
  { text: alembicFile('    print(f"{op.drop_table(\'users\')}")'), expected: OPAQUE, why: 'an operation inside an f-string hole' },
  { text: alembicFile('    op.invoke(ops.DropTableOp("users"))'), expected: OPAQUE, why: 'op.invoke of an operation object' },
  { text: alembicFile('    op.purge_legacy("users")'), expected: OPAQUE, why: 'a custom registered operation' },
  { text: alembicFile('    with op.batch_alter_table("users") as b:\n        b.purge("email")'), expected: OPAQUE, why: 'an unknown batch operation' },
  { text: 'from shared.drops import upgrade, downgrade\n\nrevision = "b2"\n', expected: ['up opaque', 'down opaque'], why: 'upgrade and downgrade imported from the project' },
  { text: 'from shared.drops import *\n\nrevision = "b2"\n', expected: ['up opaque', 'down opaque'], why: 'a star import and no upgrade of its own' },
  { text: 'from shared import factory\n\nrevision = "b2"\nupgrade = factory.dropper("users")\n\n\ndef downgrade():\n    pass\n', expected: ['up opaque'], why: 'upgrade built at run time' },
];

const ALEMBIC_VALID: Row[] = [
  { text: alembicFile('    # op.drop_table("users")\r\n    op.add_column("users", sa.Column("x", sa.Integer()))'), expected: [], why: 'a comment ended by CRLF' },
  { text: alembicFile('    if is_pg: op.create_index("ix", "users", ["email"])'), expected: [], why: 'a harmless one-line body' },
  { text: alembicFile('    op.create_table("t", sa.Column("id", sa.Integer())) if is_pg else None'), expected: [], why: 'a harmless conditional expression' },
  { text: alembicFile('    op.bulk_insert(t, [{"id": 1}])\n    op.create_foreign_key("fk", "a", "b", ["x"], ["id"])'), expected: [], why: 'known harmless operations' },
  { text: alembicFile('    op.create_entity(PGView(schema="public", signature="v", definition="SELECT 1"))'), expected: [], why: "alembic_utils' create_entity" },
  { text: alembicFile('    if op.impl.dialect.name == "postgresql":\n        op.create_index("ix", "users", ["email"])'), expected: [], why: "op.impl read for the dialect" },
  { text: alembicFile('    ix = op.f("ix_users_email")\n    op.create_index(ix, "users", ["email"])'), expected: [], why: 'op.f, a naming helper' },
];

// Django: a migration file
const DJANGO_PATH = 'app/migrations/0002_change.py';
const djangoFile = (body: string, head = '') =>
  `from django.db import connection, migrations\n${head}\n\nclass Migration(migrations.Migration):\n    dependencies = [("app", "0001_initial")]\n${body}\n`;

const DJANGO_INVALID: Row[] = [
  { text: djangoFile('    operations = []\n    if connection.vendor == "postgresql":\n        operations += [migrations.RunSQL("DROP TABLE users")]'), expected: DROP, why: 'added under an if of the class body' },
  { text: djangoFile('    if connection.vendor == "postgresql":\n        operations = [migrations.RunSQL("DROP TABLE users")]\n    else:\n        operations = []'), expected: DROP, why: 'one branch of if / else assigns the list' },
  { text: djangoFile('    if connection.vendor == "sqlite":\n        operations = []\n    else:\n        operations = [migrations.RunSQL("DROP TABLE users")]'), expected: DROP, why: 'the else branch assigns the list' },
  { text: djangoFile('    operations = []\n    for t in ["users"]:\n        operations.append(migrations.RunSQL("DROP TABLE " + t))'), expected: OPAQUE, why: 'appended in a loop of the class body' },
  { text: djangoFile('    operations = []\n    try:\n        operations.append(migrations.RunSQL("DROP TABLE users"))\n    except Exception:\n        pass'), expected: DROP, why: 'appended in a try of the class body' },
  {
    text: djangoFile('    operations = [Purge()]', 'from django.db.migrations.operations.base import Operation\n\n\nclass Purge(Operation):\n    def database_forwards(self, app_label, schema_editor, from_state, to_state):\n        schema_editor.execute("DROP TABLE users")\n'),
    expected: OPAQUE,
    why: 'an operation class defined in the file',
  },
  { text: djangoFile('    operations = [DropLegacyTables("users")]', 'from app.operations import DropLegacyTables'), expected: OPAQUE, why: "a project's operation" },
  { text: djangoFile('    operations = [ops.DropLegacyTables("users")]', 'from app import operations as ops'), expected: OPAQUE, why: "a project's operation through its module" },
  { text: djangoFile('    operations = [R("DROP TABLE users")]', 'from django.db.migrations import RunSQL as R'), expected: DROP, why: 'RunSQL imported under another name' },
  { text: djangoFile('    operations = [RP(purge)]', 'from django.db.migrations import RunPython as RP\nfrom app.cleanup import purge'), expected: OPAQUE, why: 'RunPython imported under another name, of an imported function' },
  { text: djangoFile('    operations = [RemoveIndexConcurrently("user", "user_email_idx")]', 'from django.contrib.postgres.operations import RemoveIndexConcurrently'), expected: ['up drop-index app_user.user_email_idx'], why: "contrib.postgres's RemoveIndexConcurrently" },
  { text: djangoFile('    operations: list = [migrations.RunSQL("DROP TABLE users")]'), expected: DROP, why: 'an annotated operations list' },
  { text: djangoFile('    @property\n    def operations(self):\n        return [migrations.RunSQL("DROP TABLE users")]'), expected: OPAQUE, why: 'operations as a method' },
  { text: djangoFile('    operations = []\n\n\nsetattr(Migration, "operations", [migrations.RunSQL("DROP TABLE users")])'), expected: OPAQUE, why: 'operations set with setattr' },
  {
    text: 'from django.db import migrations\n\n\nclass Migration(migrations.Migration):\n    operations = []\n\n\nclass Migration(migrations.Migration):\n    operations = [migrations.RunSQL("DROP TABLE users")]\n',
    expected: DROP,
    why: 'a second class Migration replaces the first',
  },
  { text: 'from app.base import DropUsersMigration\n\n\nclass Migration(DropUsersMigration):\n    dependencies = [("app", "0001_initial")]\n', expected: OPAQUE, why: 'a Migration built on a project class, with no operations of its own' },
  { text: 'from django.db import migrations\nfrom app.base import Mixin\n\n\nclass Migration(Mixin, migrations.Migration):\n    operations = []\n', expected: OPAQUE, why: 'a project mixin among the bases' },
];

const DJANGO_VALID: Row[] = [
  { text: djangoFile('    operations = [CreateExtension("pg_trgm"), TrigramExtension()]', 'from django.contrib.postgres.operations import CreateExtension, TrigramExtension'), expected: [], why: "contrib.postgres's extensions" },
  { text: djangoFile('    operations = [AddField("user", "age", models.IntegerField(null=True))]', 'from django.db.migrations import AddField\nfrom django.db import models'), expected: [], why: 'an operation imported by name' },
  { text: djangoFile('    operations = [migrations.AlterModelOptions(name="user", options={})]'), expected: [], why: "Django's own harmless operation" },
  { text: 'from django.db.migrations import Migration\n\n\nclass Migration(Migration):\n    operations = []\n', expected: [], why: "django's Migration imported by name" },
];

const TABLE: Array<[string, MigrationFormat, string, Row[]]> = [
  ['Alembic, invalid', 'alembic', ALEMBIC_PATH, ALEMBIC_INVALID],
  ['Alembic, valid', 'alembic', ALEMBIC_PATH, ALEMBIC_VALID],
  ['Django, invalid', 'django', DJANGO_PATH, DJANGO_INVALID],
  ['Django, valid', 'django', DJANGO_PATH, DJANGO_VALID],
];

describe.each(TABLE)('Python forms: %s', (_label, format, path, rows) => {
  it.each(rows)('$why: $expected', async ({ text, expected }) => {
    const { ops } = await checkText(path, text, { format });
    expect(described(ops)).toEqual(expected);
  });
});
