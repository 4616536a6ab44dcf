"""The legacy DNC services as the admin calls them: typed keyword arguments, ``InvalidValue``
naming the service's own parameter, one audit entry per call."""

from datetime import date

import pytest

from dnc.models import AccountFlag, DncType, DoNotDial, LegacyEntry
from dnc.services.legacy import (
    account_flag_set,
    legacy_entries_delete,
    legacy_entry_create,
    legacy_entry_delete,
)
from livevox_site.audit import Actor
from livevox_site.errors import AlreadyExists, InvalidValue
from livevox_site.models import AuditEntry

ADMIN = Actor(source="admin", name="admin@BETA")
TODAY = date(2026, 3, 6)


def create(client, **values) -> LegacyEntry:
    fields = {"dnc_type": DncType.PERMANENT, "service_id": 0, "phone": "", "account": "", "zip": ""}
    fields.update(values)
    return legacy_entry_create(actor=ADMIN, client=client, today=TODAY, via="admin", **fields)


def test_create_normalizes_and_records_provenance(client_b):
    entry = create(client_b, dnc_type="daily", phone="415.555.3734", zip="94110-1234")
    assert (entry.phone, entry.zip, entry.dnc_type, entry.blocks_through) == (
        "4155553734",
        "94110",
        "DAILY",
        TODAY,
    )
    assert (entry.added_by, entry.added_via, entry.filename) == ("admin@BETA", "admin", "")
    audit = AuditEntry.objects.get(action="dnc.legacyentry.created")
    assert (audit.source, audit.actor_name, audit.details) == (
        "admin",
        "admin@BETA",
        {"via": "admin"},
    )


@pytest.mark.parametrize(
    ("values", "field", "message"),
    [
        ({"phone": "12"}, "phone", "must be 10 digits"),
        ({"zip": "x"}, "zip", "must be a 5-digit zip code"),
        ({}, "phone", "at least one of phone, account or zip is required"),
        (
            {"phone": "4155553734", "service_id": 20180},
            "service_id",
            "no service 20180 in this client",
        ),
        ({"phone": "4155553734", "dnc_type": "WEEKLY"}, "dnc_type", "must be PERMANENT or DAILY"),
    ],
)
def test_create_names_the_bad_parameter(client_a, client_b, values, field, message):
    with pytest.raises(InvalidValue) as raised:
        create(client_b, **values)
    assert (raised.value.field, raised.value.message) == (field, message)


def test_create_refuses_an_entry_that_still_blocks(client_b):
    create(client_b, account="QA1", service_id=123)
    with pytest.raises(AlreadyExists):
        create(client_b, account="QA1", service_id=123)
    assert LegacyEntry.objects.count() == 1


def test_delete_one_and_many_audit_once_per_call(client_a, client_b):
    one, two, three = (create(client_b, phone=f"415555000{n}") for n in (1, 2, 3))
    theirs = LegacyEntry.objects.create(client=client_a, phone="4155550009")
    legacy_entry_delete(actor=ADMIN, client=client_b, entry=one)
    assert AuditEntry.objects.get(action="dnc.legacyentry.deleted").before["phone"] == "4155550001"
    with pytest.raises(InvalidValue):
        legacy_entry_delete(actor=ADMIN, client=client_b, entry=theirs)
    # Another client's id is ignored, never deleted.
    assert (
        legacy_entries_delete(actor=ADMIN, client=client_b, ids=[two.pk, three.pk, theirs.pk]) == 2
    )
    summary = AuditEntry.objects.get(action="dnc.legacyentry.deleted_bulk")
    assert summary.details == {"count": 2, "ids": [two.pk, three.pk]}
    assert list(LegacyEntry.objects.values_list("pk", flat=True)) == [theirs.pk]


def test_account_flag_set_and_clear(client_b):
    flag = account_flag_set(
        actor=ADMIN, client=client_b, account="QA1", do_not_dial="daily", today=TODAY, via="admin"
    )
    assert (flag.do_not_dial, flag.blocks_through, flag.changed_by) == (
        "DAILY",
        TODAY,
        "admin@BETA",
    )
    flag = account_flag_set(
        actor=ADMIN,
        client=client_b,
        account="QA1",
        do_not_dial="PERMANENT",
        today=TODAY,
        via="admin",
    )
    assert (flag.do_not_dial, flag.blocks_through) == (DoNotDial.PERMANENT, None)
    assert (
        account_flag_set(
            actor=ADMIN,
            client=client_b,
            account="QA1",
            do_not_dial="NONE",
            today=TODAY,
            via="admin",
        )
        is None
    )
    assert not AccountFlag.objects.exists()
    actions = list(AuditEntry.objects.order_by("id").values_list("action", flat=True))
    assert actions == [
        "dnc.accountflag.created",
        "dnc.accountflag.changed",
        "dnc.accountflag.deleted",
    ]
    with pytest.raises(InvalidValue) as raised:
        account_flag_set(
            actor=ADMIN, client=client_b, account="", do_not_dial="NONE", today=TODAY, via="admin"
        )
    assert raised.value.field == "account"
