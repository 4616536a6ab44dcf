"""Writes of the legacy DNC list and of account Do Not Dial flags: what the API's
``/compliance/dnc`` methods and the admin call (STYLE habit 8). Every function is atomic and
audited: single adds and removals with before/after, bulk calls with one entry and their counts.

Values are the stored forms (``dnc.wire``'s parsers give them: 10-digit phones, 5-digit zips);
the single-entry functions check them again, as the admin's forms may pass anything, and raise
``InvalidValue`` naming their own parameter. ``client`` is the client acting; ``today`` its
local date (``dnc.wire.local_today``), which a DAILY entry or flag blocks through. ``via`` names
the request or tool (``"POST /compliance/dnc"``, ``"admin"``), kept on the entry and in the
audit trail.

Bulk lines (the three ``multiple*`` methods) are read from the request by ``dnc.wire``
(``read_phone_bulk``, ``read_account_bulk``, ``read_account_phone_bulk``: typed lines, and the
bad ones by line, at most ``MAX_BULK_LINES``); the services here take those ``ReadLines``, drop
repeated lines and write with ``livevox_site.bulk.bulk_upsert`` (one statement per batch). Lines
count from 1 in the order sent; a bad line never stops the good ones. What a line is:

- Multiple Phone DNC: one ``phoneDncEntry`` (a phone with its services: one entry each);
- Multiple Account DND: one ``accountDndEntry``;
- Multiple Account+Phone DND: one phone of an account, numbered across the accounts in the
  order sent (``dnc.wire.account_phone_lines``); an account that names no phones is one
  failed line.

Each call writes one audit entry: ``bulk_upsert``'s (its counts, the lines' counts and the
snapshots of what NONE lines removed), or, when only removals happened, one ``audit_deleted``.
"""

from collections.abc import Callable, Hashable, Iterable, Mapping
from dataclasses import dataclass, field, replace
from datetime import date
from typing import Any

from django.db import IntegrityError, connection, transaction
from django.utils import timezone

from livevox_site.audit import Actor, audit_deleted, audit_record, object_type, snapshot
from livevox_site.bulk import RowError, bulk_upsert
from livevox_site.errors import AlreadyExists, InvalidInput, InvalidValue
from livevox_site.lenient import parse_enum
from livevox_site.models import Client
from livevox_site.rawsql import one_of
from livevox_site.transactions import retry_on_deadlock

from ..models import NO_SERVICE, AccountFlag, DncType, DoNotDial, LegacyEntry
from ..rows import blocks_through, service_ids
from ..wire import ReadLines, optional, parse_account, parse_phone, parse_zip
from .dnc_type import require_list

# The ``dnc_legacy_key`` constraint: the merge key of bulk writes and the one-entry rule.
LEGACY_KEY = ["client", "phone", "account", "zip", "service_id", "dnc_type"]
ACCOUNT_KEY = ["client", "account"]
# Who changed a flag, when, through what: rewritten with every change of a flag.
PROVENANCE = ["changed_at", "changed_by", "changed_via"]

LEGACY_TYPE = object_type(LegacyEntry)
ACCOUNT_TYPE = object_type(AccountFlag)


# --- single entries ---------------------------------------------------------------------------


def _valid(parse: Callable, value: Any, wire_field: str, param: str, **kwargs) -> str:
    """``parse`` of an optional value, its complaint re-raised as the service's own."""
    try:
        return optional(parse, value, wire_field, **kwargs)
    except InvalidInput as exc:
        message = exc.message.removeprefix(f"{wire_field} ")
        raise InvalidValue(message, field=param) from None


def check_entry_values(
    *, client: Client, dnc_type: str, service_id: int, phone: str, account: str, zip: str
) -> dict:
    """The stored values of one entry, or ``InvalidValue`` naming the parameter."""
    try:
        dnc_type = parse_enum(dnc_type, "type", DncType.values)
    except InvalidInput:
        raise InvalidValue("must be PERMANENT or DAILY", field="dnc_type") from None
    service_id = service_id or NO_SERVICE
    if service_id != NO_SERVICE and service_id not in service_ids(client):
        raise InvalidValue(f"no service {service_id} in this client", field="service_id")
    values = {
        "dnc_type": dnc_type,
        "service_id": service_id,
        "phone": _valid(parse_phone, phone, "phone", "phone", wildcards=True),
        "account": _valid(parse_account, account, "account", "account"),
        "zip": _valid(parse_zip, zip, "zip", "zip"),
    }
    if not (values["phone"] or values["account"] or values["zip"]):
        raise InvalidValue("at least one of phone, account or zip is required", field="phone")
    return values


