"""Holidays and blackout dates of a dialing profile (an extension): the API under the profile's
URL, whole bodies, lenient input, the family's errors, tenancy, audit, the admin inline, and the
vendor's read answer left byte-for-byte as it was."""

from datetime import date, time

import pytest

from livevox_site.audit import Actor
from livevox_site.models import AuditEntry
from profiles import services
from profiles.models import DialingBlackout, DialingProfile

from . import test_profiles_api as vendor_api
from .test_profiles_admin import change_url, form_data
from .test_profiles_api import demo  # noqa: F401 - the spec's demo profiles, as a fixture

URL = "/compliance/dialingProfiles"
NOT_FOUND = {"errorCode": 203, "errorMessage": "Entry not found"}
# Midnight of 2026-12-24 in New York (client A's zone), and 10:00 / 14:00 there on 1970-01-01.
DEC_24_MS = 1798088400000
TEN_MS, TWO_PM_MS = 54000000, 68400000


@pytest.fixture
def it(api):
    return api("it_user")


@pytest.fixture
def own(client_a) -> DialingProfile:
    return DialingProfile.objects.create(client=client_a, name="Ours")


def body(**given) -> dict:
    answer = {
        "id": None,
        "startDate": None,
        "endDate": None,
        "holiday": None,
        "states": [],
        "doNotDial": True,
        "startTime": None,
        "endTime": None,
    }
    answer.update(given)
    return answer


def test_it_creates_lists_and_deletes_blackouts(it, own):
    path = f"{URL}/{own.pk}/blackouts"
    assert it.get(path).json() == {"blackout": []}

    holiday = it.post(path, {"holiday": "Thanksgiving Day", "doNotDial": True})
    assert holiday.status_code == 201
    holiday_id = holiday.json()["id"]
    assert holiday.json() == {"id": holiday_id}
    eve = it.post(
        path,
        {
            "startDate": "2026-12-24",
            "states": ["CA", "NV"],
            "startTime": "10:00",
            "endTime": "14:00",
        },
    )
    assert eve.status_code == 201
    eve_id = eve.json()["id"]

    listed = it.get(path)
    assert listed.status_code == 200
    assert listed.json() == {
        "blackout": [
            body(id=holiday_id, holiday="Thanksgiving Day"),
            body(
                id=eve_id,
                startDate=DEC_24_MS,
                states=["CA", "NV"],
                doNotDial=False,
                startTime=TEN_MS,
                endTime=TWO_PM_MS,
            ),
        ]
    }

    deleted = it.delete(f"{path}/{holiday_id}")
    assert deleted.status_code == 204 and deleted.content == b""
    assert [b["id"] for b in it.get(path).json()["blackout"]] == [eve_id]
    assert it.delete(f"{path}/{holiday_id}").json() == NOT_FOUND


def test_a_range_answers_both_dates(it, own):
    path = f"{URL}/{own.pk}/blackouts"
    created = it.post(path, {"startDate": "2026-08-03", "endDate": "2026-08-07"}).json()
    stored = DialingBlackout.objects.get()
    assert (stored.start_date, stored.end_date, stored.do_not_dial) == (
        date(2026, 8, 3),
        date(2026, 8, 7),
        True,
    )
    answer = it.get(path).json()["blackout"][0]
    assert answer == body(id=created["id"], startDate=1785729600000, endDate=1786075200000)


@pytest.mark.parametrize(
    ("sent", "stored"),
    [
        # Dates as epoch ms (the family's output sent back) and as ISO instants: the date they
        # fall on in the client's zone; a start and end of one day is that day alone.
        (
            {"startDate": DEC_24_MS, "endDate": str(DEC_24_MS), "doNotDial": "true"},
            (date(2026, 12, 24), None, "", [], True, None, None),
        ),
        (
            {"startDate": "2026-12-25T03:00:00Z"},  # 22:00 on the 24th in New York
            (date(2026, 12, 24), None, "", [], True, None, None),
        ),
        (
            {"holiday": "  labor   DAY ", "states": "ca, nv", "id": 0, "profileId": 9},
            (None, None, "Labor Day", ["CA", "NV"], True, None, None),
        ),
        (
            {"holiday": "Christmas Day", "startTime": "22:00", "endTime": "02:00"},
            (None, None, "Christmas Day", [], False, time(22), time(2)),
        ),
        (
            {"startDate": "2026-07-03", "states": ["tx", "TX"], "doNotDial": None},
            (date(2026, 7, 3), None, "", ["TX"], True, None, None),
        ),
        (
            {"startDate": "2026-07-03", "startTime": TEN_MS, "endTime": TWO_PM_MS},
            (date(2026, 7, 3), None, "", [], False, time(10), time(14)),
        ),
    ],
)
def test_it_accepts_lenient_input(it, own, sent, stored):
    response = it.post(f"{URL}/{own.pk}/blackouts", sent)
    assert response.status_code == 201, response.content
    found = DialingBlackout.objects.get()
    assert (
        found.start_date,
        found.end_date,
        found.holiday,
        found.states,
        found.do_not_dial,
        found.start_time,
        found.end_time,
    ) == stored


