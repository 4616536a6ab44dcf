"""Reads of the legacy DNC list: its answers (Read DNC; List and Find Matching DNC's items) and
its size, which ``info`` and the admin take from ``DncCounter`` rows (kept by the triggers of
migration 0002), never from COUNT(*) over 10 million rows."""

from collections.abc import Sequence

from livevox_site.models import Client

from ..models import NO_SERVICE, DncCounter, DncList, DncType, LegacyEntry

# The counter list of each legacy type.
COUNTER_LISTS = {
    DncType.PERMANENT: DncList.LEGACY_PERMANENT,
    DncType.DAILY: DncList.LEGACY_DAILY,
}
# The columns of a list item, in ``list_items``' order.
LIST_FIELDS = ("id", "client_id", "dnc_type", "service_id", "phone", "account", "zip")


def legacy_list_size(
    *, client: Client, lists: Sequence[str], service_ids: Sequence[int] | None = None
) -> int:
    """How many entries of these counter ``lists`` (``COUNTER_LISTS`` values) the client
    holds, for these services (0: client-level entries) or, with None, summed over all."""
    counters = DncCounter.objects.for_client(client).filter(list__in=list(lists))
    if service_ids is not None:
        counters = counters.filter(service_id__in=list(service_ids))
    return sum(counters.values_list("size", flat=True))


def entry_read(entry: LegacyEntry) -> dict:
    """Read DNC's answer: keys without a value are left out; no serviceId = every service."""
    body = {"id": entry.pk, "clientId": entry.client_id, "type": entry.dnc_type}
    optional = {
        "serviceId": entry.service_id or None,
        "filename": entry.filename,
        "phone": entry.phone,
        "account": entry.account,
        "zip": entry.zip,
    }
    body.update({key: value for key, value in optional.items() if value})
    return body


def list_items(rows: list[tuple]) -> list[dict]:
    """List DNC Entries' and Find Matching DNC's items (``dncType``, not Read's ``type``)."""
    items = []
    for pk, client_id, dnc_type, service_id, phone, account, zip_code in rows:
        item = {"id": pk, "clientId": client_id, "dncType": dnc_type}
        if service_id != NO_SERVICE:
            item["serviceId"] = service_id
        for key, value in (("phone", phone), ("account", account), ("zip", zip_code)):
            if value:
                item[key] = value
        items.append(item)
    return items
