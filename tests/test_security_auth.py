"""Authentication and session security: sessions end with the password, throttling that cannot
lock a named user (or everyone) out from elsewhere, one answer to every bad login, access tokens
kept out of cookies, and a production SECRET_KEY long enough to sign with."""

import json

import pytest
from django.contrib.auth.hashers import PBKDF2PasswordHasher, make_password

from livevox_site.audit import Actor
from livevox_site.models import AuditEntry, LVSession, User
from livevox_site.services import access_token_create, session_login

from .conftest import PASSWORD
from .test_settings import refused, settings_with

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


# --- 5. production needs a SECRET_KEY long enough to sign with ------------------------------


@pytest.mark.parametrize("key", ["x", "s3cret", "a" * 49])
def test_it_refuses_a_short_secret_key_in_production(key):
    assert refused(SECRET_KEY=key) == (
        "SECRET_KEY must be at least 50 characters when DEBUG is off"
    )


def test_it_accepts_a_long_secret_key_in_production_and_any_key_with_debug_on():
    assert settings_with(SECRET_KEY="k" * 50)["SECRET_KEY"] == "k" * 50
    assert settings_with(DEBUG="1", SECRET_KEY="x")["SECRET_KEY"] == "x"
