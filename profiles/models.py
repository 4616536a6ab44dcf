"""Dialing profiles: calling-hours policies by day, state or province, and area code.

A profile belongs to one client, or to none: a system-wide profile, listed and read by every
client and changed only by a Sysadmin. Policy times are local times of day (docs/wire.md
section 9 encodes them in the client's time zone on the wire); calling-hours decisions apply
them to the callee's clock (``profiles.calling_hours``).
"""

from django.db import models

from livevox_site.models import Client, ExplicitIdMixin, Service
from livevox_site.tenancy import TenantQuerySet


class DayOfWeek(models.TextChoices):
    MONDAY = "MONDAY", "Monday"
    TUESDAY = "TUESDAY", "Tuesday"
    WEDNESDAY = "WEDNESDAY", "Wednesday"
    THURSDAY = "THURSDAY", "Thursday"
    FRIDAY = "FRIDAY", "Friday"
    SATURDAY = "SATURDAY", "Saturday"
    SUNDAY = "SUNDAY", "Sunday"
    WEEKDAY = "WEEKDAY", "Weekdays (Monday to Friday)"
    WEEKEND = "WEEKEND", "Weekend (Saturday and Sunday)"
    ALL = "ALL", "Every day"


class Country(models.TextChoices):
    UNITED_STATES_OF_AMERICA = "UNITED_STATES_OF_AMERICA", "United States"
    CANADA = "CANADA", "Canada"
    BRAZIL = "BRAZIL", "Brazil"
    MEXICO = "MEXICO", "Mexico"
    SINGAPORE = "SINGAPORE", "Singapore"
    ARGENTINA = "ARGENTINA", "Argentina"
    UK = "UK", "United Kingdom"


