"""The dialing profiles admin: the client's and the system-wide profiles, policies inline with
local HH:MM times, the API's rules, service assignment, client default, copies; audited."""

import pytest

from livevox_site.models import AuditEntry
from profiles.models import ClientDialingProfile, DialingPolicy, DialingProfile, ServiceProfile

ADD = "/admin/profiles/dialingprofile/add/"
CHANGELIST = "/admin/profiles/dialingprofile/"


def change_url(pk: int) -> str:
    return f"/admin/profiles/dialingprofile/{pk}/change/"


def form_data(name="Admin made", description="", services=(), policies=(), initial=0, **extra):
    data = {
        "name": name,
        "description": description,
        "assigned_services": [str(s) for s in services],
        "policies-TOTAL_FORMS": str(len(policies)),
        "policies-INITIAL_FORMS": str(initial),
        "policies-MIN_NUM_FORMS": "0",
        "policies-MAX_NUM_FORMS": "1000",
        # The holidays and blackout dates inline (tests/test_profiles_blackouts.py).
        "blackouts-TOTAL_FORMS": "0",
        "blackouts-INITIAL_FORMS": "0",
        "blackouts-MIN_NUM_FORMS": "0",
        "blackouts-MAX_NUM_FORMS": "1000",
    }
    for index, policy in enumerate(policies):
        for key, value in policy.items():
            if value is True:
                value = "on"
            if value is not False:
                data[f"policies-{index}-{key}"] = str(value)
    data.update(extra)
    return data


def policy_row(day="MONDAY", state="", area_code="", start="", end="", **extra) -> dict:
    return {
        "day_of_week": day,
        "state": state,
        "area_code": area_code,
        "start_time": start,
        "end_time": end,
        "country": "",
        **extra,
    }


@pytest.fixture
def browser(client, persona):
    def login(name: str):
        client.force_login(persona(name))
        return client

    return login


@pytest.fixture
def shared(db) -> DialingProfile:
    profile = DialingProfile.objects.create(client=None, name="LV_Standard_SDR_A")
    DialingPolicy.objects.create(profile=profile, day_of_week="ALL", state="NV")
    return profile


@pytest.fixture
def own(client_a) -> DialingProfile:
    return DialingProfile.objects.create(client=client_a, name="Ours")


@pytest.fixture
def theirs(client_b) -> DialingProfile:
    return DialingProfile.objects.create(client=client_b, name="Theirs")


def test_it_lists_the_clients_and_the_system_wide_profiles_marked(browser, shared, own, theirs):
    page = browser("it_user").get(CHANGELIST).content.decode()
    assert "Ours" in page and "LV_Standard_SDR_A" in page and "Theirs" not in page
    assert "All clients (system-wide)" in page
    found = browser("it_user").get(CHANGELIST + "?q=SDR").content.decode()
    assert "LV_Standard_SDR_A" in found and "Ours" not in found
    assert browser("it_user").get(change_url(theirs.pk)).status_code == 302  # not found


def test_it_creates_a_profile_with_policies_in_local_times_audited(browser, client_a):
    response = browser("it_user").post(
        ADD,
        form_data(
            services=[20180],
            policies=[policy_row(state="ca", area_code="415", start="09:00", end="21:00")],
        ),
    )
    assert response.status_code == 302, response.content.decode()[:3000]
    profile = DialingProfile.objects.get(name="Admin made")
    assert profile.client_id == client_a.pk
    policy = profile.policies.get()
    assert (policy.state, policy.area_code, str(policy.start_time)) == ("CA", "415", "09:00:00")
    assert ServiceProfile.objects.get(service_id=20180).profile_id == profile.pk
    actions = set(AuditEntry.objects.values_list("action", flat=True))
    assert {
        "profiles.profile.created",
        "profiles.policy.created",
        "profiles.profile.service_added",
    } <= actions
    page = browser("it_user").get(change_url(profile.pk)).content.decode()
    assert 'value="09:00"' in page and 'value="21:00"' in page


