"""The admin's tenant guard with Django's test client: login by client code, scoped lists and
pages, role-limited user management, client stamping, access tokens."""

import re

import pytest
from django.contrib.messages import get_messages
from django.test import Client as BrowserClient

from livevox_site.models import AccessToken, Service, User
from livevox_site.roles import Role

from .conftest import PASSWORD, SERVICES_A, SERVICES_B

SERVICES = "/admin/livevox_site/service/"
USERS = "/admin/livevox_site/user/"
TOKENS = "/admin/livevox_site/accesstoken/"
CLIENTS = "/admin/livevox_site/client/"


def listed_ids(response) -> list:
    assert response.status_code == 200, response.status_code
    return sorted(response.context["cl"].result_list.values_list("pk", flat=True))


def form_of(response):
    return response.context["adminform"].form


def messages_of(response) -> list[str]:
    return [str(m) for m in get_messages(response.wsgi_request)]


# --- login ----------------------------------------------------------------------------------


def test_it_asks_for_the_client_code_on_the_login_page(client, client_a):
    response = client.get("/admin/login/")
    assert response.status_code == 200
    html = response.content.decode()
    assert re.search(r'<input[^>]+name="client_code"[^>]*required', html)
    assert html.index('name="client_code"') < html.index('name="username"')
    assert html.index('name="username"') < html.index('name="password"')


def test_it_logs_in_with_client_code_user_name_and_password(client, manager):
    response = client.post(
        "/admin/login/?next=/admin/",
        {"client_code": "acme", "username": "manager", "password": PASSWORD, "next": "/admin/"},
    )
    assert response.status_code == 302
    assert response["Location"] == "/admin/"
    assert client.session["_auth_user_id"] == str(manager.pk)
    assert client.get("/admin/").status_code == 200


@pytest.mark.parametrize(
    "form",
    [
        {"client_code": "BETA", "username": "manager", "password": PASSWORD},
        {"client_code": "NOPE", "username": "manager", "password": PASSWORD},
        {"client_code": "ACME", "username": "manager", "password": "wrong"},
        {"username": "manager", "password": PASSWORD},
    ],
    ids=["other client", "unknown client", "wrong password", "no client code"],
)
def test_it_refuses_a_wrong_client_code_or_password(client, manager, client_b, form):
    response = client.post("/admin/login/", form)
    assert response.status_code == 200
    assert "_auth_user_id" not in client.session
    assert response.context["form"].errors


def test_it_names_the_client_code_in_the_login_error(client, manager, client_b):
    response = client.post(
        "/admin/login/", {"client_code": "BETA", "username": "manager", "password": PASSWORD}
    )
    assert response.context["form"].non_field_errors() == [
        "Please enter the correct client code, user name and password."
    ]


def test_it_keeps_agents_out_of_the_admin(client, agent):
    response = client.post(
        "/admin/login/", {"client_code": "ACME", "username": "agent", "password": PASSWORD}
    )
    assert response.status_code == 200
    assert "_auth_user_id" not in client.session
    forced = BrowserClient()
    forced.force_login(agent)
    assert forced.get("/admin/").status_code == 302


def test_it_logs_in_users_with_the_same_name_in_two_clients(client, client_a, client_b):
    a = User.objects.create_user("pat", PASSWORD, client=client_a, role=Role.MANAGER)
    b = User.objects.create_user("pat", "another long pass", client=client_b, role=Role.MANAGER)
    client.post("/admin/login/", {"client_code": "BETA", "username": "pat", "password": PASSWORD})
    assert "_auth_user_id" not in client.session
    form = {"client_code": "BETA", "username": "pat", "password": "another long pass"}
    client.post("/admin/login/", form)
    assert client.session["_auth_user_id"] == str(b.pk) != str(a.pk)


# --- services -------------------------------------------------------------------------------


def test_it_shows_a_manager_only_their_clients_services(admin_as, client_b):
    assert listed_ids(admin_as("manager").get(SERVICES)) == sorted(SERVICES_A)


