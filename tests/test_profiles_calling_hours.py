"""The calling-hours engine (``profiles.calling_hours``): which profile, where the callee is,
which policy wins, windows across midnight, daylight saving both ways, zones across the date
line, multi-zone area codes, unknown locations, blackouts and holidays by rule, and
``next_allowed_at``. Every moment is explicit (``at``), or frozen where "now" is the default."""

from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest
import time_machine

from livevox_site.audit import Actor
from livevox_site.geography import area_code_of, locate
from profiles import services
from profiles.calling_hours import HORIZON_DAYS, CallingHoursPlan, calling_window_decision
from profiles.models import ClientDialingProfile, DialingPolicy, DialingProfile, ServiceProfile

NY = ZoneInfo("America/New_York")
CHI = ZoneInfo("America/Chicago")
LA = ZoneInfo("America/Los_Angeles")
HNL = ZoneInfo("Pacific/Honolulu")
ANC = ZoneInfo("America/Anchorage")
BOISE = ZoneInfo("America/Boise")
ACTOR = Actor.command("test")

# Places: zip -> (state, zone) as the geography data has them.
MANHATTAN = "10001"  # NY, America/New_York
AUSTIN = "78701"  # TX, America/Chicago
SAN_FRANCISCO = "94111"  # CA, America/Los_Angeles
HONOLULU = "96813"  # HI, Pacific/Honolulu
ANCHORAGE = "99501"  # AK, America/Anchorage
SERVICE = 20180  # client A's
OTHER_SERVICE = 18892

# 2026-01-12 is a Monday; 2026-01-17 a Saturday, 2026-01-18 a Sunday.
MONDAY, SATURDAY, SUNDAY = date(2026, 1, 12), date(2026, 1, 17), date(2026, 1, 18)


def at(day: date, hour: int, minute: int = 0, zone=NY, second: int = 0) -> datetime:
    return datetime.combine(day, time(hour, minute, second), tzinfo=zone)


def profile(client, *policies, name="Rules", link=SERVICE) -> DialingProfile:
    """A profile of ``client`` (None: system-wide) with ``policies`` (dicts of model fields),
    used by ``link`` (a service id) when given."""
    made = DialingProfile.objects.create(client=client, name=name)
    for policy in policies:
        DialingPolicy.objects.create(profile=made, **policy)
    if link is not None:
        ServiceProfile.objects.update_or_create(service_id=link, defaults={"profile": made})
    return made


def pol(day="ALL", state="", area_code="", start=None, end=None, dnd=False) -> dict:
    return {
        "day_of_week": day,
        "state": state,
        "area_code": area_code,
        "start_time": time.fromisoformat(start) if start else None,
        "end_time": time.fromisoformat(end) if end else None,
        "do_not_dial": dnd,
    }


def blackout(prof, **settings):
    return services.blackout_create(
        actor=ACTOR,
        client=prof.client,
        profile=prof,
        settings=services.BlackoutSettings(**settings),
    )


def decide(client, when: datetime, service=SERVICE, **where):
    return CallingHoursPlan.for_client(client).decide(service, at=when, **where)


def default_reason(zone: str, profile_id=None) -> dict:
    return {
        "rule": "defaultWindow",
        "profileId": profile_id,
        "window": "08:00-21:00",
        "timeZone": zone,
    }


def policy_reason(policy: DialingPolicy, zone: str, window=None) -> dict:
    return {
        "rule": "dialingPolicy",
        "profileId": policy.profile_id,
        "policyId": policy.pk,
        "dayOfWeek": policy.day_of_week,
        "state": policy.state or None,
        "areaCode": policy.area_code or None,
        "doNotDial": policy.do_not_dial,
        "window": window,
        "timeZone": zone,
    }


# --- no profile: the default window on the callee's clock --------------------------------


def test_without_a_profile_the_default_window_applies_on_the_callees_clock(client_a):
    early = decide(client_a, at(MONDAY, 7, 59, second=59), zip=MANHATTAN)
    assert early.allowed is False
    assert early.profile_id is None
    assert early.reasons == [default_reason("America/New_York")]
    assert early.next_allowed_at == at(MONDAY, 8)
    assert early.time_zone == "America/New_York"
    assert early.local_time.isoformat() == "2026-01-12T07:59:59-05:00"

    opening = decide(client_a, at(MONDAY, 8), zip=MANHATTAN)
    assert (opening.allowed, opening.reasons, opening.next_allowed_at) == (
        True,
        [],
        at(MONDAY, 8),
    )
    assert decide(client_a, at(MONDAY, 20, 59, second=59), zip=MANHATTAN).allowed is True

    closing = decide(client_a, at(MONDAY, 21), zip=MANHATTAN)
    assert closing.allowed is False
    assert closing.next_allowed_at == at(MONDAY + timedelta(days=1), 8)