@retry_on_deadlock
def legacy_entry_create(
    *,
    actor: Actor,
    client: Client,
    dnc_type: str,
    service_id: int = NO_SERVICE,
    phone: str = "",
    account: str = "",
    zip: str = "",
    today: date,
    via: str,
    filename: str = "",
) -> LegacyEntry:
    """Add one entry. One that exists and still blocks: ``AlreadyExists``; an expired DAILY one
    is renewed (it blocks through ``today`` again) and returned. A Dial-Time client:
    ``InvalidInput`` (its legacy list is not its own)."""
    require_list(client, "legacy")
    values = check_entry_values(
        client=client,
        dnc_type=dnc_type,
        service_id=service_id,
        phone=phone,
        account=account,
        zip=zip,
    )
    now = timezone.now()
    provenance = {
        "added_at": now,
        "changed_at": now,
        "added_by": actor.name,
        "added_via": via,
        "filename": filename,
    }
    until = blocks_through(values["dnc_type"], today)
    with transaction.atomic():
        existing = LegacyEntry.objects.select_for_update().filter(client=client, **values).first()
        if existing is not None:
            if existing.blocks_through is None or existing.blocks_through >= today:
                raise AlreadyExists()
            before = snapshot(existing)
            for name, value in {**provenance, "blocks_through": until}.items():
                setattr(existing, name, value)
            existing.save()
            audit_record(
                actor=actor,
                client=client,
                action="dnc.legacyentry.renewed",
                obj=existing,
                before=before,
                after=snapshot(existing),
                details={"via": via},
            )
            return existing
        try:
            # A savepoint: a concurrent create of the same entry loses here, not with a 500.
            with transaction.atomic():
                entry = LegacyEntry.objects.create(
                    client=client, blocks_through=until, **values, **provenance
                )
        except IntegrityError:
            raise AlreadyExists() from None
        audit_record(
            actor=actor,
            client=client,
            action="dnc.legacyentry.created",
            obj=entry,
            after=snapshot(entry),
            details={"via": via},
        )
    return entry


@retry_on_deadlock
def legacy_entry_delete(*, actor: Actor, client: Client, entry: LegacyEntry) -> None:
    """Remove one entry of ``client`` (the caller found it in the client's scope)."""
    if entry.client_id != client.pk:
        raise InvalidValue("is not an entry of this client", field="entry")
    with transaction.atomic():
        audit_record(
            actor=actor,
            client=client,
            action="dnc.legacyentry.deleted",
            obj=entry,
            before=snapshot(entry),
        )
        entry.delete()


@retry_on_deadlock
def legacy_entries_delete(*, actor: Actor, client: Client, ids: Iterable[int]) -> int:
    """Remove the client's entries among ``ids`` (others are ignored); one audit entry (a
    summary for several). Returns how many went."""
    with transaction.atomic():
        entries = list(
            LegacyEntry.objects.for_client(client).filter(pk__in=list(ids)).select_for_update()
        )
        audit_deleted(actor=actor, client=client, objects_or_snapshots=entries)
        LegacyEntry.objects.filter(pk__in=[entry.pk for entry in entries]).delete()
    return len(entries)


@retry_on_deadlock
def account_flag_set(
    *, actor: Actor, client: Client, account: str, do_not_dial: str, today: date, via: str
) -> AccountFlag | None:
    """Set (PERMANENT, DAILY through ``today``) or clear (NONE: the flag is removed) an
    account's Do Not Dial flag. Returns the flag, None once cleared."""
    account = _valid(parse_account, account, "account", "account")
    if not account:
        raise InvalidValue("is required", field="account")
    try:
        do_not_dial = parse_enum(do_not_dial, "block", DoNotDial.values)
    except InvalidInput:
        raise InvalidValue("must be PERMANENT, DAILY or NONE", field="do_not_dial") from None
    with transaction.atomic():
        flag = AccountFlag.objects.select_for_update().filter(client=client, account=account)
        flag = flag.first()
        before = snapshot(flag)
        if do_not_dial == DoNotDial.NONE:
            if flag is None:
                return None
            audit_record(
                actor=actor,
                client=client,
                action="dnc.accountflag.deleted",
                obj=flag,
                before=before,
                details={"via": via},
            )
            flag.delete()
            return None
        flag = flag or AccountFlag(client=client, account=account)
        flag.do_not_dial = do_not_dial
        flag.blocks_through = blocks_through(do_not_dial, today)
        flag.changed_at = timezone.now()
        flag.changed_by = actor.name
        flag.changed_via = via
        flag.save()
        audit_record(
            actor=actor,
            client=client,
            action="dnc.accountflag.changed" if before else "dnc.accountflag.created",
            obj=flag,
            before=before,
            after=snapshot(flag),
            details={"via": via},
        )
    return flag


