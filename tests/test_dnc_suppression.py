"""Suppression preview: a contact list with contacts blocked by each reason (legacy
entry, dial-time entry, email entry, account flag, calling hours at night by the "as of"
moment, a blackout date of the service's dialing profile, an unknown location, invalid lines)
and allowed ones; the counts, the downloadable file's exact content, progress, tenancy and
rights, the audit entry, and a preview run by the database backend's worker."""

import io
import re
import signal
from datetime import date, datetime
from zoneinfo import ZoneInfo

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command

from dnc.models import (
    AccountFlag,
    DialtimeEntry,
    EmailEntry,
    ImportStatus,
    LegacyEntry,
    SuppressionPreview,
)
from dnc.suppression import create_preview, run_preview
from livevox_site.audit import Actor
from livevox_site.models import AuditEntry, Service
from profiles.models import DialingBlackout, DialingProfile, ServiceProfile

IMMEDIATE = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}
DATABASE = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}
NEW_YORK = ZoneInfo("America/New_York")
# A Tuesday, 10:00 in New York: 07:00 in Los Angeles (before the default 08:00-21:00 window).
AS_OF = "2026-11-24 10:00"
AS_OF_MOMENT = datetime(2026, 11, 24, 10, tzinfo=NEW_YORK)

CONTACTS = (
    "phone,account,zip,service,email,channel,name\n"
    "2125550001,A1,10001,20180,,,Allowed Ann\n"  # 2: allowed
    "2125550002,A2,10001,20180,,,Legacy Lee\n"  # 3: legacy entry (phone, service 20180)
    "2125550003,A3,10001,20180,,,Dialtime Dee\n"  # 4: dial-time entry
    "2125550004,FLAGGED,10001,20180,,,=cmd()\n"  # 5: account flag; a formula-like cell
    "4155550005,A5,94110,20180,,,Early Eve\n"  # 6: 07:00 in Los Angeles
    "2145550006,A6,75201,18892,,,Blackout Bo\n"  # 7: the service's blackout date
    "123,A7,10001,20180,,,Bad Phone\n"  # 8: invalid phone
    "2125550008,A8,10001,99999,,,No Service\n"  # 9: not a service of this client
    ",,,20180,blocked@example.com,EMAIL,Mail Mo\n"  # 10: email entry
    ",,,20180,fine@example.com,EMAIL,Mail Ok\n"  # 11: allowed (emails keep no hours)
    "8005550009,A9,,20180,,,Toll Free\n"  # 12: unknown location, the strictest reading
    "\n"  # blank: skipped
    "2125550010,A10,10001,18892,,,Allowed Al\n"  # 14: allowed (the blackout is in TX only)
)


@pytest.fixture
def lists_a(client_a) -> dict:
    """What blocks the contacts above in client A; the ids the reasons name."""
    legacy = LegacyEntry.objects.create(client=client_a, phone="2125550002", service_id=20180)
    LegacyEntry.objects.create(client=client_a, phone="2125550001", service_id=17797)  # other
    dialtime = DialtimeEntry.objects.create(client=client_a, phone="2125550003")
    flag = AccountFlag.objects.create(client=client_a, account="FLAGGED", do_not_dial="PERMANENT")
    email = EmailEntry.objects.create(client=client_a, email="blocked@example.com")
    profile = DialingProfile.objects.create(client=client_a, name="Holiday week")
    blackout = DialingBlackout.objects.create(
        profile=profile, start_date=date(2026, 11, 24), states=["TX"], do_not_dial=True
    )
    ServiceProfile.objects.create(service=Service.objects.get(pk=18892), profile=profile)
    return {
        "legacy": legacy.pk,
        "dialtime": dialtime.pk,
        "flag": flag.pk,
        "email": email.pk,
        "blackout": blackout.pk,
    }


@pytest.fixture
def immediate(settings):
    settings.TASKS = IMMEDIATE


def upload(text: str = CONTACTS, name: str = "contacts.csv") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, text.encode(), content_type="text/csv")


def page_text(response) -> str:
    html = re.sub(r"<(script|style)[^>]*>.*?</\1>", " ", response.content.decode(), flags=re.S)
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", html)).strip()


