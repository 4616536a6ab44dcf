"""The DNC admin pages: every page for every persona, tenancy of every page and
action, exact searches with punctuation, filters, the forms and their errors in the manager's
words, the actions with one audit entry each, contact group deletion, export of a selection,
and change lists that never count a whole table."""

import csv
import io
import re
from datetime import date, timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from dnc import admin as dnc_admin
from dnc.models import (
    AccountFlag,
    ContactGroup,
    DialtimeEntry,
    EmailEntry,
    LegacyEntry,
    SmsEntry,
)
from livevox_site.models import AuditEntry, Client, PhoneDncType

ADMIN = "/admin/dnc/"
ENTRY_PAGES = ["dialtimeentry", "emailentry", "smsentry", "legacyentry", "accountflag"]
PAGES = [*ENTRY_PAGES, "contactgroup"]
# Flags are cleared, never deleted; the power does not delete contact groups.
NO_DELETE = {
    ("accountflag", "manager_with_dnc_power"),
    ("accountflag", "superuser"),
    ("contactgroup", "manager_with_dnc_power"),
}


@pytest.fixture
def rows(client_a, client_b) -> dict:
    """Two groups and one entry per list in client A; a group and the same values in B."""
    ContactGroup.objects.create(group_id=1320, client=client_a, name="Collections")
    ContactGroup.objects.create(group_id=1321, client=client_a, name="Sales")
    ContactGroup.objects.create(group_id=9001, client=client_b, name="Beta group")
    made = {}
    for client, group, tag in ((client_a, 1320, "a"), (client_b, 9001, "b")):
        made[f"dialtime_{tag}"] = DialtimeEntry.objects.create(
            client=client, phone="4155553734", contact_group_id=group
        )
        made[f"email_{tag}"] = EmailEntry.objects.create(
            client=client, email="jane@example.com", contact_group_id=group
        )
        made[f"sms_{tag}"] = SmsEntry.objects.create(client=client, sms="4155550000")
        made[f"legacy_{tag}"] = LegacyEntry.objects.create(
            client=client, phone="8015442100", account="A-77", zip="94105"
        )
        made[f"flag_{tag}"] = AccountFlag.objects.create(client=client, account="ACC-1")
        made[f"group_{tag}"] = ContactGroup.objects.get(client=client, group_id=group)
    return made


def listed(response) -> list:
    assert response.status_code == 200, response.content[:500]
    return list(response.context["cl"].result_list)


def form_errors(response) -> dict:
    assert response.status_code == 200, response.status_code
    return response.context["adminform"].form.errors


def set_type(client_id: int, dnc_type: str) -> None:
    """Give a client another Phone DNC Type: each uses only its own lists (dnc.services.dnc_type;
    client A is Dial-Time, B Legacy)."""
    Client.objects.filter(pk=client_id).update(phone_dnc_type=dnc_type)


def audits(**filters) -> list[AuditEntry]:
    return list(AuditEntry.objects.filter(**filters).order_by("id"))


# --- every page for every persona -------------------------------------------------------------


@pytest.mark.parametrize("page", PAGES)
@pytest.mark.parametrize("who", ["manager", "it_user", "agent"])
def test_users_without_the_right_get_403_on_every_page(admin_as, rows, page, who):
    browser = admin_as(who)
    own = rows["group_a" if page == "contactgroup" else _key(page) + "_a"]
    for url in (f"{ADMIN}{page}/", f"{ADMIN}{page}/add/", f"{ADMIN}{page}/{own.pk}/change/"):
        status = browser.get(url).status_code
        # An agent is sent to the login page (no admin at all); the others are refused.
        assert status == (302 if who == "agent" else 403), (url, status)


def _key(page: str) -> str:
    return {
        "dialtimeentry": "dialtime",
        "emailentry": "email",
        "smsentry": "sms",
        "legacyentry": "legacy",
        "accountflag": "flag",
        "contactgroup": "group",
    }[page]


@pytest.mark.parametrize("page", PAGES)
@pytest.mark.parametrize("who", ["manager_with_dnc_power", "superuser", "sysadmin"])
def test_the_pages_work_for_those_with_the_right(admin_as, rows, page, who):
    browser = admin_as(who)
    own = rows[_key(page) + "_a"]
    shown = listed(browser.get(f"{ADMIN}{page}/"))
    expected = {own.pk, rows[_key(page) + "_b"].pk} if who == "sysadmin" else {own.pk}
    if page == "contactgroup":
        expected.add(ContactGroup.objects.get(group_id=1321).pk)
    assert {row.pk for row in shown} == expected
    assert browser.get(f"{ADMIN}{page}/{own.pk}/change/").status_code == 200
    add = browser.get(f"{ADMIN}{page}/add/").status_code
    # The power lets a Manager view the contact groups, not edit them; client A (Dial-Time)
    # adds nothing to its legacy list (a Sysadmin may, for a Legacy client).
    refused = (page, who) == ("contactgroup", "manager_with_dnc_power") or (
        page == "legacyentry" and who != "sysadmin"
    )
    assert add == (403 if refused else 200)


def test_a_sysadmin_picks_the_client_on_add_pages(admin_as, rows):
    browser = admin_as("sysadmin")
    for page in PAGES:
        form = browser.get(f"{ADMIN}{page}/add/").context["adminform"].form
        assert "client" in form.fields, page
    form = admin_as("superuser").get(f"{ADMIN}dialtimeentry/add/").context["adminform"].form
    assert "client" not in form.fields
    assert [value for value, _ in form.fields["contact_group_id"].choices] == [0, 1320, 1321]


