"""What an ``info`` answer's ``size`` costs at 10 million rows (PostgreSQL only).

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/livevox_bench_count \\
        .venv/bin/python bench/bench_count.py [--rows 10000000] [--runs 5] [--keep]

The named database is dropped and recreated, then dropped again at the end (unless --keep).
It builds a throwaway DNC-shaped table (client, service or none, phone, account, zip) with the
index of docs/performance.md on (client, phone, service), puts ``--rows`` rows in one client and
100,000 in another, and times, median of ``--runs``:

- ``COUNT(*)`` of the big client, right after loading (the visibility map is not set yet:
  PostgreSQL must visit the heap for every row), then after ``VACUUM ANALYZE`` (an index-only
  scan, what a quiet table gets once autovacuum has run);
- the same with a service filter (``info?service=``);
- reading a per-client counter row (what a counter table maintained by the bulk writes costs);
- the baseline of the run: ``SELECT 1``.

The machine is shared and noisy: read orders of magnitude, not digits. Not a pass/fail test.
"""

import argparse
import os
import statistics
import time

import psycopg

BIG, SMALL = 4199, 93119


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--rows", type=int, default=10_000_000)
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--keep", action="store_true")
    args = parser.parse_args()
    url = os.environ["DATABASE_URL"]
    name = url.rsplit("/", 1)[-1]
    admin_url = url.rsplit("/", 1)[0] + "/postgres"
    with psycopg.connect(admin_url, autocommit=True) as admin:
        admin.execute(f'DROP DATABASE IF EXISTS "{name}"')
        admin.execute(f'CREATE DATABASE "{name}"')
    try:
        with psycopg.connect(url, autocommit=True) as conn:
            run(conn, args)
    finally:
        if not args.keep:
            with psycopg.connect(admin_url, autocommit=True) as admin:
                admin.execute(f'DROP DATABASE IF EXISTS "{name}"')


def timed(conn, sql: str, runs: int) -> tuple[float, object]:
    timings, value = [], None
    for _ in range(runs):
        start = time.perf_counter()
        value = conn.execute(sql).fetchone()[0]
        timings.append(time.perf_counter() - start)
    return statistics.median(timings) * 1000, value


def run(conn, args) -> None:
    conn.execute(
        "CREATE TABLE dnc_probe (id bigserial PRIMARY KEY, client_id integer NOT NULL, "
        "service_id integer, phone varchar(10) NOT NULL, account varchar(64), zip varchar(5))"
    )
    start = time.perf_counter()
    for client, rows in ((BIG, args.rows), (SMALL, 100_000)):
        conn.execute(
            "INSERT INTO dnc_probe (client_id, service_id, phone) "
            "SELECT %s, CASE WHEN n %% 10 = 0 THEN NULL ELSE n %% 8 END, "
            "lpad((2000000000 + n)::text, 10, '0') FROM generate_series(1, %s) AS n",
            [client, rows],
        )
    loaded = time.perf_counter() - start
    start = time.perf_counter()
    conn.execute("CREATE INDEX dnc_probe_phone ON dnc_probe (client_id, phone, service_id)")
    indexed = time.perf_counter() - start
    conn.execute("CREATE TABLE dnc_probe_size (client_id integer PRIMARY KEY, size bigint)")
    conn.execute(
        "INSERT INTO dnc_probe_size SELECT client_id, COUNT(*) FROM dnc_probe GROUP BY client_id"
    )
    conn.execute("ANALYZE dnc_probe")  # plans, not the visibility map
    print(f"{args.rows:,} rows loaded in {loaded:.0f} s, index built in {indexed:.0f} s")

    count = f"SELECT COUNT(*) FROM dnc_probe WHERE client_id = {BIG}"
    by_service = f"{count} AND service_id = 3"
    cases = [("baseline: SELECT 1", "SELECT 1")]
    cases.append(("COUNT(*) of the client, fresh table", count))
    results = [(name, *timed(conn, sql, args.runs)) for name, sql in cases]
    plan_fresh = _plan(conn, count)
    conn.execute("VACUUM ANALYZE dnc_probe")
    for name, sql in [
        ("COUNT(*) of the client, vacuumed", count),
        ("COUNT(*) of the client and one service", by_service),
        (
            "counter row of the client",
            f"SELECT size FROM dnc_probe_size WHERE client_id = {BIG}",
        ),
    ]:
        results.append((name, *timed(conn, sql, args.runs)))
    plan_vacuumed = _plan(conn, count)
    # The plan a client gets when it is one of many in the table: the planner prefers a
    # sequential scan here only because this client holds nearly every row.
    conn.execute("SET enable_seqscan = off")
    results.append(("COUNT(*) of the client, index-only scan", *timed(conn, count, args.runs)))
    plan_index = _plan(conn, count)
    conn.execute("RESET enable_seqscan")
    print(f"{'case':<44}{'ms':>10}{'value':>12}")
    for name, ms, value in results:
        print(f"{name:<44}{ms:>10.2f}{value:>12,}")
    print(f"plan, fresh:    {plan_fresh}")
    print(f"plan, vacuumed: {plan_vacuumed}")
    print(f"plan, index:    {plan_index}")


def _plan(conn, sql: str) -> str:
    rows = conn.execute(f"EXPLAIN (ANALYZE, COSTS OFF, TIMING OFF) {sql}").fetchall()
    lines = [row[0].strip() for row in rows]
    return " / ".join(line for line in lines if "Scan" in line or "Heap Fetches" in line)


if __name__ == "__main__":
    main()
