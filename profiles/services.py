"""Dialing-profile writes and the rules they enforce.

Services take typed keyword arguments (``PolicySettings``, ``PolicyChanges``): the API's
``wire.py`` and the admin's forms build them and call the very same functions. A value that
breaks a rule raises ``InvalidValue`` naming the parameter (``state``,
``policies[1].area_code``); the API puts the wire name in front of it, the admin shows it under
its form field. The area code/state mismatch names no field: its message is exactly the
vendor's "Area code/state mismatch".

Who may change what is decided before a service is called (the API's viewset, the admin's
``has_change_permission``): a client's own profiles by its users with the permission, the
system-wide ones by Sysadmins only. ``client`` is the client acting (it owns the audit entry
of a change to a system-wide profile).

Every write runs in one transaction and writes one audit entry of type
``profiles.dialingprofile`` or ``profiles.dialingpolicy`` (the types ``info`` reads).
"""

import unicodedata
from dataclasses import dataclass, fields, replace
from datetime import date, time

from django.db import transaction

from livevox_site import geography
from livevox_site.audit import Actor, audit_record, snapshot
from livevox_site.errors import EntryNotFound, InvalidValue
from livevox_site.models import Client, Service

from .federal_holidays import holiday_name
from .models import (
    ClientDialingProfile,
    Country,
    DayOfWeek,
    DialingBlackout,
    DialingPolicy,
    DialingProfile,
    ServiceProfile,
)

NAME_MAX_LENGTH = DialingProfile._meta.get_field("name").max_length
DESCRIPTION_MAX_LENGTH = DialingProfile._meta.get_field("description").max_length
MISMATCH = "Area code/state mismatch"


@dataclass(frozen=True)
class PolicySettings:
    """One policy. ``state`` and ``area_code`` are "" when not given, like ``country``; times
    are local times of day in the client's zone (both or neither)."""

    day_of_week: str
    do_not_dial: bool = False
    do_not_leave_message: bool = False
    country: str = ""
    state: str = ""
    area_code: str = ""
    start_time: time | None = None
    end_time: time | None = None


@dataclass(frozen=True)
class PolicyChanges:
    """Some of a policy's settings; None leaves a setting as it is. ``clear_area_code`` and
    ``clear_time_range`` remove the area code and both times."""

    day_of_week: str | None = None
    do_not_dial: bool | None = None
    do_not_leave_message: bool | None = None
    country: str | None = None
    state: str | None = None
    area_code: str | None = None
    start_time: time | None = None
    end_time: time | None = None
    clear_area_code: bool = False
    clear_time_range: bool = False


@dataclass(frozen=True)
class BlackoutSettings:
    """One dated rule: ``start_date`` (and ``end_date`` for a range) or ``holiday``; ``states``
    limits it to those states or provinces (empty: everywhere); either ``do_not_dial`` or both
    times (a narrower window, local times of day on the callee's clock)."""

    start_date: date | None = None
    end_date: date | None = None
    holiday: str = ""
    states: tuple[str, ...] = ()
    do_not_dial: bool = False
    start_time: time | None = None
    end_time: time | None = None


# A range is for a season or a shutdown, not for ever: a year at most.
BLACKOUT_MAX_DAYS = 366


# --- rules ----------------------------------------------------------------------------------


def clean_name(name: str) -> str:
    """Trimmed, in Unicode NFC, not blank, not too long, without control characters."""
    name = unicodedata.normalize("NFC", name).strip()
    if not name:
        raise InvalidValue("may not be blank", field="name")
    if any(unicodedata.category(char) in ("Cc", "Cs") for char in name):
        raise InvalidValue("may not contain control characters", field="name")
    if len(name) > NAME_MAX_LENGTH:
        raise InvalidValue(f"may be at most {NAME_MAX_LENGTH} characters", field="name")
    return name


def clean_description(description: str | None) -> str:
    text = unicodedata.normalize("NFC", description or "").strip()
    if any(unicodedata.category(char) in ("Cc", "Cs") for char in text if char not in "\n\t"):
        raise InvalidValue("may not contain control characters", field="description")
    if len(text) > DESCRIPTION_MAX_LENGTH:
        raise InvalidValue(
            f"may be at most {DESCRIPTION_MAX_LENGTH} characters", field="description"
        )
    return text


