"""Bulk operations log in bulk: one entry per import or bulk call (``audit_bulk``), one summary
entry per multi-row deletion (``audit_deleted``), and on PostgreSQL the database itself refuses
to change or delete an entry."""

import pytest
from django.db import DatabaseError, connection, transaction

from livevox_site.audit import Actor, audit_bulk, audit_deleted, snapshot
from livevox_site.models import AuditEntry, Service

SERVICES = "/admin/livevox_site/service/"
ACTOR = Actor(source="import", user_id=7, name="someone@ACME")


def entry_row(entry: AuditEntry) -> tuple:
    return (
        entry.client_id,
        entry.source,
        entry.actor_id,
        entry.action,
        entry.object_type,
        entry.object_id,
        entry.before,
        entry.after,
        entry.details,
    )


# --- audit_bulk -----------------------------------------------------------------------------


def test_it_writes_one_entry_for_a_bulk_operation(client_a):
    with transaction.atomic():
        audit_bulk(
            actor=ACTOR,
            client=client_a,
            action="dnc.phone.imported",
            obj_type="dnc.phonednc",
            counts={"created": 10, "updated": 2, "unchanged": 0, "failed": 1},
            source_name="blocked.csv",
            details={"block": "PERMANENT"},
        )
    assert [entry_row(e) for e in AuditEntry.objects.all()] == [
        (
            4199,
            "import",
            7,
            "dnc.phone.imported",
            "dnc.phonednc",
            "",
            None,
            None,
            {
                "counts": {"created": 10, "updated": 2, "unchanged": 0, "failed": 1},
                "source": "blocked.csv",
                "block": "PERMANENT",
            },
        )
    ]


@pytest.mark.django_db(transaction=True)
def test_it_refuses_a_bulk_entry_outside_the_batchs_transaction():
    with pytest.raises(RuntimeError, match="inside the transaction"):
        audit_bulk(actor=ACTOR, client=1, action="x", obj_type="y", counts={"created": 1})


# --- audit_deleted --------------------------------------------------------------------------


def test_it_writes_one_ordinary_entry_for_one_deleted_object(client_a):
    service = Service.objects.get(pk=20180)
    audit_deleted(actor=ACTOR, client=client_a, objects_or_snapshots=[service])
    assert [entry_row(e) for e in AuditEntry.objects.all()] == [
        (
            4199,
            "import",
            7,
            "livevox_site.service.deleted",
            "livevox_site.service",
            "20180",
            {"id": 20180, "client": 4199, "name": "S20180"},
            None,
            None,
        )
    ]


def test_it_writes_one_summary_entry_for_several_deleted_objects(client_a):
    services = list(Service.objects.filter(pk__in=[20180, 18892]).order_by("id"))
    befores = [snapshot(service) for service in services]
    audit_deleted(
        actor=ACTOR,
        client=client_a,
        objects_or_snapshots=befores,
        obj_type="livevox_site.service",
        action="site.service.deleted",
        details={"reason": "cleanup"},
    )
    assert [entry_row(e) for e in AuditEntry.objects.all()] == [
        (
            4199,
            "import",
            7,
            "site.service.deleted_bulk",
            "livevox_site.service",
            "",
            [
                {"id": 18892, "client": 4199, "name": "S18892"},
                {"id": 20180, "client": 4199, "name": "S20180"},
            ],
            None,
            {"count": 2, "ids": [18892, 20180], "reason": "cleanup"},
        )
    ]


def test_it_writes_nothing_for_nothing_deleted(client_a):
    assert audit_deleted(actor=ACTOR, client=client_a, objects_or_snapshots=[]) is None
    assert not AuditEntry.objects.exists()


def test_it_needs_the_kind_and_the_ids_of_snapshots(client_a):
    with pytest.raises(ValueError, match="obj_type"):
        audit_deleted(actor=ACTOR, client=client_a, objects_or_snapshots=[{"id": 1}])
    with pytest.raises(ValueError, match="'id'"):
        audit_deleted(
            actor=ACTOR, client=client_a, objects_or_snapshots=[{"name": "x"}], obj_type="t"
        )


def test_it_writes_one_summary_per_client_when_a_sysadmin_deletes_across_clients(
    admin_as, client_a, client_b
):
    browser = admin_as("sysadmin")
    selected = ["20180", "18892", "123"]
    response = browser.post(
        SERVICES, {"action": "delete_selected", "_selected_action": selected, "post": "yes"}
    )
    assert response.status_code == 302
    rows = [
        (e.client_id, e.action, e.object_id, e.details)
        for e in AuditEntry.objects.order_by("client_id")
    ]
    assert rows == [
        (4199, "livevox_site.service.deleted_bulk", "", {"count": 2, "ids": [18892, 20180]}),
        (93119, "livevox_site.service.deleted", "123", None),
    ]


# --- the database refuses too (PostgreSQL) ---------------------------------------------------

postgresql_only = pytest.mark.skipif(
    connection.vendor != "postgresql",
    reason="the append-only trigger exists on PostgreSQL only; SQLite relies on the ORM guard",
)


@pytest.fixture
def entry(client_a) -> AuditEntry:
    with transaction.atomic():
        return audit_bulk(actor=ACTOR, client=client_a, action="x", obj_type="y", counts={})


@postgresql_only
@pytest.mark.parametrize(
    "sql",
    [
        "UPDATE livevox_site_auditentry SET action = 'rewritten' WHERE id = %s",
        "DELETE FROM livevox_site_auditentry WHERE id = %s",
    ],
)
def test_it_refuses_raw_updates_and_deletes_in_the_database(entry, sql):
    with (
        pytest.raises(DatabaseError, match="append-only"),
        transaction.atomic(),
        connection.cursor() as cursor,
    ):
        cursor.execute(sql, [entry.pk])
    assert AuditEntry.objects.get(pk=entry.pk).action == "x"


def test_it_still_refuses_through_the_orm(entry):
    with pytest.raises(PermissionError):
        AuditEntry.objects.filter(pk=entry.pk).update(action="rewritten")
    with pytest.raises(PermissionError):
        AuditEntry.objects.filter(pk=entry.pk).delete()
    assert AuditEntry.objects.get(pk=entry.pk).action == "x"
