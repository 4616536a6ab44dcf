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
    iso = Recording.objects.get(pk="iso-1")
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
    assert list(Recording.objects.values_list("pk", flat=True)) == [SPEC_EXAMPLE_ID]

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
    assert sorted(Recording.objects.values_list("pk", flat=True)) == ["new-a", "old-b"]
    assert not (tmp_path / "media" / old_a.audio.name).exists()
    entry = AuditEntry.objects.get(action="recordings.recording.purged")
    assert (entry.object_id, entry.client_id, entry.actor_name) == (
        "old-a",
        4199,
        "purge_recordings",
    )

    out, _ = run("purge_recordings", "--older-than", "365")
    assert out.strip() == "1 recording(s) deleted"
    assert list(Recording.objects.values_list("pk", flat=True)) == ["new-a"]

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
    assert list(Recording.objects.values_list("pk", flat=True)) == [SPEC_EXAMPLE_ID]


def test_it_refuses_a_manifest_that_is_not_utf8(tmp_path, client_a):
    path = tmp_path / "m.csv"
    path.write_bytes(b"\xff\xfei\x00d\x00")
    with pytest.raises(CommandError, match="not UTF-8 text"):
        run("import_recordings", str(path))
