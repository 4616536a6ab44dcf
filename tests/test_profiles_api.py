"""Dialing Profiles API: the spec's examples as whole bodies, times, visibility, validation."""

import pytest

from livevox_site.models import AuditEntry, Client, Service
from profiles.demo import seed_profiles
from profiles.models import ClientDialingProfile, DialingPolicy, DialingProfile, ServiceProfile

URL = "/compliance/dialingProfiles"
NOT_FOUND = {"errorCode": 203, "errorMessage": "Entry not found"}

# The spec's "Create a new Dialing Profile" request, verbatim.
FOR_DOCUMENTATION = {
    "name": "For Documentation",
    "description": "used for documentation",
    "policy": [
        {
            "dayOfWeek": "WEEKDAY",
            "doNotDial": "false",
            "doNotLeaveMessage": "true",
            "country": None,
            "state": "KS",
            "areaCode": None,
            "startTime": None,
            "endTime": None,
        },
        {
            "dayOfWeek": "ALL",
            "doNotDial": "true",
            "doNotLeaveMessage": "true",
            "country": None,
            "state": None,
            "areaCode": "410",
            "startTime": None,
            "endTime": None,
        },
        {
            "dayOfWeek": "MONDAY",
            "doNotDial": "false",
            "doNotLeaveMessage": "false",
            "country": None,
            "state": "CA",
            "areaCode": "415",
            "startTime": "1391184000",
            "endTime": "1391234400",
        },
    ],
}
MISMATCH = {
    "name": "For Documentation",
    "description": "used for documentation",
    "policy": [
        {
            "dayOfWeek": "WEEKDAY",
            "doNotDial": "false",
            "doNotLeaveMessage": "true",
            "country": None,
            "state": "KS",
            "areaCode": 415,
            "startTime": None,
            "endTime": None,
        }
    ],
}


def _policy(**given) -> dict:
    body = {
        "dayOfWeek": "MONDAY",
        "doNotDial": False,
        "doNotLeaveMessage": False,
        "country": None,
        "state": None,
        "areaCode": None,
        "startTime": None,
        "endTime": None,
    }
    body.update(given)
    return body


def policy_ids(profile_id: int) -> list[int]:
    return list(
        DialingPolicy.objects.filter(profile_id=profile_id)
        .order_by("id")
        .values_list("pk", flat=True)
    )


@pytest.fixture
def it(api):
    return api("it_user")


@pytest.fixture
def demo(client_a):
    Service.objects.bulk_create(
        Service(id=i, client=client_a, name=f"S{i}") for i in (38184, 42251, 35578, 35576, 35577)
    )
    return seed_profiles()


def test_it_creates_the_spec_example_and_reads_it_back(it, client_a):
    response = it.post(URL, FOR_DOCUMENTATION)
    assert response.status_code == 201
    profile_id = response.json()["id"]
    assert response.json() == {"id": profile_id}
    ids = policy_ids(profile_id)
    read = it.get(f"{URL}/{profile_id}")
    assert read.status_code == 200
    assert read.json() == {
        "service": [],
        "policy": [
            _policy(id=ids[0], dayOfWeek="WEEKDAY", doNotLeaveMessage=True, state="KS"),
            _policy(
                id=ids[1], dayOfWeek="ALL", doNotDial=True, doNotLeaveMessage=True, areaCode="410"
            ),
            # 16:00 and 06:00 UTC in February: 11:00 and 01:00 in New York.
            _policy(id=ids[2], state="CA", areaCode="415", startTime=57600000, endTime=21600000),
        ],
        "clientId": 4199,
        "name": "For Documentation",
        "description": "used for documentation",
        "clientDefault": False,
    }


def test_it_refuses_the_spec_mismatch_example_and_saves_nothing(it, client_a):
    response = it.post(URL, MISMATCH)
    assert response.status_code == 400
    assert response.json() == {"errorCode": 202, "errorMessage": "Area code/state mismatch"}
    assert not DialingProfile.objects.exists()
    assert not AuditEntry.objects.filter(object_type="profiles.dialingprofile").exists()


