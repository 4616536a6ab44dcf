"""The DNC lists' values as they arrive (docs/wire.md section 4) and as they are stored and
answered. Plain functions: a bulk request checks 10,000 lines with them (docs/performance.md: a
serializer per line is 35 times slower). Each raises ``InvalidInput`` naming the wire field.

All of the DNC family's reading of requests is here, so views and services never see a body:
the values (phones, emails, accounts, zips, dates), the legacy bulk bodies (``read_*_bulk``:
typed lines and the bad ones by line), the dial-time, email and SMS lists' bodies
(``list_*``), and isBlocked's query (``is_blocked_ask``). The CSV import's and contactCheck's
line checkers (``dnc.rows``, ``dnc.asks``) are built on these.

Phones are hand-normalized rather than parsed with ``phonenumbers``: the rule is narrower than
what that library accepts (it takes letters, extensions and other countries, which a DNC list
must refuse) and isBlocked normalizes on every call, where ``phonenumbers.parse`` costs about
30 times this regex.
"""

import re
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from datetime import date, datetime
from functools import lru_cache
from typing import Any
from zoneinfo import ZoneInfo

from django.core.exceptions import ValidationError
from django.core.validators import EmailValidator
from django.utils import timezone

from livevox_site.bulk import RowError, RowInvalid
from livevox_site.errors import InvalidInput
from livevox_site.lenient import (
    body_object,
    clean_text,
    parse_enum,
    parse_int,
    parse_local_date,
    present,
)

from .models import NO_GROUP, AccountFlag, DncType, DoNotDial, LegacyEntry
from .selectors.checks import CheckInput

# What people put around the digits of a North American number.
_PUNCTUATION = re.compile(r"[\s().\-]+")
_PHONE = re.compile(r"[2-9][0-9]{9}")
# The vendor's legacy entries may hold "*" wildcards (209*******), matched literally.
_LEGACY_PHONE = re.compile(r"[0-9*]{10}")
_ZIP = re.compile(r"([0-9*]{5})(?:-?[0-9]{4})?")
_email = EmailValidator()

ACCOUNT_MAX_LENGTH = LegacyEntry._meta.get_field("account").max_length
assert AccountFlag._meta.get_field("account").max_length == ACCOUNT_MAX_LENGTH
EMAIL_MAX_LENGTH = 254


def parse_phone(value, field: str = "phone", *, wildcards: bool = False) -> str:
    """Ten digits (NANP), from ``+1 (415) 555-3734``, ``415.555.3734``, ``14155553734``...;
    with ``wildcards`` (legacy entries), ``*`` may stand for digits."""
    if type(value) is str and _PHONE.fullmatch(value):
        return value  # already ten digits: most lines of a file or a bulk request
    if isinstance(value, int) and not isinstance(value, bool):
        value = str(value)
    if not isinstance(value, str) or not value.strip():
        raise InvalidInput(f"{field} is required", field=field)
    text = _PUNCTUATION.sub("", value.strip())
    if text.startswith("+1"):
        text = text[2:]
    elif text.startswith("+"):
        raise InvalidInput(f"{field} must be a North American number (+1)", field=field)
    elif len(text) == 11 and text.startswith("1"):
        text = text[1:]
    if _PHONE.fullmatch(text) or (wildcards and "*" in text and _LEGACY_PHONE.fullmatch(text)):
        return text
    if not text.isascii() or not text.replace("*", "").isdigit():
        raise InvalidInput(
            f"{field} may hold only digits, spaces, dashes, dots, parentheses and a leading +1",
            field=field,
        )
    if len(text) != 10:
        raise InvalidInput(f"{field} must be 10 digits", field=field)
    raise InvalidInput(f"{field} must not start with 0 or 1 (no such area code)", field=field)


def parse_email(value, field: str = "email") -> str:
    """A valid address, in lower case: addresses are matched without case."""
    if not isinstance(value, str) or not value.strip():
        raise InvalidInput(f"{field} is required", field=field)
    text = value.strip().lower()
    if len(text) > EMAIL_MAX_LENGTH:
        raise InvalidInput(f"{field} must be at most {EMAIL_MAX_LENGTH} characters", field=field)
    try:
        _email(text)
    except ValidationError:
        raise InvalidInput(f"{field} is not a valid email address", field=field) from None
    return text


