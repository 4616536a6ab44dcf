"""The legacy DNC methods (``/compliance/dnc``, docs/wire.md section 6) and account Do Not Dial
flags, as client B (93119, LEGACY, America/Los_Angeles) with the spec's DNC Rules table seeded
(entries 1-6: ``dnc.demo.DNC_RULES``). Whole JSON bodies compared."""

from datetime import date, datetime
from zoneinfo import ZoneInfo

import pytest
import time_machine

from dnc.demo import DNC_RULES, seed_dnc_rules
from dnc.models import AccountFlag, DncType, DoNotDial, LegacyEntry
from livevox_site.lenient import epoch_ms
from livevox_site.models import AuditEntry, sync_id_sequence

B = 93119
PACIFIC = ZoneInfo("America/Los_Angeles")
IS_BLOCKED = "/compliance/complianceCheck/isBlocked"
NOT_CONFIGURED = {
    "code": 202,
    "message": "This client is not configured to use this method "
    "(its Phone DNC Type is Dial-Time Phone DNC)",
}
NOT_FOUND = {"code": 203, "message": "Entry not found"}
RULE_ITEMS = [
    {"id": 1, "clientId": B, "dncType": "PERMANENT", "serviceId": 123, "phone": "4152257000"},
    {
        "id": 2,
        "clientId": B,
        "dncType": "PERMANENT",
        "serviceId": 456,
        "phone": "6173432000",
        "account": "A12345",
    },
    {"id": 3, "clientId": B, "dncType": "PERMANENT", "phone": "2016668000", "account": "A12345"},
    {"id": 4, "clientId": B, "dncType": "PERMANENT", "phone": "5034441000"},
    {"id": 5, "clientId": B, "dncType": "PERMANENT", "zip": "94110"},
    {"id": 6, "clientId": B, "dncType": "PERMANENT", "serviceId": 123, "account": "A6789"},
]


@pytest.fixture
def rules(client_b):
    """The DNC Rules table with the spec's own DNC IDs (1-6), so answers read like the spec
    (PostgreSQL's sequences do not restart between tests); ``seed_dnc_rules`` finds them."""
    LegacyEntry.objects.bulk_create(
        LegacyEntry(
            id=dnc_id, client=client_b, service_id=service, phone=phone, account=account, zip=zip_
        )
        for dnc_id, service, phone, account, zip_ in DNC_RULES
    )
    sync_id_sequence(LegacyEntry)
    entries = seed_dnc_rules(client_b)
    assert [entry.pk for entry in entries] == [1, 2, 3, 4, 5, 6]
    return entries


@pytest.fixture
def beta(api, rules):
    return api("outsider")  # a Superuser of client 93119


def blocked(beta, query: str) -> bool:
    response = beta.get(f"{IS_BLOCKED}?{query}")
    assert response.status_code == 200, response.content
    return response.json()["result"]


def items(beta, query: str = "") -> list[dict]:
    response = beta.get(f"/compliance/dnc?count=1000&offset=0{query}")
    assert response.status_code == 200, response.content
    return response.json()["dnc"]


def last_audit() -> AuditEntry:
    return AuditEntry.objects.order_by("-id").first()


# --- Is Legacy DNC Enabled ------------------------------------------------------------------


def test_is_legacy_dnc_enabled_answers_either_kind_of_client(beta, api):
    assert beta.get("/compliance/dnc/isLegacyDncEnabled").json() == {"result": True}
    # A Dial-Time client may ask too (its answer is the point of the method).
    response = api("manager_with_dnc_power").get("/compliance/v6.0/dnc/isLegacyDncEnabled/")
    assert (response.status_code, response.json()) == (200, {"result": False})


def test_is_legacy_dnc_enabled_is_for_dnc_roles_only(api, rules):
    assert api("manager").get("/compliance/dnc/isLegacyDncEnabled").status_code == 403
    assert api("outsider", agent=True).get("/compliance/dnc/isLegacyDncEnabled").status_code == 403


# --- Create, Read, Delete ---------------------------------------------------------------------


def test_create_then_read_round_trip(beta):
    response = beta.post(
        "/compliance/dnc",
        {"clientId": 4199, "type": "permanent", "serviceId": "456", "phone": "+1 (415) 555-3734"},
    )
    assert response.status_code == 201, response.content
    new_id = response.json()["id"]
    assert response.json() == {"id": new_id}
    read = beta.get(f"/compliance/dnc/{new_id}")
    assert read.json() == {
        "id": new_id,
        "clientId": B,  # the session's client, not the body's clientId
        "type": "PERMANENT",
        "serviceId": 456,
        "phone": "4155553734",
    }