def check_policy(settings: PolicySettings, *, prefix: str = "") -> PolicySettings:
    """The whole policy's rules: a known day; a state or an area code or both; a real US state
    or Canadian province; an area code that exists; the area code serving the state; both
    times or neither, different from each other (an end before the start crosses midnight)."""
    if settings.day_of_week not in DayOfWeek.values:
        raise InvalidValue(
            f"must be one of {', '.join(DayOfWeek.values)}", field=f"{prefix}day_of_week"
        )
    if settings.country and settings.country not in Country.values:
        raise InvalidValue(f"must be one of {', '.join(Country.values)}", field=f"{prefix}country")
    state = settings.state.upper()
    if not state and not settings.area_code:
        raise InvalidValue("a state or an area code or both are required", field=f"{prefix}state")
    if state and not geography.is_region(state):
        raise InvalidValue(
            f"{settings.state!r} is not a US state or Canadian province code",
            field=f"{prefix}state",
        )
    if state and settings.country in (Country.UNITED_STATES_OF_AMERICA, Country.CANADA):
        in_canada = state in geography.CANADA_PROVINCES
        if in_canada != (settings.country == Country.CANADA):
            raise InvalidValue(
                f"{state} is not in {Country(settings.country).label}", field=f"{prefix}country"
            )
    if settings.area_code and geography.area_code_info(settings.area_code) is None:
        raise InvalidValue(
            f"{settings.area_code!r} is not a US or Canadian area code",
            field=f"{prefix}area_code",
        )
    if (
        state
        and settings.area_code
        and not geography.area_code_serves_region(settings.area_code, state)
    ):
        raise InvalidValue(MISMATCH)
    if (settings.start_time is None) != (settings.end_time is None):
        missing = "start_time" if settings.start_time is None else "end_time"
        raise InvalidValue("give both times or neither", field=f"{prefix}{missing}")
    if settings.start_time is not None and settings.start_time == settings.end_time:
        raise InvalidValue("must differ from the start time", field=f"{prefix}end_time")
    return replace(settings, state=state)


def check_policies(policies: list[PolicySettings]) -> list[PolicySettings]:
    return [check_policy(policy, prefix=f"policies[{i}].") for i, policy in enumerate(policies)]


def check_blackout(settings: BlackoutSettings) -> BlackoutSettings:
    """A blackout's rules: a date (or range) or a holiday, not both; a range that ends on or
    after its start, a year at most; a known federal holiday; real state or province codes
    (upper-cased, sorted, each once); do-not-dial, or both times of a narrower window (an end
    before the start crosses midnight), not both."""
    holiday = settings.holiday.strip()
    if holiday and (settings.start_date or settings.end_date):
        raise InvalidValue("give a date or a holiday, not both", field="holiday")
    if not holiday and settings.start_date is None:
        raise InvalidValue("a date or a holiday is required", field="start_date")
    if holiday:
        found = holiday_name(holiday)
        if found is None:
            raise InvalidValue(f"{holiday!r} is not a US federal holiday", field="holiday")
        holiday = found
    end_date = settings.end_date
    if end_date is not None and end_date < settings.start_date:
        raise InvalidValue("may not be before the start date", field="end_date")
    if end_date is not None and (end_date - settings.start_date).days >= BLACKOUT_MAX_DAYS:
        raise InvalidValue(f"a range may span at most {BLACKOUT_MAX_DAYS} days", field="end_date")
    if end_date == settings.start_date:
        end_date = None
    states = []
    for code in settings.states:
        upper = code.strip().upper() if isinstance(code, str) else code
        if not geography.is_region(upper):
            raise InvalidValue(
                f"{code!r} is not a US state or Canadian province code", field="states"
            )
        states.append(upper)
    if (settings.start_time is None) != (settings.end_time is None):
        missing = "start_time" if settings.start_time is None else "end_time"
        raise InvalidValue("give both times or neither", field=missing)
    if settings.start_time is not None and settings.start_time == settings.end_time:
        raise InvalidValue("must differ from the start time", field="end_time")
    if settings.do_not_dial and settings.start_time is not None:
        raise InvalidValue("a do-not-dial day has no calling window", field="start_time")
    if not settings.do_not_dial and settings.start_time is None:
        raise InvalidValue("give a calling window, or make it do-not-dial", field="start_time")
    return replace(settings, holiday=holiday, end_date=end_date, states=tuple(sorted(set(states))))


