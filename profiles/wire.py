"""The dialing-profile and zipAreaMatch bodies, read once: lenient about form (numbers and
booleans as strings, enums in any case, unknown keys ignored; docs/wire.md section 4), strict
about type. Each function turns a request body into the typed values ``services.py`` and
``selectors.py`` take; a value of the wrong type raises ``InvalidInput`` naming the wire field.
"""

import re

from livevox_site import geography
from livevox_site.errors import EntryNotFound, InvalidInput
from livevox_site.lenient import (
    body_object,
    clean_text,
    parse_bool,
    parse_enum,
    parse_int,
    parse_local_date,
    present,
)

from .models import Country, DayOfWeek
from .selectors import MATCH_TYPES
from .services import (
    DESCRIPTION_MAX_LENGTH,
    NAME_MAX_LENGTH,
    BlackoutSettings,
    PolicyChanges,
    PolicySettings,
)
from .times import time_of_day


def _three_digits(value) -> str | None:
    """Any three digits (a number or a string): well-formed. Whether such an area code exists
    is the answer's business ({"result": false}), not a 400."""
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return str(value) if 100 <= value <= 999 else None
    if isinstance(value, str) and len(value.strip()) == 3:
        value = value.strip()
        return value if value.isascii() and value.isdigit() else None
    return None


def zip_area_match(data) -> dict:
    """``{areaCode, zipCode, type}``: the codes as numbers or strings (a numeric zip that lost
    its leading zero, 2108, is 02108), ``type`` one of ``DIAL_TIME``/``DIAL_TIME_OPTIMIZED``."""
    data = body_object(data)
    area_code = _three_digits(data.get("areaCode"))
    if area_code is None:
        raise InvalidInput("areaCode must be a three-digit area code", field="areaCode")
    zip_code = geography.normalize_zip(data.get("zipCode"))
    if zip_code is None:
        raise InvalidInput("zipCode must be a five-digit zip code", field="zipCode")
    if not present(data.get("type")):
        raise InvalidInput("type is required", field="type")
    match_type = parse_enum(data.get("type"), "type", MATCH_TYPES)
    return {"area_code": area_code, "zip_code": zip_code, "match_type": match_type}


# --- dialing profiles -----------------------------------------------------------------------

# Service parameter -> wire field, for the rule violations services report
# (``TenantViewSet.wire_field_names``).
WIRE_FIELDS = {
    "name": "name",
    "description": "description",
    "policies": "policy",
    "day_of_week": "dayOfWeek",
    "do_not_dial": "doNotDial",
    "do_not_leave_message": "doNotLeaveMessage",
    "country": "country",
    "state": "state",
    "area_code": "areaCode",
    "start_time": "startTime",
    "end_time": "endTime",
    "start_date": "startDate",
    "end_date": "endDate",
    "holiday": "holiday",
    "states": "states",
}
_FLAGS = {"doNotDial": "do_not_dial", "doNotLeaveMessage": "do_not_leave_message"}
# The vendor's country enum, plus the short forms clients send for the US.
_COUNTRY_ALIASES = {"USA": "UNITED_STATES_OF_AMERICA", "US": "UNITED_STATES_OF_AMERICA"}


def path_id(value) -> int:
    """An id in a path; anything that cannot be one is simply not found."""
    try:
        return parse_int(value, "id", min_value=1)
    except InvalidInput:
        raise EntryNotFound() from None


def _text(data: dict, key: str, max_length: int) -> str | None:
    value = data.get(key)
    if value is None:
        return None
    if not isinstance(value, str):
        raise InvalidInput(f"{key} must be a string", field=key)
    if len(value) > max_length * 4:  # far too long before normalizing: the service says so
        raise InvalidInput(f"{key} must be at most {max_length} characters", field=key)
    return value


def _country(value, field: str) -> str | None:
    if not present(value):
        return None
    if isinstance(value, str) and value.strip().upper() in _COUNTRY_ALIASES:
        return _COUNTRY_ALIASES[value.strip().upper()]
    return parse_enum(value, field, Country.values)


def _state(value, field: str) -> str | None:
    if not present(value):
        return None
    if not isinstance(value, str):
        raise InvalidInput(f"{field} must be a two-letter state or province code", field=field)
    return value.strip().upper()


def _area_code(value, field: str) -> str | None:
    if not present(value):
        return None
    area_code = geography.normalize_area_code(value)
    if area_code is None:
        raise InvalidInput(f"{field} must be a three-digit area code", field=field)
    return area_code


