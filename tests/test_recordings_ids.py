"""Recording ids are the client's own: what a client is answered when it stores a recording
never depends on the ids another client holds (the API, the admin and the import command), and
each client reads its own recording under an id another client uses too."""

from io import StringIO

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command

from livevox_site.models import AuditEntry
from recordings.demo import silent_mp3
from recordings.models import Recording

from .recordings_helpers import SPEC_INFO, UPLOAD, make_recording

TAKEN = "777001"  # held by client B
FREE = "777002"  # held by nobody
HEADER = (
    "id,clientId,callCenterId,serviceId,agentId,campaignId,account,phone,termCodeId,fromDate,"
    "toDate,originalAccountNumber,duration,file"
)
LIST = "/admin/recordings/recording/"


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):
    settings.MEDIA_ROOT = str(tmp_path / "media")


@pytest.fixture
def beta_recording(client_a, client_b) -> Recording:
    return make_recording(client_b, TAKEN, audio=silent_mp3(1), phone="5550002222")


def upload(browser, recording_id: str):
    return browser.post(
        LIST + "add/",
        {
            **UPLOAD,
            "recording_id": recording_id,
            "audio": SimpleUploadedFile("call.mp3", silent_mp3(2), "audio/mpeg"),
        },
    )


def test_the_admin_answers_an_id_another_client_holds_as_a_free_one(admin_as, beta_recording):
    browser = admin_as("superuser")
    answers = []
    for recording_id in (TAKEN, FREE):
        response = upload(browser, recording_id)
        answers.append((response.status_code, response["Location"]))
    assert answers == [(302, LIST), (302, LIST)]
    # A second upload of the client's own id is refused, and only then.
    response = upload(browser, TAKEN)
    assert response.status_code == 200
    assert response.context["adminform"].form.errors == {
        "recording_id": ["A recording with this id already exists"]
    }
    assert sorted(Recording.objects.values_list("client_id", "recording_id")) == [
        (4199, TAKEN),
        (4199, FREE),
        (93119, TAKEN),
    ]


def test_each_client_reads_its_own_recording_under_a_shared_id(api, client_a, beta_recording):
    acme = make_recording(client_a, TAKEN, audio=silent_mp3(2))
    response = api("manager").get(f"/compliance/recording/info?recording={TAKEN}")
    assert (response.status_code, response.json()) == (200, SPEC_INFO)
    response = api("outsider").get(f"/compliance/recording/info?recording={TAKEN}")
    assert (response.status_code, response.json()) == (
        200,
        {**SPEC_INFO, "clientId": 93119, "phone": "5550002222"},
    )
    for who, audio in (("manager", silent_mp3(2)), ("outsider", silent_mp3(1))):
        response = api(who).get(f"/compliance/recording/{TAKEN}")
        assert response.status_code == 200
        assert b"".join(response.streaming_content) == audio

    # A Sysadmin deletes the recording of the client they act for, not the other one.
    response = api("sysadmin").delete(f"/compliance/recording/{TAKEN}")
    assert (response.status_code, response.content) == (204, b"")
    assert list(Recording.objects.values_list("pk", "client_id")) == [(beta_recording.pk, 93119)]
    entry = AuditEntry.objects.get(action="recordings.recording.deleted")
    assert (entry.client_id, entry.object_id, entry.subject_id) == (4199, TAKEN, acme.pk)
    response = api("outsider").get(f"/compliance/recording/info?recording={TAKEN}")
    assert response.status_code == 200


def test_the_import_answers_an_id_another_client_holds_as_a_free_one(
    client_a, beta_recording, tmp_path
):
    folder = tmp_path / "in"
    folder.mkdir()
    (folder / "a.mp3").write_bytes(silent_mp3(2))
    rows = [
        f"{recording_id},4199,1191,11846,45365,1,002723754,8015442100,200801,"
        "1375727329697,1375727389697,,60,a.mp3"
        for recording_id in (TAKEN, FREE)
    ]
    (folder / "manifest.csv").write_text("\n".join([HEADER, *rows]) + "\n")
    out, err = StringIO(), StringIO()
    call_command("import_recordings", str(folder / "manifest.csv"), stdout=out, stderr=err)
    assert out.getvalue().strip() == "2 imported, 0 already there, 0 skipped"
    assert "line" not in err.getvalue()
    assert sorted(Recording.objects.values_list("client_id", "recording_id")) == [
        (4199, TAKEN),
        (4199, FREE),
        (93119, TAKEN),
    ]
    out = StringIO()
    call_command("import_recordings", str(folder / "manifest.csv"), stdout=out, stderr=StringIO())
    assert out.getvalue().strip() == "0 imported, 2 already there, 0 skipped"