def test_as_wire_is_the_contact_check_shape(client_a):
    decision = decide(client_a, at(MONDAY, 7), zip=MANHATTAN)
    assert decision.as_wire() == {
        "allowed": False,
        "reasons": [default_reason("America/New_York")],
        "localTime": "2026-01-12T07:00:00-05:00",
        "timeZone": "America/New_York",
        "nextAllowedAt": int(at(MONDAY, 8).timestamp() * 1000),
    }


def test_the_callee_in_honolulu_is_called_on_honolulu_time_not_the_clients(client_a):
    # 09:00 in New York is 04:00 in Honolulu (UTC-10, no daylight saving).
    morning = decide(client_a, at(MONDAY, 9), zip=HONOLULU)
    assert morning.allowed is False
    assert morning.time_zone == "Pacific/Honolulu"
    assert morning.local_time.isoformat() == "2026-01-12T04:00:00-10:00"
    assert morning.next_allowed_at == at(MONDAY, 8, zone=HNL) == at(MONDAY, 13)
    # 23:30 in New York is 18:30 in Honolulu: allowed there, though the client's day is over.
    assert decide(client_a, at(MONDAY, 23, 30), zip=HONOLULU).allowed is True
    # By phone: 808 is Hawaii's area code.
    assert decide(client_a, at(MONDAY, 23, 30), phone="(808) 555-0100").allowed is True


def test_the_weekday_is_the_callees_across_the_date_line_between_zones(client_a):
    # Monday is do-not-dial in Alaska; other days are open all day.
    prof = profile(client_a, pol("MONDAY", state="AK", dnd=True), pol("ALL", state="AK"))
    monday_dnd = DialingPolicy.objects.get(profile=prof, day_of_week="MONDAY")
    # 06:00 UTC: Tuesday 01:00 for the client in New York, Monday 21:00 in Anchorage.
    moment = datetime(2026, 1, 13, 6, 0, tzinfo=UTC)
    decision = decide(client_a, moment, zip=ANCHORAGE)
    assert decision.local_time.isoformat() == "2026-01-12T21:00:00-09:00"
    assert decision.allowed is False
    assert decision.reasons == [policy_reason(monday_dnd, "America/Anchorage")]
    # Tuesday starts at Anchorage's midnight: 09:00 UTC, 04:00 in New York.
    assert decision.next_allowed_at == at(MONDAY + timedelta(days=1), 0, zone=ANC)
    assert decision.next_allowed_at == datetime(2026, 1, 13, 9, 0, tzinfo=UTC)
    assert (
        decide(client_a, datetime(2026, 1, 13, 8, 59, tzinfo=UTC), zip=ANCHORAGE).allowed is False
    )
    assert decide(client_a, datetime(2026, 1, 13, 9, 0, tzinfo=UTC), zip=ANCHORAGE).allowed is True


# --- which profile ------------------------------------------------------------------------


def test_the_service_profile_wins_over_the_client_default_and_the_system_wide_one(client_a):
    own = profile(client_a, pol(state="NY", start="10:00", end="11:00"), name="Service's")
    default = profile(client_a, pol(state="NY", start="12:00", end="13:00"), link=None)
    ClientDialingProfile.objects.create(client=client_a, default_profile=default)
    profile(None, pol(state="NY", start="14:00", end="15:00"), name="Shared", link=None)
    plan = CallingHoursPlan.for_client(client_a)
    assert plan.decide(SERVICE, zip=MANHATTAN, at=at(MONDAY, 10, 30)).profile_id == own.pk
    assert plan.decide(SERVICE, zip=MANHATTAN, at=at(MONDAY, 10, 30)).allowed is True
    # Another service of the client has no profile of its own: the client's default.
    other = plan.decide(OTHER_SERVICE, zip=MANHATTAN, at=at(MONDAY, 10, 30))
    assert (other.profile_id, other.allowed) == (default.pk, False)
    assert other.next_allowed_at == at(MONDAY, 12)
    # No service, or one that is not the client's: the client's default too.
    assert plan.decide(None, zip=MANHATTAN, at=at(MONDAY, 12)).profile_id == default.pk
    assert plan.decide(93126, zip=MANHATTAN, at=at(MONDAY, 12)).profile_id == default.pk


