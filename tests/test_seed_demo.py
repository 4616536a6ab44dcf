"""``manage.py seed_demo``: the demo tenants, users and tokens, idempotently."""

import json
from io import StringIO

import pytest
from django.apps import apps
from django.core.management import call_command

from livevox_site.audit import Actor
from livevox_site.models import AccessToken, Client, PhoneDncType, Service, User
from livevox_site.roles import Role
from livevox_site.services import access_token_revoke

pytestmark = pytest.mark.django_db

USERS = {
    # user name: (role, dialing-strategies power, edit-DNC power)
    "sysadmin": (Role.SYSADMIN, False, False),
    "superuser": (Role.SUPERUSER, False, False),
    "manager": (Role.MANAGER, False, False),
    "manager_strategies": (Role.MANAGER, True, False),
    "manager_dnc": (Role.MANAGER, False, True),
    "manager_all": (Role.MANAGER, True, True),
    "ituser": (Role.IT_USER, False, False),
    "agent": (Role.AGENT, False, False),
}


def seed() -> str:
    out = StringIO()
    call_command("seed_demo", stdout=out)
    return out.getvalue()


def counts() -> dict[str, int]:
    return {
        model._meta.label: model._default_manager.count()
        for model in apps.get_models()
        if model._meta.app_label in ("livevox_site", "strategies", "auth")
    }


def test_it_is_idempotent():
    seed()
    first = counts()
    assert first["livevox_site.Client"] == 2
    assert first["livevox_site.User"] == 16
    assert first["livevox_site.AccessToken"] == 2
    seed()
    assert counts() == first


def test_it_creates_the_two_demo_clients():
    seed()
    clients = list(Client.objects.values_list("id", "code", "phone_dnc_type", "time_zone"))
    assert clients == [
        (4199, "ACME", PhoneDncType.DIAL_TIME, "America/New_York"),
        (93119, "BETA", PhoneDncType.LEGACY, "America/Los_Angeles"),
    ]
    assert Service.objects.filter(client_id=4199, pk=20180).exists()
    assert sorted(Service.objects.filter(client_id=93119).values_list("pk", flat=True)) == [
        123,
        456,
        789,
        93126,
    ]


@pytest.mark.parametrize("client_id", [4199, 93119])
def test_it_creates_the_eight_users_in_each_client(client_id):
    seed()
    found = {
        user.username: (user.role, user.power_dialing_strategies, user.power_edit_dnc)
        for user in User.objects.filter(client_id=client_id)
    }
    assert found == USERS
    for user in User.objects.filter(client_id=client_id):
        assert user.check_password("livevox-demo"), user
        assert user.is_active
        assert user.is_staff == (user.role != Role.AGENT)
    manager_all = User.objects.get(client_id=client_id, username="manager_all")
    assert manager_all.has_perm("strategies.change_dialingstrategy")
    assert manager_all.powers == ["Dialing Strategies", "Edit DNC Lists"]


def test_it_puts_back_a_changed_demo_password_and_role():
    seed()
    user = User.objects.get(client_id=4199, username="manager")
    user.set_password("something else entirely")
    user.role = Role.AGENT
    user.save()
    seed()
    user.refresh_from_db()
    assert user.check_password("livevox-demo")
    assert user.role == Role.MANAGER


@pytest.mark.parametrize(
    "token, code, client_id",
    [("demo-token-acme", "ACME", 4199), ("demo-token-beta", "BETA", 93119)],
)
def test_it_makes_demo_tokens_that_log_in(client, token, code, client_id):
    seed()
    body = {"clientName": code, "userName": "manager_all", "password": "livevox-demo"}
    response = client.post(
        "/session/login", json.dumps(body), content_type="application/json", HTTP_LV_ACCESS=token
    )
    assert response.status_code == 200, response.content
    assert response.json()["clientId"] == client_id


def test_it_does_not_accept_one_clients_demo_token_for_the_other(client):
    seed()
    body = {"clientName": "BETA", "userName": "manager_all", "password": "livevox-demo"}
    response = client.post(
        "/session/login",
        json.dumps(body),
        content_type="application/json",
        HTTP_LV_ACCESS="demo-token-acme",
    )
    assert response.status_code == 401


def test_it_restores_a_revoked_demo_token():
    seed()
    token = AccessToken.objects.get(client_id=4199)
    access_token_revoke(actor=Actor.command("test"), token=token)
    seed()
    assert AccessToken.objects.active().filter(client_id=4199).count() == 1
    token.refresh_from_db()
    assert token.is_active


def test_it_prints_the_demo_logins():
    out = seed()
    assert "Demo logins (every password: livevox-demo)" in out
    assert "client 4199  code ACME  access token demo-token-acme" in out
    assert "users in each client: sysadmin, superuser, manager, manager_strategies" in out


def test_it_prints_the_logins_at_the_port_make_run_serves(db):
    out = StringIO()
    call_command("seed_demo", "--base-url", "http://127.0.0.1:8123", stdout=out)
    assert "http://127.0.0.1:8123/admin/" in out.getvalue()
    assert "8000" not in out.getvalue()
