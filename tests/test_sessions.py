"""The Session API end to end (docs/wire.md section 2): login, validate, logout, change password,
rolling expiry and failed-login throttling."""

import json
import re
from datetime import timedelta

import pytest
from django.utils import timezone

from livevox_site.audit import Actor
from livevox_site.models import AuditEntry, FailedLogin, LVSession
from livevox_site.services import access_token_create, access_token_revoke

from .conftest import PASSWORD

# One answer to every failed login, whichever part was wrong.
INVALID_CREDENTIALS = {
    "code": 401,
    "message": "Invalid client, user name, password or access token",
}
UUID = re.compile(r"^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$")


def login(http, token: str | None, body: dict | None = None, path="/session/login", **headers):
    body = (
        {"clientName": "ACME", "userName": "manager", "password": PASSWORD}
        if body is None
        else body
    )
    if token is not None:
        headers.setdefault("HTTP_LV_ACCESS", token)
    return http.post(path, json.dumps(body), content_type="application/json", **headers)


def session_id(response) -> str:
    assert response.status_code == 200, response.content
    return response.json()["sessionId"]


# --- login ----------------------------------------------------------------------------------


def test_it_logs_in_with_compact_json_session_id_first(client, manager, token_a):
    response = login(client, token_a)
    assert response.status_code == 200
    assert response["Content-Type"] == "application/json"
    assert response.content.startswith(b'{"sessionId":"')
    body = json.loads(response.content)
    assert list(body) == ["sessionId", "userId", "clientId", "daysUntilPasswordExpires"]
    assert UUID.match(body["sessionId"])
    assert body == {
        "sessionId": body["sessionId"],
        "userId": manager.pk,
        "clientId": 4199,
        "daysUntilPasswordExpires": 90,
    }
    # Compact: no blanks between tokens, as the vendor answers.
    assert b": " not in response.content and b", " not in response.content
    session = LVSession.objects.get(key=body["sessionId"])
    assert (session.user, session.agent) == (manager, False)


def test_it_counts_down_the_days_until_the_password_expires(client, manager, token_a):
    manager.password_changed_at = timezone.now() - timedelta(days=80, hours=1)
    manager.save(update_fields=["password_changed_at"])
    assert login(client, token_a).json()["daysUntilPasswordExpires"] == 10
    manager.password_changed_at = timezone.now() - timedelta(days=200)
    manager.save(update_fields=["password_changed_at"])
    assert login(client, token_a).json()["daysUntilPasswordExpires"] == 0


def test_it_matches_the_client_name_case_insensitively(client, manager, token_a):
    for name in ("acme", "Acme", " ACME "):
        body = {"clientName": name, "userName": "manager", "password": PASSWORD}
        assert login(client, token_a, body).status_code == 200, name


def test_it_accepts_a_versioned_path_and_a_trailing_slash(client, manager, token_a):
    first = session_id(login(client, token_a))
    assert session_id(login(client, token_a, path="/session/v5.0/login")) == first
    assert session_id(login(client, token_a, path="/session/login/")) == first
    assert session_id(login(client, token_a, path="/session/v5.0/login/")) == first


def test_it_accepts_the_access_token_as_a_bearer_token(client, manager, token_a):
    response = login(client, None, HTTP_AUTHORIZATION=f"Bearer {token_a}")
    assert response.status_code == 200
    assert LVSession.objects.get(key=response.json()["sessionId"]).access_token.prefix == "token-a"


@pytest.mark.parametrize(
    "headers",
    [
        {},
        {"HTTP_LV_ACCESS": "no-such-token"},
        {"HTTP_AUTHORIZATION": "Bearer no-such-token"},
        {"HTTP_AUTHORIZATION": "Basic token-a"},
    ],
    ids=["missing", "unknown", "unknown bearer", "not bearer"],
)
def test_it_refuses_login_without_a_valid_access_token(client, manager, token_a, headers):
    response = login(client, None, **headers)
    assert response.status_code == 401
    assert response.json() == INVALID_CREDENTIALS
    assert LVSession.objects.count() == 0


def test_it_refuses_a_revoked_access_token_and_ends_its_sessions(client, manager, token_a):
    old = session_id(login(client, token_a))
    token = LVSession.objects.get(key=old).access_token
    access_token_revoke(actor=Actor.command("test"), token=token)
    response = login(client, token_a)
    assert response.status_code == 401
    assert response.json() == INVALID_CREDENTIALS
    assert client.get(f"/session/validate/{old}").status_code == 404


