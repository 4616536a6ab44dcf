"""Authentication and session security: sessions end with the password, throttling that cannot
lock a named user (or everyone) out from elsewhere, one answer to every bad login, access tokens
kept out of cookies, and a production SECRET_KEY long enough to sign with."""

import json
import logging
import re
from datetime import timedelta
from ipaddress import ip_network

import pytest
from django.contrib.auth.hashers import PBKDF2PasswordHasher, make_password
from django.contrib.messages.storage.cookie import CookieStorage
from django.test import RequestFactory
from django.utils import timezone

from livevox_site.audit import Actor
from livevox_site.models import AuditEntry, FailedLogin, LVSession, User
from livevox_site.services import access_token_create, client_ip, session_login

from .conftest import PASSWORD
from .test_settings import KEY, refused, settings_with

NEW_PASSWORD = "a much better passphrase"
INVALID = {"code": 401, "message": "Invalid client, user name, password or access token"}
THROTTLED = {"code": 429, "message": "Too many failed login attempts; try again later"}
USERS = "/admin/livevox_site/user/"
TOKENS = "/admin/livevox_site/accesstoken/"


def login(http, token: str | None = "token-a", user="manager", password=PASSWORD, **extra):
    body = {"clientName": extra.pop("client_name", "ACME"), "userName": user, "password": password}
    if token is not None:
        extra.setdefault("HTTP_LV_ACCESS", token)
    return http.post("/session/login", json.dumps(body), content_type="application/json", **extra)


def change_password(http, current=PASSWORD, new=NEW_PASSWORD, user="manager", **extra):
    body = {
        "clientName": "ACME",
        "userName": user,
        "password": current,
        "newPassword": new,
        "agent": False,
    }
    return http.post(
        "/session/password", json.dumps(body), content_type="application/json", **extra
    )


def fail(http, times: int, user="manager", **extra) -> None:
    for _ in range(times):
        assert login(http, user=user, password="wrong", **extra).status_code == 401


def open_sessions(user: User) -> list[str]:
    """Three live sessions of the user: two tokens, and an Agent session."""
    second = access_token_create(actor=Actor.command("test"), client=user.client, name="2")[0]
    first = user.client.access_tokens.get(prefix="token-a")
    return [
        session_login(user=user, token=first, agent=False).key,
        session_login(user=user, token=second, agent=False).key,
        session_login(user=user, token=first, agent=True).key,
    ]


def alive(http, keys: list[str]) -> list[bool]:
    return [http.get(f"/session/validate/{key}").status_code == 204 for key in keys]


# --- 1. a password change or a deactivation ends every session of the user ------------------


def test_it_ends_every_session_when_the_password_changes_through_the_api(
    client, manager, it_user, token_a
):
    mine = open_sessions(manager)
    token = manager.client.access_tokens.first()
    theirs = session_login(user=it_user, token=token, agent=False).key
    assert change_password(client).status_code == 204
    assert alive(client, mine) == [False, False, False]
    assert alive(client, [theirs]) == [True]
    entry = AuditEntry.objects.get(action="site.user.password_changed")
    assert (entry.source, entry.actor_id, entry.object_id, entry.details) == (
        "api",
        manager.pk,
        str(manager.pk),
        {"sessions_ended": 3},
    )


