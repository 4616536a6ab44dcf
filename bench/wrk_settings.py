"""Production settings with the benchmarks' baseline views mounted (bench/wrk.sh)."""

import os

from livevox_site.settings import *  # noqa: F403

ROOT_URLCONF = "bench.urls"

# bench/wrk_dnc.sh: PLAN_CACHE_MODE=force_generic_plan measures the prepared statements with
# PostgreSQL's generic plan on every execution (see bench/README.md, isBlocked at 10 million
# rows).
if os.environ.get("PLAN_CACHE_MODE") and DATABASES["default"]["ENGINE"].endswith("postgresql"):  # noqa: F405
    options = DATABASES["default"].setdefault("OPTIONS", {})  # noqa: F405
    options["options"] = f"-c plan_cache_mode={os.environ['PLAN_CACHE_MODE']}"