def test_it_creates_all_or_nothing(it, client_a):
    body = {**FOR_DOCUMENTATION, "policy": [*FOR_DOCUMENTATION["policy"], _policy(state="ZZ")]}
    response = it.post(URL, body)
    assert response.json() == {
        "errorCode": 202,
        "errorMessage": "policy[3].state: 'ZZ' is not a US state or Canadian province code",
    }
    assert not DialingProfile.objects.exists()


def test_it_replays_the_spec_list_example(it, demo):
    response = it.get(URL + "?count=10&client=4199&offset=0")
    assert response.status_code == 200
    assert response.json() == {
        "dialingProfile": [
            {
                "id": 321,
                "name": "LV_Standard_SDR_A",
                "description": "Standard US State Dialing Restrictions, restricts TX, NV, PA.",
            },
            {"id": 5589, "name": "77", "description": None},
            {"id": 7850, "name": "Canada", "description": None},
            {"id": 10592, "name": "QA_TEST", "description": None},
            {"id": 4413, "name": "Test", "description": None},
            {"id": 2441, "name": "Updated Restrictions", "description": "Based on recent analysis"},
        ],
        "next": None,
    }


def test_it_replays_the_spec_read_example(it, demo):
    ids = policy_ids(7850)
    response = it.get(URL + "/7850")
    assert response.json() == {
        "service": [{"id": 35576}, {"id": 35577}, {"id": 35578}, {"id": 38184}, {"id": 42251}],
        "policy": [
            _policy(id=ids[0], doNotLeaveMessage=True, country="CANADA", state="NU"),
            _policy(
                id=ids[1], dayOfWeek="TUESDAY", doNotLeaveMessage=True, country="CANADA", state="NT"
            ),
            _policy(
                id=ids[2],
                doNotLeaveMessage=True,
                country="CANADA",
                state="SK",
                areaCode="306",
                startTime=50400000,
                endTime=93600000,
            ),
        ],
        "clientId": 4199,
        "name": "Canada",
        "description": None,
        "clientDefault": False,
    }


def test_it_lists_the_system_wide_profiles_to_every_client_but_not_the_others(api, demo, client_b):
    outsider = api("outsider")
    listed = outsider.get(URL + "?offset=0&count=10").json()
    assert [item["id"] for item in listed["dialingProfile"]] == [321]
    assert outsider.get(URL + "/321").status_code == 200
    assert "clientId" not in outsider.get(URL + "/321").json()
    assert outsider.get(URL + "/7850").json() == NOT_FOUND
    assert outsider.put(URL + "/7850", {"name": "x"}).json() == NOT_FOUND
    assert outsider.delete(URL + "/7850").json() == NOT_FOUND
    assert outsider.get(URL + "/info").json()["size"] == 1


def test_it_lets_only_sysadmins_change_a_system_wide_profile(api, demo, client_b):
    refused = api("it_user").put(URL + "/321", {"name": "Mine now"})
    assert refused.status_code == 403
    assert refused.json() == {
        "errorCode": 403,
        "errorMessage": "Only a Sysadmin may change a system-wide dialing profile",
    }
    assert api("superuser").delete(URL + "/321").status_code == 403
    assert api("it_user").put(URL + "/321/policies", _policy(state="TX")).status_code == 403
    assert api("sysadmin").put(URL + "/321", {"name": "Renamed"}).status_code == 204
    assert api("outsider_sysadmin").put(URL + "/321", {"description": "B"}).status_code == 204
    assert DialingProfile.objects.get(pk=321).name == "Renamed"


def test_it_shows_each_client_only_its_own_services_of_a_system_wide_profile(api, demo, client_b):
    assert api("it_user").put(URL + "/321/services/20180").status_code == 204
    assert api("outsider").put(URL + "/321/services/93126").status_code == 204
    assert api("it_user").get(URL + "/321").json()["service"] == [{"id": 20180}]
    assert api("outsider").get(URL + "/321").json()["service"] == [{"id": 93126}]
    # Another client's service is not found.
    assert api("it_user").put(URL + "/321/services/93126").json() == NOT_FOUND


