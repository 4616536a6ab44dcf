"""Bulk writes: check every line, then write the good ones at once (STYLE habits 11 and 12).

One helper serves a CSV import and a JSON bulk endpoint alike::

    report = bulk_upsert(
        model=PhoneDnc,
        rows=csv_lines(text_file),            # or numbered(body["phoneDncEntry"])
        check=check_phone_line,               # raw row -> {"phone": ..., "service_id": ...}
        key_fields=["client", "phone", "service_id"],
        update_fields=["dnc_type"],
        fixed={"client": client.pk, "filename": "blocked.csv"},
        client=client,
        actor=actor,
        action="dnc.phone.imported",
        source_name="blocked.csv",
    )
    report.created, report.updated, report.unchanged, report.errors  # [RowError(12, "...")]

Phase 1 (``BulkUpsert.check_rows``, no database access) reads the rows one by one, checks each
with a plain function (no serializer per line: 35 times slower, see docs/performance.md), names each
bad line (``RowError``), drops a line whose key repeats an earlier good line and prepares the
good ones. Phase 2 (``BulkUpsert.write``) stages them in a temporary table (COPY on PostgreSQL,
``executemany`` elsewhere) and merges the staging table into the model's table with one
``INSERT ... SELECT ... ON CONFLICT`` statement that inserts new keys, updates changed rows and
leaves identical rows alone, counting each; phase 2 and the ``audit_bulk`` entry run in one
transaction. Memory holds the prepared rows of one call and one key per good line: callers
bound a call (an API bulk request takes at most 10,000 lines; the CSV import calls once per
batch, checking the next batch in its reader thread while this one is written).
"""

import csv
from collections.abc import Callable, Hashable, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from operator import itemgetter
from typing import Any

from django.db import IntegrityError, OperationalError, connection, models, transaction

from .audit import Actor, audit_bulk, object_type
from .errors import InvalidInput
from .models import Client
from .transactions import is_deadlock, is_unique_violation

Row = tuple[int, Any]  # (line number, raw row as read)
STAGE = "lv_bulk_stage"
LINE = "lv_line"
DEFAULT_BATCH_SIZE = 5000
# Merges of at most this many staged rows insert in key order (see _Stage.merge).
SORTED_MERGE_ROWS = 10_000
# How many times a merge chosen as a deadlock victim runs (see _merge_retrying).
MERGE_ATTEMPTS = 5

# Field types whose Python values (as a checker returns them: int, str, bool, None) go to the
# database as they are; other types go through Field.get_db_prep_save (about 1 us per value).
_PASSTHROUGH = {
    "AutoField",
    "BigAutoField",
    "SmallAutoField",
    "IntegerField",
    "BigIntegerField",
    "SmallIntegerField",
    "PositiveIntegerField",
    "PositiveBigIntegerField",
    "PositiveSmallIntegerField",
    "CharField",
    "TextField",
    "BooleanField",
}


# Field types whose values ``copy_text`` writes (with the passthrough types above).
_COPY_TEXT_TYPES = {*_PASSTHROUGH, "DateField", "DateTimeField", "DecimalField"}
# PostgreSQL's COPY text format: a value's backslashes, tabs and line ends are escaped.
_COPY_ESCAPES = str.maketrans({"\\": "\\\\", "\t": "\\t", "\n": "\\n", "\r": "\\r"})


def _copy_value(value: Any) -> str:
    if value is None:
        return "\\N"
    if isinstance(value, str):  # a str subclass (an enum member) as its string
        return str.translate(value, _COPY_ESCAPES)
    if isinstance(value, bool):
        return "t" if value else "f"
    if isinstance(value, int):
        return str(int(value))  # an IntEnum member as its number
    if isinstance(value, date | Decimal):  # date: datetime too
        return str(value)
    raise TypeError(f"copy_text cannot write {type(value).__name__} values")


