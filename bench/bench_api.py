"""API request overhead, in process (no network), against a baseline measured in the same run.

    DEBUG=1 .venv/bin/python bench/bench_api.py [--requests 2000] [--strategies 500]
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/livevox_bench ... (PostgreSQL)

It builds a throwaway database (SQLite file in /tmp, or the named PostgreSQL database, which is
dropped and recreated), seeds the demo data plus N dialing strategies with outcomes and
services, and times, per request, with Django's test client through the full middleware stack:

- baseline: a plain Django view returning a constant (the framework ceiling);
- healthz: one SELECT;
- session validate: one session lookup;
- strategies list (count=20) and read: LV-Session auth, role check, client resolution,
  tenant-scoped query, prefetch, JSON.

Figures are printed with their ratio to the baseline; the machine is shared and noisy, so read
ratios, not absolute numbers. Nothing here is a pass/fail test.
"""

import argparse
import os
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--requests", type=int, default=2000)
    parser.add_argument("--strategies", type=int, default=500)
    parser.add_argument("--runs", type=int, default=3)
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

    override_settings(ROOT_URLCONF="bench.urls", ALLOWED_HOSTS=["testserver"]).enable()
    call_command("migrate", verbosity=0)
    call_command("seed_demo", verbosity=0)
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

    cases = [
        ("baseline: plain Django view", "/bench/plain", {}),
        ("healthz (one SELECT)", "/healthz", {}),
        ("session validate", f"/session/validate/{session}", {}),
        ("strategies list count=20", "/configuration/dialingStrategies?offset=0&count=20", headers),
        ("strategies read", f"/configuration/dialingStrategies/{strategy_id}", headers),
    ]
    print(
        f"database: {settings.DATABASES['default']['ENGINE'].rsplit('.', 1)[-1]}, "
        f"{args.strategies} strategies, {args.requests} requests x {args.runs} runs"
    )
    results = {}
    for name, path, extra in cases:
        status = http.get(path, **extra).status_code
        assert status in (200, 204), (name, status)
        rates = []
        for _ in range(args.runs):
            start = time.perf_counter()
            for _ in range(args.requests):
                http.get(path, **extra)
            rates.append(args.requests / (time.perf_counter() - start))
        results[name] = statistics.median(rates)
    base = results[cases[0][0]]
    print(f"{'case':<32}{'req/s':>10}{'ms/req':>10}{'vs baseline':>14}")
    for name, rate in results.items():
        print(f"{name:<32}{rate:>10.0f}{1000 / rate:>10.2f}{rate / base:>13.2f}x")


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
