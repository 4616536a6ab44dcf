"""/compliance/{dialtime,email,sms}/dnc: every example of the spec's Dialtime DNC, Email DNC and
SMS DNC sections replayed and compared whole, then what the examples leave out (bulk partial
failure, repeats, limits, the Phone DNC Type gate, bad input, tenancy, info, audit).

Email and SMS entries answer ``dncId`` (the spec's examples) AND ``id`` (its field tables;
docs/wire.md section 9): the expected bodies below are the spec's with ``"id"`` added.
"""

from datetime import date

import pytest

from dnc.demo import seed_contact_groups
from dnc.models import DialtimeEntry, EmailEntry, ListEntry, SmsEntry
from dnc.services import lists as services
from livevox_site.audit import Actor
from livevox_site.models import AuditEntry, sync_id_sequence
from livevox_site.roles import Role
from livevox_site.services import access_token_create

from .conftest import LVApi, make_user


@pytest.fixture
def it(api, client_a):
    seed_contact_groups(client_a)
    return api("manager_with_dnc_power")


def put(model: type[ListEntry], client, entry_id: int, value: str, group=0, expires=None):
    """An entry with the id a spec example shows."""
    entry = model.objects.create(
        id=entry_id,
        client=client,
        contact_group_id=group,
        expiration_date=expires,
        **{model.value_field: value},
    )
    sync_id_sequence(model)
    return entry


def next_id_will_be(model: type[ListEntry], client, wanted: int) -> None:
    """Make the database give ``wanted`` to the next entry it creates (both databases remember
    the highest id ever given: PostgreSQL's sequence, SQLite's AUTOINCREMENT)."""
    put(model, client, wanted - 1, "2000000000" if model.value_field != "email" else "x@x.io")
    model.objects.filter(pk=wanted - 1).delete()


def with_ids(entries: list[dict]) -> list[dict]:
    """The spec's email/SMS entries (``dncId``) with the ``id`` we answer too."""
    return [{**entry, "id": entry["dncId"]} for entry in entries]


# --- Dialtime DNC: the spec's examples --------------------------------------------------------


@pytest.fixture
def dialtime(client_a):
    """The entries the dial-time examples show (and one the list example elides as "...")."""
    put(DialtimeEntry, client_a, 21945272, "4085553745", 0, date(2018, 3, 2))
    put(DialtimeEntry, client_a, 21945273, "4155553734", 1320)
    put(DialtimeEntry, client_a, 21945274, "4155553767", 1320, date(2018, 3, 1))
    put(DialtimeEntry, client_a, 21945275, "4155553734", 1321)
    put(DialtimeEntry, client_a, 21945276, "4155550000", 1522)
    put(DialtimeEntry, client_a, 12225072, "8001234567")


def test_dialtime_create_example(it, client_a):
    next_id_will_be(DialtimeEntry, client_a, 21945272)
    response = it.post(
        "/compliance/dialtime/dnc", {"phone": "4085553745", "expirationDate": "1520035349000"}
    )
    assert response.status_code == 201, response.content
    assert response.json() == {"id": 21945272}
    # 1520035349000 is 2018-03-02 19:02 in New York: that day, answered as its midnight.
    assert it.get("/compliance/dialtime/dnc/21945272").json() == {
        "phone": "4085553745",
        "expirationDate": 1519966800000,
        "id": 21945272,
    }


def test_dialtime_create_multiple_example(it, client_a):
    response = it.post(
        "/compliance/dialtime/dnc/bulk",
        {
            "dncEntries": [
                {"phone": "4155553734", "contactGroupId": "1320"},
                {
                    "phone": "4155553767",
                    "contactGroupId": "1320",
                    "expirationDate": "1519957965000",
                },
            ]
        },
    )
    assert response.status_code == 200, response.content
    assert response.json() == {"processedCount": 2}
    ids = {e.phone: e.pk for e in DialtimeEntry.objects.all()}
    # "1519957965000" is 2018-03-01 in New York: read back as that day's midnight.
    listed = it.get("/compliance/dialtime/dnc?offset=0&count=10").json()
    # Bulk rows get their ids in no promised order: compared by phone.
    listed["dncEntries"].sort(key=lambda entry: entry["phone"])
    assert listed == {
        "dncEntries": [
            {"phone": "4155553734", "contactGroupId": 1320, "id": ids["4155553734"]},
            {
                "phone": "4155553767",
                "contactGroupId": 1320,
                "expirationDate": 1519880400000,
                "id": ids["4155553767"],
            },
        ]
    }


def test_dialtime_create_multiple_with_invalid_contact_group_example(it, client_a):
    response = it.post(
        "/compliance/dialtime/dnc/bulk",
        {
            "dncEntries": [
                {
                    "phone": "6503517497",
                    "contactGroupId": 4962,
                    "expirationDate": "2021-04-20T14:24:47.847Z",
                },
                {"phone": "6503517485", "contactGroupId": 4967},
                {
                    "phone": "6505153873",
                    "contactGroupId": 4968,
                    "expirationDate": "2021-04-24T18:36:23.399Z",
                },
            ]
        },
    )
    assert response.status_code == 400
    name = DialtimeEntry.objects.get(phone="6503517497").filename
    assert len(name) == 8
    # The spec's sentence, naming the record's value (its example lost it: "Record 3: , ...").
    assert response.json() == {
        "code": 202,
        "message": f"Record 3: 6505153873, Contact Group is not valid. Processed DNC filename: "
        f"{name} totally in 1 batches, no of lines processed: 3.",
    }
    saved = DialtimeEntry.objects.for_client(client_a).order_by("phone")
    assert [(e.phone, e.contact_group_id, e.expiration_date) for e in saved] == [
        ("6503517485", 4967, None),
        ("6503517497", 4962, date(2021, 4, 20)),
    ]


