"""WSGI entry point: ``gunicorn livevox_site.wsgi``."""

import os

from django.core.exceptions import ImproperlyConfigured
from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "livevox_site.settings")

application = get_wsgi_application()

# With DEBUG off every admin page needs collectstatic's manifest: refuse to start without it
# (livevox_site/checks.py) rather than answer 500 to every page. pytest (which sets
# PYTEST_VERSION) imports this module to serve in process with the tests' own static files
# storage (tests/conftest.py), which needs no manifest.
if "PYTEST_VERSION" not in os.environ:
    from livevox_site.checks import check_static_manifest

    if errors := check_static_manifest():
        raise ImproperlyConfigured(f"{errors[0].id}: {errors[0].msg} {errors[0].hint}")

# The geography tables (zip codes, area codes, zones) are built once per process: before the
# first request, not during it.
from livevox_site import geography  # noqa: E402

geography.warm()

# Those tables are millions of objects that live as long as the process. Moved out of the
# collector's sight, a full collection (triggered by any request that allocates a lot, such as
# a 50,000-item contactCheck batch) no longer walks them all: measured in
# bench/bench_calling_hours.py (--freeze) and on the batch, up to twice as fast.
import gc  # noqa: E402

gc.freeze()