def test_without_a_default_the_only_system_wide_profile_applies(client_a):
    shared = profile(None, pol(state="NY", start="14:00", end="15:00"), name="Shared", link=None)
    decision = decide(client_a, at(MONDAY, 10), zip=MANHATTAN)
    assert (decision.profile_id, decision.allowed) == (shared.pk, False)
    assert decision.next_allowed_at == at(MONDAY, 14)


def test_with_several_system_wide_profiles_none_is_chosen(client_a):
    profile(None, pol(state="NY", start="14:00", end="15:00"), name="One", link=None)
    profile(None, pol(state="NY", start="16:00", end="17:00"), name="Two", link=None)
    decision = decide(client_a, at(MONDAY, 10), zip=MANHATTAN)
    assert (decision.profile_id, decision.allowed) == (None, True)


def test_a_profile_without_a_policy_for_the_place_falls_back_to_the_default_window(client_a):
    prof = profile(client_a, pol(state="TX", start="09:00", end="10:00"))
    decision = decide(client_a, at(MONDAY, 7), zip=MANHATTAN)
    assert decision.reasons == [default_reason("America/New_York", prof.pk)]
    assert decide(client_a, at(MONDAY, 20), zip=MANHATTAN).allowed is True


def test_a_policys_window_replaces_the_default_window(client_a):
    profile(client_a, pol(state="NY", start="07:00", end="22:00"))
    assert decide(client_a, at(MONDAY, 7, 30), zip=MANHATTAN).allowed is True
    assert decide(client_a, at(MONDAY, 21, 30), zip=MANHATTAN).allowed is True
    assert decide(client_a, at(MONDAY, 22), zip=MANHATTAN).allowed is False


def test_a_policy_without_times_allows_the_whole_day(client_a):
    profile(client_a, pol("WEEKDAY", state="NY"))
    assert decide(client_a, at(MONDAY, 3), zip=MANHATTAN).allowed is True
    # Saturday: no policy for the day, the default window.
    assert decide(client_a, at(SATURDAY, 3), zip=MANHATTAN).allowed is False


# --- precedence -----------------------------------------------------------------------------


def test_an_area_code_policy_wins_over_the_state_policy(client_a):
    prof = profile(
        client_a,
        pol("WEEKDAY", state="TX", start="09:00", end="20:00"),
        pol("ALL", area_code="512", start="10:00", end="18:00"),
    )
    area = DialingPolicy.objects.get(profile=prof, area_code="512")
    austin = decide(client_a, at(MONDAY, 9, 30, zone=CHI), phone="512-555-0100")
    assert austin.allowed is False
    assert austin.reasons == [policy_reason(area, "America/Chicago", "10:00-18:00")]
    assert austin.next_allowed_at == at(MONDAY, 10, zone=CHI)
    assert decide(client_a, at(MONDAY, 19, 0, zone=CHI), phone="5125550100").allowed is False
    # Houston's 713: the state's policy.
    assert decide(client_a, at(MONDAY, 9, 30, zone=CHI), phone="7135550100").allowed is True
    # The phone's area code counts also when the zip gives the place.
    assert decide(
        client_a, at(MONDAY, 9, 30, zone=CHI), zip=AUSTIN, phone="5125550100"
    ).allowed is (False)
    # A New York number that lives in Austin: the state is the zip's, the clock Austin's.
    living = decide(client_a, at(MONDAY, 9, 30, zone=CHI), zip=AUSTIN, phone="2125550100")
    assert (living.allowed, living.time_zone) == (True, "America/Chicago")


def test_the_state_applies_on_days_the_area_code_has_no_policy_for(client_a):
    prof = profile(
        client_a,
        pol("SATURDAY", area_code="512", dnd=True),
        pol("ALL", state="TX", start="09:00", end="20:00"),
    )
    state = DialingPolicy.objects.get(profile=prof, state="TX", area_code="")
    monday = decide(client_a, at(MONDAY, 8, 30, zone=CHI), phone="5125550100")
    assert monday.reasons == [policy_reason(state, "America/Chicago", "09:00-20:00")]
    saturday = decide(client_a, at(SATURDAY, 12, 0, zone=CHI), phone="5125550100")
    assert saturday.allowed is False
    assert saturday.reasons[0]["doNotDial"] is True
    # The first moment after Saturday: Sunday 09:00 (the state's window).
    assert saturday.next_allowed_at == at(SUNDAY, 9, zone=CHI)


def test_an_area_code_and_state_policy_needs_both_to_match(client_a):
    profile(client_a, pol("ALL", state="TX", area_code="512", dnd=True))
    assert decide(client_a, at(MONDAY, 12, zone=CHI), phone="5125550100").allowed is False
    # A 512 number whose holder lives in New York: the policy is for Texans with 512.
    assert decide(client_a, at(MONDAY, 12), zip=MANHATTAN, phone="5125550100").allowed is True


