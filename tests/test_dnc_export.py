"""CSV export of the DNC lists: the import's header, streamed, safe against
spreadsheet formulas, and readable by the import (a round trip changes nothing)."""

import csv
import io
from datetime import date
from zoneinfo import ZoneInfo

import pytest
from django.core.management import call_command
from django.http import StreamingHttpResponse

from dnc.exports import export_cell, unquote_cell
from dnc.models import ContactGroup, DialtimeEntry, EmailEntry, LegacyEntry, SmsEntry
from dnc.wire import local_today
from livevox_site.models import Client, PhoneDncType

# Values a spreadsheet would run as formulas, and a quote that must survive.
ACCOUNTS = ['=HYPERLINK("http://x")', "+1234", "-5", "@SUM(A1)", "'quoted", "''two", "plain"]
EMAILS = ["=cmd@example.com", "+tag@example.com", "-dash@example.com", "'q@example.com"]


def export(list_name: str, client_id: int = 4199) -> str:
    out = io.StringIO()
    call_command("export_dnc", "--client", client_id, "--list", list_name, stdout=out)
    return out.getvalue()


def import_file(tmp_path, list_name: str, text: str, client_id: int = 4199) -> str:
    path = tmp_path / f"{list_name}.csv"
    path.write_text(text, encoding="utf-8", newline="")
    out = io.StringIO()
    call_command(
        "import_dnc",
        "--client",
        client_id,
        "--list",
        list_name,
        str(path),
        stdout=out,
        stderr=io.StringIO(),
    )
    return out.getvalue()


@pytest.fixture
def lists_a(client_a):
    ContactGroup.objects.create(group_id=1320, client=client_a, name="Collections")
    DialtimeEntry.objects.create(client=client_a, phone="4155553734")
    DialtimeEntry.objects.create(
        client=client_a, phone="4155550000", contact_group_id=1320, expiration_date=date(2030, 1, 2)
    )
    for email in EMAILS:
        EmailEntry.objects.create(client=client_a, email=email)
    SmsEntry.objects.create(client=client_a, sms="4155553734", expiration_date=date(2029, 12, 31))
    for account in ACCOUNTS:
        LegacyEntry.objects.create(client=client_a, account=account)
    LegacyEntry.objects.create(client=client_a, phone="209*******", service_id=20180)
    today = local_today(ZoneInfo(client_a.time_zone))
    LegacyEntry.objects.create(
        client=client_a, phone="4155553734", dnc_type="DAILY", blocks_through=today
    )
    return client_a


def test_dialtime_export_has_the_import_header_and_plain_values(lists_a):
    assert export("dialtime").splitlines() == [
        "phone,contactGroupId,expirationDate",
        "4155553734,,",
        "4155550000,1320,2030-01-02",
    ]


def test_sms_export(lists_a):
    assert export("sms").splitlines() == [
        "sms,contactGroupId,expirationDate",
        "4155553734,,2029-12-31",
    ]


def test_formula_cells_are_quoted_and_quotes_doubled(lists_a):
    rows = list(csv.reader(io.StringIO(export("legacy"))))
    assert rows[0] == ["type", "serviceId", "phone", "account", "zip"]
    accounts = [row[3] for row in rows[1:] if row[3]]
    assert sorted(accounts) == sorted(
        [
            '\'=HYPERLINK("http://x")',
            "'+1234",
            "'-5",
            "'@SUM(A1)",
            "''quoted",
            "'''two",
            "plain",
        ]
    )
    emails = [row[0] for row in csv.reader(io.StringIO(export("email")))][1:]
    assert emails == [
        "'=cmd@example.com",
        "'+tag@example.com",
        "'-dash@example.com",
        "''q@example.com",
    ]
    assert ["DAILY", "", "4155553734", "", ""] in rows
    assert ["PERMANENT", "20180", "209*******", "", ""] in rows


@pytest.mark.parametrize("value", [*ACCOUNTS, *EMAILS, "", "\tx", "\rx", "1'"])
def test_the_cell_rule_reads_back_every_value(value):
    assert unquote_cell(export_cell(value)) == value
    assert not export_cell(value).startswith(("=", "+", "-", "@", "\t", "\r"))


@pytest.mark.parametrize("list_name", ["legacy", "dialtime", "email", "sms"])
def test_an_export_imports_back_unchanged(tmp_path, lists_a, list_name):
    model = {"legacy": LegacyEntry, "dialtime": DialtimeEntry, "email": EmailEntry, "sms": SmsEntry}
    before = sorted(model[list_name].objects.values_list(flat=False).order_by("id"))
    if list_name == "legacy":  # the legacy list imports into a Legacy client only
        Client.objects.filter(pk=4199).update(phone_dnc_type=PhoneDncType.LEGACY)

    out = import_file(tmp_path, list_name, export(list_name))

    size = len(before)
    assert f"0 new, 0 updated, {size} unchanged, 0 duplicate lines, 0 bad lines" in out
    assert sorted(model[list_name].objects.values_list(flat=False).order_by("id")) == before


def test_an_export_imports_into_another_client(tmp_path, lists_a, client_b):
    Client.objects.filter(pk=93119).update(phone_dnc_type=PhoneDncType.DIAL_TIME)
    out = import_file(tmp_path, "email", export("email"), client_id=93119)

    assert f"{len(EMAILS)} new" in out
    assert sorted(EmailEntry.objects.filter(client=client_b).values_list("email", flat=True)) == (
        sorted(EMAILS)
    )


def test_the_command_writes_a_file(tmp_path, lists_a):
    target = tmp_path / "out.csv"
    call_command("export_dnc", "--client", 4199, "--list", "dialtime", "-o", str(target))
    assert target.read_text().splitlines()[0] == "phone,contactGroupId,expirationDate"
    assert len(target.read_text().splitlines()) == 3


# --- the admin ------------------------------------------------------------------------------


def content(response) -> str:
    assert isinstance(response, StreamingHttpResponse)
    return b"".join(response.streaming_content).decode()


def test_admin_export_streams_the_whole_list(admin_as, lists_a):
    response = admin_as("manager_with_dnc_power").get("/admin/dnc/export/legacy/")

    assert response.status_code == 200
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert response["Content-Disposition"] == 'attachment; filename="dnc-legacy-ACME.csv"'
    assert content(response).replace("\r\n", "\n") == export("legacy").replace("\r\n", "\n")


def test_plain_manager_may_not_export(admin_as, lists_a):
    assert admin_as("manager").get("/admin/dnc/export/dialtime/").status_code == 403


def test_a_manager_cannot_export_another_client(admin_as, lists_a, client_b):
    SmsEntry.objects.create(client=client_b, sms="2095550000")
    browser = admin_as("manager_with_dnc_power")

    # Naming another client: 403, as the API answers ?client= (another's object would be 404).
    assert browser.get("/admin/dnc/export/sms/?client=93119").status_code == 403
    own = content(browser.get("/admin/dnc/export/sms/?client=4199"))
    assert "2095550000" not in own
    outsider = content(admin_as("outsider").get("/admin/dnc/export/sms/"))
    assert outsider.splitlines() == ["sms,contactGroupId,expirationDate", "2095550000,,"]


def test_a_sysadmin_exports_any_client(admin_as, lists_a, client_b):
    SmsEntry.objects.create(client=client_b, sms="2095550000")
    response = admin_as("sysadmin").get("/admin/dnc/export/sms/?client=93119")
    assert "2095550000" in content(response)
    assert admin_as("sysadmin").get("/admin/dnc/export/sms/?client=1").status_code == 404