@pytest.mark.parametrize(
    ("sent", "message"),
    [
        ({}, "startDate: a date or a holiday is required"),
        ({"holiday": "Festivus"}, "holiday: 'Festivus' is not a US federal holiday"),
        (
            {"holiday": "Labor Day", "startDate": "2026-09-07"},
            "holiday: give a date or a holiday, not both",
        ),
        (
            {"startDate": "2026-09-07", "endDate": "2026-09-01"},
            "endDate: may not be before the start date",
        ),
        (
            {"startDate": "2026-01-01", "endDate": "2027-06-01"},
            "endDate: a range may span at most 366 days",
        ),
        ({"startDate": "someday"}, "startDate is not a date"),
        ({"startDate": "2026-02-30"}, "startDate is not a date"),
        (
            {"holiday": "Labor Day", "states": ["ZZ"]},
            "states: 'ZZ' is not a US state or Canadian province code",
        ),
        (
            {"holiday": "Labor Day", "states": [1]},
            "states must be a list of state or province codes",
        ),
        ({"holiday": "Labor Day", "states": {"CA": 1}}, None),
        ({"holiday": "Labor Day", "startTime": "10:00"}, "endTime: give both times or neither"),
        (
            {"holiday": "Labor Day", "startTime": "10:00", "endTime": "10:00"},
            "endTime: must differ from the start time",
        ),
        (
            {"holiday": "Labor Day", "doNotDial": True, "startTime": "10:00", "endTime": "12:00"},
            "startTime: a do-not-dial day has no calling window",
        ),
        (
            {"holiday": "Labor Day", "doNotDial": False},
            "startTime: give a calling window, or make it do-not-dial",
        ),
        ({"holiday": "Labor Day", "doNotDial": "maybe"}, "doNotDial must be true or false"),
        ({"holiday": 7}, "holiday must be a federal holiday's name"),
        ({"holiday": "Labor Day", "startTime": "25:00", "endTime": "01:00"}, None),
    ],
)
def test_it_refuses_bad_blackouts_in_the_familys_shape(it, own, sent, message):
    response = it.post(f"{URL}/{own.pk}/blackouts", sent)
    assert response.status_code == 400
    assert response.json()["errorCode"] == 202
    if message is not None:
        assert response.json() == {"errorCode": 202, "errorMessage": message}
    assert not DialingBlackout.objects.exists()
    assert not AuditEntry.objects.filter(action__startswith="profiles.blackout").exists()


def test_it_refuses_a_body_that_is_not_an_object(it, own):
    response = it.post(f"{URL}/{own.pk}/blackouts", ["Labor Day"])
    assert response.status_code == 400
    assert response.json()["errorCode"] == 202


def test_it_audits_in_the_profiles_history(it, own):
    path = f"{URL}/{own.pk}/blackouts"
    blackout_id = it.post(path, {"holiday": "Labor Day", "states": ["CA"]}).json()["id"]
    assert it.delete(f"{path}/{blackout_id}").status_code == 204
    created, deleted = AuditEntry.objects.filter(action__startswith="profiles.blackout").order_by(
        "id"
    )
    snapshot = {
        "id": blackout_id,
        "profileId": own.pk,
        "startDate": None,
        "endDate": None,
        "holiday": "Labor Day",
        "states": ["CA"],
        "doNotDial": True,
        "startTime": None,
        "endTime": None,
    }
    assert (created.action, created.after, created.before) == (
        "profiles.blackout.created",
        snapshot,
        None,
    )
    assert (deleted.action, deleted.before, deleted.after) == (
        "profiles.blackout.deleted",
        snapshot,
        None,
    )
    for entry in (created, deleted):
        assert (entry.subject_type, entry.subject_id) == ("profiles.dialingprofile", str(own.pk))
        assert entry.client_id == 4199
        assert entry.object_type == "profiles.dialingblackout"
        assert entry.object_name == "Labor Day in CA in Ours"


