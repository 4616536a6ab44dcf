"""livevox.E001: with DEBUG off, static files come from ``manage.py collectstatic``'s output.

The production storage (whitenoise's ``CompressedManifestStaticFilesStorage``) names every
static file by its hash, read from ``STATIC_ROOT/staticfiles.json``; without that manifest every
page that links a static file (the whole admin) fails with a 500. ``livevox_site/wsgi.py`` runs
this check when the WSGI application loads (gunicorn, ``runserver``) and refuses to start.

It is not registered with Django's system checks on purpose: ``manage.py migrate`` runs those,
and ``make serve`` migrates before it collects the static files, as a fresh deployment must be
able to; ``manage.py check --deploy`` runs them on clean checkouts (CI, tests/test_settings.py).
Only the server needs the manifest.
"""

from django.conf import settings
from django.contrib.staticfiles.storage import ManifestFilesMixin
from django.core.checks import Error
from django.core.files.storage import storages


def check_static_manifest(app_configs=None, **kwargs) -> list[Error]:
    """Django's check signature: [] when the static files can be served, else livevox.E001."""
    if settings.DEBUG:
        return []
    storage = storages["staticfiles"]
    if not isinstance(storage, ManifestFilesMixin) or storage.read_manifest() is not None:
        return []
    manifest = storage.manifest_storage.path(storage.manifest_name)
    return [
        Error(
            f"{manifest} is missing: with DEBUG off the static files are served from "
            "STATIC_ROOT as `manage.py collectstatic` writes them.",
            hint="Run `manage.py collectstatic --noinput` before starting the server.",
            id="livevox.E001",
        )
    ]
