"""recordings 0002: the vendor id moves to recording_id (unique per client); recordings stored
before keep their key, so their audit History still finds them."""

from datetime import UTC, datetime

import pytest
from django.db.migrations.exceptions import IrreversibleError

from recordings.models import Recording

from .migrations_helpers import migrate, migrate_to_latest
from .recordings_helpers import SPEC_INFO, make_recording

pytestmark = pytest.mark.django_db(transaction=True)

BEFORE = ("recordings", "0001_initial")
AFTER = ("recordings", "0002_recording_id_per_client")


@pytest.fixture
def at_0001():
    apps = migrate(BEFORE)
    try:
        yield apps
    finally:
        migrate_to_latest()


def test_it_keeps_each_stored_recording_under_its_id(at_0001, client_a, client_b, api):
    old = at_0001.get_model("recordings", "Recording")
    when = datetime.fromtimestamp(1375727329.697, tz=UTC)
    for client_id, recording_id in ((4199, "legacy-a"), (93119, "legacy-b")):
        old.objects.create(
            id=recording_id,
            client_id=client_id,
            call_center_id=1191,
            service_id=11846,
            agent_id=45365,
            campaign_id=1,
            account="002723754",
            phone="8015442100",
            term_code_id=200801,
            start_time=when,
            end_time=datetime.fromtimestamp(1375727389.697, tz=UTC),
            duration=60,
            audio=f"recordings/00/{recording_id}.mp3",
            size=1,
            sha256="0" * 64,
        )

    migrate(AFTER)
    assert sorted(Recording.objects.values_list("pk", "client_id", "recording_id")) == [
        ("legacy-a", 4199, "legacy-a"),
        ("legacy-b", 93119, "legacy-b"),
    ]
    response = api("manager").get("/compliance/recording/info?recording=legacy-a")
    assert (response.status_code, response.json()) == (200, SPEC_INFO)
    # An id stored before is free for another client now, under a random key.
    new = make_recording(client_b, "legacy-a")
    assert new.pk != "legacy-a"

    # Back to 0001 only while every key is its vendor id.
    with pytest.raises(IrreversibleError):
        migrate(BEFORE)
    Recording.objects.filter(pk=new.pk).delete()
    old = migrate(BEFORE).get_model("recordings", "Recording")
    assert sorted(old.objects.values_list("pk", "client_id")) == [
        ("legacy-a", 4199),
        ("legacy-b", 93119),
    ]