def copy_text(rows: Iterable[tuple]) -> str:
    """``rows`` (of None, str, bool, int, date, datetime and Decimal values) in PostgreSQL's
    COPY text format, a line each.

    Hand-written, where psycopg's formatter would do, because that one runs on the open COPY,
    in the writing thread: the CSV import formats each batch in its reader thread instead, and
    the writing thread sends it in one call. Formatting beside the reader, the two threads
    shared the GIL and staging a batch took three times as long (bench/README.md)."""
    return "".join(["\t".join([_copy_value(value) for value in row]) + "\n" for row in rows])


class RowInvalid(Exception):
    """Raised by a row checker: this line is bad, for ``reason`` ("phone is not 10 digits")."""

    def __init__(self, reason: str):
        self.reason = reason
        super().__init__(reason)


@dataclass(frozen=True)
class RowError:
    """One bad line: its number in the input and why. ``str()`` gives "line 12: reason"."""

    line: int
    reason: str

    def __str__(self) -> str:
        return f"line {self.line}: {self.reason}"


@dataclass
class BulkReport:
    """What a bulk write did with its input.

    ``received`` = every line read = ``created + updated + unchanged + duplicates + failed``
    (when ``written``). ``errors`` and ``duplicates`` name the lines, in input order; a
    duplicate's reason names the earlier line it repeats. ``written`` is False when nothing was
    written (``strict`` and some line failed).
    """

    received: int = 0
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    errors: list[RowError] = field(default_factory=list)
    duplicates: list[RowError] = field(default_factory=list)
    written: bool = False

    @property
    def failed(self) -> int:
        return len(self.errors)

    def counts(self) -> dict[str, int]:
        """The counts, as ``audit_bulk`` records them."""
        return {
            "received": self.received,
            "created": self.created,
            "updated": self.updated,
            "unchanged": self.unchanged,
            "duplicates": len(self.duplicates),
            "failed": self.failed,
        }


# --- reading input ------------------------------------------------------------------------


def numbered(items: Iterable[Any], start: int = 1) -> Iterator[Row]:
    """The entries of a JSON bulk body as rows: lines count from 1 in the order sent (as the
    vendor's bulk answers count them)."""
    return enumerate(items, start)


def csv_lines(lines: Iterable[str], *, header: bool = True, delimiter: str = ",") -> Iterator[Row]:
    """Stream a CSV text file as rows, numbered by the physical line each record starts on:
    with a header, the header is line 1 and the first record line 2, as in a spreadsheet.

    With ``header`` a row is ``{name: cell}`` (names stripped and lower-cased; cells beyond the
    header are dropped, missing cells are absent), without it the list of cells. Blank lines
    are skipped but still counted. Open an upload as
    ``io.TextIOWrapper(upload.file, encoding="utf-8-sig", newline="")`` (the BOM that
    spreadsheet programs write is dropped). An unreadable record raises ``csv.Error`` naming its
    line.
    """
    reader = csv.reader(lines, delimiter=delimiter)
    names: list[str] | None = None
    while True:
        start = reader.line_num + 1
        try:
            record = next(reader)
        except StopIteration:
            return
        except csv.Error as exc:
            raise csv.Error(f"line {start}: {exc}") from None
        if not "".join(record).strip():  # blank or whitespace only (any(...) cost 1 us)
            continue
        if header and names is None:
            names = [name.strip().lower() for name in record]
            continue
        yield start, (record if names is None else dict(zip(names, record, strict=False)))


# --- writing --------------------------------------------------------------------------------


def _already_checked(values: Mapping[str, Any]) -> Mapping[str, Any]:
    """The rows of a caller that read and checked them itself."""
    return values


