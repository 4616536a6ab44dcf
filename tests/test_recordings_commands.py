"""import_recordings and purge_recordings."""

from datetime import UTC, datetime, timedelta
from io import StringIO

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.utils import timezone

from livevox_site.models import AuditEntry
from recordings.demo import SPEC_EXAMPLE_ID, silent_mp3
from recordings.models import Recording

from .recordings_helpers import SPEC_INFO, make_recording

HEADER = (
    "id,clientId,callCenterId,serviceId,agentId,campaignId,account,phone,termCodeId,fromDate,"
    "toDate,originalAccountNumber,duration,file"
)
SPEC_LINE = (
    f"{SPEC_EXAMPLE_ID},4199,1191,11846,45365,1,002723754,8015442100,200801,1375727329697,"
    "1375727389697,,60,audio/spec.mp3"
)


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):
    settings.MEDIA_ROOT = str(tmp_path / "media")


@pytest.fixture
def manifest(tmp_path):
    (tmp_path / "in" / "audio").mkdir(parents=True)
    (tmp_path / "in" / "audio" / "spec.mp3").write_bytes(silent_mp3(2))
    (tmp_path / "in" / "audio" / "iso.mp3").write_bytes(silent_mp3(1))

    def write(*lines: str) -> str:
        path = tmp_path / "in" / "manifest.csv"
        path.write_text("\n".join([HEADER, *lines]) + "\n")
        return str(path)

    return write


def run(command: str, *args) -> tuple[str, str]:
    out, err = StringIO(), StringIO()
    call_command(command, *args, stdout=out, stderr=err)
    return out.getvalue(), err.getvalue()


def test_it_imports_a_manifest_and_is_idempotent(api, client_a, manifest):
    path = manifest(
        SPEC_LINE,
        "iso-1,4199,1,2,3,4,A-1,5551234567,9,2024-05-01T10:00:00Z,2024-05-01T10:00:30Z,OA-9,30,"
        "audio/iso.mp3",
    )
    out, err = run("import_recordings", path)
    assert out.strip() == "2 imported, 0 already there, 0 skipped"
    assert "2/2" in err
    response = api("manager").get(f"/compliance/recording/info?recording={SPEC_EXAMPLE_ID}")
    assert response.json() == SPEC_INFO
    iso = Recording.objects.get(client_id=4199, recording_id="iso-1")
    assert (iso.start_time, iso.original_account_number, iso.size) == (
        datetime(2024, 5, 1, 10, tzinfo=UTC),
        "OA-9",
        len(silent_mp3(1)),
    )
    assert AuditEntry.objects.filter(action="recordings.recording.created").count() == 2

    out, _ = run("import_recordings", path)
    assert out.strip() == "0 imported, 2 already there, 0 skipped"
    assert Recording.objects.count() == 2


def test_it_reports_bad_lines_by_number_and_exits_1(client_a, client_b, manifest):
    path = manifest(
        SPEC_LINE,
        "r-2,4199,x,11846,45365,1,002723754,8015442100,200801,1,2,,60,audio/spec.mp3",
        "r-3,4199,1,11846,45365,1,002723754,8015442100,200801,yesterday,2,,60,audio/spec.mp3",
        "r-4,4199,1,11846,45365,1,002723754,8015442100,200801,1,2,,60,audio/missing.mp3",
        "r-5,777,1,11846,45365,1,002723754,8015442100,200801,1,2,,60,audio/spec.mp3",
        "r-6,4199,1,11846,45365,1,,8015442100,200801,1,2,,60,audio/spec.mp3",
        "r-7,4199,1",
    )
    with pytest.raises(CommandError) as error:
        run("import_recordings", path)
    assert error.value.returncode == 1
    assert str(error.value) == "6 line(s) skipped"
    assert list(Recording.objects.values_list("recording_id", flat=True)) == [SPEC_EXAMPLE_ID]

    err = StringIO()
    with pytest.raises(CommandError):
        call_command("import_recordings", path, stdout=StringIO(), stderr=err)
    lines = [line.strip() for line in err.getvalue().replace("\r", "\n").splitlines()]
    assert [line for line in lines if line.startswith("line")] == [
        "line 3: callCenterId must be a whole number from 0",
        "line 4: fromDate must be a date (epoch ms or ISO-8601)",
        "line 5: file audio/missing.mp3 not found",
        "line 6: no client 777",
        "line 8: expected 14 columns",
        "line 7: account: is required",
    ]


