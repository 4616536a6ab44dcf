"""The dialing-profile and zipAreaMatch bodies, read once: lenient about form (numbers and
booleans as strings, enums in any case, unknown keys ignored; wire-notes section 4), strict
about type. Each function turns a request body into the typed values ``services.py`` and
``selectors.py`` take; a value of the wrong type raises ``InvalidInput`` naming the wire field.
"""

from livevox_site import geography
from livevox_site.errors import InvalidInput
from livevox_site.lenient import body_object, parse_enum, present

from .selectors import MATCH_TYPES


def zip_area_match(data) -> dict:
    """``{areaCode, zipCode, type}``: the codes as numbers or strings (a numeric zip that lost
    its leading zero, 2108, is 02108), ``type`` one of ``DIAL_TIME``/``DIAL_TIME_OPTIMIZED``."""
    data = body_object(data)
    area_code = geography.normalize_area_code(data.get("areaCode"))
    if area_code is None:
        raise InvalidInput("areaCode must be a three-digit area code", field="areaCode")
    zip_code = geography.normalize_zip(data.get("zipCode"))
    if zip_code is None:
        raise InvalidInput("zipCode must be a five-digit zip code", field="zipCode")
    if not present(data.get("type")):
        raise InvalidInput("type is required", field="type")
    match_type = parse_enum(data.get("type"), "type", MATCH_TYPES)
    return {"area_code": area_code, "zip_code": zip_code, "match_type": match_type}
