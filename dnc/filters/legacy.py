"""The legacy list's filters: ``GET /compliance/dnc`` (its query) and ``POST
/compliance/dnc/search`` (its body's ``filter`` object) feed this one FilterSet, and the OpenAPI
schema of both is generated from it (``query_parameters``, ``search_body_fields``).

Values arrive in the wire's lenient forms (docs/wire.md section 4), so each filter reads its value
with the DNC parsers (``dnc.wire``) and a bad one is a 400 code 202 naming the field, never an
empty answer. Names are matched without case (``DncType=``, ``Service=``). The search body's
``type`` is the list query's ``dncType`` (the vendor spells it both ways).

Every filter narrows the client's entries through an index of ``LegacyEntry`` (``models.py``):
type and service through ``dnc_legacy_list``, phone through the key, account and zip through
their partial indexes. ``modifiedAfter`` has no index of its own: it narrows whatever the others
left (within the client).
"""

from collections.abc import Mapping
from typing import Any

import django_filters
from django import forms
from django.db.models import QuerySet

from livevox_site.errors import InvalidInput
from livevox_site.lenient import parse_date, parse_enum, parse_int, present

from ..models import NO_SERVICE, DncType, LegacyEntry
from ..rows import service_ids
from ..wire import parse_account, parse_phone, parse_zip

# Wire names the FilterSet also answers to: the search body's spelling -> the filter's name.
ALIASES = {"type": "dncType"}


class _AnyValue(forms.Field):
    """Takes the raw value (a string from a query, any JSON value from a body): the filter's
    own method parses it, with the DNC parsers and their messages."""

    def to_python(self, value: Any) -> Any:
        return value


class WireFilter(django_filters.Filter):
    field_class = _AnyValue

    def __init__(self, *args, help_text: str = "", schema_type: type = str, **kwargs):
        super().__init__(*args, **kwargs)
        self.help_text = help_text
        self.schema_type = schema_type


def _service_list(value: Any) -> list[Any]:
    """``123``, ``"123"``, ``[123, "456"]``, ``[{"id": 123}]`` (as multiplePhoneDnc spells
    services), or ``"123,456"`` in a query."""
    if isinstance(value, str) and "," in value:
        return [part for part in value.split(",") if part.strip()]
    if isinstance(value, list):
        return [item.get("id") if isinstance(item, Mapping) else item for item in value]
    if isinstance(value, Mapping):
        return [value.get("id")]
    return [value]


def parse_dnc_type(value: Any) -> str:
    """The ``dncType`` filter's value (also what info counts by)."""
    return parse_enum(value, "dncType", DncType.values)


def parse_services(value: Any, client) -> list[int]:
    """The ``service`` filter's ids, each a service of ``client`` or 0 (client-level
    entries); another client's service is reported like an unknown one."""
    wanted = [parse_int(item, "service", min_value=0) for item in _service_list(value)]
    known = service_ids(client) | {NO_SERVICE}
    unknown = [service_id for service_id in wanted if service_id not in known]
    if unknown:
        raise InvalidInput(f"service: no service {unknown[0]} in this client", field="service")
    return sorted(set(wanted))


