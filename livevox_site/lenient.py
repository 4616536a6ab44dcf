"""Lenient input (docs/wire.md section 4), done once: real LiveVox clients send booleans and
numbers as strings, enums in any case, dates in four forms, empty query values and query names
in any case. Every parser raises ``InvalidInput`` naming the field."""

import codecs
import io
import re
import unicodedata
from datetime import UTC, date, datetime, time
from zoneinfo import ZoneInfo

from django.utils.dateparse import parse_datetime
from rest_framework.exceptions import ParseError
from rest_framework.parsers import JSONParser as DRFJSONParser
from rest_framework.parsers import get_encoding

from .errors import InvalidInput

# A .NET client's DateTime.MinValue: "no date".
DOTNET_NO_DATE = -62135596800000

# ASCII digits only: \d would also take "\u0663" (Arabic-Indic three) and other scripts' digits.
_INT_RE = re.compile(r"[+-]?[0-9]+")


# Whole numbers are stored in 32-bit columns unless a caller allows more.
MAX_INT = 2**31 - 1


# Deeper bodies are refused: no wire body nests more than a few levels, and walking (or
# rendering) a deep one costs recursion that a client should not control.
MAX_JSON_DEPTH = 32

# NUL: PostgreSQL cannot store it. A lone surrogate (a "\ud800" escape) cannot be encoded as
# UTF-8, so no database can store it and no answer echoing it can be rendered.
_UNSTORABLE = re.compile("[\x00\ud800-\udfff]")


def _check_string(value: str) -> None:
    found = _UNSTORABLE.search(value)
    if found is None:
        return
    if found.group() == "\x00":
        raise ParseError("strings may not contain NUL characters")
    raise ParseError("strings must be valid Unicode (a lone surrogate cannot be stored)")


def _check_parsed(data, *, strings: bool = True) -> None:
    """One walk over a parsed body, level by level instead of recursion: depth, then every key
    and string value (unless ``strings`` is False: none can hold what is refused). (A level at
    a time, without a generator per container: a 50,000-item batch body is walked in a
    fraction of the time a per-child stack took.)"""
    level = [data]
    depth = 1
    while level:
        below: list = []
        for value in level:
            kind = type(value)
            if kind is str:
                if strings:
                    _check_string(value)
            elif kind is dict:
                if depth > MAX_JSON_DEPTH:
                    raise ParseError(f"JSON may nest at most {MAX_JSON_DEPTH} levels deep")
                below.extend(value)
                below.extend(value.values())
            elif kind is list:
                if depth > MAX_JSON_DEPTH:
                    raise ParseError(f"JSON may nest at most {MAX_JSON_DEPTH} levels deep")
                below.extend(value)
        level = below
        depth += 1


class JSONParser(DRFJSONParser):
    """JSON nested at most ``MAX_JSON_DEPTH`` levels whose strings (keys too) hold neither
    NUL nor a lone surrogate: anything else is a 400, not a database or rendering error."""

    def parse(self, stream, media_type=None, parser_context=None):
        raw = stream.read()
        try:
            data = super().parse(io.BytesIO(raw), media_type, parser_context)
        except RecursionError:
            # The C decoder gives up long before our limit matters; same answer.
            raise ParseError(f"JSON may nest at most {MAX_JSON_DEPTH} levels deep") from None
        # In UTF-8 JSON a NUL or a lone surrogate can only come from a \u escape (the decoder
        # refuses raw control characters, UTF-8 cannot encode a surrogate): without one, the
        # strings need no look (a tenth of a second on a 50,000-item batch).
        utf8 = codecs.lookup(get_encoding(parser_context or {})).name == "utf-8"
        _check_parsed(data, strings=not utf8 or b"\\u" in raw)
        return data


class PlainTextJSONParser(JSONParser):
    """Some clients post JSON as text/plain."""

    media_type = "text/plain"


