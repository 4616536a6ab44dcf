"""Lenient input (wire-notes section 4), done once: real LiveVox clients send booleans and
numbers as strings, enums in any case, dates in four forms, empty query values and query names
in any case. Every parser raises ``InvalidInput`` naming the field."""

import re
from datetime import UTC, date, datetime, time

from django.utils.dateparse import parse_datetime
from rest_framework.exceptions import ParseError
from rest_framework.parsers import JSONParser as DRFJSONParser

from .errors import InvalidInput

# A .NET client's DateTime.MinValue: "no date".
DOTNET_NO_DATE = -62135596800000

_INT_RE = re.compile(r"^[+-]?\d+$")


# Whole numbers are stored in 32-bit columns unless a caller allows more.
MAX_INT = 2**31 - 1


def _has_nul(value) -> bool:
    if isinstance(value, str):
        return "\x00" in value
    if isinstance(value, dict):
        return any(_has_nul(k) or _has_nul(v) for k, v in value.items())
    if isinstance(value, list):
        return any(_has_nul(v) for v in value)
    return False


class JSONParser(DRFJSONParser):
    """JSON whose strings hold no NUL character (PostgreSQL cannot store one)."""

    def parse(self, stream, media_type=None, parser_context=None):
        data = super().parse(stream, media_type, parser_context)
        if _has_nul(data):
            raise ParseError("strings may not contain NUL characters")
        return data


class PlainTextJSONParser(JSONParser):
    """Some clients post JSON as text/plain."""

    media_type = "text/plain"


def query(request) -> dict[str, str]:
    """Query parameters with lower-cased names and empty values dropped (cached on the request)."""
    cached = getattr(request, "_lv_query", None)
    if cached is None:
        params = getattr(request, "query_params", None) or request.GET
        cached = {}
        for name, value in params.items():
            if value.strip() != "":
                cached.setdefault(name.lower(), value.strip())
        request._lv_query = cached
    return cached


def body_object(data) -> dict:
    """The request body as a JSON object (an empty body counts as {})."""
    if data is None or data == "":
        return {}
    if not isinstance(data, dict):
        raise InvalidInput("The request body must be a JSON object")
    return data


def present(value) -> bool:
    return value is not None and not (isinstance(value, str) and value.strip() == "")


def parse_bool(value, field: str) -> bool:
    if isinstance(value, bool):
        return value
    if isinstance(value, str) and value.strip().lower() in ("true", "false"):
        return value.strip().lower() == "true"
    raise InvalidInput(f"{field} must be true or false", field=field)


def parse_int(
    value, field: str, *, min_value: int | None = None, max_value: int | None = MAX_INT
) -> int:
    if isinstance(value, bool):
        raise InvalidInput(f"{field} must be a whole number", field=field)
    if isinstance(value, int):
        number = value
    elif isinstance(value, float) and value.is_integer():
        number = int(value)
    elif isinstance(value, str) and _INT_RE.match(value.strip()):
        number = int(value.strip())
    else:
        raise InvalidInput(f"{field} must be a whole number", field=field)
    if min_value is not None and number < min_value:
        raise InvalidInput(f"{field} must be {min_value} or more", field=field)
    if max_value is not None and number > max_value:
        raise InvalidInput(f"{field} must be {max_value} or less", field=field)
    return number


def _enum_key(value: str) -> str:
    return re.sub(r"[\s_-]", "", value).upper()


def parse_enum(value, field: str, choices) -> str:
    """Case- and underscore-insensitive: "DialTime" means DIAL_TIME."""
    if isinstance(value, str):
        wanted = _enum_key(value)
        for choice in choices:
            if _enum_key(choice) == wanted:
                return choice
    raise InvalidInput(f"{field} must be one of {', '.join(choices)}", field=field)


def parse_date(value, field: str) -> datetime | None:
    """Epoch-ms number or string, yyyy-MM-dd, or ISO-8601; the .NET "no date" and empty
    values mean None. Naive values are taken as UTC."""
    if not present(value):
        return None
    if isinstance(value, bool):
        raise InvalidInput(f"{field} is not a date", field=field)
    if isinstance(value, int | float) or (isinstance(value, str) and _INT_RE.match(value.strip())):
        millis = int(float(value))
        if millis == DOTNET_NO_DATE:
            return None
        try:
            return datetime.fromtimestamp(millis / 1000, tz=UTC)
        except (OverflowError, OSError, ValueError):
            raise InvalidInput(f"{field} is not a date", field=field) from None
    if isinstance(value, str):
        text = value.strip()
        try:
            if len(text) == 10:
                return datetime.combine(date.fromisoformat(text), time(), tzinfo=UTC)
            parsed = parse_datetime(text.replace("Z", "+00:00"))
        except ValueError:
            parsed = None
        if parsed is not None:
            return parsed if parsed.tzinfo else parsed.replace(tzinfo=UTC)
    raise InvalidInput(f"{field} is not a date", field=field)


def epoch_ms(moment: datetime | None) -> int | None:
    """Dates on output: milliseconds since 1970-01-01 UTC."""
    if moment is None:
        return None
    return int(moment.timestamp() * 1000)