# --- bulk -------------------------------------------------------------------------------------


@dataclass
class BulkResult:
    """What a ``multiple*`` call did, counted by line (every line is exactly one of the three):
    ``successful`` lines added, renewed or removed something; ``duplicates`` are lines that
    repeat an earlier line of the request, or whose entries (or flag) already were as asked
    (already blocking, or nothing to remove); ``errors`` name the bad lines, in line order."""

    successful: int = 0
    duplicates: int = 0
    errors: list[RowError] = field(default_factory=list)


@dataclass
class _Lines:
    """The checked lines of one request: what to write, what to remove, what failed."""

    upserts: list[tuple[int, dict]] = field(default_factory=list)
    removals: list[tuple[int, dict]] = field(default_factory=list)
    errors: list[RowError] = field(default_factory=list)
    repeats: int = 0


def _sort_lines(read: ReadLines, remove: Callable[[Any], bool], key: Callable[[Any], Hashable]):
    """The lines read, sorted into upserts and removals; a line with the key of an earlier
    good line is a repeat (the first one wins). The lines that could not be read stay
    errors."""
    lines = _Lines(errors=sorted(read.errors, key=lambda error: error.line))
    seen: set[Hashable] = set()
    for line, value in read.lines:
        row_key = key(value)
        if row_key in seen:
            lines.repeats += 1
            continue
        seen.add(row_key)
        (lines.removals if remove(value) else lines.upserts).append((line, value))
    return lines


# (phone, account, service_id): what identifies the entries a line adds or removes; zip is
# always empty in bulk lines.
_LINE_KEY = ("phone", "account", "service_id")


def _line_key(row: Mapping) -> tuple:
    return tuple(row[name] for name in _LINE_KEY)


def _for_update() -> str:
    return "FOR UPDATE" if connection.features.has_select_for_update else ""


_LEGACY_COLUMNS = "id, phone, account, service_id, dnc_type, blocks_through, filename"


def _zipless_entries(*, client: Client, phones: set[str], where: str = "", params=()) -> list:
    """``(id, phone, account, service_id, dnc_type, blocks_through, filename)`` of the client's
    zip-less entries of these phones: one statement through the key index (client, phone)."""
    if not phones:
        return []
    phone_sql, phone_params = one_of("phone", sorted(phones))
    sql = (
        f"SELECT {_LEGACY_COLUMNS} FROM {LegacyEntry._meta.db_table} "  # noqa: S608 (_meta)
        f"WHERE client_id = %s AND zip = '' AND {phone_sql} {where}"
    )
    with connection.cursor() as cursor:
        cursor.execute(sql, [client.pk, *phone_params, *params])
        return cursor.fetchall()


def _remove_legacy(*, client: Client, rows: list[dict]) -> tuple[list[dict], set[tuple]]:
    """Delete the zip-less entries (any type) of the client matching a row's phone, account and
    service; the snapshots of what went (for the audit, as ``LegacyEntry.audit_snapshot``) and
    the keys that matched."""
    wanted = {_line_key(row) for row in rows}
    found = [
        entry
        for entry in _zipless_entries(
            client=client, phones={row["phone"] for row in rows}, where=_for_update()
        )
        if tuple(entry[1:4]) in wanted
    ]
    if not found:
        return [], set()
    ids = [entry[0] for entry in found]
    id_sql, id_params = one_of("id", ids)
    with connection.cursor() as cursor:
        cursor.execute(
            f"DELETE FROM {LegacyEntry._meta.db_table} WHERE {id_sql}",  # noqa: S608 (_meta)
            id_params,
        )
    snapshots = [
        {
            "id": pk,
            "type": dnc_type,
            "serviceId": service_id or None,
            "phone": phone or None,
            "account": account or None,
            "zip": None,
            "blocksThrough": str(until) if until else None,
            "filename": filename or None,
        }
        for pk, phone, account, service_id, dnc_type, until, filename in found
    ]
    return snapshots, {tuple(entry[1:4]) for entry in found}


def _still_blocking(*, client: Client, rows: list[dict], today: date) -> set[tuple]:
    """The (phone, account, service, type) keys among ``rows`` whose zip-less entry exists and
    still blocks (PERMANENT, or DAILY through ``today``): a bulk line asking for them again is
    a duplicate. One statement."""
    found = _zipless_entries(
        client=client,
        phones={row["phone"] for row in rows},
        where="AND (blocks_through IS NULL OR blocks_through >= %s)",
        params=[connection.ops.adapt_datefield_value(today)],
    )
    return {tuple(entry[1:5]) for entry in found}


