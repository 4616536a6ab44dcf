"""Calling hours: may this person be called at this moment under a client's dialing profiles,
why not, and when (the calling-hours half of ``contactCheck``). Pure Python over a plan loaded
in a few queries (``CallingHoursPlan.for_client``); no query per decision.

What a policy's time means
    A policy's ``startTime``/``endTime`` are stored as times of day (docs/wire.md section 9 says
    how they travel: epoch ms of that time on 1970-01-01 in the client's zone, which is only
    the encoding of a time of day). They are applied to the *callee's* clock: "TX, WEEKDAY,
    09:00-20:00" allows 09:00 to 20:00 wherever in Texas the callee is, at that place's own
    time, which is what state calling-hours laws and the federal rule (TCPA, 8 a.m. to 9 p.m.
    at the called party's location) say. A policy is not shifted by the client's offset. The
    same holds for blackout windows, and blackout dates are the callee's local dates.

Which profile
    The service's (``ServiceProfile``), else the client's default (``ClientDialingProfile``),
    else the system-wide profile when there is exactly one (several: none of them, since none
    is more the client's than another), else none. A service that is not the client's counts
    as no service (the caller validates the service and answers its own 404).

Which rules apply on a local date
    1. The policies whose place matches the callee: an area-code policy matches the phone's
       area code (and, when it names a state too, the callee's state as well); a state policy
       matches the callee's state. Area-code policies take precedence over state policies
       (the more specific place wins), and only policies whose days include the date's
       weekday count: if the area code has no policy for that day, the state's apply.
       Within the winning place, a single day (MONDAY) beats WEEKDAY/WEEKEND, which beat ALL.
       Several policies left at the same rank all apply (the narrowest reading: each must
       allow the moment). A do-not-dial policy allows nothing that day; a policy without
       times allows the whole day (the spec: "in effect for the entire day(s)").
       ``doNotLeaveMessage`` is about voicemail, not about calling: it does not block.
    2. No policy matches (or no profile at all): the default window 08:00-21:00 local.
       The default is a fallback, not a floor: a profile's explicit policy decides.
    3. The profile's blackouts on that local date (a fixed date or range, or a federal
       holiday by rule, actual and observed dates; limited to states when they say so) apply
       on top: do-not-dial allows nothing, a window narrows the day further.
    A window whose end is before its start crosses midnight: on a day it applies, it allows
    from the start to midnight and from midnight to the end (each local date is governed by
    its own weekday's rules, so "MONDAY 22:00-02:00" allows Monday 00:00-02:00 and Monday
    22:00-24:00). Windows are half-open: 09:00-20:00 allows 19:59:59, not 20:00:00.

Where the callee is
    From the zip code when given and known (its state and time zone); else from the phone's
    area code (its states or provinces and time zones). The area code of the phone is always
    used for area-code policies, also when the zip gives the place. An area code (or a state)
    that spans several zones gives several readings, one per zone and region: the moment is
    allowed only if every reading allows it, and ``next_allowed_at`` is the first moment
    every reading allows. Unknown location (no known zip and no known area code, such as a
    toll-free number without a zip): the callee could be anywhere, so every US state, DC and
    Canadian province is a reading (the most restrictive reading; with the default window,
    roughly 13:00-21:00 Eastern), ``reasons`` names ``unknownLocation`` when blocked, and
    ``time_zone``/``local_time`` show the client's zone.

Daylight saving
    Each local date's windows are turned into instants with that date's offsets: on the day
    clocks spring forward a time in the gap is shifted forward by the gap (02:30 reads as
    03:30, as java.time does); when they fall back an ambiguous time reads as its first
    occurrence. Decisions
    compare instants, so they agree with ``next_allowed_at``.

``next_allowed_at``: ``at`` itself when allowed; else the first allowed moment within
``HORIZON_DAYS`` local dates; None when nothing is allowed within them (every day
do-not-dial, for instance).
"""

from bisect import bisect_right
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from functools import lru_cache
from zoneinfo import ZoneInfo

from livevox_site import geography
from livevox_site.geography import Reading, area_code_of, locate
from livevox_site.lenient import epoch_ms
from livevox_site.models import Client