def test_dialtime_delete_example(it, dialtime):
    response = it.delete("/compliance/dialtime/dnc/21945272")
    assert response.status_code == 204
    assert response.content == b""
    assert not DialtimeEntry.objects.filter(pk=21945272).exists()
    assert it.get("/compliance/dialtime/dnc/21945272").status_code == 404


def test_dialtime_find_matching_example_a_get_with_the_filter_at_the_top(it, dialtime):
    response = it.call(
        "GET", "/compliance/dialtime/dnc/search?offset=0&count=10", {"phone": "4155553734"}
    )
    assert response.status_code == 200, response.content
    assert response.json() == {
        "dncEntries": [
            {"phone": "4155553734", "contactGroupId": 1320, "id": 21945273},
            {"phone": "4155553734", "contactGroupId": 1321, "id": 21945275},
        ]
    }


def test_dialtime_info_example(it, dialtime):
    response = it.get("/compliance/dialtime/dnc/info")
    assert response.status_code == 200
    assert response.json() == {"size": 6}


def test_dialtime_list_example(it, dialtime):
    response = it.get("/compliance/dialtime/dnc?count=10&offset=0")
    assert response.status_code == 200
    # The spec's entries (in id order: its example is in no order we can tell) and the one
    # it elides as "...".
    assert response.json() == {
        "dncEntries": [
            {"phone": "8001234567", "id": 12225072},
            {"phone": "4085553745", "expirationDate": 1519966800000, "id": 21945272},
            {"phone": "4155553734", "contactGroupId": 1320, "id": 21945273},
            {
                "phone": "4155553767",
                "contactGroupId": 1320,
                "expirationDate": 1519880400000,
                "id": 21945274,
            },
            {"phone": "4155553734", "contactGroupId": 1321, "id": 21945275},
            {"phone": "4155550000", "contactGroupId": 1522, "id": 21945276},
        ]
    }


def test_dialtime_read_example(it, dialtime):
    response = it.get("/compliance/dialtime/dnc/21945274")
    assert response.status_code == 200
    assert response.json() == {
        "phone": "4155553767",
        "contactGroupId": 1320,
        "expirationDate": 1519880400000,
        "id": 21945274,
    }


def test_dialtime_read_missing_example(it, dialtime):
    response = it.get("/compliance/dialtime/dnc/2234")
    assert response.status_code == 404
    assert response.json() == {"code": 203, "message": "DNC entry not found"}


def test_dialtime_update_example(it, dialtime):
    response = it.put(
        "/compliance/dialtime/dnc/21945274", {"phone": "4155553767", "contactGroupId": "1522"}
    )
    assert response.status_code == 204, response.content
    assert response.content == b""
    # No expirationDate in the body: the entry keeps its own.
    assert it.get("/compliance/dialtime/dnc/21945274").json() == {
        "phone": "4155553767",
        "contactGroupId": 1522,
        "expirationDate": 1519880400000,
        "id": 21945274,
    }


# --- Email DNC: the spec's examples -----------------------------------------------------------

EMAIL_ENTRIES = [
    {
        "email": "example1a@gmail.com",
        "contactGroupId": 1020229,
        "expirationDate": 1634616000000,
        "dncId": 100630220,
    },
    {
        "email": "example2@gmail.com",
        "contactGroupId": 1020230,
        "expirationDate": 1634702400000,
        "dncId": 100630221,
    },
    {
        "email": "example3@gmail.com",
        "contactGroupId": 1020231,
        "expirationDate": 1634875200000,
        "dncId": 100630222,
    },
    {
        "email": "example1@gmail.com",
        "contactGroupId": 1020229,
        "expirationDate": 1634616000000,
        "dncId": 100630223,
    },
    {
        "email": "example1@gmail.com",
        "contactGroupId": 1020230,
        "expirationDate": 1634702400000,
        "dncId": 100630224,
    },
    {
        "email": "example1@gmail.com",
        "contactGroupId": 1020231,
        "expirationDate": 1634875200000,
        "dncId": 100630225,
    },
    {"email": "example1@gmail.com", "expirationDate": 1634875200000, "dncId": 100630226},
]
EMAIL_DAYS = {1634616000000: date(2021, 10, 19), 1634702400000: date(2021, 10, 20)}
EMAIL_DAYS[1634875200000] = date(2021, 10, 22)


@pytest.fixture
def emails(client_a):
    """The seven entries of the email examples (info's size is 7)."""
    for entry in EMAIL_ENTRIES:
        put(
            EmailEntry,
            client_a,
            entry["dncId"],
            entry["email"],
            entry.get("contactGroupId", 0),
            EMAIL_DAYS[entry["expirationDate"]],
        )