def _policy_values(data: dict, prefix: str, zone: str) -> dict:
    """The policy keys present and not null, as service parameters."""
    values: dict = {}
    if present(data.get("dayOfWeek")):
        values["day_of_week"] = parse_enum(
            data["dayOfWeek"], f"{prefix}dayOfWeek", DayOfWeek.values
        )
    for key, attr in _FLAGS.items():
        if present(data.get(key)):
            values[attr] = parse_bool(data[key], f"{prefix}{key}")
    for key, attr, parse in (
        ("country", "country", _country),
        ("state", "state", _state),
        ("areaCode", "area_code", _area_code),
    ):
        parsed = parse(data.get(key), f"{prefix}{key}")
        if parsed is not None:
            values[attr] = parsed
    for key, attr in (("startTime", "start_time"), ("endTime", "end_time")):
        parsed = time_of_day(data.get(key), f"{prefix}{key}", zone=zone)
        if parsed is not None:
            values[attr] = parsed
    return values


def policy_settings(data, *, zone: str, prefix: str = "") -> PolicySettings:
    """A new policy: ``dayOfWeek`` required, the rest optional (null means not given)."""
    data = body_object(data) if not prefix else data
    if not isinstance(data, dict):
        raise InvalidInput(f"{prefix.rstrip('.')} must be an object", field=prefix.rstrip("."))
    values = _policy_values(data, prefix, zone)
    if "day_of_week" not in values:
        raise InvalidInput(f"{prefix}dayOfWeek is required", field=f"{prefix}dayOfWeek")
    return PolicySettings(**values)


def policy_changes(data, *, zone: str) -> PolicyChanges:
    """A partial update: absent or null keys leave their setting unchanged."""
    data = body_object(data)
    values = _policy_values(data, "", zone)
    for key, attr in (("clearAreaCode", "clear_area_code"), ("clearTimeRange", "clear_time_range")):
        if present(data.get(key)):
            values[attr] = parse_bool(data[key], key)
    return PolicyChanges(**values)


def profile_create(data, *, zone: str) -> dict:
    """``{name, description, policy: [...]}``."""
    data = body_object(data)
    name = clean_text(data.get("name"), "name", max_length=NAME_MAX_LENGTH)
    policies = data.get("policy")
    if policies is None:
        policies = []
    if not isinstance(policies, list):
        raise InvalidInput("policy must be a list of policies", field="policy")
    return {
        "name": name,
        "description": _text(data, "description", DESCRIPTION_MAX_LENGTH),
        "policies": [
            policy_settings(item, zone=zone, prefix=f"policy[{index}].")
            for index, item in enumerate(policies)
        ],
    }


def profile_update(data) -> dict:
    """``{name, description}``: either or both; absent or null leaves it unchanged."""
    data = body_object(data)
    changes: dict = {}
    if data.get("name") is not None:
        changes["name"] = clean_text(data.get("name"), "name", max_length=NAME_MAX_LENGTH)
    description = _text(data, "description", DESCRIPTION_MAX_LENGTH)
    if description is not None:
        changes["description"] = description
    return changes


# --- holidays and blackout dates (an extension) ----------------------------------------------

_HOLIDAY_MAX_LENGTH = 100
_MAX_STATES = 100


def _states(value) -> tuple[str, ...]:
    """A list of two-letter codes, or one string of them separated by commas or spaces."""
    if not present(value):
        return ()
    if isinstance(value, str):
        value = [part for part in re.split(r"[\s,;]+", value) if part]
    if not isinstance(value, list) or len(value) > _MAX_STATES:
        raise InvalidInput("states must be a list of state or province codes", field="states")
    for code in value:
        if not isinstance(code, str) or not code.strip():
            raise InvalidInput("states must be a list of state or province codes", field="states")
    return tuple(code.strip().upper() for code in value)


def blackout_settings(data, *, zone: str) -> BlackoutSettings:
    """``{startDate, endDate, holiday, states, doNotDial, startTime, endTime}``: a date (or
    range) or a holiday; without ``doNotDial`` it is do-not-dial unless a window is given."""
    data = body_object(data)
    holiday = data.get("holiday")
    if present(holiday):
        if not isinstance(holiday, str) or len(holiday) > _HOLIDAY_MAX_LENGTH:
            raise InvalidInput("holiday must be a federal holiday's name", field="holiday")
    else:
        holiday = ""
    start_time = time_of_day(data.get("startTime"), "startTime", zone=zone)
    end_time = time_of_day(data.get("endTime"), "endTime", zone=zone)
    if present(data.get("doNotDial")):
        do_not_dial = parse_bool(data["doNotDial"], "doNotDial")
    else:
        do_not_dial = start_time is None and end_time is None
    return BlackoutSettings(
        start_date=parse_local_date(data.get("startDate"), "startDate", zone=zone),
        end_date=parse_local_date(data.get("endDate"), "endDate", zone=zone),
        holiday=holiday,
        states=_states(data.get("states")),
        do_not_dial=do_not_dial,
        start_time=start_time,
        end_time=end_time,
    )
