"""Findings of an outside security test against the site as a whole: each case once answered a
500, reached the database with input it cannot store, sent DNC data without ``no-store``, served
the admin without a Content-Security-Policy, started without its static files, or let a role
change wait for a cache."""

import io
import os
import re
import subprocess
import sys
from pathlib import Path
from unittest import mock

import pytest
from django.db import InterfaceError, OperationalError, connection
from django.test import Client as BrowserClient
from rest_framework.test import APIClient

from livevox_site.models import FailedLogin, User
from livevox_site.roles import Role

from .conftest import PASSWORD

ROOT = Path(__file__).resolve().parent.parent
LOGIN = "/admin/login/"
STRATEGIES = "/configuration/dialingStrategies"
CONTACT_CHECK = "/compliance/complianceCheck/contactCheck"
IS_BLOCKED = "/compliance/complianceCheck/isBlocked?service=20180&phone=4155550100"
POLICY = (
    "default-src 'self'; frame-ancestors 'none'; base-uri 'self'; form-action 'self'; "
    "img-src 'self' data:; object-src 'none'"
)
DATABASE_GONE = {"code": 503, "message": "The database is unavailable; try again"}
DATABASE_GONE_STRATEGIES = {
    "errorCode": 503,
    "errorMessage": "The database is unavailable; try again",
}
on_postgresql = pytest.mark.skipif(
    not os.environ.get("DATABASE_URL", "").startswith(("postgres://", "postgresql://")),
    reason="needs PostgreSQL (DATABASE_URL)",
)


# --- 1. the admin login with names longer than their columns ---------------------------------


@pytest.mark.parametrize(("field", "limit"), [("username", 150), ("client_code", 64)])
def test_the_admin_login_refuses_a_name_longer_than_its_column(client, manager, field, limit):
    data = {"client_code": "ACME", "username": "manager", "password": "wrong", field: "x" * 100_000}
    response = client.post(LOGIN, data)
    assert response.status_code == 200
    assert response.context["form"].errors == {
        field: [f"Ensure this value has at most {limit} characters (it has 100000)."]
    }
    assert not FailedLogin.objects.exists()  # nothing was looked up, nothing stored


def test_the_admin_login_still_counts_a_wrong_password_for_the_longest_name(client, client_a):
    response = client.post(
        LOGIN, {"client_code": "ACME", "username": "x" * 150, "password": "wrong"}
    )
    assert response.status_code == 200
    assert response.context["form"].non_field_errors() == [
        "Please enter the correct client code, user name and password."
    ]
    assert FailedLogin.objects.get().username == "x" * 150


# --- 2. NUL in a path, a query or a cookie never reaches the database ------------------------


@pytest.mark.parametrize(
    "path",
    [
        "/admin/recordings/recording/%00/change/",
        "/admin/livevox_site/service/%00/change/",
        "/admin/%00",
        "/%00",
    ],
)
def test_a_nul_in_a_page_path_answers_404(admin_as, path, django_assert_num_queries):
    browser = admin_as("sysadmin")
    with django_assert_num_queries(0):
        response = browser.get(path)
    assert response.status_code == 404
    assert response["Content-Type"].startswith("text/html")


@pytest.mark.parametrize(
    "path", ["/admin/livevox_site/service/?q=%00", "/admin/?x=a%00b", "/?x=%00", "/healthz?x=%00"]
)
def test_a_nul_in_a_page_query_answers_400(admin_as, path, django_assert_num_queries):
    browser = admin_as("sysadmin")
    with django_assert_num_queries(0):
        response = browser.get(path)
    assert response.status_code == 400
    assert response["Content-Type"].startswith("text/html")


@pytest.mark.parametrize(
    ("path", "cookie"),
    [
        ("/admin/", "abcdefgh\x00ijkl"),
        ("/admin/", '"abcdefgh\\000ijkl"'),  # quoted, as Django unquotes it
        (f"{STRATEGIES}?offset=0&count=1", "abcdefgh\x00ijkl"),
    ],
)
def test_a_nul_in_a_cookie_answers_400(client, db, path, cookie, django_assert_num_queries):
    with django_assert_num_queries(0):
        response = client.get(path, HTTP_COOKIE=f"sessionid={cookie}")
    assert response.status_code == 400
    if path.startswith("/admin/"):
        assert response["Content-Type"].startswith("text/html")
    else:
        assert response.json() == {
            "errorCode": 202,
            "errorMessage": "The request may not contain NUL characters",
        }


