"""Dialing-policy times: local times of day in the client's time zone (docs/wire.md section 9).

Input, any of: "HH:MM" or "HH:MM:SS"; epoch seconds; epoch milliseconds (numbers or strings).
An instant is read as the time of day it shows in the client's zone on its own date, so
"1391184000" (2014-01-31 16:00 UTC) is 11:00 for a client in America/New_York, and an instant
in July is read with that date's daylight-saving offset.

Which numbers are seconds and which milliseconds: at least 10^11 is milliseconds (10^11
seconds is the year 5138); below two days' worth of milliseconds (172,800,000, within ±) is
milliseconds too, because that is the range of our own answers (a time of day on 1970-01-01,
which a client may send back); anything between is seconds (1975 to 5138).

Output: epoch milliseconds of that time of day on 1970-01-01 in the client's zone, so 09:00
in America/New_York (then on standard time, UTC-5) reads 50400000.
"""

import re
from datetime import UTC, date, datetime, time
from zoneinfo import ZoneInfo

from livevox_site.errors import InvalidInput

_CLOCK = re.compile(r"([01]?[0-9]|2[0-3]):([0-5][0-9])(?::([0-5][0-9]))?")
_NUMBER = re.compile(r"[+-]?[0-9]+")
_MS_FROM = 10**11
_OWN_RANGE_MS = 2 * 24 * 3600 * 1000
_EPOCH_DAY = date(1970, 1, 1)


def time_of_day(value, field: str, *, zone: str) -> time | None:
    """The local time of day ``value`` names in ``zone``; None for null or empty."""
    if value is None or (isinstance(value, str) and not value.strip()):
        return None
    if isinstance(value, str):
        text = value.strip()
        clock = _CLOCK.fullmatch(text) if text.isascii() else None
        if clock:
            hours, minutes, seconds = clock.groups()
            return time(int(hours), int(minutes), int(seconds or 0))
        if not (text.isascii() and _NUMBER.fullmatch(text)):
            raise InvalidInput(f"{field} must be HH:MM or epoch milliseconds", field=field)
        number = int(text)
    elif isinstance(value, int) and not isinstance(value, bool):
        number = value
    elif isinstance(value, float) and value.is_integer():
        number = int(value)
    else:
        raise InvalidInput(f"{field} must be HH:MM or epoch milliseconds", field=field)
    millis = number if abs(number) >= _MS_FROM or abs(number) < _OWN_RANGE_MS else number * 1000
    try:
        moment = datetime.fromtimestamp(millis / 1000, tz=UTC)
    except (OverflowError, OSError, ValueError):
        raise InvalidInput(f"{field} is out of range", field=field) from None
    return moment.astimezone(ZoneInfo(zone)).time().replace(microsecond=0)


def epoch_ms_of_day(value: time | None, *, zone: str) -> int | None:
    """``value`` on 1970-01-01 in ``zone``, as epoch milliseconds; None stays None."""
    if value is None:
        return None
    local = datetime.combine(_EPOCH_DAY, value, tzinfo=ZoneInfo(zone))
    return int(local.timestamp()) * 1000


def date_ms(day: date | None, *, zone: str) -> int | None:
    """A date on output (docs/wire.md section 9): epoch ms of its midnight in ``zone``."""
    if day is None:
        return None
    return int(datetime.combine(day, time.min, tzinfo=ZoneInfo(zone)).timestamp()) * 1000