def test_it_refuses_an_access_token_of_another_client(client, manager, token_a, token_b):
    response = login(client, token_b)
    assert response.status_code == 401
    assert response.json() == INVALID_CREDENTIALS


@pytest.mark.parametrize(
    "body",
    [
        {"clientName": "ACME", "userName": "manager", "password": "wrong"},
        {"clientName": "BETA", "userName": "manager", "password": PASSWORD},
        {"clientName": "ACME", "userName": "nobody", "password": PASSWORD},
        {"clientName": "ACME", "userName": "MANAGER", "password": PASSWORD},
    ],
    ids=["wrong password", "wrong client", "unknown user", "user name case"],
)
def test_it_refuses_bad_credentials(client, manager, token_a, client_b, body):
    response = login(client, token_a, body)
    assert response.status_code == 401
    assert response.json() == INVALID_CREDENTIALS


def test_it_refuses_an_inactive_user(client, manager, token_a):
    manager.is_active = False
    manager.save()
    assert login(client, token_a).status_code == 401


@pytest.mark.parametrize(
    "body, message",
    [
        ({}, "clientName is required"),
        ({"clientName": "ACME", "password": PASSWORD}, "userName is required"),
        ({"clientName": "ACME", "userName": "manager", "password": ""}, "password is required"),
        ({"clientName": "ACME", "userName": ["manager"], "password": "x"}, "userName is required"),
        (
            {"clientName": "ACME", "userName": "manager", "password": PASSWORD, "agent": "maybe"},
            "agent must be true or false",
        ),
    ],
)
def test_it_answers_400_code_202_to_incomplete_credentials(client, token_a, body, message):
    response = login(client, token_a, body)
    assert response.status_code == 400
    assert response.json() == {"code": 202, "message": message}


def test_it_answers_400_to_a_body_that_is_not_an_object(client, token_a):
    response = client.post(
        "/session/login", "[1, 2]", content_type="application/json", HTTP_LV_ACCESS=token_a
    )
    assert response.status_code == 400
    assert response.json() == {"code": 202, "message": "The request body must be a JSON object"}


def test_it_ignores_unknown_fields_in_the_login_body(client, manager, token_a):
    body = {
        "clientName": "ACME",
        "userName": "manager",
        "password": PASSWORD,
        "id": 0,
        "clientId": None,
    }
    assert login(client, token_a, body).status_code == 200


def test_it_returns_the_same_session_for_the_same_user_and_token(client, manager, token_a):
    first = session_id(login(client, token_a))
    assert session_id(login(client, token_a)) == first
    assert LVSession.objects.count() == 1


def test_it_opens_another_session_for_another_token_or_kind(client, manager, token_a):
    other = access_token_create(actor=Actor.command("test"), client=manager.client, name="2")[1]
    first = session_id(login(client, token_a))
    by_other_token = session_id(login(client, other))
    as_agent = session_id(
        login(
            client,
            token_a,
            {"clientName": "ACME", "userName": "manager", "password": PASSWORD, "agent": True},
        )
    )
    assert len({first, by_other_token, as_agent}) == 3
    assert LVSession.objects.count() == 3


def test_it_opens_another_session_for_another_user(client, manager, it_user, token_a):
    first = session_id(login(client, token_a))
    body = {"clientName": "ACME", "userName": "it_user", "password": PASSWORD}
    assert session_id(login(client, token_a, body)) != first


@pytest.mark.parametrize(
    "flag",
    [{"agent": True}, {"agent": "true"}, {"isAgent": "true"}, {"isAgent": True}],
    ids=["agent", "agent string", "isAgent string", "isAgent"],
)
def test_it_opens_an_agent_session_when_asked(client, manager, token_a, flag):
    body = {"clientName": "ACME", "userName": "manager", "password": PASSWORD, **flag}
    assert LVSession.objects.get(key=session_id(login(client, token_a, body))).agent is True


@pytest.mark.parametrize("flag", [{"agent": False}, {"agent": "false"}, {"agent": ""}, {}])
def test_it_opens_a_normal_session_otherwise(client, manager, token_a, flag):
    body = {"clientName": "ACME", "userName": "manager", "password": PASSWORD, **flag}
    assert LVSession.objects.get(key=session_id(login(client, token_a, body))).agent is False