@pytest.mark.parametrize(
    ("path", "body"),
    [
        ("/compliance/dnc/%00", {"code": 203, "message": "Entry not found"}),
        ("/session/validate/a%00b", {"code": 203, "message": "Entry not found"}),
        ("/compliance/v6.0/recording/%00/", {"code": 203, "message": "Entry not found"}),
        (f"{STRATEGIES}/%00", {"errorCode": 203, "errorMessage": "Entry not found"}),
    ],
)
def test_a_nul_in_a_wire_path_answers_404_in_the_familys_shape(
    api, client_a, path, body, django_assert_num_queries
):
    caller = api("sysadmin")
    with django_assert_num_queries(0):
        response = caller.get(path)
    assert response.status_code == 404
    assert response.json() == body


def test_a_nul_in_a_wire_query_answers_400_in_the_familys_shape(power, django_assert_num_queries):
    with django_assert_num_queries(0):
        response = power.get(f"{STRATEGIES}?offset=0&count=1%00")
    assert response.status_code == 400
    assert response.json() == {
        "errorCode": 202,
        "errorMessage": "The request may not contain NUL characters",
    }


# --- 3. a database connection that died answers 503 and is replaced ---------------------------


def _psycopg_errors() -> list[type[Exception]]:
    try:
        import psycopg
    except ImportError:
        return []
    return [psycopg.OperationalError, psycopg.InterfaceError]


GONE = [OperationalError, InterfaceError, *_psycopg_errors()]


def gone(error: type[Exception]) -> Exception:
    return error("server closed the connection unexpectedly")


@pytest.mark.parametrize("error", GONE)
@pytest.mark.parametrize(
    ("method", "path", "body", "expected"),
    [
        ("POST", CONTACT_CHECK, {"service": 20180, "phone": "4155550100"}, DATABASE_GONE),
        ("GET", "/compliance/dialtime/dnc?offset=0&count=5", None, DATABASE_GONE),
        ("GET", f"{STRATEGIES}?offset=0&count=5", None, DATABASE_GONE_STRATEGIES),
        ("GET", "/session/validate/x", None, DATABASE_GONE),
    ],
)
def test_a_lost_database_answers_503_in_the_familys_shape(
    api, client_a, error, method, path, body, expected
):
    caller = api("sysadmin")
    with (
        mock.patch("livevox_site.auth.session_get", side_effect=gone(error)),
        mock.patch("livevox_site.session_views.session_validate", side_effect=gone(error)),
    ):
        response = caller.call(method, path, body)
    assert response.status_code == 503
    assert response["Retry-After"] == "1"
    assert response["Cache-Control"] == "no-store"
    assert response.json() == expected


@pytest.mark.parametrize("error", GONE)
def test_a_lost_database_answers_503_on_the_isblocked_hot_path(api, client_a, error):
    caller = api("manager")
    caller.http.raise_request_exception = False
    assert caller.get(IS_BLOCKED).json() == {"result": False}  # the session is cached now
    with mock.patch("dnc.views.check.is_blocked_for_session", side_effect=gone(error)):
        response = caller.get(IS_BLOCKED)
    assert response.status_code == 503
    assert response["Retry-After"] == "1"
    assert response.json() == DATABASE_GONE


@pytest.mark.parametrize("error", GONE)
def test_a_lost_database_answers_a_plain_503_page_in_the_admin(admin_as, error):
    browser = admin_as("sysadmin")
    browser.raise_request_exception = False
    with mock.patch("django.contrib.admin.sites.AdminSite.each_context", side_effect=gone(error)):
        response = browser.get("/admin/")
    assert response.status_code == 503
    assert response["Retry-After"] == "1"
    assert response["Content-Type"].startswith("text/html")
    assert "The database is not answering" in response.content.decode()


