"""Who may read which audit entries: an entry shows an object's before and after, so a user sees
it only if their role and powers may read that kind of object (its ``view_`` permission).
Entries of no model (e.g. ``site.login``) are for Superusers and Sysadmins only."""

import csv
import io
import json

import pytest

from livevox_site.audit import Actor, audit_record
from livevox_site.models import AuditEntry

AUDIT = "/admin/livevox_site/auditentry/"


@pytest.fixture
def entries(client_a, client_b) -> dict[str, AuditEntry]:
    actor = Actor.command("test")

    def record(client, obj_type: str, name: str) -> AuditEntry:
        return audit_record(
            actor=actor,
            client=client,
            action=f"{obj_type}.changed",
            obj_type=obj_type,
            obj_id=1,
            after={"name": name},
        )

    return {
        "strategy": record(client_a, "strategies.dialingstrategy", "Secret plan"),
        "outcome": record(client_a, "strategies.outcome", "Secret outcome"),
        "service": record(client_a, "livevox_site.service", "S1"),
        "user": record(client_a, "livevox_site.user", "someone"),
        "login": record(client_a, "site.login", "someone"),
        "b_strategy": record(client_b, "strategies.dialingstrategy", "Their plan"),
    }


def visible(browser, entries) -> list[str]:
    response = browser.get(AUDIT)
    assert response.status_code == 200
    shown = set(response.context["cl"].result_list.values_list("pk", flat=True))
    return sorted(name for name, entry in entries.items() if entry.pk in shown)


def exported(browser, entries) -> list[str]:
    response = browser.post(
        AUDIT,
        {"action": "export_csv", "_selected_action": [e.pk for e in entries.values()]},
    )
    assert response.status_code == 200
    rows = list(csv.reader(io.StringIO(b"".join(response.streaming_content).decode())))
    names = {json.loads(row[8])["name"] for row in rows[1:]}
    return sorted(name for name, entry in entries.items() if entry.after["name"] in names)


def test_it_hides_strategy_entries_from_a_manager_without_the_power(admin_as, entries):
    browser = admin_as("manager")
    assert visible(browser, entries) == ["service"]
    assert browser.get(f"{AUDIT}{entries['strategy'].pk}/change/").status_code == 302
    assert browser.get(f"{AUDIT}{entries['service'].pk}/change/").status_code == 200
    assert exported(browser, entries) == ["service"]
    html = browser.get(AUDIT).content.decode()
    assert "Secret" not in html
    assert "strategies.dialingstrategy" not in html  # nor among the filter's choices


def test_it_shows_strategy_entries_to_a_manager_with_the_power(admin_as, entries):
    browser = admin_as("manager_with_strategies_power")
    assert visible(browser, entries) == ["outcome", "service", "strategy"]
    assert browser.get(f"{AUDIT}{entries['strategy'].pk}/change/").status_code == 200
    assert exported(browser, entries) == ["outcome", "service", "strategy"]
    choices = browser.get(AUDIT).context["cl"].filter_specs
    kinds = next(spec for spec in choices if getattr(spec, "parameter_name", "") == "object_type")
    assert sorted(kinds.lookup_choices) == [
        ("livevox_site.service", "Service"),
        ("strategies.dialingstrategy", "Dialing strategy"),
        ("strategies.outcome", "Outcome"),
    ]


def test_it_shows_each_role_the_entries_its_permissions_may_read(admin_as, entries):
    assert visible(admin_as("it_user"), entries) == ["outcome", "service", "strategy"]
    assert visible(admin_as("manager_with_dnc_power"), entries) == ["service"]
    # Superusers read users, and entries of no model (logins) are theirs and the Sysadmins'.
    assert visible(admin_as("superuser"), entries) == [
        "login",
        "outcome",
        "service",
        "strategy",
        "user",
    ]
    assert exported(admin_as("superuser"), entries) == [
        "login",
        "outcome",
        "service",
        "strategy",
        "user",
    ]


def test_it_never_shows_another_clients_entries(admin_as, entries):
    for who in ("manager", "manager_with_strategies_power", "it_user", "superuser"):
        browser = admin_as(who)
        assert "b_strategy" not in visible(browser, entries), who
        assert browser.get(f"{AUDIT}{entries['b_strategy'].pk}/change/").status_code == 302, who
        assert "b_strategy" not in exported(browser, entries), who
    assert visible(admin_as("outsider"), entries) == ["b_strategy"]
    assert visible(admin_as("sysadmin"), entries) == sorted(entries)