def download(browser, preview: SuppressionPreview) -> list[str]:
    response = browser.get(f"/admin/dnc/suppression/{preview.pk}/suppressed.csv")
    assert response.status_code == 200
    return b"".join(response.streaming_content).decode().splitlines()


def expected_file(ids: dict) -> list[str]:
    pacific_readings = "; ".join(
        f"calling hours 08:00-21:00 {zone}"
        for zone in (
            "America/Adak",
            "America/Anchorage",
            "America/Los_Angeles",
            "America/Vancouver",
            "Pacific/Honolulu",
        )
    )
    return [
        "line,phone,account,zip,service,email,channel,name,reasons",
        f'3,2125550002,A2,10001,20180,,,Legacy Lee,"DNC legacy entry {ids["legacy"]} (phone, '
        'service 20180)"',
        f"4,2125550003,A3,10001,20180,,,Dialtime Dee,DNC dial-time entry {ids['dialtime']} (phone)",
        f"5,2125550004,FLAGGED,10001,20180,,,'=cmd(),account flag {ids['flag']} "
        "(do not dial: PERMANENT)",
        "6,4155550005,A5,94110,20180,,,Early Eve,calling hours 08:00-21:00 America/Los_Angeles",
        "7,2145550006,A6,75201,18892,,,Blackout Bo,blackout date 2026-11-24 in TX: no calls "
        f"America/Chicago (blackout {ids['blackout']})",
        "8,123,A7,10001,20180,,,Bad Phone,invalid line: phone must be 10 digits",
        "9,2125550008,A8,10001,99999,,,No Service,"
        "invalid line: service: no service 99999 in this client",
        f"10,,,,20180,blocked@example.com,EMAIL,Mail Mo,DNC email entry {ids['email']} (email)",
        f"12,8005550009,A9,,20180,,,Toll Free,unknown location (area code 800); {pacific_readings}",
    ]


COUNTS = {
    "dnc": 3,
    "dnc.legacy": 1,
    "dnc.dialtime": 1,
    "dnc.sms": 0,
    "dnc.email": 1,
    "account": 1,
    "callingHours": 2,
    "blackout": 1,
    "unknownLocation": 1,
    "invalid": 2,
}


# --- the admin: upload, summary, download, audit --------------------------------------------


def test_a_manager_sees_how_many_contacts_would_be_suppressed_and_why(admin_as, lists_a, immediate):
    browser = admin_as("manager")  # a plain Manager: may call isBlocked
    start = browser.get("/admin/dnc/suppression/")
    assert start.status_code == 200
    assert "phone,account,zip,service" in page_text(start)
    assert 'name="client"' not in start.content.decode()
    entries_before = (LegacyEntry.objects.count(), DialtimeEntry.objects.count())

    response = browser.post("/admin/dnc/suppression/", {"file": upload(), "as_of": AS_OF})

    preview = SuppressionPreview.objects.get()
    assert response.status_code == 302
    assert response["Location"] == f"/admin/dnc/suppression/{preview.pk}/"
    assert (preview.status, preview.client_id, preview.as_of) == ("succeeded", 4199, AS_OF_MOMENT)
    assert (preview.contacts, preview.suppressed, preview.counts) == (12, 9, COUNTS)
    page = browser.get(response["Location"])
    assert '<meta http-equiv="refresh"' not in page.content.decode()
    text = page_text(page)
    assert "9 of 12 contacts would be suppressed as of 2026-11-24 10:00." in text
    rows = re.findall(
        r'<tr data-reason="([^"]+)"><th>.*?</th><td>(\d+)</td>', page.content.decode()
    )
    assert rows == [
        ("dnc", "3"),
        ("dnc.legacy", "1"),
        ("dnc.dialtime", "1"),
        ("dnc.email", "1"),  # no SMS line: the SMS list's row is left out
        ("account", "1"),
        ("callingHours", "2"),
        ("blackout", "1"),
        ("unknownLocation", "1"),
        ("invalid", "2"),
    ]
    assert "Holiday or blackout date 1" in text

    response = browser.get(f"/admin/dnc/suppression/{preview.pk}/suppressed.csv")
    assert response["Content-Disposition"] == 'attachment; filename="contacts-suppressed.csv"'
    assert download(browser, preview) == expected_file(lists_a)

    # Nothing changed; one audit entry says who looked at which list and what it showed.
    assert (LegacyEntry.objects.count(), DialtimeEntry.objects.count()) == entries_before
    (entry,) = AuditEntry.objects.filter(action="dnc.suppression.previewed")
    assert (entry.client_id, entry.actor_name, entry.source) == (4199, "manager@ACME", "admin")
    assert entry.details["contacts"] == 12
    assert entry.details["suppressed"] == 9
    assert entry.details["counts"] == COUNTS
    assert entry.details["source"] == "contacts.csv"
    assert entry.details["asOf"] == "2026-11-24T15:00:00+00:00"