def test_other_database_errors_still_answer_500(power, client_a):
    from django.db import ProgrammingError

    power.http.raise_request_exception = False
    with mock.patch("livevox_site.auth.session_get", side_effect=ProgrammingError("bad SQL")):
        response = power.get(f"{STRATEGIES}?offset=0&count=5")
    assert response.status_code == 500
    assert response.json() == {"errorCode": 500, "errorMessage": "Internal error"}


def kill_the_connection() -> None:
    """Ends the server process behind Django's connection, as a failover or an administrator
    would: the next statement on it fails."""
    connection.ensure_connection()
    pid = connection.connection.info.backend_pid
    other = connection.get_new_connection(connection.get_connection_params())
    try:
        other.autocommit = True
        other.execute("SELECT pg_terminate_backend(%s, 5000)", [pid])
    finally:
        other.close()


@on_postgresql
@pytest.mark.django_db(transaction=True)
def test_a_killed_connection_answers_503_and_the_next_request_reconnects(api, client_a):
    caller = api("manager_with_dnc_power")
    check = {"service": 20180, "phone": "4155550100", "at": 1795622400000}
    assert caller.post(CONTACT_CHECK, check).status_code == 200
    kill_the_connection()
    response = caller.post(CONTACT_CHECK, check)
    assert response.status_code == 503
    assert response["Retry-After"] == "1"
    assert response.json() == DATABASE_GONE
    again = caller.post(CONTACT_CHECK, check)
    assert again.status_code == 200, again.content
    assert again.json()["allowed"] is True


@on_postgresql
@pytest.mark.django_db(transaction=True)
def test_a_killed_connection_answers_503_in_the_admin_and_the_next_page_reconnects(admin_as):
    browser = admin_as("superuser")
    browser.raise_request_exception = False
    assert browser.get("/admin/livevox_site/service/").status_code == 200
    kill_the_connection()
    response = browser.get("/admin/livevox_site/service/")
    assert response.status_code == 503
    assert response["Retry-After"] == "1"
    assert browser.get("/admin/livevox_site/service/").status_code == 200


# --- 4. a body shorter than its Content-Length ------------------------------------------------


class CutShort(io.RawIOBase):
    """A request body that stops before its Content-Length: the client went away, and the WSGI
    server's read of the bytes it announced fails (wsgiref's times out, uWSGI's raises)."""

    def __init__(self, data: bytes):
        self.data = data

    def readable(self) -> bool:
        return True

    def read(self, size: int = -1) -> bytes:
        if size is None or size < 0 or size > len(self.data):
            raise OSError("timed out waiting for the rest of the request body")
        chunk, self.data = self.data[:size], self.data[size:]
        return chunk


def cut_short(data: bytes, content_type: str, length: int = 200) -> dict:
    """WSGI environ entries of a body of ``length`` bytes of which only ``data`` arrives."""
    return {
        "wsgi.input": CutShort(data),
        "CONTENT_LENGTH": str(length),
        "CONTENT_TYPE": content_type,
    }


@pytest.mark.parametrize(
    ("path", "expected"),
    [
        (
            CONTACT_CHECK,
            {"code": 202, "message": "The request body ended before its Content-Length"},
        ),
        (
            STRATEGIES,
            {"errorCode": 202, "errorMessage": "The request body ended before its Content-Length"},
        ),
        (
            "/session/login",
            {"code": 202, "message": "The request body ended before its Content-Length"},
        ),
    ],
)
def test_a_body_shorter_than_its_length_answers_400_in_the_familys_shape(
    api, client_a, path, expected
):
    caller = api("sysadmin")
    json_type = "application/json"
    response = caller.http.generic(
        "POST", path, content_type=json_type, **cut_short(b'{"service": 2', json_type)
    )
    assert response.status_code == 400
    assert response.json() == expected