def test_a_single_day_beats_weekend_which_beats_all(client_a):
    prof = profile(
        client_a,
        pol("ALL", state="TX", start="08:00", end="21:00"),
        pol("WEEKEND", state="TX", start="12:00", end="18:00"),
        pol("SATURDAY", state="TX", dnd=True),
    )
    saturday_dnd = DialingPolicy.objects.get(profile=prof, day_of_week="SATURDAY")
    weekend = DialingPolicy.objects.get(profile=prof, day_of_week="WEEKEND")
    sat = decide(client_a, at(SATURDAY, 13, zone=CHI), zip=AUSTIN)
    assert sat.reasons == [policy_reason(saturday_dnd, "America/Chicago")]
    assert sat.next_allowed_at == at(SUNDAY, 12, zone=CHI)
    sun = decide(client_a, at(SUNDAY, 9, zone=CHI), zip=AUSTIN)
    assert sun.reasons == [policy_reason(weekend, "America/Chicago", "12:00-18:00")]
    assert decide(client_a, at(SUNDAY, 13, zone=CHI), zip=AUSTIN).allowed is True
    assert decide(client_a, at(MONDAY, 9, zone=CHI), zip=AUSTIN).allowed is True


def test_policies_of_equal_rank_must_all_allow(client_a):
    prof = profile(
        client_a,
        pol("MONDAY", state="TX", start="09:00", end="17:00"),
        pol("MONDAY", state="TX", start="12:00", end="20:00"),
    )
    late = DialingPolicy.objects.get(profile=prof, start_time=time(12))
    early = decide(client_a, at(MONDAY, 10, zone=CHI), zip=AUSTIN)
    assert early.reasons == [policy_reason(late, "America/Chicago", "12:00-20:00")]
    assert early.next_allowed_at == at(MONDAY, 12, zone=CHI)
    assert decide(client_a, at(MONDAY, 16, 59, zone=CHI), zip=AUSTIN).allowed is True
    evening = decide(client_a, at(MONDAY, 17, zone=CHI), zip=AUSTIN)
    assert evening.allowed is False
    # Tuesday has no policy: the default window, from 08:00.
    assert evening.next_allowed_at == at(MONDAY + timedelta(days=1), 8, zone=CHI)


def test_a_do_not_dial_policy_for_every_day_never_allows(client_a):
    prof = profile(client_a, pol("ALL", state="NY", dnd=True))
    decision = decide(client_a, at(MONDAY, 12), zip=MANHATTAN)
    assert decision.allowed is False
    assert decision.next_allowed_at is None
    assert decision.reasons == [
        policy_reason(DialingPolicy.objects.get(profile=prof), "America/New_York")
    ]
    assert decision.as_wire()["nextAllowedAt"] is None


def test_weekdays_only_skips_the_weekend(client_a):
    profile(
        client_a,
        pol("WEEKDAY", state="NY", start="09:00", end="17:00"),
        pol("WEEKEND", state="NY", dnd=True),
    )
    friday_evening = decide(client_a, at(date(2026, 1, 16), 18), zip=MANHATTAN)
    assert friday_evening.next_allowed_at == at(date(2026, 1, 19), 9)


# --- windows across midnight ----------------------------------------------------------------


def test_a_window_that_crosses_midnight(client_a):
    prof = profile(client_a, pol("ALL", state="NY", start="22:00", end="02:00"))
    policy = DialingPolicy.objects.get(profile=prof)
    assert decide(client_a, at(MONDAY, 23), zip=MANHATTAN).allowed is True
    assert decide(client_a, at(MONDAY, 1, 59), zip=MANHATTAN).allowed is True
    three = decide(client_a, at(MONDAY, 3), zip=MANHATTAN)
    assert three.reasons == [policy_reason(policy, "America/New_York", "22:00-02:00")]
    assert three.next_allowed_at == at(MONDAY, 22)
    assert decide(client_a, at(MONDAY, 2), zip=MANHATTAN).allowed is False


def test_a_midnight_window_belongs_to_each_date_by_its_own_weekday(client_a):
    # Monday's 22:00-02:00 allows Monday 00:00-02:00 and 22:00-24:00; Tuesday has its own.
    profile(
        client_a,
        pol("MONDAY", state="NY", start="22:00", end="02:00"),
        pol("TUESDAY", state="NY", dnd=True),
    )
    assert decide(client_a, at(MONDAY, 1), zip=MANHATTAN).allowed is True
    assert decide(client_a, at(MONDAY, 23, 30), zip=MANHATTAN).allowed is True
    tuesday = decide(client_a, at(MONDAY + timedelta(days=1), 1), zip=MANHATTAN)
    assert tuesday.allowed is False
    # Wednesday: the default window.
    assert tuesday.next_allowed_at == at(MONDAY + timedelta(days=2), 8)


