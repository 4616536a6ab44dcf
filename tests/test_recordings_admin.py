"""Call recordings in the admin: find, play (ranges through a tenant-scoped view), upload,
delete."""

import pytest
from django.core.files.storage import default_storage
from django.core.files.uploadedfile import SimpleUploadedFile

from livevox_site.models import AuditEntry
from recordings.demo import SPEC_EXAMPLE_ID, silent_mp3
from recordings.models import Recording

from .recordings_helpers import UPLOAD, make_recording

LIST = "/admin/recordings/recording/"


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):
    settings.MEDIA_ROOT = str(tmp_path)


@pytest.fixture
def recordings(client_a, client_b):
    return {
        "spec": make_recording(client_a),
        "other": make_recording(client_a, "other-a", service_id=20180, phone="5550001111"),
        "beta": make_recording(client_b, "beta-1", phone="5550002222"),
    }


def listed(response) -> list[str]:
    return [obj.recording_id for obj in response.context["cl"].result_list]


def test_it_lists_finds_and_filters_the_clients_recordings(admin_as, recordings):
    browser = admin_as("manager")
    assert sorted(listed(browser.get(LIST))) == [SPEC_EXAMPLE_ID, "other-a"]
    assert listed(browser.get(LIST + "?service_id=20180")) == ["other-a"]
    assert listed(browser.get(LIST + "?q=8015442100")) == [SPEC_EXAMPLE_ID]
    assert listed(browser.get(LIST + "?q=other-a")) == ["other-a"]
    assert listed(browser.get(LIST + "?q=5550002222")) == []  # client B's
    in_range = LIST + "?start_time__gte=2013-08-05&start_time__lt=2013-08-06"
    assert sorted(listed(browser.get(in_range))) == [SPEC_EXAMPLE_ID, "other-a"]
    assert listed(browser.get(LIST + "?start_time__gte=2013-08-06")) == []
    page = browser.get(LIST).content.decode()
    assert 'type="date" name="start_time__gte"' in page


def test_it_plays_the_recording_through_a_scoped_view(admin_as, recordings):
    browser = admin_as("manager")
    key = recordings["spec"].pk
    page = browser.get(LIST + f"{key}/change/")
    audio_url = LIST + f"{key}/audio/"
    assert f'<audio controls preload="metadata" src="{audio_url}"' in page.content.decode()
    response = browser.get(audio_url, HTTP_RANGE="bytes=0-103")
    assert (response.status_code, response["Content-Type"]) == (206, "audio/mpeg")
    assert b"".join(response.streaming_content) == silent_mp3(2)[:104]
    assert admin_as("outsider").get(audio_url).status_code == 404
    assert admin_as("it_user").get(audio_url).status_code == 403


@pytest.mark.parametrize("who", ["superuser", "sysadmin"])
def test_it_lets_a_superuser_or_sysadmin_upload_a_recording(admin_as, client_a, who):
    response = admin_as(who).post(
        LIST + "add/",
        {
            **UPLOAD,
            "client": "4199",  # on the form for a Sysadmin only; stamped for a Superuser
            "audio": SimpleUploadedFile("call.mp3", silent_mp3(1), "audio/mpeg"),
        },
    )
    assert response.status_code == 302, response.context["adminform"].form.errors
    recording = Recording.objects.get(client_id=4199, recording_id="upload-1")
    assert recording.size == len(silent_mp3(1))
    assert default_storage.exists(recording.audio.name)
    entry = AuditEntry.objects.get(action="recordings.recording.created", object_id="upload-1")
    assert (entry.source, entry.actor_name, entry.subject_id) == (
        "admin",
        f"{who}@ACME",
        recording.pk,
    )