# --- tenancy ----------------------------------------------------------------------------------


@pytest.mark.parametrize("page", PAGES)
def test_another_clients_object_is_not_found(admin_as, rows, page):
    theirs = rows[_key(page) + "_b"]
    before = page_state()
    for who in ("manager_with_dnc_power", "superuser"):
        browser = admin_as(who)
        for view in ("change", "delete", "history"):
            response = browser.get(f"{ADMIN}{page}/{theirs.pk}/{view}/")
            if response.status_code == 403:
                # No right to delete this kind at all: refused before any lookup.
                assert view == "delete" and (page, who) in NO_DELETE, (page, who)
                continue
            assert (response.status_code, response["Location"]) == (302, "/admin/"), view
        response = browser.post(f"{ADMIN}{page}/{theirs.pk}/delete/", {"post": "yes"})
        assert response.status_code in (302, 403)
        response = browser.post(f"{ADMIN}{page}/{theirs.pk}/change/", {"phone": "2125550000"})
        assert response.status_code in (302, 403)
    assert page_state() == before


def page_state() -> list:
    return [
        sorted(model.objects.values_list(*fields))
        for model, fields in (
            (DialtimeEntry, ("id", "phone", "contact_group_id", "expiration_date")),
            (EmailEntry, ("id", "email", "expiration_date")),
            (SmsEntry, ("id", "sms", "expiration_date")),
            (LegacyEntry, ("id", "phone", "account")),
            (AccountFlag, ("id", "account", "do_not_dial")),
            (ContactGroup, ("id", "name")),
        )
    ]


@pytest.mark.parametrize(
    "page, action, extra",
    [
        ("dialtimeentry", "delete_selected_entries", {"apply": "1"}),
        ("dialtimeentry", "set_expiration", {"apply": "1", "date": "2030-01-02"}),
        ("emailentry", "clear_expiration", {}),
        ("smsentry", "delete_selected_entries", {"apply": "1"}),
        ("legacyentry", "delete_selected_entries", {"apply": "1"}),
        ("contactgroup", "delete_selected_groups", {"apply": "1"}),
    ],
)
def test_crafted_action_ids_of_another_client_change_nothing(admin_as, rows, page, action, extra):
    EmailEntry.objects.filter(pk=rows["email_b"].pk).update(expiration_date=date(2030, 1, 1))
    theirs = rows[_key(page) + "_b"]
    empty = ContactGroup.objects.create(group_id=9002, client=theirs.client, name="Empty")
    before = page_state()
    audit_count = AuditEntry.objects.count()
    browser = admin_as("superuser")
    for ids in ([theirs.pk], [empty.pk]):  # the empty group is deletable
        response = browser.post(
            f"{ADMIN}{page}/", {"action": action, "_selected_action": ids, **extra}
        )
        assert response.status_code == 302, response.content[:300]
    # Ids that are no numbers select nothing: the list again, not a database error.
    junk = {"action": action, "_selected_action": ["abc", "9" * 30, "-1"], **extra}
    assert browser.post(f"{ADMIN}{page}/", junk).status_code == 200
    assert page_state() == before
    assert AuditEntry.objects.count() == audit_count


def test_export_selected_leaves_out_another_clients_rows(admin_as, rows):
    response = admin_as("superuser").post(
        f"{ADMIN}dialtimeentry/",
        {
            "action": "export_selected",
            "_selected_action": [rows["dialtime_a"].pk, rows["dialtime_b"].pk],
        },
    )
    assert read_csv(response) == [["phone", "contactGroupId", "expirationDate"], _dialtime_a()]


def _dialtime_a() -> list[str]:
    return ["4155553734", "1320", ""]


def read_csv(response) -> list[list[str]]:
    assert response.status_code == 200, response.content[:300]
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    return list(csv.reader(io.StringIO(b"".join(response.streaming_content).decode())))


def test_another_clients_groups_and_services_are_not_offered(admin_as, rows):
    browser = admin_as("manager_with_dnc_power")
    page = browser.get(f"{ADMIN}dialtimeentry/").content.decode()
    assert "Collections (1320)" in page and "Beta group" not in page
    # A crafted choice of client B's group or service is no valid choice.
    response = browser.post(
        f"{ADMIN}dialtimeentry/add/", {"phone": "2125550100", "contact_group_id": "9001"}
    )
    assert "contact_group_id" in form_errors(response)
    set_type(4199, PhoneDncType.LEGACY)  # the legacy list as a Legacy client's
    page = browser.get(f"{ADMIN}legacyentry/").content.decode()
    assert "S20180 (20180)" in page and "93126" not in page
    response = browser.post(
        f"{ADMIN}legacyentry/add/",
        {"dnc_type": "PERMANENT", "service_id": "93126", "phone": "2125550100"},
    )
    assert "service_id" in form_errors(response)
    assert not DialtimeEntry.objects.filter(phone="2125550100").exists()
    assert not LegacyEntry.objects.filter(phone="2125550100").exists()


# --- search -----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "page, term, key",
    [
        ("dialtimeentry", "(415) 555-3734", "dialtime_a"),
        ("dialtimeentry", "+1 415.555.3734", "dialtime_a"),
        ("dialtimeentry", "415 555 3734 ", "dialtime_a"),
        ("emailentry", " Jane@Example.COM", "email_a"),
        ("smsentry", "+1 (415) 555-0000", "sms_a"),
        ("legacyentry", "801-544-2100", "legacy_a"),
        ("legacyentry", "A-77", "legacy_a"),
        ("legacyentry", "94105", "legacy_a"),
        ("accountflag", "ACC-1", "flag_a"),
    ],
)
def test_search_finds_the_normalized_value_in_the_own_client_only(admin_as, rows, page, term, key):
    shown = listed(admin_as("manager_with_dnc_power").get(f"{ADMIN}{page}/", {"q": term}))
    assert [row.pk for row in shown] == [rows[key].pk]
    both = listed(admin_as("sysadmin").get(f"{ADMIN}{page}/", {"q": term}))
    assert {row.pk for row in both} == {rows[key].pk, rows[key.replace("_a", "_b")].pk}


