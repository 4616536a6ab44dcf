"""Production settings with the benchmarks' baseline views mounted (bench/wrk.sh)."""

from livevox_site.settings import *  # noqa: F403

ROOT_URLCONF = "bench.urls"
