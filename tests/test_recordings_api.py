"""/compliance/recording: info as the spec shows it, the mp3 streamed with byte ranges, and the
Sysadmin's delete."""

import tracemalloc

import pytest
from django.core.files.storage import default_storage

from livevox_site.models import AuditEntry
from recordings.demo import SPEC_EXAMPLE_ID, silent_mp3
from recordings.models import Recording

from .recordings_helpers import SPEC_INFO, make_recording

URL = "/compliance/recording/"
INFO = "/compliance/recording/info?recording="


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):
    settings.MEDIA_ROOT = str(tmp_path)


@pytest.fixture
def audio() -> bytes:
    return silent_mp3(3)


@pytest.fixture
def recording(client_a, audio) -> Recording:
    return make_recording(client_a, audio=audio)


def body(response) -> bytes:
    return b"".join(response.streaming_content)


def test_it_answers_info_exactly_as_the_spec(api, recording):
    response = api("manager").get(INFO + SPEC_EXAMPLE_ID)
    assert response.status_code == 200
    assert response["Content-Type"] == "application/json"
    assert response.json() == SPEC_INFO
    assert list(response.json()) == list(SPEC_INFO)


def test_it_adds_the_original_account_number_when_known(api, client_a):
    make_recording(client_a, "r-2", original_account_number="A-77")
    body_ = api("superuser").get(INFO + "r-2").json()
    assert body_ == {**SPEC_INFO, "originalAccountNumber": "A-77", "duration": 60}
    assert list(body_)[-2:] == ["originalAccountNumber", "duration"]


def test_it_answers_400_without_a_recording_id(api, recording):
    response = api("manager").get("/compliance/recording/info")
    assert (response.status_code, response.json()) == (
        400,
        {"code": 202, "message": "recording is required"},
    )


@pytest.mark.parametrize("recording_id", ["nope", "x" * 65, SPEC_EXAMPLE_ID.upper() + "0"])
def test_it_answers_404_for_an_unknown_id(api, recording, recording_id):
    for path in (INFO + recording_id, URL + recording_id):
        response = api("manager").get(path)
        assert (response.status_code, response.json()) == (
            404,
            {"code": 203, "message": "Call recording not found"},
        )


def test_it_hides_another_clients_recording(api, recording):
    for path in (INFO + SPEC_EXAMPLE_ID, URL + SPEC_EXAMPLE_ID):
        assert api("outsider").get(path).status_code == 404
    assert api("outsider_sysadmin").delete(URL + SPEC_EXAMPLE_ID).status_code == 404
    assert Recording.objects.filter(pk=recording.pk).exists()


def test_it_lets_a_sysadmin_of_another_client_act_for_the_owner(api, recording):
    response = api("outsider_sysadmin").get(INFO + SPEC_EXAMPLE_ID + "&client=4199")
    assert response.json() == SPEC_INFO


def test_it_streams_the_whole_mp3(api, recording, audio):
    response = api("manager").get(URL + SPEC_EXAMPLE_ID, HTTP_ACCEPT="audio/mpeg")
    assert response.status_code == 200
    assert response.streaming
    assert response["Content-Type"] == "audio/mpeg"
    assert response["Content-Length"] == str(len(audio))
    assert response["Accept-Ranges"] == "bytes"
    assert response["ETag"] == f'"{recording.sha256}"'
    assert body(response) == audio


def test_it_answers_errors_as_json_to_a_player(api, recording):
    response = api("manager").get(URL + "nope", HTTP_ACCEPT="audio/mpeg")
    assert (response.status_code, response.json()) == (
        404,
        {"code": 203, "message": "Call recording not found"},
    )


@pytest.mark.parametrize(
    "header, first, last",
    [
        ("bytes=0-99", 0, 99),  # the first bytes
        ("bytes=1000-1999", 1000, 1999),  # the middle
        ("bytes=-500", -500, None),  # the last 500 (suffix)
        ("bytes=2000-", 2000, None),  # open-ended
        ("bytes=100-999999999", 100, None),  # past the end: up to the end
        ("bytes=-999999999", 0, None),  # a suffix longer than the file: all of it
    ],
)
def test_it_answers_a_single_byte_range(api, recording, audio, header, first, last):
    size = len(audio)
    start = first % size
    end = size - 1 if last is None else last
    response = api("manager").get(URL + SPEC_EXAMPLE_ID, HTTP_RANGE=header)
    assert response.status_code == 206
    assert response["Content-Range"] == f"bytes {start}-{end}/{size}"
    assert response["Content-Length"] == str(end - start + 1)
    assert response["Content-Type"] == "audio/mpeg"
    assert body(response) == audio[start : end + 1]