def bulk_upsert(
    *,
    model: type[models.Model],
    rows: Iterable[Row],
    check: Callable[[Any], Mapping[str, Any]] | None = None,
    key_fields: Sequence[str],
    update_fields: Sequence[str] = (),
    fixed: Mapping[str, Any] | None = None,
    key: Callable[[Mapping[str, Any]], Hashable] | None = None,
    client: Client | int,
    actor: Actor,
    action: str,
    source_name: str = "",
    audit_details: dict | None = None,
    strict: bool = False,
    batch_size: int = DEFAULT_BATCH_SIZE,
    audit: bool = True,
) -> BulkReport:
    """Check every row, then insert the new keys and update the changed rows of ``model``.

    - ``rows``: ``(line, raw)`` pairs (``csv_lines``, ``numbered``), read once, in order.
    - ``check(raw)``: a plain function returning the row's values by field name, one for each
      key and update field not in ``fixed`` (none: the rows are such values already, read and
      checked by the caller, as the legacy bulk methods' lines are by ``dnc.wire``); it
      raises ``RowInvalid(reason)`` (or the services' ``InvalidInput``) for a bad line, which
      is then named in ``report.errors``.
      Any other exception is a bug and propagates. It must check everything the database
      would refuse (references, ranges): a database error in phase 2 rolls back the whole
      batch.
    - ``key_fields``: exactly the fields of one unique constraint of the model (the conflict
      target), none nullable (NULLs never conflict). A model with a ``client`` field must have
      ``client`` among them and in ``fixed``, so no line can reach another client's row; for a
      model owned through a parent (an outcome through its strategy) ``check`` must refuse
      parents of other clients.
    - ``update_fields``: fields overwritten when the key exists and a value differs; none means
      existing keys are left alone (insert only).
    - ``fixed``: values the same for every row (the client, the source file name). Fields
      named nowhere get their model default on insert and are never updated.
    - ``key(values)``: the in-input duplicate key; defaults to the key fields' values. A later
      line with the key of an earlier good line is a duplicate (first one wins).
    - ``strict``: when a line fails, write nothing (an all-or-nothing CSV import); every line
      is still checked and named.
    - ``audit``: False leaves the audit entry to the caller, for a caller that splits one
      operation into several calls (a CSV import in batches writes one entry with the totals).

    Runs in one transaction (a savepoint inside the caller's) with one ``audit_bulk`` entry
    (``action``, the model's label, ``report.counts()``, ``source_name``, ``audit_details``)
    when any row was created or updated; a run that changes nothing writes no entry, so the
    list's lastModified does not move.

    ``BulkUpsert`` is the same in two steps, for a caller that checks lines in one thread
    while another writes (the CSV import).
    """
    upsert = BulkUpsert(
        model=model, key_fields=key_fields, update_fields=update_fields, fixed=fixed, key=key
    )
    return upsert.write(
        upsert.check_rows(rows, check, strict=strict),
        client=client,
        actor=actor,
        action=action,
        source_name=source_name,
        audit_details=audit_details,
        batch_size=batch_size,
        audit=audit,
    )


@dataclass
class CheckedRows:
    """Phase 1 of a bulk write (``BulkUpsert.check_rows``): the report so far (lines received,
    bad lines, duplicates) and the good rows, ready to stage."""

    report: BulkReport
    rows: list[tuple]
    strict: bool = False
    last_line: int = 0  # the last line read (0: none)
    copy_text: str | None = None  # ``rows`` as COPY text, when asked for (then rows is [])