def test_read_answers_every_value_and_the_import_file(beta, client_b):
    entry = LegacyEntry.objects.create(
        client=client_b,
        dnc_type=DncType.DAILY,
        phone="209*******",
        account="QA77",
        zip="02108",
        filename="blocked.csv",
    )
    assert beta.get(f"/compliance/dnc/{entry.pk}").json() == {
        "id": entry.pk,
        "clientId": B,
        "type": "DAILY",
        "filename": "blocked.csv",
        "phone": "209*******",
        "account": "QA77",
        "zip": "02108",
    }


def test_create_takes_trailing_slash_version_and_wildcards(beta):
    response = beta.post("/compliance/v6.0/dnc/", {"type": "DAILY", "phone": "209*******"})
    assert response.status_code == 201
    entry = LegacyEntry.objects.get(pk=response.json()["id"])
    assert (entry.phone, entry.service_id, entry.dnc_type) == ("209*******", 0, "DAILY")


def test_create_records_who_when_and_from_which_request(beta, persona):
    with time_machine.travel(datetime(2026, 3, 6, 12, 0, tzinfo=PACIFIC), tick=False):
        new_id = beta.post("/compliance/dnc", {"type": "DAILY", "zip": "94114"}).json()["id"]
    entry = LegacyEntry.objects.get(pk=new_id)
    assert entry.added_by == str(persona("outsider"))
    assert entry.added_via == "POST /compliance/dnc"
    assert entry.filename == ""
    assert entry.added_at == datetime(2026, 3, 6, 12, 0, tzinfo=PACIFIC)
    audit = last_audit()
    assert (audit.action, audit.object_type, audit.object_id) == (
        "dnc.legacyentry.created",
        "dnc.legacyentry",
        str(new_id),
    )
    assert audit.before is None
    assert audit.after == {
        "id": new_id,
        "type": "DAILY",
        "serviceId": None,
        "phone": None,
        "account": None,
        "zip": "94114",
        "blocksThrough": "2026-03-06",
        "filename": None,
    }


def test_a_daily_entry_blocks_through_the_clients_today(beta):
    # 05:00 UTC on 3/7 is still 3/6 in Los Angeles.
    with time_machine.travel(datetime(2026, 3, 7, 5, 0, tzinfo=ZoneInfo("UTC")), tick=False):
        new_id = beta.post("/compliance/dnc", {"type": "DAILY", "phone": "4155550199"}).json()["id"]
        assert blocked(beta, "service=789&phone=4155550199")
    assert LegacyEntry.objects.get(pk=new_id).blocks_through == date(2026, 3, 6)
    with time_machine.travel(datetime(2026, 3, 7, 0, 0, 1, tzinfo=PACIFIC), tick=False):
        assert not blocked(beta, "service=789&phone=4155550199")


def test_creating_an_entry_that_still_blocks_is_element_already_exists(beta):
    response = beta.post(
        "/compliance/dnc", {"type": "PERMANENT", "phone": "4152257000", "serviceId": 123}
    )
    assert (response.status_code, response.json()) == (
        400,
        {"code": 201, "message": "Element already exists"},
    )
    # Another type or service is another entry.
    assert (
        beta.post(
            "/compliance/dnc", {"type": "DAILY", "phone": "4152257000", "serviceId": 123}
        ).status_code
        == 201
    )
    assert (
        beta.post("/compliance/dnc", {"type": "PERMANENT", "phone": "4152257000"}).status_code
        == 201
    )


def test_an_expired_daily_entry_is_renewed_with_its_id(beta):
    body = {"type": "DAILY", "account": "QA1", "serviceId": 789}
    with time_machine.travel(datetime(2026, 3, 6, 9, 0, tzinfo=PACIFIC), tick=False):
        first = beta.post("/compliance/dnc", body).json()["id"]
        assert beta.post("/compliance/dnc", body).json() == {
            "code": 201,
            "message": "Element already exists",
        }
    with time_machine.travel(datetime(2026, 3, 8, 9, 0, tzinfo=PACIFIC), tick=False):
        assert not blocked(beta, "service=789&account=QA1")
        response = beta.post("/compliance/dnc", body)
        assert (response.status_code, response.json()) == (201, {"id": first})
        assert blocked(beta, "service=789&account=QA1")
    assert LegacyEntry.objects.get(pk=first).blocks_through == date(2026, 3, 8)
    audit = last_audit()
    assert audit.action == "dnc.legacyentry.renewed"
    assert (audit.before["blocksThrough"], audit.after["blocksThrough"]) == (
        "2026-03-06",
        "2026-03-08",
    )