def _apply_legacy(
    *,
    actor: Actor,
    client: Client,
    lines: list[tuple[int, bool, list[dict]]],
    today: date,
    via: str,
    sorted_lines: _Lines,
    received: int,
) -> BulkResult:
    """Write the checked lines of a legacy bulk call: ``(line, remove, rows)``, each row
    ``{phone, account, service_id}`` (plus ``dnc_type`` and ``blocks_through`` to add). A line
    is successful when it adds, renews or removes any entry, else a duplicate. One audit entry:
    ``bulk_upsert``'s (with what was removed in its details), or the removals' summary."""
    result = BulkResult(errors=sorted_lines.errors, duplicates=sorted_lines.repeats)
    upserts = [(line, row) for line, remove, rows in lines if not remove for row in rows]
    removals = [row for _, remove, rows in lines if remove for row in rows]
    with transaction.atomic():
        blocking = _still_blocking(client=client, rows=[row for _, row in upserts], today=today)
        removed, hit = _remove_legacy(client=client, rows=removals)
        for _, remove, rows in lines:
            if remove:
                changed = any(_line_key(row) in hit for row in rows)
            else:
                changed = any((*_line_key(row), row["dnc_type"]) not in blocking for row in rows)
            if changed:
                result.successful += 1
            else:
                result.duplicates += 1
        counts = _counts(result, received)
        wrote = False
        if upserts:
            report = bulk_upsert(
                model=LegacyEntry,
                rows=iter(upserts),
                key_fields=LEGACY_KEY,
                update_fields=["blocks_through"],
                fixed={
                    "client": client.pk,
                    "zip": "",
                    "added_by": actor.name,
                    "added_via": via,
                },
                client=client,
                actor=actor,
                action="dnc.legacyentry.bulk",
                source_name=via,
                audit_details={"lines": counts, "removed": removed},
            )
            wrote = bool(report.created or report.updated)
        if removed and not wrote:
            audit_deleted(
                actor=actor,
                client=client,
                objects_or_snapshots=removed,
                obj_type=LEGACY_TYPE,
                details={"source": via, "lines": counts},
            )
    return result


def _counts(result: BulkResult, received: int) -> dict:
    return {
        "received": received,
        "successful": result.successful,
        "duplicates": result.duplicates,
        "failed": len(result.errors),
    }


@retry_on_deadlock
def phone_dnc_bulk(
    *, actor: Actor, client: Client, block: str, read: ReadLines, today: date, via: str
) -> BulkResult:
    """Multiple Phone DNC (its body read by ``dnc.wire.read_phone_bulk``): each line, a phone
    with its services (none: the client-level entry), adds (or renews) a phone-only entry of
    the ``block`` type per service, or with ``NONE`` removes the phone-only entries (any type)
    of those services."""
    require_list(client, "legacy")
    remove = block == DoNotDial.NONE
    until = blocks_through(block, today)
    lines = _sort_lines(
        read, lambda _: remove, key=lambda v: (v.phone, tuple(sorted(v.service_ids)))
    )
    extra = {} if remove else {"dnc_type": block, "blocks_through": until}
    checked = [
        (
            line,
            remove,
            [
                {"phone": v.phone, "account": "", "service_id": service_id, **extra}
                for service_id in v.service_ids or (NO_SERVICE,)
            ],
        )
        for line, v in sorted(lines.upserts + lines.removals, key=lambda pair: pair[0])
    ]
    return _apply_legacy(
        actor=actor,
        client=client,
        lines=checked,
        today=today,
        via=via,
        sorted_lines=lines,
        received=read.received,
    )