def test_a_body_shorter_than_its_length_answers_400_in_the_admin(admin_as):
    browser = admin_as("superuser")
    browser.raise_request_exception = False
    form = "application/x-www-form-urlencoded"
    response = browser.generic(
        "POST", "/admin/livevox_site/service/add/", **cut_short(b"name=Cut", form)
    )
    assert response.status_code == 400
    assert response["Content-Type"].startswith("text/html")


# --- 5. a Content-Security-Policy on HTML pages, no-store on the API -------------------------


@pytest.mark.parametrize(
    ("who", "path"),
    [
        (None, LOGIN),
        (None, "/"),
        (None, "/api/docs/"),
        ("superuser", "/admin/"),
        ("superuser", "/admin/livevox_site/service/"),
        ("superuser", "/admin/livevox_site/service/20180/change/"),
    ],
)
def test_every_html_page_carries_the_content_security_policy(admin_as, client_a, who, path):
    browser = admin_as(who) if who else BrowserClient()
    response = browser.get(path)
    assert response.status_code == 200
    assert response["Content-Security-Policy"] == POLICY


def test_error_pages_carry_the_content_security_policy_too(client, db):
    response = client.get("/admin/%00")
    assert response.status_code == 404
    assert response["Content-Security-Policy"] == POLICY


def test_djangos_debug_pages_keep_their_inline_styles(settings, admin_as, client_a):
    settings.DEBUG = True  # read when a test client builds its middleware: before its first call
    browser = admin_as("superuser")
    assert "Content-Security-Policy" not in browser.get("/admin/nothing/here/")
    assert browser.get("/admin/")["Content-Security-Policy"] == POLICY


def test_the_policy_lets_the_admins_player_follow_a_redirect_to_the_bucket(tmp_path):
    show = "from django.conf import settings; print(settings.LV_CONTENT_SECURITY_POLICY)"
    s3 = {"STORAGE_BACKEND": "s3", "AWS_STORAGE_BUCKET_NAME": "recordings"}
    found = {
        name: run_python(show, **production(tmp_path, tmp_path, **env)).stdout.strip()
        for name, env in {
            "filesystem": {},
            "s3": s3,
            "s3, redirect": {**s3, "LV_RECORDING_REDIRECT": "1"},
            "s3 endpoint, redirect": {
                **s3,
                "LV_RECORDING_REDIRECT": "1",
                "AWS_S3_ENDPOINT_URL": "https://minio.example.org:9000/",
            },
        }.items()
    }
    assert found == {
        "filesystem": POLICY,
        "s3": POLICY,
        "s3, redirect": f"{POLICY}; media-src 'self' https://*.amazonaws.com",
        "s3 endpoint, redirect": f"{POLICY}; media-src 'self' https://minio.example.org:9000",
    }


@pytest.mark.parametrize("path", [LOGIN, "/", "/api/docs/"])
def test_the_sites_own_pages_hold_no_inline_script_or_style(client, db, path):
    html = client.get(path).content.decode()
    scripts = re.findall(r"<script\b[^>]*>", html)
    assert all("src=" in tag or 'type="application/json"' in tag for tag in scripts), scripts
    assert "<style" not in html
    assert not re.search(r"\sstyle=", html)
    assert not re.search(r"\son[a-z]+=", html)  # no inline event handlers


def test_the_docs_load_their_initialisation_from_a_script_file(client, db):
    html = client.get("/api/docs/").content.decode()
    src = re.search(r'<script src="(/api/docs/\?[^"]*script[^"]*)"', html)
    assert src, html
    script = client.get(src[1].replace("&amp;", "&"))
    assert script.status_code == 200
    assert script["Content-Type"].startswith("application/javascript")
    assert b"SwaggerUIBundle" in script.content


def test_json_answers_carry_no_content_security_policy(power, client_a):
    response = power.get(f"{STRATEGIES}?offset=0&count=1")
    assert "Content-Security-Policy" not in response


