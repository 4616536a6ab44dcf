"""North American geography: zip codes, area codes, states and provinces, and their time zones.

Where each answer comes from (data shipped inside installed packages; nothing is downloaded at
run time):

- **Zip code** -> state, time zone, area codes: the ``zipcodes`` package (US Postal Service
  zips, including PO box, unique and military ones). A zip whose time zone the data leaves
  empty or misspells (military zips, a handful of others) has ``time_zone`` None.
- **Area code** (NANP, US and Canada) -> states or provinces and time zones: Google's
  libphonenumber data in the ``phonenumbers`` package. Regions come from its English geocoding
  descriptions ("California", "Kaneohe, HI", "Nova Scotia/Prince Edward Island") and, for the
  US territories with their own NANP region (787 Puerto Rico), from its region code; time
  zones are the union of its time-zone table's entries for every prefix of the area code.
  The zip data is the cross-check and the fallback: an area code that libphonenumber knows no
  region or zone for takes the states and zones of the zips that list it.
- **State or province** -> time zones: the zones of the state's zips (``zipcodes``); Canadian
  provinces and territories, which that package does not cover, from the table below.

**Where a callee is** (``locate``): the readings the calling hours are decided in, from a zip
code, else the phone's area code (``area_code_of``), else every state and province (unknown).

Codes are two-letter postal codes: the 50 states, DC, the US territories on the NANP (PR, VI,
GU, AS, MP) and the 13 Canadian provinces and territories. Military (AA, AE, AP) and freely
associated state codes are not regions.

Unknown or malformed input never raises: ``zip_info`` and ``area_code_info`` answer None,
``region_time_zones`` an empty set, the predicates False. ``normalize_zip`` and
``normalize_area_code`` say which input is well-formed (None otherwise): a zip is five ASCII
digits (a number below 10000 lost its leading zeros: 2108 means "02108"; "02108-1234" is
read as "02108"); an area code is three ASCII digits starting 2-9 (numbers accepted).

Everything is built once per process on first use (under two seconds: ``zipcodes``
decompressing its data, libphonenumber's tables, the zones' clocks) and cached; later answers
are dictionary lookups of about a microsecond (``bench/bench_geography.py``).
"""

import re
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from functools import cache, lru_cache
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError, available_timezones

US_STATES = frozenset(
    (
        "AL", "AK", "AZ", "AR", "CA", "CO", "CT", "DE", "FL", "GA", "HI", "ID", "IL", "IN", "IA",
        "KS", "KY", "LA", "ME", "MD", "MA", "MI", "MN", "MS", "MO", "MT", "NE", "NV", "NH", "NJ",
        "NM", "NY", "NC", "ND", "OH", "OK", "OR", "PA", "RI", "SC", "SD", "TN", "TX", "UT", "VT",
        "VA", "WA", "WV", "WI", "WY", "DC", "PR", "VI", "GU", "AS", "MP",
    )
)  # fmt: skip
# Canadian provinces and territories and their zones (zipcodes covers only the US). Several
# provinces straddle zones or keep standard time all year (most of Saskatchewan, parts of BC).
CANADA_ZONES: dict[str, frozenset[str]] = {
    "AB": frozenset({"America/Edmonton"}),
    "BC": frozenset(
        {"America/Vancouver", "America/Creston", "America/Dawson_Creek", "America/Fort_Nelson"}
    ),
    "MB": frozenset({"America/Winnipeg"}),
    "NB": frozenset({"America/Moncton"}),
    "NL": frozenset({"America/St_Johns", "America/Goose_Bay"}),
    "NS": frozenset({"America/Halifax"}),
    "NT": frozenset({"America/Yellowknife", "America/Inuvik"}),
    "NU": frozenset({"America/Iqaluit", "America/Rankin_Inlet", "America/Cambridge_Bay"}),
    "ON": frozenset({"America/Toronto", "America/Winnipeg", "America/Atikokan"}),
    "PE": frozenset({"America/Halifax"}),
    "QC": frozenset({"America/Toronto", "America/Blanc-Sablon"}),
    "SK": frozenset({"America/Regina", "America/Swift_Current"}),
    "YT": frozenset({"America/Whitehorse"}),
}
CANADA_PROVINCES = frozenset(CANADA_ZONES)
REGIONS = US_STATES | CANADA_PROVINCES