def test_email_create_example(it, client_a):
    next_id_will_be(EmailEntry, client_a, 1033288)
    response = it.post(
        "/compliance/email/dnc",
        {"email": "example@gmail.com", "contactGroupId": "11435", "expirationDate": "2021-10-10"},
    )
    assert response.status_code == 201, response.content
    assert response.json() == {"id": 1033288}
    assert it.get("/compliance/email/dnc/1033288").json() == {
        "email": "example@gmail.com",
        "contactGroupId": 11435,
        "expirationDate": 1633838400000,
        "dncId": 1033288,
        "id": 1033288,
    }


def test_email_create_multiple_example(it, client_a):
    response = it.post(
        "/compliance/email/dnc/bulk",
        {
            "dncEntries": [
                {
                    "email": "example1a@gmail.com",
                    "contactGroupId": "1020229",
                    "expirationDate": "2021-10-19",
                },
                {
                    "email": "example2@gmail.com",
                    "contactGroupId": "1020230",
                    "expirationDate": "2021-10-20",
                },
                {
                    "email": "example3@gmail.com",
                    "contactGroupId": "1020231",
                    "expirationDate": "2021-10-22",
                },
            ]
        },
    )
    assert response.status_code == 200, response.content
    assert response.json() == {"processedCount": 3}
    listed = it.get("/compliance/email/dnc?offset=0&count=5").json()
    found = {e.pop("email"): e for e in listed["dncEntries"]}
    ids = {e.email: e.pk for e in EmailEntry.objects.all()}
    # "2021-10-19" reads back as that day's midnight in New York (the spec's list example).
    assert found == {
        email: {
            "contactGroupId": group,
            "expirationDate": ms,
            "dncId": ids[email],
            "id": ids[email],
        }
        for email, group, ms in [
            ("example1a@gmail.com", 1020229, 1634616000000),
            ("example2@gmail.com", 1020230, 1634702400000),
            ("example3@gmail.com", 1020231, 1634875200000),
        ]
    }
    assert "next" not in listed


def test_email_delete_example(it, client_a):
    put(EmailEntry, client_a, 21945272, "gone@example.com")
    response = it.delete("/compliance/email/dnc/21945272")
    assert response.status_code == 204
    assert response.content == b""
    assert not EmailEntry.objects.filter(pk=21945272).exists()


def test_email_find_matching_example(it, emails, client_a):
    # The example's "next" says more matches follow its four: a fifth one.
    put(EmailEntry, client_a, 100630227, "example1@gmail.com", 11435)
    response = it.post(
        "/compliance/email/dnc/search?offset=0&count=4",
        {"filter": {"email": "example1@gmail.com"}},
    )
    assert response.status_code == 200, response.content
    assert response.json() == {
        "next": "compliance/email/dnc/search?offset=4&count=4",
        "dncEntries": with_ids(
            [
                {
                    "email": "example1@gmail.com",
                    "contactGroupId": 1020229,
                    "expirationDate": 1634616000000,
                    "dncId": 100630223,
                },
                {
                    "email": "example1@gmail.com",
                    "contactGroupId": 1020230,
                    "expirationDate": 1634702400000,
                    "dncId": 100630224,
                },
                {
                    "email": "example1@gmail.com",
                    "contactGroupId": 1020231,
                    "expirationDate": 1634875200000,
                    "dncId": 100630225,
                },
                {
                    "email": "example1@gmail.com",
                    "expirationDate": 1634875200000,
                    "dncId": 100630226,
                },
            ]
        ),
    }
    following = it.post(
        "/compliance/email/dnc/search?offset=4&count=4",
        {"filter": {"email": "EXAMPLE1@gmail.com"}},
    ).json()
    assert following == {
        "dncEntries": [
            {
                "email": "example1@gmail.com",
                "contactGroupId": 11435,
                "dncId": 100630227,
                "id": 100630227,
            }
        ]
    }


def test_email_info_example(it, emails):
    assert it.get("/compliance/email/dnc/info").json() == {"size": 7}


def test_email_list_example(it, emails):
    response = it.get("/compliance/email/dnc?offset=0&count=5")
    assert response.status_code == 200
    assert response.json() == {
        "next": "compliance/email/dnc?offset=5&count=5",
        "dncEntries": with_ids(EMAIL_ENTRIES[:5]),
    }


def test_email_read_example(it, emails):
    response = it.get("/compliance/email/dnc/100630224")
    assert response.status_code == 200
    assert response.json() == {
        "email": "example1@gmail.com",
        "contactGroupId": 1020230,
        "expirationDate": 1634702400000,
        "dncId": 100630224,
        "id": 100630224,
    }


def test_email_update_example(it, emails):
    response = it.put(
        "/compliance/email/dnc/100630224",
        {"email": "example1@gmail.com", "contactGroupId": 1020230, "expirationDate": "2021-10-25"},
    )
    assert response.status_code == 204, response.content
    assert response.content == b""
    assert EmailEntry.objects.get(pk=100630224).expiration_date == date(2021, 10, 25)


# --- SMS DNC: the spec's examples -------------------------------------------------------------

SMS_ENTRIES = [
    {
        "sms": "9176754178",
        "contactGroupId": 1020229,
        "expirationDate": 1635825600000,
        "dncId": 159475304,
    },
    {
        "sms": "6503517497",
        "contactGroupId": 1020229,
        "expirationDate": 1635307200000,
        "dncId": 159475306,
    },
    {
        "sms": "6178498807",
        "contactGroupId": 1020231,
        "expirationDate": 1635393600000,
        "dncId": 159475308,
    },
    {
        "sms": "6505153873",
        "contactGroupId": 1020229,
        "expirationDate": 1635307200000,
        "dncId": 159533878,
    },
    {
        "sms": "9176754178",
        "contactGroupId": 1020231,
        "expirationDate": 1635393600000,
        "dncId": 159533880,
    },
]
SMS_DAYS = {
    1635825600000: date(2021, 11, 2),
    1635307200000: date(2021, 10, 27),
    1635393600000: date(2021, 10, 28),
}


