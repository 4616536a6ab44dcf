"""API request overhead, in process (no network), against a ceiling measured in the same run.

    .venv/bin/python bench/bench_api.py [--requests 2000] [--strategies 500] [--markdown]
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/livevox_bench ... (PostgreSQL)

It builds a throwaway database (SQLite file in /tmp, or the named PostgreSQL database, which is
dropped and recreated), seeds the demo data plus N dialing strategies with outcomes and
services, and times, per request, with Django's test client through the full middleware stack
(``DEBUG`` off, so no query logging, as in production):

- a plain Django view and a constant DRF view returning a constant; the DRF view is the ceiling
  that every other figure is a share of (the API cannot be faster than DRF doing nothing);
- healthz (a plain view) and the constant DRF view after one ``SELECT 1``: what one round trip
  to the database costs, the floor of session validate (an authenticated read pays it twice);
- session validate: one raw query (``livevox_site.selectors.session_is_usable``), and the
  ORM lookup it replaced (bench/urls.py keeps it) as "before";
- strategy read and list (count=20): LV-Session authentication (``session_get``), role check,
  client resolution, tenant-scoped queries, JSON; the read also as it was (ORM authentication,
  get_object() and two ORM reads) as "before".

The cases take turns within each round, so a burst of load on this shared machine hits them all
alike; each figure is the median of the rounds. Read ratios, not absolute numbers. Nothing here
is a pass/fail test. Figures of past runs: bench/README.md.
"""

import argparse
import io
import os
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

CEILING = "constant DRF view (ceiling)"


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--requests", type=int, default=2000)
    parser.add_argument("--strategies", type=int, default=500)
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--markdown", action="store_true", help="print a table for README.md")
    args = parser.parse_args()

    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "livevox_site.settings")
    os.environ.setdefault("SECRET_KEY", "bench-only-not-secret-bench-only-not-secret-bench-only")
    if "DATABASE_URL" not in os.environ:
        path = Path("/tmp/livevox-bench.sqlite3")
        for suffix in ("", "-wal", "-shm"):
            Path(f"{path}{suffix}").unlink(missing_ok=True)
        os.environ["DATABASE_URL"] = f"sqlite:///{path}"
    else:
        _recreate_postgres(os.environ["DATABASE_URL"])

    import django

    django.setup()
    from django.conf import settings
    from django.core.management import call_command
    from django.test import Client
    from django.test.utils import override_settings

    override_settings(ROOT_URLCONF="bench.urls", ALLOWED_HOSTS=["testserver"], DEBUG=False).enable()
    call_command("migrate", verbosity=0)
    call_command("seed_demo", verbosity=0, stdout=io.StringIO())  # its login help is noise here
    strategy_id = _seed_strategies(args.strategies)

    http = Client()
    login = http.post(
        "/session/login",
        {"clientName": "ACME", "userName": "manager_all", "password": "livevox-demo"},
        content_type="application/json",
        HTTP_LV_ACCESS="demo-token-acme",
    )
    session = login.json()["sessionId"]
    headers = {"HTTP_LV_SESSION": session}

    read = f"/configuration/dialingStrategies/{strategy_id}"
    orm_read = f"/bench/orm/dialingStrategies/{strategy_id}"
    cases = [
        ("plain Django view", "/bench/plain", {}),
        (CEILING, "/bench/drf", {}),
        ("healthz (plain view, one SELECT)", "/healthz", {}),
        ("constant DRF view + one SELECT 1", "/bench/drf-one-query", {}),
        ("session validate, ORM (before)", f"/bench/orm/validate/{session}", {}),
        ("session validate", f"/session/validate/{session}", {}),
        (
            "strategy read, ORM (before)",
            f"/bench/orm/dialingStrategies/{strategy_id}",
            headers,
        ),
        ("strategy read", read, headers),
        ("strategies list count=20", "/configuration/dialingStrategies?offset=0&count=20", headers),
    ]
    assert http.get(read, **headers).json() == http.get(orm_read, **headers).json()
    database = settings.DATABASES["default"]["ENGINE"].rsplit(".", 1)[-1]
    print(
        f"{time.strftime('%Y-%m-%d %H:%M')}, database: {database}, {args.strategies} strategies, "
        f"{args.requests} requests x {args.runs} rounds"
    )
    rates: dict[str, list[float]] = {name: [] for name, _, _ in cases}
    latencies: dict[str, list[float]] = {name: [] for name, _, _ in cases}
    for name, path, extra in cases:
        status = http.get(path, **extra).status_code
        assert status in (200, 204), (name, status)
    for _ in range(args.runs):
        for name, path, extra in cases:
            took = []
            start = time.perf_counter()
            for _ in range(args.requests):
                begin = time.perf_counter()
                http.get(path, **extra)
                took.append(time.perf_counter() - begin)
            rates[name].append(args.requests / (time.perf_counter() - start))
            latencies[name] += took
    medians = {name: statistics.median(found) for name, found in rates.items()}
    ceiling = medians[CEILING]
    rows = [
        (
            name,
            rate,
            1000 / rate,
            1000 * statistics.quantiles(latencies[name], n=100)[98],
            rate / ceiling,
        )
        for name, rate in medians.items()
    ]
    if args.markdown:
        print("| case | req/s | ms/req | p99 ms | share of ceiling |")
        print("|---|---:|---:|---:|---:|")
        for name, rate, ms, p99, share in rows:
            print(f"| {name} | {rate:,.0f} | {ms:.2f} | {p99:.2f} | {share:.2f} |")
        return
    print(f"{'case':<36}{'req/s':>8}{'ms/req':>9}{'p99 ms':>9}{'share':>8}")
    for name, rate, ms, p99, share in rows:
        print(f"{name:<36}{rate:>8.0f}{ms:>9.2f}{p99:>9.2f}{share:>8.2f}")


def _recreate_postgres(url: str) -> None:
    import psycopg

    name = url.rsplit("/", 1)[-1]
    admin_url = url.rsplit("/", 1)[0] + "/postgres"
    with psycopg.connect(admin_url, autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}"')
        conn.execute(f'CREATE DATABASE "{name}"')


def _seed_strategies(count: int) -> int:
    from livevox_site.models import Client
    from strategies.models import DialingStrategy, Outcome, Result

    client = Client.objects.get(pk=4199)
    services = list(client.services.all()[:5])
    results = list(Result.objects.all()[:5])
    strategies = DialingStrategy.objects.bulk_create(
        DialingStrategy(client=client, name=f"Bench {i}", dialing_sequence=[1, 2, 3])
        for i in range(count)
    )
    Through = DialingStrategy.services.through
    Through.objects.bulk_create(
        Through(dialingstrategy_id=s.pk, service_id=svc.pk) for s in strategies for svc in services
    )
    Outcome.objects.bulk_create(
        Outcome(strategy=s, result=r, max_number_of_retries=1, retry_delay=5)
        for s in strategies
        for r in results
    )
    return DialingStrategy.objects.filter(client=client).order_by("id").first().pk


if __name__ == "__main__":
    main()