# libphonenumber's English descriptions that are not "<full name>" or "<place>, <code>".
_NAMED = {
    "Washington State": ("WA",),
    "Washington D.C.": ("DC",),
    "British Colombia": ("BC",),
    "Nova Scotia/Prince Edward Island": ("NS", "PE"),
    "Northwest Territories/Nunavut/Yukon": ("NT", "NU", "YT"),
    "Puerto Rico": ("PR",),
}
_NAMES = {
    "Alabama": "AL", "Alaska": "AK", "Arizona": "AZ", "Arkansas": "AR", "California": "CA",
    "Colorado": "CO", "Connecticut": "CT", "Delaware": "DE", "Florida": "FL", "Georgia": "GA",
    "Hawaii": "HI", "Idaho": "ID", "Illinois": "IL", "Indiana": "IN", "Iowa": "IA",
    "Kansas": "KS", "Kentucky": "KY", "Louisiana": "LA", "Maine": "ME", "Maryland": "MD",
    "Massachusetts": "MA", "Michigan": "MI", "Minnesota": "MN", "Mississippi": "MS",
    "Missouri": "MO", "Montana": "MT", "Nebraska": "NE", "Nevada": "NV",
    "New Hampshire": "NH", "New Jersey": "NJ", "New Mexico": "NM", "New York": "NY",
    "North Carolina": "NC", "North Dakota": "ND", "Ohio": "OH", "Oklahoma": "OK",
    "Oregon": "OR", "Pennsylvania": "PA", "Rhode Island": "RI", "South Carolina": "SC",
    "South Dakota": "SD", "Tennessee": "TN", "Texas": "TX", "Utah": "UT", "Vermont": "VT",
    "Virginia": "VA", "Washington": "WA", "West Virginia": "WV", "Wisconsin": "WI",
    "Wyoming": "WY", "Alberta": "AB", "British Columbia": "BC", "Manitoba": "MB",
    "New Brunswick": "NB", "Newfoundland and Labrador": "NL", "Nova Scotia": "NS",
    "Ontario": "ON", "Prince Edward Island": "PE", "Quebec": "QC", "Saskatchewan": "SK",
    "Yukon": "YT", "Nunavut": "NU", "Northwest Territories": "NT",
}  # fmt: skip
# libphonenumber region codes of US territories that have their own NANP region.
_TERRITORY_REGIONS = frozenset({"PR", "VI", "GU", "AS", "MP"})
_SUFFIX = re.compile(r", ([A-Z]{2})$")
_ZIP = re.compile(r"[0-9]{5}")
_ZIP_PLUS4 = re.compile(r"([0-9]{5})-[0-9]{4}")
_AREA_CODE = re.compile(r"[2-9][0-9]{2}")


@dataclass(frozen=True, slots=True)
class ZipInfo:
    zip_code: str
    state: str
    time_zone: str | None
    area_codes: frozenset[str]


@dataclass(frozen=True, slots=True)
class AreaCodeInfo:
    area_code: str
    regions: frozenset[str]
    time_zones: frozenset[str]


def normalize_zip(value) -> str | None:
    """Five digits as a string, or None when ``value`` cannot be a zip code."""
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        # A zip sent as a JSON number lost its leading zeros (2108 is Boston's 02108).
        return f"{value:05d}" if 0 <= value <= 99999 else None
    if not isinstance(value, str):
        return None
    value = value.strip()
    if value.isascii() and _ZIP.fullmatch(value):
        return value
    plus4 = _ZIP_PLUS4.fullmatch(value) if value.isascii() else None
    return plus4.group(1) if plus4 else None


def normalize_area_code(value) -> str | None:
    """Three digits as a string (first digit 2-9, as on the NANP), or None."""
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        value = str(value)
    if not isinstance(value, str):
        return None
    value = value.strip()
    return value if value.isascii() and _AREA_CODE.fullmatch(value) else None


def _valid_zone(name: str | None) -> str | None:
    return name if name and name in _zone_names() else None


@cache
def _zone_names() -> frozenset[str]:
    return frozenset(available_timezones())


@cache
def _zips() -> dict[str, ZipInfo]:
    import zipcodes  # decompresses its whole table on import: only when first needed

    return {
        row["zip_code"]: ZipInfo(
            zip_code=row["zip_code"],
            state=row["state"],
            time_zone=_valid_zone(row["timezone"]),
            area_codes=frozenset(row["area_codes"] or ()),
        )
        for row in zipcodes.list_all()
        if row["state"]
    }


def _regions_of_description(description: str) -> tuple[str, ...]:
    if description in _NAMED:
        return _NAMED[description]
    if description in _NAMES:
        return (_NAMES[description],)
    suffix = _SUFFIX.search(description)
    return (suffix.group(1),) if suffix else ()


