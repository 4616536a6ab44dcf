"""``manage.py purge_dnc`` (``dnc/services/purge.py``): removes what no longer blocks, in each
client's own time zone, and only that."""

from datetime import date, datetime
from io import StringIO
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.core.management import CommandError, call_command

from dnc.models import (
    AccountFlag,
    DialtimeEntry,
    DncCounter,
    DncType,
    DoNotDial,
    EmailEntry,
    LegacyEntry,
    SmsEntry,
)
from livevox_site.models import AuditEntry

pytestmark = pytest.mark.django_db

PACIFIC = ZoneInfo("America/Los_Angeles")  # client B, 93119
EASTERN = ZoneInfo("America/New_York")  # client A, 4199
TODAY = date(2026, 3, 7)
YESTERDAY = date(2026, 3, 6)
# 00:30 on 3/7 in Los Angeles is 03:30 in New York: both clients' today is 3/7.
NOW = datetime(2026, 3, 7, 0, 30, tzinfo=PACIFIC)


def purge(*args: str) -> str:
    out = StringIO()
    with time_machine.travel(NOW, tick=False):
        call_command("purge_dnc", *args, stdout=out)
    return out.getvalue()


def legacy(client, phone: str, dnc_type=DncType.PERMANENT, through=None, service=0):
    return LegacyEntry.objects.create(
        client=client, phone=phone, dnc_type=dnc_type, blocks_through=through, service_id=service
    )


@pytest.fixture
def rows(client_a, client_b) -> dict[str, object]:
    """Of client B (Legacy): a daily entry of yesterday and one of today, a permanent entry,
    account flags dated yesterday, today, set to NONE and permanent. Of client A (Dial-Time):
    dial-time, email and SMS entries that expired yesterday, expire today, never expire.
    Client A also holds a daily legacy entry of yesterday (another client's rows are purged
    on their own)."""
    return {
        "b_daily_yesterday": legacy(client_b, "4155550001", DncType.DAILY, YESTERDAY, 123),
        "b_daily_today": legacy(client_b, "4155550002", DncType.DAILY, TODAY, 123),
        "b_permanent": legacy(client_b, "4155550003"),
        "b_flag_yesterday": AccountFlag.objects.create(
            client=client_b, account="A1", do_not_dial=DoNotDial.DAILY, blocks_through=YESTERDAY
        ),
        "b_flag_today": AccountFlag.objects.create(
            client=client_b, account="A2", do_not_dial=DoNotDial.DAILY, blocks_through=TODAY
        ),
        "b_flag_none": AccountFlag.objects.create(
            client=client_b, account="A3", do_not_dial=DoNotDial.NONE
        ),
        "b_flag_permanent": AccountFlag.objects.create(client=client_b, account="A4"),
        "a_daily_yesterday": legacy(client_a, "4155550004", DncType.DAILY, YESTERDAY),
        "a_dialtime_yesterday": DialtimeEntry.objects.create(
            client=client_a, phone="4155553767", expiration_date=YESTERDAY
        ),
        "a_dialtime_today": DialtimeEntry.objects.create(
            client=client_a, phone="4155553768", expiration_date=TODAY
        ),
        "a_dialtime_never": DialtimeEntry.objects.create(client=client_a, phone="4155553734"),
        "a_email_yesterday": EmailEntry.objects.create(
            client=client_a, email="example1@gmail.com", expiration_date=YESTERDAY
        ),
        "a_email_today": EmailEntry.objects.create(
            client=client_a, email="example2@gmail.com", expiration_date=TODAY
        ),
        "a_sms_yesterday": SmsEntry.objects.create(
            client=client_a, sms="9176754178", expiration_date=YESTERDAY
        ),
        "a_sms_never": SmsEntry.objects.create(client=client_a, sms="6503517497"),
    }


def remaining(rows: dict[str, object]) -> set[str]:
    return {name for name, obj in rows.items() if type(obj).objects.filter(pk=obj.pk).exists()}


PURGED = {
    "b_daily_yesterday",
    "b_flag_yesterday",
    "b_flag_none",
    "a_daily_yesterday",
    "a_dialtime_yesterday",
    "a_email_yesterday",
    "a_sms_yesterday",
}