class LegacyEntryFilter(django_filters.FilterSet):
    """The legacy list's filters. ``client`` is the request's (``TenantViewSet``), never a
    filter: pass the client's entries as ``queryset`` and the client as ``client``."""

    dncType = WireFilter(
        method="by_type",
        help_text="PERMANENT or DAILY (any case); absent: both. The search body calls it 'type'",
    )
    service = WireFilter(
        method="by_service",
        help_text=(
            "A service of the client (or several: a list of ids, or of {id} objects, in a "
            "search body; comma-separated in a query); 0: the entries of every service "
            "(client-level); absent: all entries"
        ),
        schema_type=int,
    )
    modifiedAfter = WireFilter(
        method="by_modified_after",
        help_text="Added or changed after this moment: epoch ms, yyyy-MM-dd or ISO-8601",
    )
    phone = WireFilter(method="by_phone", help_text="10 digits; '*' wildcards are literal")
    account = WireFilter(method="by_account")
    zip = WireFilter(method="by_zip", help_text="5 digits (ZIP+4 keeps the first five)")

    class Meta:
        model = LegacyEntry
        fields: list[str] = []

    def __init__(self, data=None, queryset=None, *, client=None, **kwargs):
        super().__init__(data=data, queryset=queryset, **kwargs)
        self.client = client

    def by_type(self, queryset: QuerySet, name: str, value: Any) -> QuerySet:
        return queryset.filter(dnc_type=parse_dnc_type(value))

    def by_service(self, queryset: QuerySet, name: str, value: Any) -> QuerySet:
        wanted = parse_services(value, self.client)
        if len(wanted) == 1:
            return queryset.filter(service_id=wanted[0])
        return queryset.filter(service_id__in=wanted)

    def by_modified_after(self, queryset: QuerySet, name: str, value: Any) -> QuerySet:
        moment = parse_date(value, "modifiedAfter")
        return queryset if moment is None else queryset.filter(changed_at__gt=moment)

    def by_phone(self, queryset: QuerySet, name: str, value: Any) -> QuerySet:
        return queryset.filter(phone=parse_phone(value, "phone", wildcards=True))

    def by_account(self, queryset: QuerySet, name: str, value: Any) -> QuerySet:
        return queryset.filter(account=parse_account(value, "account"))

    def by_zip(self, queryset: QuerySet, name: str, value: Any) -> QuerySet:
        return queryset.filter(zip=parse_zip(value, "zip"))


def filter_data(given: Mapping[str, Any], filterset=LegacyEntryFilter) -> dict[str, Any]:
    """The FilterSet's data from a query (names already lower-cased by ``lenient.query``) or a
    search body's filter object: names matched without case, aliases resolved, absent values
    (null, blank, an empty list) dropped. The first spelling given wins a repeat."""
    by_lower = {name.lower(): name for name in filterset.base_filters}
    by_lower.update({alias.lower(): name for alias, name in ALIASES.items()})
    data: dict[str, Any] = {}
    for key, value in given.items():
        name = by_lower.get(str(key).lower())
        if name is None or name in data:
            continue
        if not present(value) or value == []:
            continue
        data[name] = value
    return data


def filtered(queryset: QuerySet, given: Mapping[str, Any], *, client) -> QuerySet:
    """``queryset`` (the client's entries) narrowed by ``given``, in id order."""
    filterset = LegacyEntryFilter(filter_data(given), queryset=queryset, client=client)
    # The fields take any value, so the form is always valid; the methods raise InvalidInput.
    return filterset.qs.order_by("id")


def search_filter(body: Any) -> Mapping[str, Any]:
    """The filter object of a search body: under ``"filter"``, under ``"type"`` (as some clients
    send it), or the body itself."""
    if body is None or body == "":
        return {}
    if not isinstance(body, Mapping):
        raise InvalidInput("The request body must be a JSON object")
    for key in ("filter", "type"):
        inner = body.get(key)
        if isinstance(inner, Mapping):
            return inner
    inner = body.get("filter")
    if present(inner):
        raise InvalidInput("filter must be a JSON object", field="filter")
    return body


def query_parameters(*, exclude: tuple[str, ...] = ()) -> list:
    """The FilterSet as OpenAPI query parameters (``GET /compliance/dnc``)."""
    from drf_spectacular.utils import OpenApiParameter

    return [
        OpenApiParameter(
            name,
            f.schema_type,
            OpenApiParameter.QUERY,
            description=f.help_text,
        )
        for name, f in LegacyEntryFilter.base_filters.items()
        if name not in exclude
    ]


def search_body_fields() -> dict:
    """The FilterSet as the fields of the search body's ``filter`` object."""
    from rest_framework import serializers

    fields: dict = {}
    for name, f in LegacyEntryFilter.base_filters.items():
        wire_name = "type" if name == "dncType" else name
        if name == "service":
            fields[wire_name] = serializers.ListField(
                child=serializers.IntegerField(), required=False, help_text=f.help_text
            )
        else:
            fields[wire_name] = serializers.CharField(
                required=False, allow_null=True, help_text=f.help_text
            )
    return fields
