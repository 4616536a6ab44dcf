"""The audit log: append-only, protects its client, fed by the admin and the token services,
read-only and tenant-scoped in the admin."""

import pytest
from django.db.models import ProtectedError

from livevox_site.audit import Actor, audit_record, snapshot
from livevox_site.models import AccessToken, AuditEntry, Client, Service, User
from livevox_site.services import access_token_create, access_token_revoke

SERVICES = "/admin/livevox_site/service/"
AUDIT = "/admin/livevox_site/auditentry/"
TOKENS = "/admin/livevox_site/accesstoken/"
SERVICE = "livevox_site.service"


@pytest.fixture
def entry(client_a) -> AuditEntry:
    return audit_record(
        actor=Actor.command("test"), client=client_a, action="test.thing.added", obj_type="t"
    )


# --- append-only ----------------------------------------------------------------------------


def test_it_refuses_to_change_an_entry(entry):
    entry.action = "rewritten"
    with pytest.raises(PermissionError, match="cannot be changed"):
        entry.save()
    with pytest.raises(PermissionError, match="cannot be changed"):
        AuditEntry.objects.filter(pk=entry.pk).update(action="rewritten")
    assert AuditEntry.objects.get(pk=entry.pk).action == "test.thing.added"


def test_it_refuses_to_delete_an_entry(entry):
    with pytest.raises(PermissionError, match="cannot be deleted"):
        entry.delete()
    with pytest.raises(PermissionError, match="cannot be deleted"):
        AuditEntry.objects.filter(pk=entry.pk).delete()
    with pytest.raises(PermissionError, match="cannot be deleted"):
        AuditEntry.objects.all().delete()
    assert AuditEntry.objects.filter(pk=entry.pk).exists()


def test_it_protects_a_client_with_history(entry, client_a):
    with pytest.raises(ProtectedError):
        client_a.delete()
    assert Client.objects.filter(pk=4199).exists()


def test_it_lets_a_client_without_history_be_deleted(client_b):
    client_b.delete()
    assert not Client.objects.filter(pk=93119).exists()


def test_it_writes_json_safe_snapshots(client_a, persona):
    manager = persona("manager")
    data = snapshot(manager)
    assert "password" not in data
    assert data["id"] == manager.pk
    assert data["client"] == 4199
    assert data["groups"] == sorted(manager.groups.values_list("pk", flat=True))
    assert isinstance(data["password_changed_at"], str)


# --- admin edits feed the log ---------------------------------------------------------------


def test_it_audits_admin_adding_changing_and_deleting_a_service(admin_as, persona):
    browser = admin_as("superuser")
    superuser = persona("superuser")
    assert browser.post(f"{SERVICES}add/", {"name": "Fresh"}).status_code == 302
    service = Service.objects.get(name="Fresh")
    assert browser.post(f"{SERVICES}{service.pk}/change/", {"name": "Renamed"}).status_code == 302
    response = browser.post(f"{SERVICES}{service.pk}/delete/", {"post": "yes"})
    assert response.status_code == 302
    assert not Service.objects.filter(pk=service.pk).exists()

    entries = AuditEntry.objects.filter(object_type="livevox_site.service").order_by("id")
    columns = ("client_id", "source", "actor_id", "actor_name", "action", "object_id")
    rows = list(entries.values_list(*columns, "before", "after"))
    actor = (4199, "admin", superuser.pk, "superuser@ACME")
    fresh = {"id": service.pk, "client": 4199, "name": "Fresh"}
    renamed = {"id": service.pk, "client": 4199, "name": "Renamed"}
    assert rows == [
        (*actor, "livevox_site.service.added", str(service.pk), None, fresh),
        (*actor, "livevox_site.service.changed", str(service.pk), fresh, renamed),
        (*actor, "livevox_site.service.deleted", str(service.pk), renamed, None),
    ]


def test_it_audits_the_delete_selected_action(admin_as, client_a):
    browser = admin_as("superuser")
    response = browser.post(
        SERVICES,
        {"action": "delete_selected", "_selected_action": ["20180", "18892"], "post": "yes"},
    )
    assert response.status_code == 302
    # One summary entry for the selection, not one per row.
    assert not AuditEntry.objects.filter(action="livevox_site.service.deleted").exists()
    entry = AuditEntry.objects.get(action="livevox_site.service.deleted_bulk")
    assert (entry.client_id, entry.object_type, entry.object_id, entry.after) == (
        4199,
        "livevox_site.service",
        "",
        None,
    )
    assert entry.details == {"count": 2, "ids": [18892, 20180]}
    assert entry.before == [
        {"id": 18892, "client": 4199, "name": "S18892"},
        {"id": 20180, "client": 4199, "name": "S20180"},
    ]


def test_it_audits_users_added_in_the_admin_without_their_password(admin_as):
    browser = admin_as("superuser")
    form = {
        "username": "newbie",
        "password1": "a long enough passphrase",
        "password2": "a long enough passphrase",
        "role": "MANAGER",
    }
    assert browser.post("/admin/livevox_site/user/add/", form).status_code == 302
    user = User.objects.get(username="newbie")
    entry = AuditEntry.objects.get(action="livevox_site.user.added")
    assert (entry.client_id, entry.object_id, entry.source) == (4199, str(user.pk), "admin")
    assert entry.after["username"] == "newbie"
    assert "password" not in entry.after
    assert "passphrase" not in str(entry.after)