def test_it_removes_what_no_longer_blocks_and_keeps_the_rest(rows):
    out = purge()
    assert remaining(rows) == set(rows) - PURGED
    assert out.splitlines() == [
        "removed: client 4199 (ACME), today 2026-03-07 in America/New_York: legacy entries 1, "
        "account flags 0, dial-time entries 1, email entries 1, SMS entries 1",
        "removed: client 93119 (BETA), today 2026-03-07 in America/Los_Angeles: legacy "
        "entries 1, account flags 2, dial-time entries 0, email entries 0, SMS entries 0",
        "removed 7 rows in 2 clients",
    ]


def test_today_is_the_client_s_own(client_b):
    # 23:30 on 3/6 in Los Angeles is already 3/7 in UTC and New York: client B's entry of
    # 3/6 still blocks there, so it stays.
    entry = legacy(client_b, "4155550001", DncType.DAILY, YESTERDAY)
    with time_machine.travel(datetime(2026, 3, 6, 23, 30, tzinfo=PACIFIC), tick=False):
        call_command("purge_dnc", stdout=StringIO())
    assert LegacyEntry.objects.filter(pk=entry.pk).exists()
    with time_machine.travel(datetime(2026, 3, 7, 0, 0, 1, tzinfo=PACIFIC), tick=False):
        call_command("purge_dnc", stdout=StringIO())
    assert not LegacyEntry.objects.filter(pk=entry.pk).exists()


def test_one_client_only_leaves_the_other_untouched(rows):
    out = purge("--client", "93119")
    assert remaining(rows) == set(rows) - {"b_daily_yesterday", "b_flag_yesterday", "b_flag_none"}
    assert "client 4199" not in out
    assert out.endswith("removed 3 rows in 1 clients\n")


def test_a_dry_run_prints_the_same_counts_and_removes_nothing(rows):
    dry = purge("--dry-run")
    assert remaining(rows) == set(rows)
    assert not AuditEntry.objects.filter(action="dnc.lists.purged").exists()
    real = purge()
    assert dry.replace("would remove", "removed") == real


def test_one_audit_entry_per_client_with_the_counts(rows, client_a, client_b):
    purge()
    entries = AuditEntry.objects.filter(action="dnc.lists.purged").order_by("client_id")
    assert [(e.client_id, e.actor_name, e.source, e.details) for e in entries] == [
        (
            4199,
            "purge_dnc",
            "command",
            {
                "counts": {
                    "deleted legacy entries": 1,
                    "deleted account flags": 0,
                    "deleted dial-time entries": 1,
                    "deleted email entries": 1,
                    "deleted SMS entries": 1,
                },
                "source": "purge_dnc",
                "today": "2026-03-07",
            },
        ),
        (
            93119,
            "purge_dnc",
            "command",
            {
                "counts": {
                    "deleted legacy entries": 1,
                    "deleted account flags": 2,
                    "deleted dial-time entries": 0,
                    "deleted email entries": 0,
                    "deleted SMS entries": 0,
                },
                "source": "purge_dnc",
                "today": "2026-03-07",
            },
        ),
    ]


def test_the_counters_follow(rows):
    purge()
    sizes = {(c.client_id, c.list, c.service_id): c.size for c in DncCounter.objects.all()}
    assert sizes == {
        (4199, "legacy:DAILY", 0): 0,
        (93119, "legacy:DAILY", 123): 1,
        (93119, "legacy:PERMANENT", 0): 1,
        (4199, "dialtime", 0): 2,
        (4199, "email", 0): 1,
        (4199, "sms", 0): 1,
    }


def test_a_second_run_removes_nothing_and_audits_nothing(rows):
    purge()
    audited = AuditEntry.objects.count()
    out = purge()
    assert remaining(rows) == set(rows) - PURGED
    assert out.endswith("removed 0 rows in 2 clients\n")
    assert AuditEntry.objects.count() == audited


def test_batches_smaller_than_the_rows_remove_them_all(client_b):
    for n in range(7):
        legacy(client_b, f"41555500{n:02d}", DncType.DAILY, YESTERDAY)
    out = purge("--batch", "3")
    assert not LegacyEntry.objects.exists()
    assert "legacy entries 7" in out


def test_an_unknown_client_is_an_error(client_a):
    with pytest.raises(CommandError, match="no client 5"):
        purge("--client", "5")
