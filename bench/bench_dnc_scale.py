"""The DNC lists at 10 million rows (``make bench``, run by ``bench/bench_dnc_scale.sh``; a
benchmark, never a test). PostgreSQL only, on a migrated database holding the demo data:

    .venv/bin/python bench/bench_dnc_scale.py seed [--legacy 6000000] [--dialtime 4000000]
    .venv/bin/python bench/bench_dnc_scale.py measure [--reps 5] [--singles 50000]

``seed`` writes CSV files with ``bench/seed_dnc.py``'s fixed-seed rows (at most ``--per-file``
lines each: 4M legacy entries of client 93119, 2M of 4199, 4M dial-time entries of 4199 in
files of 2M) and loads each through ``manage.py import_dnc``. Before each import, a raw
``COPY`` of the same file into the list's own table, as the same client, rolled back
(``bench/bench_import.py``'s ``raw_copy_into_list``): the import's rate is measured against
it (target: at least half). After it, a raw ``COPY`` into an empty scratch copy of the table
(``raw_copy``, the floor of loading into an empty list) is printed beside it too. Then
``VACUUM ANALYZE`` and the counters' check.

``measure`` times, in process (Django's test client, ``DEBUG`` off, ``bench.wrk_settings``),
each figure beside a baseline of the same run: bulk requests of 10,000 entries (new, then the
same again), ``info`` and list pages beside ``/bench/drf-one-query`` (a constant DRF view after
one ``SELECT 1``), the admin change lists, searches and filters, and a 50,000-item contactCheck
batch beside 50,000 single isBlocked calls. It prints PASS or MISS beside every target and never
fails on a MISS; the entries it adds are removed at the end.
"""

import argparse
import csv
import io
import itertools
import os
import random
import statistics
import sys
import tempfile
import time
from collections.abc import Callable, Iterator
from contextlib import redirect_stderr
from datetime import UTC, datetime
from datetime import time as dtime
from pathlib import Path
from zoneinfo import ZoneInfo

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "bench.wrk_settings")
os.environ.setdefault("SECRET_KEY", "bench-only-not-secret-bench-only-not-secret-0123456789")

import django  # noqa: E402

django.setup()

from django.db import connection  # noqa: E402

from bench.seed_dnc import (  # noqa: E402
    DIALTIME_CLIENT,
    LEGACY_CLIENT,
    SEED,
    check_counters,
    client_today,
    dialtime_rows,
    legacy_rows,
    miss_phone,
    phone_of,
)

LEGACY_SERVICE = 123  # a service of client 93119
DIALTIME_SERVICE = 20180  # a service of client 4199
NEW_FROM = 100_000_000  # phone_of(n) from here on: never seeded (the seed stops near 10M)


def verdict(ok: bool) -> str:
    return "PASS" if ok else "MISS"


# --- seed ---------------------------------------------------------------------------------


def _legacy_csv(rows: Iterator[tuple], out: io.TextIOBase) -> int:
    """Legacy rows (``seed_dnc.LEGACY_COLUMNS``) as the import's CSV: type,serviceId,phone,
    account,zip (service 0, the client level, as an empty cell). A DAILY line blocks through
    the client's today, whatever the seeded date."""
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(["type", "serviceId", "phone", "account", "zip"])
    n = 0
    for _, service, dnc_type, phone, account, zip_code, *_ in rows:
        writer.writerow([dnc_type, service or "", phone, account, zip_code])
        n += 1
    return n


def _dialtime_csv(rows: Iterator[tuple], out: io.TextIOBase) -> int:
    """Dial-time rows (``seed_dnc.DIALTIME_COLUMNS``) as phone,contactGroupId,expirationDate."""
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(["phone", "contactGroupId", "expirationDate"])
    n = 0
    for _, phone, group, expires, *_ in rows:
        writer.writerow([phone, group or "", expires.isoformat() if expires else ""])
        n += 1
    return n


