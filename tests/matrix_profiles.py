"""Permission rows for zipAreaMatch and /compliance/dialingProfiles: every route, every role,
own client, other client and the system-wide profiles."""

from profiles.models import DialingBlackout, DialingPolicy, DialingProfile, ServiceProfile

from .matrix import ROLES, Row, rows_for

ZIP = "/compliance/complianceCheck/zipAreaMatch"
MATCH = {"areaCode": 415, "zipCode": 94111, "type": "DIAL_TIME"}


def setup(client_a, client_b, persona) -> dict:
    return setup_profiles(client_a, client_b, persona)


ZIP_ROWS = [
    # Every role that may use the Compliance API, in either client.
    *(Row("POST", path, who, 200, MATCH) for path in (ZIP, ZIP + "s") for who in ROLES),
    Row("POST", ZIP, None, 401, MATCH),
    Row("POST", ZIP + "s", None, 401, MATCH),
    # Agent sessions (docs/wire.md section 2 lists Zip Area Match).
    Row("POST", ZIP, "agent", 200, MATCH, agent=True),
    Row("POST", ZIP, "manager_with_strategies_power", 200, MATCH, agent=True),
    Row("POST", ZIP + "s", "agent", 200, MATCH, agent=True),
    Row("POST", "/compliance/v6.0/complianceCheck/zipAreaMatch/", "it_user", 200, MATCH),
    # Other methods: 405 after authentication.
    Row("GET", ZIP, "it_user", 405),
]


# --- /compliance/dialingProfiles ------------------------------------------------------------

URL = "/compliance/dialingProfiles"
OWN = URL + "/{profile_a}"
SHARED = URL + "/{profile_shared}"
ALLOWED = ["sysadmin", "superuser", "it_user"]
DENIED = ["manager", "manager_with_strategies_power", "manager_with_dnc_power", "agent"]
SYSADMINS = ["sysadmin", "outsider_sysadmin"]
POLICY = {"dayOfWeek": "MONDAY", "state": "TX", "startTime": "09:00", "endTime": "21:00"}


def setup_profiles(client_a, client_b, persona) -> dict:
    found = {}
    for key, client in (("a", client_a), ("b", client_b), ("shared", None)):
        profile = DialingProfile.objects.create(client=client, name=f"Matrix {key}")
        found[f"profile_{key}"] = profile.pk
        found[f"policy_{key}"] = DialingPolicy.objects.create(
            profile=profile, day_of_week="MONDAY", state="TX"
        ).pk
        found[f"blackout_{key}"] = DialingBlackout.objects.create(
            profile=profile, holiday="Labor Day", do_not_dial=True
        ).pk
    ServiceProfile.objects.create(service_id=18892, profile_id=found["profile_a"])
    ServiceProfile.objects.create(service_id=17797, profile_id=found["profile_shared"])
    return found


def _expect(success: int, outsider: int, denied: int = 403) -> dict:
    expected = dict.fromkeys(ALLOWED, success)
    expected.update(dict.fromkeys(DENIED, denied))
    expected.update({None: 401, "outsider": outsider, "outsider_sysadmin": outsider})
    return expected


def _on_a(method: str, path: str, success: int, body=None) -> list:
    # Client B's users do not see client A's profile: 404, as if it did not exist.
    return rows_for(method, path, _expect(success, 404), body, agent_expected=403)


def _collection(method: str, path: str, success: int, body=None) -> list:
    return rows_for(method, path, _expect(success, success), body, agent_expected=403)


def _read_shared(method: str, path: str) -> list:
    # Every client reads the system-wide profiles.
    return rows_for(method, path, _expect(200, 200), agent_expected=403)


def _change_shared(method: str, path: str, success: int, body=None) -> list:
    # Only Sysadmins, of any client, change a system-wide profile.
    expected = _expect(403, 403)
    expected.update(dict.fromkeys(SYSADMINS, success))
    return rows_for(method, path, expected, body, agent_expected=403)


