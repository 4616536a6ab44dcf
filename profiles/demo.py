"""Demo dialing profiles for client 4199, as in the vendor's list and read examples: the
system-wide "LV_Standard_SDR_A" (321) and the client's own (5589, 7850 "Canada" with Canadian
policies and the read example's services, 10592, 4413, 2441). ``seed_demo`` calls
``seed_profiles()`` through the app's ``seed_demo`` hook; running it again changes nothing."""

from datetime import time

from livevox_site.audit import Actor
from livevox_site.models import Client, Service

from .models import DialingProfile
from .services import PolicySettings, profile_create, profile_service_add

DEMO_CLIENT_ID = 4199
NINE, NINE_PM, EIGHT, NOON = time(9), time(21), time(8), time(12)


def _ca(day: str, state: str, area_code: str = "", start=None, end=None) -> PolicySettings:
    return PolicySettings(
        day_of_week=day,
        do_not_leave_message=True,
        country="CANADA",
        state=state,
        area_code=area_code,
        start_time=start,
        end_time=end,
    )


def _us(day: str, state: str, start=None, end=None, do_not_dial=False) -> PolicySettings:
    return PolicySettings(
        day_of_week=day,
        do_not_dial=do_not_dial,
        country="UNITED_STATES_OF_AMERICA",
        state=state,
        start_time=start,
        end_time=end,
    )


PROFILES = [
    {
        "id": 321,
        "system_wide": True,
        "name": "LV_Standard_SDR_A",
        "description": "Standard US State Dialing Restrictions, restricts TX, NV, PA.",
        "policies": [
            _us("WEEKDAY", "TX", NINE, NINE_PM),
            _us("SATURDAY", "TX", NINE, NINE_PM),
            _us("SUNDAY", "TX", NOON, NINE_PM),
            _us("ALL", "NV", EIGHT, NINE_PM),
            _us("SUNDAY", "PA", do_not_dial=True),
            _us("WEEKDAY", "PA", EIGHT, NINE_PM),
        ],
    },
    {"id": 5589, "name": "77"},
    {
        "id": 7850,
        "name": "Canada",
        "policies": [
            _ca("MONDAY", "NU"),
            _ca("TUESDAY", "NT"),
            _ca("MONDAY", "SK", "306", NINE, NINE_PM),
        ],
        "services": [38184, 42251, 35578, 35576, 35577],
    },
    {"id": 10592, "name": "QA_TEST"},
    {"id": 4413, "name": "Test"},
    {"id": 2441, "name": "Updated Restrictions", "description": "Based on recent analysis"},
]


def seed_profiles(actor: Actor | None = None) -> list[DialingProfile]:
    """Create the demo profiles that are missing (matched by id); services the demo client does
    not have are left out. Returns the profiles created."""
    actor = actor or Actor.command("seed_demo")
    client = Client.objects.filter(pk=DEMO_CLIENT_ID).first()
    if client is None:
        return []
    created = []
    for spec in PROFILES:
        if DialingProfile.objects.filter(pk=spec["id"]).exists():
            continue
        profile = profile_create(
            actor=actor,
            client=None if spec.get("system_wide") else client,
            audit_client=client,
            name=spec["name"],
            description=spec.get("description"),
            policies=spec.get("policies", []),
            profile_id=spec["id"],
        )
        for service in Service.objects.for_client(client).filter(pk__in=spec.get("services", [])):
            profile_service_add(actor=actor, profile=profile, service=service)
        created.append(profile)
    return created
