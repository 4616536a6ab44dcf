"""The filters of List and Find Matching of the dial-time, email and SMS lists.

One FilterSet per list serves both methods: List reads it from the query string
(``?phone=...&contactGroupId=...``), Find Matching from the body's ``"filter"`` object (or the
body itself, as the spec's dial-time example sends it). ``filter_data`` matches the names
without case (docs/wire.md section 4) and ``filter_parameters`` documents them in the schema.

- dial-time ``phone``: that number, exactly (normalized to ten digits first);
- email ``email``: that address, without case;
- SMS ``sms``: numbers CONTAINING the digits given (the spec's SMS example finds ``"6"``);
- ``contactGroupId``: that group (0: entries of no group).
"""

import re
from collections.abc import Mapping
from typing import Any

import django_filters
from django import forms
from django.db.models import QuerySet
from drf_spectacular.utils import OpenApiParameter

from livevox_site.errors import InvalidInput
from livevox_site.lenient import MAX_INT, present

from ..models import DialtimeEntry, EmailEntry, SmsEntry
from ..wire import EMAIL_MAX_LENGTH, parse_phone

_PUNCTUATION = re.compile(r"[\s().\-+]+")


class IntegerFilter(django_filters.NumberFilter):
    """A whole number ("1320" or 1320); 1.5 is refused rather than truncated."""

    field_class = forms.IntegerField


class _ListEntryFilter(django_filters.FilterSet):
    contactGroupId = IntegerFilter(
        field_name="contact_group_id",
        min_value=0,
        max_value=MAX_INT,
        help_text="Contact group ID (0: no contact group)",
    )


class DialtimeEntryFilter(_ListEntryFilter):
    phone = django_filters.CharFilter(method="filter_phone", help_text="The number, exactly")

    class Meta:
        model = DialtimeEntry
        fields = []

    def filter_phone(self, queryset: QuerySet, name: str, value: str) -> QuerySet:
        return queryset.filter(phone=parse_phone(value, "phone"))


class EmailEntryFilter(_ListEntryFilter):
    email = django_filters.CharFilter(
        method="filter_email", help_text="The address, exactly, without case"
    )

    class Meta:
        model = EmailEntry
        fields = []

    def filter_email(self, queryset: QuerySet, name: str, value: str) -> QuerySet:
        text = value.strip().lower()
        if len(text) > EMAIL_MAX_LENGTH:
            raise InvalidInput(
                f"email must be at most {EMAIL_MAX_LENGTH} characters", field="email"
            )
        return queryset.filter(email=text)


def sms_digits(value: str) -> str:
    """The digits an SMS search looks for: a whole number (normalized as stored) or part of
    one; letters and more than ten digits are refused."""
    try:
        return parse_phone(value, "sms")
    except InvalidInput:
        pass
    digits = _PUNCTUATION.sub("", value)
    if not (digits.isascii() and digits.isdigit() and len(digits) <= 10):
        raise InvalidInput("sms must be up to 10 digits", field="sms")
    return digits


class SmsEntryFilter(_ListEntryFilter):
    sms = django_filters.CharFilter(
        method="filter_sms", help_text="Numbers containing these digits"
    )

    class Meta:
        model = SmsEntry
        fields = []

    def filter_sms(self, queryset: QuerySet, name: str, value: str) -> QuerySet:
        return queryset.filter(sms__contains=sms_digits(value))


FILTERS: dict[str, type[django_filters.FilterSet]] = {
    "dialtime": DialtimeEntryFilter,
    "email": EmailEntryFilter,
    "sms": SmsEntryFilter,
}


def filter_data(source: Mapping[str, Any], filterset: type[django_filters.FilterSet]) -> dict:
    """The values of ``source`` (a query or a JSON object) that name the FilterSet's filters,
    matched without case; empty values are absent. Other keys are ignored (docs/wire.md
    section 4)."""
    names = {name.lower(): name for name in filterset.base_filters}
    data = {}
    for key, value in source.items():
        name = names.get(str(key).lower())
        if name is None or not present(value):
            continue
        if isinstance(value, dict | list | bool):
            raise InvalidInput(f"{name} must be a single value", field=name)
        data[name] = value
    return data


def apply_filters(
    queryset: QuerySet, source: Mapping[str, Any], filterset: type[django_filters.FilterSet]
) -> QuerySet:
    """``queryset`` narrowed by the filters ``source`` names; a malformed value is a 400."""
    found = filterset(data=filter_data(source, filterset), queryset=queryset)
    if not found.is_valid():
        problems = "; ".join(
            f"{field}: {' '.join(str(m) for m in messages)}"
            for field, messages in found.errors.items()
        )
        raise InvalidInput(problems)
    return found.qs


def filter_parameters(filterset: type[django_filters.FilterSet]) -> list[OpenApiParameter]:
    """The FilterSet's filters as the query parameters of a List method's schema."""
    return [
        OpenApiParameter(
            name,
            int if isinstance(flt, django_filters.NumberFilter) else str,
            OpenApiParameter.QUERY,
            description=str(flt.extra.get("help_text", "")),
        )
        for name, flt in filterset.base_filters.items()
    ]
