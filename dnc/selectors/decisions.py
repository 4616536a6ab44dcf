"""Why a contact is blocked by the DNC lists, for one contact or fifty thousand (the Extensions
of the extensions: ``isBlocked?explain=true``, contactCheck and its batch).

The rules are isBlocked's (``dnc/selectors/checks.py``), evaluated set-wise: one query per list
for a whole batch (the values of every item in one ``IN`` list, sent in chunks), then each item is
matched in Python against the few rows found. isBlocked itself stays the single statement; this
module explains.

A reason is a dict in the wire's camelCase:
``{"list": "legacy", "id": 3, "matched": "phone+account", "level": "client", "type":
"PERMANENT"}``; ``level`` is "client" (every service) or "service" (with ``serviceId``); a dated
or daily row has ``blocksThrough`` (its last blocking day, ``yyyy-MM-dd`` in the client's zone).
"""

from collections import defaultdict
from collections.abc import Iterable, Sequence
from datetime import date, datetime, time, timedelta
from typing import NamedTuple
from zoneinfo import ZoneInfo

from django.db.models import BooleanField, Q
from django.db.models.expressions import RawSQL

from livevox_site.lenient import epoch_ms
from livevox_site.models import Client, PhoneDncType
from livevox_site.rawsql import one_of

from ..models import (
    NO_SERVICE,
    AccountFlag,
    DialtimeEntry,
    DoNotDial,
    EmailEntry,
    LegacyEntry,
    SmsEntry,
)


class Channel:
    CALL = "CALL"
    SMS = "SMS"
    EMAIL = "EMAIL"
    ALL = (CALL, SMS, EMAIL)


class Contact(NamedTuple):
    """One contact to decide about; "" for a value not given. ``sms`` defaults to the phone.
    (A named tuple: a batch makes 50,000, and a frozen dataclass cost 2 us each.)"""

    service_id: int
    phone: str = ""
    account: str = ""
    zip: str = ""
    email: str = ""
    sms: str = ""
    channel: str = Channel.CALL


def _one_of(column: str, values: Iterable[str]) -> RawSQL | None:
    """``column`` among the given values, as one parameter (``livevox_site.rawsql.one_of``):
    a batch of 50,000 phones is one index-probing statement, not 50,000 placeholders. None
    when there is no value."""
    wanted = sorted({value for value in values if value})
    if not wanted:
        return None
    sql, params = one_of(column, wanted)
    return RawSQL(sql, params, output_field=BooleanField())  # noqa: S611 (column from code)


def _not_expired(queryset, column: str, today: date):
    return queryset.filter(Q(**{f"{column}__isnull": True}) | Q(**{f"{column}__gte": today}))


class _Legacy(NamedTuple):
    """A legacy entry as the decisions read it (no model instance: a batch may match tens of
    thousands of rows)."""

    pk: int
    service_id: int
    dnc_type: str
    phone: str
    account: str
    zip: str
    blocks_through: date | None


_LEGACY_FIELDS = ("pk", "service_id", "dnc_type", "phone", "account", "zip", "blocks_through")


def _legacy_rows(client: Client, contacts: Sequence[Contact], today: date) -> list[_Legacy]:
    base = _not_expired(LegacyEntry.objects.filter(client=client), "blocks_through", today)
    services = {NO_SERVICE, *(c.service_id for c in contacts)}
    base = base.filter(service_id__in=services).order_by()
    found: dict[int, _Legacy] = {}
    for column in ("phone", "account", "zip"):
        among = _one_of(column, (getattr(c, column) for c in contacts))
        if among is not None:
            for row in base.filter(among).values_list(*_LEGACY_FIELDS):
                found[row[0]] = _Legacy(*row)
    return list(found.values())


def _legacy_matches(entry: _Legacy, contact: Contact) -> bool:
    if entry.service_id not in (NO_SERVICE, contact.service_id):
        return False
    held = [
        (entry.phone, contact.phone),
        (entry.account, contact.account),
        (entry.zip, contact.zip),
    ]
    return any(value for value, _ in held) and all(
        not value or value == asked for value, asked in held
    )


def _legacy_reason(entry: _Legacy) -> dict:
    matched = "+".join(name for name in ("phone", "account", "zip") if getattr(entry, name))
    reason = {
        "list": "legacy",
        "id": entry.pk,
        "matched": matched,
        "level": "service" if entry.service_id else "client",
        "type": entry.dnc_type,
    }
    if entry.service_id:
        reason["serviceId"] = entry.service_id
    if entry.blocks_through is not None:
        reason["blocksThrough"] = entry.blocks_through.isoformat()
    return reason


