"""Writes of the dial-time, email and SMS lists (``/compliance/{dialtime,email,sms}/dnc``).

Services take typed keyword arguments: the API's views read the lenient wire and call these, and
the admin (and its actions) will call the very same functions. Values are normalized here again
(``dnc.wire``: ten-digit phones, lower-case emails), so a caller that skips the wire cannot
store a value the API would refuse. Every write runs in one transaction and is audited: single
changes with before and after, bulk calls with one ``audit_bulk`` entry.

Failures: ``InvalidInput`` naming the value's field (a bad phone or email), ``InvalidValue``
naming ``contact_group_id`` (a group the client does not have), ``AlreadyExists`` (another entry
holds the same value in the same contact group), ``EntryNotFound``.
"""

import math
import secrets
import string
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from typing import Any

from django.db import IntegrityError, transaction
from django.utils import timezone

from livevox_site.audit import Actor, audit_bulk, audit_deleted, audit_record, snapshot
from livevox_site.bulk import BulkReport, bulk_upsert, numbered
from livevox_site.errors import AlreadyExists, EntryNotFound, InvalidInput, InvalidValue
from livevox_site.models import Client
from livevox_site.transactions import retry_on_deadlock

from ..models import NO_GROUP, ContactGroup, DialtimeEntry, EmailEntry, ListEntry, SmsEntry
from ..rows import GROUP_NOT_VALID, ListRowChecker
from ..wire import LIST_VALUES, MAX_BULK_LINES
from .dnc_type import require_list

LIST_MODELS: dict[str, type[ListEntry]] = {
    "dialtime": DialtimeEntry,
    "email": EmailEntry,
    "sms": SmsEntry,
}
# The vendor's cap on one Create Multiple request (the same as the legacy bulk methods').
MAX_BULK_ENTRIES = MAX_BULK_LINES
# Lines per staged batch; the bulk answer's "totally in N batches" counts these.
BULK_BATCH_SIZE = 5000
NOT_FOUND = "DNC entry not found"
_NAME_ALPHABET = string.ascii_letters + string.digits


def list_model(list_name: str) -> type[ListEntry]:
    """The model of ``"dialtime"``, ``"email"`` or ``"sms"``."""
    try:
        return LIST_MODELS[list_name]
    except KeyError:
        raise ValueError(f"no DNC list {list_name!r}") from None


def list_name_of(entry: ListEntry) -> str:
    """``"dialtime"``, ``"email"`` or ``"sms"``: the list an entry belongs to."""
    return next(name for name, model in LIST_MODELS.items() if isinstance(entry, model))


def audit_prefix(list_name: str) -> str:
    return f"dnc.{list_name}"


def clean_value(list_name: str, value: Any) -> str:
    """The stored form of a list's value (a phone's ten digits, an email in lower case)."""
    key, parse = LIST_VALUES[list_name]
    return parse(value, key)


def check_contact_group(client: Client, contact_group_id: int) -> int:
    """``contact_group_id`` if the client has a group with that id (``NO_GROUP`` always
    passes). Ids are per client: another client's groups are never looked at."""
    if contact_group_id == NO_GROUP:
        return NO_GROUP
    groups = ContactGroup.objects.for_client(client)
    if not groups.filter(group_id=contact_group_id).exists():
        raise InvalidValue(GROUP_NOT_VALID, field="contact_group_id")
    return contact_group_id


def _holder(model: type[ListEntry], client: Client, value: str, group: int, but: int | None):
    found = model.objects.for_client(client).filter(
        **{model.value_field: value, "contact_group_id": group}
    )
    if but is not None:
        found = found.exclude(pk=but)
    return found.exists()


def list_entry_get(*, client: Client, list_name: str, entry_id: int) -> ListEntry:
    """One entry of the client's list, or ``EntryNotFound`` (another client's too)."""
    entry = list_model(list_name).objects.for_client(client).filter(pk=entry_id).first()
    if entry is None:
        raise EntryNotFound(NOT_FOUND)
    return entry


