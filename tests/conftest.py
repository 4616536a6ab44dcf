"""Personas and API helpers shared by every test.

Client A is 4199 (ACME, Dial-Time), client B is 93119 (BETA, Legacy), as in the spec's
examples. Personas live in client A; ``outsider`` is a Superuser of client B and
``outsider_sysadmin`` a Sysadmin of client B (who may act for any client).
"""

import json

import pytest
from rest_framework.test import APIClient

from livevox_site.audit import Actor
from livevox_site.models import (
    AccessToken,
    Client,
    PhoneDncType,
    Service,
    User,
    sync_id_sequence,
)
from livevox_site.roles import Role
from livevox_site.services import access_token_create, session_login

PASSWORD = "correct horse battery"
SERVICES_A = [20180, 18892, 17797, 17885, 26881, 11458, 20575, 30853]
SERVICES_B = [93126, 123, 456, 789]

PERSONAS = {
    # name: (client, role, dialing-strategies power, edit-DNC power)
    "sysadmin": ("a", Role.SYSADMIN, False, False),
    "superuser": ("a", Role.SUPERUSER, False, False),
    "manager": ("a", Role.MANAGER, False, False),
    "manager_with_strategies_power": ("a", Role.MANAGER, True, False),
    "manager_with_dnc_power": ("a", Role.MANAGER, False, True),
    "it_user": ("a", Role.IT_USER, False, False),
    "agent": ("a", Role.AGENT, False, False),
    "outsider": ("b", Role.SUPERUSER, False, False),
    "outsider_sysadmin": ("b", Role.SYSADMIN, False, False),
}


@pytest.fixture
def client_a(db) -> Client:
    client = Client.objects.create(
        id=4199,
        code="ACME",
        name="Acme",
        phone_dnc_type=PhoneDncType.DIAL_TIME,
        time_zone="America/New_York",
    )
    Service.objects.bulk_create(Service(id=i, client=client, name=f"S{i}") for i in SERVICES_A)
    sync_id_sequence(Service)  # bulk_create skips ExplicitIdMixin's sequence move
    return client


@pytest.fixture
def client_b(db) -> Client:
    client = Client.objects.create(
        id=93119,
        code="BETA",
        name="Beta",
        phone_dnc_type=PhoneDncType.LEGACY,
        time_zone="America/Los_Angeles",
    )
    Service.objects.bulk_create(Service(id=i, client=client, name=f"S{i}") for i in SERVICES_B)
    sync_id_sequence(Service)  # bulk_create skips ExplicitIdMixin's sequence move
    return client


@pytest.fixture
def token_a(client_a) -> str:
    return access_token_create(
        actor=Actor.command("test"), client=client_a, name="t", raw="token-a"
    )[1]


@pytest.fixture
def token_b(client_b) -> str:
    return access_token_create(
        actor=Actor.command("test"), client=client_b, name="t", raw="token-b"
    )[1]


def make_user(client: Client, username: str, role: str, strategies=False, dnc=False) -> User:
    return User.objects.create_user(
        username,
        PASSWORD,
        client=client,
        role=role,
        power_dialing_strategies=strategies,
        power_edit_dnc=dnc,
    )


@pytest.fixture
def persona(request, client_a, client_b):
    """``persona("manager")`` -> that user (created once per test)."""
    made: dict[str, User] = {}

    def get(name: str) -> User:
        if name not in made:
            where, role, strategies, dnc = PERSONAS[name]
            client = client_a if where == "a" else client_b
            made[name] = make_user(client, name, role, strategies, dnc)
        return made[name]

    return get


for _name in PERSONAS:
    # sysadmin, manager, ... as plain fixtures too
    def _fixture(persona, _n=_name):
        return persona(_n)

    globals()[_name] = pytest.fixture(_fixture, name=_name)