def _files(legacy: int, dialtime: int, per_file: int) -> list[tuple[str, int, str, Callable]]:
    """``(list, client, name, writer)`` of every file, in load order. The rows are those of
    ``seed_dnc.seed`` (same numbering, same generator per client and list)."""
    from dnc.models import ContactGroup
    from livevox_site.models import Client, Service

    rng = random.Random(SEED)
    zones = dict(
        Client.objects.filter(pk__in=[LEGACY_CLIENT, DIALTIME_CLIENT]).values_list(
            "pk", "time_zone"
        )
    )
    services = {
        pk: sorted(Service.objects.filter(client_id=pk).values_list("id", flat=True))
        for pk in zones
    }
    groups = sorted(
        ContactGroup.objects.filter(client_id=DIALTIME_CLIENT).values_list("group_id", flat=True)
    )
    big = legacy * 2 // 3
    parts = [
        ("legacy", LEGACY_CLIENT, 0, big),
        ("legacy", DIALTIME_CLIENT, big, legacy - big),
        ("dialtime", DIALTIME_CLIENT, legacy, dialtime),
    ]
    files = []
    for list_name, client, start, count in parts:
        # One generator per client and list, cut into files: legacy_rows numbers its zip-only
        # entries from 0 at each call, so a generator per file would repeat those keys.
        today = client_today(zones[client])
        if list_name == "legacy":
            rows = legacy_rows(
                client_id=client,
                services=services[client],
                count=count,
                start=start,
                today=today,
                rng=rng,
            )
        else:
            rows = dialtime_rows(
                client_id=client, groups=groups, count=count, start=start, today=today, rng=rng
            )
        as_csv = _legacy_csv if list_name == "legacy" else _dialtime_csv
        for k, first in enumerate(range(start, start + count, per_file)):
            size = min(per_file, start + count - first)

            def write(out, rows=rows, size=size, as_csv=as_csv):
                return as_csv(itertools.islice(rows, size), out)

            files.append((list_name, client, f"{list_name}-{client}-{k + 1}.csv", write))
    return files


COPY_COLUMNS = {
    "legacy": ("dnc_legacyentry", ("dnc_type", "service_id", "phone", "account", "zip")),
    "dialtime": ("dnc_dialtimeentry", ("phone", "contact_group_id", "expiration_date")),
}


def seed_command(args) -> None:
    from django.core.management import call_command

    from bench.bench_import import raw_copy, raw_copy_into_list

    if connection.vendor != "postgresql":
        sys.exit("bench_dnc_scale.py needs PostgreSQL (set DATABASE_URL)")
    total_import = total_list = total_scratch = 0.0
    total_lines = 0
    ratios = []
    print(
        "| file | lines | MB | import_dnc s | lines/s | COPY into the list s | import / COPY "
        "| COPY into an empty table s | import / that COPY |"
    )
    print("|---|---:|---:|---:|---:|---:|---:|---:|---:|")
    with tempfile.TemporaryDirectory(dir=args.tmp) as folder:
        for list_name, client, name, write in _files(args.legacy, args.dialtime, args.per_file):
            path = Path(folder) / name
            with path.open("w", newline="") as out:
                lines = write(out)
            table, columns = COPY_COLUMNS[list_name]
            # The floor first, on the table as the import will find it (rolled back).
            list_s = raw_copy_into_list(path, lines, table=table, columns=columns, client_id=client)
            report = io.StringIO()
            started = time.perf_counter()
            with redirect_stderr(io.StringIO()):  # the progress bar
                call_command(
                    "import_dnc",
                    str(path),
                    client=client,
                    list_name=list_name,
                    stdout=report,
                )
            import_s = time.perf_counter() - started
            scratch_s = raw_copy(
                path, lines, table=table, columns=columns, scratch="bench_scale_copy"
            )
            total_import += import_s
            total_list += list_s
            total_scratch += scratch_s
            total_lines += lines
            ratios.append(list_s / import_s)
            print(
                f"| {name} | {lines:,} | {path.stat().st_size / 1e6:.0f} | {import_s:.1f} "
                f"| {lines / import_s:,.0f} | {list_s:.1f} | {list_s / import_s:.2f} "
                f"| {scratch_s:.1f} | {scratch_s / import_s:.2f} |",
                flush=True,
            )
            if "created" not in report.getvalue() and args.verbose:
                print(report.getvalue())
            path.unlink()
    ratio = total_list / total_import
    print(
        f"\nimport: {total_lines:,} lines in {total_import:.0f} s "
        f"({total_lines / total_import:,.0f} lines/s); raw COPY of the same files into the "
        f"lists' tables {total_list:.0f} s ({total_lines / total_list:,.0f} lines/s); import / "
        f"raw COPY rate {ratio:.2f} (files {min(ratios):.2f}-{max(ratios):.2f}), "
        f"target >= 0.5: {verdict(ratio >= 0.5)}. Beside a raw COPY into an empty scratch "
        f"table ({total_scratch:.0f} s): {total_scratch / total_import:.2f}"
    )
    started = time.perf_counter()
    with connection.cursor() as cursor:
        for table in ("dnc_legacyentry", "dnc_dialtimeentry"):
            cursor.execute(f"VACUUM ANALYZE {table}")
    print(f"VACUUM ANALYZE {time.perf_counter() - started:.1f} s")
    wrong = check_counters()
    if wrong:
        print("dnc_dnccounter differs from COUNT(*):", *wrong, sep="\n  ")
        sys.exit(1)
    print("dnc_dnccounter equals COUNT(*) for every (client, list, service)")


