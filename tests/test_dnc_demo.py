"""The DNC demo data (``dnc/demo.py``, run by ``manage.py seed_demo``): the spec's list
examples with the spec's ids, idempotently."""

from datetime import date
from io import StringIO

import pytest
from django.core.management import call_command

from dnc.models import ContactGroup, DialtimeEntry, EmailEntry, LegacyEntry, SmsEntry

pytestmark = pytest.mark.django_db

MODELS = (LegacyEntry, ContactGroup, DialtimeEntry, EmailEntry, SmsEntry)


def seed() -> None:
    call_command("seed_demo", stdout=StringIO())


def rows(model) -> list[tuple]:
    return list(
        model.objects.order_by("id").values_list(
            "id", "client_id", model.value_field, "contact_group_id", "expiration_date"
        )
    )


def test_seeding_twice_changes_nothing():
    seed()
    first = {m: list(m.objects.order_by("id").values()) for m in MODELS}
    seed()
    assert {m: list(m.objects.order_by("id").values()) for m in MODELS} == first


def test_the_spec_dialtime_examples_exist_with_their_ids():
    seed()
    assert rows(DialtimeEntry) == [
        (12225072, 4199, "8001234567", 0, None),
        (21945272, 4199, "4085553745", 0, date(2018, 3, 2)),
        (21945273, 4199, "4155553734", 1320, None),
        (21945274, 4199, "4155553767", 1320, date(2018, 3, 1)),
        (21945275, 4199, "4155553734", 1321, None),
    ]


def test_the_spec_email_examples_exist_with_their_ids():
    seed()
    assert rows(EmailEntry) == [
        (100630220, 4199, "example1a@gmail.com", 1020229, date(2021, 10, 19)),
        (100630221, 4199, "example2@gmail.com", 1020230, date(2021, 10, 20)),
        (100630222, 4199, "example3@gmail.com", 1020231, date(2021, 10, 22)),
        (100630223, 4199, "example1@gmail.com", 1020229, date(2021, 10, 19)),
        (100630224, 4199, "example1@gmail.com", 1020230, date(2021, 10, 20)),
        (100630225, 4199, "example1@gmail.com", 1020231, date(2021, 10, 22)),
        (100630226, 4199, "example1@gmail.com", 0, date(2021, 10, 22)),
    ]


def test_the_spec_sms_examples_exist_with_their_ids():
    seed()
    assert rows(SmsEntry) == [
        (159475304, 4199, "9176754178", 1020229, date(2021, 11, 2)),
        (159475306, 4199, "6503517497", 1020229, date(2021, 10, 27)),
        (159475308, 4199, "6178498807", 1020231, date(2021, 10, 28)),
        (159533878, 4199, "6505153873", 1020229, date(2021, 10, 27)),
        (159533880, 4199, "9176754178", 1020231, date(2021, 10, 28)),
    ]


def test_new_entries_get_ids_after_the_seeded_ones():
    seed()
    created = DialtimeEntry.objects.create(client_id=4199, phone="2125550100")
    assert created.id > 21945275
    created = SmsEntry.objects.create(client_id=4199, sms="2125550100")
    assert created.id > 159533880


def test_a_deleted_example_comes_back_and_a_changed_one_is_kept():
    seed()
    DialtimeEntry.objects.filter(id=21945273).delete()
    EmailEntry.objects.filter(id=100630224).update(expiration_date=date(2030, 1, 1))
    seed()
    assert DialtimeEntry.objects.filter(id=21945273, phone="4155553734").exists()
    assert EmailEntry.objects.get(id=100630224).expiration_date == date(2030, 1, 1)