def test_it_records_the_last_login(client, manager, token_a):
    assert manager.last_login is None
    login(client, token_a)
    manager.refresh_from_db()
    assert manager.last_login is not None


# --- validate -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "path",
    [
        "/session/validate/{id}",
        "/session/validate?sessionId={id}",
        "/session/validate?SessionId={id}",
        "/session/validate?sessionid={id}",
        "/session/v5.0/validate/{id}",
        "/session/validate/{id}/",
    ],
)
def test_it_validates_a_live_session_with_204_and_no_body(client, manager, token_a, path):
    key = session_id(login(client, token_a))
    response = client.get(path.format(id=key))
    assert response.status_code == 204
    assert response.content == b""
    assert "Content-Type" not in response


@pytest.mark.parametrize(
    "path",
    [
        "/session/validate/not-a-session",
        "/session/validate?sessionId=not-a-session",
        "/session/validate?sessionId=",
        "/session/validate",
    ],
)
def test_it_answers_404_to_an_unknown_session(client, manager, token_a, path):
    login(client, token_a)
    assert client.get(path).status_code == 404


def test_it_validates_without_any_header(client, manager, token_a):
    key = session_id(login(client, token_a))
    assert client.generic("GET", f"/session/validate/{key}").status_code == 204


def test_it_does_not_validate_a_session_of_an_inactive_user(client, manager, token_a):
    key = session_id(login(client, token_a))
    manager.is_active = False
    manager.save()
    assert client.get(f"/session/validate/{key}").status_code == 404


# --- rolling expiry -------------------------------------------------------------------------


def age(key: str, **delta) -> None:
    LVSession.objects.filter(key=key).update(last_used_at=timezone.now() - timedelta(**delta))


def test_it_expires_a_session_unused_for_two_hours(client, manager, token_a):
    key = session_id(login(client, token_a))
    age(key, hours=2, seconds=1)
    assert client.get(f"/session/validate/{key}").status_code == 404
    assert client.get(f"/session/validate?sessionId={key}").status_code == 404


def test_it_keeps_a_session_used_within_two_hours(client, manager, token_a):
    key = session_id(login(client, token_a))
    age(key, hours=1, minutes=59)
    assert client.get(f"/session/validate/{key}").status_code == 204


def test_it_opens_a_new_session_when_the_old_one_expired(client, manager, token_a):
    old = session_id(login(client, token_a))
    age(old, hours=3)
    new = session_id(login(client, token_a))
    assert new != old
    assert list(LVSession.objects.values_list("key", flat=True)) == [new]


def test_it_renews_the_session_on_a_second_login(client, manager, token_a):
    key = session_id(login(client, token_a))
    age(key, hours=1, minutes=59)
    assert session_id(login(client, token_a)) == key
    renewed = LVSession.objects.get(key=key).last_used_at
    assert timezone.now() - renewed < timedelta(seconds=5)


