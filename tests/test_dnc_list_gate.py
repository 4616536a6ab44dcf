"""An opt-out that is stored must block: a client's Phone DNC Type decides which DNC lists it
uses (isBlocked reads the dial-time list only for a Dial-Time client), and every path that adds
to a list refuses the ones it does not use, with the reason: the services (so the API), the
admin's add and change pages, its CSV import, and ``manage.py import_dnc``.

Client A (ACME, 4199) is Dial-Time, client B (BETA, 93119) is Legacy (tests/conftest.py)."""

import io
from datetime import date

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import CommandError, call_command

from dnc.imports import create_job
from dnc.models import DialtimeEntry, EmailEntry, ImportJob, LegacyEntry, SmsEntry
from dnc.services.legacy import legacy_entry_create
from dnc.services.lists import list_entries_bulk, list_entry_create
from livevox_site.audit import Actor
from livevox_site.errors import InvalidInput
from livevox_site.jobs import FileRefused
from livevox_site.models import Client, PhoneDncType
from livevox_site.roles import Role

from .conftest import make_user

ADMIN = "/admin/dnc/"
ACTOR = Actor.command("test")
NOT_CONFIGURED_LEGACY = (
    "This client is not configured to use this method (its Phone DNC Type is Legacy DNC)"
)
NOT_CONFIGURED_DIAL_TIME = (
    "This client is not configured to use this method (its Phone DNC Type is Dial-Time Phone DNC)"
)
DIALTIME_FOR_LEGACY = (
    "Beta uses the legacy DNC list (its Phone DNC Type is Legacy): isBlocked does not read the "
    "dial-time list for it, so an entry here would block no call. Add the numbers to the legacy "
    "list instead, or ask a Sysadmin to change the client's Phone DNC Type."
)
SMS_FOR_LEGACY = (
    "Beta uses the legacy DNC list (its Phone DNC Type is Legacy): the API refuses the SMS DNC "
    "list for it. Add the numbers to the legacy list instead, or ask a Sysadmin to change the "
    "client's Phone DNC Type."
)
LEGACY_FOR_DIAL_TIME = (
    "Acme uses the dial-time DNC lists (its Phone DNC Type is Dial-Time), so the API refuses its "
    "legacy DNC list. Add the numbers to the dial-time list instead, or ask a Sysadmin to "
    "change the client's Phone DNC Type."
)


@pytest.fixture
def beta_manager(client_b):
    """A Manager with the "Edit DNC Lists" power in the Legacy client."""
    return make_user(client_b, "beta_dnc", Role.MANAGER, dnc=True)


def admin_as_user(user):
    from django.test import Client as BrowserClient

    browser = BrowserClient()
    browser.force_login(user)
    return browser


def nothing_stored() -> bool:
    return not (
        DialtimeEntry.objects.exists()
        or EmailEntry.objects.exists()
        or SmsEntry.objects.exists()
        or LegacyEntry.objects.exists()
    )


# --- the services: every path's last gate ---------------------------------------------------


@pytest.mark.parametrize("list_name", ["dialtime", "email", "sms"])
def test_the_services_refuse_the_dial_time_lists_of_a_legacy_client(client_b, list_name):
    value = "jane@example.com" if list_name == "email" else "4155553734"
    with pytest.raises(InvalidInput) as refused:
        list_entry_create(actor=ACTOR, client=client_b, list_name=list_name, value=value)
    assert (refused.value.message, refused.value.code) == (NOT_CONFIGURED_LEGACY, 202)

    with pytest.raises(InvalidInput):
        list_entries_bulk(
            actor=ACTOR, client=client_b, list_name=list_name, entries=[{"phone": value}]
        )
    assert nothing_stored()


def test_the_services_refuse_the_legacy_list_of_a_dial_time_client(client_a):
    with pytest.raises(InvalidInput) as refused:
        legacy_entry_create(
            actor=ACTOR,
            client=client_a,
            dnc_type="PERMANENT",
            phone="4155553734",
            today=date(2026, 12, 8),
            via="test",
        )
    assert refused.value.message == NOT_CONFIGURED_DIAL_TIME
    assert nothing_stored()