def test_next_allowed_runs_through_midnight_in_one_piece(client_a):
    profile(client_a, pol("ALL", state="NY", start="22:00", end="02:00"))
    # Allowed at 23:59:59 and at 00:00:00 the next day.
    assert decide(client_a, at(MONDAY, 23, 59, second=59), zip=MANHATTAN).allowed is True
    assert decide(client_a, at(MONDAY + timedelta(days=1), 0), zip=MANHATTAN).allowed is True


# --- daylight saving -----------------------------------------------------------------------


def test_spring_forward_keeps_eight_oclock_local(client_a):
    # 2026-03-08: New York goes from 02:00 EST to 03:00 EDT.
    night = decide(client_a, datetime(2026, 3, 8, 6, 59, tzinfo=UTC), zip=MANHATTAN)
    assert night.local_time.isoformat() == "2026-03-08T01:59:00-05:00"
    assert night.next_allowed_at == datetime(2026, 3, 8, 12, 0, tzinfo=UTC)
    assert night.next_allowed_at.isoformat() == "2026-03-08T08:00:00-04:00"
    # The day before, 08:00 was 13:00 UTC.
    saturday = decide(client_a, datetime(2026, 3, 7, 6, 59, tzinfo=UTC), zip=MANHATTAN)
    assert saturday.next_allowed_at == datetime(2026, 3, 7, 13, 0, tzinfo=UTC)


def test_a_window_opening_in_the_spring_gap_opens_an_hour_later(client_a):
    profile(client_a, pol("ALL", state="NY", start="02:30", end="05:00"))
    decision = decide(client_a, datetime(2026, 3, 8, 6, 0, tzinfo=UTC), zip=MANHATTAN)
    assert decision.allowed is False
    # 02:30 does not exist that night: shifted forward by the gap (as java.time does), 03:30
    # EDT, the instant 02:30 EST would have been.
    assert decision.next_allowed_at.isoformat() == "2026-03-08T03:30:00-04:00"
    assert not decide(client_a, datetime(2026, 3, 8, 7, 29, tzinfo=UTC), zip=MANHATTAN).allowed
    assert decide(client_a, datetime(2026, 3, 8, 7, 30, tzinfo=UTC), zip=MANHATTAN).allowed


def test_fall_back_keeps_eight_oclock_local(client_a):
    # 2026-11-01: New York goes from 02:00 EDT back to 01:00 EST.
    night = decide(client_a, datetime(2026, 11, 1, 5, 30, tzinfo=UTC), zip=MANHATTAN)
    assert night.local_time.isoformat() == "2026-11-01T01:30:00-04:00"
    assert night.next_allowed_at == datetime(2026, 11, 1, 13, 0, tzinfo=UTC)
    # 21:00 EST that evening is 02:00 UTC the next day.
    assert decide(client_a, datetime(2026, 11, 2, 1, 59, tzinfo=UTC), zip=MANHATTAN).allowed
    assert not decide(client_a, datetime(2026, 11, 2, 2, 0, tzinfo=UTC), zip=MANHATTAN).allowed


def test_an_ambiguous_fall_back_time_reads_as_its_first_occurrence(client_a):
    profile(client_a, pol("ALL", state="NY", start="01:00", end="01:30"))
    first = decide(client_a, datetime(2026, 11, 1, 5, 15, tzinfo=UTC), zip=MANHATTAN)
    assert (first.local_time.isoformat(), first.allowed) == ("2026-11-01T01:15:00-04:00", True)
    second = decide(client_a, datetime(2026, 11, 1, 6, 15, tzinfo=UTC), zip=MANHATTAN)
    assert (second.local_time.isoformat(), second.allowed) == ("2026-11-01T01:15:00-05:00", False)
    assert second.next_allowed_at.isoformat() == "2026-11-02T01:00:00-05:00"


def test_honolulu_keeps_its_clock_when_new_york_changes(client_a):
    # Honolulu has no daylight saving: 08:00 there is 13:00 EST in winter, 14:00 EDT in summer.
    winter = decide(client_a, at(MONDAY, 12), zip=HONOLULU)
    summer = decide(client_a, at(date(2026, 7, 6), 12), zip=HONOLULU)
    assert winter.next_allowed_at == at(MONDAY, 13)
    assert summer.next_allowed_at == at(date(2026, 7, 6), 14)