class BulkUpsert:
    """``bulk_upsert`` in two steps: ``check_rows`` (plain Python, no database access: it may
    run in another thread) and ``write`` (the staging table, the merge and the audit entry, on
    the calling thread's connection). The arguments are ``bulk_upsert``'s."""

    def __init__(
        self,
        *,
        model: type[models.Model],
        key_fields: Sequence[str],
        update_fields: Sequence[str] = (),
        fixed: Mapping[str, Any] | None = None,
        key: Callable[[Mapping[str, Any]], Hashable] | None = None,
        new_keys: bool = False,
    ):
        self.model = model
        self.plan = _Plan(model, key_fields, update_fields, dict(fixed or {}))
        self.key = key or _key_of(self.plan.key_row_fields)
        # The caller expects new keys (a CSV import): each write tries a plain INSERT of its
        # rows, cheaper on PostgreSQL than the merge's conflict arbitration, which probes the
        # unique index before each insert (bench/README.md), until a key exists (a line
        # already in the list, a repeat in a later batch, a concurrent writer): that write
        # is merged instead, and every later one.
        self.new_keys = new_keys

    def check_rows(
        self,
        rows: Iterable[Row],
        check: Callable[[Any], Mapping[str, Any]] | None = None,
        *,
        strict: bool = False,
        copy_ready: bool = False,
    ) -> CheckedRows:
        """Check every row; a duplicate of an earlier good line (by ``key``) is named and
        dropped. Memory: one prepared tuple per good line, and its key. ``copy_ready``: on
        PostgreSQL, the good rows come as COPY text (``copy_text``), for a caller that checks
        in one thread and writes in another."""
        check = check or _already_checked
        report = BulkReport()
        errors, duplicates = report.errors, report.duplicates
        seen: dict[Hashable, int] = {}
        staged: list[tuple] = []
        prepare, key = self.plan.prepare_row, self.key
        received = line = 0
        for line, raw in rows:
            received += 1
            try:
                values = check(raw)
            except RowInvalid as exc:
                errors.append(RowError(line, exc.reason))
                continue
            except InvalidInput as exc:
                errors.append(RowError(line, exc.message))
                continue
            row_key = key(values)
            first = seen.setdefault(row_key, line)
            if first != line:
                duplicates.append(RowError(line, f"duplicate of line {first}"))
                continue
            if strict and errors:
                continue  # nothing will be written: only keep checking
            staged.append(prepare(line, values))
        report.received = received
        if strict and errors:
            staged = []
        if copy_ready and self.plan.copy_text_ok and connection.vendor == "postgresql":
            return CheckedRows(report, [], strict, line, copy_text(staged))
        return CheckedRows(report, staged, strict, line)

    def write(
        self,
        checked: CheckedRows,
        *,
        client: Client | int,
        actor: Actor,
        action: str,
        source_name: str = "",
        audit_details: dict | None = None,
        batch_size: int = DEFAULT_BATCH_SIZE,
        audit: bool = True,
    ) -> BulkReport:
        """Stage the checked rows (``batch_size`` at a time) and merge them, in one
        transaction (a savepoint inside the caller's); the report gains the merge's counts."""
        report = checked.report
        if checked.strict and report.errors:
            return report
        with transaction.atomic(), connection.cursor() as cursor:
            stage = _Stage(cursor, self.plan)
            rows = checked.rows
            for start in range(0, len(rows), batch_size):
                stage.write(rows[start : start + batch_size])
            if checked.copy_text:
                stage.write_text(checked.copy_text)
            counts = self._insert_new(stage) if self.new_keys else None
            if counts is None:
                counts = _merge_retrying(stage)
            report.created, report.updated, report.unchanged = counts
            stage.drop()
            report.written = True
            if audit and (report.created or report.updated):
                audit_bulk(
                    actor=actor,
                    client=client,
                    action=action,
                    obj_type=object_type(self.model),
                    counts=report.counts(),
                    source_name=source_name,
                    details=audit_details,
                )
        return report

    def _insert_new(self, stage: "_Stage") -> tuple[int, int, int] | None:
        """``(created, 0, 0)`` when every staged row was inserted as new, in a savepoint; None
        (and ``new_keys`` off) when one of their keys exists, or a concurrent writer made this
        insert a deadlock victim: the rows are then merged."""
        try:
            with transaction.atomic():
                return stage.insert_new(), 0, 0
        except IntegrityError as exc:
            if not is_unique_violation(exc):
                raise  # the merge would fail the same way
        except OperationalError as exc:
            if not is_deadlock(exc):
                raise
        self.new_keys = False
        return None


def _key_of(key_row_fields: list[str]) -> Callable[[Mapping], Hashable]:
    """A line's key: its one key value, or the tuple of them."""
    if len(key_row_fields) == 1:
        return itemgetter(key_row_fields[0])
    return _getter(key_row_fields)