def test_another_clients_profile_and_blackouts_are_not_found(api, own, client_b):
    theirs = DialingProfile.objects.create(client=client_b, name="Theirs")
    their_blackout = DialingBlackout.objects.create(profile=theirs, holiday="Labor Day")
    outsider = api("outsider")
    assert outsider.get(f"{URL}/{own.pk}/blackouts").json() == NOT_FOUND
    assert outsider.post(f"{URL}/{own.pk}/blackouts", {"holiday": "Labor Day"}).status_code == 404
    # Their blackout under our profile is not found either, and stays.
    it = api("it_user")
    assert it.delete(f"{URL}/{own.pk}/blackouts/{their_blackout.pk}").json() == NOT_FOUND
    assert it.delete(f"{URL}/{own.pk}/blackouts/abc").json() == NOT_FOUND
    assert DialingBlackout.objects.filter(pk=their_blackout.pk).exists()


def test_a_system_wide_profiles_blackouts_are_changed_by_sysadmins_only(api, client_b):
    shared = DialingProfile.objects.create(client=None, name="Shared")
    path = f"{URL}/{shared.pk}/blackouts"
    refused = api("it_user").post(path, {"holiday": "Labor Day"})
    assert refused.status_code == 403
    assert set(refused.json()) == {"errorCode", "errorMessage"}
    created = api("sysadmin").post(path, {"holiday": "Labor Day"})
    assert created.status_code == 201
    # Every client reads them; the audit entry is the acting Sysadmin's client's.
    assert len(api("outsider").get(path).json()["blackout"]) == 1
    assert AuditEntry.objects.get(action="profiles.blackout.created").client_id == 4199


def test_managers_may_not(api, own):
    assert api("manager").get(f"{URL}/{own.pk}/blackouts").status_code == 403
    assert api("manager_with_dnc_power").post(f"{URL}/{own.pk}/blackouts", {}).status_code == 403


def test_the_vendors_read_answer_is_unchanged_by_blackouts(it, demo):  # noqa: F811
    before = it.get(f"{URL}/7850").content
    services.blackout_create(
        actor=Actor.command("test"),
        client=DialingProfile.objects.get(pk=7850).client,
        profile=DialingProfile.objects.get(pk=7850),
        settings=services.BlackoutSettings(holiday="Labor Day", do_not_dial=True),
    )
    assert DialingBlackout.objects.filter(profile_id=7850).exists()
    assert it.get(f"{URL}/7850").content == before
    # And it is still the spec's example, whole.
    vendor_api.test_it_replays_the_spec_read_example(it, demo)


def test_copies_and_deletions_carry_the_blackouts(it, own, client_a):
    DialingBlackout.objects.create(profile=own, holiday="Labor Day", states=["CA"])
    copy = services.profile_copy(actor=Actor.command("test"), client=client_a, profile=own)
    assert list(copy.blackouts.values_list("holiday", "states")) == [("Labor Day", ["CA"])]
    assert it.delete(f"{URL}/{copy.pk}").status_code == 204
    deleted = AuditEntry.objects.get(action="profiles.profile.deleted")
    assert [b["holiday"] for b in deleted.before["blackout"]] == ["Labor Day"]
    assert not DialingBlackout.objects.filter(profile_id=copy.pk).exists()


# --- the admin inline -----------------------------------------------------------------------


def with_blackouts(rows, initial=0, **extra) -> dict:
    data = form_data(**extra)
    data.update(
        {
            "blackouts-TOTAL_FORMS": str(len(rows)),
            "blackouts-INITIAL_FORMS": str(initial),
        }
    )
    for index, row in enumerate(rows):
        for key, value in row.items():
            if value is True:
                value = "on"
            if value is not False:
                data[f"blackouts-{index}-{key}"] = str(value)
    return data


def blackout_row(**given) -> dict:
    row = {
        "start_date": "",
        "end_date": "",
        "holiday": "",
        "states": "",
        "do_not_dial": False,
        "start_time": "",
        "end_time": "",
    }
    row.update(given)
    return row


@pytest.fixture
def browser(client, persona):
    def login(name: str):
        client.force_login(persona(name))
        return client

    return login


