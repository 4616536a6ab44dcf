"""Settings come from the environment and refuse bad values; each case imports the settings in a
fresh interpreter with a crafted environment."""

import json
import os
import secrets
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
# Long enough for production settings (50 characters or more), and plainly not a secret.
KEY = "test-only-not-secret-" * 3

SHOW = """
import json
from livevox_site import settings as s
db = s.DATABASES["default"]
print(json.dumps({
    "DEBUG": s.DEBUG,
    "SECRET_KEY": s.SECRET_KEY,
    "ALLOWED_HOSTS": s.ALLOWED_HOSTS,
    "ENGINE": db["ENGINE"],
    "NAME": str(db["NAME"]),
    "HOST": db.get("HOST", ""),
    "PORT": db.get("PORT", ""),
    "USER": db.get("USER", ""),
    "CONN_MAX_AGE": db["CONN_MAX_AGE"],
    "CONN_HEALTH_CHECKS": db["CONN_HEALTH_CHECKS"],
    "OPTIONS": db.get("OPTIONS", {}),
    "STATICFILES": s.STORAGES["staticfiles"]["BACKEND"],
}))
"""

HARDENING = {
    "ALLOWED_HOSTS": "example.org",
    "SECURE_SSL_REDIRECT": "1",
    "SECURE_HSTS_SECONDS": "31536000",
    "SECURE_HSTS_INCLUDE_SUBDOMAINS": "1",
    "SECURE_HSTS_PRELOAD": "1",
    "SESSION_COOKIE_SECURE": "1",
    "CSRF_COOKIE_SECURE": "1",
}


def run(args: list[str], **env: str) -> subprocess.CompletedProcess:
    """Run Python in the project with only PATH and the given variables set."""
    return subprocess.run(  # noqa: S603
        [sys.executable, *args],
        cwd=ROOT,
        env={"PATH": os.environ["PATH"], **env},
        capture_output=True,
        text=True,
        timeout=120,
    )


def settings_with(**env: str) -> dict:
    result = run(["-c", SHOW], **env)
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout)


def refused(**env: str) -> str:
    result = run(["-c", "import livevox_site.settings"], **env)
    assert result.returncode != 0
    last = result.stderr.strip().splitlines()[-1]
    assert last.startswith("django.core.exceptions.ImproperlyConfigured: "), result.stderr
    return last.removeprefix("django.core.exceptions.ImproperlyConfigured: ")


def test_it_refuses_to_start_in_production_without_a_secret_key():
    assert refused() == "SECRET_KEY must be set when DEBUG is off"
    assert refused(DEBUG="0", SECRET_KEY="") == "SECRET_KEY must be set when DEBUG is off"


def test_it_starts_in_production_with_a_secret_key():
    found = settings_with(SECRET_KEY=KEY)
    assert (found["DEBUG"], found["SECRET_KEY"], found["ALLOWED_HOSTS"]) == (False, KEY, [])
    assert found["STATICFILES"] == "whitenoise.storage.CompressedManifestStaticFilesStorage"


def test_it_uses_a_development_key_only_with_debug_on():
    found = settings_with(DEBUG="true")
    assert found["DEBUG"] is True
    assert found["SECRET_KEY"].startswith("insecure-development-key")
    assert found["ALLOWED_HOSTS"] == ["127.0.0.1", "localhost"]


@pytest.mark.parametrize("value", ["maybe", "2", "enabled", "tru"])
def test_it_refuses_a_boolean_it_does_not_know(value):
    assert refused(DEBUG=value, SECRET_KEY=KEY) == (
        f"DEBUG={value!r} is not a boolean (use 1/0, true/false, yes/no)"
    )


@pytest.mark.parametrize(
    "value, expected", [("1", True), ("YES", True), (" on ", True), ("0", False), ("off", False)]
)
def test_it_reads_the_usual_boolean_spellings(value, expected):
    assert settings_with(DEBUG=value, SECRET_KEY=KEY)["DEBUG"] is expected


def test_it_refuses_a_number_that_is_not_one():
    assert refused(SECRET_KEY=KEY, CONN_MAX_AGE="ten") == "CONN_MAX_AGE='ten' is not an integer"


def test_it_refuses_an_unknown_storage_backend():
    assert refused(SECRET_KEY=KEY, STORAGE_BACKEND="ftp") == (
        "STORAGE_BACKEND='ftp': use filesystem or s3"
    )


def test_it_reads_a_postgres_database_url_with_persistent_checked_connections():
    found = settings_with(SECRET_KEY=KEY, DATABASE_URL="postgres://lv:pw@db.internal:5433/livevox")
    assert {k: found[k] for k in ("ENGINE", "NAME", "HOST", "PORT", "USER")} == {
        "ENGINE": "django.db.backends.postgresql",
        "NAME": "livevox",
        "HOST": "db.internal",
        "PORT": 5433,
        "USER": "lv",
    }
    assert (found["CONN_MAX_AGE"], found["CONN_HEALTH_CHECKS"]) == (600, True)
    assert (
        settings_with(SECRET_KEY=KEY, DATABASE_URL="postgres://h/d", CONN_MAX_AGE="0")[
            "CONN_MAX_AGE"
        ]
        == 0
    )


def test_it_lets_an_operator_turn_connection_health_checks_off():
    found = settings_with(SECRET_KEY=KEY, DATABASE_URL="postgres://h/d", CONN_HEALTH_CHECKS="0")
    assert (found["CONN_MAX_AGE"], found["CONN_HEALTH_CHECKS"]) == (600, False)


def test_it_defaults_to_sqlite_in_wal_mode():
    found = settings_with(SECRET_KEY=KEY)
    assert found["ENGINE"] == "django.db.backends.sqlite3"
    assert found["NAME"] == str(ROOT / "db.sqlite3")
    assert found["CONN_MAX_AGE"] == 0
    assert "PRAGMA journal_mode=WAL" in found["OPTIONS"]["init_command"]
    assert found["OPTIONS"]["transaction_mode"] == "IMMEDIATE"


def test_it_really_opens_sqlite_in_wal_mode(tmp_path):
    probe = (
        "import django; django.setup()\n"
        "from django.db import connection\n"
        "with connection.cursor() as c:\n"
        "    c.execute('PRAGMA journal_mode'); print(c.fetchone()[0])\n"
    )
    result = run(
        ["-c", probe],
        SECRET_KEY=KEY,
        DJANGO_SETTINGS_MODULE="livevox_site.settings",
        DATABASE_URL=f"sqlite:///{tmp_path / 'probe.sqlite3'}",
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "wal"


def test_it_passes_the_deploy_check_with_the_hardening_variables(tmp_path):
    result = run(
        ["manage.py", "check", "--deploy", "--fail-level", "WARNING"],
        SECRET_KEY=secrets.token_urlsafe(50),
        DATABASE_URL=f"sqlite:///{tmp_path / 'deploy.sqlite3'}",
        **HARDENING,
    )
    assert result.returncode == 0, result.stderr
    assert "System check identified no issues" in result.stdout


def test_it_fails_the_deploy_check_without_them(tmp_path):
    result = run(
        ["manage.py", "check", "--deploy", "--fail-level", "WARNING"],
        SECRET_KEY=secrets.token_urlsafe(50),
        DATABASE_URL=f"sqlite:///{tmp_path / 'deploy.sqlite3'}",
    )
    assert result.returncode != 0
    assert "security.W004" in result.stderr  # no HSTS