def test_it_refuses_a_manifest_with_another_header(tmp_path, client_a):
    path = tmp_path / "m.csv"
    path.write_text("id,file\nx,y.mp3\n")
    with pytest.raises(CommandError, match="line 1: the header must be id,clientId,"):
        run("import_recordings", str(path))


def test_it_purges_recordings_past_the_retention_period(client_a, client_b, tmp_path):
    now = timezone.now()
    old_a = make_recording(client_a, "old-a", start_time=now - timedelta(days=400), end_time=now)
    make_recording(client_a, "new-a", start_time=now - timedelta(days=10), end_time=now)
    make_recording(client_b, "old-b", start_time=now - timedelta(days=400), end_time=now)

    out, _ = run("purge_recordings", "--older-than", "365", "--dry-run")
    assert out.strip() == "2 recording(s) would be deleted"
    assert Recording.objects.count() == 3

    out, _ = run("purge_recordings", "--older-than", "365", "--client", "4199")
    assert out.strip() == "1 recording(s) deleted"
    assert sorted(Recording.objects.values_list("recording_id", flat=True)) == ["new-a", "old-b"]
    assert not (tmp_path / "media" / old_a.audio.name).exists()
    entry = AuditEntry.objects.get(action="recordings.recording.purged")
    assert (entry.object_id, entry.client_id, entry.actor_name) == (
        "old-a",
        4199,
        "purge_recordings",
    )

    out, _ = run("purge_recordings", "--older-than", "365")
    assert out.strip() == "1 recording(s) deleted"
    assert list(Recording.objects.values_list("recording_id", flat=True)) == ["new-a"]

    with pytest.raises(CommandError, match="no client 5"):
        run("purge_recordings", "--older-than", "1", "--client", "5")


def test_it_skips_a_file_that_is_not_an_mp3(client_a, manifest, tmp_path):
    (tmp_path / "in" / "audio" / "note.mp3").write_bytes(b"hello")
    path = manifest(
        SPEC_LINE, "r-9,4199,1,11846,45365,1,002723754,8015442100,200801,1,2,,60,audio/note.mp3"
    )
    err = StringIO()
    with pytest.raises(CommandError, match="1 line"):
        call_command("import_recordings", path, stdout=StringIO(), stderr=err)
    assert "line 3: file audio/note.mp3 is not an mp3 (no ID3 tag or MPEG audio frame)" in (
        err.getvalue()
    )
    assert list(Recording.objects.values_list("recording_id", flat=True)) == [SPEC_EXAMPLE_ID]


def test_it_refuses_a_manifest_that_is_not_utf8(tmp_path, client_a):
    path = tmp_path / "m.csv"
    path.write_bytes(b"\xff\xfei\x00d\x00")
    with pytest.raises(CommandError, match="not UTF-8 text"):
        run("import_recordings", str(path))


def line(recording_id: str, file: str, client_id: int = 4199) -> str:
    return (
        f"{recording_id},{client_id},1191,11846,45365,1,002723754,8015442100,200801,"
        f"1375727329697,1375727389697,,60,{file}"
    )


def skipped_lines(path: str) -> tuple[int, list[str]]:
    """Run the import; its exit status and its "line N: ..." messages."""
    err = StringIO()
    try:
        call_command("import_recordings", path, stdout=StringIO(), stderr=err)
        status = 0
    except CommandError as error:
        status = error.returncode
    lines = [text.strip() for text in err.getvalue().replace("\r", "\n").splitlines()]
    return status, [text for text in lines if text.startswith("line")]


