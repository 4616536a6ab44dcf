"""Lookups per second of ``livevox_site.geography`` against a plain dict lookup in the same run.

    .venv/bin/python bench/bench_geography.py [--n 200000]

Prints the one-time load (first call in the process) and, for each lookup, lookups/s and the
ratio to the baseline (``dict.get`` on a str key). The machine is shared and noisy: read
orders of magnitude. Not a pass/fail test.
"""

import argparse
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from livevox_site import geography as g  # noqa: E402


def rate(fn, n: int) -> float:
    best = 0.0
    for _ in range(3):
        start = time.perf_counter()
        for _ in range(n):
            fn()
        best = max(best, n / (time.perf_counter() - start))
    return best


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--n", type=int, default=200_000)
    args = parser.parse_args()

    start = time.perf_counter()
    g.zip_info("02108")
    g.area_code_info("415")
    g.region_time_zones("TX")
    print(f"first use (load and build, once per process): {time.perf_counter() - start:.2f} s")

    table = {"02108": 1}
    cases = [
        ("baseline: dict.get(str)", lambda: table.get("02108")),
        ('zip_info("02108")', lambda: g.zip_info("02108")),
        ("zip_info(2108)", lambda: g.zip_info(2108)),
        ('area_code_info("415")', lambda: g.area_code_info("415")),
        ('region_time_zones("TX")', lambda: g.region_time_zones("TX")),
        ('area_code_serves_zip("415", 94111)', lambda: g.area_code_serves_zip("415", 94111)),
        (
            'same_clock("America/Detroit", "America/New_York")',
            lambda: g.same_clock("America/Detroit", "America/New_York"),
        ),
    ]
    baseline = None
    print(f"{'lookup':55} {'lookups/s':>12} {'vs dict.get':>12} {'us each':>8}")
    for name, fn in cases:
        per_s = rate(fn, args.n)
        baseline = baseline or per_s
        print(f"{name:55} {per_s:12,.0f} {per_s / baseline:12.2f} {1e6 / per_s:8.2f}")


if __name__ == "__main__":
    main()