from .federal_holidays import holidays_on
from .models import (
    ClientDialingProfile,
    DayOfWeek,
    DialingBlackout,
    DialingPolicy,
    DialingProfile,
    ServiceProfile,
)

DAY_SECONDS = 86_400
DEFAULT_WINDOW = (time(8), time(21))
HORIZON_DAYS = 14

# Policy day -> (the weekdays it covers, its rank: a single day beats a group beats ALL).
_WEEKDAYS = [
    DayOfWeek.MONDAY,
    DayOfWeek.TUESDAY,
    DayOfWeek.WEDNESDAY,
    DayOfWeek.THURSDAY,
    DayOfWeek.FRIDAY,
    DayOfWeek.SATURDAY,
    DayOfWeek.SUNDAY,
]
DAYS: dict[str, tuple[frozenset[int], int]] = {
    **{day.value: (frozenset({index}), 3) for index, day in enumerate(_WEEKDAYS)},
    DayOfWeek.WEEKDAY.value: (frozenset(range(5)), 2),
    DayOfWeek.WEEKEND.value: (frozenset({5, 6}), 2),
    DayOfWeek.ALL.value: (frozenset(range(7)), 1),
}

# Seconds of a local day, half-open [start, end).
DayIntervals = tuple[tuple[int, int], ...]
# Epoch seconds, half-open, sorted and disjoint.
Instants = tuple[tuple[float, float], ...]
WHOLE_DAY: DayIntervals = ((0, DAY_SECONDS),)


def _seconds(value: time) -> int:
    return value.hour * 3600 + value.minute * 60 + value.second


def _window(start: time | None, end: time | None) -> DayIntervals:
    """A window's allowed seconds of the day; an end before the start crosses midnight."""
    if start is None or end is None:
        return WHOLE_DAY
    first, last = _seconds(start), _seconds(end)
    if first < last:
        return ((first, last),)
    return tuple(part for part in ((0, last), (first, DAY_SECONDS)) if part[0] < part[1])


def _clock_text(value: time) -> str:
    return value.strftime("%H:%M:%S" if value.second else "%H:%M")


def window_text(start: time | None, end: time | None) -> str | None:
    """ "09:00-20:00"; None for no window."""
    if start is None or end is None:
        return None
    return f"{_clock_text(start)}-{_clock_text(end)}"


# --- the rules, compiled once per profile -----------------------------------------------------


@dataclass(frozen=True, slots=True)
class _Constraint:
    """One rule in force on a local date: what it allows, and how it is named when it blocks."""

    reason: dict
    allowed: DayIntervals


@dataclass(frozen=True, slots=True)
class PolicyRule:
    id: int
    day_of_week: str
    days: frozenset[int]
    day_rank: int
    state: str
    area_code: str
    do_not_dial: bool
    allowed: DayIntervals
    window: str | None

    @classmethod
    def of(cls, policy: DialingPolicy) -> "PolicyRule":
        days, rank = DAYS[policy.day_of_week]
        return cls(
            id=policy.pk,
            day_of_week=policy.day_of_week,
            days=days,
            day_rank=rank,
            state=policy.state,
            area_code=policy.area_code,
            do_not_dial=policy.do_not_dial,
            allowed=() if policy.do_not_dial else _window(policy.start_time, policy.end_time),
            window=window_text(policy.start_time, policy.end_time),
        )

    def constraint(self, profile_id: int) -> _Constraint:
        return _Constraint(
            {
                "rule": "dialingPolicy",
                "profileId": profile_id,
                "policyId": self.id,
                "dayOfWeek": self.day_of_week,
                "state": self.state or None,
                "areaCode": self.area_code or None,
                "doNotDial": self.do_not_dial,
                "window": self.window,
            },
            self.allowed,
        )


