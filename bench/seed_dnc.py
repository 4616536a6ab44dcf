"""Seed the DNC lists with millions of entries for benchmarks (``bench/wrk_dnc.sh``).

    DATABASE_URL=postgres://... .venv/bin/python bench/seed_dnc.py [--legacy N] [--dialtime N]

Into a migrated PostgreSQL database holding the demo clients (``seed_demo``). Reproducible: the
rows depend only on ``--seed`` and on today's date (daily entries and expirations are dated
around today). Every key is unique by construction (phones and accounts come from bijections of
the row number), so the load never conflicts.

Two steps with a clear boundary, so that another benchmark can reuse either:

- ``legacy_rows``, ``dialtime_rows``, ``account_rows``: generators of rows (tuples in the
  table's column order). A later benchmark can write these as CSV and load them through the
  importer instead.
- ``copy_rows``: loads rows with ``COPY`` (psycopg 3) into the real table, after ``migrate``:
  the counter triggers run once per statement. The table's secondary indexes are dropped for
  the load and rebuilt after it from their own definitions (``pg_get_indexdef``), the usual
  way to bulk load (docs/performance.md: COPY into an indexed table ran at a third of the rate).

``seed`` runs both and ``VACUUM ANALYZE``; ``check_counters`` compares ``dnc_dnccounter`` with
``COUNT(*)``.
"""

import argparse
import os
import random
import sys
import time
from collections.abc import Iterable, Iterator
from datetime import date, timedelta
from zoneinfo import ZoneInfo

LEGACY_CLIENT = 93119  # LEGACY phone DNC type
DIALTIME_CLIENT = 4199  # DIAL_TIME
SEED = 20261124

LEGACY_COLUMNS = (
    "client_id",
    "service_id",
    "dnc_type",
    "phone",
    "account",
    "zip",
    "blocks_through",
    "added_at",
    "added_by",
    "added_via",
    "filename",
    "changed_at",
)
DIALTIME_COLUMNS = (
    "client_id",
    "phone",
    "contact_group_id",
    "expiration_date",
    "added_at",
    "added_by",
    "added_via",
    "filename",
    "changed_at",
)
ACCOUNT_COLUMNS = (
    "client_id",
    "account",
    "do_not_dial",
    "blocks_through",
    "changed_at",
    "changed_by",
    "changed_via",
)
STAMP = "2026-11-01 12:00:00+00"
NULL = None


def phone_of(n: int) -> str:
    """The ``n``-th seeded phone (n < 7e9): a bijection onto 2000000000..8999999999, spread
    over the whole range so that consecutive rows land on distant index pages."""
    return str(2_000_000_000 + (n * 7_919_423) % 7_000_000_000)


def account_of(n: int) -> str:
    """The ``n``-th seeded account (n < 1e9), unique."""
    return f"A{(n * 104_729) % 1_000_000_000:09d}"


def miss_phone(n: int) -> str:
    """Phones no seeded row holds (9xxxxxxxxx is outside ``phone_of``'s range)."""
    return str(9_000_000_000 + (n * 7_919_423) % 1_000_000_000)


def client_today(zone: str) -> date:
    from datetime import datetime

    return datetime.now(ZoneInfo(zone)).date()