@pytest.mark.parametrize(
    "page, term",
    [
        ("dialtimeentry", "415555"),  # part of a number: searches are whole values
        ("dialtimeentry", "not a phone ' OR 1=1 --"),
        ("emailentry", "jane@"),
        ("smsentry", "%"),
        ("legacyentry", "a-77"),  # accounts are matched as given
        ("accountflag", "acc-1"),
        ("contactgroup", "nothing like it"),
    ],
)
def test_search_of_a_partial_or_bad_value_finds_nothing(admin_as, rows, page, term):
    assert listed(admin_as("superuser").get(f"{ADMIN}{page}/", {"q": term})) == []


def test_contact_groups_are_searched_by_name(admin_as, rows):
    shown = listed(admin_as("superuser").get(f"{ADMIN}contactgroup/", {"q": "sales"}))
    assert [group.group_id for group in shown] == [1321]


# --- filters and order ------------------------------------------------------------------------


def test_filters(admin_as, rows, client_a):
    other = DialtimeEntry.objects.create(
        client=client_a, phone="2125550100", expiration_date=date(2000, 1, 1)
    )
    browser = admin_as("manager_with_dnc_power")
    page = f"{ADMIN}dialtimeentry/"
    assert [r.pk for r in listed(browser.get(page, {"group": "1320"}))] == [rows["dialtime_a"].pk]
    assert [r.pk for r in listed(browser.get(page, {"group": "0"}))] == [other.pk]
    assert listed(browser.get(page, {"group": "9001"})) == []  # client B's group
    assert listed(browser.get(page, {"group": "abc"})) == []
    assert [r.pk for r in listed(browser.get(page, {"expired": "yes"}))] == [other.pk]
    assert [r.pk for r in listed(browser.get(page, {"expired": "no"}))] == [rows["dialtime_a"].pk]
    legacy = f"{ADMIN}legacyentry/"
    daily = LegacyEntry.objects.create(
        client=client_a,
        phone="2125550100",
        dnc_type="DAILY",
        service_id=20180,
        blocks_through=date(2000, 1, 1),
    )
    assert [r.pk for r in listed(browser.get(legacy, {"dnc_type__exact": "DAILY"}))] == [daily.pk]
    assert [r.pk for r in listed(browser.get(legacy, {"service": "20180"}))] == [daily.pk]
    assert [r.pk for r in listed(browser.get(legacy, {"service": "0"}))] == [rows["legacy_a"].pk]
    assert [r.pk for r in listed(browser.get(legacy, {"expired": "yes"}))] == [daily.pk]
    # Only the page's own filters: a crafted lookup is a 400, not a query.
    assert browser.get(page, {"phone__regex": "("}).status_code == 400
    assert browser.get(page, {"client__id__exact": "93119"}).status_code == 400


def test_the_sysadmin_filters_by_client(admin_as, rows):
    shown = listed(
        admin_as("sysadmin").get(f"{ADMIN}dialtimeentry/", {"client__id__exact": "93119"})
    )
    assert [row.pk for row in shown] == [rows["dialtime_b"].pk]


def test_pages_are_newest_first_and_cannot_be_sorted_by_a_column(admin_as, rows, client_a):
    newer = DialtimeEntry.objects.create(client=client_a, phone="2125550100")
    browser = admin_as("superuser")
    expected = [newer.pk, rows["dialtime_a"].pk]
    for params in ({}, {"o": "1"}, {"o": "-3.2"}, {"o": "nonsense"}):
        assert [r.pk for r in listed(browser.get(f"{ADMIN}dialtimeentry/", params))] == expected
    page = browser.get(f"{ADMIN}dialtimeentry/").content.decode()
    assert "?o=" not in page  # no sortable column headers


@pytest.mark.parametrize("page", ENTRY_PAGES)
def test_change_lists_never_count_a_whole_table(admin_as, rows, page):
    browser = admin_as("sysadmin")
    with CaptureQueriesContext(connection) as queries:
        listed(browser.get(f"{ADMIN}{page}/", {"q": "4155553734"}))
        listed(browser.get(f"{ADMIN}{page}/"))
    counts = [q["sql"] for q in queries.captured_queries if "COUNT(" in q["sql"].upper()]
    assert counts, "the paginator counts (capped)"
    assert all("LIMIT" in sql.upper() for sql in counts), counts


def test_the_group_column_names_the_group(admin_as, rows):
    page = admin_as("superuser").get(f"{ADMIN}dialtimeentry/").content.decode()
    assert "Collections (1320)" in page


# --- add, change, delete through the forms -----------------------------------------------------


