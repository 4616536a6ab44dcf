"""Suppression preview: how much of a contact list would be suppressed at one
moment, and why, before anyone dials it. Nothing is changed.

1. ``create_preview`` stores the uploaded CSV in the default storage
   (``dnc-suppression/<id>.csv``: any worker host reads it) and records a
   ``SuppressionPreview``; ``tasks.enqueue_preview`` queues it.
2. ``run_preview`` reads it in batches of ``preview.batch_size`` lines. Each line is read by
   contactCheck's own item reader (``dnc.asks.contact_ask``: the columns ``phone, account,
   zip, service`` and optionally ``email, sms, channel``; other columns are kept as they are
   and ignored) and each batch is decided by ONE ``contact_decisions`` call (one query per
   list for the batch, the calling-hours plan loaded once per file). After each batch the
   progress and the counts so far are saved.
3. At the end the suppressed lines (``line``, the file's own columns, and ``reasons`` in
   plain words), safe to open in a spreadsheet, go to the default storage, and one audit
   entry (``dnc.suppression.previewed``) records who looked at which file and the counts.

Every contact is decided at the same moment: ``as_of`` (when none was asked, the moment the
preview starts). A line ``contact_ask`` refuses is an invalid line: suppressed too.
"""

import csv
import io
import tempfile
from collections.abc import Callable, Iterator
from typing import IO

from django.core.files import File
from django.core.files.storage import default_storage
from django.db import transaction
from django.utils import timezone

from livevox_site import jobs
from livevox_site.audit import Actor, audit_record
from livevox_site.bulk import csv_lines
from livevox_site.csv_export import safe_cell
from livevox_site.errors import InvalidInput
from livevox_site.jobs import FileRefused, not_utf8, upload_name
from livevox_site.models import Client
from profiles.calling_hours import CallingHoursPlan

from .asks import contact_ask
from .models import ImportStatus, SuppressionPreview
from .rows import service_ids
from .selectors.decisions import ContactAsk, contact_decisions

PREVIEW_DIR = "dnc-suppression"
BATCH_SIZE = 10_000
# The columns contact_ask reads; the file needs ``service`` and one of the contact's values.
COLUMNS = ("phone", "account", "zip", "service", "email", "sms", "channel")
VALUES = ("phone", "account", "zip", "email", "sms")

# The counts' keys, in the order the summary shows them, with their labels. A contact blocked
# for several reasons counts under each; "dnc" counts the contacts any DNC list blocks.
REASON_KEYS: dict[str, str] = {
    "dnc": "DNC lists",
    "dnc.legacy": "legacy DNC list",
    "dnc.dialtime": "dial-time DNC list",
    "dnc.sms": "SMS DNC list",
    "dnc.email": "email DNC list",
    "account": "Account flag (Do Not Dial)",
    "callingHours": "Calling hours",
    "blackout": "Holiday or blackout date",
    "unknownLocation": "Unknown location (the strictest calling hours apply)",
    "invalid": "Invalid line",
}
_LIST_WORDS = {"legacy": "legacy", "dialtime": "dial-time", "sms": "SMS", "email": "email"}


# --- reasons in words -----------------------------------------------------------------------


def reason_key(reason: dict) -> str:
    """The ``REASON_KEYS`` key a decision's reason counts under (besides "dnc" for a list)."""
    rule = reason.get("rule")
    if rule == "dnc":
        return "account" if reason.get("list") == "account" else f"dnc.{reason.get('list')}"
    if rule in ("dialingPolicy", "defaultWindow"):
        return "callingHours"
    return str(rule)


