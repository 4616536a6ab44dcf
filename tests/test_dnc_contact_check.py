"""POST /compliance/complianceCheck/contactCheck (and /batch), an extension: the DNC lists and
calling hours in one explained answer, with when the contact would be allowed."""

import gc
from datetime import date, datetime
from zoneinfo import ZoneInfo

import pytest

from dnc.demo import DNC_RULES
from dnc.models import AccountFlag, DncType, DoNotDial, EmailEntry, LegacyEntry, SmsEntry
from livevox_site.models import sync_id_sequence

URL = "/compliance/complianceCheck/contactCheck"
BATCH = f"{URL}/batch"
PACIFIC = ZoneInfo("America/Los_Angeles")
EASTERN = ZoneInfo("America/New_York")


def ms(moment: datetime) -> int:
    return int(moment.timestamp() * 1000)


@pytest.fixture
def beta(api, client_b):
    for dnc_id, service_id, phone, account, zip_code in DNC_RULES:
        LegacyEntry.objects.create(
            id=dnc_id,
            client=client_b,
            service_id=service_id,
            phone=phone,
            account=account,
            zip=zip_code,
        )
    sync_id_sequence(LegacyEntry)  # explicit ids: PostgreSQL's sequence must move past them
    return api("outsider")  # a Superuser of client 93119 (Legacy, Los Angeles)


NOON = datetime(2026, 11, 24, 12, 0, tzinfo=PACIFIC)  # a Tuesday


def test_an_allowed_call_answers_the_moment_itself(beta):
    response = beta.post(URL, {"service": 123, "phone": "3133335000", "at": ms(NOON)})
    assert response.status_code == 200, response.content
    assert response.json() == {
        "allowed": True,
        "reasons": [],
        "localTime": "2026-11-24T15:00:00-05:00",
        "timeZone": "America/New_York",
        "nextAllowedAt": ms(NOON),
    }


def test_a_permanent_entry_blocks_for_ever(beta):
    body = beta.post(URL, {"service": 123, "phone": "4152257000", "at": ms(NOON)}).json()
    assert body == {
        "allowed": False,
        "reasons": [
            {
                "rule": "dnc",
                "list": "legacy",
                "id": 1,
                "matched": "phone",
                "level": "service",
                "serviceId": 123,
                "type": "PERMANENT",
            }
        ],
        "localTime": "2026-11-24T12:00:00-08:00",
        "timeZone": "America/Los_Angeles",
        "nextAllowedAt": None,
    }


def test_calling_hours_block_at_night_until_eight_in_the_morning_local(beta):
    night = datetime(2026, 11, 24, 22, 30, tzinfo=PACIFIC)
    body = beta.post(URL, {"service": 123, "phone": "3105550000", "at": night.isoformat()}).json()
    assert body["allowed"] is False
    assert body["reasons"] == [
        {
            "rule": "defaultWindow",
            "profileId": None,
            "window": "08:00-21:00",
            "timeZone": "America/Los_Angeles",
        }
    ]
    assert body["nextAllowedAt"] == ms(datetime(2026, 11, 25, 8, 0, tzinfo=PACIFIC))


def test_a_daily_entry_allows_the_next_morning_not_at_midnight(beta, client_b):
    LegacyEntry.objects.create(
        client=client_b,
        phone="3105550000",
        dnc_type=DncType.DAILY,
        blocks_through=date(2026, 11, 24),
    )
    body = beta.post(URL, {"service": 123, "phone": "3105550000", "at": ms(NOON)}).json()
    assert body["allowed"] is False
    assert [reason["rule"] for reason in body["reasons"]] == ["dnc"]
    assert body["reasons"][0]["blocksThrough"] == "2026-11-24"
    # Free of the list at midnight, but calling hours open at 08:00.
    assert body["nextAllowedAt"] == ms(datetime(2026, 11, 25, 8, 0, tzinfo=PACIFIC))


