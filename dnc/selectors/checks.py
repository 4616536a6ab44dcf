"""Reads of the DNC lists. The hot one is isBlocked: called before every dial, it is one
statement (rules in ``dnc/models.py``, figures in bench/README.md).

The statement, for a client and a service:

- a legacy entry blocks when each value it holds (phone, account, zip) equals the call's, for
  the call's service or every service (service 0), and its day has not passed (the spec's DNC
  Rules: a phone + account entry blocks only that account's calls to that phone);
- an account's Do Not Dial flag blocks every call about that account;
- for a Dial-Time client, a dial-time entry of the phone (any contact group, not expired).

Each branch is an index probe (``dnc/models.py`` lists them). Absent values are NULL, which
equals nothing. Daily and dated rows stop blocking by comparing their last day with the
client's today, passed in, so nothing depends on a purge having run.
"""

from dataclasses import dataclass
from datetime import date
from functools import cache

from django.db import connection

from livevox_site import rawsql
from livevox_site.models import Client, PhoneDncType, Service

from ..models import AccountFlag, DialtimeEntry, DoNotDial, LegacyEntry


@dataclass(frozen=True)
class CheckInput:
    """What isBlocked asks about; "" for a value not given."""

    service_id: int
    phone: str = ""
    account: str = ""
    zip: str = ""


def _blocked_sql() -> str:
    legacy = LegacyEntry._meta.db_table
    accounts = AccountFlag._meta.db_table
    dialtime = DialtimeEntry._meta.db_table
    return (
        f"EXISTS (SELECT 1 FROM {legacy} e "  # noqa: S608 (names from _meta)
        "WHERE e.client_id = %(client)s AND e.service_id IN (0, %(service)s) "
        # One index probe per branch: (client, phone...), (client, account...), (client, zip...).
        "AND (e.phone = %(phone)s OR (e.account = %(account)s AND e.account <> '') "
        "OR (e.zip = %(zip)s AND e.zip <> '')) "
        "AND (e.phone = '' OR e.phone = %(phone)s) "
        "AND (e.account = '' OR e.account = %(account)s) "
        "AND (e.zip = '' OR e.zip = %(zip)s) "
        "AND (e.blocks_through IS NULL OR e.blocks_through >= %(today)s)) "
        f"OR EXISTS (SELECT 1 FROM {accounts} a "
        "WHERE a.client_id = %(client)s AND a.account = %(account)s "
        f"AND a.do_not_dial <> '{DoNotDial.NONE}' "
        "AND (a.blocks_through IS NULL OR a.blocks_through >= %(today)s)) "
        f"OR (%(dial_time)s AND EXISTS (SELECT 1 FROM {dialtime} d "
        "WHERE d.client_id = %(client)s AND d.phone = %(phone)s "
        "AND (d.expiration_date IS NULL OR d.expiration_date >= %(today)s)))"
    )


def _service_sql() -> str:
    return (
        f"EXISTS (SELECT 1 FROM {Service._meta.db_table} sv "  # noqa: S608
        "WHERE sv.id = %(service)s AND sv.client_id = %(client)s)"
    )


def _params(*, client: Client, check: CheckInput, today: date, db) -> dict:
    return {
        "client": client.pk,
        "service": check.service_id,
        "phone": check.phone or None,
        "account": check.account or None,
        "zip": check.zip or None,
        "today": db.ops.adapt_datefield_value(today),
        "dial_time": client.phone_dnc_type == PhoneDncType.DIAL_TIME,
    }


@cache
def _check_sql() -> str:
    return f"SELECT {_service_sql()}, {_blocked_sql()}"


def is_blocked(*, client: Client, check: CheckInput, today: date) -> tuple[bool, bool]:
    """``(service_known, blocked)`` in one statement: whether the service is the client's, and
    whether the call is blocked."""
    params = _params(client=client, check=check, today=today, db=connection)
    with connection.cursor() as cursor:
        rawsql.execute(cursor, "dnc_is_blocked", _check_sql(), params)
        service_known, blocked = cursor.fetchone()
    return bool(service_known), bool(blocked)


@cache
def _session_check_sql(usable_sql: str) -> str:
    """isBlocked's statement with the caller's session re-checked in it (one per vendor: the
    session's clause is the vendor's)."""
    clients = Client._meta.db_table
    return (
        f"SELECT EXISTS ({usable_sql} AND u.role = %(role)s) "  # noqa: S608
        f"AND EXISTS (SELECT 1 FROM {clients} c WHERE c.id = %(client)s "
        "AND c.time_zone = %(time_zone)s AND c.phone_dnc_type = %(dnc_type)s), "
        f"{_service_sql()}, {_blocked_sql()}"
    )


def is_blocked_for_session(
    *,
    usable_sql: str,
    session_params: dict,
    role: str,
    client: Client,
    check: CheckInput,
    today: date,
) -> tuple[bool, bool, bool]:
    """``(session_still_as_cached, service_known, blocked)`` in one statement: isBlocked with
    the caller's session re-checked (``VerifiedLaterLVSessionAuthentication``): still usable,
    the user still of ``role``, the client's time zone and DNC type still those cached."""
    sql = _session_check_sql(usable_sql)
    params = _params(client=client, check=check, today=today, db=connection)
    params.update(session_params)
    params.update(role=role, time_zone=client.time_zone, dnc_type=client.phone_dnc_type)
    with connection.cursor() as cursor:
        rawsql.execute(cursor, "dnc_is_blocked_session", sql, params)
        current, service_known, blocked = cursor.fetchone()
    return bool(current), bool(service_known), bool(blocked)
