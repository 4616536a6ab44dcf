"""``purge_dnc``: delete the DNC rows that no longer block anything.

What goes, per client, "today" being the client's today in its time zone:

- legacy entries and account flags whose ``blocks_through`` is before today (yesterday's daily
  entries, any dated entry whose day has passed);
- account flags set to NONE (they block nothing);
- dial-time, email and SMS entries whose ``expiration_date`` is before today.

Only tidying: isBlocked and the lists already ignore these rows (``dnc/selectors/checks.py``), so
nothing depends on the purge having run, or on when. At 10 million rows it never holds one
large transaction nor loads rows into Python: each batch is one ``DELETE ... WHERE id IN
(SELECT id ... LIMIT n)`` committed on its own, found through the partial expiry indexes of
``dnc/models.py`` (``dnc_*_expiry``). The counter triggers lower ``DncCounter`` with each
batch. One audit entry per client that lost rows records the counts.
"""

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date

from django.db import connection, transaction
from django.db.models import Model

from livevox_site.audit import Actor, audit_bulk
from livevox_site.models import Client

from ..models import AccountFlag, DialtimeEntry, DoNotDial, EmailEntry, LegacyEntry, SmsEntry
from ..wire import local_today, zone_of

BATCH = 10_000


@dataclass(frozen=True)
class Target:
    """One kind of row the purge removes: ``where`` selects them in one client's table, with
    ``%(client)s`` and ``%(today)s``."""

    name: str  # the key in the counts and the audit entry
    label: str  # what the command prints
    model: type[Model]
    where: str
    # The column of the partial expiry index (dnc/models.py): ordering each batch by it makes
    # the batch a range scan of that index. Without it the planner may prefer a sequential scan
    # that stops after n rows, which rescans every row the previous batches deleted.
    order: str = "id"


TARGETS = [
    Target(
        "legacy",
        "legacy entries",
        LegacyEntry,
        "blocks_through IS NOT NULL AND blocks_through < %(today)s",
        "blocks_through",
    ),
    Target(
        "accounts",
        "account flags",
        AccountFlag,
        f"(blocks_through IS NOT NULL AND blocks_through < %(today)s) "
        f"OR do_not_dial = '{DoNotDial.NONE}'",
    ),
    Target(
        "dialtime",
        "dial-time entries",
        DialtimeEntry,
        "expiration_date IS NOT NULL AND expiration_date < %(today)s",
        "expiration_date",
    ),
    Target(
        "email",
        "email entries",
        EmailEntry,
        "expiration_date IS NOT NULL AND expiration_date < %(today)s",
        "expiration_date",
    ),
    Target(
        "sms",
        "SMS entries",
        SmsEntry,
        "expiration_date IS NOT NULL AND expiration_date < %(today)s",
        "expiration_date",
    ),
]


def _params(client: Client, today: date, **more) -> dict:
    return {"client": client.pk, "today": connection.ops.adapt_datefield_value(today), **more}


def count_purgeable(target: Target, client: Client, today: date) -> int:
    table = target.model._meta.db_table
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT COUNT(*) FROM {table} "  # noqa: S608 (names from _meta)
            f"WHERE client_id = %(client)s AND ({target.where})",
            _params(client, today),
        )
        return cursor.fetchone()[0]


def delete_purgeable(target: Target, client: Client, today: date, batch: int = BATCH) -> int:
    """Delete the target's rows of ``client``, ``batch`` at a time, each batch committed on its
    own (outside any transaction of the caller's). Returns how many went."""
    table = target.model._meta.db_table
    sql = (
        f"DELETE FROM {table} WHERE id IN (SELECT id FROM {table} "  # noqa: S608
        f"WHERE client_id = %(client)s AND ({target.where}) "
        f"ORDER BY {target.order} LIMIT %(batch)s)"
    )
    removed = 0
    while True:
        with transaction.atomic(), connection.cursor() as cursor:
            cursor.execute(sql, _params(client, today, batch=batch))
            n = cursor.rowcount
        removed += n
        if n < batch:
            return removed


@dataclass
class ClientPurge:
    """What the purge removed (or, in a dry run, would remove) from one client."""

    client: Client
    today: date
    counts: dict[str, int]

    @property
    def total(self) -> int:
        return sum(self.counts.values())

    def line(self) -> str:
        shown = ", ".join(f"{t.label} {self.counts[t.name]}" for t in TARGETS)
        return (
            f"client {self.client.pk} ({self.client.code}), today {self.today.isoformat()} "
            f"in {self.client.time_zone}: {shown}"
        )


def purge_dnc(
    *,
    actor: Actor,
    client_id: int | None = None,
    dry_run: bool = False,
    batch: int = BATCH,
    report: Callable[[ClientPurge], None] | None = None,
) -> list[ClientPurge]:
    """Purge every client (or only ``client_id``), one after the other; ``report`` is called
    with each client's result as soon as it is done. A dry run counts and removes nothing.
    Each client that lost rows gets one audit entry (action ``dnc.lists.purged``) with the
    counts per list."""
    clients = Client.objects.order_by("id")
    if client_id is not None:
        clients = clients.filter(pk=client_id)
    results = []
    for client in clients:
        today = local_today(zone_of(client.time_zone))
        if dry_run:
            counts = {t.name: count_purgeable(t, client, today) for t in TARGETS}
        else:
            counts = {t.name: delete_purgeable(t, client, today, batch) for t in TARGETS}
        result = ClientPurge(client=client, today=today, counts=counts)
        if not dry_run and result.total:
            with transaction.atomic():
                audit_bulk(
                    actor=actor,
                    client=client,
                    action="dnc.lists.purged",
                    obj_type="dnc.lists",
                    counts={f"deleted {t.label}": counts[t.name] for t in TARGETS},
                    source_name="purge_dnc",
                    details={"today": today.isoformat()},
                )
        if report is not None:
            report(result)
        results.append(result)
    return results