@pytest.mark.urls("tests.urls_conventions")
class TestSessionOnApiCalls:
    """LV-Session on an ordinary API call (a tiny viewset from tests/urls_conventions.py)."""

    path = "/compliance/services?offset=0&count=1"

    def test_it_accepts_a_live_session(self, client, manager, token_a):
        key = session_id(login(client, token_a))
        response = client.get(self.path, HTTP_LV_SESSION=key)
        assert response.status_code == 200
        assert response.json() == {
            "service": [{"id": 11458, "clientId": 4199, "name": "S11458"}],
            "next": "compliance/services?offset=1&count=1",
        }

    def test_it_ignores_the_access_token_on_other_calls(self, client, manager, token_a):
        key = session_id(login(client, token_a))
        response = client.get(self.path, HTTP_LV_SESSION=key, HTTP_LV_ACCESS="garbage")
        assert response.status_code == 200

    def test_it_answers_401_without_a_session(self, client, manager):
        response = client.get(self.path)
        assert response.status_code == 401
        assert response.json() == {"code": 401, "message": "A valid LV-Session header is required"}
        assert response["WWW-Authenticate"] == "LV-Session"

    def test_it_answers_401_to_an_unknown_session(self, client, manager):
        response = client.get(self.path, HTTP_LV_SESSION="not-a-session")
        assert response.status_code == 401
        assert response.json() == {"code": 401, "message": "Session is invalid or has expired"}

    def test_it_answers_401_to_an_expired_session(self, client, manager, token_a):
        key = session_id(login(client, token_a))
        age(key, hours=2, seconds=1)
        response = client.get(self.path, HTTP_LV_SESSION=key)
        assert response.status_code == 401
        assert response.json() == {"code": 401, "message": "Session is invalid or has expired"}

    def test_it_moves_the_expiry_forward_on_use(self, client, manager, token_a):
        key = session_id(login(client, token_a))
        age(key, hours=1, minutes=59)
        assert client.get(self.path, HTTP_LV_SESSION=key).status_code == 200
        touched = LVSession.objects.get(key=key).last_used_at
        assert timezone.now() - touched < timedelta(seconds=5)
        # Two more hours from that use, less a little, and it still works.
        age(key, hours=1, minutes=59)
        assert client.get(self.path, HTTP_LV_SESSION=key).status_code == 200

    def test_it_answers_401_after_logout(self, client, manager, token_a):
        key = session_id(login(client, token_a))
        client.delete(f"/session/logout/{key}")
        assert client.get(self.path, HTTP_LV_SESSION=key).status_code == 401

    def test_it_answers_401_after_the_token_was_revoked(self, client, manager, token_a):
        key = session_id(login(client, token_a))
        access_token_revoke(
            actor=Actor.command("test"), token=LVSession.objects.get(key=key).access_token
        )
        assert client.get(self.path, HTTP_LV_SESSION=key).status_code == 401

    def test_it_answers_401_when_the_user_was_deactivated(self, client, manager, token_a):
        key = session_id(login(client, token_a))
        manager.is_active = False
        manager.save()
        assert client.get(self.path, HTTP_LV_SESSION=key).status_code == 401

    def test_it_records_the_session_and_token_in_the_audit_log(self, client, superuser, token_a):
        key = session_id(
            login(
                client,
                token_a,
                {"clientName": "ACME", "userName": "superuser", "password": PASSWORD},
            )
        )
        response = client.post(
            "/compliance/services",
            {"name": "new"},
            content_type="application/json",
            HTTP_LV_SESSION=key,
        )
        assert response.status_code == 201, response.content
        entry = AuditEntry.objects.get(action="test.service.added")
        assert (entry.source, entry.actor_id, entry.actor_name) == (
            "api",
            superuser.pk,
            "superuser@ACME",
        )
        assert (entry.actor_session, entry.actor_token) == (key[:8], "token-a")


# --- logout ---------------------------------------------------------------------------------


def test_it_logs_out_with_an_empty_204_and_no_headers_at_all(client, manager, token_a):
    key = session_id(login(client, token_a))
    response = client.generic("DELETE", f"/session/logout/{key}")
    assert response.status_code == 204
    assert response.content == b""
    assert "Content-Type" not in response
    assert not LVSession.objects.filter(key=key).exists()
    assert client.get(f"/session/validate/{key}").status_code == 404


@pytest.mark.parametrize(
    "path", ["/session/logout/not-a-session", "/session/v5.0/logout/not-a-session/"]
)
def test_it_logs_out_an_unknown_session_with_204(client, manager, token_a, path):
    key = session_id(login(client, token_a))
    response = client.generic("DELETE", path)
    assert response.status_code == 204
    assert response.content == b""
    assert LVSession.objects.filter(key=key).exists()


def test_it_tolerates_a_body_and_headers_on_logout(client, manager, token_a):
    key = session_id(login(client, token_a))
    response = client.generic(
        "DELETE",
        f"/session/logout/{key}",
        '{"sessionId": "x"}',
        content_type="application/json",
        HTTP_LV_SESSION=key,
        HTTP_LV_ACCESS=token_a,
    )
    assert response.status_code == 204
    assert response.content == b""


def test_it_answers_405_to_a_get_on_logout(client):
    response = client.get("/session/logout/x")
    assert response.status_code == 405
    assert response.json() == {"code": 405, "message": 'Method "GET" not allowed.'}


# --- change password ------------------------------------------------------------------------


def change_password(http, current=PASSWORD, new="a much better passphrase", **extra):
    body = {
        "clientName": "ACME",
        "userName": "manager",
        "password": current,
        "newPassword": new,
        "agent": False,
        **extra,
    }
    return http.post("/session/password", json.dumps(body), content_type="application/json")