def test_the_dnc_rules_are_isblockeds(beta):
    # Row 8 of the spec's table: entry 3 is for account A12345 only.
    body = beta.post(
        URL, {"service": 789, "phone": "2016668000", "account": "A6789", "at": ms(NOON)}
    ).json()
    assert body["allowed"] is True


def test_an_account_flag_blocks_every_channel(beta, client_b):
    AccountFlag.objects.create(client=client_b, account="ACC-1", do_not_dial=DoNotDial.PERMANENT)
    for item in (
        {"phone": "3105550000"},
        {"channel": "SMS", "sms": "3105550000"},
        {"channel": "email", "email": "x@example.com"},
    ):
        body = beta.post(URL, {"service": 123, "account": "ACC-1", "at": ms(NOON), **item})
        assert body.json()["allowed"] is False, item
        assert body.json()["reasons"][0]["list"] == "account"


def test_emails_and_texts_read_their_own_lists(api, client_a):
    email = EmailEntry.objects.create(client=client_a, email="opt@out.com")
    sms = SmsEntry.objects.create(client=client_a, sms="4155553734")
    manager = api("manager")
    at = ms(datetime(2026, 11, 24, 23, 0, tzinfo=EASTERN))  # 20:00 in San Francisco
    mail = manager.post(
        URL, {"service": 20180, "channel": "EMAIL", "email": "Opt@Out.com", "at": at}
    ).json()
    assert mail["allowed"] is False
    assert mail["reasons"] == [
        {"rule": "dnc", "list": "email", "id": email.pk, "matched": "email", "level": "client"}
    ]
    text = manager.post(
        URL, {"service": 20180, "channel": "sms", "phone": "4155553734", "at": at}
    ).json()
    assert text["reasons"] == [
        {"rule": "dnc", "list": "sms", "id": sms.pk, "matched": "sms", "level": "client"}
    ]
    # The same number, called: the SMS list does not block calls.
    assert (
        manager.post(URL, {"service": 20180, "phone": "4155553734", "at": at}).json()["allowed"]
        is True
    )


def test_an_email_keeps_no_calling_hours(api, client_a):
    late = ms(datetime(2026, 11, 24, 23, 30, tzinfo=EASTERN))
    body = (
        api("manager")
        .post(URL, {"service": 20180, "channel": "EMAIL", "email": "a@b.com", "at": late})
        .json()
    )
    assert body["allowed"] is True and body["nextAllowedAt"] == late


@pytest.mark.parametrize(
    ("item", "message"),
    [
        ({}, "service is required"),
        ({"service": 20180}, "service: no service 20180 in this client"),
        ({"service": 123}, "a call needs at least one of phone, account or zip"),
        (
            {"service": 123, "channel": "FAX", "phone": "3105550000"},
            "channel must be one of CALL, SMS, EMAIL",
        ),
        ({"service": 123, "channel": "EMAIL"}, "an email needs email"),
        ({"service": 123, "phone": "12"}, "phone must be 10 digits"),
        ({"service": 123, "phone": "3105550000", "at": "soon"}, "at is not a date"),
    ],
)
def test_bad_input_is_a_400_with_code_202(beta, item, message):
    response = beta.post(URL, item)
    assert response.status_code == 400
    assert response.json() == {"code": 202, "message": message}


def test_a_batch_answers_in_order_with_an_error_in_place_of_a_bad_item(beta):
    response = beta.post(
        BATCH,
        {
            "items": [
                {"service": 123, "phone": "4152257000", "at": ms(NOON)},
                {"service": 5, "phone": "4152257000"},
                {"service": 456, "zip": "94110", "at": ms(NOON)},
                {"service": 456, "phone": "3133335000", "at": ms(NOON)},
            ]
        },
    )
    assert response.status_code == 200
    results = response.json()["results"]
    assert [r.get("allowed") for r in results] == [False, None, False, True]
    assert results[1] == {"error": {"code": 202, "message": "service: no service 5 in this client"}}
    assert results[2]["reasons"][0]["id"] == 5
    single = beta.post(URL, {"service": 123, "phone": "4152257000", "at": ms(NOON)}).json()
    assert results[0] == single