def parse_zip(value, field: str = "zip") -> str:
    """A US zip code: five digits (ZIP+4 keeps the first five); a number that lost its leading
    zero (2108) is read back as 02108."""
    if isinstance(value, int) and not isinstance(value, bool) and 0 <= value <= 99999:
        value = f"{value:05d}"
    if not isinstance(value, str) or not value.strip():
        raise InvalidInput(f"{field} is required", field=field)
    found = _ZIP.fullmatch(value.strip())
    if found is None:
        raise InvalidInput(f"{field} must be a 5-digit zip code", field=field)
    return found.group(1)


def parse_account(value, field: str = "account") -> str:
    if isinstance(value, int) and not isinstance(value, bool):
        value = str(value)
    return clean_text(value, field, max_length=ACCOUNT_MAX_LENGTH)


def optional(parse, value, field: str, **kwargs) -> str:
    """``parse(value)``, or "" when the value is absent (null, missing or blank)."""
    return parse(value, field, **kwargs) if present(value) else ""


def parse_expiration(value, field: str, *, zone: ZoneInfo) -> date | None:
    """An expiration date (docs/wire.md section 9): the site's one rule for a local date
    (``lenient.parse_local_date``) in the client's time zone."""
    return parse_local_date(value, field, zone=zone)


def expiration_ms(day: date | None, zone: ZoneInfo) -> int | None:
    """A date on output: epoch ms of its midnight in the client's time zone."""
    if day is None:
        return None
    return int(datetime(day.year, day.month, day.day, tzinfo=zone).timestamp() * 1000)


@lru_cache(maxsize=64)
def zone_of(name: str) -> ZoneInfo:
    """A client's time zone by name, built once per process."""
    return ZoneInfo(name)


def local_today(zone: ZoneInfo) -> date:
    """Today in the client's time zone: entries whose last blocking day is before it no longer
    block."""
    return timezone.now().astimezone(zone).date()


# --- the legacy bulk bodies (docs/wire.md section 6) -----------------------------------------

# The most lines one bulk request may carry (the vendor's cap, every bulk method).
MAX_BULK_LINES = 10_000
# A phone's position on an account (a dialing strategy's dialingSequenceItem positions).
MAX_ORDINAL = 10
# The bulk "block" values: the two types, or NONE (remove).
BLOCKS = [DncType.PERMANENT, DncType.DAILY, DoNotDial.NONE]


@dataclass(frozen=True, slots=True)
class PhoneLine:
    """A Multiple Phone DNC line: a phone (the vendor's * wildcards kept) and its services
    (none: the client-level entry)."""

    phone: str
    service_ids: tuple[int, ...]


@dataclass(frozen=True, slots=True)
class AccountLine:
    """A Multiple Account DND line: an account and what to do with its flag."""

    account: str
    block: str


@dataclass(frozen=True, slots=True)
class AccountPhoneLine:
    """A Multiple Account+Phone DND line: one phone of an account and what to do with it."""

    account: str
    phone: str
    block: str


@dataclass(frozen=True)
class ReadLines:
    """A bulk body's lines as read: how many it held, the good ones ``(line, value)`` in the
    order sent, and the others by line with the reason (lines count from 1)."""

    received: int
    lines: list[tuple[int, Any]]
    errors: list[RowError]


def _entries(body: Mapping, key: str) -> list:
    entries = body.get(key)
    if entries is None:
        raise InvalidInput(f"{key} is required", field=key)
    if not isinstance(entries, list):
        raise InvalidInput(f"{key} must be a list", field=key)
    return entries


def _too_many(count: int) -> None:
    if count > MAX_BULK_LINES:
        raise InvalidInput(f"At most {MAX_BULK_LINES} lines per request (this one has {count})")


def _object(raw: Any, what: str) -> Mapping:
    if not isinstance(raw, Mapping):
        raise RowInvalid(f"{what} must be a JSON object")
    return raw


