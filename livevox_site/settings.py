"""All settings, read from the environment.

SQLite is the default; ``DATABASE_URL`` switches to PostgreSQL (psycopg 3). Production
(``DEBUG`` off, the default) refuses to start without a ``SECRET_KEY`` of 50 characters or more.
"""

import json
import os
from ipaddress import IPv4Network, IPv6Network, ip_network
from pathlib import Path
from urllib.parse import urlsplit

import dj_database_url
from django.core.exceptions import ImproperlyConfigured

BASE_DIR = Path(__file__).resolve().parent.parent

_TRUE = {"1", "true", "yes", "on"}
_FALSE = {"0", "false", "no", "off", ""}


def env_str(name: str, default: str = "") -> str:
    return os.environ.get(name, default)


def env_bool(name: str, default: bool = False) -> bool:
    """A strict boolean: anything but the usual spellings is a configuration error."""
    raw = os.environ.get(name)
    if raw is None:
        return default
    value = raw.strip().lower()
    if value in _TRUE:
        return True
    if value in _FALSE:
        return False
    raise ImproperlyConfigured(f"{name}={raw!r} is not a boolean (use 1/0, true/false, yes/no)")


def env_int(name: str, default: int) -> int:
    raw = os.environ.get(name)
    if raw is None or raw.strip() == "":
        return default
    try:
        return int(raw)
    except ValueError:
        raise ImproperlyConfigured(f"{name}={raw!r} is not an integer") from None


def env_list(name: str, default: str = "") -> list[str]:
    return [item.strip() for item in os.environ.get(name, default).split(",") if item.strip()]


def env_networks(name: str) -> list[IPv4Network | IPv6Network]:
    """Comma-separated addresses and CIDR networks (an address is a network of one)."""
    networks = []
    for item in env_list(name):
        try:
            networks.append(ip_network(item, strict=False))
        except ValueError:
            raise ImproperlyConfigured(
                f"{name}: {item!r} is not an IP address or network"
            ) from None
    return networks


DEBUG = env_bool("DEBUG", False)

SECRET_KEY = env_str("SECRET_KEY")
if not SECRET_KEY:
    if not DEBUG:
        raise ImproperlyConfigured("SECRET_KEY must be set when DEBUG is off")
    SECRET_KEY = "insecure-development-key-only-used-with-DEBUG-on"  # noqa: S105
# A short key can be guessed, and with it every signed value forged (what check --deploy's
# security.W009 warns about; here production refuses to start).
if not DEBUG and len(SECRET_KEY) < 50:
    raise ImproperlyConfigured("SECRET_KEY must be at least 50 characters when DEBUG is off")

ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", "127.0.0.1,localhost" if DEBUG else "")
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS")

INSTALLED_APPS = [
    "livevox_site.apps.LiveVoxAdminConfig",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "rest_framework",
    "django_filters",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    # Before django_tasks_db: its ``db_worker`` command is the site's (jobs whose worker died
    # are resumed when a worker starts, livevox_site/management/commands/db_worker.py).
    "livevox_site.apps.LiveVoxSiteConfig",
    "django_tasks",
    "django_tasks_db",
    "strategies.apps.StrategiesConfig",
    "profiles.apps.ProfilesConfig",
    "recordings.apps.RecordingsConfig",
    "dnc.apps.DncConfig",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "livevox_site.middleware.ContentSecurityPolicyMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "livevox_site.middleware.WirePathMiddleware",
    "livevox_site.middleware.HotPathMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "livevox_site.middleware.ClientTimeZoneMiddleware",
    "livevox_site.middleware.PlainAdminNotFoundMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
]

ROOT_URLCONF = "livevox_site.urls"
WSGI_APPLICATION = "livevox_site.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
            ],
        },
    },
]