def test_every_api_answer_says_no_store(api, client_a, token_a, manager):
    caller = api("manager")
    first = caller.get(IS_BLOCKED)  # the viewset: fills the session cache
    lean = caller.get(IS_BLOCKED)  # the lean answer of HotPathMiddleware
    login = APIClient().post(
        "/session/login",
        {"clientName": "ACME", "userName": "manager", "password": PASSWORD},
        format="json",
        HTTP_LV_ACCESS=token_a,
    )
    answers = {
        "isBlocked": first,
        "isBlocked (lean)": lean,
        "login": login,
        "strategies": api("it_user").get(f"{STRATEGIES}?offset=0&count=1"),
        "no session": api(None).get(f"{STRATEGIES}?offset=0&count=1"),
        "unknown path": caller.get("/compliance/nothing"),
        "refused query": caller.get(f"{IS_BLOCKED}%00"),
        "versioned": caller.get("/compliance/v6.0/dialtime/dnc/info"),
    }
    assert {name: answer.status_code for name, answer in answers.items()} == {
        "isBlocked": 200,
        "isBlocked (lean)": 200,
        "login": 200,
        "strategies": 200,
        "no session": 401,
        "unknown path": 404,
        "refused query": 400,
        "versioned": 403,
    }
    assert lean.content == b'{"result":false}'
    cache_control = {name: answer.get("Cache-Control") for name, answer in answers.items()}
    assert cache_control == dict.fromkeys(answers, "no-store")


def test_pages_outside_the_api_keep_their_caching(client, db):
    assert "no-store" not in client.get("/").get("Cache-Control", "")


# --- 6. no start without collectstatic's manifest (DEBUG off) ---------------------------------


def run_python(code: str, **env: str) -> subprocess.CompletedProcess:
    """Python in the project with only PATH and these variables (no pytest in sight)."""
    return subprocess.run(  # noqa: S603
        [sys.executable, "-c", code],
        cwd=ROOT,
        env={"PATH": os.environ["PATH"], **env},
        capture_output=True,
        text=True,
        timeout=300,
    )


def production(tmp_path: Path, static_root: Path, **env: str) -> dict:
    return {
        "SECRET_KEY": "test-only-not-secret-" * 3,
        "DATABASE_URL": f"sqlite:///{tmp_path / 'db.sqlite3'}",
        "DJANGO_SETTINGS_MODULE": "livevox_site.settings",
        "STATIC_ROOT": str(static_root),
        **env,
    }


def test_the_wsgi_application_refuses_to_load_without_the_manifest(tmp_path):
    result = run_python("import livevox_site.wsgi", **production(tmp_path, tmp_path / "static"))
    assert result.returncode != 0
    last = result.stderr.strip().splitlines()[-1]
    assert last == (
        "django.core.exceptions.ImproperlyConfigured: livevox.E001: "
        f"{tmp_path / 'static' / 'staticfiles.json'} is missing: with DEBUG off the static "
        "files are served from STATIC_ROOT as `manage.py collectstatic` writes them. "
        "Run `manage.py collectstatic --noinput` before starting the server."
    )


def test_the_wsgi_application_loads_with_the_manifest_or_with_debug(tmp_path):
    static = tmp_path / "static"
    static.mkdir()
    (static / "staticfiles.json").write_text('{"paths": {}, "version": "1.1", "hash": ""}')
    load = "import livevox_site.wsgi as w; print(callable(w.application))"
    with_manifest = run_python(load, **production(tmp_path, static))
    assert with_manifest.returncode == 0, with_manifest.stderr
    assert with_manifest.stdout.strip() == "True"
    in_debug = run_python(load, **production(tmp_path, tmp_path / "empty", DEBUG="1"))
    assert in_debug.returncode == 0, in_debug.stderr


def test_the_check_names_the_missing_manifest(settings, tmp_path):
    from livevox_site.checks import check_static_manifest

    settings.STATIC_ROOT = str(tmp_path)
    settings.STORAGES = {
        **settings.STORAGES,
        "staticfiles": {"BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"},
    }
    (error,) = check_static_manifest()
    assert error.id == "livevox.E001"
    assert error.level == 40  # an Error
    (tmp_path / "staticfiles.json").write_text('{"paths": {}, "version": "1.1", "hash": ""}')
    assert check_static_manifest() == []
    settings.DEBUG = True
    (tmp_path / "staticfiles.json").unlink()
    assert check_static_manifest() == []


