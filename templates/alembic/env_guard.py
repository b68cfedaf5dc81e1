"""dbsafe-hooks guard for Alembic autogenerate (Python 3.8+, Alembic 1.5+).

Copy it next to alembic.ini (``prepend_sys_path = .`` there makes it importable from env.py).

Two hooks Alembic already offers, driven by the same .dbsaferc* configuration as the git hooks:

* ``include_object`` keeps autogenerate away from the tables the config lists as ``external`` (tables other
  tools own, e.g. an auth library's ``session``, ``account``, ``verification``): they are absent from your
  models, so without it every autogenerate proposes to drop them.
* ``process_revision_directives`` stops ``alembic revision --autogenerate`` when the generated upgrade drops
  or alters a protected object (``protected`` and ``external`` in the config), printing what was blocked and
  how to write that migration by hand. Other operations pass untouched.

Wire it in env.py::

    from env_guard import dbsafe_guard
    context.configure(connection=connection, target_metadata=target_metadata, **dbsafe_guard())

The configuration comes from ``dbsafe-hooks config --json`` (node_modules/.bin/dbsafe-hooks found from the
current directory up, or $DBSAFE_HOOKS_BIN), which validates it exactly as the git hooks do. Without the
CLI, a plain JSON config (.dbsaferc.json, .dbsaferc, or "dbsafe" in package.json) is read directly; any
other config, or one that cannot be read, stops autogenerate with the reason (fail closed).
"""

import fnmatch
import json
import os
import subprocess

from alembic.operations import ops
from alembic.util import CommandError

__all__ = ["dbsafe_guard", "include_object", "process_revision_directives", "load_config"]

_CONFIG_NAMES = ("package.json", ".dbsaferc", ".dbsaferc.json")
_OTHER_CONFIGS = (".dbsaferc.yaml", ".dbsaferc.yml", ".dbsaferc.js", ".dbsaferc.cjs", ".dbsaferc.mjs",
                  "dbsafe.config.js", "dbsafe.config.cjs", "dbsafe.config.mjs", "dbsafe.config.json")


class GuardError(CommandError):
    """Alembic prints a CommandError as 'FAILED: <message>' and exits 1, without a traceback."""


# --- configuration -------------------------------------------------------------------------------

def _find_up(start, relative):
    directory = os.path.abspath(start)
    while True:
        candidate = os.path.join(directory, relative)
        if os.path.exists(candidate):
            return candidate
        if os.path.isdir(os.path.join(directory, ".git")) or os.path.dirname(directory) == directory:
            return None
        directory = os.path.dirname(directory)


def _config_from_cli(binary, cwd):
    run = subprocess.run([binary, "config", "--json"], cwd=cwd, capture_output=True, text=True)
    if run.returncode != 0:
        raise GuardError("dbsafe guard: the dbsafe-hooks configuration could not be read, so autogenerate is "
                         "stopped (it cannot tell which tables are protected):\n" + (run.stderr or run.stdout).strip())
    return json.loads(run.stdout)["config"]


def _config_from_json(cwd):
    directory = os.path.abspath(cwd)
    while True:
        for name in _CONFIG_NAMES:
            path = os.path.join(directory, name)
            if not os.path.isfile(path):
                continue
            try:
                with open(path, encoding="utf-8-sig") as handle:
                    data = json.load(handle)
            except ValueError as error:
                raise GuardError("dbsafe guard: %s is not valid JSON (%s); fix it, or install dbsafe-hooks "
                                 "(npm install --save-dev dbsafe-hooks) so its own loader reads it" % (path, error))
            if name == "package.json":
                if "dbsafe" not in data:
                    continue
                data = data["dbsafe"]
            return data
        for name in _OTHER_CONFIGS:
            if os.path.isfile(os.path.join(directory, name)):
                raise GuardError("dbsafe guard: %s needs the dbsafe-hooks CLI to be read; install it "
                                 "(npm install --save-dev dbsafe-hooks) or set DBSAFE_HOOKS_BIN"
                                 % os.path.join(directory, name))
        if os.path.isdir(os.path.join(directory, ".git")) or os.path.dirname(directory) == directory:
            return {}
        directory = os.path.dirname(directory)


def load_config(cwd=None):
    """The dbsafe-hooks configuration in effect for ``cwd`` (default: the current directory)."""
    cwd = cwd or os.getcwd()
    binary = os.environ.get("DBSAFE_HOOKS_BIN") or _find_up(cwd, os.path.join("node_modules", ".bin", "dbsafe-hooks"))
    config = _config_from_cli(binary, cwd) if binary else _config_from_json(cwd)
    if not isinstance(config, dict):
        raise GuardError("dbsafe guard: the configuration is not an object")
    return config


