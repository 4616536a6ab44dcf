"""Line checkers of the DNC lists, shared by the bulk endpoints, the CSV import and the admin's
import (STYLE habit 8: one rule, one place). Each turns one raw line (a JSON object of a bulk
body, or a CSV record read by ``livevox_site.bulk.csv_lines`` with the API's JSON keys as its
header, lower-cased) into the values ``bulk_upsert`` writes, or raises ``RowInvalid`` with the
reason.

A checker is built once per request or file (``ListRowChecker(...)``), holding what every line
is checked against: the client's contact groups or services (one query) and its time zone.
"""

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date
from typing import Any
from zoneinfo import ZoneInfo

from livevox_site.bulk import RowInvalid
from livevox_site.errors import InvalidInput
from livevox_site.lenient import parse_enum, parse_int, present
from livevox_site.models import Client, Service

from .models import NO_GROUP, NO_SERVICE, ContactGroup, DncType
from .wire import LIST_VALUES, optional, parse_account, parse_expiration, parse_phone, parse_zip

# Vendor's words for a contact group the client does not have (spec, bulk example).
GROUP_NOT_VALID = "Contact Group is not valid"


_ABSENT = object()


def _get(raw: Mapping, key: str) -> Any:
    """A JSON object's key, or a CSV header's (lower-cased by ``csv_lines``)."""
    value = raw.get(key, _ABSENT)
    return raw.get(key.lower()) if value is _ABSENT else value


def contact_group_ids(client: Client | int) -> frozenset[int]:
    """The ids of the client's own contact groups (the vendor's, unique within the client)."""
    return frozenset(ContactGroup.objects.for_client(client).values_list("group_id", flat=True))


def parse_contact_group(value, groups: frozenset[int], field: str = "contactGroupId") -> int:
    """A contact group of the client, or ``NO_GROUP`` when none is given."""
    if not present(value):
        return NO_GROUP
    try:
        group_id = parse_int(value, field, min_value=0)
    except InvalidInput:
        raise InvalidInput(GROUP_NOT_VALID, field=field) from None
    if group_id == NO_GROUP:
        return NO_GROUP  # 0, as the single create and update read it: no group
    if group_id not in groups:
        raise InvalidInput(GROUP_NOT_VALID, field=field)
    return group_id


@dataclass(frozen=True)
class ListRowChecker:
    """One line of a dial-time, email or SMS list: ``{<value key>, contactGroupId?,
    expirationDate?}`` -> ``{<value field>, "contact_group_id", "expiration_date"}``."""

    list_name: str
    groups: frozenset[int]
    zone: ZoneInfo

    @classmethod
    def for_client(cls, list_name: str, client: Client) -> "ListRowChecker":
        return cls(list_name, contact_group_ids(client), ZoneInfo(client.time_zone))

    def __call__(self, raw) -> dict:
        if not isinstance(raw, Mapping):
            raise RowInvalid("an entry must be a JSON object")
        key, parse = LIST_VALUES[self.list_name]
        try:
            return {
                key: parse(_get(raw, key), key),
                "contact_group_id": parse_contact_group(_get(raw, "contactGroupId"), self.groups),
                "expiration_date": parse_expiration(
                    _get(raw, "expirationDate"), "expirationDate", zone=self.zone
                ),
            }
        except InvalidInput as exc:
            raise RowInvalid(exc.message) from None


def service_ids(client: Client | int) -> frozenset[int]:
    return frozenset(Service.objects.for_client(client).values_list("id", flat=True))


def parse_service(value, services: frozenset[int], field: str = "serviceId") -> int:
    """A service of the client, or ``NO_SERVICE`` (every service) when none is given."""
    if not present(value):
        return NO_SERVICE
    service_id = parse_int(value, field, min_value=1)
    if service_id not in services:
        raise InvalidInput(f"{field}: no service {service_id} in this client", field=field)
    return service_id


# DncType.values builds its list on every access (a third of a legacy line's check).
DNC_TYPES = tuple(DncType.values)


def blocks_through(dnc_type: str, today: date) -> date | None:
    """A DAILY entry blocks through today (the client's); a PERMANENT one for ever."""
    return today if dnc_type == DncType.DAILY else None


@dataclass(frozen=True)
class LegacyRowChecker:
    """One line of the legacy list: ``{type, serviceId?, phone?, account?, zip?}`` (at least one
    of the three) -> the entry's fields. ``today`` is the client's, for DAILY entries."""

    services: frozenset[int]
    today: date

    @classmethod
    def for_client(cls, client: Client, today: date) -> "LegacyRowChecker":
        return cls(service_ids(client), today)

    def __call__(self, raw) -> dict:
        if not isinstance(raw, Mapping):
            raise RowInvalid("an entry must be a JSON object")
        try:
            dnc_type = parse_enum(_get(raw, "type"), "type", DNC_TYPES)
            values = {
                "dnc_type": dnc_type,
                "service_id": parse_service(_get(raw, "serviceId"), self.services),
                "phone": optional(parse_phone, _get(raw, "phone"), "phone", wildcards=True),
                "account": optional(parse_account, _get(raw, "account"), "account"),
                "zip": optional(parse_zip, _get(raw, "zip"), "zip"),
                "blocks_through": blocks_through(dnc_type, self.today),
            }
        except InvalidInput as exc:
            raise RowInvalid(exc.message) from None
        if not (values["phone"] or values["account"] or values["zip"]):
            raise RowInvalid("at least one of phone, account or zip is required")
        return values