@dataclass(frozen=True, slots=True)
class BlackoutRule:
    id: int
    start_date: date | None
    end_date: date | None
    holiday: str
    states: frozenset[str]
    do_not_dial: bool
    allowed: DayIntervals
    window: str | None

    @classmethod
    def of(cls, blackout: DialingBlackout) -> "BlackoutRule":
        return cls(
            id=blackout.pk,
            start_date=blackout.start_date,
            end_date=blackout.end_date or blackout.start_date,
            holiday=blackout.holiday,
            states=frozenset(blackout.states or ()),
            do_not_dial=blackout.do_not_dial,
            allowed=() if blackout.do_not_dial else _window(blackout.start_time, blackout.end_time),
            window=None
            if blackout.do_not_dial
            else window_text(blackout.start_time, blackout.end_time),
        )

    def applies(self, day: date, state: str) -> bool:
        if self.states and state not in self.states:
            return False
        if self.holiday:
            return self.holiday in holidays_on(day.year).get(day, ())
        return self.start_date <= day <= self.end_date

    def constraint(self, profile_id: int, day: date) -> _Constraint:
        return _Constraint(
            {
                "rule": "blackout",
                "profileId": profile_id,
                "blackoutId": self.id,
                "date": day.isoformat(),
                "holiday": self.holiday or None,
                "states": sorted(self.states),
                "doNotDial": self.do_not_dial,
                "window": self.window,
            },
            self.allowed,
        )


def _default_constraint(profile_id: int | None) -> _Constraint:
    return _Constraint(
        {"rule": "defaultWindow", "profileId": profile_id, "window": window_text(*DEFAULT_WINDOW)},
        _window(*DEFAULT_WINDOW),
    )


@dataclass
class ProfileRules:
    """A profile's policies and blackouts, indexed for decisions. ``id`` None: no profile (the
    default window only)."""

    id: int | None
    by_area_code: dict[str, list[PolicyRule]] = field(default_factory=dict)
    by_state: dict[str, list[PolicyRule]] = field(default_factory=dict)
    blackouts: list[BlackoutRule] = field(default_factory=list)
    # The states or provinces some rule of this profile names.
    named_states: frozenset[str] = frozenset()
    _days: dict = field(default_factory=dict, repr=False)

    @classmethod
    def build(cls, profile_id: int | None, policies=(), blackouts=()) -> "ProfileRules":
        rules = cls(profile_id)
        for policy in policies:
            rule = PolicyRule.of(policy)
            if rule.area_code:
                rules.by_area_code.setdefault(rule.area_code, []).append(rule)
            else:
                rules.by_state.setdefault(rule.state, []).append(rule)
        rules.blackouts = [BlackoutRule.of(blackout) for blackout in blackouts]
        rules.named_states = (
            frozenset(rules.by_state)
            | frozenset(rule.state for area in rules.by_area_code.values() for rule in area)
            | frozenset().union(*(blackout.states for blackout in rules.blackouts))
        )
        return rules

    def place_key(self, state: str, area_code: str) -> tuple[str, str]:
        """The (state, area code) as far as this profile tells them apart: a state or area
        code no rule names reads as "" (fewer distinct readings, more cache hits)."""
        return (
            state if state in self.named_states else "",
            area_code if area_code in self.by_area_code else "",
        )

    def _policies(self, state: str, area_code: str, weekday: int) -> list[PolicyRule]:
        """The policies in force: the most specific place with a policy for this weekday,
        then the most specific day."""
        area_rules = [
            rule
            for rule in self.by_area_code.get(area_code, ())
            if not rule.state or rule.state == state
        ]
        for candidates in (area_rules, self.by_state.get(state, ())):
            matching = [rule for rule in candidates if weekday in rule.days]
            if matching:
                top = max(rule.day_rank for rule in matching)
                return [rule for rule in matching if rule.day_rank == top]
        return []

    def day_constraints(self, state: str, area_code: str, day: date) -> tuple[_Constraint, ...]:
        """Every rule in force on a local date at a place (cached)."""
        key = (state, area_code, day)
        found = self._days.get(key)
        if found is None:
            policies = self._policies(state, area_code, day.weekday())
            constraints = [rule.constraint(self.id) for rule in policies] or [
                _default_constraint(self.id)
            ]
            constraints += [
                blackout.constraint(self.id, day)
                for blackout in self.blackouts
                if blackout.applies(day, state)
            ]
            found = self._days[key] = tuple(constraints)
        return found


# --- instants ---------------------------------------------------------------------------------