@pytest.fixture
def sms(client_a):
    """The entries of the SMS examples, and two more (info's size is 7, the list has a next
    page)."""
    for entry in SMS_ENTRIES:
        put(
            SmsEntry,
            client_a,
            entry["dncId"],
            entry["sms"],
            entry["contactGroupId"],
            SMS_DAYS[entry["expirationDate"]],
        )
    put(SmsEntry, client_a, 159533881, "2125550199", 1020229)  # in the group, but no "6"
    put(SmsEntry, client_a, 159533882, "6465550100", 1020230)  # a "6", another group


def test_sms_create_example(it, client_a):
    next_id_will_be(SmsEntry, client_a, 159475304)
    response = it.post(
        "/compliance/sms/dnc",
        {"sms": "9176754178", "contactGroupId": 1020229, "expirationDate": "2021-10-26"},
    )
    assert response.status_code == 201, response.content
    assert response.json() == {"id": 159475304}
    assert it.get("/compliance/sms/dnc/159475304").json() == {
        "sms": "9176754178",
        "contactGroupId": 1020229,
        "expirationDate": 1635220800000,
        "dncId": 159475304,
        "id": 159475304,
    }


def test_sms_create_multiple_example(it, client_a):
    response = it.post(
        "/compliance/sms/dnc/bulk",
        {
            "dncEntries": [
                {"sms": "6503517497", "contactGroupId": 1020229, "expirationDate": "2021-10-27"},
                {"sms": "6505153873", "contactGroupId": 1020230, "expirationDate": "2021-10-26"},
                {"sms": "6178498807", "contactGroupId": 1020231, "expirationDate": "2021-10-28"},
            ]
        },
    )
    assert response.status_code == 200, response.content
    assert response.json() == {"processedCount": 3}
    saved = SmsEntry.objects.for_client(client_a).order_by("sms")
    assert [(e.sms, e.contact_group_id, e.expiration_date) for e in saved] == [
        ("6178498807", 1020231, date(2021, 10, 28)),
        ("6503517497", 1020229, date(2021, 10, 27)),
        ("6505153873", 1020230, date(2021, 10, 26)),
    ]


def test_sms_delete_example(it, sms):
    response = it.delete("/compliance/sms/dnc/159475304")
    assert response.status_code == 204
    assert response.content == b""
    assert not SmsEntry.objects.filter(pk=159475304).exists()


def test_sms_find_matching_example_numbers_containing_the_digits(it, sms):
    response = it.call(
        "GET",
        "/compliance/sms/dnc/search?offset=0&count=6",
        {"filter": {"sms": "6", "contactGroupId": 1020229}},
    )
    assert response.status_code == 200, response.content
    assert response.json() == {
        "dncEntries": with_ids([SMS_ENTRIES[0], SMS_ENTRIES[1], SMS_ENTRIES[3]]),
    }
    # The documented method is a POST; same answer.
    posted = it.post(
        "/compliance/sms/dnc/search?offset=0&count=6",
        {"filter": {"sms": "6", "contactGroupId": 1020229}},
    )
    assert posted.json() == response.json()


def test_sms_info_example(it, sms):
    assert it.get("/compliance/sms/dnc/info").json() == {"size": 7}


def test_sms_list_example(it, sms):
    response = it.get("/compliance/sms/dnc?offset=0&count=5")
    assert response.status_code == 200
    assert response.json() == {
        "next": "compliance/sms/dnc?offset=5&count=5",
        "dncEntries": with_ids(SMS_ENTRIES),
    }


def test_sms_read_example(it, sms):
    response = it.get("/compliance/sms/dnc/159475304")
    assert response.status_code == 200
    assert response.json() == with_ids([SMS_ENTRIES[0]])[0]


def test_sms_update_example(it, client_a):
    put(SmsEntry, client_a, 21945274, "9176754178", 1020230, date(2021, 10, 1))
    response = it.put(
        "/compliance/sms/dnc/21945274",
        {"sms": "9176754178", "contactGroupId": 1020229, "expirationDate": "2021-11-02"},
    )
    assert response.status_code == 204, response.content
    assert response.content == b""
    assert it.get("/compliance/sms/dnc/21945274").json() == {
        "sms": "9176754178",
        "contactGroupId": 1020229,
        "expirationDate": 1635825600000,
        "dncId": 21945274,
        "id": 21945274,
    }


# --- Create Multiple beyond the examples -------------------------------------------------------