def blackout_settings(blackout: DialingBlackout) -> BlackoutSettings:
    return BlackoutSettings(
        start_date=blackout.start_date,
        end_date=blackout.end_date,
        holiday=blackout.holiday,
        states=tuple(blackout.states or ()),
        do_not_dial=blackout.do_not_dial,
        start_time=blackout.start_time,
        end_time=blackout.end_time,
    )


def policy_settings(policy: DialingPolicy) -> PolicySettings:
    return PolicySettings(
        **{f.name: getattr(policy, f.name) for f in fields(PolicySettings)},
    )


# --- snapshots and helpers ------------------------------------------------------------------


def profile_state(profile: DialingProfile) -> dict:
    """The audit view of a profile with its policies (and its blackouts, when it has any: an
    extension, so the vendor-shaped view stays as it was without them)."""
    state = snapshot(profile)
    state["policy"] = [snapshot(policy) for policy in profile.policies.order_by("id")]
    blackouts = [snapshot(blackout) for blackout in profile.blackouts.order_by("id")]
    if blackouts:
        state["blackout"] = blackouts
    return state


def _audit_client(profile: DialingProfile, client: Client | int) -> int:
    """A client's profile is audited in its client; a system-wide one in the acting client."""
    if profile.client_id is not None:
        return profile.client_id
    return client.pk if isinstance(client, Client) else client


def _locked(profile: DialingProfile) -> DialingProfile:
    """Lock the profile's row: concurrent writers to one profile queue up (PostgreSQL)."""
    return DialingProfile.objects.select_for_update().get(pk=profile.pk)


def _policy(profile: DialingProfile, settings: PolicySettings, policy_id=None) -> DialingPolicy:
    return DialingPolicy(
        id=policy_id,
        profile=profile,
        **{f.name: getattr(settings, f.name) for f in fields(PolicySettings)},
    )


# --- profiles -------------------------------------------------------------------------------


def profile_create(
    *,
    actor: Actor,
    client: Client | None,
    name: str,
    description: str | None = None,
    policies: list[PolicySettings] = (),
    profile_id: int | None = None,
    audit_client: Client | None = None,
) -> DialingProfile:
    """Create a profile with its policies; nothing is saved unless all of it is valid.
    ``client`` None creates a system-wide profile (Sysadmins; ``audit_client`` then names the
    acting client)."""
    name = clean_name(name)
    description = clean_description(description)
    policies = check_policies(list(policies))
    with transaction.atomic():
        profile = DialingProfile(id=profile_id, client=client, name=name, description=description)
        profile.save()
        DialingPolicy.objects.bulk_create(_policy(profile, settings) for settings in policies)
        audit_record(
            actor=actor,
            client=_audit_client(profile, audit_client or client),
            action="profiles.profile.created",
            obj=profile,
            after=profile_state(profile),
        )
    return profile


def profile_update(
    *,
    actor: Actor,
    client: Client,
    profile: DialingProfile,
    name: str | None = None,
    description: str | None = None,
) -> DialingProfile:
    """Change the name and/or description (None: unchanged). A call that changes nothing
    writes nothing."""
    changes: dict = {}
    if name is not None:
        changes["name"] = clean_name(name)
    if description is not None:
        changes["description"] = clean_description(description)
    with transaction.atomic():
        profile = _locked(profile)
        before = snapshot(profile)
        changed = {k: v for k, v in changes.items() if getattr(profile, k) != v}
        if not changed:
            return profile
        for attr, value in changed.items():
            setattr(profile, attr, value)
        profile.save(update_fields=list(changed))
        audit_record(
            actor=actor,
            client=_audit_client(profile, client),
            action="profiles.profile.updated",
            obj=profile,
            before=before,
            after=snapshot(profile),
        )
    return profile