PROFILE_ROWS = [
    *_collection("GET", URL + "?offset=0&count=5", 200),
    *_collection("GET", URL + "/info", 200),
    *_collection("POST", URL, 201, {"name": "Matrix new", "policy": [POLICY]}),
    *_on_a("GET", OWN, 200),
    *_on_a("PUT", OWN, 204, {"name": "Renamed"}),
    *_on_a("DELETE", OWN, 204),
    *_on_a("PUT", OWN + "/policies", 201, POLICY),
    *_on_a("PUT", OWN + "/policies/{policy_a}", 204, {"doNotDial": True}),
    *_on_a("DELETE", OWN + "/policies/{policy_a}", 204),
    *_on_a("PUT", OWN + "/services/20180", 204),
    *_on_a("DELETE", OWN + "/services/18892", 204),
    *_on_a("GET", "/compliance/v6.0/dialingProfiles/{profile_a}/", 200),
    # Another client's policy under one's own profile: not found.
    *rows_for("PUT", OWN + "/policies/{policy_b}", {"it_user": 404}, {"doNotDial": True}),
    *rows_for("DELETE", OWN + "/policies/{policy_shared}", {"sysadmin": 404}),
    # The system-wide profile.
    *_read_shared("GET", SHARED),
    *_change_shared("PUT", SHARED, 204, {"name": "Renamed"}),
    *_change_shared("DELETE", SHARED, 204),
    *_change_shared("PUT", SHARED + "/policies", 201, POLICY),
    *_change_shared("PUT", SHARED + "/policies/{policy_shared}", 204, {"doNotDial": True}),
    *_change_shared("DELETE", SHARED + "/policies/{policy_shared}", 204),
    # A service of one's own client may use a system-wide profile: a change to the service.
    *rows_for("PUT", SHARED + "/services/20180", _expect(204, 404), agent_expected=403),
    *rows_for("DELETE", SHARED + "/services/17797", _expect(204, 404), agent_expected=403),
    # Acting for another client: Sysadmins only.
    *rows_for(
        "GET",
        URL + "/{profile_b}?client=93119",
        {"sysadmin": 200, "superuser": 403, "it_user": 403, "outsider": 200},
    ),
    *rows_for("PUT", URL + "/{profile_b}?client=93119", {"sysadmin": 204}, {"name": "B"}),
]

# --- holidays and blackout dates (an extension), as the policies of the profile ------------

BLACKOUT = {"holiday": "Thanksgiving Day", "doNotDial": True}
BLACKOUT_ROWS = [
    *_on_a("GET", OWN + "/blackouts", 200),
    *_on_a("POST", OWN + "/blackouts", 201, BLACKOUT),
    *_on_a("DELETE", OWN + "/blackouts/{blackout_a}", 204),
    # Another client's or another profile's blackout under one's own profile: not found.
    *rows_for("DELETE", OWN + "/blackouts/{blackout_b}", {"it_user": 404, "sysadmin": 404}),
    *rows_for("DELETE", OWN + "/blackouts/{blackout_shared}", {"sysadmin": 404}),
    # The system-wide profile: every client reads, Sysadmins change.
    *_read_shared("GET", SHARED + "/blackouts"),
    *_change_shared("POST", SHARED + "/blackouts", 201, BLACKOUT),
    *_change_shared("DELETE", SHARED + "/blackouts/{blackout_shared}", 204),
    # Client B's profile: a 404 for client A, readable by a Sysadmin acting for B.
    *rows_for("GET", URL + "/{profile_b}/blackouts", {"it_user": 404, "outsider": 200}),
    *rows_for(
        "GET",
        URL + "/{profile_b}/blackouts?client=93119",
        {"sysadmin": 200, "superuser": 403, "it_user": 403},
    ),
    *rows_for("POST", URL + "/{profile_b}/blackouts?client=93119", {"sysadmin": 201}, BLACKOUT),
    # Other methods: 405 after authentication.
    *rows_for("PUT", OWN + "/blackouts", {"it_user": 405}, BLACKOUT),
    *rows_for("GET", OWN + "/blackouts/{blackout_a}", {"it_user": 405}),
]

ROWS = [*ZIP_ROWS, *PROFILE_ROWS, *BLACKOUT_ROWS]