def test_a_batch_takes_a_bare_list_and_refuses_more_than_50000(beta):
    assert beta.post(BATCH, [{"service": 123, "zip": "94110"}]).status_code == 200
    response = beta.post(BATCH, {"items": [{}] * 50_001})
    assert response.status_code == 400
    assert response.json() == {"code": 202, "message": "at most 50000 items per request"}


def test_a_batch_reads_each_list_once_whatever_its_size(beta, django_assert_max_num_queries):
    items = [{"service": 123, "phone": f"31055{n:05d}", "at": ms(NOON)} for n in range(2000)]
    with django_assert_max_num_queries(20):
        response = beta.post(BATCH, {"items": items})
    assert response.status_code == 200
    assert len(response.json()["results"]) == 2000


def test_a_large_batch_answers_each_item_as_a_single_check_does(beta):
    """A batch decides each distinct (service, zip, area code, moment) once and reads each list
    once: every answer must still be the single check's, in order."""
    night = ms(datetime(2026, 11, 24, 22, 30, tzinfo=PACIFIC))
    daily = LegacyEntry.objects.create(
        client_id=93119,
        phone="5035550000",
        dnc_type=DncType.DAILY,
        blocks_through=date(2026, 11, 24),
    )
    AccountFlag.objects.create(client_id=93119, account="A555", do_not_dial=DoNotDial.PERMANENT)
    kinds = [
        {"service": 123, "phone": "4152257000", "at": ms(NOON)},  # permanent, service level
        {"service": 123, "phone": "3133335000", "at": ms(NOON)},  # allowed
        {"service": 123, "phone": "3105550000", "at": night},  # calling hours
        {"service": 456, "phone": "6173432000", "account": "A12345", "at": ms(NOON)},
        {"service": 456, "zip": "94110", "at": night},  # zip entry and calling hours
        {"service": 123, "phone": "5035550000", "at": night},  # daily: the next morning
        {"service": 123, "account": "A555", "phone": "2125550000", "at": ms(NOON)},  # flag
        {"service": 123, "phone": "5545550000", "at": night},  # no such area code
        {"service": 123, "channel": "EMAIL", "email": "x@y.com", "at": night},
        {"service": 123, "channel": "SMS", "sms": "2016668000", "at": ms(NOON)},
        {"service": 123},  # bad: an error in its place
    ]
    items = [kinds[n % len(kinds)] for n in range(2000)]

    response = beta.post(BATCH, {"items": items})

    assert response.status_code == 200
    singles = []
    for kind in kinds:
        single = beta.post(URL, kind)
        singles.append(single.json() if single.status_code == 200 else {"error": single.json()})
    assert singles[5]["reasons"][0]["id"] == daily.pk  # the cases hold what they say
    assert response.json() == {"results": [singles[n % len(kinds)] for n in range(len(items))]}


def test_a_batch_runs_with_the_collector_paused(beta, monkeypatch):
    from dnc.views import contact

    seen = []

    def spy(**kwargs):
        seen.append(gc.isenabled())
        return decide(**kwargs)

    decide = contact.contact_decisions
    monkeypatch.setattr(contact, "contact_decisions", spy)

    response = beta.post(BATCH, {"items": [{"service": 123, "phone": "3133335000"}]})

    assert response.status_code == 200
    assert seen == [False]
    assert gc.isenabled()


@pytest.mark.parametrize(
    ("who", "agent", "status"),
    [
        ("sysadmin", False, 200),
        ("superuser", False, 200),
        ("manager", False, 200),
        ("it_user", False, 403),
        ("agent", True, 403),
        ("manager", True, 403),
        (None, False, 401),
    ],
)
def test_who_may_ask(api, client_a, who, agent, status):
    response = api(who, agent=agent).post(URL, {"service": 20180, "phone": "4155553734"})
    assert response.status_code == status, response.content