def test_bulk_names_every_bad_line_and_saves_the_good_ones(it, client_a):
    entries = [
        {"phone": "(415) 555-0001"},
        {"phone": "555-0002"},
        "not an entry",
        {"phone": "4155550004", "contactGroupId": "abc"},
        {"phone": "4155550005", "expirationDate": "someday"},
        {"phone": "+1 415 555 0006", "contactGroupId": 1320, "expirationDate": "2030-01-02"},
    ]
    response = it.post("/compliance/dialtime/dnc/bulk", {"dncEntries": entries})
    assert response.status_code == 400
    name = DialtimeEntry.objects.get(phone="4155550001").filename
    assert response.json() == {
        "code": 202,
        "message": "Record 2: 555-0002, phone must be 10 digits. "
        "Record 3: , an entry must be a JSON object. "
        "Record 4: 4155550004, Contact Group is not valid. "
        "Record 5: 4155550005, expirationDate is not a date. "
        f"Processed DNC filename: {name} totally in 1 batches, no of lines processed: 6.",
    }
    saved = DialtimeEntry.objects.for_client(client_a).order_by("phone")
    assert [(e.phone, e.contact_group_id, e.expiration_date) for e in saved] == [
        ("4155550001", 0, None),
        ("4155550006", 1320, date(2030, 1, 2)),
    ]
    assert {(e.filename, e.added_via, e.added_by) for e in saved} == {
        (name, "POST /compliance/dialtime/dnc/bulk", "manager_with_dnc_power@ACME")
    }


def test_bulk_repeat_updates_instead_of_duplicating(it, client_a):
    first = [
        {"email": "A@Example.com", "contactGroupId": 1320, "expirationDate": "2030-01-01"},
        {"email": "b@example.com"},
    ]
    assert it.post("/compliance/email/dnc/bulk", {"dncEntries": first}).json() == {
        "processedCount": 2
    }
    again = [
        {"email": "a@example.COM", "contactGroupId": "1320", "expirationDate": "2031-05-05"},
        {"email": "b@example.com"},
        {"email": "b@example.com"},  # a repeat inside the request is processed too
        {"email": "a@example.com"},  # another group (none): a new entry
    ]
    assert it.post("/compliance/email/dnc/bulk", {"dncEntries": again}).json() == {
        "processedCount": 4
    }
    saved = EmailEntry.objects.for_client(client_a).order_by("email", "contact_group_id")
    assert [(e.email, e.contact_group_id, e.expiration_date) for e in saved] == [
        ("a@example.com", 0, None),
        ("a@example.com", 1320, date(2031, 5, 5)),
        ("b@example.com", 0, None),
    ]
    assert it.get("/compliance/email/dnc/info").json() == {"size": 3}


def test_bulk_refuses_more_than_ten_thousand_entries_and_saves_nothing(it, client_a):
    entries = [{"sms": f"{4150000000 + i}"} for i in range(10_001)]
    response = it.post("/compliance/sms/dnc/bulk", {"dncEntries": entries})
    assert response.status_code == 400
    assert response.json()["code"] == 202
    assert "at most 10000" in response.json()["message"]
    assert not SmsEntry.objects.exists()
    # Exactly 10,000 is fine.
    response = it.post("/compliance/sms/dnc/bulk", {"dncEntries": entries[:10_000]})
    assert response.json() == {"processedCount": 10_000}
    assert it.get("/compliance/sms/dnc/info").json() == {"size": 10_000}


@pytest.mark.parametrize(
    "body",
    [{}, {"dncEntries": {"sms": "4155550001"}}, {"dncEntries": "4155550001"}, [], "text"],
)
def test_bulk_refuses_a_body_without_a_list_of_entries(it, body):
    response = it.post("/compliance/sms/dnc/bulk", body)
    assert response.status_code == 400
    assert response.json()["code"] == 202


def test_bulk_is_audited_once_with_its_counts_and_name(it, client_a):
    entries = [{"sms": "4155550001"}, {"sms": "4155550002"}, {"sms": "bad"}]
    response = it.post("/compliance/sms/dnc/bulk", {"dncEntries": entries})
    assert response.status_code == 400
    name = SmsEntry.objects.get(sms="4155550001").filename
    (audit,) = AuditEntry.objects.filter(action="dnc.sms.bulk")
    assert audit.object_type == "dnc.smsentry"
    assert audit.details == {
        "counts": {
            "received": 3,
            "created": 2,
            "updated": 0,
            "unchanged": 0,
            "duplicates": 0,
            "failed": 1,
        },
        "source": name,
        "via": "POST /compliance/sms/dnc/bulk",
    }


# --- single writes ----------------------------------------------------------------------------


def test_create_of_an_existing_value_and_group_is_element_already_exists(it, client_a):
    assert it.post("/compliance/dialtime/dnc", {"phone": "4155553734"}).status_code == 201
    response = it.post("/compliance/dialtime/dnc", {"phone": "+1 415-555-3734"})
    assert response.status_code == 400
    assert response.json() == {"code": 201, "message": "Element already exists"}
    # Another contact group is another entry.
    other = it.post("/compliance/dialtime/dnc", {"phone": "4155553734", "contactGroupId": 1320})
    assert other.status_code == 201
    assert it.get("/compliance/dialtime/dnc/info").json() == {"size": 2}


def test_update_onto_another_entry_is_element_already_exists(it, client_a):
    put(EmailEntry, client_a, 10, "one@example.com", 1320)
    put(EmailEntry, client_a, 11, "two@example.com", 1320)
    response = it.put("/compliance/email/dnc/11", {"email": "ONE@example.com"})
    assert response.status_code == 400
    assert response.json() == {"code": 201, "message": "Element already exists"}
    assert EmailEntry.objects.get(pk=11).email == "two@example.com"