# --- names (the rules of docs/check.md: globs, schema-qualified or not, the dialect's case) --------

def _split(name):
    """'auth.*' -> ['auth', '*']; quoted parts ("Users") keep their case and dots."""
    parts, current, quote, quoted = [], "", None, False
    for char in name.strip():
        if quote:
            if char == quote:
                quote = None
            else:
                current += char
        elif char in "\"`":
            quote, quoted = char, True
        elif char == ".":
            parts.append((current, quoted))
            current, quoted = "", False
        else:
            current += char
    parts.append((current, quoted))
    return parts


def _segment_matches(pattern, value, case_sensitive):
    text, quoted = pattern
    if value is None:
        return False
    if quoted:
        return text == value if case_sensitive else text.lower() == value.lower()
    if not case_sensitive:
        return fnmatch.fnmatchcase(value.lower(), text.lower())
    # PostgreSQL: an unquoted name also matches as PostgreSQL folds it to lower case
    return fnmatch.fnmatchcase(value, text) or fnmatch.fnmatchcase(value, text.lower())


class _Protection(object):
    def __init__(self, config, dialect):
        self.case_sensitive = dialect == "postgresql"
        self.default_schema = "public" if dialect == "postgresql" else None
        self.any_schema = config.get("unqualifiedMatchesAnySchema", True)
        protected = config.get("protected") or []
        if isinstance(protected, list):
            protected = {"tables": protected}
        self.external = [_split(name) for name in config.get("external") or []]
        self.tables = [_split(name) for name in protected.get("tables") or []] + self.external
        self.columns = [_split(name) for name in protected.get("columns") or []]
        self.indexes = [_split(name) for name in protected.get("indexes") or []]
        self.schemas = [_split(name)[0] for name in protected.get("schemas") or []]

    def _schema_ok(self, pattern_schema, schema):
        if pattern_schema is not None:
            if schema is not None:
                return _segment_matches(pattern_schema, schema, self.case_sensitive)
            return self.default_schema is None or _segment_matches(pattern_schema, self.default_schema, self.case_sensitive)
        return self.any_schema or schema is None or schema == self.default_schema

    def _named(self, patterns, name, schema):
        for pattern in patterns:
            qualifier = pattern[-2] if len(pattern) == 2 else None
            if _segment_matches(pattern[-1], name, self.case_sensitive) and self._schema_ok(qualifier, schema):
                return True
        return False

    def schema(self, schema):
        return schema is not None and any(_segment_matches(s, schema, self.case_sensitive) for s in self.schemas)

    def table(self, name, schema=None):
        return self.schema(schema) or self._named(self.tables, name, schema)

    def external_table(self, name, schema=None):
        return self._named(self.external, name, schema)

    def column(self, table, column, schema=None):
        if self.table(table, schema):
            return True
        for pattern in self.columns:
            table_part = pattern[-2] if len(pattern) >= 2 else None
            schema_part = pattern[-3] if len(pattern) == 3 else None
            if (_segment_matches(pattern[-1], column, self.case_sensitive)
                    and (table_part is None or _segment_matches(table_part, table, self.case_sensitive))
                    and self._schema_ok(schema_part, schema)):
                return True
        return False

    def index(self, name, table, schema=None):
        return (table is not None and self.table(table, schema)) or (name is not None and self._named(self.indexes, name, schema))


def _protection(context):
    cached = getattr(context, "_dbsafe_protection", None)
    if cached is None:
        dialect = context.dialect.name if getattr(context, "dialect", None) is not None else "postgresql"
        cached = _Protection(load_config(), dialect)
        context._dbsafe_protection = cached
    return cached


# --- the two Alembic hooks --------------------------------------------------------------------------

def include_object(object, name, type_, reflected, compare_to):  # noqa: A002 (Alembic's argument names)
    """Leave the config's ``external`` tables (and their columns, indexes, constraints) out of autogenerate."""
    protection = _protection_for_include()
    if type_ == "table":
        return not protection.external_table(name, getattr(object, "schema", None))
    table = getattr(object, "table", None)
    if table is not None and getattr(table, "name", None):
        return not protection.external_table(table.name, getattr(table, "schema", None))
    return True


_include_state = {}


def _protection_for_include():
    # include_object gets no migration context; the dialect is the one dbsafe_guard() saw, if any
    if "protection" not in _include_state:
        _include_state["protection"] = _Protection(load_config(), _include_state.get("dialect", "postgresql"))
    return _include_state["protection"]