def test_it_hides_another_clients_service_page(admin_as, client_b):
    browser = admin_as("manager")
    response = browser.get(f"{SERVICES}93126/change/")
    assert response.status_code == 302
    assert response["Location"] == "/admin/"
    assert browser.get(f"{SERVICES}20180/change/").status_code == 200


def test_it_does_not_let_a_manager_edit_services(admin_as):
    browser = admin_as("manager")
    assert browser.get(f"{SERVICES}add/").status_code == 403
    response = browser.post(f"{SERVICES}20180/change/", {"name": "renamed"})
    assert response.status_code == 403
    assert Service.objects.get(pk=20180).name == "S20180"


def test_it_stamps_a_superusers_new_service_with_their_client(admin_as, client_b):
    browser = admin_as("superuser")
    page = browser.get(f"{SERVICES}add/")
    assert page.status_code == 200
    assert list(form_of(page).fields) == ["name"]  # only Sysadmins pick ids
    response = browser.post(f"{SERVICES}add/", {"name": "New service"})
    assert response.status_code == 302, form_of(response).errors
    service = Service.objects.get(name="New service")
    assert service.client_id == 4199


def test_it_ignores_a_client_posted_by_a_superuser(admin_as, client_b):
    browser = admin_as("superuser")
    response = browser.post(f"{SERVICES}add/", {"name": "Sneaky", "client": "93119"})
    assert response.status_code == 302
    assert Service.objects.get(name="Sneaky").client_id == 4199


def test_it_keeps_a_livevox_service_id(admin_as):
    browser = admin_as("sysadmin")
    response = browser.post(
        f"{SERVICES}add/", {"client": "4199", "name": "Kept", "new_id": "77777"}
    )
    assert response.status_code == 302
    assert Service.objects.get(pk=77777).name == "Kept"
    taken = browser.post(f"{SERVICES}add/", {"client": "4199", "name": "Again", "new_id": "77777"})
    assert form_of(taken).errors == {"new_id": ["This id is already taken."]}
    # The next id without one comes after it, on PostgreSQL too.
    browser.post(f"{SERVICES}add/", {"client": "4199", "name": "Next"})
    assert Service.objects.get(name="Next").pk > 77777


def test_it_does_not_let_a_superuser_pick_an_id(admin_as):
    # Ids are global: picking one would tell which ids other clients hold.
    browser = admin_as("superuser")
    response = browser.post(f"{SERVICES}add/", {"name": "Mine", "new_id": "93126"})
    assert response.status_code == 302
    assert Service.objects.get(name="Mine").pk != 93126


def test_it_does_not_let_a_superuser_edit_another_clients_service(admin_as, client_b):
    response = admin_as("superuser").post(f"{SERVICES}93126/change/", {"name": "stolen"})
    assert response.status_code == 302
    assert Service.objects.get(pk=93126).name == "S93126"


def test_it_shows_a_sysadmin_every_client_and_lets_them_choose(admin_as, client_b):
    browser = admin_as("sysadmin")
    assert listed_ids(browser.get(SERVICES)) == sorted(SERVICES_A + SERVICES_B)
    assert listed_ids(browser.get(f"{SERVICES}?client__id__exact=93119")) == sorted(SERVICES_B)
    page = browser.get(f"{SERVICES}add/")
    assert list(form_of(page).fields) == ["new_id", "client", "name"]
    response = browser.post(f"{SERVICES}add/", {"name": "For B", "client": "93119"})
    assert response.status_code == 302
    assert Service.objects.get(name="For B").client_id == 93119
    assert listed_ids(browser.get(CLIENTS)) == [4199, 93119]


def test_it_shows_a_superuser_only_their_own_client(admin_as, client_b):
    browser = admin_as("superuser")
    assert listed_ids(browser.get(CLIENTS)) == [4199]
    assert browser.get(f"{CLIENTS}93119/change/").status_code == 302
    assert browser.get(f"{CLIENTS}add/").status_code == 403


# --- users ----------------------------------------------------------------------------------