@pytest.mark.parametrize(
    ("body", "message"),
    [
        ({"phone": "4155553734"}, "type must be one of PERMANENT, DAILY"),
        ({"type": "WEEKLY", "phone": "4155553734"}, "type must be one of PERMANENT, DAILY"),
        ({"type": "DAILY"}, "at least one of phone, account or zip is required"),
        (
            {"type": "DAILY", "phone": "", "zip": None},
            "at least one of phone, account or zip is required",
        ),
        ({"type": "DAILY", "phone": "41555"}, "phone must be 10 digits"),
        (
            {"type": "DAILY", "phone": "0155553734"},
            "phone must not start with 0 or 1 (no such area code)",
        ),
        (
            {"type": "DAILY", "phone": "+44 20 7946 0958"},
            "phone must be a North American number (+1)",
        ),
        ({"type": "DAILY", "zip": "9411"}, "zip must be a 5-digit zip code"),
        ({"type": "DAILY", "account": "A" * 65}, "account must be at most 64 characters"),
        ({"type": "DAILY", "account": 12.5}, "account must be a string"),
        (
            {"type": "DAILY", "zip": "94110", "serviceId": 20180},
            "serviceId: no service 20180 in this client",
        ),
        ({"type": "DAILY", "zip": "94110", "serviceId": "x"}, "serviceId must be a whole number"),
        ([{"type": "DAILY", "zip": "94110"}], "The request body must be a JSON object"),
    ],
)
def test_create_refuses_bad_input_with_code_202(beta, body, message):
    response = beta.post("/compliance/dnc", body)
    assert (response.status_code, response.json()) == (400, {"code": 202, "message": message})
    assert LegacyEntry.objects.count() == 6


def test_delete_removes_the_entry_and_audits_it(beta):
    response = beta.delete("/compliance/dnc/4")
    assert (response.status_code, response.content) == (204, b"")
    assert beta.get("/compliance/dnc/4").json() == NOT_FOUND
    assert beta.delete("/compliance/dnc/4").status_code == 404
    assert not blocked(beta, "service=123&phone=5034441000")
    audit = last_audit()
    assert (audit.action, audit.object_id, audit.after) == ("dnc.legacyentry.deleted", "4", None)
    assert audit.before["phone"] == "5034441000"


def test_another_clients_entry_is_not_found(beta, client_a):
    theirs = LegacyEntry.objects.create(client=client_a, phone="4155553734")
    for method in ("GET", "DELETE"):
        response = beta.call(method, f"/compliance/dnc/{theirs.pk}")
        assert (response.status_code, response.json()) == (404, NOT_FOUND)
    assert LegacyEntry.objects.filter(pk=theirs.pk).exists()
    for bad in ("abc", "0", "99999999999"):
        assert beta.get(f"/compliance/dnc/{bad}").json() == NOT_FOUND


# --- List, Info, Search -----------------------------------------------------------------------


def test_list_answers_the_dnc_rules_table(beta):
    response = beta.get("/compliance/dnc?dncType=PERMANENT&count=10&offset=0")
    assert response.json() == {"dnc": RULE_ITEMS, "next": None}


def test_list_pages_with_a_relative_next_link(beta):
    first = beta.get("/compliance/v6.0/dnc/?dncType=permanent&count=4&offset=0").json()
    assert first == {
        "dnc": RULE_ITEMS[:4],
        "next": "compliance/v6.0/dnc?offset=4&count=4&dncType=permanent",
    }
    assert beta.get("/" + first["next"]).json() == {"dnc": RULE_ITEMS[4:], "next": None}


def test_list_filters_by_type_and_service(beta):
    daily = beta.post("/compliance/dnc", {"type": "Daily", "phone": "4155550100", "serviceId": 123})
    new_id = daily.json()["id"]
    new_item = {
        "id": new_id,
        "clientId": B,
        "dncType": "DAILY",
        "serviceId": 123,
        "phone": "4155550100",
    }
    assert items(beta) == [*RULE_ITEMS, new_item]
    assert items(beta, "&DncType=DAILY") == [new_item]
    assert items(beta, "&service=123") == [RULE_ITEMS[0], RULE_ITEMS[5], new_item]
    assert items(beta, "&dncType=PERMANENT&Service=123") == [RULE_ITEMS[0], RULE_ITEMS[5]]
    assert items(beta, "&service=0") == RULE_ITEMS[2:5]  # client-level entries
    assert items(beta, "&service=789") == []


@pytest.mark.parametrize(
    ("query", "message"),
    [
        ("dncType=WEEKLY", "dncType must be one of PERMANENT, DAILY"),
        ("service=20180", "service: no service 20180 in this client"),
        ("service=x", "service must be a whole number"),
        ("service=-1", "service must be 0 or more"),
    ],
)
def test_list_refuses_bad_filters(beta, query, message):
    response = beta.get(f"/compliance/dnc?{query}&count=10&offset=0")
    assert (response.status_code, response.json()) == (400, {"code": 202, "message": message})