def test_a_dialtime_entry_is_added_changed_and_deleted_with_audit(admin_as, rows):
    browser = admin_as("manager_with_dnc_power")
    response = browser.post(
        f"{ADMIN}dialtimeentry/add/",
        {"phone": "+1 (212) 555-0100", "contact_group_id": "1321", "expiration_date": ""},
    )
    assert response.status_code == 302, form_errors(response)
    entry = DialtimeEntry.objects.get(phone="2125550100")
    assert (entry.client_id, entry.contact_group_id, entry.added_via) == (4199, 1321, "admin")
    [created] = audits(action="dnc.dialtime.created")
    assert (created.source, created.actor_name, created.object_id) == (
        "admin",
        "manager_with_dnc_power@ACME",
        str(entry.pk),
    )
    response = browser.post(
        f"{ADMIN}dialtimeentry/{entry.pk}/change/",
        {"phone": "212.555.0101", "contact_group_id": "0", "expiration_date": "2031-05-06"},
    )
    assert response.status_code == 302, form_errors(response)
    entry.refresh_from_db()
    assert (entry.phone, entry.contact_group_id, entry.expiration_date) == (
        "2125550101",
        0,
        date(2031, 5, 6),
    )
    [updated] = audits(action="dnc.dialtime.updated")
    assert updated.before["phone"] == "2125550100" and updated.after["phone"] == "2125550101"
    response = browser.post(f"{ADMIN}dialtimeentry/{entry.pk}/delete/", {"post": "yes"})
    assert response.status_code == 302
    assert not DialtimeEntry.objects.filter(pk=entry.pk).exists()
    [deleted] = audits(action="dnc.dialtime.deleted")
    assert deleted.before["phone"] == "2125550101"


@pytest.mark.parametrize(
    "page, data, errors",
    [
        (
            "dialtimeentry",
            {"phone": "555-1234"},
            {"phone": ["Phone must be 10 digits"]},
        ),
        (
            "dialtimeentry",
            {"phone": "(415) 555-3734", "contact_group_id": "1320"},
            {"phone": ["This value is already listed in that contact group."]},
        ),
        (
            "smsentry",
            {"sms": "call me"},
            {
                "sms": [
                    "SMS number may hold only digits, spaces, dashes, dots, parentheses "
                    "and a leading +1"
                ]
            },
        ),
        (
            "emailentry",
            {"email": "not-an-address"},
            {"email": ["Email is not a valid email address"]},
        ),
        (
            "emailentry",
            {"email": "JANE@example.com", "contact_group_id": "1320"},
            {"email": ["This value is already listed in that contact group."]},
        ),
        (
            "legacyentry",
            {"dnc_type": "PERMANENT", "service_id": "0"},
            {"__all__": ["Give a phone, an account or a zip code (or several)."]},
        ),
        (
            "legacyentry",
            {"dnc_type": "PERMANENT", "service_id": "0", "zip": "9410"},
            {"zip": ["Zip must be a 5-digit zip code"]},
        ),
        (
            "legacyentry",
            {
                "dnc_type": "PERMANENT",
                "service_id": "0",
                "phone": "801 544 2100",
                "account": "A-77",
                "zip": "94105",
            },
            {"__all__": ["This entry is already on the list."]},
        ),
        (
            "accountflag",
            {"account": "ACC-1", "do_not_dial": "PERMANENT"},
            {"account": ["This account already has a flag: open it to change it."]},
        ),
        (
            "accountflag",
            {"account": "ACC-2", "do_not_dial": "NONE"},
            {"do_not_dial": ["Choose Today or Permanently: “No” clears a flag."]},
        ),
        (
            "contactgroup",
            {"group_id": "", "name": "Sales"},
            {"name": ["A contact group named 'Sales' exists"]},
        ),
        (
            "contactgroup",
            {"group_id": "1321", "name": "Taken already"},
            {"__all__": ["Contact group id 1321 is taken"]},
        ),
    ],
)
def test_form_errors_are_shown_under_their_field(admin_as, rows, page, data, errors):
    if page == "legacyentry":
        set_type(4199, PhoneDncType.LEGACY)
    before = page_state()
    response = admin_as("superuser").post(f"{ADMIN}{page}/add/", data)
    assert form_errors(response) == errors
    assert page_state() == before


def test_a_legacy_entry_is_added_read_only_and_removed(admin_as, rows):
    set_type(4199, PhoneDncType.LEGACY)
    browser = admin_as("manager_with_dnc_power")
    response = browser.post(
        f"{ADMIN}legacyentry/add/",
        {"dnc_type": "DAILY", "service_id": "20180", "phone": "", "account": "B-1", "zip": ""},
    )
    assert response.status_code == 302, form_errors(response)
    entry = LegacyEntry.objects.get(account="B-1")
    assert (entry.client_id, entry.service_id, entry.blocks_through is not None) == (
        4199,
        20180,
        True,
    )
    assert len(audits(action="dnc.legacyentry.created")) == 1
    page = browser.get(f"{ADMIN}legacyentry/{entry.pk}/change/")
    assert page.status_code == 200 and b'name="_save"' not in page.content
    browser.post(f"{ADMIN}legacyentry/{entry.pk}/delete/", {"post": "yes"})
    assert not LegacyEntry.objects.filter(pk=entry.pk).exists()
    assert len(audits(action="dnc.legacyentry.deleted")) == 1


def test_an_account_flag_is_set_changed_and_cleared(admin_as, rows):
    browser = admin_as("manager_with_dnc_power")
    response = browser.post(
        f"{ADMIN}accountflag/add/", {"account": " ACC-9 ", "do_not_dial": "DAILY"}
    )
    assert response.status_code == 302, form_errors(response)
    flag = AccountFlag.objects.get(account="ACC-9")
    assert (flag.client_id, flag.do_not_dial) == (4199, "DAILY")
    response = browser.post(f"{ADMIN}accountflag/{flag.pk}/change/", {"do_not_dial": "PERMANENT"})
    assert response.status_code == 302, form_errors(response)
    flag.refresh_from_db()
    assert (flag.do_not_dial, flag.blocks_through) == ("PERMANENT", None)
    response = browser.post(f"{ADMIN}accountflag/{flag.pk}/change/", {"do_not_dial": "NONE"})
    assert response.status_code == 302
    assert not AccountFlag.objects.filter(pk=flag.pk).exists()
    assert [e.action for e in audits(object_type="dnc.accountflag")] == [
        "dnc.accountflag.created",
        "dnc.accountflag.changed",
        "dnc.accountflag.deleted",
    ]