@pytest.mark.parametrize(
    ("row", "message"),
    [
        (policy_row(state="KS", area_code="415"), "Area code/state mismatch"),
        (policy_row(state="ZZ"), "&#x27;ZZ&#x27; is not a US state or Canadian province code"),
        (policy_row(), "A state or an area code or both are required"),
        (policy_row(state="TX", start="09:00"), "Give both times or neither"),
        (policy_row(state="TX", start="09:00", end="09:00"), "Must differ from the start time"),
    ],
)
def test_it_refuses_bad_policies_with_the_apis_rules(browser, client_a, row, message):
    response = browser("it_user").post(ADD, form_data(policies=[row]))
    assert response.status_code == 200
    assert message in response.content.decode()
    assert not DialingProfile.objects.exists()


def test_it_lets_only_a_sysadmin_change_a_system_wide_profile(browser, shared):
    it = browser("it_user")
    page = it.get(change_url(shared.pk))
    assert page.status_code == 200 and b'name="name"' not in page.content  # read-only
    refused = it.post(change_url(shared.pk), form_data(name="Mine"))
    assert refused.status_code == 403
    sysadmin = browser("sysadmin")
    data = form_data(
        name="Renamed",
        policies=[{"id": shared.policies.get().pk, **policy_row(day="ALL", state="NV")}],
        initial=1,
    )
    data["client"] = ""
    assert sysadmin.post(change_url(shared.pk), data).status_code == 302
    shared.refresh_from_db()
    assert (shared.name, shared.client_id) == ("Renamed", None)


def test_it_copies_a_system_wide_profile_to_my_client(browser, shared, client_a):
    response = browser("it_user").post(
        CHANGELIST, {"action": "copy_to_my_client", "_selected_action": [shared.pk]}
    )
    assert response.status_code == 302
    copy = DialingProfile.objects.get(client=client_a)
    assert copy.name == "LV_Standard_SDR_A"
    assert list(copy.policies.values_list("day_of_week", "state")) == [("ALL", "NV")]
    assert AuditEntry.objects.filter(action="profiles.profile.created", client=client_a).exists()


def test_it_makes_a_profile_the_client_default(browser, shared, own, client_a):
    it = browser("it_user")
    it.post(CHANGELIST, {"action": "make_client_default", "_selected_action": [shared.pk]})
    assert ClientDialingProfile.objects.get(client=client_a).default_profile_id == shared.pk
    it.post(CHANGELIST, {"action": "make_client_default", "_selected_action": [own.pk]})
    assert ClientDialingProfile.objects.get(client=client_a).default_profile_id == own.pk
    assert AuditEntry.objects.filter(action="profiles.client_default.set").count() == 2


def test_it_moves_a_service_and_removes_it(browser, own, shared):
    ServiceProfile.objects.create(service_id=20180, profile=shared)
    it = browser("it_user")
    assert it.post(change_url(own.pk), form_data(name="Ours", services=[20180])).status_code == 302
    assert ServiceProfile.objects.get(service_id=20180).profile_id == own.pk
    entry = AuditEntry.objects.get(action="profiles.profile.service_added")
    assert entry.details == {"service": 20180, "movedFrom": shared.pk}
    assert it.post(change_url(own.pk), form_data(name="Ours")).status_code == 302
    assert not ServiceProfile.objects.exists()


def test_it_edits_and_deletes_policies_through_the_services(browser, own):
    policy = DialingPolicy.objects.create(profile=own, day_of_week="MONDAY", state="TX")
    it = browser("it_user")
    data = form_data(
        name="Ours",
        policies=[{"id": policy.pk, **policy_row(state="TX", start="21:00", end="08:00")}],
        initial=1,
    )
    assert it.post(change_url(own.pk), data).status_code == 302
    policy.refresh_from_db()
    assert (str(policy.start_time), str(policy.end_time)) == ("21:00:00", "08:00:00")
    data = form_data(
        name="Ours",
        policies=[{"id": policy.pk, **policy_row(state="TX"), "DELETE": True}],
        initial=1,
    )
    assert it.post(change_url(own.pk), data).status_code == 302
    assert not DialingPolicy.objects.exists()
    assert AuditEntry.objects.filter(action="profiles.policy.deleted").exists()


def test_it_refuses_managers(browser, own):
    assert browser("manager").get(CHANGELIST).status_code == 403