@retry_on_deadlock
def list_entry_create(
    *,
    actor: Actor,
    client: Client,
    list_name: str,
    value: str,
    contact_group_id: int = NO_GROUP,
    expiration_date: date | None = None,
    via: str = "",
) -> ListEntry:
    """Add one entry; ``AlreadyExists`` when the value is already listed in that group,
    ``InvalidInput`` when the client does not use this list (its Phone DNC Type)."""
    require_list(client, list_name)
    model = list_model(list_name)
    value = clean_value(list_name, value)
    group = check_contact_group(client, contact_group_id)
    if _holder(model, client, value, group, None):
        raise AlreadyExists()
    entry = model(
        client=client,
        contact_group_id=group,
        expiration_date=expiration_date,
        added_by=actor.name,
        added_via=via,
        **{model.value_field: value},
    )
    try:
        with transaction.atomic():
            entry.save(force_insert=True)
    except IntegrityError:
        # A concurrent request added the same (value, group) after the check above.
        raise AlreadyExists() from None
    audit_record(
        actor=actor,
        client=client,
        action=f"{audit_prefix(list_name)}.created",
        obj=entry,
        after=snapshot(entry),
        details={"via": via} if via else None,
    )
    return entry


@retry_on_deadlock
def list_entry_update(
    *,
    actor: Actor,
    client: Client,
    entry: ListEntry,
    value: str,
    contact_group_id: int | None = None,
    expiration_date: date | None = None,
    clear_expiration: bool = False,
    via: str = "",
) -> ListEntry:
    """Change an entry's value, and its contact group and expiration date when given:
    ``contact_group_id`` None keeps the group (``NO_GROUP`` removes it); ``expiration_date``
    None keeps the date unless ``clear_expiration``. ``AlreadyExists`` when another entry
    holds the new (value, group)."""
    model = type(entry)
    list_name = list_name_of(entry)
    require_list(client, list_name)
    locked = model.objects.for_client(client).select_for_update().filter(pk=entry.pk).first()
    if locked is None:
        raise EntryNotFound(NOT_FOUND)
    before = snapshot(locked)
    value = clean_value(list_name, value)
    group = locked.contact_group_id if contact_group_id is None else contact_group_id
    if group != locked.contact_group_id:
        check_contact_group(client, group)
    if _holder(model, client, value, group, locked.pk):
        raise AlreadyExists()
    setattr(locked, model.value_field, value)
    locked.contact_group_id = group
    if clear_expiration:
        locked.expiration_date = None
    elif expiration_date is not None:
        locked.expiration_date = expiration_date
    locked.changed_at = timezone.now()
    try:
        with transaction.atomic():
            locked.save()
    except IntegrityError:
        raise AlreadyExists() from None
    audit_record(
        actor=actor,
        client=client,
        action=f"{audit_prefix(list_name)}.updated",
        obj=locked,
        before=before,
        after=snapshot(locked),
        details={"via": via} if via else None,
    )
    return locked


@retry_on_deadlock
def list_entry_delete(*, actor: Actor, client: Client, entry: ListEntry, via: str = "") -> None:
    """Remove one entry, audited with its last state."""
    model = type(entry)
    list_name = list_name_of(entry)
    before = snapshot(entry)
    deleted, _ = model.objects.for_client(client).filter(pk=entry.pk).delete()
    if not deleted:
        raise EntryNotFound(NOT_FOUND)
    audit_record(
        actor=actor,
        client=client,
        action=f"{audit_prefix(list_name)}.deleted",
        obj_type=entry._meta.label_lower,
        obj_id=entry.pk,
        name=entry.audit_name(),
        before=before,
        details={"via": via} if via else None,
    )


@retry_on_deadlock
def list_entries_delete(*, actor: Actor, client: Client, list_name: str, ids: Sequence[int]) -> int:
    """Remove the client's entries among ``ids`` (others are ignored); one audit entry with
    every removed entry's last state. Returns how many were removed."""
    found = list(
        list_model(list_name).objects.for_client(client).filter(pk__in=list(ids)).order_by("id")
    )
    if not found:
        return 0
    audit_deleted(
        actor=actor, client=client, objects_or_snapshots=found, action=f"dnc.{list_name}.deleted"
    )
    list_model(list_name).objects.for_client(client).filter(pk__in=[e.pk for e in found]).delete()
    return len(found)


