"""The DNC admin in a real Chromium: a Manager with the "Edit DNC Lists" power finds a
dial-time number typed with punctuation, filters by contact group, sets an expiration date on
the selected rows, then imports a CSV file with one bad line from the change list's Import
button: the preview names the bad line, the import saves the good ones."""

from datetime import date

import pytest

from dnc.models import ContactGroup, DialtimeEntry, ImportJob
from livevox_site.models import AuditEntry

from .browser import admin_login
from .conftest import PASSWORD

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

CHANGELIST = "/admin/dnc/dialtimeentry/"
POWER = "manager_with_dnc_power"
CSV = (
    "phone,contactGroupId,expirationDate\n"
    "(312) 555-0111,1321,\n"
    "555-1234,,\n"
    "312.555.0112,,2031-01-01\n"
)


@pytest.fixture(autouse=True)
def _immediate_tasks(settings):
    # The import's preview and commit run inside the upload's request: no worker to wait for.
    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}


@pytest.fixture
def entries(client_a, client_b) -> None:
    ContactGroup.objects.create(group_id=1320, client=client_a, name="Collections")
    ContactGroup.objects.create(group_id=1321, client=client_a, name="Sales")
    ContactGroup.objects.create(group_id=9001, client=client_b, name="Beta group")
    for phone, group in (("4155553734", 1320), ("4155550001", 1320), ("2125550100", 1321)):
        DialtimeEntry.objects.create(client=client_a, phone=phone, contact_group_id=group)
    DialtimeEntry.objects.create(client=client_b, phone="4155553734", contact_group_id=9001)


def phones(page) -> list[str]:
    return page.locator("#result_list tbody .field-phone").all_inner_texts()


def test_a_manager_finds_filters_expires_and_imports(browser_page, live_server, persona, entries):
    page = browser_page
    persona(POWER)
    admin_login(page, live_server, "ACME", POWER, PASSWORD)
    page.goto(f"{live_server.url}{CHANGELIST}")
    assert sorted(phones(page)) == ["2125550100", "4155550001", "4155553734"]

    # Search: the number as a person types it; client B's same number stays out.
    page.fill("#searchbar", "+1 (415) 555-3734")
    with page.expect_navigation():
        page.press("#searchbar", "Enter")
    assert phones(page) == ["4155553734"]

    # Filter by contact group, from the sidebar.
    page.goto(f"{live_server.url}{CHANGELIST}")
    with page.expect_navigation():
        page.locator("#changelist-filter a", has_text="Collections (1320)").click()
    assert "group=1320" in page.url
    assert sorted(phones(page)) == ["4155550001", "4155553734"]
    assert page.locator("#result_list tbody .field-group").all_inner_texts() == [
        "Collections (1320)",
        "Collections (1320)",
    ]

    # Select the filtered rows, "Set an expiration date", choose the day, confirm.
    page.check("#action-toggle")
    page.select_option("select[name=action]", "set_expiration")
    with page.expect_navigation():
        page.click("button[name=index]")
    assert page.locator(".lv-selected li").count() == 2
    page.fill("#id_date", "2030-01-02")
    with page.expect_navigation():
        page.click("input[type=submit][value='Set the expiration date']")
    assert "group=1320" in page.url  # back on the filtered list
    assert "Set the expiration date of 2 entries." in page.locator(".messagelist").inner_text()
    expiring = DialtimeEntry.objects.filter(client_id=4199, expiration_date__isnull=False)
    assert sorted(expiring.values_list("phone", "expiration_date")) == [
        ("4155550001", date(2030, 1, 2)),
        ("4155553734", date(2030, 1, 2)),
    ]
    assert AuditEntry.objects.filter(action="dnc.dialtime.expiration_set").count() == 1

    # Import from the change list's button: the preview names the bad line, saves nothing.
    with page.expect_navigation():
        page.click(".object-tools a.lv-import")
    assert page.url == f"{live_server.url}/admin/dnc/import/dialtime/"
    page.set_input_files(
        "#id_file", files=[{"name": "opt-outs.csv", "mimeType": "text/csv", "buffer": CSV.encode()}]
    )
    with page.expect_navigation():
        page.click("input[type=submit][value='Check the file']")
    errors = page.locator(".lv-import-errors li").all_inner_texts()
    assert errors == ["line 3: phone must be 10 digits"]
    assert not DialtimeEntry.objects.filter(phone__startswith="312").exists()

    with page.expect_navigation():
        page.click("input[type=submit][value='Import these entries']")
    job = ImportJob.objects.get(dry_run=False)
    assert page.url == f"{live_server.url}/admin/dnc/import/jobs/{job.pk}/"
    assert "Done: the entries are saved." in page.locator("#content-main").inner_text()

    page.goto(f"{live_server.url}{CHANGELIST}")
    assert sorted(phones(page)) == [
        "2125550100",
        "3125550111",
        "3125550112",
        "4155550001",
        "4155553734",
    ]
    saved = DialtimeEntry.objects.filter(phone__startswith="312").order_by("phone")
    assert list(saved.values_list("phone", "contact_group_id", "expiration_date", "filename")) == [
        ("3125550111", 1321, None, "opt-outs.csv"),
        ("3125550112", 0, date(2031, 1, 1), "opt-outs.csv"),
    ]