def test_it_moves_a_service_between_profiles_and_audits_it(it, demo):
    assert it.put(URL + "/4413/services/38184").status_code == 204
    assert ServiceProfile.objects.get(service_id=38184).profile_id == 4413
    assert it.get(URL + "/7850").json()["service"] == [
        {"id": 35576},
        {"id": 35577},
        {"id": 35578},
        {"id": 42251},
    ]
    entry = AuditEntry.objects.filter(action="profiles.profile.service_added").latest("id")
    assert entry.details == {"service": 38184, "movedFrom": 7850}
    assert it.delete(URL + "/4413/services/38184").status_code == 204
    assert it.delete(URL + "/4413/services/38184").json() == NOT_FOUND


def test_it_reads_the_client_default(it, demo, client_a):
    ClientDialingProfile.objects.create(client=client_a, default_profile_id=321)
    assert it.get(URL + "/321").json()["clientDefault"] is True
    assert it.get(URL + "/7850").json()["clientDefault"] is False


def test_it_adds_updates_and_deletes_a_policy(it, client_a):
    profile_id = it.post(URL, {"name": "P"}).json()["id"]
    created = it.put(
        f"{URL}/{profile_id}/policies",
        {
            "dayOfWeek": "THURSDAY",
            "doNotDial": "false",
            "doNotLeaveMessage": "true",
            "state": None,
            "areaCode": "408",
            "startTime": None,
            "endTime": None,
        },
    )
    assert created.status_code == 201
    policy_id = created.json()["id"]
    path = f"{URL}/{profile_id}/policies/{policy_id}"
    # The spec's update example: only areaCode given, the rest null (unchanged).
    update = {
        "dayOfWeek": None,
        "doNotDial": None,
        "doNotLeaveMessage": None,
        "state": None,
        "areaCode": "415",
        "startTime": None,
        "endTime": None,
        "clearAreaCode": None,
        "clearTimeRange": None,
    }
    assert it.put(path, update).status_code == 204
    assert (
        it.put(path, {"state": "ca", "startTime": "21:00", "endTime": "08:00"}).status_code == 204
    )
    read = it.get(f"{URL}/{profile_id}").json()["policy"]
    assert read == [
        _policy(
            id=policy_id,
            dayOfWeek="THURSDAY",
            doNotLeaveMessage=True,
            state="CA",
            areaCode="415",
            startTime=93600000,  # 21:00 in New York, 1970-01-02 02:00 UTC
            endTime=46800000,  # 08:00: a window that crosses midnight
        )
    ]
    assert it.put(path, {"clearAreaCode": True, "clearTimeRange": "true"}).status_code == 204
    assert it.get(f"{URL}/{profile_id}").json()["policy"] == [
        _policy(id=policy_id, dayOfWeek="THURSDAY", doNotLeaveMessage=True, state="CA")
    ]
    # Clearing the area code of a policy that has no state leaves neither: refused.
    it.put(path, {"areaCode": "415"})
    DialingPolicy.objects.filter(pk=policy_id).update(state="")
    refused = it.put(path, {"clearAreaCode": True})
    assert refused.json() == {
        "errorCode": 202,
        "errorMessage": "state: a state or an area code or both are required",
    }
    assert it.delete(path).status_code == 204
    assert it.delete(path).json() == NOT_FOUND


def test_it_updates_and_deletes_a_profile(it, client_a):
    profile_id = it.post(URL, FOR_DOCUMENTATION).json()["id"]
    assert (
        it.put(f"{URL}/{profile_id}", {"name": "Docs", "description": "testing"}).status_code == 204
    )
    body = it.get(f"{URL}/{profile_id}").json()
    assert (body["name"], body["description"]) == ("Docs", "testing")
    assert it.put(f"{URL}/{profile_id}", {"description": None}).status_code == 204
    assert it.get(f"{URL}/{profile_id}").json()["description"] == "testing"
    assert it.delete(f"{URL}/{profile_id}").status_code == 204
    assert it.delete(f"{URL}/{profile_id}").status_code == 404
    assert it.delete(f"{URL}/{profile_id}").json() == NOT_FOUND
    assert not DialingPolicy.objects.exists()