# --- the admin ------------------------------------------------------------------------------


def test_a_legacy_clients_manager_is_not_offered_the_dial_time_list(beta_manager):
    browser = admin_as_user(beta_manager)

    page = browser.get(f"{ADMIN}dialtimeentry/")
    assert page.status_code == 200
    assert page.context["lv_list_refused"] == DIALTIME_FOR_LEGACY
    assert page.context["has_add_permission"] is False
    assert "lv_import_url" not in page.context
    assert browser.get(f"{ADMIN}dialtimeentry/add/").status_code == 403
    response = browser.post(
        f"{ADMIN}dialtimeentry/add/", {"phone": "4155553734", "contact_group_id": "0"}
    )
    assert response.status_code == 403
    assert nothing_stored()


def test_a_legacy_clients_stored_dial_time_entry_is_read_only(beta_manager, client_b):
    entry = DialtimeEntry.objects.create(client=client_b, phone="4155553734")
    browser = admin_as_user(beta_manager)

    page = browser.get(f"{ADMIN}dialtimeentry/{entry.pk}/change/")
    assert page.status_code == 200 and b'name="_save"' not in page.content
    browser.post(
        f"{ADMIN}dialtimeentry/{entry.pk}/change/",
        {"phone": "4155550000", "contact_group_id": "0"},
    )
    entry.refresh_from_db()
    assert entry.phone == "4155553734"


def test_a_dial_time_clients_manager_is_not_offered_the_legacy_list(admin_as, client_a):
    browser = admin_as("manager_with_dnc_power")

    page = browser.get(f"{ADMIN}legacyentry/")
    assert page.context["lv_list_refused"] == LEGACY_FOR_DIAL_TIME
    assert browser.get(f"{ADMIN}legacyentry/add/").status_code == 403
    assert nothing_stored()


@pytest.mark.parametrize(
    ("model", "data", "reason"),
    [
        ("dialtimeentry", {"phone": "4155553734", "contact_group_id": "0"}, DIALTIME_FOR_LEGACY),
        ("smsentry", {"sms": "4155553734", "contact_group_id": "0"}, SMS_FOR_LEGACY),
    ],
)
def test_a_sysadmin_adding_to_a_list_the_chosen_client_does_not_use_is_told_why(
    admin_as, client_b, model, data, reason
):
    response = admin_as("sysadmin").post(f"{ADMIN}{model}/add/", {"client": "93119", **data})

    assert response.status_code == 200
    assert response.context["adminform"].form.errors == {"__all__": [reason]}
    assert nothing_stored()


def test_a_sysadmin_adding_a_legacy_entry_for_a_dial_time_client_is_told_why(admin_as, client_a):
    response = admin_as("sysadmin").post(
        f"{ADMIN}legacyentry/add/",
        {"client": "4199", "dnc_type": "PERMANENT", "service_id": "0", "phone": "4155553734"},
    )

    assert response.context["adminform"].form.errors == {"__all__": [LEGACY_FOR_DIAL_TIME]}
    assert nothing_stored()


# --- the CSV import -------------------------------------------------------------------------


def test_the_import_page_says_why_and_refuses_the_file(beta_manager):
    browser = admin_as_user(beta_manager)

    page = browser.get(f"{ADMIN}import/dialtime/")
    assert page.status_code == 200
    assert page.context["refusal"] == DIALTIME_FOR_LEGACY
    assert b'id="lv-list-refused"' in page.content
    assert b'type="file"' not in page.content
    upload = SimpleUploadedFile("optouts.csv", b"phone\n4155553734\n", content_type="text/csv")
    response = browser.post(f"{ADMIN}import/dialtime/", {"file": upload})
    assert response.context["form"].errors == {"__all__": [DIALTIME_FOR_LEGACY]}
    assert not ImportJob.objects.exists()