def test_the_admin_adds_edits_and_deletes_blackouts_through_the_services(browser, own):
    it = browser("it_user")
    page = it.get(change_url(own.pk)).content.decode()
    assert "Holidays and blackout dates" in page and "Thanksgiving Day" in page

    added = it.post(
        change_url(own.pk),
        with_blackouts(
            [
                blackout_row(holiday="Thanksgiving Day", do_not_dial=True),
                blackout_row(
                    start_date="2026-12-24", states="ca, nv", start_time="10:00", end_time="14:00"
                ),
            ],
            name="Ours",
        ),
    )
    assert added.status_code == 302, added.content.decode()[:3000]
    holiday, eve = own.blackouts.order_by("id")
    assert (holiday.holiday, holiday.do_not_dial) == ("Thanksgiving Day", True)
    assert (eve.start_date, eve.states, eve.start_time) == (
        date(2026, 12, 24),
        ["CA", "NV"],
        time(10),
    )
    page = it.get(change_url(own.pk)).content.decode()
    assert 'value="CA, NV"' in page and 'value="10:00"' in page

    edited = it.post(
        change_url(own.pk),
        with_blackouts(
            [
                {**blackout_row(holiday="Thanksgiving Day", do_not_dial=True), "id": holiday.pk},
                {
                    **blackout_row(
                        start_date="2026-12-24", states="CA", start_time="09:00", end_time="14:00"
                    ),
                    "id": eve.pk,
                    "DELETE": True,
                },
            ],
            initial=2,
            name="Ours",
        ),
    )
    assert edited.status_code == 302, edited.content.decode()[:3000]
    assert list(own.blackouts.values_list("pk", flat=True)) == [holiday.pk]
    actions = list(
        AuditEntry.objects.filter(action__startswith="profiles.blackout")
        .order_by("id")
        .values_list("action", flat=True)
    )
    assert actions == [
        "profiles.blackout.created",
        "profiles.blackout.created",
        "profiles.blackout.deleted",
    ]

    changed = it.post(
        change_url(own.pk),
        with_blackouts(
            [{**blackout_row(holiday="Labor Day", do_not_dial=True), "id": holiday.pk}],
            initial=1,
            name="Ours",
        ),
    )
    assert changed.status_code == 302
    updated = AuditEntry.objects.get(action="profiles.blackout.updated")
    assert (updated.before["holiday"], updated.after["holiday"]) == (
        "Thanksgiving Day",
        "Labor Day",
    )


@pytest.mark.parametrize(
    ("row", "message"),
    [
        (blackout_row(do_not_dial=True), "A date or a holiday is required"),
        (
            blackout_row(holiday="Labor Day", start_date="2026-09-07", do_not_dial=True),
            "Give a date or a holiday, not both",
        ),
        (
            blackout_row(holiday="Labor Day", states="ZZ", do_not_dial=True),
            "&#x27;ZZ&#x27; is not a US state or Canadian province code",
        ),
        (blackout_row(holiday="Labor Day"), "Give a calling window, or make it do-not-dial"),
        (
            blackout_row(start_date="2026-09-07", end_date="2026-09-01", do_not_dial=True),
            "May not be before the start date",
        ),
    ],
)
def test_the_admin_refuses_bad_blackouts_with_the_apis_rules(browser, own, row, message):
    response = browser("it_user").post(change_url(own.pk), with_blackouts([row], name="Ours"))
    assert response.status_code == 200
    assert message in response.content.decode()
    assert not DialingBlackout.objects.exists()


def test_the_admin_shows_a_system_wide_profiles_blackouts_read_only(browser):
    shared = DialingProfile.objects.create(client=None, name="Shared")
    DialingBlackout.objects.create(profile=shared, holiday="Labor Day")
    page = browser("it_user").get(change_url(shared.pk)).content.decode()
    assert "Labor Day" in page
    assert 'name="blackouts-0-holiday"' not in page


def test_the_schema_marks_the_routes_as_extensions_with_examples():
    from drf_spectacular.generators import SchemaGenerator

    paths = SchemaGenerator().get_schema(request=None, public=True)["paths"]
    operations = [
        paths["/compliance/dialingProfiles/{id}/blackouts"]["get"],
        paths["/compliance/dialingProfiles/{id}/blackouts"]["post"],
        paths["/compliance/dialingProfiles/{id}/blackouts/{blackout}"]["delete"],
    ]
    for operation in operations:
        assert operation["tags"] == ["Extensions"]
        assert "not part of the vendor's (LiveVox) API" in operation["description"]
    create = operations[1]["requestBody"]["content"]["application/json"]
    assert len(create["examples"]) == 3
    # The vendor's read stays in its own tag.
    assert paths["/compliance/dialingProfiles/{id}"]["get"]["tags"] == ["dialing profiles"]