class DialingProfile(ExplicitIdMixin, models.Model):
    id = models.AutoField(primary_key=True)
    client = models.ForeignKey(
        Client,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="dialing_profiles",
        help_text="Empty: a system-wide profile that every client sees.",
    )
    name = models.CharField(max_length=200)
    # Empty when none was given (the API answers null).
    description = models.CharField(max_length=1000, blank=True, default="")

    # Writes go through the client's own profiles; reads widen to the system-wide ones
    # (livevox_site.tenancy.visible_to: the selectors and the admin read this declaration).
    tenant_path = "client"
    tenant_shared_when_empty = True
    objects = TenantQuerySet.as_manager()
    audit_labels = {"name": "name", "description": "description"}

    class Meta:
        ordering = ["id"]
        verbose_name = "dialing profile"
        permissions = [
            # Its own permission, so the Agent group can hold it (docs/wire.md section 2).
            ("check_ziparea", "Can check whether a zip code and an area code match"),
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def is_system_wide(self) -> bool:
        return self.client_id is None

    def audit_snapshot(self) -> dict:
        return {
            "id": self.pk,
            "clientId": self.client_id,
            "name": self.name,
            "description": self.description or None,
        }


class DialingPolicy(ExplicitIdMixin, models.Model):
    """When numbers of a state or province and/or an area code may be dialed or messaged."""

    id = models.AutoField(primary_key=True)
    profile = models.ForeignKey(
        DialingProfile,
        on_delete=models.CASCADE,
        related_name="policies",
        verbose_name="dialing profile",
    )
    day_of_week = models.CharField("days", max_length=9, choices=DayOfWeek.choices)
    do_not_dial = models.BooleanField("do not dial", default=False)
    do_not_leave_message = models.BooleanField("do not leave messages", default=False)
    # Empty when not given (the API answers null).
    country = models.CharField(max_length=24, choices=Country.choices, blank=True, default="")
    state = models.CharField("state or province", max_length=2, blank=True, default="")
    area_code = models.CharField("area code", max_length=3, blank=True, default="")
    # Local times of day (on the wire: in the client's time zone; decisions read them on the
    # callee's clock, profiles.calling_hours); an end before the start crosses midnight.
    start_time = models.TimeField("from", null=True, blank=True)
    end_time = models.TimeField("until", null=True, blank=True)

    tenant_path = "profile__client"
    objects = TenantQuerySet.as_manager()
    audit_labels = {
        "dayOfWeek": "days",
        "doNotDial": "do not dial",
        "doNotLeaveMessage": "do not leave messages",
        "country": "country",
        "state": "state or province",
        "areaCode": "area code",
        "startTime": "from",
        "endTime": "until",
    }

    class Meta:
        ordering = ["id"]
        verbose_name = "dialing policy"
        verbose_name_plural = "dialing policies"

    def __str__(self) -> str:
        where = " ".join(part for part in (self.state, self.area_code) if part)
        return f"{self.get_day_of_week_display()} {where}".strip()

    def audit_name(self) -> str:
        return f"{self} in {self.profile.name}"

    def audit_subject(self) -> tuple[str, int]:
        """Policy changes belong to their profile's history."""
        return "profiles.dialingprofile", self.profile_id

    def audit_snapshot(self) -> dict:
        return {
            "id": self.pk,
            "profileId": self.profile_id,
            "dayOfWeek": self.day_of_week,
            "doNotDial": self.do_not_dial,
            "doNotLeaveMessage": self.do_not_leave_message,
            "country": self.country or None,
            "state": self.state or None,
            "areaCode": self.area_code or None,
            "startTime": self.start_time.isoformat() if self.start_time else None,
            "endTime": self.end_time.isoformat() if self.end_time else None,
        }


class ServiceProfile(models.Model):
    """The dialing profile a service uses by default: at most one per service. A service of any
    client may use a system-wide profile; the row belongs to the service's client."""

    service = models.OneToOneField(
        Service, primary_key=True, on_delete=models.CASCADE, related_name="dialing_profile_link"
    )
    profile = models.ForeignKey(
        DialingProfile,
        on_delete=models.CASCADE,
        related_name="service_links",
        verbose_name="dialing profile",
    )

    tenant_path = "service__client"
    objects = TenantQuerySet.as_manager()

    class Meta:
        verbose_name = "service's dialing profile"
        verbose_name_plural = "services' dialing profiles"

    def __str__(self) -> str:
        return f"{self.service} uses {self.profile}"


class ClientDialingProfile(models.Model):
    """A client's default dialing profile (its own or a system-wide one): one row per client,
    kept by this app so that the site's ``Client`` names no resource app."""

    client = models.OneToOneField(
        Client, primary_key=True, on_delete=models.CASCADE, related_name="dialing_profile_settings"
    )
    default_profile = models.ForeignKey(
        DialingProfile,
        verbose_name="default dialing profile",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )

    tenant_path = "client"
    objects = TenantQuerySet.as_manager()

    class Meta:
        verbose_name = "default dialing profile"

    def __str__(self) -> str:
        return f"Default dialing profile of {self.client}"


class DialingBlackout(models.Model):
    """A dated rule of a dialing profile (an extension, not in the vendor's API): on a fixed
    date or date range, or on a US federal holiday computed by rule for any year, optionally
    only in some states or provinces, either no calls at all or calls only within a narrower
    window. Dates are the callee's local dates; times are local times of day on the callee's
    clock, like a policy's (``profiles.calling_hours``)."""

    id = models.AutoField(primary_key=True)
    profile = models.ForeignKey(
        DialingProfile,
        on_delete=models.CASCADE,
        related_name="blackouts",
        verbose_name="dialing profile",
    )
    # Either a date range (an end of None: the start date alone) or a holiday, never both.
    start_date = models.DateField("from", null=True, blank=True)
    end_date = models.DateField("until", null=True, blank=True)
    holiday = models.CharField(
        max_length=100,
        blank=True,
        default="",
        help_text="A US federal holiday by name (e.g. “Thanksgiving Day”), every year; "
        "its observed day too.",
    )
    # Two-letter state or province codes; empty: everywhere.
    states = models.JSONField("states or provinces", default=list, blank=True)
    do_not_dial = models.BooleanField("do not dial", default=True)
    start_time = models.TimeField("calls from", null=True, blank=True)
    end_time = models.TimeField("calls until", null=True, blank=True)

    tenant_path = "profile__client"
    objects = TenantQuerySet.as_manager()
    audit_labels = {
        "startDate": "from",
        "endDate": "until",
        "holiday": "holiday",
        "states": "states or provinces",
        "doNotDial": "do not dial",
        "startTime": "calls from",
        "endTime": "calls until",
    }

    class Meta:
        ordering = ["id"]
        verbose_name = "holiday or blackout date"
        verbose_name_plural = "holidays and blackout dates"

    def __str__(self) -> str:
        if self.holiday:
            when = self.holiday
        elif self.end_date and self.end_date != self.start_date:
            when = f"{self.start_date} to {self.end_date}"
        else:
            when = str(self.start_date)
        if self.states:
            when += " in " + ", ".join(self.states)
        return when

    def audit_name(self) -> str:
        return f"{self} in {self.profile.name}"

    def audit_subject(self) -> tuple[str, int]:
        """Blackout changes belong to their profile's history, like policy changes."""
        return "profiles.dialingprofile", self.profile_id

    def audit_snapshot(self) -> dict:
        return {
            "id": self.pk,
            "profileId": self.profile_id,
            "startDate": self.start_date.isoformat() if self.start_date else None,
            "endDate": self.end_date.isoformat() if self.end_date else None,
            "holiday": self.holiday or None,
            "states": list(self.states or []),
            "doNotDial": self.do_not_dial,
            "startTime": self.start_time.isoformat() if self.start_time else None,
            "endTime": self.end_time.isoformat() if self.end_time else None,
        }