def test_a_sysadmin_importing_for_a_client_that_does_not_use_the_list_is_told_why(
    admin_as, client_b
):
    upload = SimpleUploadedFile("optouts.csv", b"phone\n4155553734\n", content_type="text/csv")
    response = admin_as("sysadmin").post(
        f"{ADMIN}import/dialtime/", {"file": upload, "client": "93119"}
    )

    assert response.context["form"].errors == {"client": [DIALTIME_FOR_LEGACY]}
    assert not ImportJob.objects.exists()


def test_the_shell_import_refuses_the_list(client_b, tmp_path):
    path = tmp_path / "optouts.csv"
    path.write_text("phone\n4155553734\n")

    with pytest.raises(CommandError) as refused:
        call_command(
            "import_dnc", "--client", "93119", "--list", "dialtime", str(path),
            stdout=io.StringIO(), stderr=io.StringIO(),
        )  # fmt: skip

    assert str(refused.value) == DIALTIME_FOR_LEGACY
    assert not ImportJob.objects.exists() and nothing_stored()


def test_a_job_made_before_the_client_changed_type_fails_with_the_reason(client_a):
    job = create_job(
        client=client_a,
        list_name="dialtime",
        upload=io.BytesIO(b"phone\n4155553734\n"),
        original_name="optouts.csv",
        actor=ACTOR,
    )
    Client.objects.filter(pk=client_a.pk).update(phone_dnc_type=PhoneDncType.LEGACY)
    from dnc.imports import run_job

    job = run_job(job.pk)

    assert job.status == "failed"
    assert job.message == DIALTIME_FOR_LEGACY.replace("Beta", "Acme")
    assert nothing_stored()


def test_create_job_refuses_the_list(client_a):
    with pytest.raises(FileRefused) as refused:
        create_job(
            client=client_a,
            list_name="legacy",
            upload=io.BytesIO(b"type,phone\nPERMANENT,4155553734\n"),
            original_name="optouts.csv",
            actor=ACTOR,
        )
    assert str(refused.value) == LEGACY_FOR_DIAL_TIME


# --- a client's type change ------------------------------------------------------------------


def client_form(browser, client: Client, **changes) -> dict:
    """The client's change page as its form would post it (its inlines too), with ``changes``."""
    page = browser.get(f"/admin/livevox_site/client/{client.pk}/change/")
    forms = [page.context["adminform"].form]
    for inline in page.context["inline_admin_formsets"]:
        forms += [inline.formset.management_form, *inline.formset.forms]
    data = {}
    for form in forms:
        for name, field in form.fields.items():
            value = form.initial.get(name, field.initial)
            if value is not None:
                data[form.add_prefix(name)] = getattr(value, "pk", value)
    return {**data, **changes}


def test_a_dial_time_client_holding_entries_does_not_turn_legacy(admin_as, client_a):
    DialtimeEntry.objects.create(client=client_a, phone="4155553734")
    DialtimeEntry.objects.create(client=client_a, phone="4155550000")

    browser = admin_as("sysadmin")
    response = browser.post(
        "/admin/livevox_site/client/4199/change/",
        client_form(browser, client_a, phone_dnc_type=PhoneDncType.LEGACY),
    )

    assert response.status_code == 200
    assert response.context["adminform"].form.errors == {
        "__all__": [
            "Acme holds 2 dial-time DNC entries, which isBlocked reads only for Dial-Time "
            "clients: as a Legacy client, those numbers would be called again. Move them to the "
            "legacy list (export them, then import them there) or remove them first."
        ]
    }
    client_a.refresh_from_db()
    assert client_a.phone_dnc_type == PhoneDncType.DIAL_TIME


def test_a_client_without_dial_time_entries_changes_type_freely(admin_as, client_a, client_b):
    LegacyEntry.objects.create(client=client_b, phone="4155553734")
    browser = admin_as("sysadmin")

    for client, new in ((client_a, PhoneDncType.LEGACY), (client_b, PhoneDncType.DIAL_TIME)):
        response = browser.post(
            f"/admin/livevox_site/client/{client.pk}/change/",
            client_form(browser, client, phone_dnc_type=new),
        )
        assert response.status_code == 302
        client.refresh_from_db()
        assert client.phone_dnc_type == new