def test_it_answers_info(it, demo):
    body = it.get(URL + "/info").json()
    assert body["size"] == 6
    assert set(body) == {"size", "lastModified"}


@pytest.mark.parametrize(
    ("policy", "message"),
    [
        ({}, "dayOfWeek is required"),
        ({"dayOfWeek": "FUNDAY", "state": "TX"}, None),
        ({"dayOfWeek": "MONDAY"}, "state: a state or an area code or both are required"),
        (
            {"dayOfWeek": "MONDAY", "state": "ZZ"},
            "state: 'ZZ' is not a US state or Canadian province code",
        ),
        ({"dayOfWeek": "MONDAY", "state": 12}, "state must be a two-letter state or province code"),
        (
            {"dayOfWeek": "MONDAY", "areaCode": "999"},
            "areaCode: '999' is not a US or Canadian area code",
        ),
        ({"dayOfWeek": "MONDAY", "areaCode": "41"}, "areaCode must be a three-digit area code"),
        ({"dayOfWeek": "MONDAY", "state": "KS", "areaCode": "415"}, "Area code/state mismatch"),
        (
            {"dayOfWeek": "MONDAY", "state": "TX", "startTime": "09:00"},
            "endTime: give both times or neither",
        ),
        (
            {"dayOfWeek": "MONDAY", "state": "TX", "endTime": "09:00"},
            "startTime: give both times or neither",
        ),
        (
            {"dayOfWeek": "MONDAY", "state": "TX", "startTime": "09:00", "endTime": "09:00"},
            "endTime: must differ from the start time",
        ),
        (
            {"dayOfWeek": "MONDAY", "state": "TX", "startTime": "25:00", "endTime": "09:00"},
            "startTime must be HH:MM or epoch milliseconds",
        ),
        (
            {"dayOfWeek": "MONDAY", "state": "TX", "doNotDial": "maybe"},
            "doNotDial must be true or false",
        ),
        ({"dayOfWeek": "MONDAY", "state": "TX", "country": "MARS"}, None),
        (
            {"dayOfWeek": "MONDAY", "state": "NY", "country": "CANADA"},
            "country: NY is not in Canada",
        ),
        (
            {"dayOfWeek": "MONDAY", "state": "ON", "country": "USA"},
            "country: ON is not in United States",
        ),
    ],
)
def test_it_refuses_bad_policies_naming_the_field(it, client_a, policy, message):
    profile_id = it.post(URL, {"name": "P"}).json()["id"]
    response = it.put(f"{URL}/{profile_id}/policies", policy)
    assert response.status_code == 400
    if message is None:
        assert response.json()["errorCode"] == 202
        assert response.json()["errorMessage"].split(" must be one of")[0] in (
            "dayOfWeek",
            "country",
        )
    else:
        assert response.json() == {"errorCode": 202, "errorMessage": message}
    assert not DialingPolicy.objects.exists()


@pytest.mark.parametrize(
    ("policy", "stored"),
    [
        ({"dayOfWeek": "weekend", "state": " qc "}, ("WEEKEND", "QC", "", "")),
        ({"dayOfWeek": "All", "areaCode": 306, "country": "canada"}, ("ALL", "", "306", "CANADA")),
        (
            {"dayOfWeek": "MONDAY", "state": "TX", "country": "USA"},
            ("MONDAY", "TX", "", "UNITED_STATES_OF_AMERICA"),
        ),
        ({"dayOfWeek": "MONDAY", "state": "PE", "areaCode": "902"}, ("MONDAY", "PE", "902", "")),
        (
            {"dayOfWeek": "MONDAY", "state": "MI", "areaCode": "313", "id": 0},
            ("MONDAY", "MI", "313", ""),
        ),
    ],
)
def test_it_accepts_lenient_policies(it, client_a, policy, stored):
    profile_id = it.post(URL, {"name": "P"}).json()["id"]
    assert it.put(f"{URL}/{profile_id}/policies", policy).status_code == 201
    found = DialingPolicy.objects.get()
    assert (found.day_of_week, found.state, found.area_code, found.country) == stored