# --- access tokens --------------------------------------------------------------------------


def test_it_audits_token_creation_and_revocation(client_a):
    actor = Actor(source="api", user_id=7, name="someone@ACME")
    token, raw = access_token_create(actor=actor, client=client_a, name="dialer")
    access_token_revoke(actor=actor, token=token)
    access_token_revoke(actor=actor, token=token)  # twice: nothing more to record
    rows = list(
        AuditEntry.objects.filter(object_type="livevox_site.accesstoken")
        .order_by("id")
        .values_list("client_id", "actor_id", "actor_name", "action", "object_id")
    )
    assert rows == [
        (4199, 7, "someone@ACME", "site.accesstoken.created", str(token.pk)),
        (4199, 7, "someone@ACME", "site.accesstoken.revoked", str(token.pk)),
    ]
    created, revoked = AuditEntry.objects.filter(object_type="livevox_site.accesstoken").order_by(
        "id"
    )
    assert created.after == {
        "id": token.pk,
        "client": 4199,
        "name": "dialer",
        "prefix": raw[:8],
        "created_at": created.after["created_at"],
        "revoked_at": None,
    }
    assert revoked.before["revoked_at"] is None
    assert revoked.after["revoked_at"] is not None
    for entry in (created, revoked):
        assert raw not in str(entry.before) + str(entry.after)
        assert "token_hash" not in (entry.after or {})


def test_it_audits_tokens_made_and_revoked_in_the_admin_once(admin_as, persona):
    browser = admin_as("superuser")
    superuser = persona("superuser")
    browser.post(f"{TOKENS}add/", {"name": "dialer"})
    token = AccessToken.objects.get(name="dialer")
    browser.post(
        TOKENS,
        {"action": "revoke_selected", "_selected_action": [str(token.pk)], "confirm": "yes"},
    )
    rows = list(
        AuditEntry.objects.filter(object_type="livevox_site.accesstoken")
        .order_by("id")
        .values_list("source", "actor_id", "action")
    )
    assert rows == [
        ("admin", superuser.pk, "site.accesstoken.created"),
        ("admin", superuser.pk, "site.accesstoken.revoked"),
    ]


# --- the audit admin ------------------------------------------------------------------------


@pytest.fixture
def entries(client_a, client_b) -> dict[str, AuditEntry]:
    actor = Actor.command("test")
    return {
        # A kind every role of the tests may read (services); see test_audit_visibility.py.
        "a": audit_record(actor=actor, client=client_a, action="a.thing", obj_type=SERVICE),
        "b": audit_record(actor=actor, client=client_b, action="b.thing", obj_type=SERVICE),
    }


def listed_ids(response) -> list[int]:
    assert response.status_code == 200
    return sorted(response.context["cl"].result_list.values_list("pk", flat=True))


def test_it_shows_each_client_only_its_own_entries(admin_as, entries):
    for who in ("manager", "it_user", "superuser"):
        assert listed_ids(admin_as(who).get(AUDIT)) == [entries["a"].pk], who
    assert listed_ids(admin_as("outsider").get(AUDIT)) == [entries["b"].pk]
    browser = admin_as("manager")
    assert browser.get(f"{AUDIT}{entries['a'].pk}/change/").status_code == 200
    assert browser.get(f"{AUDIT}{entries['b'].pk}/change/").status_code == 302


def test_it_shows_a_sysadmin_every_clients_entries(admin_as, entries):
    browser = admin_as("sysadmin")
    assert listed_ids(browser.get(AUDIT)) == sorted(e.pk for e in entries.values())
    assert browser.get(f"{AUDIT}{entries['b'].pk}/change/").status_code == 200


def test_it_keeps_the_audit_admin_read_only(admin_as, entries):
    browser = admin_as("sysadmin")
    changelist = browser.get(AUDIT)
    assert changelist.context["has_add_permission"] is False
    assert f'href="{AUDIT}add/"' not in changelist.content.decode()
    # The only action exports; not even "delete selected".
    assert [name for name, _ in changelist.context["action_form"].fields["action"].choices] == [
        "",
        "export_csv",
    ]
    page = browser.get(f"{AUDIT}{entries['a'].pk}/change/")
    assert page.context["has_change_permission"] is False
    assert page.context["has_delete_permission"] is False
    html = page.content.decode()
    assert 'name="_save"' not in html
    assert "deletelink" not in html
    assert browser.get(f"{AUDIT}add/").status_code == 403
    assert browser.post(f"{AUDIT}{entries['a'].pk}/change/", {"action": "x"}).status_code == 403
    assert browser.post(f"{AUDIT}{entries['a'].pk}/delete/", {"post": "yes"}).status_code == 403
    assert AuditEntry.objects.get(pk=entries["a"].pk).action == "a.thing"


def test_it_shows_before_and_after_in_the_entry_page(admin_as, client_a):
    entry = audit_record(
        actor=Actor.command("test"),
        client=client_a,
        action="x",
        obj_type=SERVICE,
        before={"name": "<old>"},
        after={"name": "new"},
    )
    html = admin_as("manager").get(f"{AUDIT}{entry.pk}/change/").content.decode()
    assert "&quot;name&quot;: &quot;&lt;old&gt;&quot;" in html