def query(request) -> dict[str, str]:
    """Query parameters with lower-cased names and empty values dropped (cached on the request).

    A name given twice with values, in any case (``client=1&Client=2``), is ambiguous: 400. No
    wire method takes a repeated parameter; empty values are dropped first, so ``client=&client=1``
    is fine."""
    cached = getattr(request, "_lv_query", None)
    if cached is None:
        params = getattr(request, "query_params", None) or request.GET
        found: dict[str, str] = {}
        for name, values in params.lists():
            key = name.lower()
            for value in values:
                if value.strip() == "":
                    continue
                if key in found:
                    raise InvalidInput(f"{key} may be given only once", field=key)
                found[key] = value.strip()
        request._lv_query = cached = found
    return cached


def body_object(data) -> dict:
    """The request body as a JSON object (an empty body counts as {})."""
    if data is None or data == "":
        return {}
    if not isinstance(data, dict):
        raise InvalidInput("The request body must be a JSON object")
    return data


def present(value) -> bool:
    if value is None or value == "":
        return False
    return not (isinstance(value, str) and value.isspace())


# Unicode category Cc: C0 controls, DEL and C1 controls.
_CONTROL = re.compile("[\x00-\x1f\x7f-\x9f]")
_SURROGATE = re.compile("[\ud800-\udfff]")


def clean_text(value, field: str, *, max_length: int) -> str:
    """A name as it is stored and compared: NFC-normalized (so "Cafe\\u0301" and "Caf\\u00e9"
    are one name), stripped, at most ``max_length`` characters after both, without control
    characters or lone surrogates."""
    if not present(value):
        raise InvalidInput(f"{field} is required", field=field)
    if not isinstance(value, str):
        raise InvalidInput(f"{field} must be a string", field=field)
    if _SURROGATE.search(value):
        raise InvalidInput(f"{field} may not contain a lone surrogate", field=field)
    text = unicodedata.normalize("NFC", value).strip()
    if _CONTROL.search(text):
        raise InvalidInput(f"{field} may not contain control characters", field=field)
    if len(text) > max_length:
        raise InvalidInput(f"{field} must be at most {max_length} characters", field=field)
    return text


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
    elif isinstance(value, str) and _INT_RE.fullmatch(value.strip()):
        number = int(value.strip())
    else:
        raise InvalidInput(f"{field} must be a whole number", field=field)
    if min_value is not None and number < min_value:
        raise InvalidInput(f"{field} must be {min_value} or more", field=field)
    if max_value is not None and number > max_value:
        raise InvalidInput(f"{field} must be {max_value} or less", field=field)
    return number


_ENUM_SEPARATORS = re.compile(r"[\s_-]")


def _enum_key(value: str) -> str:
    return _ENUM_SEPARATORS.sub("", value).upper()


def parse_enum(value, field: str, choices) -> str:
    """Case- and underscore-insensitive: "DialTime" means DIAL_TIME. ``choices`` differ in
    more than case and underscores (a value spelled as one of them is that one)."""
    if isinstance(value, str):
        if value in choices:
            return value  # as spelled: most lines of a bulk request or a file
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
    if isinstance(value, int | float) or (
        isinstance(value, str) and _INT_RE.fullmatch(value.strip())
    ):
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


_ISO_DAY = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}")


def parse_local_date(value, field: str, *, zone: ZoneInfo | str) -> date | None:
    """A date as the vendor's clients send one (docs/wire.md sections 4 and 9): ``yyyy-MM-dd``
    is that day; an instant (epoch ms, ISO 8601) is the day it falls on in ``zone`` (the
    client's time zone); the .NET "no date" and empty values are None."""
    if isinstance(value, str) and _ISO_DAY.fullmatch(value.strip()):
        try:
            return date.fromisoformat(value.strip())
        except ValueError:
            raise InvalidInput(f"{field} is not a date", field=field) from None
    moment = parse_date(value, field)
    if moment is None:
        return None
    try:
        return moment.astimezone(zone if isinstance(zone, ZoneInfo) else ZoneInfo(zone)).date()
    except (OverflowError, ValueError):
        raise InvalidInput(f"{field} is not a date", field=field) from None


def epoch_ms(moment: datetime | None) -> int | None:
    """Dates on output: milliseconds since 1970-01-01 UTC."""
    if moment is None:
        return None
    return int(moment.timestamp() * 1000)