def test_list_needs_count_and_offset(beta):
    response = beta.get("/compliance/dnc?dncType=PERMANENT")
    assert response.json() == {"code": 202, "message": "offset is required"}


def test_info_counts_from_the_counters_and_follows_every_write(beta):
    # The seed wrote no audit entry: nothing was ever changed through the API.
    assert beta.get("/compliance/dnc/info?dncType=PERMANENT").json() == {"size": 6}
    assert beta.get("/compliance/dnc/info").json() == {"size": 6}
    assert beta.get("/compliance/dnc/info?service=123").json() == {"size": 2}
    assert beta.get("/compliance/dnc/info?dncType=DAILY").json() == {"size": 0}
    new_id = beta.post(
        "/compliance/dnc", {"type": "DAILY", "phone": "4155550100", "serviceId": 123}
    ).json()["id"]
    last = epoch_ms(last_audit().at)
    assert beta.get("/compliance/dnc/info?dncType=DAILY&service=123").json() == {
        "size": 1,
        "lastModified": last,
    }
    assert beta.get("/compliance/dnc/info?service=123").json()["size"] == 3
    assert beta.get("/compliance/dnc/info").json()["size"] == 7
    beta.post(
        "/compliance/dnc/multiplePhoneDnc",
        {"block": "PERMANENT", "phoneDncEntry": [{"phone": "4155550101"}, {"phone": "4155550102"}]},
    )
    assert beta.get("/compliance/dnc/info?dncType=PERMANENT").json()["size"] == 8
    assert beta.delete(f"/compliance/dnc/{new_id}").status_code == 204
    info = beta.get("/compliance/dnc/info").json()
    assert info == {"size": 8, "lastModified": epoch_ms(last_audit().at)}


def test_info_refuses_bad_filters(beta):
    assert beta.get("/compliance/dnc/info?dncType=x").json() == {
        "code": 202,
        "message": "dncType must be one of PERMANENT, DAILY",
    }
    assert beta.get("/compliance/dnc/info?service=20180").status_code == 400


@pytest.mark.parametrize(
    "body",
    [
        {"filter": {"type": "PERMANENT", "service": [123, 456]}},
        {"type": "permanent", "service": [{"id": 123}, {"id": "456"}]},  # at top level
        {"type": {"type": "PERMANENT", "service": ["123", 456]}},  # under "type"
    ],
)
def test_search_finds_by_type_and_services_wherever_the_filter_is(beta, body):
    response = beta.post("/compliance/dnc/search?count=10&offset=0", body)
    assert response.json() == {"dnc": [RULE_ITEMS[0], RULE_ITEMS[1], RULE_ITEMS[5]], "next": None}


def test_search_by_phone_account_and_zip(beta):
    def found(filter_: dict) -> list[int]:
        response = beta.post("/compliance/dnc/search?count=10&offset=0", {"filter": filter_})
        assert response.status_code == 200, response.content
        return [item["id"] for item in response.json()["dnc"]]

    assert found({"account": "A12345"}) == [2, 3]
    assert found({"phone": "(201) 666-8000"}) == [3]
    assert found({"zip": "94110-1234", "service": []}) == [5]
    assert found({"account": "A12345", "service": 456}) == [2]
    assert found({}) == [1, 2, 3, 4, 5, 6]


def test_search_by_modified_after(beta, client_b):
    with time_machine.travel(datetime(2026, 2, 1, 12, 0, tzinfo=PACIFIC), tick=False):
        new_id = beta.post("/compliance/dnc", {"type": "PERMANENT", "zip": "94114"}).json()["id"]
    LegacyEntry.objects.filter(pk__lte=6).update(changed_at=datetime(2026, 1, 1, tzinfo=PACIFIC))
    response = beta.post(
        "/compliance/dnc/search?count=10&offset=0", {"filter": {"modifiedAfter": "2026-01-15"}}
    )
    assert response.json() == {
        "dnc": [{"id": new_id, "clientId": B, "dncType": "PERMANENT", "zip": "94114"}],
        "next": None,
    }
    since = epoch_ms(datetime(2025, 12, 31, tzinfo=PACIFIC))
    response = beta.post(
        "/compliance/dnc/search?count=2&offset=0", {"filter": {"modifiedAfter": since}}
    )
    assert response.json()["next"] == "compliance/dnc/search?offset=2&count=2"