def reason_text(reason: dict) -> str:
    """One reason of ``contact_decisions`` in plain words, e.g. "DNC legacy entry 12 (phone,
    service 123)" or "calling hours 08:00-21:00 America/New_York"."""
    rule = reason.get("rule")
    zone = reason.get("timeZone") or ""
    if rule == "dnc" and reason.get("list") == "account":
        through = f", through {reason['blocksThrough']}" if reason.get("blocksThrough") else ""
        return f"account flag {reason['id']} (do not dial: {reason.get('type')}{through})"
    if rule == "dnc":
        parts = [str(reason.get("matched", ""))]
        if reason.get("serviceId"):
            parts.append(f"service {reason['serviceId']}")
        if reason.get("contactGroupId"):
            parts.append(f"contact group {reason['contactGroupId']}")
        if reason.get("blocksThrough"):
            parts.append(f"through {reason['blocksThrough']}")
        name = _LIST_WORDS.get(reason.get("list"), str(reason.get("list")))
        return f"DNC {name} entry {reason['id']} ({', '.join(parts)})"
    if rule == "defaultWindow":
        return f"calling hours {reason.get('window')} {zone}".strip()
    if rule == "dialingPolicy":
        place = [
            *([reason["state"]] if reason.get("state") else []),
            *([f"area code {reason['areaCode']}"] if reason.get("areaCode") else []),
        ]
        about = ", ".join(
            [f"policy {reason.get('policyId')}", str(reason.get("dayOfWeek")), *place]
        )
        if reason.get("doNotDial"):
            return f"do not dial {zone} ({about})".replace("  ", " ")
        return f"calling hours {reason.get('window')} {zone} ({about})".replace("  ", " ")
    if rule == "blackout":
        name = f"holiday {reason['holiday']}" if reason.get("holiday") else "blackout date"
        effect = "no calls" if reason.get("doNotDial") else f"calls only {reason.get('window')}"
        states = f" in {', '.join(reason['states'])}" if reason.get("states") else ""
        return (
            f"{name} {reason.get('date')}{states}: {effect} {zone} "
            f"(blackout {reason.get('blackoutId')})"
        ).replace("  ", " ")
    if rule == "unknownLocation":
        given = [
            *([f"zip {reason['zip']}"] if reason.get("zip") else []),
            *([f"area code {reason['areaCode']}"] if reason.get("areaCode") else []),
        ]
        return "unknown location" + (f" ({', '.join(given)})" if given else "")
    return str(rule)


def reasons_text(reasons: list[dict]) -> str:
    """The reasons of one contact, each once, joined by "; "."""
    return "; ".join(dict.fromkeys(reason_text(reason) for reason in reasons))


# --- creating and running -------------------------------------------------------------------


def preview_actor(preview: SuppressionPreview) -> Actor:
    return Actor(
        source=preview.actor_source, user_id=preview.actor_user_id, name=preview.actor_name
    )


def create_preview(
    *,
    client: Client,
    upload: IO[bytes],
    original_name: str,
    actor: Actor,
    as_of=None,
    batch_size: int = BATCH_SIZE,
) -> SuppressionPreview:
    """Record a preview and store its file; nothing runs yet (``run_preview`` inline, or
    ``tasks.enqueue_preview``). ``as_of`` None: the moment it starts."""
    preview = SuppressionPreview.objects.create(
        client=client,
        original_name=upload_name(original_name),
        as_of=as_of,
        batch_size=batch_size,
        actor_user_id=actor.user_id,
        actor_name=actor.name,
        actor_source=actor.source,
    )
    return jobs.store_upload(preview, PREVIEW_DIR, upload)


def _restart(preview: SuppressionPreview) -> None:
    """A rerun (after a crash) starts from the top: the result file is written at the end."""
    preview.started_at = preview.heartbeat_at
    preview.as_of = preview.as_of or preview.heartbeat_at
    preview.lines_done = preview.batches_done = preview.contacts = preview.suppressed = 0
    preview.counts = {}


Progress = Callable[[SuppressionPreview], None]


def run_preview(preview_id: int, progress: Progress | None = None) -> SuppressionPreview:
    """Run one preview to its end through the site's job engine
    (``livevox_site.jobs.run_job``); ``progress(preview)`` after each batch."""
    return jobs.run_job(
        SuppressionPreview,
        preview_id,
        "preview",
        lambda preview: _run(preview, progress),
        restart=_restart,
    )


def _header(preview: SuppressionPreview) -> list[str]:
    """The file's column names as written (the result file repeats them), or
    ``FileRefused`` when it lacks ``service`` or every contact value."""
    expected = "phone,account,zip,service (and optionally email,sms,channel)"
    with jobs.open_job_file(preview) as text:
        try:
            for record in csv.reader(text):
                if any(cell.strip() for cell in record):
                    names = [name.strip() for name in record]
                    break
            else:
                raise FileRefused(f"The file is empty: its first line must be {expected}")
        except UnicodeDecodeError:
            raise not_utf8() from None
        except csv.Error as exc:
            raise FileRefused(f"line 1 cannot be read as CSV: {exc}") from None
    lowered = {name.lower() for name in names}
    if "service" not in lowered or not lowered & set(VALUES):
        raise FileRefused(
            f"The first line must name the columns {expected} (found {','.join(names)})"
        )
    return names