# --- measure ------------------------------------------------------------------------------


def timed(call: Callable[[], object], reps: int) -> list[float]:
    """Seconds of each of ``reps`` calls (after one untimed warm-up call)."""
    call()
    out = []
    for _ in range(reps):
        started = time.perf_counter()
        call()
        out.append(time.perf_counter() - started)
    return out


def ms(seconds: float) -> str:
    return f"{seconds * 1000:,.1f} ms"


def spread(values: list[float]) -> str:
    return f"{ms(statistics.median(values))} ({ms(min(values))}-{ms(max(values))})"


class Api:
    """Django's test client with an LV-Session of the demo's manager_all of one client."""

    def __init__(self, token: str, client_name: str) -> None:
        from django.test import Client as TestClient

        self.http = TestClient()
        response = self.http.post(
            "/session/login",
            {"clientName": client_name, "userName": "manager_all", "password": "livevox-demo"},
            content_type="application/json",
            HTTP_LV_ACCESS=token,
        )
        assert response.status_code == 200, response.content
        self.session = response.json()["sessionId"]

    def get(self, path: str, status: int = 200):
        response = self.http.get(path, HTTP_LV_SESSION=self.session)
        assert response.status_code == status, (path, response.status_code, response.content[:300])
        return response

    def post(self, path: str, body, status: int = 200):
        import json

        response = self.http.post(
            path, json.dumps(body), content_type="application/json", HTTP_LV_SESSION=self.session
        )
        assert response.status_code == status, (path, response.status_code, response.content[:300])
        return response


def admin_browser(client_id: int):
    from django.test import Client as TestClient

    from livevox_site.models import User

    browser = TestClient()
    browser.force_login(User.objects.get(client_id=client_id, username="manager_all"))
    return browser