def profile_delete(*, actor: Actor, client: Client, profile: DialingProfile) -> None:
    """Delete a profile, its policies and its service assignments. Every client the deletion
    touches gets its own entry naming only its own services (and whether its default went): a
    system-wide profile's deletion reaches clients other than the acting one."""
    with transaction.atomic():
        profile = _locked(profile)
        state = profile_state(profile)
        services_by_client: dict[int, list[int]] = {}
        for service_id, client_id in profile.service_links.values_list(
            "service_id", "service__client_id"
        ):
            services_by_client.setdefault(client_id, []).append(service_id)
        defaulted = set(
            ClientDialingProfile.objects.filter(default_profile=profile).values_list(
                "client_id", flat=True
            )
        )
        acting = _audit_client(profile, client)
        for client_id in sorted({acting, *services_by_client, *defaulted}):
            audit_record(
                actor=actor,
                client=client_id,
                action="profiles.profile.deleted",
                obj=profile,
                before={**state, "service": sorted(services_by_client.get(client_id, []))},
                details={"clientDefaultCleared": True} if client_id in defaulted else None,
            )
        profile.delete()


def profile_copy(
    *, actor: Actor, client: Client, profile: DialingProfile, name: str | None = None
) -> DialingProfile:
    """A copy of a profile (a system-wide one, typically) with its policies and blackouts,
    owned by ``client``."""
    policies = [policy_settings(policy) for policy in profile.policies.order_by("id")]
    with transaction.atomic():
        copy = profile_create(
            actor=actor,
            client=client,
            name=name or profile.name,
            description=profile.description,
            policies=policies,
        )
        for blackout in profile.blackouts.order_by("id"):
            blackout_create(
                actor=actor, client=client, profile=copy, settings=blackout_settings(blackout)
            )
    return copy


# --- policies -------------------------------------------------------------------------------


def policy_create(
    *, actor: Actor, client: Client, profile: DialingProfile, settings: PolicySettings
) -> DialingPolicy:
    settings = check_policy(settings)
    with transaction.atomic():
        profile = _locked(profile)
        policy = _policy(profile, settings)
        policy.save()
        audit_record(
            actor=actor,
            client=_audit_client(profile, client),
            action="profiles.policy.created",
            obj=policy,
            after=snapshot(policy),
        )
    return policy


def policy_update(
    *, actor: Actor, client: Client, policy: DialingPolicy, changes: PolicyChanges
) -> DialingPolicy:
    """Apply the given changes, then check the whole policy as it would be. A call that
    changes nothing writes nothing."""
    with transaction.atomic():
        profile = _locked(policy.profile)
        policy = DialingPolicy.objects.select_for_update().get(pk=policy.pk)
        current = policy_settings(policy)
        given = {
            f.name: getattr(changes, f.name)
            for f in fields(PolicySettings)
            if getattr(changes, f.name) is not None
        }
        wanted = replace(current, **given)
        if changes.clear_area_code:
            wanted = replace(wanted, area_code="")
        if changes.clear_time_range:
            wanted = replace(wanted, start_time=None, end_time=None)
        wanted = check_policy(wanted)
        if wanted == current:
            return policy
        before = snapshot(policy)
        for f in fields(PolicySettings):
            setattr(policy, f.name, getattr(wanted, f.name))
        policy.save()
        audit_record(
            actor=actor,
            client=_audit_client(profile, client),
            action="profiles.policy.updated",
            obj=policy,
            before=before,
            after=snapshot(policy),
        )
    return policy


def policy_delete(*, actor: Actor, client: Client, policy: DialingPolicy) -> None:
    with transaction.atomic():
        profile = _locked(policy.profile)
        audit_record(
            actor=actor,
            client=_audit_client(profile, client),
            action="profiles.policy.deleted",
            obj=policy,
            before=snapshot(policy),
        )
        policy.delete()


# --- holidays and blackout dates (an extension) ----------------------------------------------