@pytest.mark.parametrize(
    ("body", "message"),
    [
        ({"filter": {"phone": "12"}}, "phone must be 10 digits"),
        ({"filter": {"modifiedAfter": "yesterday"}}, "modifiedAfter is not a date"),
        ({"filter": {"service": [20180]}}, "service: no service 20180 in this client"),
        ({"filter": {"type": "SOMETIMES"}}, "dncType must be one of PERMANENT, DAILY"),
        ({"filter": "PERMANENT"}, "filter must be a JSON object"),
        (["x"], "The request body must be a JSON object"),
    ],
)
def test_search_refuses_bad_filters(beta, body, message):
    response = beta.post("/compliance/dnc/search?count=10&offset=0", body)
    assert (response.status_code, response.json()) == (400, {"code": 202, "message": message})


# --- Multiple Phone DNC -----------------------------------------------------------------------


def test_multiple_phone_dnc_adds_good_lines_and_names_the_first_bad_one(beta):
    response = beta.post(
        "/compliance/dnc/multiplePhoneDnc",
        {
            "block": "PERMANENT",
            "phoneDncEntry": [
                {"phone": "4155550001", "service": [{"id": 123}, {"id": 456}]},
                {"phone": "x"},
                {"phone": "4155550001", "service": [{"id": 456}, {"id": 123}]},  # repeat
                {"phone": "4152257000", "service": [{"id": 123}]},  # DNC Rules entry 1
                {"phone": "4155550002", "service": [{"id": 20180}]},
                {"phone": "415-555-0003"},
            ],
        },
    )
    assert response.json() == {
        "successfulEntries": 2,
        "failedEntries": 2,
        "duplicateEntries": 2,
        "line": 2,
        "reason": "phone may hold only digits, spaces, dashes, dots, parentheses and a leading +1",
    }
    assert blocked(beta, "service=123&phone=4155550001")
    assert blocked(beta, "service=456&phone=4155550001")
    assert not blocked(beta, "service=789&phone=4155550001")
    assert blocked(beta, "service=789&phone=4155550003")  # no service: the client-level entry
    assert not LegacyEntry.objects.filter(phone="4155550002").exists()
    entry = LegacyEntry.objects.get(phone="4155550003")
    assert (entry.added_via, entry.dnc_type, entry.blocks_through) == (
        "POST /compliance/dnc/multiplePhoneDnc",
        "PERMANENT",
        None,
    )


def test_multiple_phone_dnc_writes_one_audit_entry_with_its_counts(beta, persona):
    before = AuditEntry.objects.count()
    beta.post(
        "/compliance/dnc/multiplePhoneDnc",
        {"block": "DAILY", "phoneDncEntry": [{"phone": "4155550001"}, {"phone": "bad"}]},
    )
    assert AuditEntry.objects.count() == before + 1
    audit = last_audit()
    assert (audit.action, audit.object_type, audit.actor_name) == (
        "dnc.legacyentry.bulk",
        "dnc.legacyentry",
        str(persona("outsider")),
    )
    assert audit.details["source"] == "POST /compliance/dnc/multiplePhoneDnc"
    assert audit.details["counts"]["created"] == 1
    assert audit.details["lines"] == {"received": 2, "successful": 1, "duplicates": 0, "failed": 1}


def test_multiple_phone_dnc_daily_renews_yesterdays_entry(beta):
    body = {"block": "daily", "phoneDncEntry": [{"phone": "4155550001"}]}
    with time_machine.travel(datetime(2026, 3, 6, 9, 0, tzinfo=PACIFIC), tick=False):
        assert beta.post("/compliance/dnc/multiplePhoneDnc", body).json()["successfulEntries"] == 1
        assert beta.post("/compliance/dnc/multiplePhoneDnc", body).json() == {
            "successfulEntries": 0,
            "failedEntries": 0,
            "duplicateEntries": 1,
        }
    with time_machine.travel(datetime(2026, 3, 7, 9, 0, tzinfo=PACIFIC), tick=False):
        assert not blocked(beta, "service=123&phone=4155550001")
        assert beta.post("/compliance/dnc/multiplePhoneDnc", body).json()["successfulEntries"] == 1
        assert blocked(beta, "service=123&phone=4155550001")
    assert LegacyEntry.objects.get(phone="4155550001").blocks_through == date(2026, 3, 7)