# --- Database -------------------------------------------------------------------------------
# docs/performance.md: closing the connection after every request made the hot path 6.6x slower.
CONN_MAX_AGE = env_int("CONN_MAX_AGE", 600)
DATABASE_URL = env_str("DATABASE_URL", f"sqlite:///{BASE_DIR / 'db.sqlite3'}")
# Health checks cost one extra round trip (SELECT 1) on the first query of every request
# (bench/README.md); off, a connection the server dropped fails one request, then is replaced.
CONN_HEALTH_CHECKS = env_bool("CONN_HEALTH_CHECKS", True)
_db = dj_database_url.parse(
    DATABASE_URL, conn_max_age=CONN_MAX_AGE, conn_health_checks=CONN_HEALTH_CHECKS
)
if _db["ENGINE"] == "django.db.backends.sqlite3":
    _db["CONN_MAX_AGE"] = 0
    _db["OPTIONS"] = {
        # WAL lets readers go on while one writer writes; the busy timeout (seconds) waits for
        # the writer instead of failing at once; IMMEDIATE avoids upgrade deadlocks.
        "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
        "timeout": 20,
        "transaction_mode": "IMMEDIATE",
    }
elif _db["ENGINE"] == "django.db.backends.postgresql":
    # No JIT: every statement here is short and index-driven; a row estimate that overshoots
    # (a 50,000-phone contactCheck batch) made PostgreSQL spend 24 ms compiling a query that
    # runs in 50 (bench/README.md, make bench).
    # Generic plans for the statements livevox_site/rawsql.py prepares (the ORM's are not
    # prepared): left to itself PostgreSQL planned the isBlocked statement anew on every call
    # (0.2-0.35 ms, three times its execution), since a call's custom plan drops the probes of
    # the values it lacks and always looks cheaper. The generic plan is an index probe per
    # branch whatever the values (bench/README.md, EXPLAIN at 10 million rows); the session
    # lookup and the strategy read are key lookups, the same probe either way.
    _db["OPTIONS"] = {
        **_db.get("OPTIONS", {}),
        "options": "-c jit=off -c plan_cache_mode=force_generic_plan",
    }
DATABASES = {"default": _db}
DEFAULT_AUTO_FIELD = "django.db.models.AutoField"

# --- Users and authentication ---------------------------------------------------------------
AUTH_USER_MODEL = "livevox_site.User"
AUTHENTICATION_BACKENDS = ["livevox_site.auth.ClientUserBackend"]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "admin:login"
# A user name is unique within its client, not site-wide: login is client code + user name,
# enforced by a unique constraint on (client, username) and by ClientUserBackend.
SILENCED_SYSTEM_CHECKS = ["auth.W004"]

# LiveVox sessions (LV-Session): rolling expiry without use, and how long a password lives.
LV_SESSION_IDLE_SECONDS = env_int("LV_SESSION_IDLE_SECONDS", 2 * 60 * 60)
LV_PASSWORD_MAX_AGE_DAYS = env_int("LV_PASSWORD_MAX_AGE_DAYS", 90)
# Failed logins within the window: this many for one user from one address blocks that user
# there, and the larger per-address number blocks the address, until failures leave the window.
LV_LOGIN_MAX_FAILURES = env_int("LV_LOGIN_MAX_FAILURES", 5)
LV_LOGIN_MAX_FAILURES_PER_ADDRESS = env_int("LV_LOGIN_MAX_FAILURES_PER_ADDRESS", 50)
LV_LOGIN_FAILURE_WINDOW_SECONDS = env_int("LV_LOGIN_FAILURE_WINDOW_SECONDS", 15 * 60)
# Reverse proxies whose X-Forwarded-For is believed (addresses or CIDR networks); from anyone
# else the header is ignored, as anyone can send it.
LV_TRUSTED_PROXIES = env_networks("LV_TRUSTED_PROXIES")
LV_MAX_ACCESS_TOKENS_PER_CLIENT = 5

# The admin shows a new access token once, through messages: keep them server-side, not in a
# (signed, readable) cookie.
MESSAGE_STORAGE = "django.contrib.messages.storage.session.SessionStorage"
# The largest request body (bytes): more answers 413 on the wire. It is Django's in-memory
# limit too, which would otherwise surface mid-request as an error.
LV_MAX_BODY_BYTES = env_int("LV_MAX_BODY_BYTES", 2_621_440)
if LV_MAX_BODY_BYTES < 1:
    raise ImproperlyConfigured(f"LV_MAX_BODY_BYTES={LV_MAX_BODY_BYTES} must be 1 or more")