def test_update_keeps_absent_keys_and_clears_null_ones(it, client_a):
    put(SmsEntry, client_a, 10, "4155550001", 1320, date(2030, 1, 1))
    assert it.put("/compliance/sms/dnc/10", {"sms": "4155550002"}).status_code == 204
    assert it.get("/compliance/sms/dnc/10").json() == {
        "sms": "4155550002",
        "contactGroupId": 1320,
        "expirationDate": 1893474000000,
        "dncId": 10,
        "id": 10,
    }
    body = {"sms": "4155550002", "contactGroupId": None, "expirationDate": ""}
    assert it.put("/compliance/sms/dnc/10", body).status_code == 204
    assert it.get("/compliance/sms/dnc/10").json() == {"sms": "4155550002", "dncId": 10, "id": 10}


def test_single_writes_are_audited_with_before_and_after(it, client_a):
    created = it.post(
        "/compliance/email/dnc", {"email": "Someone@Example.com", "contactGroupId": 1320}
    ).json()["id"]
    entry = EmailEntry.objects.get(pk=created)
    assert (entry.email, entry.added_by, entry.added_via) == (
        "someone@example.com",
        "manager_with_dnc_power@ACME",
        "POST /compliance/email/dnc",
    )
    added_at = entry.changed_at
    body = {"email": "someone@example.com", "expirationDate": "2030-01-01"}
    assert it.put(f"/compliance/email/dnc/{created}", body).status_code == 204
    entry.refresh_from_db()
    assert entry.changed_at > added_at
    assert entry.added_via == "POST /compliance/email/dnc"  # who added it stays
    assert it.delete(f"/compliance/email/dnc/{created}").status_code == 204

    trail = list(AuditEntry.objects.filter(object_type="dnc.emailentry").order_by("id"))
    assert [(a.action, a.object_id, a.actor_name) for a in trail] == [
        ("dnc.email.created", str(created), "manager_with_dnc_power@ACME"),
        ("dnc.email.updated", str(created), "manager_with_dnc_power@ACME"),
        ("dnc.email.deleted", str(created), "manager_with_dnc_power@ACME"),
    ]
    snap = {"id": created, "email": "someone@example.com", "contactGroupId": 1320}
    assert trail[0].before is None
    assert trail[0].after == {**snap, "expirationDate": None}
    assert trail[1].before == {**snap, "expirationDate": None}
    assert trail[1].after == {**snap, "expirationDate": "2030-01-01"}
    assert trail[2].before == {**snap, "expirationDate": "2030-01-01"}
    assert trail[2].after is None
    assert trail[2].details == {"via": f"DELETE /compliance/email/dnc/{created}"}


@pytest.mark.parametrize(
    ("path", "body", "message"),
    [
        ("dialtime", {}, "phone is required"),
        ("dialtime", {"phone": "415555373"}, "phone must be 10 digits"),
        ("dialtime", {"phone": "415555373x"}, None),
        ("dialtime", {"phone": "4*55553734"}, None),
        ("dialtime", {"phone": "+44 20 7946 0958"}, None),
        ("dialtime", {"phone": "0155553734"}, None),
        ("dialtime", {"phone": 4155553734.5}, None),
        ("sms", {"sms": "not a number"}, None),
        ("sms", {"phone": "4155553734"}, "sms is required"),
        ("email", {"email": "nobody"}, "email is not a valid email address"),
        ("email", {"email": ["a@b.co"]}, None),
        ("email", {"email": "a@b.co", "contactGroupId": 4968}, None),
        ("email", {"email": "a@b.co", "contactGroupId": "abc"}, None),
        ("email", {"email": "a@b.co", "contactGroupId": -5}, None),
        ("email", {"email": "a@b.co", "contactGroupId": True}, None),
        ("email", {"email": "a@b.co", "expirationDate": "2021-13-45"}, None),
        ("email", {"email": "a@b.co", "expirationDate": "tomorrow"}, None),
        ("email", {"email": "a@b.co", "expirationDate": True}, None),
        ("email", [{"email": "a@b.co"}], "The request body must be a JSON object"),
    ],
)
def test_bad_input_of_every_field_is_a_400_code_202(it, client_a, path, body, message):
    for method, url in (("POST", f"/compliance/{path}/dnc"), ("PUT", f"/compliance/{path}/dnc/7")):
        model = {"dialtime": DialtimeEntry, "email": EmailEntry, "sms": SmsEntry}[path]
        if not model.objects.filter(pk=7).exists():
            put(model, client_a, 7, "x@example.com" if path == "email" else "2125550100")
        response = it.call(method, url, body)
        assert response.status_code == 400, (method, response.content)
        assert response.json()["code"] == 202
        if message:
            assert response.json()["message"] == message
    assert model.objects.count() == 1


def test_an_unknown_contact_group_is_named(it):
    response = it.post("/compliance/dialtime/dnc", {"phone": "4155553734", "contactGroupId": 4968})
    assert response.json() == {
        "code": 202,
        "message": "contactGroupId: Contact Group is not valid",
    }


# --- reads --------------------------------------------------------------------------------