def test_multiple_phone_dnc_none_removes_phone_only_entries_of_those_services(beta):
    beta.post("/compliance/dnc", {"type": "DAILY", "phone": "4152257000", "serviceId": 123})
    response = beta.post(
        "/compliance/dnc/multiplePhoneDnc",
        {
            "block": "NONE",
            "phoneDncEntry": [
                {"phone": "4152257000", "service": [{"id": 123}]},  # entry 1 and the daily one
                {"phone": "5034441000"},  # entry 4 (client-level)
                {"phone": "2016668000"},  # entry 3 holds an account: not a phone-only entry
                {"phone": "9998887777"},  # nothing to remove
                {"phone": "12"},
            ],
        },
    )
    assert response.json() == {
        "successfulEntries": 2,
        "failedEntries": 1,
        "duplicateEntries": 2,
        "line": 5,
        "reason": "phone must be 10 digits",
    }
    assert not blocked(beta, "service=123&phone=4152257000")
    assert not blocked(beta, "service=123&phone=5034441000")
    assert sorted(LegacyEntry.objects.values_list("id", flat=True)) == [2, 3, 5, 6]
    audit = last_audit()
    assert (audit.action, audit.details["count"], audit.details["source"]) == (
        "dnc.legacyentry.deleted_bulk",
        3,
        "POST /compliance/dnc/multiplePhoneDnc",
    )
    assert sorted(audit.details["ids"])[:2] == [1, 4]


@pytest.mark.parametrize(
    ("body", "message"),
    [
        ({"phoneDncEntry": []}, "block is required"),
        (
            {"block": "SOMETIMES", "phoneDncEntry": []},
            "block must be one of PERMANENT, DAILY, NONE",
        ),
        ({"block": "DAILY"}, "phoneDncEntry is required"),
        (
            {"block": "DAILY", "phoneDncEntry": {"phone": "4155550001"}},
            "phoneDncEntry must be a list",
        ),
        (
            {"block": "DAILY", "phoneDncEntry": [{"phone": "4155550001"}] * 10_001},
            "At most 10000 lines per request (this one has 10001)",
        ),
    ],
)
def test_multiple_phone_dnc_refuses_a_bad_request(beta, body, message):
    response = beta.post("/compliance/dnc/multiplePhoneDnc", body)
    assert (response.status_code, response.json()) == (400, {"code": 202, "message": message})
    assert LegacyEntry.objects.count() == 6


# --- Multiple Account DND ---------------------------------------------------------------------


def test_multiple_account_dnd_sets_and_clears_the_accounts_flag(beta, persona):
    assert not blocked(beta, "service=789&account=QA1&phone=4155550001")
    response = beta.post(
        "/compliance/dnc/multipleAccountDnd",
        {
            "accountDndEntry": [
                {"account": "QA1", "block": "PERMANENT"},
                {"account": "QA2", "block": "daily"},
                {"account": "QA1", "block": "DAILY"},  # repeat of line 1
                {"account": "QA3", "block": "FOREVER"},
                {"block": "PERMANENT"},
                "QA4",
            ]
        },
    )
    assert response.json() == {
        "successfulEntries": 2,
        "failedEntries": [
            {"line": 4, "reason": "block must be one of PERMANENT, DAILY, NONE"},
            {"line": 5, "reason": "account is required"},
            {"line": 6, "reason": "an entry must be a JSON object"},
        ],
        "duplicateEntries": 1,
    }
    # The flag blocks every call about the account, whatever the phone or service.
    assert blocked(beta, "service=789&account=QA1&phone=4155550001")
    assert blocked(beta, "service=123&account=QA2")
    flag = AccountFlag.objects.get(account="QA1")
    assert (flag.do_not_dial, flag.blocks_through, flag.changed_by, flag.changed_via) == (
        DoNotDial.PERMANENT,
        None,
        str(persona("outsider")),
        "POST /compliance/dnc/multipleAccountDnd",
    )
    audit = last_audit()
    assert (audit.action, audit.details["counts"]["created"]) == ("dnc.accountflag.bulk", 2)

    again = {"accountDndEntry": [{"account": "QA1", "block": "PERMANENT"}]}
    assert beta.post("/compliance/dnc/multipleAccountDnd", again).json() == {
        "successfulEntries": 0,
        "failedEntries": [],
        "duplicateEntries": 1,
    }
    clear = {
        "accountDndEntry": [
            {"account": "QA1", "block": "NONE"},
            {"account": "QA9", "block": "none"},
        ]
    }
    assert beta.post("/compliance/dnc/multipleAccountDnd", clear).json() == {
        "successfulEntries": 1,
        "failedEntries": [],
        "duplicateEntries": 1,
    }
    assert not blocked(beta, "service=789&account=QA1&phone=4155550001")
    assert not AccountFlag.objects.filter(account="QA1").exists()
    audit = last_audit()
    assert (audit.action, audit.object_id, audit.before["account"]) == (
        "dnc.accountflag.deleted",
        str(flag.pk),
        "QA1",
    )