# --- zones ---------------------------------------------------------------------------------


def test_a_multi_zone_area_code_is_read_most_restrictively(client_a):
    # 208 (Idaho) spans Mountain (Boise) and Pacific (the panhandle) time.
    boise_eight_thirty = at(MONDAY, 8, 30, zone=BOISE)  # 07:30 Pacific
    decision = decide(client_a, boise_eight_thirty, phone="2085550100")
    assert decision.allowed is False
    assert decision.time_zones == ("America/Boise", "America/Los_Angeles")
    assert decision.reasons == [default_reason("America/Los_Angeles")]
    assert decision.next_allowed_at == at(MONDAY, 8, zone=LA)
    # In the evening it is Boise that closes first: 21:00 Mountain is 20:00 Pacific.
    evening = decide(client_a, at(MONDAY, 21, 15, zone=BOISE), phone="2085550100")
    assert evening.reasons == [default_reason("America/Boise")]
    assert evening.next_allowed_at == at(MONDAY + timedelta(days=1), 8, zone=LA)
    # With the zip, one zone: Boise's.
    assert decide(client_a, boise_eight_thirty, zip="83702", phone="2085550100").allowed


def test_zones_that_keep_the_same_clock_are_one_reading():
    # 812 (Indiana) lists Chicago and New York zones; 907 Anchorage and Adak.
    assert [r.zone for r in locate("", "812").readings] == ["America/Chicago", "America/New_York"]
    assert locate("", "907").zone == "America/Anchorage"
    assert locate("", "808").zone == "Pacific/Honolulu"
    assert locate("48201", "").zone == "America/Detroit"
    assert len(locate("48201", "").readings) == 1


def test_unknown_location_is_read_over_every_state_and_province(client_a):
    # A toll-free number and no zip: the callee may be anywhere. In July, 08:00 in Honolulu
    # (18:00 UTC) opens last; 21:00 in St. John's, Newfoundland (23:30 UTC) closes first.
    july = date(2026, 7, 1)
    decision = decide(client_a, datetime.combine(july, time(16), tzinfo=UTC), phone="8005550100")
    assert decision.allowed is False
    assert decision.location_known is False
    assert decision.reasons[0] == {"rule": "unknownLocation", "zip": None, "areaCode": "800"}
    assert default_reason("Pacific/Honolulu") in decision.reasons
    assert decision.time_zone == "America/New_York"  # the client's
    assert decision.next_allowed_at == datetime.combine(july, time(18), tzinfo=UTC)
    assert decide(client_a, datetime.combine(july, time(23, 29), tzinfo=UTC)).allowed is True
    late = decide(client_a, datetime.combine(july, time(23, 30), tzinfo=UTC), zip="00000")
    assert late.allowed is False
    assert late.reasons[0] == {"rule": "unknownLocation", "zip": "00000", "areaCode": None}
    assert default_reason("America/St_Johns") in late.reasons


def test_unknown_location_applies_every_states_policies(client_a):
    profile(client_a, pol("ALL", state="TX", dnd=True))
    decision = decide(client_a, datetime(2026, 7, 1, 20, tzinfo=UTC))
    assert decision.allowed is False
    assert decision.next_allowed_at is None
    assert [r["rule"] for r in decision.reasons[:2]] == ["unknownLocation", "dialingPolicy"]


def test_malformed_input_reads_as_not_given():
    assert area_code_of("+1 (415) 555-0100") == "415"
    assert area_code_of("14155550100") == "415"
    assert area_code_of("415555") == ""
    assert area_code_of("1115550100") == ""
    assert area_code_of(None) == ""


def test_a_malformed_zip_falls_back_to_the_phone(client_a):
    decision = decide(client_a, at(MONDAY, 12), zip="ABCDE", phone="8085550100")
    assert decision.time_zone == "Pacific/Honolulu"


# --- blackouts and holidays -----------------------------------------------------------------


def blackout_reason(item, day: str, zone: str, holiday=None, states=(), window=None) -> dict:
    return {
        "rule": "blackout",
        "profileId": item.profile_id,
        "blackoutId": item.pk,
        "date": day,
        "holiday": holiday,
        "states": list(states),
        "doNotDial": window is None,
        "window": window,
        "timeZone": zone,
    }