def _intersect(a: Instants, b: Instants) -> Instants:
    out = []
    i = j = 0
    while i < len(a) and j < len(b):
        start = max(a[i][0], b[j][0])
        end = min(a[i][1], b[j][1])
        if start < end:
            out.append((start, end))
        if a[i][1] < b[j][1]:
            i += 1
        else:
            j += 1
    return tuple(out)


def _contains(intervals: Instants, moment: float) -> bool:
    index = bisect_right(intervals, (moment, float("inf"))) - 1
    return index >= 0 and intervals[index][0] <= moment < intervals[index][1]


@lru_cache(maxsize=4096)
def _zone(name: str) -> ZoneInfo:
    return ZoneInfo(name)


@lru_cache(maxsize=65_536)
def _instants(zone: str, day: date, allowed: DayIntervals) -> Instants:
    """A local date's allowed seconds as instants, with that date's offsets (a time in the
    spring-forward gap shifted forward by the gap; an ambiguous one its first occurrence)."""
    midnight = datetime.combine(day, time.min, tzinfo=_zone(zone))
    out = []
    for start, end in allowed:
        first = (midnight + timedelta(seconds=start)).timestamp()
        last = (midnight + timedelta(seconds=end)).timestamp()
        if first < last:
            out.append((first, last))
    return tuple(out)


# --- where the callee is ----------------------------------------------------------------------


# --- decisions --------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class CallingDecision:
    """The answer for one callee at one moment.

    ``reasons``: each rule that blocks the moment (empty when allowed), as JSON-ready dicts:

    - ``{"rule": "dialingPolicy", "profileId", "policyId", "dayOfWeek", "state", "areaCode",
      "doNotDial", "window", "timeZone"}`` (``state``/``areaCode`` as the policy names them,
      null otherwise; ``window`` "09:00-20:00" or null for a whole day);
    - ``{"rule": "defaultWindow", "profileId" (null: no profile), "window": "08:00-21:00",
      "timeZone"}``;
    - ``{"rule": "blackout", "profileId", "blackoutId", "date": "2026-11-26", "holiday"
      (name or null), "states" (list, empty: everywhere), "doNotDial", "window", "timeZone"}``;
    - ``{"rule": "unknownLocation", "zip", "areaCode"}`` (what was given, null if nothing),
      first, when the location is unknown.

    ``timeZone`` in a reason is the reading's zone (a multi-zone area code blocks per zone).
    """

    allowed: bool
    reasons: list[dict]
    local_time: datetime  # the callee's local time (aware), in ``time_zone``
    time_zone: str  # IANA name: the callee's zone (the first of several; unknown: the client's)
    next_allowed_at: datetime | None  # aware, in ``time_zone``; ``at`` itself when allowed
    profile_id: int | None  # the dialing profile applied; None: the default window only
    time_zones: tuple[str, ...] = ()  # every zone read (one per distinct clock)
    location_known: bool = True

    def as_wire(self) -> dict:
        """The contactCheck shape: ``{allowed, reasons, localTime (ISO), timeZone,
        nextAllowedAt (epoch ms or null)}``."""
        return {
            "allowed": self.allowed,
            "reasons": self.reasons,
            "localTime": self.local_time.isoformat(),
            "timeZone": self.time_zone,
            "nextAllowedAt": epoch_ms(self.next_allowed_at),
        }


def _aware(at: datetime) -> datetime:
    if at.tzinfo is None:
        raise ValueError("at must be an aware datetime")
    return at


