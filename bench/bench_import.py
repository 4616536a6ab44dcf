"""Import rate of a 1,000,000-line dial-time file beside a raw COPY of the same file (a
benchmark, never a test). PostgreSQL only:

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/livevox_bench \\
        .venv/bin/python bench/bench_import.py [--lines 1000000]

It migrates the database, makes a bench client (id 990001) with an empty dial-time list, writes
the file (unique phones, a third with an expiration date, no contact group), then measures in
the same run:

- ``import``: ``import_dnc``'s engine (``dnc.imports.run_job``) on the stored file: read,
  check every line, COPY each 50,000-line batch into a staging table, merge, record progress;
  the counters' triggers fire as for any write;
- ``re-import``: the same file again (every line unchanged);
- ``raw COPY``: ``COPY ... FROM STDIN (FORMAT csv)`` of the same bytes into a scratch copy of
  the table (same columns and indexes, NOT NULLs relaxed so the file's three columns suffice,
  no triggers): the floor of loading those rows into such a table.
"""

import argparse
import os
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "livevox_site.settings")
os.environ.setdefault("SECRET_KEY", "bench-only-not-secret-bench-only-not-secret-0123456789")

import django  # noqa: E402

django.setup()

from django.core.management import call_command  # noqa: E402
from django.db import connection, transaction  # noqa: E402

from dnc.imports import create_job, run_job  # noqa: E402
from dnc.models import DialtimeEntry  # noqa: E402
from livevox_site.audit import Actor  # noqa: E402
from livevox_site.models import Client  # noqa: E402

CLIENT = 990001
SCRATCH = "bench_dialtime_copy"


def write_file(path: Path, lines: int) -> None:
    with path.open("w", newline="") as out:
        out.write("phone,contactGroupId,expirationDate\n")
        for i in range(lines):
            expires = "2031-01-31" if i % 3 == 0 else ""
            out.write(f"{2000000000 + i * 7},,{expires}\n")


def timed_import(path: Path) -> tuple[float, object]:
    with path.open("rb") as upload:
        job = create_job(
            client=Client.objects.get(pk=CLIENT),
            list_name="dialtime",
            upload=upload,
            original_name=path.name,
            actor=Actor.command("bench_import"),
        )
    started = time.perf_counter()
    job = run_job(job.pk)
    return time.perf_counter() - started, job


def _relax_not_null(cursor, table: str, *, keep: tuple[str, ...] = ("id",)) -> None:
    """Drop every NOT NULL of ``table`` but ``keep``'s, so a file's columns suffice."""
    cursor.execute(
        "SELECT attname FROM pg_attribute WHERE attrelid = %s::regclass AND attnum > 0"
        " AND attnotnull AND NOT attisdropped AND NOT attname = ANY(%s)",
        [table, list(keep)],
    )
    for (column,) in cursor.fetchall():
        cursor.execute(f"ALTER TABLE {table} ALTER {column} DROP NOT NULL")


def _copy_file(cursor, path: Path, table: str, columns: tuple[str, ...]) -> float:
    """Seconds to ``COPY ... FROM STDIN (FORMAT csv, HEADER true)`` the bytes of ``path``."""
    copy_sql = f"COPY {table} ({', '.join(columns)}) FROM STDIN (FORMAT csv, HEADER true)"
    started = time.perf_counter()
    with path.open("rb") as source, cursor.cursor.copy(copy_sql) as copy:
        while chunk := source.read(1 << 20):
            copy.write(chunk)
    return time.perf_counter() - started