@pytest.mark.parametrize("header", ["bytes=999999-", "bytes=-0", "bytes=500-100"])
def test_it_answers_416_for_an_impossible_range(api, recording, audio, header):
    response = api("manager").get(URL + SPEC_EXAMPLE_ID, HTTP_RANGE=header)
    assert response.status_code == 416
    assert response["Content-Range"] == f"bytes */{len(audio)}"


@pytest.mark.parametrize("header", ["bytes=0-1,5-6", "items=0-5", "bytes=abc"])
def test_it_answers_the_whole_file_for_a_range_it_does_not_serve(api, recording, audio, header):
    response = api("manager").get(URL + SPEC_EXAMPLE_ID, HTTP_RANGE=header)
    assert response.status_code == 200
    assert body(response) == audio


def test_it_ignores_a_range_for_a_stale_copy(api, recording, audio):
    response = api("manager").get(
        URL + SPEC_EXAMPLE_ID, HTTP_RANGE="bytes=0-9", HTTP_IF_RANGE='"old"'
    )
    assert response.status_code == 200
    assert body(response) == audio


def test_it_answers_304_when_the_copy_is_current(api, recording):
    etag = f'"{recording.sha256}"'
    for header in (etag, f'"other", W/{etag}', "*"):
        response = api("manager").get(URL + SPEC_EXAMPLE_ID, HTTP_IF_NONE_MATCH=header)
        assert response.status_code == 304
        assert response["ETag"] == etag
        assert response.content == b""
    response = api("manager").get(URL + SPEC_EXAMPLE_ID, HTTP_IF_NONE_MATCH='"other"')
    assert response.status_code == 200


def test_it_streams_a_large_file_without_reading_it_whole(api, client_a):
    size = 24 * 1024 * 1024
    make_recording(client_a, "big", audio=b"\0" * size)
    tracemalloc.start()
    try:
        response = api("manager").get(URL + "big")
        seen = 0
        for chunk in response.streaming_content:
            seen += len(chunk)
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert seen == size
    # A few 64 KiB chunks at a time, not 24 MiB.
    assert peak < 2 * 1024 * 1024, peak


def test_it_lets_only_a_sysadmin_delete_and_removes_the_file(api, recording):
    name = recording.audio.name
    assert default_storage.exists(name)
    for who in ("superuser", "manager", "it_user"):
        assert api(who).delete(URL + SPEC_EXAMPLE_ID).status_code == 403
    response = api("sysadmin").delete(URL + SPEC_EXAMPLE_ID)
    assert (response.status_code, response.content) == (204, b"")
    assert not Recording.objects.filter(pk=recording.pk).exists()
    assert not default_storage.exists(name)
    entry = AuditEntry.objects.get(action="recordings.recording.deleted")
    assert (entry.object_id, entry.actor_name, entry.before["phone"]) == (
        SPEC_EXAMPLE_ID,
        "sysadmin@ACME",
        "8015442100",
    )
    assert api("sysadmin").delete(URL + SPEC_EXAMPLE_ID).status_code == 404


def test_it_refuses_agent_sessions_and_it_users(api, recording):
    agent = api("manager", agent=True)
    for path in (INFO + SPEC_EXAMPLE_ID, URL + SPEC_EXAMPLE_ID):
        assert agent.get(path).status_code == 403
        assert api("it_user").get(path).status_code == 403
        assert api("agent").get(path).status_code == 403


def test_a_storage_that_fails_a_delete_answers_503_and_keeps_row_and_file(
    api, recording, monkeypatch
):
    from django.core.files.storage import FileSystemStorage

    def refuse(self, name):
        raise OSError("disk gone")

    monkeypatch.setattr(FileSystemStorage, "delete", refuse)
    response = api("sysadmin").delete(URL + recording.recording_id)

    assert response.status_code == 503
    assert response.json() == {
        "code": 503,
        "message": "The file storage is unavailable; nothing was changed, try again",
    }
    assert Recording.objects.filter(pk=recording.pk).exists()
    assert default_storage.exists(recording.audio.name)


def test_a_missing_audio_file_answers_503_not_500(api, recording):
    default_storage.delete(recording.audio.name)

    response = api("manager").get(URL + recording.recording_id)

    assert response.status_code == 503
    assert response.json() == {
        "code": 503,
        "message": "The recording's audio cannot be read now; try again",
    }


def test_a_recording_may_not_be_called_info(client_a, audio):
    from livevox_site.errors import InvalidValue

    with pytest.raises(InvalidValue, match="may not be 'info'"):
        make_recording(client_a, recording_id="Info", audio=audio)
