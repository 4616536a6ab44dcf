"""WSGI entry point: ``gunicorn livevox_site.wsgi``."""

import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "livevox_site.settings")

application = get_wsgi_application()

# The geography tables (zip codes, area codes, zones) are built once per process: before the
# first request, not during it.
from livevox_site import geography  # noqa: E402

geography.warm()