# Batch methods (paths ending in /batch: contactCheck's 50,000 items) may send more.
LV_MAX_BATCH_BODY_BYTES = env_int("LV_MAX_BATCH_BODY_BYTES", 16 * 1024 * 1024)
if LV_MAX_BATCH_BODY_BYTES < LV_MAX_BODY_BYTES:
    raise ImproperlyConfigured("LV_MAX_BATCH_BODY_BYTES must be at least LV_MAX_BODY_BYTES")
# Django's own check while reading a body; WirePathMiddleware applies the smaller limit to
# every path but the batch ones, before any body is read.
DATA_UPLOAD_MAX_MEMORY_SIZE = LV_MAX_BATCH_BODY_BYTES
# CSRF failures on wire paths answer the family's JSON error, elsewhere Django's page.
CSRF_FAILURE_VIEW = "livevox_site.errors.csrf_failure"

# --- Internationalization -------------------------------------------------------------------
LANGUAGE_CODE = "en-us"
TIME_ZONE = env_str("TIME_ZONE", "UTC")
USE_I18N = True
USE_TZ = True

# --- Static files and storage ---------------------------------------------------------------
STATIC_URL = "static/"
# Where `manage.py collectstatic` writes the static files (and staticfiles.json, their manifest)
# that the server reads with DEBUG off; livevox_site/wsgi.py refuses to start without them.
STATIC_ROOT = Path(env_str("STATIC_ROOT", str(BASE_DIR / "staticfiles")))
MEDIA_ROOT = Path(env_str("MEDIA_ROOT", str(BASE_DIR / "media")))
MEDIA_URL = "media/"
STORAGE_BACKEND = env_str("STORAGE_BACKEND", "filesystem")  # filesystem | s3
if STORAGE_BACKEND == "s3":
    _default_storage = {
        "BACKEND": "storages.backends.s3.S3Storage",
        "OPTIONS": {
            "bucket_name": env_str("AWS_STORAGE_BUCKET_NAME"),
            "endpoint_url": env_str("AWS_S3_ENDPOINT_URL") or None,
            "region_name": env_str("AWS_S3_REGION_NAME") or None,
            "default_acl": None,
            "querystring_auth": True,
        },
    }
elif STORAGE_BACKEND == "filesystem":
    _default_storage = {"BACKEND": "django.core.files.storage.FileSystemStorage"}
else:
    raise ImproperlyConfigured(f"STORAGE_BACKEND={STORAGE_BACKEND!r}: use filesystem or s3")
# With S3, GET /compliance/recording/{id} may send players to a short-lived presigned URL.
RECORDING_REDIRECT = env_bool("LV_RECORDING_REDIRECT", False)
STORAGES = {
    "default": _default_storage,
    "staticfiles": {
        "BACKEND": (
            "django.contrib.staticfiles.storage.StaticFilesStorage"
            if DEBUG
            else "whitenoise.storage.CompressedManifestStaticFilesStorage"
        )
    },
}
# Serve static files without collectstatic in development and tests.
WHITENOISE_USE_FINDERS = DEBUG
WHITENOISE_AUTOREFRESH = DEBUG

# --- Background jobs (django-tasks) ---------------------------------------------------------
# The database backend by default: SQLite and PostgreSQL need no extra server, and
# ``manage.py db_worker`` runs the jobs (``make run`` starts one beside the server). A larger site
# sets LV_TASKS_BACKEND to another django-tasks backend (an RQ or Celery one) and
# LV_TASKS_OPTIONS to its OPTIONS as JSON; tests may use the immediate backend.
LV_TASKS_BACKEND = env_str("LV_TASKS_BACKEND", "django_tasks_db.DatabaseBackend")
try:
    _tasks_options = json.loads(env_str("LV_TASKS_OPTIONS", "{}"))
except ValueError:
    raise ImproperlyConfigured("LV_TASKS_OPTIONS must be a JSON object") from None
if not isinstance(_tasks_options, dict):
    raise ImproperlyConfigured("LV_TASKS_OPTIONS must be a JSON object")
