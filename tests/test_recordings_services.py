"""recording_create and recording_delete: the file and the row go together, even when one of
the two stores fails halfway."""

import os
from unittest import mock

import pytest
from django.core.files.storage import default_storage
from django.db import IntegrityError

from livevox_site.audit import Actor
from livevox_site.errors import AlreadyExists, InvalidValue, StorageUnavailable
from livevox_site.models import AuditEntry
from recordings.demo import SPEC_EXAMPLE_ID, seed_recordings, silent_mp3
from recordings.models import Recording
from recordings.services import recording_delete

from .recordings_helpers import make_recording, mp3_frames


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):
    settings.MEDIA_ROOT = str(tmp_path)


def stored_files(root) -> list[str]:
    return sorted(
        os.path.relpath(os.path.join(path, name), root)
        for path, _, names in os.walk(root)
        for name in names
    )


def test_it_stores_the_file_under_a_path_that_names_neither_client_nor_phone(client_a, tmp_path):
    recording = make_recording(client_a)
    name = recording.audio.name
    assert stored_files(tmp_path) == [name]
    for secret in ("4199", "ACME", "8015442100", "002723754", SPEC_EXAMPLE_ID):
        assert secret not in name
    assert recording.size == len(silent_mp3(2))
    with default_storage.open(name, "rb") as handle:
        assert handle.read() == silent_mp3(2)
    entry = AuditEntry.objects.get(action="recordings.recording.created")
    # The audit names the vendor id; the History finds the entry by the stored key.
    assert (entry.object_id, entry.object_name, entry.subject_id, entry.client_id) == (
        SPEC_EXAMPLE_ID,
        SPEC_EXAMPLE_ID,
        recording.pk,
        4199,
    )
    assert (entry.after["id"], entry.after["file"]) == (SPEC_EXAMPLE_ID, name)


def test_it_leaves_no_file_when_the_row_fails(client_a, tmp_path):
    failing_save = mock.patch.object(Recording, "save", side_effect=IntegrityError("boom"))
    with failing_save, pytest.raises(AlreadyExists):
        make_recording(client_a)
    failing_audit = mock.patch(
        "recordings.services.audit_record", side_effect=RuntimeError("audit down")
    )
    with failing_audit, pytest.raises(RuntimeError):
        make_recording(client_a)
    assert stored_files(tmp_path) == []
    assert not Recording.objects.exists()


def test_it_refuses_a_taken_id_and_bad_metadata_before_storing(client_a, client_b, tmp_path):
    make_recording(client_a)
    with pytest.raises(AlreadyExists) as taken:
        make_recording(client_a)  # the client's own id, once only
    assert (taken.value.message, taken.value.field) == (
        "A recording with this id already exists",
        "recording_id",
    )
    with pytest.raises(InvalidValue) as error:
        make_recording(client_a, "r-2", phone="")
    assert error.value.field == "phone"
    with pytest.raises(InvalidValue) as error:
        make_recording(client_a, "r-3", duration=-1)
    assert error.value.field == "duration"
    with pytest.raises(InvalidValue) as error:
        make_recording(client_a, "a/b")
    assert error.value.field == "recording_id"
    with pytest.raises(InvalidValue) as error:
        make_recording(client_a, "r-4", audio=b"")
    assert error.value.field == "audio"
    assert len(stored_files(tmp_path)) == 1


def test_it_keeps_row_and_file_when_the_storage_delete_fails(client_a, tmp_path):
    recording = make_recording(client_a)
    failing_delete = mock.patch.object(
        type(default_storage._wrapped), "delete", side_effect=OSError("down")
    )
    with failing_delete, pytest.raises(StorageUnavailable):  # a 503 on the wire, not a 500
        recording_delete(actor=Actor.command("test"), recording=recording)
    assert Recording.objects.filter(pk=recording.pk).exists()
    assert stored_files(tmp_path) == [recording.audio.name]
    assert not AuditEntry.objects.filter(action="recordings.recording.deleted").exists()


def test_it_deletes_row_and_file_together(client_a, tmp_path):
    recording = make_recording(client_a)
    recording_delete(actor=Actor.command("test"), recording=recording)
    assert stored_files(tmp_path) == []
    assert not Recording.objects.exists()


def test_it_seeds_the_spec_example_with_a_real_mp3(client_a):
    [recording] = seed_recordings()
    assert seed_recordings() == [recording]  # idempotent
    with default_storage.open(recording.audio.name, "rb") as handle:
        data = handle.read()
    frames = mp3_frames(data)
    # 60 seconds of 1152-sample frames at 44.1 kHz, as the metadata says.
    assert frames == 2297
    assert round(frames * 1152 / 44100) == recording.duration == 60


def test_another_clients_ids_do_not_collide_with_a_clients_own(client_a, client_b, tmp_path):
    """Ids are per client: client A gets the same answer for an id client B holds as for a free
    one, so no answer tells A which ids B holds."""
    beta = make_recording(client_b, "777001", audio=silent_mp3(1))
    acme = make_recording(client_a, "777001", audio=silent_mp3(2))  # as for a free id
    free = make_recording(client_a, "777002", audio=silent_mp3(2))
    assert (acme.recording_id, acme.client_id, free.client_id) == ("777001", 4199, 4199)
    assert beta.pk != acme.pk
    assert sorted(Recording.objects.values_list("client_id", "recording_id", "size")) == [
        (4199, "777001", len(silent_mp3(2))),
        (4199, "777002", len(silent_mp3(2))),
        (93119, "777001", len(silent_mp3(1))),
    ]
    # The stored key says nothing of the vendor id, nor of the other client's row.
    for recording in (beta, acme, free):
        assert recording.recording_id not in recording.pk
    # Each client's second try of its own id is refused alike.
    for client in (client_a, client_b):
        with pytest.raises(AlreadyExists):
            make_recording(client, "777001")
    assert len(stored_files(tmp_path)) == 3