def test_it_imports_only_files_inside_the_manifests_folder(client_a, manifest, tmp_path):
    outside = tmp_path / "outside"
    outside.mkdir()
    (outside / "secret.mp3").write_bytes(silent_mp3(1))
    (tmp_path / "in" / "audio" / "link.mp3").symlink_to(outside / "secret.mp3")
    (tmp_path / "in" / "audio" / "inner-link.mp3").symlink_to(tmp_path / "in" / "audio" / "iso.mp3")
    (tmp_path / "in" / "up").symlink_to(outside, target_is_directory=True)
    path = manifest(
        SPEC_LINE,
        line("abs", str(outside / "secret.mp3")),
        line("dots", "../outside/secret.mp3"),
        line("deep-dots", "audio/../../outside/secret.mp3"),
        line("link", "audio/link.mp3"),
        line("dir-link", "up/secret.mp3"),
        line("inner", "audio/inner-link.mp3"),  # a symlink that stays inside: fine
        line("dot-inside", "audio/../audio/iso.mp3"),  # ".." that stays inside: fine
        line("nul", "audio/spec\x00.mp3"),  # a name no file can have
    )
    status, messages = skipped_lines(path)
    assert status == 1
    assert messages == [
        "line 3: file must be inside the manifest's folder",
        "line 4: file must be inside the manifest's folder",
        "line 5: file must be inside the manifest's folder",
        "line 6: file must be inside the manifest's folder",
        "line 7: file must be inside the manifest's folder",
        "line 10: file audio/spec\x00.mp3 not found",
    ]
    assert sorted(Recording.objects.values_list("recording_id", flat=True)) == sorted(
        [SPEC_EXAMPLE_ID, "dot-inside", "inner"]
    )
    assert Recording.objects.get(recording_id="inner").size == len(silent_mp3(1))


def test_it_never_imports_another_clients_stored_recording(client_a, client_b, tmp_path):
    """The media folder holds every client's files under random names: a manifest of client A
    may not reach one of client B's, by ``..``, by a symlink, or by lying inside the storage."""
    stored = make_recording(client_b, "beta-secret", audio=silent_mp3(3))
    stored_file = tmp_path / "media" / stored.audio.name
    assert stored_file.is_file()
    relative = stored_file.relative_to(tmp_path)

    folder = tmp_path / "in"
    folder.mkdir()
    (folder / "steal.mp3").symlink_to(stored_file)
    (folder / "media").symlink_to(tmp_path / "media", target_is_directory=True)
    (folder / "manifest.csv").write_text(
        "\n".join(
            [
                HEADER,
                line("by-dots", f"../{relative}"),
                line("by-link", "steal.mp3"),
                line("by-dir-link", str(relative)),
                line("by-absolute", str(stored_file)),
            ]
        )
        + "\n"
    )
    status, messages = skipped_lines(str(folder / "manifest.csv"))
    assert status == 1
    assert messages == [
        f"line {n}: file must be inside the manifest's folder" for n in (2, 3, 4, 5)
    ]

    # A manifest kept in a folder that holds the storage names the stored file "inside" its
    # folder: still refused, the storage is no place to import from.
    (tmp_path / "manifest.csv").write_text(
        "\n".join([HEADER, line("in-storage", str(relative))]) + "\n"
    )
    status, messages = skipped_lines(str(tmp_path / "manifest.csv"))
    assert status == 1
    assert messages == ["line 2: file is in the recordings storage; import from another folder"]

    # Nothing of client B's reached client A.
    assert list(Recording.objects.values_list("client_id", "recording_id")) == [
        (93119, "beta-secret")
    ]


def test_it_imports_only_the_file_it_checked(client_a, client_b, tmp_path, monkeypatch):
    """A file swapped after the checks (for a symlink, or a folder on its way swapped for one)
    is not read: the file opened must be the one checked."""
    from recordings.management.commands import import_recordings

    stored = make_recording(client_b, "beta-secret", audio=silent_mp3(3))
    stored_file = tmp_path / "media" / stored.audio.name
    folder = tmp_path / "in"
    (folder / "audio").mkdir(parents=True)
    (folder / "a.mp3").write_bytes(silent_mp3(1))
    (folder / "audio" / stored_file.name).write_bytes(silent_mp3(1))
    (folder / "manifest.csv").write_text(
        "\n".join([HEADER, line("swapped", "a.mp3"), line("dir", f"audio/{stored_file.name}")])
        + "\n"
    )

    def swap(self, done, total, width=30):
        if done == 1:
            (folder / "a.mp3").unlink()
            (folder / "a.mp3").symlink_to(stored_file)
            (folder / "audio").rename(folder / "audio-was")
            (folder / "audio").symlink_to(stored_file.parent, target_is_directory=True)

    monkeypatch.setattr(import_recordings.Command, "_progress", swap)
    status, messages = skipped_lines(str(folder / "manifest.csv"))
    assert status == 1
    assert messages == [
        "line 2: file a.mp3 cannot be read",
        f"line 3: file audio/{stored_file.name} changed since it was checked",
    ]
    assert list(Recording.objects.values_list("client_id", "recording_id")) == [
        (93119, "beta-secret")
    ]
