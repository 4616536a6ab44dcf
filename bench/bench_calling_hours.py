"""Calling-hours decisions per second (``profiles.calling_hours``), in process, no database.

    SECRET_KEY=... .venv/bin/python bench/bench_calling_hours.py [--n 50000]

A plan for a profile like the demo's "LV_Standard_SDR_A" (TX, NV, PA policies by day, an
area-code policy, a holiday and a state-limited blackout) decides ``--n`` callees with real
zips and area codes drawn at random (a tenth by phone only, a hundredth of unknown place):

- "batch": every item at the same moment, as one contactCheck batch asks, on a fresh plan
  (the plan caches per distinct place and moment: this is the figure a 50,000-item request
  sees);
- "distinct moments": each item at its own moment (no decision is reused; the worst case);
- baseline: building one answer dict per item with nothing decided, to read the ratio.

Prints decisions/s (best of 3). The machine is shared and noisy: read orders of magnitude.
"""

import argparse
import gc
import os
import random
import sys
import time
from datetime import UTC, date, datetime, timedelta
from datetime import time as clock
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "livevox_site.settings")

import django  # noqa: E402

django.setup()

from livevox_site import geography  # noqa: E402
from profiles.calling_hours import CallingHoursPlan, ProfileRules  # noqa: E402
from profiles.models import DialingBlackout, DialingPolicy  # noqa: E402


def _policy(pk, day, state="", area_code="", start=None, end=None, dnd=False) -> DialingPolicy:
    return DialingPolicy(
        id=pk,
        profile_id=1,
        day_of_week=day,
        state=state,
        area_code=area_code,
        start_time=start,
        end_time=end,
        do_not_dial=dnd,
    )


def plan() -> CallingHoursPlan:
    nine, nine_pm, noon = clock(9), clock(21), clock(12)
    policies = [
        _policy(1, "WEEKDAY", "TX", start=nine, end=nine_pm),
        _policy(2, "SATURDAY", "TX", start=nine, end=nine_pm),
        _policy(3, "SUNDAY", "TX", start=noon, end=nine_pm),
        _policy(4, "ALL", "NV", start=nine, end=clock(20)),
        _policy(5, "SUNDAY", "PA", dnd=True),
        _policy(6, "ALL", "PA", start=nine, end=nine_pm),
        _policy(7, "ALL", area_code="512", start=clock(10), end=clock(18)),
    ]
    blackouts = [
        DialingBlackout(id=1, profile_id=1, holiday="Thanksgiving Day", do_not_dial=True),
        DialingBlackout(
            id=2,
            profile_id=1,
            start_date=date(2026, 12, 24),
            states=["CA", "NV"],
            do_not_dial=False,
            start_time=clock(10),
            end_time=clock(14),
        ),
    ]
    return CallingHoursPlan(
        client_zone="America/New_York",
        service_profiles={20180: 1},
        default_profile_id=None,
        profiles={1: ProfileRules.build(1, policies, blackouts)},
    )


def items(n: int) -> list[tuple[str, str]]:
    rng = random.Random(13)
    zips = sorted(geography._zips())
    area_codes = sorted(geography._area_codes())
    out = []
    for index in range(n):
        phone = f"{rng.choice(area_codes)}555{index % 10000:04d}"
        if index % 100 == 0:
            out.append(("", "8005550100"))  # unknown place
        elif index % 10 == 0:
            out.append(("", phone))
        else:
            out.append((rng.choice(zips), phone))
    return out


def best(fn, repeats: int = 3) -> float:
    times = []
    for _ in range(repeats):
        start = time.perf_counter()
        fn()
        times.append(time.perf_counter() - start)
    return min(times)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--n", type=int, default=50_000)
    parser.add_argument(
        "--freeze",
        action="store_true",
        help="gc.freeze() after loading the geography tables (millions of long-lived objects "
        "that every full collection otherwise walks again)",
    )
    args = parser.parse_args()
    n = args.n

    start = time.perf_counter()
    geography.warm()
    print(f"geography load (once per process): {time.perf_counter() - start:.2f} s")
    if args.freeze:
        gc.collect()
        gc.freeze()
    work = items(n)
    moment = datetime(2026, 11, 20, 17, 30, tzinfo=UTC)  # a Friday, 12:30 in New York
    moments = [moment + timedelta(minutes=7 * i) for i in range(n)]

    def baseline():
        answers = []
        for zip_code, phone in work:
            answers.append({"allowed": True, "reasons": [], "zip": zip_code, "phone": phone})

    def batch():
        fresh = plan()
        for zip_code, phone in work:
            fresh.decide(20180, zip=zip_code, phone=phone, at=moment)

    def distinct():
        fresh = plan()
        for (zip_code, phone), when in zip(work, moments, strict=True):
            fresh.decide(20180, zip=zip_code, phone=phone, at=when)

    first = time.perf_counter()
    batch()  # warms locate()'s cache of places, as a long-running worker has it
    print(f"first batch in this process (places located): {time.perf_counter() - first:.2f} s")
    base = best(baseline)
    print(f"baseline (one dict per item): {n / base:,.0f}/s")
    for name, fn in (("batch, one moment", batch), ("distinct moments", distinct)):
        elapsed = best(fn)
        print(
            f"{name}: {n / elapsed:,.0f} decisions/s ({elapsed * 1000:.0f} ms for {n:,}); "
            f"{elapsed / base:.0f}x the baseline"
        )
    sample = plan().decide(20180, zip="78701", phone="5125550100", at=moment)
    print("sample:", sample.as_wire())


if __name__ == "__main__":
    main()