def _row_invalid(parse: Callable, *args, **kwargs) -> Any:
    try:
        return parse(*args, **kwargs)
    except InvalidInput as exc:
        raise RowInvalid(exc.message) from None


def _block(value: Any, field_name: str) -> str:
    return _row_invalid(parse_enum, value, field_name, BLOCKS)


def _read(numbered_lines: Iterable[tuple[int, Any]], read: Callable[[Any], Any]) -> ReadLines:
    lines, errors, received = [], [], 0
    for line, raw in numbered_lines:
        received += 1
        try:
            lines.append((line, read(raw)))
        except RowInvalid as exc:
            errors.append(RowError(line, exc.reason))
        except InvalidInput as exc:
            errors.append(RowError(line, exc.message))
    return ReadLines(received, lines, errors)


def _service_refs(raw: Mapping, services: frozenset[int]) -> tuple[int, ...]:
    """A phone line's ``service: [{"id"}]`` (plain ids too); empty or absent: client-level.
    Each must be one of the client's ``services``."""
    refs = raw.get("service")
    if not present(refs) or refs == []:
        return ()
    if not isinstance(refs, list):
        refs = [refs]
    found = []
    for ref in refs:
        value = ref.get("id") if isinstance(ref, Mapping) else ref
        service_id = _row_invalid(parse_int, value, "service.id", min_value=1)
        if service_id not in services:
            raise RowInvalid(f"service: no service {service_id} in this client")
        found.append(service_id)
    return tuple(dict.fromkeys(found))


def read_phone_bulk(body: Any, services: frozenset[int]) -> tuple[str, ReadLines]:
    """Multiple Phone DNC: ``{"block", "phoneDncEntry": [{"phone", "service": [{"id"}]}]}``;
    ``services`` are the client's (a line naming another is a bad line)."""
    body = body_object(body)
    entries = _entries(body, "phoneDncEntry")
    _too_many(len(entries))
    if not present(body.get("block")):
        raise InvalidInput("block is required", field="block")
    block = parse_enum(body.get("block"), "block", BLOCKS)

    def read(raw: Any) -> PhoneLine:
        raw = _object(raw, "an entry")
        phone = _row_invalid(parse_phone, raw.get("phone"), "phone", wildcards=True)
        return PhoneLine(phone, _service_refs(raw, services))

    return block, _read(enumerate(entries, start=1), read)


def read_account_bulk(body: Any) -> ReadLines:
    """Multiple Account DND: ``{"accountDndEntry": [{"account", "block"}]}``."""
    entries = _entries(body_object(body), "accountDndEntry")
    _too_many(len(entries))

    def read(raw: Any) -> AccountLine:
        raw = _object(raw, "an entry")
        account = _row_invalid(parse_account, raw.get("account"), "account")
        if not present(raw.get("block")):
            raise RowInvalid("block is required")
        return AccountLine(account, _block(raw.get("block"), "block"))

    return _read(enumerate(entries, start=1), read)


def account_phone_lines(entries: list) -> list[tuple[int, Any]]:
    """Multiple Account+Phone DND's lines: each phone of each account is a line, numbered from
    1 in the order sent across the accounts; an account entry that is not an object, or names
    no phones, is one (failed) line of its own."""
    lines: list[tuple[int, Any]] = []
    for entry in entries:
        phones = entry.get("phones") if isinstance(entry, Mapping) else None
        if not isinstance(phones, list) or not phones:
            lines.append((len(lines) + 1, (entry, None)))
            continue
        for phone in phones:
            lines.append((len(lines) + 1, (entry, phone)))
    return lines