def test_a_daily_account_flag_stops_at_the_clients_midnight(beta):
    body = {"accountDndEntry": [{"account": "QA5", "block": "DAILY"}]}
    with time_machine.travel(datetime(2026, 3, 6, 23, 0, tzinfo=PACIFIC), tick=False):
        assert (
            beta.post("/compliance/dnc/multipleAccountDnd", body).json()["successfulEntries"] == 1
        )
        assert blocked(beta, "service=789&account=QA5")
    assert AccountFlag.objects.get(account="QA5").blocks_through == date(2026, 3, 6)
    with time_machine.travel(datetime(2026, 3, 7, 0, 0, 1, tzinfo=PACIFIC), tick=False):
        assert not blocked(beta, "service=789&account=QA5")
        # Asking again the next day renews it.
        assert (
            beta.post("/compliance/dnc/multipleAccountDnd", body).json()["successfulEntries"] == 1
        )
        assert blocked(beta, "service=789&account=QA5")


def test_multiple_account_dnd_refuses_too_many_lines(beta):
    body = {"accountDndEntry": [{"account": "QA1", "block": "DAILY"}] * 10_001}
    assert beta.post("/compliance/dnc/multipleAccountDnd", body).json() == {
        "code": 202,
        "message": "At most 10000 lines per request (this one has 10001)",
    }


# --- Multiple Account+Phone DND ---------------------------------------------------------------


def test_multiple_account_phone_dnd_counts_each_phone_as_a_line(beta):
    response = beta.post(
        "/compliance/dnc/multipleAccountPhoneDnd",
        {
            "accountPhoneDndEntry": [
                {
                    "account": "QA7",
                    "phones": [
                        {"phone": "4155550101", "ordinal": 1, "phoneBlock": "PERMANENT"},
                        {"phone": "4155550102", "ordinal": "2", "phoneBlock": "daily"},
                        {"phone": "4155550103", "ordinal": 11, "phoneBlock": "PERMANENT"},
                    ],
                },
                {
                    "account": "",
                    "phones": [{"phone": "4155550104", "ordinal": 1, "phoneBlock": "DAILY"}],
                },
                {"account": "QA8", "phones": []},
                {
                    "account": "QA8",
                    "phones": [
                        {"phone": "4155550101", "ordinal": 1, "phoneBlock": "NOPE"},
                        {"phone": "4155550105", "ordinal": 3, "phoneBlock": "PERMANENT"},
                        {"phone": "4155550106", "phoneBlock": "PERMANENT"},
                    ],
                },
                {
                    "account": "QA7",
                    "phones": [{"phone": "4155550101", "ordinal": 1, "phoneBlock": "DAILY"}],
                },
            ]
        },
    )
    assert response.json() == {
        "successfulEntries": 3,
        "failedEntries": [
            {"line": 3, "reason": "ordinal must be 10 or less"},
            {"line": 4, "reason": "account is required"},
            {"line": 5, "reason": "phones: at least one phone is required"},
            {"line": 6, "reason": "phoneBlock must be one of PERMANENT, DAILY, NONE"},
            {"line": 8, "reason": "ordinal is required"},
        ],
        "duplicateEntries": 1,
    }
    # A phone + account entry blocks only that account's calls to that phone (DNC Rules).
    assert blocked(beta, "service=789&phone=4155550101&account=QA7")
    assert not blocked(beta, "service=789&phone=4155550101&account=QA8")
    assert not blocked(beta, "service=789&phone=4155550101")
    assert blocked(beta, "service=123&phone=4155550102&account=QA7")
    assert blocked(beta, "service=123&phone=4155550105&account=QA8")
    entries = LegacyEntry.objects.filter(pk__gt=6).order_by("phone")
    assert [(e.phone, e.account, e.service_id, e.dnc_type) for e in entries] == [
        ("4155550101", "QA7", 0, "PERMANENT"),
        ("4155550102", "QA7", 0, "DAILY"),
        ("4155550105", "QA8", 0, "PERMANENT"),
    ]
    audit = last_audit()
    assert (audit.action, audit.details["counts"]["created"]) == ("dnc.legacyentry.bulk", 3)
    assert audit.details["lines"] == {"received": 9, "successful": 3, "duplicates": 1, "failed": 5}