def test_list_and_search_share_their_filters(it, client_a):
    put(EmailEntry, client_a, 1, "a@example.com", 1320)
    put(EmailEntry, client_a, 2, "a@example.com")
    put(EmailEntry, client_a, 3, "b@example.com", 1320)
    listed = it.get("/compliance/email/dnc?offset=0&count=10&ContactGroupId=1320").json()
    assert [e["id"] for e in listed["dncEntries"]] == [1, 3]
    listed = it.get("/compliance/email/dnc?offset=0&count=10&email=A@EXAMPLE.com").json()
    assert [e["id"] for e in listed["dncEntries"]] == [1, 2]
    found = it.post(
        "/compliance/email/dnc/search?offset=0&count=10",
        {"filter": {"email": "a@example.com", "contactGroupId": "0"}},
    ).json()
    assert [e["id"] for e in found["dncEntries"]] == [2]
    # No filter at all: every entry.
    found = it.post("/compliance/email/dnc/search?offset=0&count=10", {}).json()
    assert [e["id"] for e in found["dncEntries"]] == [1, 2, 3]


@pytest.mark.parametrize(
    ("url", "body"),
    [
        ("/compliance/dialtime/dnc/search?offset=0&count=5", {"phone": "12"}),
        ("/compliance/sms/dnc/search?offset=0&count=5", {"filter": {"sms": "6a"}}),
        ("/compliance/sms/dnc/search?offset=0&count=5", {"filter": {"sms": "412345678901"}}),
        ("/compliance/sms/dnc/search?offset=0&count=5", {"filter": {"contactGroupId": "x"}}),
        ("/compliance/sms/dnc/search?offset=0&count=5", {"filter": {"contactGroupId": 1.5}}),
        ("/compliance/sms/dnc/search?offset=0&count=5", {"contactGroupId": 10**12}),
        ("/compliance/sms/dnc/search?offset=0&count=5", {"contactGroupId": -1}),
        ("/compliance/sms/dnc/search?offset=0&count=5", {"filter": "6"}),
        ("/compliance/sms/dnc/search?offset=0&count=5", {"sms": ["6"]}),
        ("/compliance/sms/dnc/search?offset=0", {}),
        ("/compliance/sms/dnc/search?offset=-1&count=5", {}),
        ("/compliance/sms/dnc/search?offset=0&count=0", {}),
    ],
)
def test_a_bad_filter_or_page_is_a_400_code_202(it, url, body):
    response = it.post(url, body)
    assert response.status_code == 400, response.content
    assert response.json()["code"] == 202


def test_next_repeats_the_version_segment_the_client_used(it, client_a):
    for i in range(3):
        put(SmsEntry, client_a, i + 1, f"415555000{i}")
    response = it.get("/compliance/v17.0/sms/dnc/?offset=0&count=2")
    assert response.json()["next"] == "compliance/v17.0/sms/dnc?offset=2&count=2"
    last = it.get("/compliance/v17.0/sms/dnc?offset=2&count=2").json()
    assert last == {"dncEntries": [{"sms": "4155550002", "dncId": 3, "id": 3}]}


def test_info_follows_creates_bulk_and_deletes(it, client_a):
    assert it.get("/compliance/dialtime/dnc/info").json() == {"size": 0}
    ids = [
        it.post("/compliance/dialtime/dnc", {"phone": f"415555000{i}"}).json()["id"]
        for i in range(3)
    ]
    entries = [{"phone": f"41555510{i:02d}"} for i in range(20)] + [{"phone": "4155550000"}]
    assert it.post("/compliance/dialtime/dnc/bulk", {"dncEntries": entries}).status_code == 200
    assert it.get("/compliance/dialtime/dnc/info").json() == {"size": 23}
    for entry_id in ids[:2]:
        assert it.delete(f"/compliance/dialtime/dnc/{entry_id}").status_code == 204
    expected = DialtimeEntry.objects.for_client(client_a).count()
    assert expected == 21
    assert it.get("/compliance/dialtime/dnc/info").json() == {"size": expected}
    # The other lists are counted apart.
    assert it.get("/compliance/sms/dnc/info").json() == {"size": 0}


# --- tenancy and gating ------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("method", "body"), [("GET", None), ("PUT", {"email": "x@example.com"}), ("DELETE", None)]
)
def test_another_clients_entry_is_not_found(it, client_b, method, body):
    put(EmailEntry, client_b, 55, "theirs@example.com")
    response = it.call(method, "/compliance/email/dnc/55", body)
    assert response.status_code == 404
    assert response.json() == {"code": 203, "message": "DNC entry not found"}
    assert EmailEntry.objects.get(pk=55).email == "theirs@example.com"
    found = it.post(
        "/compliance/email/dnc/search?offset=0&count=5", {"email": "theirs@example.com"}
    )
    assert found.json() == {"dncEntries": []}


LIST_CALLS = [
    ("POST", "/compliance/sms/dnc", {"sms": "4155550001"}),
    ("POST", "/compliance/sms/dnc/bulk", {"dncEntries": [{"sms": "4155550001"}]}),
    ("DELETE", "/compliance/sms/dnc/1", None),
    ("POST", "/compliance/sms/dnc/search?offset=0&count=5", {}),
    ("GET", "/compliance/sms/dnc/info", None),
    ("GET", "/compliance/sms/dnc?offset=0&count=5", None),
    ("GET", "/compliance/sms/dnc/1", None),
    ("PUT", "/compliance/sms/dnc/1", {"sms": "4155550001"}),
]


