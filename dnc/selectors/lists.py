"""Reads of the dial-time, email and SMS lists: the entries as the wire answers them, and the
size that ``info`` answers (from ``DncCounter``, never a COUNT: 0.7 s at 10 million rows).

Keys are the spec's: dial-time entries answer ``id``; email and SMS entries answer ``dncId``
(the spec's examples) and ``id`` (its field tables and the .NET client), with the same value
(docs/wire.md section 9). ``contactGroupId`` and ``expirationDate`` are left out when not set.
"""

from collections.abc import Iterable
from zoneinfo import ZoneInfo

from django.db.models import QuerySet

from livevox_site.models import Client

from ..models import NO_GROUP, NO_SERVICE, DncCounter, DncList, ListEntry
from ..wire import expiration_ms

# list name -> the DncCounter list it is counted under (migration 0002).
COUNTER_LISTS = {"dialtime": DncList.DIALTIME, "email": DncList.EMAIL, "sms": DncList.SMS}


def entry_item(
    *,
    list_name: str,
    value_field: str,
    entry_id: int,
    value: str,
    contact_group_id: int,
    expiration_date,
    zone: ZoneInfo,
) -> dict:
    """One entry as the wire answers it."""
    item: dict = {value_field: value}
    if contact_group_id != NO_GROUP:
        item["contactGroupId"] = contact_group_id
    if expiration_date is not None:
        item["expirationDate"] = expiration_ms(expiration_date, zone)
    if list_name != "dialtime":
        item["dncId"] = entry_id
    item["id"] = entry_id
    return item


def entry_read(entry: ListEntry, *, list_name: str, zone: ZoneInfo) -> dict:
    return entry_item(
        list_name=list_name,
        value_field=entry.value_field,
        entry_id=entry.pk,
        value=entry.value,
        contact_group_id=entry.contact_group_id,
        expiration_date=entry.expiration_date,
        zone=zone,
    )


def page_rows(queryset: QuerySet, value_field: str) -> QuerySet:
    """The columns a page needs, as tuples in id order (no model instance per row)."""
    return queryset.order_by("id").values_list(
        "id", value_field, "contact_group_id", "expiration_date"
    )


def page_items(
    rows: Iterable[tuple], *, list_name: str, value_field: str, zone: ZoneInfo
) -> list[dict]:
    return [
        entry_item(
            list_name=list_name,
            value_field=value_field,
            entry_id=entry_id,
            value=value,
            contact_group_id=group,
            expiration_date=expires,
            zone=zone,
        )
        for entry_id, value, group, expires in rows
    ]


def list_size(*, client: Client, list_name: str) -> int:
    """How many entries the client's list holds, from its counter row (0 when none yet)."""
    size = (
        DncCounter.objects.for_client(client)
        .filter(list=COUNTER_LISTS[list_name], service_id=NO_SERVICE)
        .values_list("size", flat=True)
        .first()
    )
    return size or 0