@retry_on_deadlock
def account_dnd_bulk(
    *, actor: Actor, client: Client, read: ReadLines, today: date, via: str
) -> BulkResult:
    """Multiple Account DND (its body read by ``dnc.wire.read_account_bulk``): each line sets
    the account's Do Not Dial flag (PERMANENT, DAILY through ``today``) or clears it (NONE:
    the flag is removed). A line whose flag already was as asked is a duplicate."""
    read = replace(
        read,
        lines=[
            (
                line,
                {
                    "account": v.account,
                    "do_not_dial": v.block,
                    "blocks_through": blocks_through(v.block, today),
                },
            )
            for line, v in read.lines
        ],
    )
    lines = _sort_lines(
        read, lambda v: v["do_not_dial"] == DoNotDial.NONE, key=lambda v: v["account"]
    )
    result = BulkResult(errors=lines.errors, duplicates=lines.repeats)
    with transaction.atomic():
        accounts = {v["account"] for _, v in lines.upserts + lines.removals}
        current = _flags_locked(client, accounts)
        removed = _flags_to_remove(lines.removals, current, today, result)
        changes = _flag_changes(lines.upserts, current, result)
        snapshots = [snapshot(flag) for flag in removed]
        ids = [flag.pk for flag in removed]
        for start in range(0, len(ids), 1000):
            AccountFlag.objects.filter(pk__in=ids[start : start + 1000]).delete()
        # Only the lines that change a flag reach the merge, so who changed it, when and
        # through what can be written with it without touching the flags left as they were.
        report = bulk_upsert(
            model=AccountFlag,
            rows=iter(changes),
            key_fields=ACCOUNT_KEY,
            update_fields=["do_not_dial", "blocks_through", *PROVENANCE],
            fixed={
                "client": client.pk,
                "changed_at": timezone.now(),
                "changed_by": actor.name,
                "changed_via": via,
            },
            client=client,
            actor=actor,
            action="dnc.accountflag.bulk",
            source_name=via,
            audit_details={"lines": _counts(result, read.received), "removed": snapshots},
        )
        if not (report.created or report.updated) and snapshots:
            audit_deleted(
                actor=actor,
                client=client,
                objects_or_snapshots=snapshots,
                obj_type=ACCOUNT_TYPE,
                details={"source": via, "lines": _counts(result, read.received)},
            )
    return result


def _flags_locked(client: Client, accounts: set[str]) -> dict[str, AccountFlag]:
    """The client's flags of these accounts, by account, locked until the transaction ends
    (read 1,000 accounts a query, in order)."""
    ordered = sorted(accounts)
    current: dict[str, AccountFlag] = {}
    for start in range(0, len(ordered), 1000):
        for flag in (
            AccountFlag.objects.for_client(client)
            .filter(account__in=ordered[start : start + 1000])
            .select_for_update()
        ):
            current[flag.account] = flag
    return current


def _flags_to_remove(
    removals: list, current: dict[str, AccountFlag], today: date, result: BulkResult
) -> list[AccountFlag]:
    """The flags NONE lines remove; a line whose flag did not block (or did not exist) is a
    duplicate."""
    removed = []
    for _, values in removals:
        flag = current.get(values["account"])
        if flag is not None and _flag_blocks(flag, today):
            result.successful += 1
        else:
            result.duplicates += 1
        if flag is not None:
            removed.append(flag)
    return removed


def _flag_changes(upserts: list, current: dict[str, AccountFlag], result: BulkResult) -> list:
    """The lines that change a flag (a line whose flag already is as asked is a duplicate)."""
    changes = []
    for line, values in upserts:
        flag = current.get(values["account"])
        same = (
            flag is not None
            and flag.do_not_dial == values["do_not_dial"]
            and flag.blocks_through == values["blocks_through"]
        )
        if same:
            result.duplicates += 1
        else:
            result.successful += 1
            changes.append((line, values))
    return changes


def _flag_blocks(flag: AccountFlag, today: date) -> bool:
    return flag.do_not_dial != DoNotDial.NONE and (
        flag.blocks_through is None or flag.blocks_through >= today
    )


@retry_on_deadlock
def account_phone_dnd_bulk(
    *, actor: Actor, client: Client, read: ReadLines, today: date, via: str
) -> BulkResult:
    """Multiple Account+Phone DND (its body read by ``dnc.wire.read_account_phone_bulk``): each
    line, one phone of an account, adds a client-level phone + account entry of its block's
    type, or with NONE removes those entries (any type)."""
    require_list(client, "legacy")
    lines = _sort_lines(
        read, lambda v: v.block == DoNotDial.NONE, key=lambda v: (v.account, v.phone)
    )

    def row(v) -> dict:
        found = {"phone": v.phone, "account": v.account, "service_id": NO_SERVICE}
        if v.block != DoNotDial.NONE:
            found.update(dnc_type=v.block, blocks_through=blocks_through(v.block, today))
        return found

    checked = [
        (line, v.block == DoNotDial.NONE, [row(v)])
        for line, v in sorted(lines.upserts + lines.removals, key=lambda pair: pair[0])
    ]
    return _apply_legacy(
        actor=actor,
        client=client,
        lines=checked,
        today=today,
        via=via,
        sorted_lines=lines,
        received=read.received,
    )