class _Listed(NamedTuple):
    pk: int
    value: str
    contact_group_id: int
    expiration_date: date | None


def _by_value(model, column: str, client: Client, values: Iterable[str], today: date) -> dict:
    base = _not_expired(model.objects.filter(client=client), "expiration_date", today)
    found: dict[str, list[_Listed]] = defaultdict(list)
    among = _one_of(column, values)
    if among is not None:
        rows = base.filter(among).order_by("id")
        for row in rows.values_list("pk", column, "contact_group_id", "expiration_date"):
            found[row[1]].append(_Listed(*row))
    return found


def _list_reason(list_name: str, entry: _Listed, matched: str) -> dict:
    reason = {"list": list_name, "id": entry.pk, "matched": matched, "level": "client"}
    if entry.contact_group_id:
        reason["contactGroupId"] = entry.contact_group_id
    if entry.expiration_date is not None:
        reason["blocksThrough"] = entry.expiration_date.isoformat()
    return reason


def dnc_reasons(*, client: Client, contacts: Sequence[Contact], today: date) -> list[list[dict]]:
    """For each contact, in order, the rows that block it (empty: the lists allow it).

    A call (``Channel.CALL``) is blocked as isBlocked says: legacy entries, the account's Do
    Not Dial flag, and for a Dial-Time client the dial-time list. A text (``SMS``) is blocked
    by the account flag and the SMS list (of ``sms``, or the phone); an email by the account
    flag and the email list."""
    legacy = _legacy_rows(client, [c for c in contacts if c.channel == Channel.CALL], today)
    legacy_by_key: dict[tuple[str, str], list[_Legacy]] = defaultdict(list)
    for entry in legacy:
        for column in ("phone", "account", "zip"):
            value = getattr(entry, column)
            if value:
                legacy_by_key[column, value].append(entry)
    flags = {}
    among = _one_of("account", (c.account for c in contacts))
    if among is not None:
        flagged = AccountFlag.objects.filter(client=client).filter(among)
        flagged = flagged.exclude(do_not_dial=DoNotDial.NONE)
        flags = {flag.account: flag for flag in _not_expired(flagged, "blocks_through", today)}
    dial_time = client.phone_dnc_type == PhoneDncType.DIAL_TIME
    calls = [c.phone for c in contacts if c.channel == Channel.CALL]
    dialtime = _by_value(DialtimeEntry, "phone", client, calls if dial_time else [], today)
    texts = [c.sms or c.phone for c in contacts if c.channel == Channel.SMS]
    sms = _by_value(SmsEntry, "sms", client, texts, today)
    mails = [c.email for c in contacts if c.channel == Channel.EMAIL]
    emails = _by_value(EmailEntry, "email", client, mails, today)

    answers = []
    for contact in contacts:
        reasons: list[dict] = []
        if contact.channel == Channel.CALL:
            seen: set[int] = set()
            for column in ("phone", "account", "zip") if legacy_by_key else ():
                value = getattr(contact, column)
                for entry in legacy_by_key.get((column, value), ()) if value else ():
                    if entry.pk not in seen and _legacy_matches(entry, contact):
                        seen.add(entry.pk)
                        reasons.append(_legacy_reason(entry))
            found = dialtime.get(contact.phone, ())
            reasons += [_list_reason("dialtime", e, "phone") for e in found]
        elif contact.channel == Channel.SMS:
            found = sms.get(contact.sms or contact.phone, ())
            reasons += [_list_reason("sms", e, "sms") for e in found]
        else:
            reasons += [_list_reason("email", e, "email") for e in emails.get(contact.email, ())]
        flag = flags.get(contact.account) if contact.account else None
        if flag is not None:
            reason = {
                "list": "account",
                "id": flag.pk,
                "matched": "account",
                "level": "client",
                "type": flag.do_not_dial,
            }
            if flag.blocks_through is not None:
                reason["blocksThrough"] = flag.blocks_through.isoformat()
            reasons.append(reason)
        answers.append(reasons)
    return answers


def dnc_allowed_again(reasons: Sequence[dict], zone: ZoneInfo) -> datetime | None:
    """The first moment no DNC row blocks any more: the midnight after the latest last day of
    the blocking rows; None when one of them blocks for ever (a permanent entry or flag, an
    entry without expiration). Only call it with a non-empty ``reasons``."""
    last_days = []
    for reason in reasons:
        through = reason.get("blocksThrough")
        if through is None:
            return None
        last_days.append(date.fromisoformat(through))
    day = max(last_days) + timedelta(days=1)
    return datetime.combine(day, time(), tzinfo=zone)