# --- the Sysadmin's forms: the chosen client's groups and services ------------------------------


def test_a_sysadmin_adds_for_the_client_chosen(admin_as, rows):
    set_type(93119, PhoneDncType.DIAL_TIME)  # B's dial-time lists, for this test
    browser = admin_as("sysadmin")
    form = browser.get(f"{ADMIN}dialtimeentry/add/").context["adminform"].form
    grouped = dict(form.fields["contact_group_id"].choices[1:])
    assert grouped == {
        "Acme (ACME)": [(1320, "Collections (1320)"), (1321, "Sales (1321)")],
        "Beta (BETA)": [(9001, "Beta group (9001)")],
    }
    response = browser.post(
        f"{ADMIN}dialtimeentry/add/",
        {"client": "93119", "phone": "2125550100", "contact_group_id": "9001"},
    )
    assert response.status_code == 302, form_errors(response)
    entry = DialtimeEntry.objects.get(phone="2125550100")
    assert (entry.client_id, entry.contact_group_id) == (93119, 9001)
    assert audits(action="dnc.dialtime.created")[0].client_id == 93119
    # Client A's group for client B: refused under the group, nothing written.
    response = browser.post(
        f"{ADMIN}dialtimeentry/add/",
        {"client": "93119", "phone": "2125550101", "contact_group_id": "1320"},
    )
    assert form_errors(response) == {"contact_group_id": ["Choose a contact group of Beta."]}
    # The duplicate check is the chosen client's: B already lists this email.
    response = browser.post(
        f"{ADMIN}emailentry/add/",
        {"client": "93119", "email": "jane@example.com", "contact_group_id": "9001"},
    )
    assert form_errors(response) == {
        "email": ["This value is already listed in that contact group."]
    }
    response = browser.post(f"{ADMIN}smsentry/add/", {"phone": "2125550102", "sms": "2125550102"})
    assert form_errors(response) == {"client": ["This field is required."]}


def test_a_sysadmin_changes_an_entry_with_its_own_clients_groups(admin_as, rows):
    set_type(93119, PhoneDncType.DIAL_TIME)  # B's dial-time lists, for this test
    browser = admin_as("sysadmin")
    url = f"{ADMIN}dialtimeentry/{rows['dialtime_b'].pk}/change/"
    form = browser.get(url).context["adminform"].form
    assert form.fields["contact_group_id"].choices == [(0, "No group"), (9001, "Beta group (9001)")]
    response = browser.post(url, {"phone": "4155553734", "contact_group_id": "1320"})
    assert list(form_errors(response)) == ["contact_group_id"]
    response = browser.post(
        url, {"phone": "4155553734", "contact_group_id": "0", "expiration_date": "2030-03-04"}
    )
    assert response.status_code == 302, form_errors(response)
    entry = DialtimeEntry.objects.get(pk=rows["dialtime_b"].pk)
    assert (entry.client_id, entry.contact_group_id, entry.expiration_date) == (
        93119,
        0,
        date(2030, 3, 4),
    )
    assert audits(action="dnc.dialtime.updated")[0].client_id == 93119


def test_a_sysadmin_adds_legacy_entries_flags_and_groups_for_the_client_chosen(admin_as, rows):
    browser = admin_as("sysadmin")
    response = browser.post(
        f"{ADMIN}legacyentry/add/",
        {"client": "93119", "dnc_type": "PERMANENT", "service_id": "20180", "phone": "2125550100"},
    )
    assert form_errors(response) == {"service_id": ["Choose a service of Beta."]}
    response = browser.post(
        f"{ADMIN}legacyentry/add/",
        {"client": "93119", "dnc_type": "PERMANENT", "service_id": "93126", "phone": "2125550100"},
    )
    assert response.status_code == 302, form_errors(response)
    assert LegacyEntry.objects.get(phone="2125550100").client_id == 93119
    response = browser.post(
        f"{ADMIN}accountflag/add/",
        {"client": "93119", "account": "ACC-1", "do_not_dial": "PERMANENT"},
    )
    assert form_errors(response) == {
        "account": ["This account already has a flag: open it to change it."]
    }
    response = browser.post(
        f"{ADMIN}accountflag/add/",
        {"client": "4199", "account": "ACC-B", "do_not_dial": "PERMANENT"},
    )
    assert response.status_code == 302, form_errors(response)
    assert AccountFlag.objects.get(account="ACC-B").client_id == 4199
    response = browser.post(f"{ADMIN}contactgroup/add/", {"client": "93119", "name": "Collections"})
    assert response.status_code == 302, form_errors(response)
    assert ContactGroup.objects.get(client_id=93119, name="Collections")


# --- actions ----------------------------------------------------------------------------------