def _blocked(op, protection, table=None, schema=None):
    """(rule, object, why) when ``op`` drops or alters a protected object, else None."""
    if isinstance(op, ops.DropTableOp) and protection.table(op.table_name, op.schema):
        return ("drop-table", op.table_name, "drops protected table %s" % op.table_name)
    if isinstance(op, ops.DropColumnOp) and protection.column(op.table_name, op.column_name, op.schema):
        name = "%s.%s" % (op.table_name, op.column_name)
        return ("drop-column", name, "drops column %s of a protected object" % name)
    if isinstance(op, ops.AlterColumnOp) and protection.column(op.table_name, op.column_name, op.schema):
        name = "%s.%s" % (op.table_name, op.column_name)
        # Alembic's "no change": None for type, nullable and name; False for server default and comment
        changes = [what for what, changed in (("type", op.modify_type is not None),
                                              ("nullability", op.modify_nullable is not None),
                                              ("name", op.modify_name is not None),
                                              ("server default", op.modify_server_default is not False),
                                              ("comment", op.modify_comment is not False)) if changed]
        rule = "rename-column" if op.modify_name else "alter-column-type"
        return (rule, name, "alters protected column %s (%s)" % (name, ", ".join(changes) or "definition"))
    if isinstance(op, ops.DropIndexOp) and protection.index(op.index_name, op.table_name or table, op.schema or schema):
        return ("drop-index", op.index_name, "drops index %s of a protected object" % op.index_name)
    if isinstance(op, ops.DropConstraintOp) and protection.table(op.table_name or table, op.schema or schema):
        return ("drop-constraint", "%s.%s" % (op.table_name, op.constraint_name),
                "drops constraint %s of protected table %s" % (op.constraint_name, op.table_name))
    return None


def _walk(container, protection, found, table=None, schema=None):
    for op in getattr(container, "ops", []):
        if isinstance(op, ops.ModifyTableOps):
            _walk(op, protection, found, op.table_name, op.schema)
            continue
        reason = _blocked(op, protection, table, schema)
        if reason:
            found.append((op, reason))


def _render(op):
    try:
        from alembic.autogenerate import render_python_code
        code = render_python_code(ops.UpgradeOps(ops=[op]))
    except Exception:  # rendering is only an aid to the message
        return "    # %r" % (op,)
    return "\n".join(line for line in code.splitlines() if "###" not in line)


def process_revision_directives(context, revision, directives):
    """Stop ``alembic revision --autogenerate`` when its upgrade drops or alters a protected object."""
    if not getattr(getattr(context.config, "cmd_opts", None), "autogenerate", False) or not directives:
        return
    protection = _protection(context)
    found = []
    script = directives[0]
    for upgrade in getattr(script, "upgrade_ops_list", None) or [script.upgrade_ops]:
        _walk(upgrade, protection, found)
    if not found:
        return
    lines = ["dbsafe guard: autogenerate stopped; the generated upgrade drops or alters protected objects "
             "(dbsafe-hooks config: protected / external):"]
    for _op, (_rule, _name, why) in found:
        lines.append("  - " + why)
    lines += ["", "No revision file was written. If the change is intended, write the migration by hand:",
              '  alembic revision -m "%s"' % (getattr(script, "message", None) or "describe the change"),
              "and put in its upgrade(), each under a marker line with your reason (the pre-commit hook checks it):", ""]
    for op, (rule, name, _why) in found:
        lines.append("    # dbsafe:allow %s(%s) -- <why this is safe: data moved/backed up in ...>" % (rule, name))
        lines.append(_render(op))
    lines += ["", "If the model is what changed by mistake, restore it. Tables other tools own belong in "
              "\"external\" (autogenerate then leaves them alone)."]
    raise GuardError("\n".join(lines))


def dbsafe_guard(dialect=None):
    """Keyword arguments for ``context.configure(...)``: both hooks.

    ``dialect`` (e.g. ``"postgresql"``) sets the case rules for include_object, which Alembic calls without
    its context; by default it is taken from the URL in alembic.ini when available.
    """
    if dialect is None:
        try:
            from alembic import context as alembic_context
            url = alembic_context.config.get_main_option("sqlalchemy.url") or ""
            dialect = url.split(":", 1)[0].split("+", 1)[0] or None
        except Exception:
            dialect = None
    _include_state.clear()
    _include_state["dialect"] = dialect or "postgresql"
    return {"include_object": include_object, "process_revision_directives": process_revision_directives}