@cache
def _area_codes() -> dict[str, AreaCodeInfo]:
    import phonenumbers
    from phonenumbers.geodata import GEOCODE_DATA
    from phonenumbers.tzdata import TIMEZONE_DATA

    regions: dict[str, set[str]] = {}
    zones: dict[str, set[str]] = {}
    for prefix, names in GEOCODE_DATA.items():
        if prefix.startswith("1") and len(prefix) >= 4:
            found = _regions_of_description(names.get("en", ""))
            regions.setdefault(prefix[1:4], set()).update(r for r in found if r in REGIONS)
    for prefix, names in TIMEZONE_DATA.items():
        if prefix.startswith("1") and len(prefix) >= 4:
            zones.setdefault(prefix[1:4], set()).update(filter(_valid_zone, names))
    for npa in set(regions) | set(zones):
        if not regions.get(npa):
            # Territories with a region of their own (787 -> PR) have no English description.
            number = phonenumbers.parse(f"+1{npa}2345678")
            region = phonenumbers.region_code_for_number(number)
            if region in _TERRITORY_REGIONS:
                regions[npa] = {region}

    # The zip data: the fallback for area codes libphonenumber does not place.
    zip_regions: dict[str, set[str]] = {}
    zip_zones: dict[str, set[str]] = {}
    for info in _zips().values():
        for npa in info.area_codes:
            if info.state in REGIONS:
                zip_regions.setdefault(npa, set()).add(info.state)
            if info.time_zone:
                zip_zones.setdefault(npa, set()).add(info.time_zone)
    answers = {}
    for npa in set(regions) | set(zip_regions):
        if normalize_area_code(npa) is None:
            continue
        npa_regions = regions.get(npa) or zip_regions.get(npa) or set()
        npa_zones = zones.get(npa) or zip_zones.get(npa) or set()
        npa_zones = _plausible_zones(npa_zones, npa_regions)
        if npa_regions:
            answers[npa] = AreaCodeInfo(npa, frozenset(npa_regions), frozenset(npa_zones))
    return answers


def _plausible_zones(zones: set[str], regions: set[str]) -> set[str]:
    """Drops a zone whose clock none of the area code's regions keeps: libphonenumber lists
    Pacific/Honolulu for one prefix of Alaska's 907, which would make 907 "match" Hawaii."""
    region_zones = set().union(*(_region_zones().get(region, ()) for region in regions))
    kept = {zone for zone in zones if any(same_clock(zone, other) for other in region_zones)}
    return kept or zones


@cache
def _region_zones() -> dict[str, frozenset[str]]:
    found: dict[str, set[str]] = {}
    for info in _zips().values():
        if info.state in US_STATES and info.time_zone:
            found.setdefault(info.state, set()).add(info.time_zone)
    return {**{k: frozenset(v) for k, v in found.items()}, **CANADA_ZONES}


def zip_info(zip_code) -> ZipInfo | None:
    """State, time zone and area codes of a zip code (string or number); None when malformed or
    unknown."""
    normal = normalize_zip(zip_code)
    return _zips().get(normal) if normal else None


def area_code_info(area_code) -> AreaCodeInfo | None:
    """States or provinces and time zones of a US or Canadian area code; None when malformed or
    not a geographic area code of the US or Canada (800, 555, Caribbean codes)."""
    normal = normalize_area_code(area_code)
    return _area_codes().get(normal) if normal else None


def is_region(code) -> bool:
    """True for a US state (with DC and the NANP territories) or Canadian province code."""
    return isinstance(code, str) and code in REGIONS


def region_time_zones(code) -> frozenset[str]:
    """The time zones of a state or province (empty when unknown)."""
    return _region_zones().get(code, frozenset()) if isinstance(code, str) else frozenset()


def area_code_serves_region(area_code, region) -> bool:
    """True when the area code serves (part of) the state or province."""
    info = area_code_info(area_code)
    return info is not None and region in info.regions


def area_code_serves_zip(area_code, zip_code) -> bool:
    """True when the zip data lists the area code for the zip code."""
    info = zip_info(zip_code)
    normal = normalize_area_code(area_code)
    return info is not None and normal is not None and normal in info.area_codes


# Clocks are compared every three hours over two years from the start of the current year:
# every daylight-saving change is seen, and North American zones change at night, hours apart
# from one another's changes only when their offsets differ anyway.
_CLOCK_STEP_HOURS = 3
_CLOCK_STEPS = 2 * 366 * 24 // _CLOCK_STEP_HOURS


@cache
def _clock(zone: str) -> tuple[tuple[int, int], ...] | None:
    """The zone's UTC offsets (seconds) over two years as (step, offset) at each change."""
    try:
        tz = ZoneInfo(zone)
    except (ZoneInfoNotFoundError, ValueError):
        return None
    start = datetime(datetime.now(UTC).year, 1, 1, tzinfo=UTC)
    changes = []
    last = None
    step = timedelta(hours=_CLOCK_STEP_HOURS)
    for index in range(_CLOCK_STEPS):
        offset = int((start + index * step).astimezone(tz).utcoffset().total_seconds())
        if offset != last:
            changes.append((index, offset))
            last = offset
    return tuple(changes)