def test_set_and_clear_expiration_with_one_audit_entry_each(admin_as, rows, client_a):
    second = DialtimeEntry.objects.create(client=client_a, phone="2125550100")
    ids = [rows["dialtime_a"].pk, second.pk]
    browser = admin_as("manager_with_dnc_power")
    page = f"{ADMIN}dialtimeentry/?expired=no"
    confirm = browser.post(page, {"action": "set_expiration", "_selected_action": ids})
    assert confirm.status_code == 200
    assert b"Set the expiration date" in confirm.content and b"2 selected" in confirm.content
    response = browser.post(
        page,
        {"action": "set_expiration", "_selected_action": ids, "apply": "1", "date": "bad"},
    )
    assert response.status_code == 200 and response.context["form"].errors == {
        "date": ["Enter a valid date."]
    }
    response = browser.post(
        page,
        {"action": "set_expiration", "_selected_action": ids, "apply": "1", "date": "2030-01-02"},
    )
    assert (response.status_code, response["Location"]) == (302, page)
    assert set(DialtimeEntry.objects.values_list("client_id", "expiration_date")) == {
        (4199, date(2030, 1, 2)),
        (93119, None),
    }
    [entry] = audits(action="dnc.dialtime.expiration_set")
    assert entry.details == {
        "ids": sorted(ids),
        "expirationDate": "2030-01-02",
        **{k: v for k, v in entry.details.items() if k not in ("ids", "expirationDate")},
    }
    assert (entry.source, entry.client_id) == ("admin", 4199)
    response = browser.post(page, {"action": "clear_expiration", "_selected_action": ids})
    assert response.status_code == 302
    assert not DialtimeEntry.objects.filter(expiration_date__isnull=False).exists()
    assert len(audits(action="dnc.dialtime.expiration_set")) == 2


def test_select_across_acts_on_the_filtered_list(admin_as, rows, client_a):
    DialtimeEntry.objects.create(client=client_a, phone="2125550100", contact_group_id=1321)
    browser = admin_as("superuser")
    response = browser.post(
        f"{ADMIN}dialtimeentry/?group=1321",
        {
            "action": "set_expiration",
            "_selected_action": [rows["dialtime_a"].pk],
            "select_across": "1",
            "apply": "1",
            "date": "2030-01-02",
        },
    )
    assert response.status_code == 302
    expiring = DialtimeEntry.objects.filter(expiration_date__isnull=False)
    assert list(expiring.values_list("phone", flat=True)) == ["2125550100"]


@pytest.mark.parametrize(
    "page, key, action",
    [
        ("dialtimeentry", "dialtime", "dnc.dialtime.deleted_bulk"),
        ("emailentry", "email", "dnc.email.deleted_bulk"),
        ("smsentry", "sms", "dnc.sms.deleted_bulk"),
        ("legacyentry", "legacy", "dnc.legacyentry.deleted_bulk"),
    ],
)
def test_remove_selected_asks_then_removes_with_one_audit_entry(admin_as, rows, page, key, action):
    own = rows[f"{key}_a"]
    model = type(own)
    other = model.objects.get(pk=own.pk)
    other.pk = None
    for name, value in {
        "phone": "2125550100",
        "email": "x@example.com",
        "sms": "2125550100",
    }.items():
        if hasattr(other, name):
            setattr(other, name, value)
    other.save()
    ids = [own.pk, other.pk]
    browser = admin_as("manager_with_dnc_power")
    confirm = browser.post(
        f"{ADMIN}{page}/", {"action": "delete_selected_entries", "_selected_action": ids}
    )
    assert confirm.status_code == 200 and b"Yes, remove them" in confirm.content
    assert model.objects.filter(pk__in=ids).count() == 2
    response = browser.post(
        f"{ADMIN}{page}/",
        {"action": "delete_selected_entries", "_selected_action": ids, "apply": "1"},
    )
    assert response.status_code == 302
    assert not model.objects.filter(pk__in=ids).exists()
    assert model.objects.filter(pk=rows[f"{key}_b"].pk).exists()
    [entry] = audits(client_id=4199, action__contains="deleted")
    assert entry.action == action and sorted(entry.details["ids"]) == sorted(ids)


def test_an_action_on_too_many_rows_changes_nothing(admin_as, rows, client_a, monkeypatch):
    monkeypatch.setattr(dnc_admin.common, "MAX_ACTION_ROWS", 1)
    DialtimeEntry.objects.create(client=client_a, phone="2125550100")
    ids = list(DialtimeEntry.objects.filter(client=client_a).values_list("pk", flat=True))
    browser = admin_as("superuser")
    confirm = browser.post(
        f"{ADMIN}dialtimeentry/", {"action": "delete_selected_entries", "_selected_action": ids}
    )
    assert b"an action changes at most 1 at once" in confirm.content
    response = browser.post(
        f"{ADMIN}dialtimeentry/",
        {"action": "delete_selected_entries", "_selected_action": ids, "apply": "1"},
        follow=True,
    )
    assert "at most 1 entries at once" in response.content.decode()
    assert DialtimeEntry.objects.filter(pk__in=ids).count() == 2
    assert not AuditEntry.objects.exists()


def test_django_delete_selected_is_replaced(admin_as, rows):
    for page in PAGES:
        response = admin_as("superuser").get(f"{ADMIN}{page}/")
        form = response.context["action_form"]
        actions = [name for name, _ in form.fields["action"].choices] if form else []
        assert "delete_selected" not in actions, page
    assert actions == ["", "delete_selected_groups"]


# --- contact groups -----------------------------------------------------------------------------