# --- contactCheck: the DNC lists and calling hours together ----------------------------------


class ContactAsk(NamedTuple):
    """One contactCheck item: the contact and the moment asked about (aware)."""

    contact: Contact
    at: datetime


def _dnc_reason(reason: dict) -> dict:
    return {"rule": "dnc", **reason}


def _callee_phone(contact: Contact) -> str:
    """The number whose area code places the callee: a text's own number, else the phone."""
    return contact.sms or contact.phone if contact.channel == Channel.SMS else contact.phone


def _dnc_of_every_ask(client: Client, asks: Sequence[ContactAsk], zone: ZoneInfo) -> list:
    """``dnc_reasons`` of each ask, read as of the ask's own day in the client's zone (one
    query per list for all asks of a day)."""
    by_day: dict[date, list[int]] = defaultdict(list)
    day_of: dict[datetime, date] = {}  # most asks of a batch share one moment (now)
    for index, (_, at) in enumerate(asks):
        day = day_of.get(at)
        if day is None:
            day = day_of[at] = at.astimezone(zone).date()
        by_day[day].append(index)
    dnc: list[list[dict]] = [[] for _ in asks]
    for day, indexes in by_day.items():
        found = dnc_reasons(client=client, contacts=[asks[i].contact for i in indexes], today=day)
        for index, reasons in zip(indexes, found, strict=True):
            dnc[index] = reasons
    return dnc


def contact_decisions(*, client: Client, asks: Sequence[ContactAsk], plan) -> list[dict]:
    """``{allowed, reasons, localTime, timeZone, nextAllowedAt}`` for each ask, in order.

    ``plan`` is the client's ``profiles.calling_hours.CallingHoursPlan``. Calls and texts keep
    calling hours; an email has none (its local time and zone are still answered). The DNC
    lists are read as of each ask's own day in the client's time zone, one query per list for
    all asks of that day. ``nextAllowedAt`` (epoch ms): the moment itself when allowed; else the
    first moment no DNC row blocks any more and the calling hours allow; null when a permanent
    row blocks (it never will be allowed)."""
    zone = ZoneInfo(client.time_zone)
    # A decision depends on the service, the zip, the phone's area code (its first three
    # digits: phones here are ten) and the moment: a batch repeats few of those. Each is made
    # once, with its answer's local time and zone as they are written.
    decided: dict[tuple, tuple] = {}

    def hours_at(contact: Contact, phone: str, moment: datetime) -> tuple:
        key = (contact.service_id, contact.zip, phone[:3], moment)
        known = decided.get(key)
        if known is None:
            hours = plan.decide(contact.service_id, zip=contact.zip, phone=phone, at=moment)
            known = decided[key] = (hours, hours.local_time.isoformat(), hours.time_zone)
        return known

    dnc = _dnc_of_every_ask(client, asks, zone)
    # (Deciding the calling hours in a second thread while the lists are read was slower: the
    # two threads' Python shared the GIL, and each of psycopg's waits for the server came back
    # to it a switch interval late.)
    every_hours = [hours_at(contact, _callee_phone(contact), at) for contact, at in asks]

    answers = []
    millis: dict[datetime, int] = {}
    for (contact, at), blocking, (hours, local_time, time_zone) in zip(
        asks, dnc, every_hours, strict=True
    ):
        timed = contact.channel != Channel.EMAIL
        hours_reasons = hours.reasons if timed else []
        allowed = not blocking and (hours.allowed or not timed)
        if allowed:
            next_ms = millis.get(at)
            if next_ms is None:
                next_ms = millis[at] = epoch_ms(at)
        elif blocking:
            next_at = dnc_allowed_again(blocking, zone)
            if next_at is not None and timed:
                next_at = hours_at(contact, _callee_phone(contact), next_at)[0].next_allowed_at
            next_ms = epoch_ms(next_at)
        else:
            next_ms = epoch_ms(hours.next_allowed_at)
        answers.append(
            {
                "allowed": allowed,
                "reasons": [*map(_dnc_reason, blocking), *hours_reasons]
                if blocking or hours_reasons
                else [],
                "localTime": local_time,
                "timeZone": time_zone,
                "nextAllowedAt": next_ms,
            }
        )
    return answers