class CallingHoursPlan:
    """One client's calling-hours rules, loaded once (``for_client``: at most five queries), then
    ``decide`` for as many callees as needed without touching the database. Decisions are
    cached per (profile, place, moment): a batch at one ``at`` computes each distinct place
    once. A plan is meant for one request: it does not see later changes."""

    CACHE_LIMIT = 200_000

    def __init__(
        self,
        *,
        client_zone: str,
        service_profiles: dict[int, int],
        default_profile_id: int | None,
        profiles: dict[int, ProfileRules],
    ) -> None:
        self.client_zone = client_zone
        self.service_profiles = service_profiles
        self.default_profile_id = default_profile_id
        self.profiles = profiles
        self.no_profile = ProfileRules.build(None)
        self._decisions: dict = {}
        self._places: dict = {}
        self._reading_sets: dict = {}

    @classmethod
    def for_client(cls, client: Client) -> "CallingHoursPlan":
        """Load the profiles the client's services may use: each service's, the client's
        default, the system-wide one when it is the only one; their policies and blackouts."""
        service_profiles = dict(
            ServiceProfile.objects.filter(service__client=client).values_list(
                "service_id", "profile_id"
            )
        )
        default = (
            ClientDialingProfile.objects.filter(client=client)
            .values_list("default_profile_id", flat=True)
            .first()
        )
        if default is None:
            shared = list(
                DialingProfile.objects.filter(client__isnull=True).values_list("pk", flat=True)[:2]
            )
            default = shared[0] if len(shared) == 1 else None
        wanted = set(service_profiles.values()) | ({default} if default else set())
        policies: dict[int, list] = {pk: [] for pk in wanted}
        blackouts: dict[int, list] = {pk: [] for pk in wanted}
        for policy in DialingPolicy.objects.filter(profile_id__in=wanted).order_by("id"):
            policies[policy.profile_id].append(policy)
        for blackout in DialingBlackout.objects.filter(profile_id__in=wanted).order_by("id"):
            blackouts[blackout.profile_id].append(blackout)
        return cls(
            client_zone=client.time_zone,
            service_profiles=service_profiles,
            default_profile_id=default,
            profiles={
                pk: ProfileRules.build(pk, policies[pk], blackouts[pk]) for pk in sorted(wanted)
            },
        )

    def profile_for(self, service_id: int | None) -> ProfileRules:
        """The rules a service's calls follow (see the module's "Which profile")."""
        profile_id = self.service_profiles.get(service_id) if service_id is not None else None
        if profile_id is None:
            profile_id = self.default_profile_id
        if profile_id is None:
            return self.no_profile
        return self.profiles[profile_id]

    def decide(
        self,
        service_id: int | None,
        zip: str = "",  # noqa: A002 - the contactCheck field's name
        phone: str = "",
        at: datetime | None = None,
    ) -> CallingDecision:
        """May ``phone`` (or whoever lives at ``zip``) be called at ``at`` (aware; default now)
        for this service? Malformed or unknown zip and phone read as not given."""
        at = _aware(at) if at is not None else datetime.now(UTC)
        rules = self.profile_for(service_id)
        zip_code = (geography.normalize_zip(zip) or "") if zip else ""
        area_code = area_code_of(phone) if phone else ""
        place = self._places.get((rules.id, zip_code, area_code))
        if place is None:
            if len(self._places) >= self.CACHE_LIMIT:
                self._places.clear()
                self._decisions.clear()
                self._reading_sets.clear()
            location = locate(zip_code, area_code)
            readings = tuple(
                sorted(
                    {
                        Reading(r.zone, *rules.place_key(r.state, r.area_code))
                        for r in location.readings
                    },
                    key=lambda r: (r.zone, r.state, r.area_code),
                )
            )
            zones = tuple(sorted({reading.zone for reading in readings}))
            # One small number per distinct set of readings: the decision cache's key.
            number = self._reading_sets.setdefault(readings, len(self._reading_sets))
            place = (location, readings, zones, number)
            self._places[(rules.id, zip_code, area_code)] = place
        location, readings, zones, number = place
        moment = at.timestamp()
        key = (rules.id, number, moment)
        core = self._decisions.get(key)
        if core is None:
            core = _decide(rules, readings, moment)
            if len(self._decisions) >= self.CACHE_LIMIT:
                self._decisions.clear()
            self._decisions[key] = core
        allowed, reasons, next_moment = core
        zone = location.zone or self.client_zone
        if not allowed and not location.known:
            reasons = [
                {
                    "rule": "unknownLocation",
                    "zip": location.zip_code or None,
                    "areaCode": location.area_code or None,
                },
                *reasons,
            ]
        shown = _zone(zone)
        return CallingDecision(
            allowed=allowed,
            # Copies: the cached reasons stay as they are whatever the caller does with these.
            reasons=[
                {**reason, "states": list(reason["states"])} if "states" in reason else dict(reason)
                for reason in reasons
            ],
            local_time=at.astimezone(shown),
            time_zone=zone,
            next_allowed_at=None
            if next_moment is None
            else datetime.fromtimestamp(next_moment, tz=shown),
            profile_id=rules.id,
            time_zones=zones,
            location_known=location.known,
        )