def test_a_contact_group_in_use_is_not_deleted(admin_as, rows):
    browser = admin_as("superuser")
    collections, sales = (ContactGroup.objects.get(group_id=n).pk for n in (1320, 1321))
    url = f"{ADMIN}contactgroup/{collections}/delete/"
    response = browser.post(url, {"post": "yes"}, follow=True)
    assert "still name this group" in response.content.decode()
    response = browser.get(url)
    assert response.status_code == 302
    assert ContactGroup.objects.filter(pk=collections).exists()
    # The action keeps it too, and deletes the unused one beside it.
    response = browser.post(
        f"{ADMIN}contactgroup/",
        {
            "action": "delete_selected_groups",
            "_selected_action": [collections, sales],
            "apply": "1",
        },
        follow=True,
    )
    page = response.content.decode()
    assert "Deleted 1 contact groups." in page and "Kept Collections (1320)" in page
    groups = ContactGroup.objects.filter(client_id=4199)
    assert list(groups.values_list("group_id", flat=True)) == [1320]
    assert [e.object_id for e in audits(action="dnc.contactgroup.deleted")] == ["1321"]
    # Once no entry names it, it goes.
    DialtimeEntry.objects.filter(contact_group_id=1320).delete()
    EmailEntry.objects.filter(contact_group_id=1320).delete()
    assert browser.post(url, {"post": "yes"}).status_code == 302
    assert not ContactGroup.objects.filter(pk=collections).exists()
    assert len(audits(action="dnc.contactgroup.deleted")) == 2


def test_a_contact_group_is_added_and_renamed_with_audit(admin_as, rows):
    browser = admin_as("superuser")
    response = browser.post(f"{ADMIN}contactgroup/add/", {"group_id": "77", "name": " Retention "})
    assert response.status_code == 302, form_errors(response)
    group = ContactGroup.objects.get(group_id=77)
    assert (group.client_id, group.name) == (4199, "Retention")
    response = browser.post(f"{ADMIN}contactgroup/{group.pk}/change/", {"name": "Sales"})
    assert form_errors(response) == {"name": ["A contact group named 'Sales' exists"]}
    response = browser.post(f"{ADMIN}contactgroup/{group.pk}/change/", {"name": "Winback"})
    assert response.status_code == 302
    assert [e.action for e in audits(object_type="dnc.contactgroup")] == [
        "dnc.contactgroup.added",
        "dnc.contactgroup.changed",
    ]


# --- import and export ------------------------------------------------------------------------


@pytest.mark.parametrize(
    "page, list_name",
    [
        ("dialtimeentry", "dialtime"),
        ("emailentry", "email"),
        ("smsentry", "sms"),
        ("legacyentry", "legacy"),
    ],
)
def test_the_change_list_links_import_and_export(admin_as, rows, page, list_name):
    if list_name == "legacy":
        set_type(4199, PhoneDncType.LEGACY)
    html = admin_as("manager_with_dnc_power").get(f"{ADMIN}{page}/").content.decode()
    assert f'href="/admin/dnc/import/{list_name}/" class="lv-import">Import from CSV' in html
    assert f'href="/admin/dnc/export/{list_name}/" class="lv-export">Export all as CSV' in html
    html = admin_as("sysadmin").get(f"{ADMIN}{page}/?client__id__exact=93119").content.decode()
    assert f'href="/admin/dnc/export/{list_name}/?client=93119"' in html


def test_the_buttons_need_their_rights(admin_as, rows, monkeypatch):
    from livevox_site.models import User

    has_perm = User.has_perm
    # A user who may view the entries but not add them: "Export", no "Import".
    monkeypatch.setattr(
        User,
        "has_perm",
        lambda user, perm, obj=None: perm != "dnc.add_dialtimeentry" and has_perm(user, perm, obj),
    )
    html = admin_as("manager_with_dnc_power").get(f"{ADMIN}dialtimeentry/").content.decode()
    assert "Export all as CSV" in html and "Import from CSV" not in html
    for page in ("accountflag", "contactgroup"):
        html = admin_as("superuser").get(f"{ADMIN}{page}/").content.decode()
        assert "Import from CSV" not in html and "Export all as CSV" not in html


def test_export_selected_writes_the_exports_columns(admin_as, rows, client_a):
    formula = LegacyEntry.objects.create(client=client_a, account="=SUM(A1)", service_id=20180)
    browser = admin_as("manager_with_dnc_power")
    response = browser.post(
        f"{ADMIN}legacyentry/",
        {"action": "export_selected", "_selected_action": [rows["legacy_a"].pk, formula.pk]},
    )
    assert read_csv(response) == [
        ["type", "serviceId", "phone", "account", "zip"],
        ["PERMANENT", "", "8015442100", "A-77", "94105"],
        ["PERMANENT", "20180", "", "'=SUM(A1)", ""],
    ]
    assert response["Content-Disposition"] == 'attachment; filename="dnc-legacy-selected.csv"'
    EmailEntry.objects.filter(pk=rows["email_a"].pk).update(
        expiration_date=date.today() + timedelta(days=3)
    )
    response = browser.post(
        f"{ADMIN}emailentry/",
        {"action": "export_selected", "_selected_action": [rows["email_a"].pk]},
    )
    selected = read_csv(response)
    assert selected == [
        ["email", "contactGroupId", "expirationDate"],
        ["jane@example.com", "1320", (date.today() + timedelta(days=3)).isoformat()],
    ]
    # The whole-list export of the same list writes the same cells.
    assert read_csv(browser.get("/admin/dnc/export/email/")) == selected


# --- index-backed pages -----------------------------------------------------------------------