@pytest.mark.parametrize(
    ("zone", "sent", "local", "answer"),
    [
        # Winter and summer instants, both read as the time of day they show on their date.
        ("America/New_York", "1391184000", "11:00", 57600000),  # 2014-01-31 16:00 UTC, EST
        ("America/New_York", 1404216000, "08:00", 46800000),  # 2014-07-01 12:00 UTC, EDT
        ("America/New_York", 1404216000000, "08:00", 46800000),  # the same in milliseconds
        ("America/New_York", "09:00", "09:00", 50400000),
        ("America/New_York", 50400000, "09:00", 50400000),  # our own answer, sent back
        ("America/New_York", "21:00:00", "21:00", 93600000),
        ("America/Los_Angeles", 1404216000, "05:00", 46800000),  # PDT; 05:00 PST is 13:00 UTC
        ("America/Los_Angeles", "09:00", "09:00", 61200000),
        ("America/Phoenix", 1404216000, "05:00", 43200000),  # no daylight saving
        ("Europe/London", "09:00", "09:00", 28800000),  # 1970: British Standard Time, UTC+1
    ],
)
def test_it_keeps_local_times_of_day_across_daylight_saving(
    it, client_a, zone, sent, local, answer
):
    Client.objects.filter(pk=client_a.pk).update(time_zone=zone)
    profile_id = it.post(URL, {"name": "P"}).json()["id"]
    body = {"dayOfWeek": "MONDAY", "state": "TX", "startTime": sent, "endTime": "23:59"}
    assert it.put(f"{URL}/{profile_id}/policies", body).status_code == 201
    policy = DialingPolicy.objects.get()
    assert policy.start_time.strftime("%H:%M") == local
    assert it.get(f"{URL}/{profile_id}").json()["policy"][0]["startTime"] == answer


def test_it_refuses_managers_and_agent_sessions(api, demo):
    assert api("manager").get(URL + "/7850").status_code == 403
    assert api("manager_with_strategies_power").get(URL + "?offset=0&count=5").status_code == 403
    assert api("sysadmin", agent=True).get(URL + "/7850").status_code == 403


def test_it_seeds_the_demo_profiles_once(demo):
    assert [profile.pk for profile in demo] == [321, 5589, 7850, 10592, 4413, 2441]
    assert seed_profiles() == []
    assert DialingProfile.objects.get(pk=321).client_id is None


def test_a_change_to_a_system_wide_profile_moves_every_clients_last_modified(api, client_a):
    mine = api("it_user")
    shared = api("outsider_sysadmin").post(
        URL + "?client=93119",
        {"name": "Shared later", "policy": []},
    )
    shared_id = DialingProfile.objects.get(name="Shared later").pk
    DialingProfile.objects.filter(pk=shared_id).update(client=None)  # made system-wide
    before = mine.get(URL + "/info").json()

    api("outsider_sysadmin").put(f"{URL}/{shared_id}", {"name": "Shared, renamed"})
    after = mine.get(URL + "/info").json()

    assert shared.status_code == 201
    assert after["size"] == before["size"] == 1
    renamed = AuditEntry.objects.get(action="profiles.profile.updated")
    assert renamed.client_id == 93119
    assert after["lastModified"] == int(renamed.at.timestamp() * 1000)


def test_deleting_a_system_wide_profile_audits_each_client_it_touches(api, client_a, client_b):
    sysadmin = api("sysadmin")
    created = sysadmin.post(URL, {"name": "Everyone's", "policy": []})
    profile_id = created.json()["id"]
    DialingProfile.objects.filter(pk=profile_id).update(client=None)
    assert api("it_user").put(f"{URL}/{profile_id}/services/20180").status_code == 204
    assert api("outsider_sysadmin").put(f"{URL}/{profile_id}/services/93126").status_code == 204

    assert sysadmin.delete(f"{URL}/{profile_id}").status_code == 204

    entries = AuditEntry.objects.filter(action="profiles.profile.deleted").order_by("client_id")
    assert [(e.client_id, e.before["service"]) for e in entries] == [
        (4199, [20180]),
        (93119, [93126]),
    ]