def blackout_create(
    *, actor: Actor, client: Client, profile: DialingProfile, settings: BlackoutSettings
) -> DialingBlackout:
    """Add a dated rule to the profile (audited in the profile's history)."""
    settings = check_blackout(settings)
    with transaction.atomic():
        profile = _locked(profile)
        blackout = DialingBlackout(
            profile=profile,
            start_date=settings.start_date,
            end_date=settings.end_date,
            holiday=settings.holiday,
            states=list(settings.states),
            do_not_dial=settings.do_not_dial,
            start_time=settings.start_time,
            end_time=settings.end_time,
        )
        blackout.save()
        audit_record(
            actor=actor,
            client=_audit_client(profile, client),
            action="profiles.blackout.created",
            obj=blackout,
            after=snapshot(blackout),
        )
    return blackout


def blackout_update(
    *, actor: Actor, client: Client, blackout: DialingBlackout, settings: BlackoutSettings
) -> DialingBlackout:
    """Replace a blackout's settings with ``settings`` (the whole rule, checked again). A call
    that changes nothing writes nothing."""
    settings = check_blackout(settings)
    with transaction.atomic():
        _locked(blackout.profile)
        blackout = DialingBlackout.objects.select_for_update().get(pk=blackout.pk)
        before = snapshot(blackout)
        blackout.start_date = settings.start_date
        blackout.end_date = settings.end_date
        blackout.holiday = settings.holiday
        blackout.states = list(settings.states)
        blackout.do_not_dial = settings.do_not_dial
        blackout.start_time = settings.start_time
        blackout.end_time = settings.end_time
        after = snapshot(blackout)
        if after == before:
            return blackout
        blackout.save()
        audit_record(
            actor=actor,
            client=_audit_client(blackout.profile, client),
            action="profiles.blackout.updated",
            obj=blackout,
            before=before,
            after=after,
        )
    return blackout


def blackout_delete(*, actor: Actor, client: Client, blackout: DialingBlackout) -> None:
    with transaction.atomic():
        profile = _locked(blackout.profile)
        audit_record(
            actor=actor,
            client=_audit_client(profile, client),
            action="profiles.blackout.deleted",
            obj=blackout,
            before=snapshot(blackout),
        )
        blackout.delete()


# --- services and the client default --------------------------------------------------------


def profile_service_add(*, actor: Actor, profile: DialingProfile, service: Service) -> None:
    """Make this profile the service's default; a service has one, so it moves here from any
    other profile (audited with where it came from). The service must be of the profile's
    client, or the profile system-wide."""
    if profile.client_id is not None and profile.client_id != service.client_id:
        raise EntryNotFound()
    with transaction.atomic():
        profile = _locked(profile)
        link = ServiceProfile.objects.select_for_update().filter(service=service).first()
        moved_from = link.profile_id if link else None
        if moved_from == profile.pk:
            return
        ServiceProfile.objects.update_or_create(service=service, defaults={"profile": profile})
        audit_record(
            actor=actor,
            client=service.client_id,
            action="profiles.profile.service_added",
            obj=profile,
            details={"service": service.pk, "movedFrom": moved_from},
        )


def profile_service_remove(*, actor: Actor, profile: DialingProfile, service: Service) -> None:
    """Unassign the service; a service this profile is not the default of is not found."""
    with transaction.atomic():
        profile = _locked(profile)
        deleted, _ = ServiceProfile.objects.filter(service=service, profile=profile).delete()
        if not deleted:
            raise EntryNotFound()
        audit_record(
            actor=actor,
            client=service.client_id,
            action="profiles.profile.service_removed",
            obj=profile,
            details={"service": service.pk},
        )


def client_default_set(
    *, actor: Actor, client: Client, profile: DialingProfile | None
) -> ClientDialingProfile:
    """Make ``profile`` (the client's own or a system-wide one; None: no default) the client's
    default dialing profile."""
    if profile is not None and profile.client_id not in (None, client.pk):
        raise EntryNotFound()
    with transaction.atomic():
        settings, _ = ClientDialingProfile.objects.select_for_update().get_or_create(client=client)
        before = settings.default_profile_id
        if before == (profile.pk if profile else None):
            return settings
        settings.default_profile = profile
        settings.save()
        audit_record(
            actor=actor,
            client=client,
            action="profiles.client_default.set",
            obj=settings,
            before={"default_profile": before},
            after={"default_profile": settings.default_profile_id},
            name=f"Default dialing profile of {client}",
        )
    return settings