def same_clock(zone_a: str, zone_b: str) -> bool:
    """True when two zones show the same local time throughout (compared by their rules over
    two years, not by their names: America/Detroit keeps America/New_York's clock, America/Phoenix
    does not keep America/Denver's)."""
    if zone_a == zone_b:
        return _clock(zone_a) is not None
    clock = _clock(zone_a)
    return clock is not None and clock == _clock(zone_b)


def warm() -> None:
    """Build the tables now (about 1.6 s) instead of on a worker's first request; the WSGI entry
    point calls it, so gunicorn workers answer their first zipAreaMatch as fast as the rest."""
    _zips()
    _area_codes()
    _region_zones()


# --- where a callee is: the readings the calling hours are decided in -------------------------

# Regions a callee of unknown location may be in: the states, DC and Canada's provinces (the
# territories have area codes and zips of their own, so their callees are found).
UNKNOWN_REGIONS = tuple(sorted((US_STATES - {"PR", "VI", "GU", "AS", "MP"}) | CANADA_PROVINCES))
_NOT_DIGITS = re.compile(r"[^0-9]")


@dataclass(frozen=True, slots=True)
class Reading:
    """One place the callee may be: a zone, a state or province ("" unknown), an area code."""

    zone: str
    state: str
    area_code: str


@dataclass(frozen=True, slots=True)
class Location:
    readings: tuple[Reading, ...]
    zone: str | None  # the zone shown as the callee's; None: unknown location
    zip_code: str
    area_code: str

    @property
    def known(self) -> bool:
        return self.zone is not None


def area_code_of(phone: str) -> str:
    """The area code of a NANP number in any punctuation ("+1 (415) 555-1212"); "" if none."""
    if not isinstance(phone, str):
        phone = "" if phone is None else str(phone)
    if not (len(phone) == 10 and phone.isascii() and phone.isdigit()):
        phone = _NOT_DIGITS.sub("", phone)
        if len(phone) == 11 and phone[0] == "1":
            phone = phone[1:]
        if len(phone) != 10:
            return ""
    return normalize_area_code(phone[:3]) or ""


def _distinct_clocks(zones) -> list[str]:
    """One zone per clock (America/Detroit keeps New York's time: one reading, not two)."""
    kept: list[str] = []
    for zone in sorted(zones):
        if not any(same_clock(zone, other) for other in kept):
            kept.append(zone)
    return kept


@lru_cache(maxsize=1)
def _zips_per_zone() -> dict[str, dict[str, int]]:
    """Area code -> {zone: how many zips listing it are in that zone}."""
    counts: dict[str, dict[str, int]] = {}
    for info in _zips().values():
        if info.time_zone:
            for npa in info.area_codes:
                per_zone = counts.setdefault(npa, {})
                per_zone[info.time_zone] = per_zone.get(info.time_zone, 0) + 1
    return counts


def _main_zone(area_code: str, zones: list[str]) -> str:
    """The zone shown for a multi-zone area code: the one most of its zips are in (907 is
    Anchorage's, not Adak's), ties and unknowns by name."""
    counts = _zips_per_zone().get(area_code, {})

    def zips(zone: str) -> int:
        return sum(n for other, n in counts.items() if same_clock(zone, other))

    return sorted(zones, key=lambda zone: (-zips(zone), zone))[0]


@lru_cache(maxsize=100_000)
def locate(zip_code: str, area_code: str) -> Location:
    """The readings of a callee from a zip code (5 digits or "") and an area code (or "")."""
    place = zip_info(zip_code) if zip_code else None
    if place is not None:
        zones = [place.time_zone] if place.time_zone else region_time_zones(place.state)
        zones = _distinct_clocks(zones)
        if zones:
            readings = tuple(Reading(zone, place.state, area_code) for zone in zones)
            return Location(readings, zones[0], zip_code, area_code)
    area = area_code_info(area_code) if area_code else None
    if area is not None and area.time_zones:
        zones = _distinct_clocks(area.time_zones)
        readings = tuple(
            Reading(zone, region, area_code) for zone in zones for region in sorted(area.regions)
        )
        return Location(readings, _main_zone(area_code, zones), zip_code, area_code)
    readings = tuple(
        Reading(zone, region, area_code)
        for region in UNKNOWN_REGIONS
        for zone in _distinct_clocks(region_time_zones(region))
    )
    return Location(readings, None, zip_code, area_code)