def test_it_shows_a_superuser_their_clients_users_below_sysadmin(admin_as, persona):
    browser = admin_as("superuser")
    for name in ("sysadmin", "manager", "agent", "it_user", "outsider", "outsider_sysadmin"):
        persona(name)
    users = User.objects.filter(client_id=4199).exclude(role=Role.SYSADMIN)
    expected = sorted(users.values_list("pk", flat=True))
    assert len(expected) == 4
    assert listed_ids(browser.get(USERS)) == expected


def test_it_hides_other_clients_and_higher_roles_user_pages(admin_as, persona):
    browser = admin_as("superuser")
    for name in ("outsider", "sysadmin"):
        user = persona(name)
        assert browser.get(f"{USERS}{user.pk}/change/").status_code == 302
        assert browser.get(f"{USERS}{user.pk}/password/").status_code == 404


def test_it_does_not_offer_the_sysadmin_role_to_a_superuser(admin_as):
    page = admin_as("superuser").get(f"{USERS}add/")
    assert page.status_code == 200
    assert [value for value, _ in form_of(page).fields["role"].choices] == [
        "SUPERUSER",
        "MANAGER",
        "IT_USER",
        "AGENT",
    ]
    assert "client" not in form_of(page).fields


def user_form(username: str, role: str = "MANAGER", **extra) -> dict:
    return {
        "username": username,
        "password1": "a long enough passphrase",
        "password2": "a long enough passphrase",
        "role": role,
        **extra,
    }


def test_it_refuses_a_sysadmin_role_posted_by_a_superuser(admin_as):
    response = admin_as("superuser").post(f"{USERS}add/", user_form("boss", "SYSADMIN"))
    assert response.status_code == 200
    assert "role" in form_of(response).errors
    assert not User.objects.filter(username="boss").exists()


def test_it_creates_a_user_in_the_superusers_client(admin_as):
    browser = admin_as("superuser")
    response = browser.post(f"{USERS}add/", user_form("newbie", power_edit_dnc="on"))
    assert response.status_code == 302, form_of(response).errors
    user = User.objects.get(username="newbie")
    assert (user.client_id, user.role, user.powers, user.is_staff) == (
        4199,
        Role.MANAGER,
        ["Edit DNC Lists"],
        True,
    )
    assert user.check_password("a long enough passphrase")
    assert sorted(user.groups.values_list("name", flat=True)) == [
        "Manager",
        "Power: Edit DNC Lists",
    ]


def test_it_reports_a_duplicate_user_name_in_the_same_client_as_a_form_error(admin_as, persona):
    persona("manager")
    persona("outsider")  # a user named "outsider" in client B
    browser = admin_as("superuser")
    response = browser.post(f"{USERS}add/", user_form("manager"))
    assert response.status_code == 200
    assert form_of(response).errors == {
        "__all__": ["User with this Client and Username already exists."]
    }
    assert User.objects.filter(username="manager").count() == 1
    elsewhere = browser.post(f"{USERS}add/", user_form("outsider"))
    assert elsewhere.status_code == 302, form_of(elsewhere).errors
    assert sorted(User.objects.filter(username="outsider").values_list("client_id", flat=True)) == [
        4199,
        93119,
    ]


def test_it_lets_a_sysadmin_create_a_user_in_any_client(admin_as, client_b):
    browser = admin_as("sysadmin")
    page = browser.get(f"{USERS}add/")
    assert "SYSADMIN" in [value for value, _ in form_of(page).fields["role"].choices]
    response = browser.post(f"{USERS}add/", user_form("b_admin", "SYSADMIN", client="93119"))
    assert response.status_code == 302, form_of(response).errors
    assert User.objects.get(username="b_admin").client_id == 93119


def test_it_lets_a_superuser_change_a_users_role(admin_as, persona):
    manager = persona("manager")
    browser = admin_as("superuser")
    page = browser.get(f"{USERS}{manager.pk}/change/")
    assert page.status_code == 200
    form = {
        "username": "manager",
        "role": "IT_USER",
        "is_active": "on",
        "first_name": "",
        "last_name": "",
        "email": "",
    }
    response = browser.post(f"{USERS}{manager.pk}/change/", form)
    assert response.status_code == 302, form_of(response).errors
    manager.refresh_from_db()
    assert (manager.role, manager.client_id) == (Role.IT_USER, 4199)
    assert list(manager.groups.values_list("name", flat=True)) == ["IT User"]


