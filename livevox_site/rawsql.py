"""Hand-written SQL for the few reads where the ORM's query compilation costs more than the
database: the ``LV-Session`` lookup on every API call and the dialing strategy read
(bench/README.md has the figures). Table and column names come from ``_meta``; values go
through the converters the ORM would apply, so instances and bodies come out as the ORM's.

On PostgreSQL each statement is prepared once per database connection. Django binds parameters
on the client, so PostgreSQL would otherwise plan the statement on every call, and planning the
session lookup's four-table join took longer than running it (0.3-0.7 ms against 0.05-0.2 ms,
EXPLAIN ANALYZE on this machine).
"""

import re
from collections.abc import Callable, Sequence
from typing import Any
from weakref import WeakKeyDictionary

from django.db.backends.base.base import BaseDatabaseWrapper
from django.db.models import Field, Model
from django.db.models.base import ModelState
from django.db.models.signals import post_init, pre_init

_PARAM = re.compile(r"%\((\w+)\)s")

# Driver connection -> names of the statements prepared in its server session. PREPARE lasts as
# long as that session (a rollback does not undo it) and a new session is a new driver object,
# so this is exactly what the server holds.
_prepared: WeakKeyDictionary = WeakKeyDictionary()
# Statement name -> (parameter names in $n order, the PREPARE text).
_statements: dict[str, tuple[list[str], str]] = {}


def execute(cursor, name: str, sql: str, params: dict[str, Any]) -> None:
    """Run ``sql``, written with ``%(param)s`` placeholders, on a Django cursor: as is on
    SQLite (which caches its own statements), on PostgreSQL as ``EXECUTE name(...)`` of a
    statement prepared under ``name`` the first time a connection runs it. Every call is one
    statement as Django counts them, except the first on each PostgreSQL connection (two)."""
    db = cursor.db
    if not _prepares(db):
        cursor.execute(sql, params)
        return
    statement = _statements.get(name)
    if statement is None:
        names = list(dict.fromkeys(_PARAM.findall(sql)))
        numbered = _PARAM.sub(lambda match: f"${names.index(match[1]) + 1}", sql)
        statement = _statements[name] = (names, f"PREPARE {name} AS {numbered}")
    names, prepare = statement
    driver = db.connection
    held = _prepared.setdefault(driver, set())
    if name not in held:
        cursor.execute(prepare)
        held.add(name)
    placeholders = ", ".join(["%s"] * len(names))
    cursor.execute(f"EXECUTE {name}({placeholders})", [params[key] for key in names])


def _prepares(db: BaseDatabaseWrapper) -> bool:
    # With server-side binding psycopg prepares repeated statements by itself (and EXECUTE
    # could not take bound parameters). DISABLE_SERVER_SIDE_CURSORS is what Django asks for
    # behind a transaction-pooling PgBouncer, where a statement prepared in one transaction may
    # be gone in the next.
    return (
        db.vendor == "postgresql"
        and not db.settings_dict["OPTIONS"].get("server_side_binding")
        and not db.settings_dict.get("DISABLE_SERVER_SIDE_CURSORS")
    )


Converter = tuple[tuple[Callable, ...], Any]


def converters(field: Field, alias: str, db: BaseDatabaseWrapper) -> Converter | None:
    """What ``SQLCompiler.get_converters`` would apply to this column: the backend's (SQLite's
    datetimes and booleans) and then the field's own (JSON). None when there are none."""
    column = field.get_col(alias)
    chain = db.ops.get_db_converters(column) + column.get_db_converters(db)
    return (tuple(chain), column) if chain else None


def convert(value: Any, converter: Converter | None, db: BaseDatabaseWrapper) -> Any:
    if converter is None:
        return value
    chain, column = converter
    for step in chain:
        value = step(value, column, db)
    return value


class ModelColumns:
    """One model's concrete columns in a hand-written SELECT, and how to turn them back into a
    loaded instance, as ``Model.from_db`` makes it (not ``adding``, bound to the database)."""

    def __init__(self, model: type[Model], alias: str, db: BaseDatabaseWrapper):
        self.model = model
        fields = list(model._meta.concrete_fields)
        self.attnames = tuple(field.attname for field in fields)
        self.select = [f"{alias}.{db.ops.quote_name(field.column)}" for field in fields]
        self.converters = [
            (offset, found)
            for offset, field in enumerate(fields)
            if (found := converters(field, alias, db)) is not None
        ]

    def instance(self, values: Sequence, db: BaseDatabaseWrapper) -> Model:
        values = list(values)
        for offset, converter in self.converters:
            values[offset] = convert(values[offset], converter, db)
        model = self.model
        if pre_init.has_listeners(model) or post_init.has_listeners(model):
            return model.from_db(db.alias, self.attnames, values)
        # What from_db does when every field is loaded, without Model.__init__'s walk over the
        # fields and its two signals, which nobody listens to: a third of the session lookup.
        obj = model.__new__(model)
        obj.__dict__.update(zip(self.attnames, values, strict=True))
        state = obj._state = ModelState()
        state.adding = False
        state.db = db.alias
        return obj


def one_of(column: str, values: list) -> tuple[str, list]:
    """SQL for ``column`` equal to one of ``values`` (all strings, or all integers), with ONE
    parameter: an array on PostgreSQL, a JSON list on SQLite. 10,000 values as
    ``IN (%s, ...)`` cost more to bind and plan than to run (about 0.1 s a statement on
    PostgreSQL, measured by the legacy DNC bulk methods); one parameter costs the same for 10 or
    50,000 values. ``column`` must come from ``_meta`` or code, never from input.

    On PostgreSQL the array is unnested in a subquery (``IN (SELECT unnest(...))``), which the
    planner joins to the column's index probe by probe. Given ``= ANY(array)`` of 50,000
    phones it estimated the probes dearer than reading the whole 6-million-row table and chose
    a parallel sequential scan: 0.56 s against 0.28 s (bench/README.md, contactCheck)."""
    from django.db import connection

    values = list(values)
    if not values:
        return "1 = 0", []
    if all(type(value) is int for value in values):
        kind = "bigint"
    elif all(isinstance(value, str) for value in values):
        kind = "text"
    else:
        raise TypeError("one_of takes strings or integers, not a mix")
    if connection.vendor == "postgresql":
        return f"{column} IN (SELECT unnest(%s::{kind}[]))", [values]
    import json

    return f"{column} IN (SELECT value FROM json_each(%s))", [json.dumps(values)]  # noqa: S608


def skip_health_check(db: BaseDatabaseWrapper) -> None:
    """Tell Django this request's connection needs no health check (its ``SELECT 1`` before
    the first query): for a hot path whose one statement is the check itself, closing the
    connection when that statement fails. Django's own flag, behind one name:
    tests/test_rawsql_renderers.py fails if an upgrade renames it."""
    db.health_check_done = True