def _getter(names: Sequence[str]) -> Callable[[Mapping], tuple]:
    """The values of ``names`` as a tuple, read in C (a generator over the names cost about
    0.5 us per line of a 10,000-line request)."""
    if not names:
        return lambda values: ()
    if len(names) == 1:
        (name,) = names
        return lambda values: (values[name],)
    return itemgetter(*names)


class _Plan:
    """The columns a bulk write touches and how each row's values become database values."""

    def __init__(self, model, key_fields, update_fields, fixed: dict[str, Any]):
        opts = model._meta
        self.table = opts.db_table
        by_name = {name: opts.get_field(name) for name in (*key_fields, *update_fields, *fixed)}
        self.key = [by_name[name] for name in key_fields]
        self.update = [by_name[name] for name in update_fields]
        self._check(model, fixed)
        fixed_fields = {by_name[name].attname: value for name, value in fixed.items()}
        written = {f.attname for f in (*self.key, *self.update)}
        # Per row: the key and update fields the checker gives (in the caller's spelling).
        self.row_fields = [
            n for n in dict.fromkeys((*key_fields, *update_fields)) if n not in fixed
        ]
        self.key_row_fields = [n for n in key_fields if n not in fixed]
        row_attnames = [by_name[n].attname for n in self.row_fields]
        # Constant per call: the fixed values, then the model defaults of every other column.
        constants: dict[str, Any] = dict(fixed_fields)
        for f in opts.concrete_fields:
            if f.attname in written or f.attname in constants:
                continue
            if f.primary_key and isinstance(f, models.AutoField | models.BigAutoField):
                continue  # the database assigns it
            if not (f.has_default() or f.null):
                raise ValueError(f"bulk write of {opts.label}: {f.name} needs a value")
            constants[f.attname] = f.get_default()
        fields_by_attname = {f.attname: f for f in opts.concrete_fields}
        # Only the per-row columns are staged; the constants join in the merge, as parameters
        # (staging them in every row was a third of the COPY's volume and time).
        self.row_columns = [fields_by_attname[a].column for a in row_attnames]
        self.constant_fields = [fields_by_attname[a] for a in constants]
        self.columns = self.row_columns + [f.column for f in self.constant_fields]
        self.key_columns = [f.column for f in self.key]
        self.update_columns = [f.column for f in self.update]
        self.constants = tuple(_prep(fields_by_attname[a], v) for a, v in constants.items())
        self.preps = [
            None if _passes_through(by_name[name]) else by_name[name] for name in self.row_fields
        ]
        self.all_pass_through = all(prep is None for prep in self.preps)
        self.copy_text_ok = all(
            _internal_type(by_name[n]) in _COPY_TEXT_TYPES for n in self.row_fields
        )
        self.row_values = _getter(self.row_fields)

    def _check(self, model, fixed) -> None:
        label = model._meta.label
        key_names = {f.name for f in self.key}
        if any(f.null for f in self.key):
            raise ValueError(f"bulk write of {label}: a nullable key field never conflicts")
        uniques = [{f.name} for f in model._meta.concrete_fields if f.unique]
        for constraint in model._meta.constraints:
            if isinstance(constraint, models.UniqueConstraint) and constraint.condition is None:
                uniques.append(set(constraint.fields))
        uniques += [set(names) for names in model._meta.unique_together]
        if key_names not in uniques:
            raise ValueError(f"bulk write of {label}: no unique constraint on {sorted(key_names)}")
        names = {f.name for f in model._meta.concrete_fields}
        fixed_names = {model._meta.get_field(name).name for name in fixed}
        if "client" in names and ("client" not in key_names or "client" not in fixed_names):
            raise ValueError(
                f"bulk write of {label}: give the client in key_fields and fixed, so that no "
                "line can reach another client's row"
            )

    def prepare_row(self, line: int, values: Mapping[str, Any]) -> tuple:
        if self.all_pass_through:
            return (line, *self.row_values(values))
        row = [line]
        for name, prep in zip(self.row_fields, self.preps, strict=True):
            value = values[name]
            row.append(value if prep is None else _prep(prep, value))
        return tuple(row)