@retry_on_deadlock
def list_entries_set_expiration(
    *,
    actor: Actor,
    client: Client,
    list_name: str,
    ids: Sequence[int],
    expiration_date: date | None,
) -> int:
    """Set (or, with None, clear) the expiration date of the client's entries among ``ids``;
    one ``audit_bulk`` entry naming them. Returns how many changed."""
    model = list_model(list_name)
    changing = model.objects.for_client(client).filter(pk__in=list(ids))
    if expiration_date is None:
        changing = changing.filter(expiration_date__isnull=False)
    else:
        changing = changing.exclude(expiration_date=expiration_date)
    changed_ids = sorted(changing.values_list("pk", flat=True))
    if not changed_ids:
        return 0
    changed = model.objects.filter(pk__in=changed_ids).update(
        expiration_date=expiration_date, changed_at=timezone.now()
    )
    audit_bulk(
        actor=actor,
        client=client,
        action=f"{audit_prefix(list_name)}.expiration_set",
        obj_type=model._meta.label_lower,
        counts={"updated": changed},
        details={"ids": changed_ids, "expirationDate": expiration_date},
    )
    return changed


# --- Create Multiple ------------------------------------------------------------------------


def bulk_name() -> str:
    """A short name for one bulk request (the vendor's "Processed DNC filename: O29y5wrP"),
    stored as its entries' ``filename`` and in its audit entry."""
    return "".join(secrets.choice(_NAME_ALPHABET) for _ in range(8))


@dataclass(frozen=True)
class BulkOutcome:
    """What Create Multiple did: the report, the request's name and the vendor's sentence
    about the bad lines ("" when every line was good)."""

    report: BulkReport
    name: str
    batches: int
    message: str

    @property
    def processed(self) -> int:
        return self.report.received


def _shown(raw: Any, key: str) -> str:
    # The value a bad record holds, as sent ("" when it has none).
    value = raw.get(key) if isinstance(raw, Mapping) else None
    return "" if value is None else str(value)


def bulk_message(
    errors: Sequence[tuple[int, str, str]], *, name: str, batches: int, processed: int
) -> str:
    """The vendor's sentence: "Record 3: 6505153873, Contact Group is not valid. Processed DNC
    filename: O29y5wrP totally in 1 batches, no of lines processed: 3." (one "Record N" per
    bad line: its number, its value as sent, the reason)."""
    records = " ".join(f"Record {line}: {value}, {reason}." for line, value, reason in errors)
    tail = (
        f"Processed DNC filename: {name} totally in {batches} batches, "
        f"no of lines processed: {processed}."
    )
    return f"{records} {tail}" if records else tail


@retry_on_deadlock
def list_entries_bulk(
    *,
    actor: Actor,
    client: Client,
    list_name: str,
    entries: Sequence[Any],
    via: str = "",
    name: str | None = None,
    check: Callable[[Any], dict] | None = None,
) -> BulkOutcome:
    """Create Multiple: check every line (``ListRowChecker``), insert the new (value, group)
    pairs and update the expiration date of the existing ones, in one transaction with one
    audit entry. Good lines are saved even when others are bad; those are named in
    ``outcome.message``. A line repeating an earlier one of the request counts as processed.

    ``entries`` holds at most ``MAX_BULK_ENTRIES`` lines (more: ``InvalidInput``, nothing
    saved)."""
    if len(entries) > MAX_BULK_ENTRIES:
        raise InvalidInput(
            f"dncEntries may hold at most {MAX_BULK_ENTRIES} entries (got {len(entries)})",
            field="dncEntries",
        )
    require_list(client, list_name)
    model = list_model(list_name)
    key = LIST_VALUES[list_name][0]
    name = name or bulk_name()
    report = bulk_upsert(
        model=model,
        rows=numbered(entries),
        check=check or ListRowChecker.for_client(list_name, client),
        key_fields=["client", model.value_field, "contact_group_id"],
        update_fields=["expiration_date"],
        fixed={
            "client": client.pk,
            "added_by": actor.name,
            "added_via": via,
            "filename": name,
        },
        client=client,
        actor=actor,
        action=f"{audit_prefix(list_name)}.bulk",
        source_name=name,
        audit_details={"via": via},
        batch_size=BULK_BATCH_SIZE,
    )
    batches = max(1, math.ceil(report.received / BULK_BATCH_SIZE))
    message = ""
    if report.errors:
        shown = [(e.line, _shown(entries[e.line - 1], key), e.reason) for e in report.errors]
        message = bulk_message(shown, name=name, batches=batches, processed=report.received)
    return BulkOutcome(report=report, name=name, batches=batches, message=message)