def test_a_fixed_date_blackout_blocks_that_local_date(client_a):
    prof = profile(client_a, pol("ALL", state="NY"), pol("ALL", state="HI"))
    christmas = blackout(prof, start_date=date(2026, 12, 25), do_not_dial=True)
    # 06:00 UTC: already the 25th in New York (01:00), still the 24th in Honolulu (20:00).
    moment = datetime(2026, 12, 25, 6, 0, tzinfo=UTC)
    ny = decide(client_a, moment, zip=MANHATTAN)
    assert ny.reasons == [blackout_reason(christmas, "2026-12-25", "America/New_York")]
    assert ny.next_allowed_at == at(date(2026, 12, 26), 0)
    assert decide(client_a, moment, zip=HONOLULU).allowed is True


def test_a_date_range_blackout(client_a):
    prof = profile(client_a)
    shutdown = blackout(
        prof, start_date=date(2026, 8, 3), end_date=date(2026, 8, 7), do_not_dial=True
    )
    monday = decide(client_a, at(date(2026, 8, 3), 12), zip=MANHATTAN)
    assert monday.reasons == [blackout_reason(shutdown, "2026-08-03", "America/New_York")]
    assert monday.next_allowed_at == at(date(2026, 8, 8), 8)
    assert decide(client_a, at(date(2026, 8, 7), 12), zip=MANHATTAN).allowed is False
    assert decide(client_a, at(date(2026, 8, 8), 12), zip=MANHATTAN).allowed is True
    assert decide(client_a, at(date(2026, 8, 2), 12), zip=MANHATTAN).allowed is True


def test_a_holiday_by_rule_blocks_every_year(client_a):
    prof = profile(client_a)
    thanksgiving = blackout(prof, holiday="thanksgiving day", do_not_dial=True)
    assert thanksgiving.holiday == "Thanksgiving Day"
    for day in (date(2026, 11, 26), date(2027, 11, 25), date(2030, 11, 28)):
        decision = decide(client_a, at(day, 12), zip=MANHATTAN)
        assert decision.reasons == [
            blackout_reason(thanksgiving, day.isoformat(), "America/New_York", "Thanksgiving Day")
        ]
        assert decision.next_allowed_at == at(day + timedelta(days=1), 8)
    assert decide(client_a, at(date(2026, 11, 27), 12), zip=MANHATTAN).allowed is True


def test_a_holiday_blocks_its_observed_day_too(client_a):
    prof = profile(client_a)
    blackout(prof, holiday="Independence Day", do_not_dial=True)
    # 2026-07-04 is a Saturday, observed on Friday 3 July.
    friday = decide(client_a, at(date(2026, 7, 3), 12), zip=MANHATTAN)
    assert friday.allowed is False
    assert friday.next_allowed_at == at(date(2026, 7, 5), 8)


def test_a_holiday_limited_to_states(client_a):
    prof = profile(client_a)
    only_ca = blackout(prof, holiday="Labor Day", states=("ca",), do_not_dial=True)
    assert only_ca.states == ["CA"]
    labor_day = date(2026, 9, 7)
    assert decide(client_a, at(labor_day, 12), zip=MANHATTAN).allowed is True
    sf = decide(client_a, at(labor_day, 12, zone=LA), zip=SAN_FRANCISCO)
    assert sf.reasons == [
        blackout_reason(only_ca, "2026-09-07", "America/Los_Angeles", "Labor Day", ["CA"])
    ]
    # By phone: 415 is California's.
    assert decide(client_a, at(labor_day, 12, zone=LA), phone="4155550100").allowed is False


def test_a_blackout_window_narrows_the_day(client_a):
    prof = profile(client_a)
    eve = blackout(prof, start_date=date(2026, 12, 24), start_time=time(10), end_time=time(14))
    day = date(2026, 12, 24)
    early = decide(client_a, at(day, 9), zip=MANHATTAN)
    assert early.reasons == [
        blackout_reason(eve, "2026-12-24", "America/New_York", window="10:00-14:00")
    ]
    assert early.next_allowed_at == at(day, 10)
    assert decide(client_a, at(day, 11), zip=MANHATTAN).allowed is True
    # 07:00: both the default window and the blackout's narrower window block.
    seven = decide(client_a, at(day, 7), zip=MANHATTAN)
    assert [reason["rule"] for reason in seven.reasons] == ["defaultWindow", "blackout"]
    afternoon = decide(client_a, at(day, 15), zip=MANHATTAN)
    assert afternoon.next_allowed_at == at(day + timedelta(days=1), 8)