def test_it_lets_a_manager_read_but_not_add_recordings(admin_as, recordings, tmp_path):
    """The README's Roles: a Manager reads recordings (list, detail, the audio); only a
    Superuser or a Sysadmin adds one, only a Sysadmin deletes one."""
    spec = recordings["spec"]
    for who in ("manager", "manager_with_strategies_power", "manager_with_dnc_power"):
        browser = admin_as(who)
        page = browser.get(LIST)
        assert page.status_code == 200
        assert page.context["has_add_permission"] is False
        assert f'href="{LIST}add/"' not in page.content.decode()
        assert browser.get(LIST + f"{spec.pk}/change/").status_code == 200
        assert browser.get(LIST + f"{spec.pk}/audio/").status_code == 200
        assert browser.get(LIST + "add/").status_code == 403
        files_before = sorted(tmp_path.rglob("*.mp3"))
        response = browser.post(
            LIST + "add/",
            {**UPLOAD, "audio": SimpleUploadedFile("call.mp3", silent_mp3(1), "audio/mpeg")},
        )
        assert response.status_code == 403
        assert sorted(tmp_path.rglob("*.mp3")) == files_before
        index = browser.get("/admin/").content.decode()
        assert f'href="{LIST}add/"' not in index
    assert not Recording.objects.filter(recording_id="upload-1").exists()
    for who in ("superuser", "sysadmin"):
        page = admin_as(who).get(LIST)
        assert page.context["has_add_permission"] is True
        assert f'href="{LIST}add/"' in page.content.decode()


def test_the_groups_share_recordings_as_the_readme_says(persona):
    perms = {
        who: {perm for perm in persona(who).get_all_permissions() if perm.startswith("recordings.")}
        for who in (
            "sysadmin",
            "superuser",
            "manager",
            "manager_with_strategies_power",
            "manager_with_dnc_power",
            "it_user",
            "agent",
        )
    }
    view, add, delete = (f"recordings.{a}_recording" for a in ("view", "add", "delete"))
    assert perms == {
        "sysadmin": {view, add, delete},
        "superuser": {view, add},
        "manager": {view},
        "manager_with_strategies_power": {view},
        "manager_with_dnc_power": {view},
        "it_user": set(),
        "agent": set(),
    }


def test_it_shows_a_taken_id_as_a_form_error(admin_as, recordings, tmp_path):
    files_before = sorted(tmp_path.rglob("*.mp3"))
    response = admin_as("superuser").post(
        LIST + "add/",
        {
            "recording_id": SPEC_EXAMPLE_ID,
            "call_center_id": "1",
            "service_id": "2",
            "agent_id": "3",
            "campaign_id": "4",
            "account": "A",
            "phone": "5551234567",
            "term_code_id": "5",
            "start_time_0": "2024-01-01",
            "start_time_1": "10:00:00",
            "end_time_0": "2024-01-01",
            "end_time_1": "10:01:00",
            "duration": "60",
            "audio": SimpleUploadedFile("a.mp3", silent_mp3(1)),
        },
    )
    assert response.status_code == 200
    errors = response.context["adminform"].form.errors
    assert errors == {"recording_id": ["A recording with this id already exists"]}
    assert Recording.objects.count() == 3
    assert sorted(tmp_path.rglob("*.mp3")) == files_before


def test_it_lets_only_a_sysadmin_delete_with_the_file(admin_as, recordings):
    spec = recordings["spec"]
    url = LIST + f"{spec.pk}/delete/"
    for who in ("manager", "superuser"):
        assert admin_as(who).post(url, {"post": "yes"}).status_code == 403
    response = admin_as("sysadmin").post(url, {"post": "yes"})
    assert response.status_code == 302
    assert not Recording.objects.filter(pk=spec.pk).exists()
    assert not default_storage.exists(spec.audio.name)
    entry = AuditEntry.objects.get(action="recordings.recording.deleted")
    assert (entry.object_id, entry.source) == (SPEC_EXAMPLE_ID, "admin")


def test_it_shows_a_recordings_history_by_its_key(admin_as, recordings):
    spec = recordings["spec"]
    response = admin_as("sysadmin").get(LIST + f"{spec.pk}/history/")
    assert response.status_code == 200
    entries = [entry for entry, _, _ in response.context["entries"]]
    assert [(e.action, e.object_id, e.object_name) for e in entries] == [
        ("recordings.recording.created", SPEC_EXAMPLE_ID, SPEC_EXAMPLE_ID)
    ]
