"""Production settings with the benchmarks' baseline views mounted (bench/wrk.sh)."""

import os

from livevox_site.settings import *  # noqa: F403

ROOT_URLCONF = "bench.urls"

# bench/wrk_dnc.sh: PLAN_CACHE_MODE=auto (or another mode) measures the prepared statements
# with a plan cache mode other than the site's force_generic_plan (livevox_site/settings.py; see
# bench/README.md, isBlocked at 10 million rows).
if os.environ.get("PLAN_CACHE_MODE") and DATABASES["default"]["ENGINE"].endswith("postgresql"):  # noqa: F405
    options = DATABASES["default"].setdefault("OPTIONS", {})  # noqa: F405
    options["options"] = options.get("options", "").replace(
        "plan_cache_mode=force_generic_plan", f"plan_cache_mode={os.environ['PLAN_CACHE_MODE']}"
    )
