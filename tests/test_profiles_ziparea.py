"""POST /compliance/complianceCheck/zipAreaMatch: the spec's two examples, real pairs, bad input."""

import pytest

URL = "/compliance/complianceCheck/zipAreaMatch"
INVALID = 400


@pytest.fixture
def agent_session(api):
    return api("agent", agent=True)


@pytest.mark.parametrize("path", [URL, "/compliance/complianceCheck/zipAreaMatchs"])
def test_it_answers_the_spec_examples(api, path):
    it = api("it_user")
    match = it.post(path, {"areaCode": 415, "zipCode": 94111, "type": "DIAL_TIME"})
    assert (match.status_code, match.json()) == (200, {"result": True})
    no_match = it.post(path, {"areaCode": 415, "zipCode": 10010, "type": "DIAL_TIME"})
    assert (no_match.status_code, no_match.json()) == (200, {"result": False})


@pytest.mark.parametrize(
    ("area_code", "zip_code", "dial_time", "optimized"),
    [
        # Same area: the zip data lists the area code for the zip.
        ("212", "10010", True, True),
        ("917", "10001", True, True),  # an overlay of the same area
        ("617", "02108", True, True),
        ("313", "48201", True, True),
        # Neighbouring area, same clock.
        ("201", "10010", False, True),  # Jersey City code, Manhattan zip
        ("718", "07030", False, True),
        ("628", "80202", False, False),  # San Francisco code, Denver zip
        # Different names, same rules: Detroit and Indianapolis keep New York's time.
        ("212", "48201", False, True),
        ("212", "46204", False, True),
        ("317", "10010", False, True),
        # Same zone name, still a match by rules; different zone.
        ("305", "02108", False, True),
        ("312", "10010", False, False),
        ("415", "10010", False, False),
        # Arizona keeps standard time all year: not Denver's clock.
        ("602", "80202", False, False),
        ("303", "85001", False, False),
        ("406", "80202", False, True),
        # Boise is Mountain time; Idaho's 208 spans Mountain and Pacific zones.
        ("208", "97201", False, True),
        ("208", "83702", True, True),
        # Alaska and Hawaii.
        ("907", "99501", True, True),
        ("808", "96813", True, True),
        ("907", "96813", False, False),
        ("808", "99501", False, False),
        ("415", "96813", False, False),
        # Well-formed but unknown.
        ("999", "10010", False, False),
        ("212", "00000", False, False),
        ("800", "10010", False, False),
        # Three digits are well-formed even where no NANP area code can be: unknown, not a 400.
        ("041", "10010", False, False),
        ("123", "10010", False, False),
        ("000", "00000", False, False),
    ],
)
def test_it_matches_real_pairs(api, area_code, zip_code, dial_time, optimized):
    it = api("it_user")
    for kind, expected in (("DIAL_TIME", dial_time), ("DIAL_TIME_OPTIMIZED", optimized)):
        body = {"areaCode": area_code, "zipCode": zip_code, "type": kind}
        response = it.post(URL, body)
        assert (response.status_code, response.json()) == (200, {"result": expected}), body


@pytest.mark.parametrize(
    "body",
    [
        {"areaCode": 617, "zipCode": 2108, "type": "DIAL_TIME"},  # a number lost its zero
        {"areaCode": "617", "zipCode": "02108", "type": "dialTime"},  # enum in any case
        {"areaCode": "617", "zipCode": "02108-1234", "type": "DIAL_TIME", "id": 0},
        {"areaCode": " 617 ", "zipCode": "02108", "type": "dial_time"},
    ],
)
def test_it_is_lenient_about_form(api, body):
    response = api("it_user").post(URL, body)
    assert (response.status_code, response.json()) == (200, {"result": True})


@pytest.mark.parametrize(
    ("body", "message"),
    [
        ({"zipCode": "10010", "type": "DIAL_TIME"}, "areaCode must be a three-digit area code"),
        ({"areaCode": "41", "zipCode": "10010", "type": "DIAL_TIME"}, None),
        ({"areaCode": "4155", "zipCode": "10010", "type": "DIAL_TIME"}, None),
        ({"areaCode": True, "zipCode": "10010", "type": "DIAL_TIME"}, None),
        ({"areaCode": 415.5, "zipCode": "10010", "type": "DIAL_TIME"}, None),
        ({"areaCode": "415", "type": "DIAL_TIME"}, "zipCode must be a five-digit zip code"),
        ({"areaCode": "415", "zipCode": "2108", "type": "DIAL_TIME"}, None),  # a string keeps it
        ({"areaCode": "415", "zipCode": 123456, "type": "DIAL_TIME"}, None),
        ({"areaCode": "415", "zipCode": "1001O", "type": "DIAL_TIME"}, None),
        ({"areaCode": "415", "zipCode": ["10010"], "type": "DIAL_TIME"}, None),
        ({"areaCode": "415", "zipCode": "10010"}, "type is required"),
        ({"areaCode": "415", "zipCode": "10010", "type": None}, "type is required"),
        (
            {"areaCode": "415", "zipCode": "10010", "type": "NEARBY"},
            "type must be one of DIAL_TIME, DIAL_TIME_OPTIMIZED",
        ),
        (
            {"areaCode": "415", "zipCode": "10010", "type": 1},
            "type must be one of DIAL_TIME, DIAL_TIME_OPTIMIZED",
        ),
    ],
)
def test_it_refuses_malformed_input(api, body, message):
    response = api("it_user").post(URL, body)
    assert response.status_code == INVALID
    if message is None:
        field = "zipCode" if _good_area(body) else "areaCode"
        message = {
            "areaCode": "areaCode must be a three-digit area code",
            "zipCode": "zipCode must be a five-digit zip code",
        }[field]
    assert response.json() == {"code": 202, "message": message}


def _good_area(body: dict) -> bool:
    return body.get("areaCode") in ("415", 415)


@pytest.mark.parametrize("body", ["[1, 2]", "not json", '"text"'])
def test_it_refuses_a_body_that_is_no_object(api, body):
    response = api("it_user").post(URL, body)
    assert response.status_code == INVALID
    assert response.json()["code"] == 202


def test_it_answers_agent_sessions_and_managers(api, agent_session):
    body = {"areaCode": 415, "zipCode": 94111, "type": "DIAL_TIME"}
    assert agent_session.post(URL, body).json() == {"result": True}
    assert api("manager").post(URL, body).json() == {"result": True}
    assert api("manager_with_dnc_power", agent=True).post(URL, body).json() == {"result": True}


def test_it_refuses_without_a_session(api):
    response = api(None).post(URL, {"areaCode": 415, "zipCode": 94111, "type": "DIAL_TIME"})
    assert response.status_code == 401
    assert set(response.json()) == {"code", "message"}