def raw_copy(
    path: Path,
    lines: int,
    *,
    table: str = "dnc_dialtimeentry",
    columns: tuple[str, ...] = ("phone", "contact_group_id", "expiration_date"),
    scratch: str = SCRATCH,
) -> float:
    """Seconds to ``COPY ... FROM STDIN (FORMAT csv, HEADER true)`` the bytes of ``path`` into
    ``columns`` of a scratch copy of ``table`` (same columns, indexes and constraints, every
    NOT NULL relaxed so the file's columns suffice, no triggers), dropped afterwards.
    ``bench/bench_dnc_scale.py`` uses it for the legacy list too."""
    with connection.cursor() as cursor:
        cursor.execute(f"DROP TABLE IF EXISTS {scratch}")
        cursor.execute(f"CREATE TABLE {scratch} (LIKE {table} INCLUDING ALL)")
        _relax_not_null(cursor, scratch)
    with connection.cursor() as cursor:
        elapsed = _copy_file(cursor, path, scratch, columns)
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT COUNT(*) FROM {scratch}")
        copied = cursor.fetchone()[0]
        cursor.execute(f"DROP TABLE {scratch}")
    assert copied == lines, copied
    return elapsed


def raw_copy_into_list(
    path: Path,
    lines: int,
    *,
    table: str,
    columns: tuple[str, ...],
    client_id: int,
) -> float:
    """Seconds to ``COPY ... FROM STDIN (FORMAT csv, HEADER true)`` the bytes of ``path`` into
    ``columns`` of the list's OWN table as client ``client_id``, before the import of the same
    file into the same client's list (so the rows land where the import's will, beside the
    same neighbours: a client with no rows would append at the end of every index instead):
    the same indexes, the rows already there, the counters' triggers. Rolled back, then the
    table vacuumed (untimed) so the dead rows cost the import nothing. Inside the
    transaction the NOT NULLs of the table (and of the counters' service) are relaxed, so the
    file's columns suffice as for ``raw_copy``, and ``client_id`` defaults to ``client_id``.

    This is the floor of loading these lines into this list: ``raw_copy``'s empty scratch
    table is cheaper still, its indexes small and in memory, which no import into a list of
    millions can be."""
    with transaction.atomic(), connection.cursor() as cursor:
        _relax_not_null(cursor, table, keep=("id", "client_id"))
        # An empty serviceId cell is a NULL here, which the counters' triggers carry over.
        cursor.execute("ALTER TABLE dnc_dnccounter ALTER service_id DROP NOT NULL")
        cursor.execute(f"ALTER TABLE {table} ALTER client_id SET DEFAULT {int(client_id)}")
        elapsed = _copy_file(cursor, path, table, columns)
        cursor.execute(
            f"SELECT COUNT(*) FROM {table} WHERE client_id = %s AND added_at IS NULL",
            [client_id],
        )
        copied = cursor.fetchone()[0]
        transaction.set_rollback(True)
    assert copied == lines, copied
    with connection.cursor() as cursor:
        cursor.execute(f"VACUUM {table}")
    return elapsed


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--lines", type=int, default=1_000_000)
    LINES = parser.parse_args().lines
    if connection.vendor != "postgresql":
        sys.exit("bench_import.py needs PostgreSQL (set DATABASE_URL)")
    call_command("migrate", verbosity=0)
    client, _ = Client.objects.get_or_create(
        id=CLIENT, defaults={"code": "BENCHIMP", "name": "Import bench"}
    )
    DialtimeEntry.objects.filter(client=client).delete()
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "dialtime-1m.csv"
        write_file(path, LINES)
        size_mb = path.stat().st_size / 1e6
        with connection.cursor() as cursor:
            cursor.execute("VACUUM ANALYZE dnc_dialtimeentry")
        import_s, job = timed_import(path)
        assert (job.status, job.created, job.failed) == ("succeeded", LINES, 0), job
        again_s, again = timed_import(path)
        assert (again.created, again.updated, again.unchanged) == (0, 0, LINES)
        copy_s = raw_copy(path, LINES)
    DialtimeEntry.objects.filter(client=client).delete()
    print(f"file: {LINES:,} lines, {size_mb:.1f} MB; PostgreSQL {connection.pg_version}")
    print(f"import (empty list):  {import_s:6.2f} s  {LINES / import_s:>10,.0f} lines/s")
    print(f"re-import (unchanged): {again_s:6.2f} s  {LINES / again_s:>10,.0f} lines/s")
    print(f"raw COPY:             {copy_s:6.2f} s  {LINES / copy_s:>10,.0f} lines/s")
    print(f"import / raw COPY rate: {copy_s / import_s:.2f} (target at least 0.5)")