def test_next_allowed_is_none_beyond_the_horizon(client_a):
    prof = profile(client_a)
    blackout(
        prof,
        start_date=date(2026, 8, 1),
        end_date=date(2026, 8, 1) + timedelta(days=HORIZON_DAYS + 2),
        do_not_dial=True,
    )
    assert decide(client_a, at(date(2026, 8, 1), 12), zip=MANHATTAN).next_allowed_at is None
    # Closer to the end, the first day after it is within the horizon.
    near = decide(client_a, at(date(2026, 8, 10), 12), zip=MANHATTAN)
    assert near.next_allowed_at == at(date(2026, 8, 1) + timedelta(days=HORIZON_DAYS + 3), 8)


# --- the plan -------------------------------------------------------------------------------


def test_the_plan_loads_in_five_queries_and_decides_without_any(
    client_a, django_assert_num_queries
):
    prof = profile(client_a, pol("ALL", state="NY", start="09:00", end="20:00"))
    blackout(prof, holiday="Christmas Day", do_not_dial=True)
    with django_assert_num_queries(5):
        plan = CallingHoursPlan.for_client(client_a)
    with django_assert_num_queries(0):
        for hour in range(24):
            plan.decide(SERVICE, zip=MANHATTAN, phone="2125550100", at=at(MONDAY, hour))
            plan.decide(OTHER_SERVICE, phone="8085550100", at=at(MONDAY, hour))
            plan.decide(SERVICE, phone="8005550100", at=at(MONDAY, hour))


def test_a_plan_answers_the_same_decision_twice(client_a):
    plan = CallingHoursPlan.for_client(client_a)
    first = plan.decide(SERVICE, zip=MANHATTAN, at=at(MONDAY, 7))
    second = plan.decide(SERVICE, zip=MANHATTAN, at=at(MONDAY, 7))
    assert first == second
    # Reasons are the caller's to change: the cached ones are not.
    first.reasons[0]["rule"] = "changed"
    assert plan.decide(SERVICE, zip=MANHATTAN, at=at(MONDAY, 7)).reasons[0]["rule"] == (
        "defaultWindow"
    )


def test_the_one_call_form_defaults_to_now(client_a):
    with time_machine.travel(at(MONDAY, 7, 30), tick=False):
        decision = calling_window_decision(client=client_a, service_id=SERVICE, zip=MANHATTAN)
    assert decision.allowed is False
    assert decision.next_allowed_at == at(MONDAY, 8)
    with pytest.raises(ValueError):
        calling_window_decision(client=client_a, service_id=SERVICE, at=datetime(2026, 1, 12, 9))


def test_a_state_limited_blackout_blocks_an_area_code_shared_with_that_state(client_a):
    # 902 serves Nova Scotia and Prince Edward Island: a PEI-only blackout blocks 902 numbers,
    # since the callee may be in PEI (the most restrictive reading).
    prof = profile(client_a)
    only_pe = blackout(prof, start_date=date(2026, 7, 1), states=("PE",), do_not_dial=True)
    noon = at(date(2026, 7, 1), 12, zone=ZoneInfo("America/Halifax"))
    by_phone = decide(client_a, noon, phone="9025550100")
    assert by_phone.reasons == [
        blackout_reason(only_pe, "2026-07-01", "America/Halifax", states=["PE"])
    ]
    assert by_phone.next_allowed_at == at(date(2026, 7, 2), 8, zone=ZoneInfo("America/Halifax"))


def test_a_blackout_window_may_cross_midnight(client_a):
    prof = profile(client_a, pol("ALL", state="NY"))
    late = blackout(
        prof, holiday="Christmas Day", start_time=time(22), end_time=time(2), do_not_dial=False
    )
    christmas = date(2026, 12, 25)
    assert decide(client_a, at(christmas, 1), zip=MANHATTAN).allowed is True
    noon = decide(client_a, at(christmas, 12), zip=MANHATTAN)
    assert noon.reasons == [
        blackout_reason(
            late, "2026-12-25", "America/New_York", "Christmas Day", window="22:00-02:00"
        )
    ]
    assert noon.next_allowed_at == at(christmas, 22)
    # The 26th is no holiday: the profile's whole-day policy again.
    assert decide(client_a, at(christmas + timedelta(days=1), 3), zip=MANHATTAN).allowed is True


def test_saskatchewan_keeps_standard_time_all_year(client_a):
    # 306 (Saskatchewan, America/Regina, UTC-6 all year): 08:00 there is 09:00 EST in winter
    # and 10:00 EDT in summer.
    winter = decide(client_a, at(MONDAY, 8), phone="3065550100")
    summer = decide(client_a, at(date(2026, 7, 6), 8), phone="3065550100")
    assert winter.time_zone == "America/Regina"
    assert winter.next_allowed_at == at(MONDAY, 9)
    assert summer.next_allowed_at == at(date(2026, 7, 6), 10)