def _internal_type(f: models.Field) -> str:
    return (f.target_field if f.is_relation else f).get_internal_type()


def _passes_through(f: models.Field) -> bool:
    kind = _internal_type(f)
    # psycopg sends a date as it is (get_db_prep_save was a third of a CSV import's preparing
    # time); SQLite's backend wants Django's own adaptation.
    return kind in _PASSTHROUGH or (kind == "DateField" and connection.vendor == "postgresql")


def _prep(f: models.Field, value: Any) -> Any:
    return value if value is None else f.get_db_prep_save(value, connection)


def _merge_retrying(stage: "_Stage") -> tuple[int, int, int]:
    """``stage.merge()`` in a savepoint, run again (in key order) when PostgreSQL ends it as a
    deadlock victim: an unsorted merge against a concurrent one of overlapping keys, or two
    merges whose counter triggers (``dnc/migrations/0002_counters.py``) update the same
    counters in other orders. Rolling back to the savepoint releases what the merge locked, so
    the other transaction goes on, and the staged rows (created before the savepoint) are
    merged again, sorted: two sorted merges never deadlock on their keys."""
    for attempt in range(1, MERGE_ATTEMPTS + 1):
        try:
            with transaction.atomic():
                return stage.merge(sort=attempt > 1)
        except OperationalError as exc:
            if attempt == MERGE_ATTEMPTS or not is_deadlock(exc):
                raise
    raise AssertionError("unreachable")


