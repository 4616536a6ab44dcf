"""The Configuration API's dialing-strategy bodies, read once: lenient about form (numbers and
booleans as strings, ``[{"id": N}]`` or bare ids, unknown keys ignored; docs/wire.md section 4),
strict about type. Each function turns a request body into the typed values that
``services.py`` takes; a value of the wrong type raises ``InvalidInput`` naming the wire field.
Business rules (unique names, distinct positions, known results) are the services' own.
"""

from livevox_site.errors import EntryNotFound, InvalidInput
from livevox_site.lenient import MAX_INT, body_object, clean_text, parse_bool, parse_int, present

from .services import NAME_MAX_LENGTH, OutcomeChanges, OutcomeSettings

# Service parameter -> wire field, for the rule violations services report
# (``TenantViewSet.wire_field_names``).
WIRE_FIELDS = {
    "name": "name",
    "dialing_sequence": "dialingSequenceItem",
    "service_ids": "service",
    "outcomes": "outcomeItem",
    "result_id": "lvResultId",
    "dial_another_number": "dialAnotherNumber",
    "max_number_of_retries": "maxNumberOfRetries",
    "retry_delay": "retryDelay",
    "requeue": "requeue",
}
_FLAGS = {"dialAnotherNumber": "dial_another_number", "requeue": "requeue"}
_COUNTS = {"maxNumberOfRetries": "max_number_of_retries", "retryDelay": "retry_delay"}


def path_id(value) -> int:
    """An id in a path; anything that cannot be one is simply not found."""
    try:
        return parse_int(value, "id", min_value=1)
    except InvalidInput:
        raise EntryNotFound() from None


def _name(data: dict) -> str:
    return clean_text(data.get("name"), "name", max_length=NAME_MAX_LENGTH)


def _dialing_sequence(value) -> list[int]:
    field = "dialingSequenceItem"
    if value is None:
        raise InvalidInput(f"{field} is required", field=field)
    if not isinstance(value, list) or not value:
        raise InvalidInput(f"{field} must be a non-empty list of phone positions", field=field)
    positions = []
    for item in value:
        try:
            positions.append(parse_int(item, field, min_value=1, max_value=None))
        except InvalidInput:
            raise InvalidInput(
                f"{field} must hold whole numbers of 1 or more, not {item!r}", field=field
            ) from None
    return positions


def _service_ids(value) -> list[int]:
    # The spec sends [{"id": N}]; a bare id is accepted too.
    field = "service"
    if value is None:
        return []
    if not isinstance(value, list):
        raise InvalidInput(f"{field} must be a list of services", field=field)
    ids = []
    for item in value:
        raw = item.get("id") if isinstance(item, dict) else item
        if raw is None:
            raise InvalidInput(f"{field}: each entry needs an id", field=field)
        ids.append(parse_int(raw, field, min_value=1, max_value=None))
    return ids


def _count(value, field: str) -> int:
    number = parse_int(value, field, min_value=0, max_value=None)
    if number > MAX_INT:
        raise InvalidInput(f"{field} is too large", field=field)
    return number


def _settings(data, prefix: str) -> dict:
    """The flags and counts an outcome body gives (absent or null: not given)."""
    values = {}
    for key, attr in _FLAGS.items():
        if data.get(key) is not None:
            values[attr] = parse_bool(data[key], prefix + key)
    for key, attr in _COUNTS.items():
        if data.get(key) is not None:
            values[attr] = _count(data[key], prefix + key)
    return values


def outcome_settings(data, prefix: str = "") -> OutcomeSettings:
    """A new outcome: ``lvResultId`` required, the other keys false / 0 when absent."""
    if not isinstance(data, dict):
        raise InvalidInput(f"{prefix or 'outcome'} must be an object", field=prefix or "outcome")
    field = f"{prefix}lvResultId"
    if not present(data.get("lvResultId")):
        raise InvalidInput(f"{field} is required", field=field)
    result_id = parse_int(data["lvResultId"], field)
    return OutcomeSettings(result_id=result_id, **_settings(data, prefix))


def outcome_create(body) -> OutcomeSettings:
    """Create Dialing Strategy Outcome."""
    return outcome_settings(body_object(body))


def outcome_changes(body) -> OutcomeChanges:
    """An outcome update: every key optional; ``lvResultId`` is ignored (the API cannot move an
    outcome to another result)."""
    return OutcomeChanges(**_settings(body_object(body), ""))


def strategy_create(body) -> dict:
    """Create Dialing Strategy: the keyword arguments of ``services.strategy_create``."""
    data = body_object(body)
    name = _name(data)
    sequence = _dialing_sequence(data.get("dialingSequenceItem"))
    service_ids = _service_ids(data.get("service"))
    outcomes = data.get("outcomeItem")
    if outcomes is not None and not isinstance(outcomes, list):
        raise InvalidInput("outcomeItem must be a list of outcomes", field="outcomeItem")
    return {
        "name": name,
        "dialing_sequence": sequence,
        "service_ids": service_ids,
        "outcomes": [
            outcome_settings(item, f"outcomeItem[{index}].")
            for index, item in enumerate(outcomes or [])
        ],
    }


def strategy_update(body) -> dict:
    """Update Dialing Strategy: name and/or dialing sequence, each optional."""
    data = body_object(body)
    changes: dict = {}
    if data.get("name") is not None:
        changes["name"] = _name(data)
    if data.get("dialingSequenceItem") is not None:
        changes["dialing_sequence"] = _dialing_sequence(data["dialingSequenceItem"])
    return changes