def legacy_rows(
    *,
    client_id: int,
    services: list[int],
    count: int,
    start: int,
    today: date,
    rng: random.Random,
) -> Iterator[tuple]:
    """``count`` legacy entries of one client, numbered from ``start`` (phones and accounts
    unique across clients as long as the ranges do not overlap). The mix: 78% phone only, 10%
    account only, 10% phone + account, 2% zip; 80% client-level, 20% one service; 90% PERMANENT,
    10% DAILY dated within the last 30 days (so about 1 in 30 still blocks today)."""
    zips = 0
    for i in range(start, start + count):
        kind = rng.random()
        per_service = rng.random() < 0.2
        service = rng.choice(services) if per_service else 0
        if rng.random() < 0.9:
            dnc_type, through = "PERMANENT", NULL
        else:
            dnc_type, through = "DAILY", today - timedelta(days=rng.randrange(30))
        phone = account = zip_code = ""
        if kind < 0.78:
            phone = phone_of(i)
        elif kind < 0.88:
            account = account_of(i)
        elif kind < 0.98:
            phone, account = phone_of(i), account_of(i + 500_000_000)
        else:
            # Unique (zip, service, type) by construction: walk the 100,000 zips, then the
            # services, then the types.
            zip_code = f"{zips % 100_000:05d}"
            service = ([0, *services])[(zips // 100_000) % (len(services) + 1)]
            dnc_type = (
                "PERMANENT" if (zips // (100_000 * (len(services) + 1))) % 2 == 0 else "DAILY"
            )
            through = NULL if dnc_type == "PERMANENT" else today - timedelta(days=rng.randrange(30))
            zips += 1
        yield (
            client_id,
            service,
            dnc_type,
            phone,
            account,
            zip_code,
            through,
            STAMP,
            "bench",
            "seed_dnc",
            "",
            STAMP,
        )


def dialtime_rows(
    *, client_id: int, groups: list[int], count: int, start: int, today: date, rng: random.Random
) -> Iterator[tuple]:
    """``count`` dial-time entries of one client: 60% without a contact group, 40% in one; 70%
    without expiration, 30% expiring within 60 days either side of today (half expired)."""
    for i in range(start, start + count):
        group = rng.choice(groups) if rng.random() < 0.4 else 0
        expires = today + timedelta(days=rng.randrange(-60, 60)) if rng.random() < 0.3 else NULL
        yield (client_id, phone_of(i), group, expires, STAMP, "bench", "seed_dnc", "", STAMP)


def account_rows(
    *, client_id: int, count: int, start: int, today: date, rng: random.Random
) -> Iterator[tuple]:
    """``count`` account Do Not Dial flags: 80% PERMANENT, 10% DAILY (recent days), 10% NONE."""
    for i in range(start, start + count):
        pick = rng.random()
        if pick < 0.8:
            flag, through = "PERMANENT", NULL
        elif pick < 0.9:
            flag, through = "DAILY", today - timedelta(days=rng.randrange(30))
        else:
            flag, through = "NONE", NULL
        yield (client_id, account_of(i), flag, through, STAMP, "bench", "seed_dnc")


def _text(value) -> str:
    if value is None:
        return "\\N"
    return str(value)


def copy_rows(connection, table: str, columns: Iterable[str], rows: Iterable[tuple]) -> int:
    """Load ``rows`` into ``table`` with one ``COPY`` (so the statement-level counter triggers
    run once), the table's secondary indexes and unique constraints dropped for the load and
    rebuilt after it from their own definitions. Returns the number of rows."""
    columns = list(columns)
    with connection.cursor() as django_cursor:
        cursor = django_cursor.cursor  # the psycopg 3 cursor
        cursor.execute("SET maintenance_work_mem = '1GB'")
        cursor.execute(
            "SELECT conname, pg_get_constraintdef(oid) FROM pg_constraint "
            "WHERE conrelid = %s::regclass AND contype = 'u'",
            [table],
        )
        constraints = cursor.fetchall()
        cursor.execute(
            "SELECT i.indexrelid::regclass::text, pg_get_indexdef(i.indexrelid) FROM pg_index i "
            "WHERE i.indrelid = %s::regclass AND NOT i.indisprimary AND NOT EXISTS "
            "(SELECT 1 FROM pg_constraint c WHERE c.conindid = i.indexrelid)",
            [table],
        )
        indexes = cursor.fetchall()
        for name, _ in constraints:
            cursor.execute(f'ALTER TABLE {table} DROP CONSTRAINT "{name}"')
        for name, _ in indexes:
            cursor.execute(f"DROP INDEX {name}")
        n = 0
        with cursor.copy(f"COPY {table} ({', '.join(columns)}) FROM STDIN") as copy:
            chunk: list[str] = []
            for row in rows:
                chunk.append("\t".join(map(_text, row)))
                n += 1
                if len(chunk) == 50_000:
                    copy.write("\n".join(chunk) + "\n")
                    chunk = []
            if chunk:
                copy.write("\n".join(chunk) + "\n")
        for name, definition in constraints:
            cursor.execute(f'ALTER TABLE {table} ADD CONSTRAINT "{name}" {definition}')
        for _, definition in indexes:
            cursor.execute(definition)
    return n


def seed(
    *, legacy: int = 6_000_000, dialtime: int = 4_000_000, accounts: int = 100_000, seed: int = SEED
) -> dict[str, float]:
    """Load ``legacy`` legacy entries (two thirds client 93119, one third client 4199),
    ``dialtime`` dial-time entries (client 4199, the DIAL_TIME one) and ``accounts`` account
    flags (half each), then ``VACUUM ANALYZE``. Returns timings. The demo clients must exist."""
    from django.db import connection, transaction

    from dnc.models import AccountFlag, ContactGroup, DialtimeEntry, LegacyEntry
    from livevox_site.models import Client, Service

    rng = random.Random(seed)
    clients = {c.pk: c for c in Client.objects.filter(pk__in=[LEGACY_CLIENT, DIALTIME_CLIENT])}
    services = {
        pk: sorted(Service.objects.filter(client_id=pk).values_list("id", flat=True))
        for pk in clients
    }
    groups = sorted(
        ContactGroup.objects.filter(client_id=DIALTIME_CLIENT).values_list("group_id", flat=True)
    )
    today = {pk: client_today(c.time_zone) for pk, c in clients.items()}
    big = legacy * 2 // 3

    def legacy_all() -> Iterator[tuple]:
        yield from legacy_rows(
            client_id=LEGACY_CLIENT,
            services=services[LEGACY_CLIENT],
            count=big,
            start=0,
            today=today[LEGACY_CLIENT],
            rng=rng,
        )
        yield from legacy_rows(
            client_id=DIALTIME_CLIENT,
            services=services[DIALTIME_CLIENT],
            count=legacy - big,
            start=big,
            today=today[DIALTIME_CLIENT],
            rng=rng,
        )

    timings: dict[str, float] = {}
    started = time.perf_counter()
    with transaction.atomic():
        copy_rows(connection, LegacyEntry._meta.db_table, LEGACY_COLUMNS, legacy_all())
    timings["legacy"] = time.perf_counter() - started
    mark = time.perf_counter()
    with transaction.atomic():
        copy_rows(
            connection,
            DialtimeEntry._meta.db_table,
            DIALTIME_COLUMNS,
            # Numbered after the legacy rows: a dial-time phone is never a legacy one, so a
            # hit of one branch is a miss of the other.
            dialtime_rows(
                client_id=DIALTIME_CLIENT,
                groups=groups,
                count=dialtime,
                start=legacy,
                today=today[DIALTIME_CLIENT],
                rng=rng,
            ),
        )
    timings["dialtime"] = time.perf_counter() - mark
    mark = time.perf_counter()

    def accounts_all() -> Iterator[tuple]:
        for k, pk in enumerate((LEGACY_CLIENT, DIALTIME_CLIENT)):
            yield from account_rows(
                client_id=pk,
                count=accounts // 2,
                start=800_000_000 + k * accounts,
                today=today[pk],
                rng=rng,
            )

    with transaction.atomic():
        copy_rows(connection, AccountFlag._meta.db_table, ACCOUNT_COLUMNS, accounts_all())
    timings["accounts"] = time.perf_counter() - mark
    timings["load"] = time.perf_counter() - started
    mark = time.perf_counter()
    with connection.cursor() as cursor:
        for model in (LegacyEntry, DialtimeEntry, AccountFlag):
            cursor.execute(f"VACUUM ANALYZE {model._meta.db_table}")
    timings["vacuum"] = time.perf_counter() - mark
    timings["rows"] = legacy + dialtime + accounts
    return timings


def check_counters() -> list[tuple]:
    """``(client, list, service, counter, COUNT(*))`` of every legacy and dial-time counter
    that differs from the count (none when the triggers kept up)."""
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT client_id, 'legacy:' || dnc_type, service_id, COUNT(*)"
            " FROM dnc_legacyentry GROUP BY 1, 2, 3"
            " UNION ALL SELECT client_id, 'dialtime', 0, COUNT(*) FROM dnc_dialtimeentry"
            " GROUP BY 1"
        )
        counted = {row[:3]: row[3] for row in cursor.fetchall()}
        cursor.execute(
            "SELECT client_id, list, service_id, size FROM dnc_dnccounter"
            " WHERE list LIKE 'legacy:%%' OR list = 'dialtime'"
        )
        kept = {row[:3]: row[3] for row in cursor.fetchall()}
    return [
        (*key, kept.get(key, 0), counted.get(key, 0))
        for key in sorted(set(counted) | set(kept))
        if kept.get(key, 0) != counted.get(key, 0)
    ]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--legacy", type=int, default=6_000_000)
    parser.add_argument("--dialtime", type=int, default=4_000_000)
    parser.add_argument("--accounts", type=int, default=100_000)
    parser.add_argument("--seed", type=int, default=SEED)
    args = parser.parse_args()
    sys.path.insert(0, os.path.join(os.path.dirname(__file__), ".."))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "livevox_site.settings")
    import django

    django.setup()
    t = seed(legacy=args.legacy, dialtime=args.dialtime, accounts=args.accounts, seed=args.seed)
    rows = int(t["rows"])
    print(
        f"loaded {rows:,} rows in {t['load']:.1f} s ({rows / t['load']:,.0f} rows/s): "
        f"legacy {t['legacy']:.1f} s, dial-time {t['dialtime']:.1f} s, "
        f"account flags {t['accounts']:.1f} s (COPY + index rebuild); "
        f"VACUUM ANALYZE {t['vacuum']:.1f} s"
    )
    wrong = check_counters()
    if wrong:
        print("dnc_dnccounter differs from COUNT(*):", *wrong, sep="\n  ")
        sys.exit(1)
    print("dnc_dnccounter equals COUNT(*) for every (client, list, service)")


if __name__ == "__main__":
    main()