def test_multiple_account_phone_dnd_none_removes_that_accounts_phone(beta):
    add = {
        "accountPhoneDndEntry": [
            {
                "account": "QA7",
                "phones": [
                    {"phone": "4155550101", "ordinal": 1, "phoneBlock": "PERMANENT"},
                    {"phone": "4155550102", "ordinal": 2, "phoneBlock": "PERMANENT"},
                ],
            }
        ]
    }
    assert (
        beta.post("/compliance/dnc/multipleAccountPhoneDnd", add).json()["successfulEntries"] == 2
    )
    remove = {
        "accountPhoneDndEntry": [
            {
                "account": "QA7",
                "phones": [{"phone": "4155550101", "ordinal": 1, "phoneBlock": "NONE"}],
            },
            {
                "account": "A12345",
                "phones": [{"phone": "2016668000", "ordinal": 1, "phoneBlock": "none"}],
            },
            {
                "account": "QA8",
                "phones": [{"phone": "4155550101", "ordinal": 1, "phoneBlock": "NONE"}],
            },
        ]
    }
    assert beta.post("/compliance/dnc/multipleAccountPhoneDnd", remove).json() == {
        "successfulEntries": 2,
        "failedEntries": [],
        "duplicateEntries": 1,
    }
    assert not blocked(beta, "service=789&phone=4155550101&account=QA7")
    assert blocked(beta, "service=789&phone=4155550102&account=QA7")
    # DNC Rules entry 3 (2016668000 + A12345, client-level) is gone too.
    assert not LegacyEntry.objects.filter(pk=3).exists()
    assert not blocked(beta, "service=789&phone=2016668000&account=A12345")


# --- who may call them ------------------------------------------------------------------------

CALLS = [
    ("GET", "/compliance/dnc?count=10&offset=0", None),
    ("GET", "/compliance/dnc/info", None),
    ("GET", "/compliance/dnc/1", None),
    ("DELETE", "/compliance/dnc/1", None),
    ("POST", "/compliance/dnc", {"type": "DAILY", "phone": "4155550001"}),
    ("POST", "/compliance/dnc/search?count=10&offset=0", {"filter": {}}),
    ("POST", "/compliance/dnc/multiplePhoneDnc", {"block": "DAILY", "phoneDncEntry": []}),
    ("POST", "/compliance/dnc/multipleAccountDnd", {"accountDndEntry": []}),
    ("POST", "/compliance/dnc/multipleAccountPhoneDnd", {"accountPhoneDndEntry": []}),
]


@pytest.mark.parametrize(("method", "path", "body"), CALLS)
def test_a_dial_time_client_is_not_configured_for_them(api, rules, method, path, body):
    for who in ("sysadmin", "superuser", "manager_with_dnc_power"):
        response = api(who).call(method, path, body)
        assert (response.status_code, response.json()) == (400, NOT_CONFIGURED), who
    # The role check comes first.
    assert api("manager").call(method, path, body).status_code == 403
    assert api("it_user").call(method, path, body).status_code == 403


def test_a_sysadmin_may_act_for_a_legacy_client(api, rules):
    response = api("sysadmin").get(f"/compliance/dnc?client={B}&count=2&offset=0")
    assert response.json() == {
        "dnc": RULE_ITEMS[:2],
        "next": f"compliance/dnc?offset=2&count=2&client={B}",
    }


def test_an_agent_session_may_read_create_list_count_and_find(api, rules):
    agent = api("outsider", agent=True)
    assert agent.get("/compliance/dnc/1").status_code == 200
    assert (
        agent.post("/compliance/dnc", {"type": "DAILY", "phone": "4155550001"}).status_code == 201
    )
    assert agent.get("/compliance/dnc?count=10&offset=0").status_code == 200
    assert agent.get("/compliance/dnc/info").json()["size"] == 7
    assert agent.post("/compliance/dnc/search?count=10&offset=0", {}).status_code == 200
    for method, path, body in CALLS:
        if method == "DELETE" or "multiple" in path:
            assert agent.call(method, path, body).status_code == 403, path


def test_a_changed_flag_records_who_changed_it_and_an_unchanged_one_keeps_it(api, rules, persona):
    body = {"accountDndEntry": [{"account": "QA1", "block": "PERMANENT"}]}
    url = "/compliance/dnc/multipleAccountDnd"
    assert api("outsider").post(url, body).json()["successfulEntries"] == 1
    sysadmin = api("sysadmin")  # of client A, acting for client B
    assert sysadmin.post(f"{url}?client={B}", body).json()["duplicateEntries"] == 1
    assert AccountFlag.objects.get(account="QA1").changed_by == str(persona("outsider"))
    daily = {"accountDndEntry": [{"account": "QA1", "block": "DAILY"}]}
    assert sysadmin.post(f"{url}?client={B}", daily).json()["successfulEntries"] == 1
    flag = AccountFlag.objects.get(account="QA1")
    assert (flag.do_not_dial, flag.changed_by, flag.changed_via) == (
        DoNotDial.DAILY,
        str(persona("sysadmin")),
        f"POST {url}",
    )