def test_as_of_at_night_is_read_in_the_clients_zone(admin_as, client_a, immediate):
    text = "phone,zip,service\n2125550001,10001,20180\n3125550002,60601,20180\n"
    browser = admin_as("superuser")
    browser.post("/admin/dnc/suppression/", {"file": upload(text), "as_of": "2026-11-24 22:30"})

    preview = SuppressionPreview.objects.get()
    assert preview.as_of == datetime(2026, 11, 24, 22, 30, tzinfo=NEW_YORK)
    assert (preview.contacts, preview.suppressed, preview.counts["callingHours"]) == (2, 2, 2)
    assert download(browser, preview) == [
        "line,phone,zip,service,reasons",
        "2,2125550001,10001,20180,calling hours 08:00-21:00 America/New_York",
        "3,3125550002,60601,20180,calling hours 08:00-21:00 America/Chicago",
    ]


def test_now_is_the_moment_the_preview_runs(admin_as, client_a, immediate):
    browser = admin_as("manager")
    browser.post("/admin/dnc/suppression/", {"file": upload("phone,service\n2125550001,20180\n")})

    preview = SuppressionPreview.objects.get()
    assert preview.as_of is not None
    assert preview.as_of == preview.started_at
    assert preview.contacts == 1


def test_a_bad_as_of_is_a_form_error(admin_as, client_a, immediate):
    response = admin_as("manager").post(
        "/admin/dnc/suppression/", {"file": upload(), "as_of": "tomorrow"}
    )

    assert response.status_code == 200
    assert "Give a date and time" in page_text(response)
    assert SuppressionPreview.objects.count() == 0


@pytest.mark.parametrize(
    "text, message",
    [
        ("name,phone\nAnn,2125550001\n", "The first line must name the columns phone,account"),
        ("service,name\n20180,Ann\n", "The first line must name the columns"),
        ("\n\n", "The file is empty"),  # (an empty upload is a form error)
    ],
)
def test_a_file_without_the_columns_fails_with_what_to_fix(
    admin_as, client_a, immediate, text, message
):
    browser = admin_as("manager")
    browser.post("/admin/dnc/suppression/", {"file": upload(text)})

    preview = SuppressionPreview.objects.get()
    assert preview.status == ImportStatus.FAILED
    assert message in preview.message
    page = browser.get(f"/admin/dnc/suppression/{preview.pk}/")
    assert message in page_text(page)
    assert browser.get(f"/admin/dnc/suppression/{preview.pk}/suppressed.csv").status_code == 404
    assert not AuditEntry.objects.filter(action="dnc.suppression.previewed").exists()


# --- batches and progress -------------------------------------------------------------------


def test_each_batch_is_one_decision_call_and_saves_the_progress(client_a, lists_a, monkeypatch):
    with io.BytesIO(CONTACTS.encode()) as file:
        preview = create_preview(
            client=client_a,
            upload=file,
            original_name="contacts.csv",
            actor=Actor.command("test"),
            as_of=AS_OF_MOMENT,
            batch_size=4,
        )
    import dnc.suppression

    calls = []
    real = dnc.suppression.contact_decisions

    def counted(**kwargs):
        calls.append(len(kwargs["asks"]))
        return real(**kwargs)

    monkeypatch.setattr(dnc.suppression, "contact_decisions", counted)
    seen = []

    def progress(job):
        stored = SuppressionPreview.objects.get(pk=job.pk)  # saved, not only in memory
        seen.append((stored.status, stored.lines_done, stored.contacts, stored.suppressed))

    run_preview(preview.pk, progress=progress)

    # 12 contacts in batches of 4 (lines 2-5, 6-9, 10-14); invalid lines are not asked about.
    assert calls == [4, 2, 4]
    assert seen == [("running", 5, 4, 3), ("running", 9, 8, 7), ("running", 14, 12, 9)]
    preview.refresh_from_db()
    assert (preview.status, preview.total_lines, preview.batches_done) == ("succeeded", 14, 3)
    assert preview.counts == COUNTS