def test_it_changes_the_password(client, manager, token_a):
    manager.password_changed_at = timezone.now() - timedelta(days=85)
    manager.save(update_fields=["password_changed_at"])
    response = change_password(client)
    assert response.status_code == 204
    assert response.content == b""
    assert login(client, token_a).status_code == 401
    new_login = login(
        client,
        token_a,
        {"clientName": "ACME", "userName": "manager", "password": "a much better passphrase"},
    )
    assert new_login.json()["daysUntilPasswordExpires"] == 90
    entry = AuditEntry.objects.get(action="site.user.password_changed")
    assert (entry.object_id, entry.actor_id, entry.before, entry.after) == (
        str(manager.pk),
        manager.pk,
        None,
        None,
    )


def test_it_refuses_to_change_with_a_wrong_current_password(client, manager):
    response = change_password(client, current="wrong")
    assert response.status_code == 401
    assert response.json() == INVALID_CREDENTIALS
    manager.refresh_from_db()
    assert manager.check_password(PASSWORD)


@pytest.mark.parametrize(
    "new, message",
    [
        (
            "short",
            "newPassword: This password is too short. It must contain at least 8 characters.",
        ),
        ("90817263545", "newPassword: This password is entirely numeric."),
        ("password123", "newPassword: This password is too common."),
    ],
)
def test_it_refuses_a_weak_new_password(client, manager, new, message):
    response = change_password(client, new=new)
    assert response.status_code == 400
    assert response.json() == {"code": 202, "message": message}
    manager.refresh_from_db()
    assert manager.check_password(PASSWORD)


def test_it_requires_the_new_password(client, manager):
    response = change_password(client, new="")
    assert response.status_code == 400
    assert response.json() == {"code": 202, "message": "newPassword is required"}


# --- throttling -----------------------------------------------------------------------------


def fail(http, token, times: int, user="manager", client_name="ACME") -> None:
    for _ in range(times):
        body = {"clientName": client_name, "userName": user, "password": "wrong"}
        assert login(http, token, body).status_code == 401


def test_it_throttles_a_user_after_five_failures(client, manager, superuser, token_a, settings):
    assert settings.LV_LOGIN_MAX_FAILURES == 5
    fail(client, token_a, 4)
    assert login(client, token_a).status_code == 200
    fail(client, token_a, 1)
    response = login(client, token_a)
    assert response.status_code == 429
    assert response.json() == {
        "code": 429,
        "message": "Too many failed login attempts; try again later",
    }
    # The right password does not get through either, nor a password change.
    assert change_password(client).status_code == 429
    # Another user of the same client is not affected.
    body = {"clientName": "ACME", "userName": "superuser", "password": PASSWORD}
    assert login(client, token_a, body).status_code == 200


def test_it_lets_the_user_in_again_after_the_window(client, manager, token_a, settings):
    fail(client, token_a, 5)
    assert login(client, token_a).status_code == 429
    window = timedelta(seconds=settings.LV_LOGIN_FAILURE_WINDOW_SECONDS)
    FailedLogin.objects.update(at=timezone.now() - window - timedelta(seconds=1))
    assert login(client, token_a).status_code == 200


def test_it_cannot_be_dodged_by_spelling_the_names_differently(client, manager, token_a):
    fail(client, token_a, 5)
    for client_name, user in [("acme", "manager"), (" ACME", "manager"), ("ACME", " manager ")]:
        body = {"clientName": client_name, "userName": user, "password": PASSWORD}
        assert login(client, token_a, body).status_code == 429, (client_name, user)


def test_it_throttles_an_address_after_its_own_limit(client, manager, it_user, token_a, settings):
    for n in range(settings.LV_LOGIN_MAX_FAILURES_PER_ADDRESS):
        fail(client, token_a, 1, user=f"guess{n}")
    assert login(client, token_a).status_code == 429
    other_address = login(client, token_a, REMOTE_ADDR="10.0.0.9")
    assert other_address.status_code == 200


def test_it_throttles_the_admin_login_the_same_way(client, manager, superuser, token_a):
    fail(client, token_a, 5, user="superuser")
    response = client.post(
        "/admin/login/",
        {"client_code": "ACME", "username": "superuser", "password": PASSWORD},
    )
    assert response.status_code == 200
    assert "Too many failed login attempts; try again later." in response.content.decode()
    assert "_auth_user_id" not in client.session


def test_it_counts_failed_admin_logins_for_the_api_too(client, superuser, token_a):
    for _ in range(5):
        form = {"client_code": "acme", "username": "superuser", "password": "x"}
        client.post("/admin/login/", form)
    body = {"clientName": "ACME", "userName": "superuser", "password": PASSWORD}
    assert login(client, token_a, body).status_code == 429
