"""livevox_site.geography: zips, area codes, regions and clocks from the shipped package data."""

import pytest

from livevox_site import geography as g


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("02108", "02108"),
        (2108, "02108"),  # a JSON number that lost its leading zero
        (94111, "94111"),
        ("02108-1234", "02108"),
        (" 10010 ", "10010"),
        ("2108", None),
        ("021080", None),
        (123456, None),
        (-1, None),
        (True, None),
        (None, None),
        ("٠٢١٠٨", None),  # Arabic-Indic digits are not a zip
        (21.08, None),
    ],
)
def test_it_normalizes_zip_codes(raw, expected):
    assert g.normalize_zip(raw) == expected


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("415", "415"),
        (415, "415"),
        ("041", None),
        ("141", None),
        (41, None),
        ("4155", None),
        (False, None),
        (None, None),
        ("4l5", None),
    ],
)
def test_it_normalizes_area_codes(raw, expected):
    assert g.normalize_area_code(raw) == expected


def test_it_reads_a_zip_code():
    assert g.zip_info(2108) == g.ZipInfo(
        zip_code="02108",
        state="MA",
        time_zone="America/New_York",
        area_codes=frozenset({"617", "857"}),
    )
    assert g.zip_info("94111").area_codes >= {"415"}
    assert g.zip_info("99501").time_zone == "America/Anchorage"
    assert g.zip_info("96813").time_zone == "Pacific/Honolulu"


def test_it_answers_none_for_unknown_or_malformed_zips():
    assert g.zip_info("00000") is None
    assert g.zip_info("abcde") is None
    assert g.zip_info(None) is None


@pytest.mark.parametrize(
    ("area_code", "regions", "zones"),
    [
        ("415", {"CA"}, {"America/Los_Angeles"}),
        ("212", {"NY"}, {"America/New_York"}),
        ("313", {"MI"}, {"America/New_York"}),
        ("808", {"HI"}, {"Pacific/Honolulu"}),
        # libphonenumber also lists Pacific/Honolulu for one 907 prefix: dropped, not Alaskan.
        ("907", {"AK"}, {"America/Anchorage", "America/Adak", "America/Juneau"}),
        ("416", {"ON"}, {"America/Toronto"}),
        ("604", {"BC"}, {"America/Vancouver"}),
        ("902", {"NS", "PE"}, {"America/Halifax"}),
        ("787", {"PR"}, {"America/Puerto_Rico"}),
        ("520", {"AZ"}, {"America/Phoenix"}),
    ],
)
def test_it_reads_an_area_code(area_code, regions, zones):
    assert g.area_code_info(area_code) == g.AreaCodeInfo(
        area_code, frozenset(regions), frozenset(zones)
    )


@pytest.mark.parametrize("area_code", ["800", "555", "876", "999", "41", "abc", None])
def test_it_knows_no_non_geographic_or_foreign_area_code(area_code):
    assert g.area_code_info(area_code) is None


def test_it_names_regions_and_their_zones():
    assert g.is_region("TX") and g.is_region("QC") and g.is_region("DC")
    assert not g.is_region("AE") and not g.is_region("ZZ") and not g.is_region("tx")
    assert g.region_time_zones("QC") >= {"America/Toronto"}
    assert g.region_time_zones("AZ") >= {"America/Phoenix"}
    assert g.region_time_zones("ZZ") == frozenset()
    assert g.region_time_zones(None) == frozenset()


def test_it_says_which_area_codes_serve_a_region_or_a_zip():
    assert g.area_code_serves_region("415", "CA")
    assert not g.area_code_serves_region("415", "NV")
    assert g.area_code_serves_region("902", "PE")
    assert g.area_code_serves_zip("415", 94111)
    assert g.area_code_serves_zip(617, "02108")
    assert not g.area_code_serves_zip("415", "10010")
    assert not g.area_code_serves_zip("41", "10010")


@pytest.mark.parametrize(
    ("a", "b", "same"),
    [
        ("America/Detroit", "America/New_York", True),
        ("America/Indiana/Indianapolis", "America/New_York", True),
        ("America/Toronto", "America/New_York", True),
        ("America/Phoenix", "America/Denver", False),  # no daylight saving in Arizona
        ("America/Chicago", "America/New_York", False),
        ("America/Adak", "Pacific/Honolulu", False),
        ("America/Anchorage", "America/Juneau", True),
        ("Not/AZone", "Not/AZone", False),
        ("Not/AZone", "America/New_York", False),
    ],
)
def test_it_compares_zones_by_their_rules(a, b, same):
    assert g.same_clock(a, b) is same


def test_it_cross_checks_area_codes_with_the_zip_data():
    # Every area code the zip data lists is known, and for most zips the area code's regions
    # include the zip's state (zips also list neighbouring states' codes near a border).
    listed = [
        (code, info.state)
        for info in g._zips().values()
        if info.state in g.REGIONS
        for code in info.area_codes
    ]
    assert all(g.area_code_info(code) is not None for code, _ in listed)
    agree = sum(g.area_code_serves_region(code, state) for code, state in listed)
    assert agree / len(listed) > 0.9