def test_the_page_shows_progress_and_refreshes_while_it_runs(admin_as, client_a, settings):
    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.dummy.DummyBackend"}}
    browser = admin_as("manager")
    browser.post("/admin/dnc/suppression/", {"file": upload()})
    preview = SuppressionPreview.objects.get()

    queued = browser.get(f"/admin/dnc/suppression/{preview.pk}/")
    assert '<meta http-equiv="refresh" content="2">' in queued.content.decode()
    assert "Waiting for a worker" in page_text(queued)

    SuppressionPreview.objects.filter(pk=preview.pk).update(
        status="running", total_lines=14, lines_done=7, heartbeat_at=preview.created_at
    )
    running = browser.get(f"/admin/dnc/suppression/{preview.pk}/")
    assert '<meta http-equiv="refresh" content="2">' in running.content.decode()
    # Lines 2-7 of a 14-line file (its header is line 1): 6 of its 13 data lines.
    assert "Working: 6 of 13 lines (50%)." in page_text(running)


# --- rights and tenancy ---------------------------------------------------------------------


def test_who_may_preview(admin_as, client_a, immediate):
    for name in ("manager", "superuser", "sysadmin"):
        assert admin_as(name).get("/admin/dnc/suppression/").status_code == 200
    it_user = admin_as("it_user")
    assert it_user.get("/admin/dnc/suppression/").status_code == 403
    assert it_user.post("/admin/dnc/suppression/", {"file": upload()}).status_code == 403
    assert SuppressionPreview.objects.count() == 0


def test_another_clients_preview_is_a_404(admin_as, client_a, client_b, immediate):
    outsider = admin_as("outsider")  # Superuser of client B
    # At a set moment: "now" would make the answer depend on the hour the suite runs.
    outsider.post(
        "/admin/dnc/suppression/",
        {"file": upload("phone,service\n2125550001,123\n"), "as_of": AS_OF},
    )
    preview_b = SuppressionPreview.objects.get()
    assert (preview_b.client_id, preview_b.contacts, preview_b.suppressed) == (93119, 1, 0)

    browser = admin_as("manager")
    assert browser.get(f"/admin/dnc/suppression/{preview_b.pk}/").status_code == 404
    assert browser.get(f"/admin/dnc/suppression/{preview_b.pk}/suppressed.csv").status_code == 404
    assert "contacts.csv" not in page_text(browser.get("/admin/dnc/suppression/"))
    # Without the right: a 403 before any lookup.
    assert admin_as("it_user").get(f"/admin/dnc/suppression/{preview_b.pk}/").status_code == 403
    # The outsider sees their own.
    assert outsider.get(f"/admin/dnc/suppression/{preview_b.pk}/").status_code == 200


def test_a_manager_previews_only_their_own_clients_lists(admin_as, client_a, client_b, immediate):
    # A client field in the post is ignored: the form has none for them.
    admin_as("manager").post(
        "/admin/dnc/suppression/",
        {"file": upload("phone,service\n2125550001,20180\n"), "client": 93119},
    )
    assert SuppressionPreview.objects.get().client_id == 4199


def test_a_sysadmin_picks_the_client(admin_as, client_a, client_b, immediate):
    LegacyEntry.objects.create(client=client_b, phone="2125550001")
    browser = admin_as("sysadmin")
    assert 'name="client"' in browser.get("/admin/dnc/suppression/").content.decode()

    browser.post(
        "/admin/dnc/suppression/",
        {"file": upload("phone,service\n2125550001,123\n"), "client": 93119, "as_of": AS_OF},
    )

    preview = SuppressionPreview.objects.get()
    assert (preview.client_id, preview.suppressed) == (93119, 1)
    # "As of" without an offset is the chosen client's clock (Los Angeles).
    assert preview.as_of == datetime(2026, 11, 24, 10, tzinfo=ZoneInfo("America/Los_Angeles"))