@pytest.mark.parametrize("who", ["manager", "manager_with_dnc_power", "it_user"])
def test_it_refuses_the_user_admin_to_roles_without_user_rights(admin_as, who):
    browser = admin_as(who)
    assert browser.get(USERS).status_code == 403
    assert browser.get(f"{USERS}add/").status_code == 403


# --- access tokens --------------------------------------------------------------------------


def test_it_shows_a_new_access_token_once(admin_as, client_a):
    browser = admin_as("superuser")
    page = browser.get(f"{TOKENS}add/")
    assert list(form_of(page).fields) == ["name"]
    response = browser.post(f"{TOKENS}add/", {"name": "dialer"}, follow=True)
    assert response.status_code == 200
    (message,) = [m for m in messages_of(response) if "Copy it now" in m]
    raw = re.search(r"<code>([^<]+)</code>", message)[1]
    token = AccessToken.objects.get(name="dialer")
    assert (token.client_id, token.prefix, token.is_active) == (4199, raw[:8], True)
    assert raw not in browser.get(f"{TOKENS}{token.pk}/change/").content.decode()
    assert raw not in browser.get(TOKENS).content.decode()


def test_it_refuses_a_sixth_active_token_with_a_form_error(admin_as, token_a):
    browser = admin_as("superuser")
    for n in range(4):
        assert browser.post(f"{TOKENS}add/", {"name": f"t{n}"}).status_code == 302
    response = browser.post(f"{TOKENS}add/", {"name": "sixth"})
    assert response.status_code == 200
    assert form_of(response).errors == {
        "__all__": ["A client may have at most 5 active access tokens; revoke one first."]
    }
    assert AccessToken.objects.active().filter(client_id=4199).count() == 5


def test_it_revokes_tokens_with_the_admin_action(admin_as, token_a, token_b):
    browser = admin_as("superuser")
    mine = AccessToken.objects.get(prefix="token-a")
    theirs = AccessToken.objects.get(prefix="token-b")
    selected = {"action": "revoke_selected", "_selected_action": [str(mine.pk), str(theirs.pk)]}

    asked = browser.post(TOKENS, selected)
    mine.refresh_from_db()
    assert asked.status_code == 200 and mine.is_active  # it asks first, naming the consequence
    assert "can no longer log in" in asked.content.decode()
    assert "token-b" not in asked.content.decode()  # another client's token is not even named
    response = browser.post(TOKENS, {**selected, "confirm": "yes"})

    assert response.status_code == 302
    mine.refresh_from_db()
    theirs.refresh_from_db()
    assert (mine.is_active, theirs.is_active) == (False, True)
    # A revoked token frees a place.
    assert browser.post(f"{TOKENS}add/", {"name": "new"}).status_code == 302


def test_it_lets_a_sysadmin_create_a_token_for_another_client(admin_as, client_b):
    browser = admin_as("sysadmin")
    response = browser.post(f"{TOKENS}add/", {"name": "for B", "client": "93119"})
    assert response.status_code == 302
    assert AccessToken.objects.get(name="for B").client_id == 93119


def test_it_does_not_delete_tokens(admin_as, token_a):
    token = AccessToken.objects.get(prefix="token-a")
    assert admin_as("superuser").get(f"{TOKENS}{token.pk}/delete/").status_code == 403


def test_it_keeps_the_tokens_from_an_it_user(admin_as, token_a):
    browser = admin_as("it_user")
    token = AccessToken.objects.get(prefix="token-a")
    assert browser.get(TOKENS).status_code == 403
    assert browser.get(f"{TOKENS}{token.pk}/change/").status_code == 403
    assert browser.get(f"{TOKENS}add/").status_code == 403
