"""Reads of the profiles app: zipAreaMatch."""

from livevox_site import geography

DIAL_TIME = "DIAL_TIME"
DIAL_TIME_OPTIMIZED = "DIAL_TIME_OPTIMIZED"
MATCH_TYPES = (DIAL_TIME, DIAL_TIME_OPTIMIZED)


def zip_area_match(*, area_code: str, zip_code: str, match_type: str) -> bool:
    """Whether an area code and a zip code "match" (both already well-formed: 3 and 5 digits).

    ``DIAL_TIME``: the area code serves the zip code's area (the zip data lists it).
    ``DIAL_TIME_OPTIMIZED``: that, or one of the area code's zones keeps the same clock as the
    zip code's zone (compared by rules, not names: America/Detroit keeps New York's time).
    An unknown zip or area code matches nothing.
    """
    if geography.area_code_serves_zip(area_code, zip_code):
        return True
    if match_type != DIAL_TIME_OPTIMIZED:
        return False
    place = geography.zip_info(zip_code)
    area = geography.area_code_info(area_code)
    if place is None or area is None or place.time_zone is None:
        return False
    return any(geography.same_clock(zone, place.time_zone) for zone in area.time_zones)