class _Stage:
    """The temporary staging table of one bulk write, on one cursor."""

    def __init__(self, cursor, plan: _Plan):
        self.cursor = cursor
        self.plan = plan
        self.postgresql = connection.vendor == "postgresql"
        q = connection.ops.quote_name
        self.q = q
        self.table = q(plan.table)
        self.cols = ", ".join(q(c) for c in plan.columns)
        self.staged = ", ".join([LINE, *(q(c) for c in plan.row_columns)])
        # Temporary tables are private to the session; a failed earlier write in the same
        # transaction rolled its table back, a finished one dropped it.
        cursor.execute(f"DROP TABLE IF EXISTS {STAGE}")
        row_cols = "".join(f", {q(c)}" for c in plan.row_columns)
        cursor.execute(
            f"CREATE TEMPORARY TABLE {STAGE} AS "  # noqa: S608 (names from _meta)
            f"SELECT CAST(NULL AS integer) AS {LINE}{row_cols} FROM {self.table} WHERE 1 = 0"
        )
        # The constants as the merge selects them: typed parameters on PostgreSQL (an untyped
        # parameter in a select list is text, which a date column refuses); SQLite has no types.
        self.constant_sql = [
            f"CAST(%s AS {f.cast_db_type(connection)})" if self.postgresql else "%s"
            for f in plan.constant_fields
        ]
        # What both the merge and the plain insert select from the stage, in ``cols`` order.
        self.selected = ", ".join([*(q(c) for c in plan.row_columns), *self.constant_sql])

    def write(self, rows: list[tuple]) -> None:
        if not rows:
            return
        if self.postgresql:
            # psycopg 3 COPY: 400-500k rows/s from Python tuples (docs/performance.md).
            with self.cursor.cursor.copy(f"COPY {STAGE} ({self.staged}) FROM STDIN") as copy:
                for row in rows:
                    copy.write_row(row)
            return
        marks = ", ".join(["%s"] * (len(self.plan.row_columns) + 1))
        self.cursor.executemany(
            f"INSERT INTO {STAGE} ({self.staged}) VALUES ({marks})",  # noqa: S608
            rows,
        )

    def write_text(self, text: str) -> None:
        """Rows already in COPY text format (``copy_text``), in one call (PostgreSQL)."""
        with self.cursor.cursor.copy(f"COPY {STAGE} ({self.staged}) FROM STDIN") as copy:
            copy.write(text)

    def merge(self, sort: bool = False) -> tuple[int, int, int]:
        """Insert new keys, update changed rows; ``(created, updated, unchanged)``. ``sort``:
        in key order whatever the number of rows."""
        q, plan, cursor = self.q, self.plan, self.cursor
        cursor.execute(f"SELECT COUNT(*) FROM {STAGE}")  # noqa: S608
        staged = cursor.fetchone()[0]
        if not staged:
            return 0, 0, 0
        target = ", ".join(q(c) for c in plan.key_columns)
        if plan.update_columns:
            differs = "IS DISTINCT FROM" if self.postgresql else "IS NOT"
            sets = ", ".join(f"{q(c)} = excluded.{q(c)}" for c in plan.update_columns)
            changed = " OR ".join(
                f"{self.table}.{q(c)} {differs} excluded.{q(c)}" for c in plan.update_columns
            )
            conflict = f"ON CONFLICT ({target}) DO UPDATE SET {sets} WHERE {changed}"
        else:
            conflict = f"ON CONFLICT ({target}) DO NOTHING"
        # "WHERE true": SQLite's parser needs it before ON CONFLICT in an INSERT ... SELECT.
        # Up to SORTED_MERGE_ROWS (every API bulk request) the rows go in key order: two
        # concurrent merges of overlapping keys then take the keys' locks in the same order and
        # cannot deadlock. Larger merges (import batches) stay unsorted: sorting made a merge
        # about 30% slower on PostgreSQL; a deadlock there is retried sorted (_merge_retrying).
        staged_keys = [q(c) for c in plan.key_columns if c in plan.row_columns]
        order = ""
        if self.postgresql and staged_keys and (sort or staged <= SORTED_MERGE_ROWS):
            order = f" ORDER BY {', '.join(staged_keys)}"
        upsert = (
            f"INSERT INTO {self.table} ({self.cols}) "  # noqa: S608
            f"SELECT {self.selected} FROM {STAGE} WHERE true{order} {conflict}"
        )
        params = list(plan.constants)
        if self.postgresql:
            # xmax = 0 marks a row this statement inserted (not one it updated): the usual
            # PostgreSQL idiom to tell the two apart in one statement.
            cursor.execute(
                f"WITH merged AS ({upsert} RETURNING (xmax = 0) AS inserted) "  # noqa: S608
                "SELECT COUNT(*) FILTER (WHERE inserted), COUNT(*) FILTER (WHERE NOT inserted) "
                "FROM merged",
                params,
            )
            created, updated = cursor.fetchone()
        else:
            # A key column is staged, or a constant (the client): compared as a parameter.
            constant_of = dict(
                zip((f.column for f in plan.constant_fields), plan.constants, strict=True)
            )
            on_key, key_params = [], []
            for c in plan.key_columns:
                if c in constant_of:
                    on_key.append(f"t.{q(c)} = %s")
                    key_params.append(constant_of[c])
                else:
                    on_key.append(f"s.{q(c)} = t.{q(c)}")
            cursor.execute(
                f"SELECT COUNT(*) FROM {STAGE} s JOIN {self.table} t "  # noqa: S608
                f"ON {' AND '.join(on_key)}",
                key_params,
            )
            existing = cursor.fetchone()[0]
            cursor.execute(upsert, params)
            # SQLite counts inserted rows and rows the DO UPDATE changed, not skipped ones.
            created = staged - existing
            updated = cursor.rowcount - created
        return created, updated, staged - created - updated

    def insert_new(self) -> int:
        """Insert every staged row with a plain ``INSERT ... SELECT`` (no conflict target):
        the rows' count, or ``IntegrityError`` when a key exists after all."""
        self.cursor.execute(
            f"INSERT INTO {self.table} ({self.cols}) SELECT {self.selected} FROM {STAGE}",  # noqa: S608
            list(self.plan.constants),
        )
        return self.cursor.rowcount

    def drop(self) -> None:
        self.cursor.execute(f"DROP TABLE IF EXISTS {STAGE}")