def test_the_check_ignores_a_storage_without_manifest(settings, tmp_path):
    from livevox_site.checks import check_static_manifest

    settings.STATIC_ROOT = str(tmp_path)  # empty; tests/conftest.py's storage reads no manifest
    assert check_static_manifest() == []


# --- 7. a role change counts on the next isBlocked in every process ---------------------------


def test_a_role_given_counts_on_the_next_isblocked(api, client_a):
    caller = api("it_user")
    refused = caller.get(IS_BLOCKED)  # authenticated through the database: now cached
    assert refused.status_code == 403
    assert refused.json() == {
        "code": 403,
        "message": "Your role or powers do not allow this method",
    }
    user = User.objects.get(username="it_user")
    user.role = Role.MANAGER
    user.save()
    allowed = caller.get(IS_BLOCKED)
    assert allowed.status_code == 200, allowed.content
    assert allowed.json() == {"result": False}


def test_a_role_taken_counts_on_the_next_isblocked(api, client_a):
    caller = api("manager")
    assert caller.get(IS_BLOCKED).json() == {"result": False}
    assert caller.get(IS_BLOCKED).json() == {"result": False}  # the lean answer, cached session
    user = User.objects.get(username="manager")
    user.role = Role.IT_USER
    user.save()
    refused = caller.get(IS_BLOCKED)
    assert refused.status_code == 403
    assert refused.json() == {
        "code": 403,
        "message": "Your role or powers do not allow this method",
    }


def test_a_granted_isblocked_still_costs_one_query(api, client_a, django_assert_num_queries):
    caller = api("it_user")
    assert caller.get(IS_BLOCKED).status_code == 403
    User.objects.filter(username="it_user").update(role=Role.MANAGER)
    assert caller.get(IS_BLOCKED).status_code == 200  # re-read once, after the refusal
    caller.get(IS_BLOCKED)  # on PostgreSQL the first call prepares the statement
    with django_assert_num_queries(1):
        assert caller.get(IS_BLOCKED).content == b'{"result":false}'


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_admin_pages_and_the_docs_break_no_content_security_policy(
    browser_page, live_server, persona
):
    from .browser import admin_login

    persona("superuser")
    page = browser_page
    complaints: list[str] = []
    page.on("console", lambda message: complaints.append(message.text))
    admin_login(page, live_server, "ACME", "superuser", PASSWORD)
    assert page.url == f"{live_server.url}/admin/"
    for path in (
        "/admin/",
        "/admin/livevox_site/service/",
        "/admin/livevox_site/service/20180/change/",
        "/admin/livevox_site/user/add/",
        "/admin/livevox_site/auditentry/",
        "/admin/strategies/dialingstrategy/add/",
        "/admin/dnc/dialtimeentry/add/",
        "/",
    ):
        page.goto(f"{live_server.url}{path}")
        page.wait_for_load_state("networkidle")
        assert page.locator("#content, main").count() >= 1, path
    page.goto(f"{live_server.url}/api/docs/")
    page.wait_for_selector(".swagger-ui .info .title")  # the docs' script ran
    assert [text for text in complaints if "Content Security Policy" in text] == []


@pytest.mark.parametrize("path", ["/admin/dnc/import/jobs/", "/admin/no/such/page/"])
def test_an_admin_path_that_is_no_page_answers_a_plain_404_even_in_debug(admin_as, path, settings):
    settings.DEBUG = True
    response = admin_as("superuser").get(path)

    assert response.status_code == 404
    text = response.content.decode()
    assert "There is no such page" in text
    assert "URLconf" not in text and "dnc/import/<str:list_name>/" not in text


def test_a_refusal_page_keeps_the_log_out_link(admin_as, client_a):
    response = admin_as("manager").get("/admin/dnc/import/dialtime/")

    assert response.status_code == 403
    text = response.content.decode()
    assert "You need the Edit DNC Lists power (or the Superuser role)" in text
    assert 'id="logout-form"' in text
