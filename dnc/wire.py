"""The DNC lists' values as they arrive (docs/wire.md section 4) and as they are stored and
answered. Plain functions: a bulk request checks 10,000 lines with them (docs/performance.md: a
serializer per line is 35 times slower). Each raises ``InvalidInput`` naming the wire field.

Phones are hand-normalized rather than parsed with ``phonenumbers``: the rule is narrower than
what that library accepts (it takes letters, extensions and other countries, which a DNC list
must refuse) and isBlocked normalizes on every call, where ``phonenumbers.parse`` costs about
30 times this regex.
"""

import re
from datetime import date, datetime
from functools import lru_cache
from zoneinfo import ZoneInfo

from django.core.exceptions import ValidationError
from django.core.validators import EmailValidator
from django.utils import timezone

from livevox_site.errors import InvalidInput
from livevox_site.lenient import clean_text, parse_local_date, present

from .models import AccountFlag, LegacyEntry

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