class LVApi:
    """An API client speaking as one user through a real LiveVox session."""

    def __init__(self, user: User | None = None, token: AccessToken | None = None, agent=False):
        self.http = APIClient()
        self.session_id = None
        if user is not None:
            self.session_id = session_login(user=user, token=token, agent=agent).key
            self.http.credentials(HTTP_LV_SESSION=self.session_id)

    def call(self, method: str, path: str, body=None, **extra):
        data = (
            None if body is None else (body if isinstance(body, str | bytes) else json.dumps(body))
        )
        extra.setdefault("content_type", "application/json")
        return self.http.generic(method, path, data=data or "", **extra)

    def get(self, path, **extra):
        return self.call("GET", path, **extra)

    def post(self, path, body=None, **extra):
        return self.call("POST", path, body, **extra)

    def put(self, path, body=None, **extra):
        return self.call("PUT", path, body, **extra)

    def delete(self, path, body=None, **extra):
        return self.call("DELETE", path, body, **extra)


@pytest.fixture
def api(persona):
    """``api("manager")`` -> LVApi for that persona; ``api(None)`` has no session;
    ``api("manager_with_strategies_power", agent=True)`` opens an Agent session."""

    tokens: dict[int, AccessToken] = {}

    def make(name: str | None, agent: bool = False) -> LVApi:
        if name is None:
            return LVApi()
        user = persona(name)
        if user.client_id not in tokens:
            tokens[user.client_id] = access_token_create(
                actor=Actor.command("test"), client=user.client, name="api"
            )[0]
        return LVApi(user, tokens[user.client_id], agent=agent)

    return make


@pytest.fixture
def power(api) -> LVApi:
    """The API as a Manager with the "Dialing Strategies" power (client A)."""
    return api("manager_with_strategies_power")


@pytest.fixture(autouse=True)
def _plain_static_files(settings):
    # Production serves hashed files from collectstatic's manifest; tests have no manifest.
    settings.STORAGES = {
        **settings.STORAGES,
        "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
    }


@pytest.fixture(autouse=True)
def _media_in_tmp(settings, tmp_path_factory):
    # Stored files (call recordings) land in a folder of the test run, never in media/.
    settings.MEDIA_ROOT = str(tmp_path_factory.mktemp("media"))


@pytest.fixture(autouse=True)
def _fast_password_hashing(settings):
    # PBKDF2's deliberate slowness would make every login in the suite take ~100 ms.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture
def admin_as(persona):
    """``admin_as("manager")`` -> a Django test client logged in to the admin as that persona."""
    from django.test import Client as BrowserClient

    def make(name: str) -> BrowserClient:
        browser = BrowserClient()
        browser.force_login(persona(name))
        return browser

    return make


# Browser fixtures (chromium, browser_page) live in tests/browser.py with admin_login().
from .browser import browser_page, chromium  # noqa: E402, F401


@pytest.fixture(autouse=True)
def _fresh_group_permissions():
    # The per-process cache would otherwise outlive each test's rolled-back transaction.
    from livevox_site.auth import VerifiedLaterLVSessionAuthentication
    from livevox_site.roles import clear_group_permissions_cache

    clear_group_permissions_cache()
    VerifiedLaterLVSessionAuthentication._cache.clear()
    yield
    clear_group_permissions_cache()
    VerifiedLaterLVSessionAuthentication._cache.clear()


@pytest.fixture(autouse=True)
def _dnc_counters_start_empty(request):
    """Every database test starts with no DNC counter rows. Each list's counters are kept by
    database triggers (dnc/migrations/0002_counters.py); the flush that ends a transactional
    test deletes the counters before the entries on SQLite, whose delete triggers then leave
    negative counts behind for the next test on that worker (pytest-xdist runs a file's
    transactional tests among the others, not last)."""
    uses_db = request.node.get_closest_marker("django_db") or {
        "db",
        "transactional_db",
    } & set(request.fixturenames)
    if uses_db:
        request.getfixturevalue("_django_db_helper")
        from dnc.models import DncCounter

        DncCounter.objects.all().delete()
