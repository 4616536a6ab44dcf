"""Reads of the profiles app: the dialing profiles a client sees, and zipAreaMatch.

What a client sees is wider than what it may change: its own profiles and the system-wide
ones (``profiles_visible_to``), while writes go through the tenant-scoped queryset (its own
profiles only) plus, for Sysadmins, the system-wide ones. Another client's profile is never
visible: a 404, like a missing one.
"""

from django.db.models import F, Max, QuerySet

from livevox_site import geography
from livevox_site.errors import EntryNotFound
from livevox_site.models import AuditEntry, Client

from .models import (
    ClientDialingProfile,
    DialingBlackout,
    DialingPolicy,
    DialingProfile,
    ServiceProfile,
)
from .times import date_ms, epoch_ms_of_day

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


# --- dialing profiles -----------------------------------------------------------------------


def system_wide_last_modified():
    """When a system-wide profile or one of its policies last changed, whoever changed it (one
    probe of the audit index on subject per profile; system-wide profiles are few)."""
    ids = [
        str(pk)
        for pk in DialingProfile.objects.filter(client__isnull=True).values_list("pk", flat=True)
    ]
    if not ids:
        return None
    return AuditEntry.objects.filter(
        subject_type="profiles.dialingprofile", subject_id__in=ids
    ).aggregate(last=Max("at"))["last"]


def profiles_visible_to(client: Client | int) -> QuerySet:
    """The client's profiles and the system-wide ones: system-wide first, then by name (the
    order of the spec's list example)."""
    return DialingProfile.objects.visible_to(client).order_by(
        F("client_id").asc(nulls_first=True), "name", "id"
    )


def profile_visible_to(client: Client | int, profile_id: int) -> DialingProfile:
    """One profile the client sees; anything else is not found."""
    profile = profiles_visible_to(client).filter(pk=profile_id).first()
    if profile is None:
        raise EntryNotFound()
    return profile


def system_wide_profile(profile_id: int) -> DialingProfile | None:
    return DialingProfile.objects.filter(pk=profile_id, client__isnull=True).first()


def policy_of(profile: DialingProfile, policy_id: int) -> DialingPolicy:
    """One policy of the profile; another profile's policy is not found."""
    policy = profile.policies.filter(pk=policy_id).first()
    if policy is None:
        raise EntryNotFound()
    return policy


def profile_list_items(profiles: list[DialingProfile]) -> list[dict]:
    return [
        {"id": profile.pk, "name": profile.name, "description": profile.description or None}
        for profile in profiles
    ]


def policy_body(policy: DialingPolicy, *, zone: str) -> dict:
    """One policy as the API answers it; times in epoch ms of 1970-01-01 in ``zone``."""
    return {
        "id": policy.pk,
        "dayOfWeek": policy.day_of_week,
        "doNotDial": policy.do_not_dial,
        "doNotLeaveMessage": policy.do_not_leave_message,
        "country": policy.country or None,
        "state": policy.state or None,
        "areaCode": policy.area_code or None,
        "startTime": epoch_ms_of_day(policy.start_time, zone=zone),
        "endTime": epoch_ms_of_day(policy.end_time, zone=zone),
    }


def profile_read(profile: DialingProfile, *, client: Client) -> dict:
    """The Read answer as the client sees it: only its own services (a system-wide profile is
    shared, its service assignments are not), ``clientDefault`` for this client, times in its
    zone, ``clientId`` left out for a system-wide profile."""
    services = (
        ServiceProfile.objects.for_client(client)
        .filter(profile=profile)
        .order_by("service_id")
        .values_list("service_id", flat=True)
    )
    default = (
        ClientDialingProfile.objects.filter(client=client)
        .values_list("default_profile_id", flat=True)
        .first()
    )
    body = {
        "service": [{"id": service_id} for service_id in services],
        "policy": [
            policy_body(policy, zone=client.time_zone) for policy in profile.policies.order_by("id")
        ],
    }
    if profile.client_id is not None:
        body["clientId"] = profile.client_id
    body.update(
        {
            "name": profile.name,
            "description": profile.description or None,
            "clientDefault": default == profile.pk,
        }
    )
    return body


# --- holidays and blackout dates (an extension) ----------------------------------------------


def blackout_of(profile: DialingProfile, blackout_id: int) -> DialingBlackout:
    """One blackout of the profile; another profile's is not found."""
    blackout = profile.blackouts.filter(pk=blackout_id).first()
    if blackout is None:
        raise EntryNotFound()
    return blackout


def blackout_body(blackout: DialingBlackout, *, zone: str) -> dict:
    """One blackout as the API answers it: dates as epoch ms of their midnight and times as
    epoch ms of 1970-01-01, both in ``zone`` (the client's), as the family's other dates and
    times."""
    return {
        "id": blackout.pk,
        "startDate": date_ms(blackout.start_date, zone=zone),
        "endDate": date_ms(blackout.end_date, zone=zone),
        "holiday": blackout.holiday or None,
        "states": list(blackout.states or []),
        "doNotDial": blackout.do_not_dial,
        "startTime": epoch_ms_of_day(blackout.start_time, zone=zone),
        "endTime": epoch_ms_of_day(blackout.end_time, zone=zone),
    }


def blackout_list(profile: DialingProfile, *, zone: str) -> dict:
    return {
        "blackout": [
            blackout_body(blackout, zone=zone) for blackout in profile.blackouts.order_by("id")
        ]
    }