def read_account_phone_bulk(body: Any) -> ReadLines:
    """Multiple Account+Phone DND: ``{"accountPhoneDndEntry": [{"account", "phones":
    [{"phone", "ordinal", "phoneBlock"}]}]}``, a line per phone (``account_phone_lines``).
    ``ordinal`` (1-10, the phone's position on the account) is checked, not kept."""
    numbered_lines = account_phone_lines(_entries(body_object(body), "accountPhoneDndEntry"))
    _too_many(len(numbered_lines))

    def read(pair: tuple[Any, Any]) -> AccountPhoneLine:
        entry, raw = pair
        entry = _object(entry, "an account entry")
        account = _row_invalid(parse_account, entry.get("account"), "account")
        if raw is None:
            raise RowInvalid("phones: at least one phone is required")
        raw = _object(raw, "a phone")
        phone = _row_invalid(parse_phone, raw.get("phone"), "phone", wildcards=True)
        if not present(raw.get("ordinal")):
            raise RowInvalid("ordinal is required")
        _row_invalid(parse_int, raw.get("ordinal"), "ordinal", min_value=1, max_value=MAX_ORDINAL)
        if not present(raw.get("phoneBlock")):
            raise RowInvalid("phoneBlock is required")
        return AccountPhoneLine(account, phone, _block(raw.get("phoneBlock"), "phoneBlock"))

    return _read(numbered_lines, read)


# --- the dial-time, email and SMS lists' bodies (docs/wire.md section 9) ----------------------

# list name -> (wire key of the value, parser of the value)
LIST_VALUES = {
    "dialtime": ("phone", parse_phone),
    "email": ("email", parse_email),
    "sms": ("sms", parse_phone),
}


def list_group_id(value: Any) -> int:
    """``contactGroupId``: a whole number ("1320" too); absent, null, "" or 0: no group."""
    if not present(value):
        return NO_GROUP
    return parse_int(value, "contactGroupId", min_value=0)


def list_value(body: Mapping, list_name: str) -> str:
    key, parse = LIST_VALUES[list_name]
    return parse(body.get(key), key)


def list_create_args(data: Any, *, list_name: str, zone) -> dict:
    """Create's body -> ``list_entry_create``'s keyword arguments."""
    body = body_object(data)
    return {
        "value": list_value(body, list_name),
        "contact_group_id": list_group_id(body.get("contactGroupId")),
        "expiration_date": parse_expiration(
            body.get("expirationDate"), "expirationDate", zone=zone
        ),
    }


def list_update_args(data: Any, *, list_name: str, zone) -> dict:
    """Update's body -> ``list_entry_update``'s keyword arguments: the value is required;
    ``contactGroupId`` and ``expirationDate`` absent keep what the entry has, null or "" clear
    it."""
    body = body_object(data)
    changes: dict = {"value": list_value(body, list_name)}
    if "contactGroupId" in body:
        changes["contact_group_id"] = list_group_id(body["contactGroupId"])
    if "expirationDate" in body:
        expires: date | None = parse_expiration(body["expirationDate"], "expirationDate", zone=zone)
        changes["expiration_date"] = expires
        changes["clear_expiration"] = expires is None
    return changes


def list_bulk_entries(data: Any) -> list:
    """Create Multiple's ``dncEntries``: a list (its lines are checked one by one later)."""
    body = body_object(data)
    entries = body.get("dncEntries")
    if not isinstance(entries, list):
        raise InvalidInput("dncEntries must be a list of entries", field="dncEntries")
    return entries  # how many it may hold is the service's rule (MAX_BULK_LINES)


def list_search_filter(data: Any) -> Mapping:
    """Find Matching's filter: under ``"filter"``, or the body itself (the spec's dial-time
    example sends ``{"phone": ...}`` at the top level)."""
    body = body_object(data)
    found = body.get("filter")
    if found is None:
        return body
    if not isinstance(found, dict):
        raise InvalidInput("filter must be a JSON object", field="filter")
    return found


# --- isBlocked's query ------------------------------------------------------------------------


def is_blocked_ask(params: dict[str, str]) -> CheckInput:
    """The query of isBlocked (names already lower-cased, empty values dropped)."""
    if "service" not in params:
        raise InvalidInput("service is required", field="service")
    service_id = parse_int(params["service"], "service", min_value=1)
    check = CheckInput(
        service_id=service_id,
        # The spec: a legacy entry such as 209******* is found by asking for 209*******.
        phone=optional(parse_phone, params.get("phone"), "phone", wildcards=True),
        account=optional(parse_account, params.get("account"), "account"),
        zip=optional(parse_zip, params.get("zip"), "zip"),
    )
    if not (check.phone or check.account or check.zip):
        raise InvalidInput("At least one of phone, account or zip is required")
    return check