def test_it_ends_every_session_when_the_user_changes_it_in_the_admin(
    admin_as, client, manager, token_a
):
    mine = open_sessions(manager)
    response = admin_as("manager").post(
        "/admin/password_change/",
        {"old_password": PASSWORD, "new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD},
    )
    assert response.status_code == 302, response.context["form"].errors
    assert alive(client, mine) == [False, False, False]
    entry = AuditEntry.objects.get(action="site.user.password_changed")
    assert (entry.source, entry.actor_id, entry.object_id, entry.details) == (
        "admin",
        manager.pk,
        str(manager.pk),
        {"sessions_ended": 3},
    )


@pytest.mark.parametrize("who", ["superuser", "sysadmin"])
def test_it_ends_every_session_when_an_administrator_resets_the_password(
    admin_as, persona, client, manager, token_a, who
):
    mine = open_sessions(manager)
    response = admin_as(who).post(
        f"{USERS}{manager.pk}/password/",
        {"password1": NEW_PASSWORD, "password2": NEW_PASSWORD, "usable_password": "true"},
    )
    assert response.status_code == 302
    manager.refresh_from_db()
    assert manager.check_password(NEW_PASSWORD)
    assert alive(client, mine) == [False, False, False]
    entry = AuditEntry.objects.get(action="site.user.password_changed")
    assert (entry.source, entry.actor_id, entry.object_id, entry.details) == (
        "admin",
        persona(who).pk,
        str(manager.pk),
        {"sessions_ended": 3},
    )


def test_it_ends_every_session_when_the_admin_deactivates_the_user(
    admin_as, superuser, client, manager, token_a
):
    mine = open_sessions(manager)
    form = {
        "username": "manager",
        "role": "MANAGER",
        "first_name": "",
        "last_name": "",
        "email": "",
        # is_active left out: the box is unticked.
    }
    response = admin_as("superuser").post(f"{USERS}{manager.pk}/change/", form)
    assert response.status_code == 302, response.context["adminform"].form.errors
    manager.refresh_from_db()
    assert manager.is_active is False
    assert LVSession.objects.filter(user=manager).count() == 0
    entry = AuditEntry.objects.get(action="site.user.sessions_ended")
    assert (entry.source, entry.actor_id, entry.object_id, entry.details) == (
        "admin",
        superuser.pk,
        str(manager.pk),
        {"reason": "deactivated", "sessions_ended": 3},
    )
    # Reactivating does not bring them back, and the user can log in again.
    manager.is_active = True
    manager.save()
    assert alive(client, mine) == [False, False, False]
    assert login(client).status_code == 200


def test_it_ends_every_session_whoever_saves_the_change(client, manager, token_a):
    open_sessions(manager)
    manager.is_active = False
    manager.save()
    assert LVSession.objects.filter(user=manager).count() == 0
    manager.is_active = True
    manager.save()
    mine = open_sessions(manager)[1:]
    # A hash written without set_password (a data fix, a restore) is a new password too.
    manager.password = make_password(NEW_PASSWORD)
    manager.save(update_fields=["password"])
    assert alive(client, mine) == [False, False]


def test_it_keeps_the_sessions_when_other_fields_change(client, manager, token_a):
    mine = open_sessions(manager)
    manager.first_name = "Ann"
    manager.save()
    manager.set_password(PASSWORD)
    manager.save(update_fields=["first_name"])  # the new hash is not written
    assert alive(client, mine) == [True, True, True]


class FastPBKDF2(PBKDF2PasswordHasher):
    iterations = 1


def test_it_keeps_the_sessions_when_a_login_upgrades_the_password_hash(
    client, manager, token_a, settings
):
    # An old hasher's hash is rewritten with the preferred one on login: same password.
    salt = "saltsaltsalt"
    manager.password = FastPBKDF2().encode(PASSWORD, salt)
    manager.save(update_fields=["password"])
    settings.PASSWORD_HASHERS = [
        "django.contrib.auth.hashers.MD5PasswordHasher",
        "tests.test_security_auth.FastPBKDF2",
    ]
    mine = open_sessions(manager)
    assert login(client).status_code == 200
    manager.refresh_from_db()
    assert manager.password.startswith("md5$")
    assert alive(client, mine) == [True, True, True]


# --- 2. throttling by (client, user, address) and by address --------------------------------


def test_it_reads_its_throttling_limits_from_the_settings(settings):
    assert settings.LV_LOGIN_MAX_FAILURES == 5
    assert settings.LV_LOGIN_MAX_FAILURES_PER_ADDRESS == 50
    assert settings.LV_LOGIN_FAILURE_WINDOW_SECONDS == 900
    assert settings.LV_TRUSTED_PROXIES == []


def test_it_does_not_let_another_address_lock_the_user_out(client, manager, token_a):
    attacker = {"REMOTE_ADDR": "203.0.113.9"}
    fail(client, 5, **attacker)
    locked = login(client, **attacker)
    assert locked.status_code == 429
    assert locked.json() == THROTTLED
    assert login(client).status_code == 200  # the real user, from their own address
    assert change_password(client, **attacker).status_code == 429
    assert change_password(client).status_code == 204


@pytest.fixture
def frozen_now(monkeypatch):
    """Time stands still, so that the seconds to wait are exact."""
    now = timezone.now()
    monkeypatch.setattr(timezone, "now", lambda: now)
    return now


def test_it_answers_429_with_the_seconds_until_the_oldest_counted_failure_expires(
    client, manager, token_a, settings, frozen_now
):
    fail(client, 5)
    window = settings.LV_LOGIN_FAILURE_WINDOW_SECONDS
    ages = [window - 120, 300, 200, 100, 10]  # seconds ago; the oldest leaves in 120 s
    for failure, seconds in zip(FailedLogin.objects.order_by("id"), ages, strict=True):
        FailedLogin.objects.filter(pk=failure.pk).update(at=frozen_now - timedelta(seconds=seconds))
    response = login(client)
    assert response.status_code == 429
    assert response.json() == THROTTLED
    assert response["Retry-After"] == "120"


def test_it_answers_at_least_one_second_to_wait(client, manager, token_a, settings, frozen_now):
    fail(client, 5)
    window = timedelta(seconds=settings.LV_LOGIN_FAILURE_WINDOW_SECONDS)
    FailedLogin.objects.update(at=frozen_now - window + timedelta(milliseconds=300))
    response = login(client)
    assert response.status_code == 429
    assert response["Retry-After"] == "1"


def test_it_locks_an_address_out_after_its_own_larger_limit(
    client, manager, it_user, token_a, settings
):
    settings.LV_LOGIN_MAX_FAILURES_PER_ADDRESS = 12
    for n in range(11):
        fail(client, 1, user=f"guess{n}")
    assert login(client).status_code == 200  # 11 failures: still under the address limit
    fail(client, 1, user="guess11")
    response = login(client, user="it_user")
    assert response.status_code == 429
    assert response.json() == THROTTLED
    assert int(response["Retry-After"]) >= 1
    assert login(client, REMOTE_ADDR="198.51.100.20").status_code == 200


def test_it_still_counts_the_names_however_they_are_spelled(client, manager, token_a):
    fail(client, 5, user=" manager ")
    assert login(client, client_name=" acme").status_code == 429


def rf_request(remote="203.0.113.5", forwarded: str | None = None):
    extra = {"REMOTE_ADDR": remote}
    if forwarded is not None:
        extra["HTTP_X_FORWARDED_FOR"] = forwarded
    return RequestFactory().get("/", **extra)


@pytest.mark.parametrize(
    "remote, forwarded, trusted, expected",
    [
        ("203.0.113.5", None, [], "203.0.113.5"),
        # Anyone can send X-Forwarded-For: it is ignored unless a trusted proxy sent the request.
        ("203.0.113.5", "198.51.100.1", [], "203.0.113.5"),
        ("203.0.113.5", "198.51.100.1", ["10.0.0.0/8"], "203.0.113.5"),
        # From a trusted proxy: the rightmost address that is not a trusted proxy.
        ("10.0.0.2", "198.51.100.1", ["10.0.0.0/8"], "198.51.100.1"),
        ("10.0.0.2", "6.6.6.6, 198.51.100.1, 10.1.1.1", ["10.0.0.0/8"], "198.51.100.1"),
        ("10.0.0.2", "6.6.6.6,198.51.100.1", ["10.0.0.2", "10.0.0.3"], "198.51.100.1"),
        ("::1", "2001:db8::7", ["::1/128"], "2001:db8::7"),
        # No header, or only proxies in it: the farthest proxy is the best one knows.
        ("10.0.0.2", None, ["10.0.0.0/8"], "10.0.0.2"),
        ("10.0.0.2", "10.0.0.9, 10.0.0.8", ["10.0.0.0/8"], "10.0.0.9"),
        # Garbage where the client should be: stop at the last proxy that added it.
        ("10.0.0.2", "198.51.100.1, not-an-ip", ["10.0.0.0/8"], "10.0.0.2"),
        ("::ffff:203.0.113.5", None, [], "203.0.113.5"),
        ("", None, [], None),
    ],
)
def test_it_finds_the_client_address(settings, remote, forwarded, trusted, expected):
    settings.LV_TRUSTED_PROXIES = [ip_network(n) for n in trusted]
    assert client_ip(rf_request(remote, forwarded)) == expected


def test_it_throttles_each_address_behind_a_trusted_proxy(client, manager, token_a, settings):
    settings.LV_TRUSTED_PROXIES = [ip_network("10.0.0.0/8")]
    proxy = {"REMOTE_ADDR": "10.0.0.2"}
    fail(client, 5, HTTP_X_FORWARDED_FOR="198.51.100.1", **proxy)
    assert login(client, HTTP_X_FORWARDED_FOR="198.51.100.1", **proxy).status_code == 429
    assert login(client, HTTP_X_FORWARDED_FOR="198.51.100.2", **proxy).status_code == 200
    assert set(FailedLogin.objects.values_list("ip", flat=True)) == {"198.51.100.1"}


def test_it_cannot_be_dodged_with_a_forged_forwarded_header(client, manager, token_a):
    for n in range(5):
        fail(client, 1, HTTP_X_FORWARDED_FOR=f"198.51.100.{n}")
    assert login(client, HTTP_X_FORWARDED_FOR="198.51.100.99").status_code == 429


def test_it_refuses_a_trusted_proxy_that_is_not_an_address():
    assert refused(SECRET_KEY=KEY, LV_TRUSTED_PROXIES="10.0.0.0/8, proxy.local") == (
        "LV_TRUSTED_PROXIES: 'proxy.local' is not an IP address or network"
    )
    assert settings_with(SECRET_KEY=KEY, LV_TRUSTED_PROXIES=" 10.0.0.0/8 ,::1")["DEBUG"] is False


def test_it_audits_failed_logins_and_the_lock_out(client, manager, token_a):
    fail(client, 5, REMOTE_ADDR="203.0.113.9")
    login(client, REMOTE_ADDR="203.0.113.9")  # refused while locked: no new entry
    entries = list(
        AuditEntry.objects.filter(action__startswith="site.login.")
        .order_by("id")
        .values_list("client_id", "source", "action", "object_id", "details")
    )
    failed = (
        4199,
        "api",
        "site.login.failed",
        str(manager.pk),
        {"userName": "manager", "address": "203.0.113.9"},
    )
    locked = (
        4199,
        "api",
        "site.login.locked_out",
        str(manager.pk),
        {"userName": "manager", "address": "203.0.113.9", "by": "user"},
    )
    assert entries == [failed] * 5 + [locked]


def test_it_audits_an_address_lock_out(client, manager, token_a, settings):
    settings.LV_LOGIN_MAX_FAILURES_PER_ADDRESS = 3
    for name in ("a", "b", "c"):
        fail(client, 1, user=name)
    (entry,) = AuditEntry.objects.filter(action="site.login.locked_out")
    assert (entry.client_id, entry.object_id, entry.details) == (
        4199,
        "",
        {"userName": "c", "address": "127.0.0.1", "by": "address"},
    )


def test_it_only_logs_failed_logins_for_unknown_clients(client, token_a, caplog):
    with caplog.at_level(logging.INFO, logger="livevox_site.services"):
        fail(client, 5, client_name="NOPE")
    assert not AuditEntry.objects.filter(action__startswith="site.login.").exists()
    messages = [r.getMessage() for r in caplog.records if r.name == "livevox_site.services"]
    assert messages[0] == "Failed login for client 'NOPE', user 'manager' from 127.0.0.1"
    assert messages[-1] == (
        "Too many failed logins (user limit) for client 'NOPE', user 'manager' from 127.0.0.1"
    )


def test_it_audits_a_failed_admin_login_and_shows_the_throttled_message(client, superuser):
    form = {"client_code": "ACME", "username": "superuser", "password": "wrong"}
    for _ in range(5):
        assert client.post("/admin/login/", form).status_code == 200
    response = client.post("/admin/login/", {**form, "password": PASSWORD})
    assert "Too many failed login attempts; try again later." in response.content.decode()
    assert "_auth_user_id" not in client.session
    sources = set(
        AuditEntry.objects.filter(action="site.login.failed").values_list("source", flat=True)
    )
    assert sources == {"admin"}
    # Another address is not locked out of the admin.
    response = client.post("/admin/login/", {**form, "password": PASSWORD}, REMOTE_ADDR="10.9.9.9")
    assert response.status_code == 302


# --- 3. one answer to every failed login ----------------------------------------------------


@pytest.mark.parametrize(
    "headers, body",
    [
        ({}, {}),
        ({"HTTP_LV_ACCESS": "no-such-token"}, {}),
        ({"HTTP_AUTHORIZATION": "Bearer no-such-token"}, {}),
        ({"HTTP_LV_ACCESS": "revoked"}, {}),
        ({"HTTP_LV_ACCESS": "token-b"}, {}),
        ({"HTTP_LV_ACCESS": "token-a"}, {"password": "wrong"}),
        ({"HTTP_LV_ACCESS": "token-a"}, {"user": "nobody"}),
        ({"HTTP_LV_ACCESS": "token-a"}, {"client_name": "NOPE"}),
        ({"HTTP_LV_ACCESS": "token-a"}, {"client_name": "BETA"}),
        ({"HTTP_LV_ACCESS": "token-a"}, {"user": "inactive"}),
    ],
    ids=[
        "no token",
        "unknown token",
        "unknown bearer",
        "revoked token",
        "token of another client",
        "wrong password",
        "unknown user",
        "unknown client",
        "other client",
        "inactive user",
    ],
)
def test_it_gives_one_answer_to_every_failed_login(
    client, manager, token_a, token_b, headers, body
):
    revoked = access_token_create(
        actor=Actor.command("test"), client=manager.client, name="r", raw="revoked"
    )[0]
    revoked.revoked_at = timezone.now()
    revoked.save()
    User.objects.create_user("inactive", PASSWORD, client=manager.client, is_active=False)
    response = login(client, None, **body, **headers)
    assert response.status_code == 401
    assert response.json() == INVALID
    assert LVSession.objects.count() == 0


def test_it_counts_a_token_of_another_client_as_a_failed_attempt(client, manager, token_a, token_b):
    for _ in range(5):
        assert login(client, "token-b").json() == INVALID
    assert login(client).status_code == 429


def test_it_checks_the_current_password_before_the_new_one(client, manager):
    response = change_password(client, current="wrong", new="short")
    assert response.status_code == 401
    assert response.json() == INVALID
    response = change_password(client, new="short")
    assert response.status_code == 400
    assert response.json() == {
        "code": 202,
        "message": "newPassword: This password is too short. It must contain at least 8 "
        "characters.",
    }


def test_it_throttles_the_password_change_like_a_login(client, manager, token_a):
    for _ in range(5):
        assert change_password(client, current="wrong").json() == INVALID
    assert change_password(client).status_code == 429
    assert login(client).status_code == 429


# --- 4. a new access token never travels in a cookie ----------------------------------------


def test_it_keeps_a_new_access_token_out_of_every_cookie(admin_as, client_a, settings):
    assert settings.MESSAGE_STORAGE == "django.contrib.messages.storage.session.SessionStorage"
    browser = admin_as("superuser")
    created = browser.post(f"{TOKENS}add/", {"name": "dialer"})
    assert created.status_code == 302
    shown = browser.get(created["Location"])
    raw = re.search(r"<code>([^<]+)</code>", shown.content.decode())[1]
    assert len(raw) > 20
    storage = CookieStorage(shown.wsgi_request)
    for response in (created, shown):
        for name, morsel in response.cookies.items():
            assert raw not in morsel.value, name
            decoded = storage._decode(morsel.value)
            assert raw not in repr(decoded), name
    # Shown once: the next page no longer has it.
    assert raw not in browser.get(TOKENS).content.decode()


# --- 5. production needs a SECRET_KEY long enough to sign with ------------------------------


@pytest.mark.parametrize("key", ["x", "s3cret", "a" * 49])
def test_it_refuses_a_short_secret_key_in_production(key):
    assert refused(SECRET_KEY=key) == (
        "SECRET_KEY must be at least 50 characters when DEBUG is off"
    )


def test_it_accepts_a_long_secret_key_in_production_and_any_key_with_debug_on():
    assert settings_with(SECRET_KEY="k" * 50)["SECRET_KEY"] == "k" * 50
    assert settings_with(DEBUG="1", SECRET_KEY="x")["SECRET_KEY"] == "x"