def measure_command(args) -> None:
    from django.conf import settings

    from dnc.models import DialtimeEntry, LegacyEntry

    # Production serves hashed static files from collectstatic's manifest; the admin pages
    # rendered here need none (the same override as the tests').
    settings.STORAGES = {
        **settings.STORAGES,
        "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
    }
    # The state of a server process: livevox_site/wsgi.py warms the geography tables and
    # freezes them out of the garbage collector's sight, as in every gunicorn worker.
    import livevox_site.wsgi  # noqa: F401

    reps = args.reps
    acme = Api("demo-token-acme", "ACME")
    beta = Api("demo-token-beta", "BETA")
    rows: list[tuple[str, str, str, str]] = []  # what, figure, baseline, verdict

    def row(what: str, figure: str, baseline: str = "", check: str = "") -> None:
        rows.append((what, figure, baseline, check))
        print(f"{what}: {figure}  {baseline}  {check}", flush=True)

    floor = timed(lambda: acme.get("/bench/drf-one-query"), reps * 4)
    floor_s = spread(floor)
    row("baseline: constant DRF view + SELECT 1", floor_s)

    # Bulk requests of 10,000 entries: new ones (fresh phones each time), then the same again.
    size = 10_000
    added: list[str] = []
    for label, api, path, body_of in (
        (
            "POST /compliance/dialtime/dnc/bulk",
            acme,
            "/compliance/dialtime/dnc/bulk",
            lambda phones: {"dncEntries": [{"phone": p} for p in phones]},
        ),
        (
            "POST /compliance/dnc/multiplePhoneDnc",
            beta,
            "/compliance/dnc/multiplePhoneDnc",
            lambda phones: {
                "block": "PERMANENT",
                "phoneDncEntry": [
                    {"phone": p, "service": [{"id": LEGACY_SERVICE}]} for p in phones
                ],
            },
        ),
    ):
        new_s, again_s = [], []
        for _ in range(reps):
            first = NEW_FROM + len(added)
            phones = [phone_of(first + j) for j in range(size)]
            added += phones
            body = body_of(phones)
            started = time.perf_counter()
            api.post(path, body)
            new_s.append(time.perf_counter() - started)
            started = time.perf_counter()
            api.post(path, body)
            again_s.append(time.perf_counter() - started)
        row(f"{label}, {size:,} new entries", spread(new_s), floor_s, _target(new_s, 0.5))
        row(f"{label}, the same {size:,} again", spread(again_s), floor_s, _target(again_s, 0.5))

    # Counter reads and list pages.
    for label, api, path in (
        ("GET /compliance/dialtime/dnc/info", acme, "/compliance/dialtime/dnc/info"),
        (
            "GET /compliance/dnc/info?dncType=PERMANENT",
            beta,
            "/compliance/dnc/info?dncType=PERMANENT",
        ),
        (
            "GET /compliance/dialtime/dnc?offset=0&count=1000",
            acme,
            "/compliance/dialtime/dnc?offset=0&count=1000",
        ),
        (
            "GET /compliance/dialtime/dnc?offset=100000&count=1000",
            acme,
            "/compliance/dialtime/dnc?offset=100000&count=1000",
        ),
        (
            "GET /compliance/dnc?dncType=PERMANENT&offset=0&count=1000",
            beta,
            "/compliance/dnc?dncType=PERMANENT&offset=0&count=1000",
        ),
        (
            "GET /compliance/dnc?dncType=PERMANENT&offset=100000&count=1000",
            beta,
            "/compliance/dnc?dncType=PERMANENT&offset=100000&count=1000",
        ),
    ):
        values = timed(lambda api=api, path=path: api.get(path), reps)
        row(label, spread(values), floor_s, _target(values, 0.05))

    # The admin, as the demo's manager_all (a Manager with the "Edit DNC Lists" power).
    acme_admin, beta_admin = admin_browser(DIALTIME_CLIENT), admin_browser(LEGACY_CLIENT)

    def admin_get(browser, path):
        response = browser.get(path)
        assert response.status_code == 200, (path, response.status_code)
        return response

    admin_floor = timed(lambda: admin_get(acme_admin, "/admin/"), reps)
    row("baseline: GET /admin/ (the index)", spread(admin_floor))
    for label, browser, path in (
        ("dial-time change list (4199)", acme_admin, "/admin/dnc/dialtimeentry/"),
        (
            "dial-time search (415) 555-3734",
            acme_admin,
            "/admin/dnc/dialtimeentry/?q=(415)+555-3734",
        ),
        ("dial-time filter group=1320", acme_admin, "/admin/dnc/dialtimeentry/?group=1320"),
        ("dial-time filter expired=yes", acme_admin, "/admin/dnc/dialtimeentry/?expired=yes"),
        ("legacy change list (93119)", beta_admin, "/admin/dnc/legacyentry/"),
        ("legacy search (415) 555-3734", beta_admin, "/admin/dnc/legacyentry/?q=(415)+555-3734"),
        (
            "legacy filter PERMANENT, service 123",
            beta_admin,
            f"/admin/dnc/legacyentry/?dnc_type__exact=PERMANENT&service={LEGACY_SERVICE}",
        ),
        ("legacy change list (4199)", acme_admin, "/admin/dnc/legacyentry/"),
    ):
        values = timed(lambda b=browser, p=path: admin_get(b, p), reps)
        row(f"admin: {label}", spread(values), "", _target(values, 1.0))

    # contactCheck: one batch of 50,000 items beside 50,000 single isBlocked calls.
    rng = random.Random(SEED)
    n = args.singles
    phones = [
        phone_of(rng.randrange(4_000_000)) if k % 2 else miss_phone(rng.randrange(10**9))
        for k in range(n)
    ]
    items = [{"service": LEGACY_SERVICE, "phone": p} for p in phones]
    # The answers depend on the hour: half the phones have no real area code (seed_dnc's
    # numbers), so their calling hours are read in every North American zone, and each zone
    # whose window is closed adds a reason. The batch is timed at two set moments of today:
    # 13:00 in New York (every window open: the dialing day) and 21:30 (most of them closed,
    # up to 20 reasons an item, the longest answers).
    import time_machine

    today = datetime.now(UTC).date()
    eastern = ZoneInfo("America/New_York")
    # The batches go first: Django's test client leaves three weakref.finalize objects behind
    # per request (Signal.connect in Client.request), which no server process has, and after
    # 50,000 single calls the collector walked them all within the batch.
    batches = []
    for label, clock in (("13:00", dtime(13)), ("21:30", dtime(21, 30))):
        with time_machine.travel(datetime.combine(today, clock, eastern), tick=True):
            then = Api("demo-token-beta", "BETA")  # a session of that moment
            batch = timed(
                lambda then=then: then.post(
                    "/compliance/complianceCheck/contactCheck/batch", {"items": items}
                ),
                max(3, reps // 2 + 1),
            )
        batches.append((label, batch))
    beta = Api("demo-token-beta", "BETA")  # the sessions of those moments ended this one's
    started = time.perf_counter()
    for p in phones:
        beta.get(f"/compliance/complianceCheck/isBlocked?service={LEGACY_SERVICE}&phone={p}")
    singles = time.perf_counter() - started
    for label, batch in batches:
        row(
            f"POST .../contactCheck/batch, {n:,} items (93119), at {label} New York time",
            spread(batch),
            f"{n:,} single isBlocked calls {singles:.1f} s ({singles / n * 1000:.2f} ms each)",
            _target(batch, 1.0),
        )

    # Leave the lists as seeded (a REUSE=1 run must find these phones new again).
    removed = DialtimeEntry.objects.filter(client_id=DIALTIME_CLIENT, phone__in=added).delete()[0]
    removed += LegacyEntry.objects.filter(client_id=LEGACY_CLIENT, phone__in=added).delete()[0]
    print(f"(removed the {removed:,} entries the bulk requests added)")

    print(f"\n| measured in process, median of {reps} (min-max) | time | beside | target |")
    print("|---|---:|---|---|")
    for what, figure, baseline, check in rows:
        print(f"| {what} | {figure} | {baseline} | {check} |")


def _target(values: list[float], limit: float) -> str:
    median = statistics.median(values)
    shown = f"{limit * 1000:.0f} ms" if limit < 1 else f"{limit:.0f} s"
    return f"< {shown}: {verdict(median < limit)}"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    commands = parser.add_subparsers(dest="command", required=True)
    seed = commands.add_parser("seed")
    seed.add_argument("--legacy", type=int, default=6_000_000)
    seed.add_argument("--dialtime", type=int, default=4_000_000)
    seed.add_argument("--per-file", type=int, default=2_000_000)
    seed.add_argument("--tmp", default=None, help="folder for the CSV files (default: TMPDIR)")
    seed.add_argument("--verbose", action="store_true")
    measure = commands.add_parser("measure")
    measure.add_argument("--reps", type=int, default=5)
    measure.add_argument("--singles", type=int, default=50_000)
    args = parser.parse_args()
    if args.command == "seed":
        seed_command(args)
    else:
        measure_command(args)


if __name__ == "__main__":
    main()