def _decide(
    rules: ProfileRules, readings: tuple[Reading, ...], moment: float
) -> tuple[bool, list[dict], float | None]:
    """(allowed, reasons, next allowed moment) over every reading."""
    reasons: list[dict] = []
    seen: set[tuple] = set()
    starts: dict[Reading, date] = {}
    for reading in readings:
        local_day = datetime.fromtimestamp(moment, tz=_zone(reading.zone)).date()
        starts[reading] = local_day
        for constraint in rules.day_constraints(reading.state, reading.area_code, local_day):
            if _contains(_instants(reading.zone, local_day, constraint.allowed), moment):
                continue
            reason = constraint.reason
            # Within one zone a rule reads the same whichever reading names it.
            key = (reason["rule"], reason.get("policyId"), reason.get("blackoutId"), reading.zone)
            if key not in seen:
                seen.add(key)
                reasons.append({**reason, "timeZone": reading.zone})
    if not reasons:
        return True, [], moment
    return False, reasons, _next_allowed(rules, readings, starts, moment)


def _allowed_instants(rules: ProfileRules, reading: Reading, day: date) -> Instants:
    """What every rule of a local date allows at one reading, as instants (cached)."""
    key = ("allowed", reading, day)
    found = rules._days.get(key)
    if found is None:
        found = ((float("-inf"), float("inf")),)
        for constraint in rules.day_constraints(reading.state, reading.area_code, day):
            found = _intersect(found, _instants(reading.zone, day, constraint.allowed))
            if not found:
                break
        rules._days[key] = found
    return found


# The next allowed moment is looked for over a day and a half first (nearly always enough),
# then over the whole horizon.
_FIRST_LOOK_DAYS = 1


def _next_allowed(
    rules: ProfileRules, readings: tuple[Reading, ...], starts: dict, moment: float
) -> float | None:
    """The first moment at or after ``moment`` that every reading allows, looking
    ``HORIZON_DAYS`` local dates ahead (each reading from its own local date)."""
    for days in (_FIRST_LOOK_DAYS, HORIZON_DAYS):
        combined: Instants | None = None
        covered_until = float("inf")
        for reading in readings:
            first = starts[reading]
            spans: list = []
            for offset in range(days + 1):
                spans.extend(_allowed_instants(rules, reading, first + timedelta(days=offset)))
            end_day = first + timedelta(days=days + 1)
            covered_until = min(covered_until, _instants(reading.zone, end_day, ((0, 1),))[0][0])
            own = tuple(_merge(spans))
            combined = own if combined is None else _intersect(combined, own)
            if not combined:
                break
        for start, end in combined or ():
            if end > moment:
                candidate = max(start, moment)
                # Before ``covered_until`` every reading's rules were read: the answer.
                if candidate < covered_until:
                    return candidate
                break
    return None


def _merge(spans: list) -> list:
    """Adjacent days' spans joined (23:00-24:00 and 00:00-01:00 make one span)."""
    merged: list = []
    for start, end in spans:
        if merged and start <= merged[-1][1]:
            merged[-1] = (merged[-1][0], max(merged[-1][1], end))
        else:
            merged.append((start, end))
    return merged


def calling_window_decision(
    *,
    client: Client,
    service_id: int | None,
    zip: str = "",  # noqa: A002 - the contactCheck field's name
    phone: str = "",
    at: datetime | None = None,
) -> CallingDecision:
    """One decision (loads the client's plan: at most five queries). For many, build one
    ``CallingHoursPlan.for_client(client)`` and call its ``decide``."""
    return CallingHoursPlan.for_client(client).decide(service_id, zip=zip, phone=phone, at=at)


__all__ = [
    "CallingDecision",
    "CallingHoursPlan",
    "DEFAULT_WINDOW",
    "HORIZON_DAYS",
    "calling_window_decision",
]