@pytest.fixture
def many(rows, client_a):
    """A few thousand entries per list in client A, with fresh statistics: enough for the
    planners to prefer a selective index over reading the client's rows in id order."""
    n = 3000
    DialtimeEntry.objects.bulk_create(
        DialtimeEntry(client=client_a, phone=f"312{i:07d}", contact_group_id=1321 * (i % 2))
        for i in range(n)
    )
    EmailEntry.objects.bulk_create(
        EmailEntry(client=client_a, email=f"p{i}@example.com") for i in range(n)
    )
    SmsEntry.objects.bulk_create(SmsEntry(client=client_a, sms=f"312{i:07d}") for i in range(n))
    LegacyEntry.objects.bulk_create(
        LegacyEntry(client=client_a, phone=f"312{i:07d}", account=f"X{i}", zip=f"{i:05d}")
        for i in range(n)
    )
    AccountFlag.objects.bulk_create(AccountFlag(client=client_a, account=f"X{i}") for i in range(n))
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")


@pytest.mark.parametrize(
    "who, page, params, columns",
    [
        ("superuser", "dialtimeentry", {}, []),
        ("sysadmin", "dialtimeentry", {}, []),
        ("superuser", "dialtimeentry", {"q": "(415) 555-3734"}, ["phone"]),
        ("sysadmin", "dialtimeentry", {"q": "(415) 555-3734"}, ["phone"]),
        ("superuser", "dialtimeentry", {"group": "1320"}, ["contact_group_id"]),
        ("superuser", "dialtimeentry", {"expired": "yes"}, []),
        ("superuser", "emailentry", {"q": "Jane@example.com"}, ["email"]),
        ("superuser", "smsentry", {"q": "415-555-0000"}, ["sms"]),
        ("superuser", "legacyentry", {}, []),
        ("superuser", "legacyentry", {"q": "A-77"}, ["account"]),
        ("superuser", "legacyentry", {"q": "94105"}, ["account", "zip"]),
        ("sysadmin", "legacyentry", {"q": "801-544-2100"}, ["account", "phone"]),
        ("superuser", "legacyentry", {"dnc_type__exact": "DAILY", "service": "20180"}, []),
        ("superuser", "accountflag", {}, []),
        ("superuser", "accountflag", {"q": "ACC-1"}, ["account"]),
    ],
)
def test_every_page_query_is_served_by_an_index(admin_as, many, who, page, params, columns):
    """No page query reads a whole table (with sequential scans priced out, the planner still
    scans when no index serves the query), and a search or group filter probes an index on
    its own column, never the client's rows one by one."""
    table = f"dnc_{page}"
    with CaptureQueriesContext(connection) as captured:
        listed(admin_as(who).get(f"{ADMIN}{page}/", params))
    queries = [
        q["sql"]
        for q in captured.captured_queries
        if q["sql"].startswith("SELECT") and f'FROM "{table}"' in q["sql"]
    ]
    assert queries
    for sql in queries:
        plan = explain(sql)
        if connection.vendor == "postgresql":
            assert "Seq Scan" not in plan, (sql, plan)
            conditions = " ".join(
                line for line in plan.splitlines() if "Index Cond" in line or "Recheck Cond" in line
            )
            probes = [
                re.search(rf"\(?{column}\)?(::\w+)? = ", conditions) is not None
                for column in columns
            ]
        else:
            scans = [line for line in plan.splitlines() if line.startswith(f"SCAN {table}")]
            # A plain SCAN is the rowid order itself: only for a page of every client.
            assert not scans or " WHERE " not in sql, (sql, plan)
            probes = [f"{column}=?" in plan for column in columns]
        assert all(probes), (columns, sql, plan)


def explain(sql: str) -> str:
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute("SET LOCAL enable_seqscan = off")
            cursor.execute(f"EXPLAIN {sql}")
            return "\n".join(row[0] for row in cursor.fetchall())
        cursor.execute(f"EXPLAIN QUERY PLAN {sql}")
        return "\n".join(row[-1] for row in cursor.fetchall())


def test_a_value_already_listed_without_a_group_says_so(admin_as, rows):
    response = admin_as("superuser").post(
        f"{ADMIN}smsentry/add/", {"sms": "4155550000", "contact_group_id": "0"}
    )
    assert form_errors(response) == {
        "sms": ["This value is already listed (without a contact group)."]
    }


PAST = (
    "This day has passed in Acme's time zone (America/New_York): the entries would stop "
    "blocking at once. Choose today or a later day, or leave it empty for no expiration."
)


def test_an_expiration_date_in_the_past_is_refused_with_the_reason(admin_as, rows):
    browser = admin_as("manager_with_dnc_power")
    response = browser.post(
        f"{ADMIN}dialtimeentry/add/",
        {"phone": "2125550199", "contact_group_id": "0", "expiration_date": "2020-01-01"},
    )
    assert form_errors(response) == {"expiration_date": [PAST]}
    assert not DialtimeEntry.objects.filter(phone="2125550199").exists()

    ids = [rows["dialtime_a"].pk]
    response = browser.post(
        f"{ADMIN}dialtimeentry/",
        {"action": "set_expiration", "_selected_action": ids, "apply": "1", "date": "2020-01-01"},
    )
    assert response.status_code == 200
    assert response.context["form"].errors == {"date": [PAST]}
    assert DialtimeEntry.objects.get(pk=rows["dialtime_a"].pk).expiration_date is None


def test_removing_entries_is_confirmed_with_the_red_button(admin_as, rows):
    confirm = admin_as("manager_with_dnc_power").post(
        f"{ADMIN}smsentry/",
        {"action": "delete_selected_entries", "_selected_action": [rows["sms_a"].pk]},
    )
    assert confirm.status_code == 200 and confirm.context["danger"] is True
    assert b'class="delete-confirmation"' in confirm.content