@pytest.mark.parametrize(("method", "path", "body"), LIST_CALLS)
def test_a_legacy_client_may_not_use_these_methods(api, client_b, method, path, body):
    put(SmsEntry, client_b, 1, "4155550009")
    response = api("outsider").call(method, path, body)
    assert response.status_code == 400
    assert response.json() == {
        "code": 202,
        "message": "This client is not configured to use this method "
        "(its Phone DNC Type is Legacy DNC)",
    }
    assert SmsEntry.objects.get(pk=1).sms == "4155550009"


@pytest.mark.parametrize(("method", "path", "body"), LIST_CALLS)
def test_the_role_check_comes_before_the_type_gate(client_b, method, path, body):
    token = access_token_create(actor=Actor.command("test"), client=client_b, name="b")[0]
    it_user = LVApi(make_user(client_b, "b_it", Role.IT_USER), token)
    response = it_user.call(method, path, body)
    assert response.status_code == 403


def test_a_sysadmin_may_act_for_a_dial_time_client(api, client_a, client_b):
    seed_contact_groups(client_a)
    outsider = api("outsider_sysadmin")
    created = outsider.post("/compliance/sms/dnc?client=4199", {"sms": "4155550001"})
    assert created.status_code == 201
    entry = SmsEntry.objects.get(pk=created.json()["id"])
    assert entry.client_id == 4199
    assert outsider.get(f"/compliance/sms/dnc/{entry.pk}?client=4199").status_code == 200
    assert api("outsider").get(f"/compliance/sms/dnc/{entry.pk}?client=4199").status_code == 403


# --- the services the admin will call ----------------------------------------------------------


def test_the_selection_services_delete_and_set_expiration_with_one_audit_entry(client_a, client_b):
    actor = Actor.command("test")
    for i in range(1, 4):
        put(DialtimeEntry, client_a, i, f"415555000{i}")
    put(DialtimeEntry, client_b, 9, "4155550009")
    changed = services.list_entries_set_expiration(
        actor=actor,
        client=client_a,
        list_name="dialtime",
        ids=[1, 2, 9],
        expiration_date=date(2030, 1, 1),
    )
    assert changed == 2
    assert DialtimeEntry.objects.get(pk=9).expiration_date is None
    removed = services.list_entries_delete(
        actor=actor, client=client_a, list_name="dialtime", ids=[1, 3, 9]
    )
    assert removed == 2
    assert sorted(DialtimeEntry.objects.values_list("pk", flat=True)) == [2, 9]
    actions = list(
        AuditEntry.objects.filter(object_type="dnc.dialtimeentry")
        .order_by("id")
        .values_list("action", "details")
    )
    assert actions == [
        (
            "dnc.dialtime.expiration_set",
            {"counts": {"updated": 2}, "source": "", "ids": [1, 2], "expirationDate": "2030-01-01"},
        ),
        ("dnc.dialtime.deleted_bulk", {"count": 2, "ids": [1, 3]}),
    ]


def test_bulk_counts_its_batches_in_the_message(it, client_a):
    entries = [{"phone": f"{4150000000 + i}"} for i in range(6000)]
    entries[5999] = {"phone": "12"}
    response = it.post("/compliance/dialtime/dnc/bulk", {"dncEntries": entries})
    name = DialtimeEntry.objects.for_client(client_a).first().filename
    assert response.json() == {
        "code": 202,
        "message": f"Record 6000: 12, phone must be 10 digits. Processed DNC filename: {name} "
        "totally in 2 batches, no of lines processed: 6000.",
    }
    assert it.get("/compliance/dialtime/dnc/info").json() == {"size": 5999}


def test_a_page_holds_at_most_1000_entries(it, client_a):
    entries = [{"sms": f"{4150000000 + i}"} for i in range(1001)]
    assert it.post("/compliance/sms/dnc/bulk", {"dncEntries": entries}).status_code == 200
    page = it.get("/compliance/sms/dnc?offset=0&count=5000").json()
    assert len(page["dncEntries"]) == 1000
    assert page["next"] == "compliance/sms/dnc?offset=1000&count=1000"
    last = it.get("/compliance/sms/" + page["next"].split("/", 2)[2]).json()
    # Bulk rows get their ids in no promised order: the last page holds the one left over.
    seen = {e["sms"] for e in page["dncEntries"]} | {e["sms"] for e in last["dncEntries"]}
    assert len(last["dncEntries"]) == 1
    assert seen == {entry["sms"] for entry in entries}
    assert "next" not in last


def test_an_entry_added_here_blocks_the_call_until_it_is_removed(it, client_a):
    url = "/compliance/complianceCheck/isBlocked?service=20180&phone=4155553734"
    assert it.get(url).json() == {"result": False}
    entry_id = it.post("/compliance/dialtime/dnc", {"phone": "(415) 555-3734"}).json()["id"]
    assert it.get(url).json() == {"result": True}
    assert it.delete(f"/compliance/dialtime/dnc/{entry_id}").status_code == 204
    assert it.get(url).json() == {"result": False}


def test_bulk_reads_contact_group_0_as_no_group_like_a_single_create(api, client_a):
    from dnc.models import DialtimeEntry

    response = api("manager_with_dnc_power").post(
        "/compliance/dialtime/dnc/bulk",
        {"dncEntries": [{"phone": "4155550000", "contactGroupId": 0}]},
    )
    assert response.status_code == 200, response.content
    assert response.json() == {"processedCount": 1}
    assert DialtimeEntry.objects.get(phone="4155550000").contact_group_id == 0
