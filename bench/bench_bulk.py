"""Bulk loading through ``livevox_site.bulk.bulk_upsert``, against a raw load measured in the
same run.

    .venv/bin/python bench/bench_bulk.py [--rows 200000] [--runs 3]
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/livevox_bench ... (PostgreSQL)

It builds a throwaway database (SQLite file in /tmp, or the named PostgreSQL database, which is
dropped and recreated) with dialing strategies and call results, and loads ``--rows`` outcomes
(unique per strategy and result, as DNC entries are per client and phone) as CSV text:

- baseline: the same rows as ready-made tuples, written raw in one transaction: psycopg 3
  ``COPY ... FROM STDIN`` with ``write_row`` on PostgreSQL, ``executemany`` on SQLite;
- phase 1 only: reading the CSV and checking every line with plain functions, no database;
- bulk_upsert into the empty table (every row created);
- bulk_upsert of the same file again (every row unchanged: the re-run of an import).

Medians of ``--runs``; the machine is shared and noisy, so read ratios, not absolute numbers.
Nothing here is a pass/fail test.
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

RESULTS = 200  # call results per strategy: rows / RESULTS strategies


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--rows", type=int, default=200_000)
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args()

    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "livevox_site.settings")
    os.environ.setdefault("SECRET_KEY", "bench-only")
    if "DATABASE_URL" not in os.environ:
        path = Path("/tmp/livevox-bench-bulk.sqlite3")
        for suffix in ("", "-wal", "-shm"):
            Path(f"{path}{suffix}").unlink(missing_ok=True)
        os.environ["DATABASE_URL"] = f"sqlite:///{path}"
    else:
        from bench.bench_api import _recreate_postgres

        _recreate_postgres(os.environ["DATABASE_URL"])

    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connection

    call_command("migrate", verbosity=0)
    client, strategy_ids, result_ids = _seed(args.rows)
    rows = [
        (strategy_id, result_id, n % 7, n % 2 == 0)
        for n, (strategy_id, result_id) in enumerate(
            (s, r) for s in strategy_ids for r in result_ids
        )
    ][: args.rows]
    text = "strategy,result,retries,requeue\n" + "".join(
        f"{s},{r},{retries},{'true' if requeue else 'false'}\n" for s, r, retries, requeue in rows
    )
    check = _checker(set(strategy_ids), set(result_ids))

    def empty() -> None:
        with connection.cursor() as cursor:
            if connection.vendor == "postgresql":
                cursor.execute("TRUNCATE strategies_outcome")  # no dead rows left behind
            else:
                cursor.execute("DELETE FROM strategies_outcome")

    cases = {
        "baseline: raw " + ("COPY" if connection.vendor == "postgresql" else "executemany"): (
            empty,
            lambda: _raw_load(rows),
        ),
        "phase 1 only (read + check)": (lambda: None, lambda: _check_only(text, check)),
        "bulk_upsert, all created": (empty, lambda: _upsert(text, check, client)),
        "bulk_upsert again, all unchanged": (lambda: None, lambda: _upsert(text, check, client)),
    }
    print(
        f"database: {connection.vendor}, {len(rows)} rows ({len(strategy_ids)} strategies x "
        f"{len(result_ids)} results) x {args.runs} runs"
    )
    rates = {}
    for name, (prepare, run) in cases.items():
        timings = []
        for _ in range(args.runs):
            prepare()
            start = time.perf_counter()
            run()
            timings.append(time.perf_counter() - start)
        rates[name] = len(rows) / statistics.median(timings)
    base = next(iter(rates.values()))
    print(f"{'case':<36}{'rows/s':>10}{'s':>8}{'vs baseline':>14}")
    for name, rate in rates.items():
        print(f"{name:<36}{rate:>10.0f}{len(rows) / rate:>8.2f}{rate / base:>13.2f}x")


def _seed(rows: int):
    from livevox_site.models import Client
    from strategies.models import DialingStrategy, Result

    client = Client.objects.create(id=4199, code="ACME", name="Acme")
    Result.objects.bulk_create(Result(id=10_000 + i, name=f"R{i}") for i in range(RESULTS))
    strategies = DialingStrategy.objects.bulk_create(
        DialingStrategy(client=client, name=f"Bench {i}") for i in range(-(-rows // RESULTS))
    )
    result_ids = [10_000 + i for i in range(RESULTS)]
    return client, [s.pk for s in strategies], result_ids


def _checker(strategies: set[int], results: set[int]):
    from livevox_site.bulk import RowInvalid

    def check(raw: dict) -> dict:
        try:
            strategy, result = int(raw["strategy"]), int(raw["result"])
            retries = int(raw["retries"])
        except (KeyError, ValueError):
            raise RowInvalid("strategy, result and retries must be numbers") from None
        if strategy not in strategies or result not in results:
            raise RowInvalid("no such strategy or result")
        requeue = raw.get("requeue", "false")
        if requeue not in ("true", "false"):
            raise RowInvalid("requeue is not true or false")
        return {
            "strategy": strategy,
            "result": result,
            "max_number_of_retries": retries,
            "requeue": requeue == "true",
        }

    return check


def _raw_load(rows) -> None:
    from django.db import connection, transaction

    columns = "strategy_id, result_id, max_number_of_retries, requeue, dial_another_number, "
    columns += "retry_delay"
    with transaction.atomic(), connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            with cursor.cursor.copy(f"COPY strategies_outcome ({columns}) FROM STDIN") as copy:
                for row in rows:
                    copy.write_row((*row, False, 0))
        else:
            cursor.executemany(
                f"INSERT INTO strategies_outcome ({columns}) VALUES (%s, %s, %s, %s, %s, %s)",
                [(*row, False, 0) for row in rows],
            )


def _check_only(text: str, check) -> None:
    from livevox_site.bulk import csv_lines

    for _, raw in csv_lines(io.StringIO(text, newline="")):
        check(raw)


def _upsert(text: str, check, client) -> None:
    from livevox_site.audit import Actor
    from livevox_site.bulk import bulk_upsert, csv_lines
    from strategies.models import Outcome

    report = bulk_upsert(
        model=Outcome,
        rows=csv_lines(io.StringIO(text, newline="")),
        check=check,
        key_fields=["strategy", "result"],
        update_fields=["max_number_of_retries", "requeue"],
        client=client,
        actor=Actor.command("bench"),
        action="strategies.outcome.imported",
        source_name="bench.csv",
    )
    assert not report.errors and not report.duplicates, report.counts()


if __name__ == "__main__":
    main()