TASKS = {
    "default": {
        "BACKEND": LV_TASKS_BACKEND,
        "QUEUES": env_list("LV_TASKS_QUEUES", "default"),
        "OPTIONS": _tasks_options,
    }
}
# DNC CSV imports: lines per batch (each batch is one transaction and one progress step), and
# how long a running job may go without finishing a batch before it is shown as stale.
DNC_IMPORT_BATCH_SIZE = env_int("DNC_IMPORT_BATCH_SIZE", 50_000)
DNC_IMPORT_STALE_SECONDS = env_int("DNC_IMPORT_STALE_SECONDS", 600)
# How often a task worker looks for jobs whose worker died (and resumes them), and how many
# times one job is resumed by itself before it is failed for a person to look at.
LV_JOBS_SWEEP_SECONDS = env_int("LV_JOBS_SWEEP_SECONDS", 60)
LV_JOBS_MAX_AUTO_RESUMES = env_int("LV_JOBS_MAX_AUTO_RESUMES", 3)

# --- Security (check --deploy is clean when these are on) -----------------------------------
SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", False)
SECURE_HSTS_SECONDS = env_int("SECURE_HSTS_SECONDS", 0)
SECURE_HSTS_INCLUDE_SUBDOMAINS = env_bool("SECURE_HSTS_INCLUDE_SUBDOMAINS", False)
SECURE_HSTS_PRELOAD = env_bool("SECURE_HSTS_PRELOAD", False)
SESSION_COOKIE_SECURE = env_bool("SESSION_COOKIE_SECURE", False)
CSRF_COOKIE_SECURE = env_bool("CSRF_COOKIE_SECURE", False)
if env_bool("BEHIND_TLS_PROXY", False):
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SECURE_CONTENT_TYPE_NOSNIFF = True
X_FRAME_OPTIONS = "DENY"
# Every HTML page (livevox_site.middleware.ContentSecurityPolicyMiddleware): scripts, styles,
# fonts and fetches from the site itself only (no inline script or style anywhere), images also
# as data: URLs (the admin's and the docs' icons), no plugins, no framing, forms posting only
# here. With LV_RECORDING_REDIRECT on S3 the admin's audio player is sent to the bucket.
_csp = [
    "default-src 'self'",
    "frame-ancestors 'none'",
    "base-uri 'self'",
    "form-action 'self'",
    "img-src 'self' data:",
    "object-src 'none'",
]
if RECORDING_REDIRECT and STORAGE_BACKEND == "s3":
    _endpoint = urlsplit(env_str("AWS_S3_ENDPOINT_URL"))
    _bucket = (
        f"{_endpoint.scheme}://{_endpoint.netloc}"
        if _endpoint.netloc
        else "https://*.amazonaws.com"
    )
    _csp.append(f"media-src 'self' {_bucket}")
LV_CONTENT_SECURITY_POLICY = "; ".join(_csp)

# --- Django REST framework ------------------------------------------------------------------
REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "livevox_site.auth.LVSessionAuthentication",
        "rest_framework.authentication.SessionAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["livevox_site.permissions.LiveVoxPermission"],
    "DEFAULT_RENDERER_CLASSES": [
        "rest_framework.renderers.JSONRenderer",
        "rest_framework.renderers.BrowsableAPIRenderer",
    ],
    "DEFAULT_PARSER_CLASSES": [
        "livevox_site.lenient.JSONParser",
        "livevox_site.lenient.PlainTextJSONParser",
    ],
    "EXCEPTION_HANDLER": "livevox_site.errors.exception_handler",
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    "UNAUTHENTICATED_USER": None,
    "COMPACT_JSON": True,
}
SPECTACULAR_SETTINGS = {
    "TITLE": "LiveVox-compatible Compliance and Configuration API",
    "DESCRIPTION": (
        "Session, Configuration (dialing strategies) and Compliance APIs, wire-compatible with "
        "LiveVox. Authenticate with `LV-Access` on `POST /session/login`, then send the "
        "returned id as `LV-Session` on every call. Paths accept an optional `/vN.M/` segment "
        "after the category and an optional trailing slash."
    ),
    "VERSION": "1.0.0",
    "SERVE_INCLUDE_SCHEMA": False,
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    "COMPONENT_SPLIT_REQUEST": True,
    "APPEND_COMPONENTS": {
        "securitySchemes": {
            "LVSession": {"type": "apiKey", "in": "header", "name": "LV-Session"},
        }
    },
    "SECURITY": [{"LVSession": []}],
}

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": env_str("LOG_LEVEL", "INFO")},
}
