"""The LV-Session lookup behind every API call (livevox_site/selectors.py): one raw query, no
cache, and the same answers as the ORM lookup it replaced."""

import json
from datetime import timedelta

import pytest
from django.test import RequestFactory
from django.utils import timezone

from livevox_site.audit import Actor
from livevox_site.auth import LVSessionAuthentication
from livevox_site.models import AccessToken, AuditEntry, LVSession, User
from livevox_site.selectors import session_get, session_is_usable
from livevox_site.services import access_token_revoke

from .conftest import PASSWORD

URL = "/configuration/dialingStrategies"
LIST = f"{URL}?offset=0&count=5"
INVALID = {"errorCode": 401, "errorMessage": "Session is invalid or has expired"}


@pytest.fixture
def warm(db):
    """On PostgreSQL the first lookup on a database connection also prepares its statement
    (livevox_site/rawsql.py); do that before counting."""
    session_get("warm-up")
    session_is_usable("warm-up")


def age(key: str, **delta) -> None:
    LVSession.objects.filter(key=key).update(last_used_at=timezone.now() - timedelta(**delta))


def revoke_in_place(key: str) -> None:
    # Not access_token_revoke, which also deletes the sessions: the lookup itself must refuse.
    token_id = LVSession.objects.get(key=key).access_token_id
    AccessToken.objects.filter(pk=token_id).update(revoked_at=timezone.now())


def deactivate_in_place(key: str) -> None:
    # Not User.save, which also ends the sessions: the lookup itself must refuse.
    User.objects.filter(lv_sessions__key=key).update(is_active=False)


BREAKS = {
    "unknown key": lambda key: None,
    "expired": lambda key: age(key, hours=2, seconds=1),
    "revoked token": revoke_in_place,
    "inactive user": deactivate_in_place,
}


def sent_key(case: str, key: str) -> str:
    return "not-a-session" if case == "unknown key" else key


def test_it_authenticates_a_fresh_session_in_one_query(power, warm, django_assert_num_queries):
    request = RequestFactory().get(LIST, HTTP_LV_SESSION=power.session_id)

    with django_assert_num_queries(1):
        user, session = LVSessionAuthentication().authenticate(request)

    # Everything the permission check, the tenant resolution and the audit read comes with it.
    with django_assert_num_queries(0):
        assert session.key == power.session_id
        assert session.user is user
        assert (user.username, user.client.code, str(user)) == (
            "manager_with_strategies_power",
            "ACME",
            "manager_with_strategies_power@ACME",
        )
        assert (user.is_sysadmin, user.is_active, user.power_dialing_strategies) == (
            False,
            True,
            True,
        )
        assert len(session.access_token.prefix) == 8
        assert session.agent is False


def test_it_loads_what_the_orm_loads(power, warm):
    found = session_get(power.session_id)
    orm = LVSession.objects.select_related("user__client", "access_token").get(key=power.session_id)

    def fields(obj) -> dict:
        return {name: value for name, value in vars(obj).items() if name != "_state"}

    for ours, theirs in (
        (found, orm),
        (found.user, orm.user),
        (found.user.client, orm.user.client),
        (found.access_token, orm.access_token),
    ):
        assert fields(ours) == fields(theirs)
        assert (ours._state.adding, ours._state.db) == (False, "default")


@pytest.mark.parametrize("case", BREAKS)
def test_it_refuses_each_failure_in_one_query(case, client, power, warm, django_assert_num_queries):
    BREAKS[case](power.session_id)

    with django_assert_num_queries(1):
        response = client.get(LIST, HTTP_LV_SESSION=sent_key(case, power.session_id))

    assert response.status_code == 401
    assert response.json() == INVALID
    assert response["WWW-Authenticate"] == "LV-Session"


@pytest.mark.parametrize("case", BREAKS)
def test_it_validates_each_failure_in_one_query(
    case, client, power, warm, django_assert_num_queries
):
    BREAKS[case](power.session_id)

    with django_assert_num_queries(1):
        response = client.get(f"/session/validate/{sent_key(case, power.session_id)}")

    assert response.status_code == 404


def test_it_validates_a_live_session_in_one_query(client, power, warm, django_assert_num_queries):
    with django_assert_num_queries(1):
        response = client.get(f"/session/validate/{power.session_id}")

    assert response.status_code == 204
    assert response.content == b""


def test_it_moves_the_expiry_at_most_once_a_minute(power, warm, django_assert_num_queries):
    request = RequestFactory().get(LIST, HTTP_LV_SESSION=power.session_id)
    age(power.session_id, seconds=30)
    before = LVSession.objects.get(key=power.session_id).last_used_at

    with django_assert_num_queries(1):
        LVSessionAuthentication().authenticate(request)
    assert LVSession.objects.get(key=power.session_id).last_used_at == before

    age(power.session_id, seconds=61)
    with django_assert_num_queries(2):  # the lookup, then the touch
        _user, session = LVSessionAuthentication().authenticate(request)
    touched = LVSession.objects.get(key=power.session_id).last_used_at
    assert touched == session.last_used_at
    assert timezone.now() - touched < timedelta(seconds=5)


def test_it_refuses_a_key_the_database_could_not_hold(client, power):
    # PostgreSQL refuses NUL in text: a 401 like any unknown key, not a 500.
    response = client.get(LIST, HTTP_LV_SESSION="abc\x00def")

    assert response.status_code == 401
    assert response.json() == INVALID


def test_it_refuses_the_session_on_the_request_right_after_logout(power):
    assert power.get(LIST).status_code == 200

    power.http.delete(f"/session/logout/{power.session_id}")

    assert power.get(LIST).json() == INVALID


def test_it_refuses_the_session_on_the_request_right_after_a_password_change(power):
    assert power.get(LIST).status_code == 200
    body = {
        "clientName": "ACME",
        "userName": "manager_with_strategies_power",
        "password": PASSWORD,
        "newPassword": "a new horse battery staple",
    }
    response = power.http.post(
        "/session/password", json.dumps(body), content_type="application/json"
    )
    assert response.status_code == 204

    assert power.get(LIST).json() == INVALID


def test_it_refuses_the_session_on_the_request_right_after_a_deactivation(power):
    assert power.get(LIST).status_code == 200
    user = User.objects.get(username="manager_with_strategies_power")
    user.is_active = False
    user.save()

    assert power.get(LIST).json() == INVALID


def test_it_refuses_the_session_on_the_request_right_after_its_token_is_revoked(power):
    assert power.get(LIST).status_code == 200
    token = LVSession.objects.get(key=power.session_id).access_token
    access_token_revoke(actor=Actor.command("test"), token=token)

    assert power.get(LIST).json() == INVALID


def test_it_records_the_session_and_token_prefixes_in_the_audit_log(power):
    response = power.post(URL, {"name": "Audited", "dialingSequenceItem": [1]})
    assert response.status_code == 201, response.content

    entry = AuditEntry.objects.get(action="strategies.strategy.created")
    session = LVSession.objects.select_related("access_token").get(key=power.session_id)
    assert (
        entry.source,
        entry.actor_id,
        entry.actor_name,
        entry.actor_session,
        entry.actor_token,
    ) == (
        "api",
        session.user_id,
        "manager_with_strategies_power@ACME",
        power.session_id[:8],
        session.access_token.prefix,
    )
    assert len(entry.actor_token) == 8