def _batches(preview: SuppressionPreview) -> Iterator[list[tuple[int, dict]]]:
    batch: list[tuple[int, dict]] = []
    with jobs.open_job_file(preview) as text:
        for line, raw in csv_lines(text):
            batch.append((line, raw))
            if len(batch) >= preview.batch_size:
                yield batch
                batch = []
    if batch:
        yield batch


def _run(preview: SuppressionPreview, progress: Progress | None) -> None:
    names = _header(preview)
    keys = [name.lower() for name in names]
    preview.total_lines = jobs.count_lines(preview)
    preview.save(update_fields=["total_lines"])
    client = preview.client
    plan = CallingHoursPlan.for_client(client)
    services = service_ids(client)
    counts = dict.fromkeys(REASON_KEYS, 0)
    with tempfile.SpooledTemporaryFile(max_size=4 << 20, mode="w+b") as spool:
        text = io.TextIOWrapper(spool, encoding="utf-8", newline="")
        writer = csv.writer(text)
        writer.writerow([safe_cell(cell) for cell in ["line", *names, "reasons"]])
        try:
            for batch in _batches(preview):
                _decide_batch(preview, batch, keys, writer, counts, plan, services)
                if progress is not None:
                    progress(preview)
        except UnicodeDecodeError:
            raise not_utf8(f" after line {preview.lines_done}") from None
        except csv.Error as exc:
            raise FileRefused(str(exc)) from None
        text.flush()
        spool.seek(0)
        name = f"{PREVIEW_DIR}/{preview.pk}-suppressed.csv"
        if default_storage.exists(name):
            default_storage.delete(name)
        stored = default_storage.save(name, File(spool))
        text.detach()
    _finish(preview, stored)


def _decide_batch(preview, batch, keys, writer, counts, plan, services) -> None:
    """One batch: one ``contact_decisions`` call, its suppressed lines written, the progress
    and the counts so far saved."""
    asks: list[ContactAsk] = []
    invalid: dict[int, str] = {}
    for index, (_line, raw) in enumerate(batch):
        # The preview's moment applies to every line, whatever an "at" column says.
        item = {key: value for key, value in raw.items() if key != "at"}
        try:
            asks.append(contact_ask(item, services=services, now=preview.as_of))
        except InvalidInput as exc:
            invalid[index] = exc.message
    answers = iter(contact_decisions(client=preview.client, asks=asks, plan=plan))
    for index, (line, raw) in enumerate(batch):
        if index in invalid:
            words = f"invalid line: {invalid[index]}"
            found = {"invalid"}
        else:
            answer = next(answers)
            if answer["allowed"]:
                continue
            words = reasons_text(answer["reasons"])
            found = {reason_key(reason) for reason in answer["reasons"]}
            if any(key.startswith("dnc.") for key in found):
                found.add("dnc")
        for key in found:
            counts[key] = counts.get(key, 0) + 1
        preview.suppressed += 1
        writer.writerow([line, *(safe_cell(raw.get(key, "")) for key in keys), safe_cell(words)])
    preview.contacts += len(batch)
    preview.lines_done = batch[-1][0]
    preview.batches_done += 1
    preview.counts = dict(counts)
    preview.heartbeat_at = timezone.now()
    preview.save(
        update_fields=[
            "contacts",
            "suppressed",
            "lines_done",
            "batches_done",
            "counts",
            "heartbeat_at",
        ]
    )


def _finish(preview: SuppressionPreview, result_file: str) -> None:
    with transaction.atomic():
        preview.status = ImportStatus.SUCCEEDED
        preview.result_file_name = result_file
        preview.finished_at = timezone.now()
        preview.save(update_fields=["status", "result_file_name", "finished_at"])
        # It changes nothing, but who looked at which list, and what it showed, is worth
        # keeping.
        audit_record(
            actor=preview_actor(preview),
            client=preview.client_id,
            action="dnc.suppression.previewed",
            obj=preview,
            details={
                "source": preview.original_name,
                "asOf": preview.as_of.isoformat(),
                "contacts": preview.contacts,
                "suppressed": preview.suppressed,
                "counts": preview.counts,
            },
        )