def test_the_dnc_app_page_links_the_preview(admin_as, client_a):
    page = admin_as("superuser").get("/admin/dnc/")
    assert 'href="/admin/dnc/suppression/"' in page.content.decode()


# --- the database backend and its worker ----------------------------------------------------


@pytest.mark.django_db(transaction=True)
def test_a_preview_is_run_by_the_database_worker(admin_as, lists_a, settings):
    settings.TASKS = DATABASE
    browser = admin_as("manager")
    browser.post("/admin/dnc/suppression/", {"file": upload(), "as_of": AS_OF})
    preview = SuppressionPreview.objects.get()
    assert preview.status == ImportStatus.QUEUED
    from django_tasks_db.models import DBTaskResult

    assert DBTaskResult.objects.get().status == "READY"
    assert str(DBTaskResult.objects.get().id) == preview.task_id

    handlers = {
        sig: signal.getsignal(sig) for sig in (signal.SIGINT, signal.SIGTERM, signal.SIGQUIT)
    }
    try:
        call_command(
            "db_worker",
            "--batch",
            "--no-reload",
            "--no-startup-delay",
            "--interval",
            "0",
            verbosity=0,
        )
    finally:
        for sig, handler in handlers.items():
            signal.signal(sig, handler)

    preview.refresh_from_db()
    assert (preview.status, preview.contacts, preview.suppressed) == ("succeeded", 12, 9)
    result = DBTaskResult.objects.get()
    assert result.status == "SUCCESSFUL"
    assert result.return_value == {"status": "succeeded", "contacts": 12, "suppressed": 9}
    assert download(browser, preview) == expected_file(lists_a)


@pytest.mark.parametrize(
    "reason, words",
    [
        (
            {
                "rule": "dialingPolicy",
                "policyId": 9,
                "dayOfWeek": "WEEKDAY",
                "state": "TX",
                "areaCode": None,
                "doNotDial": False,
                "window": "09:00-20:00",
                "timeZone": "America/Chicago",
            },
            "calling hours 09:00-20:00 America/Chicago (policy 9, WEEKDAY, TX)",
        ),
        (
            {
                "rule": "dialingPolicy",
                "policyId": 4,
                "dayOfWeek": "SUNDAY",
                "state": None,
                "areaCode": "212",
                "doNotDial": True,
                "window": None,
                "timeZone": "America/New_York",
            },
            "do not dial America/New_York (policy 4, SUNDAY, area code 212)",
        ),
        (
            {
                "rule": "blackout",
                "blackoutId": 3,
                "date": "2026-11-26",
                "holiday": "Thanksgiving Day",
                "states": [],
                "doNotDial": False,
                "window": "12:00-14:00",
                "timeZone": "America/Denver",
            },
            "holiday Thanksgiving Day 2026-11-26: calls only 12:00-14:00 America/Denver "
            "(blackout 3)",
        ),
        (
            {"rule": "dnc", "list": "sms", "id": 5, "matched": "sms", "level": "client"},
            "DNC SMS entry 5 (sms)",
        ),
        (
            {
                "rule": "dnc",
                "list": "dialtime",
                "id": 6,
                "matched": "phone",
                "contactGroupId": 1320,
                "blocksThrough": "2030-01-02",
            },
            "DNC dial-time entry 6 (phone, contact group 1320, through 2030-01-02)",
        ),
        ({"rule": "unknownLocation", "zip": None, "areaCode": None}, "unknown location"),
    ],
)
def test_reasons_in_plain_words(reason, words):
    from dnc.suppression import reason_text

    assert reason_text(reason) == words


def test_the_admin_home_page_links_the_preview_for_whoever_may_use_it(admin_as, client_a):
    for who, shown in (("manager", True), ("superuser", True), ("it_user", False)):
        page = admin_as(who).get("/admin/")
        assert page.status_code == 200
        assert (b'href="/admin/dnc/suppression/"' in page.content) is shown, who
