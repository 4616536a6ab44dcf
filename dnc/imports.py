"""CSV import of the DNC lists, in batches, resumable.

One engine serves ``manage.py import_dnc`` (inline with a progress bar, or ``--background``)
and the admin's import pages (always as a background task, ``dnc/tasks.py``):

1. ``create_job`` stores the file in the default storage (``dnc-imports/<job id>.csv``: any
   worker host can read it, never one web process's disk) and records an ``ImportJob``.
2. ``run_job`` reads it with ``csv_lines`` (UTF-8, with or without BOM). A reader thread checks
   each line with the list's shared checker (``dnc.rows``, as the API's bulk endpoints do) and
   prepares each batch of ``job.batch_size`` lines (``BulkUpsert.check_rows``, as COPY text on
   PostgreSQL) while the importing thread writes the one before (``BulkUpsert.write``: COPY
   into a staging table, then a plain insert until a key exists and one merge statement from
   then on; batched inserts on SQLite). The batch's rows, its bad
   lines (``ImportLineError``) and the job's progress commit in ONE transaction: a job killed
   mid-file has committed whole batches only, and ``lines_done`` says exactly where they end.
   A resume (``run_job`` again) starts after that line; a plain re-run of the file is safe too,
   as the merge is idempotent.
3. At the end: the error file (bad lines with their reasons, as CSV) goes to the default
   storage, and ONE audit entry records the import's totals and the file name
   (``write(audit=False)`` leaves its per-call entry out).

A preview (``dry_run``) runs the very same batches and rolls each one back, so its counts of
new, updated and unchanged entries are the merge's own. A key repeated in a later batch is
merged again (the later values win); within a batch the first line wins and later ones count
as duplicates (``bulk_upsert``'s rule). The preview, which writes nothing, counts such a
cross-batch repeat as new twice.

Cells read back what ``dnc.exports`` writes: a cell starting with a quote loses that one
quote (the export's guard against spreadsheet formulas, see ``dnc/exports.py``).
"""

import csv
import io
import queue
import tempfile
import threading
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass
from typing import IO, Any
from zoneinfo import ZoneInfo

from django.conf import settings
from django.core.files import File
from django.core.files.storage import default_storage
from django.db import models, transaction
from django.utils import timezone

from livevox_site import jobs
from livevox_site.audit import Actor, audit_bulk, object_type
from livevox_site.bulk import BulkUpsert, CheckedRows, Row, csv_lines
from livevox_site.jobs import FileRefused, is_stale, not_utf8, upload_name
from livevox_site.models import Client, Source

from .exports import unquote_cell
from .models import (
    DialtimeEntry,
    EmailEntry,
    ImportJob,
    ImportLineError,
    ImportStatus,
    LegacyEntry,
    SmsEntry,
)
from .rows import LegacyRowChecker, ListRowChecker
from .services.dnc_type import list_refusal
from .wire import local_today

IMPORT_DIR = "dnc-imports"


@dataclass(frozen=True)
class ListSpec:
    """One importable list: its model, CSV header (the API's JSON keys) and merge key."""

    name: str
    model: type[models.Model]
    header: tuple[str, ...]
    key_fields: tuple[str, ...]
    update_fields: tuple[str, ...]
    label: str

    @property
    def add_perm(self) -> str:
        return f"dnc.add_{self.model._meta.model_name}"

    @property
    def view_perm(self) -> str:
        return f"dnc.view_{self.model._meta.model_name}"

    @property
    def required(self) -> str:
        """The column every file must have (the others may be left out)."""
        return self.header[0]

    def checker(self, client: Client) -> Callable[[Any], Mapping[str, Any]]:
        """The line checker, built once per file (the client's groups or services in one
        query), reading exported cells back (``unquote_cell``) in the columns an export may
        quote: emails and accounts (phones, dates, ids and types are never quoted)."""
        if self.name == "legacy":
            check = LegacyRowChecker.for_client(client, local_today(ZoneInfo(client.time_zone)))
            quoted = "account"
        else:
            check = ListRowChecker.for_client(self.name, client)
            quoted = "email" if self.name == "email" else ""
        if not quoted:
            return check

        def checked(raw):
            if isinstance(raw, dict) and raw.get(quoted, "")[:1] == "'":
                raw = {**raw, quoted: unquote_cell(raw[quoted])}
            return check(raw)

        return checked


def _list(name: str, model: type[models.Model], label: str) -> ListSpec:
    value = model.value_field
    return ListSpec(
        name,
        model,
        (value, "contactGroupId", "expirationDate"),
        ("client", value, "contact_group_id"),
        ("expiration_date",),
        label,
    )


LISTS: dict[str, ListSpec] = {
    "legacy": ListSpec(
        "legacy",
        LegacyEntry,
        ("type", "serviceId", "phone", "account", "zip"),
        ("client", "phone", "account", "zip", "service_id", "dnc_type"),
        ("blocks_through",),
        "legacy DNC list",
    ),
    "dialtime": _list("dialtime", DialtimeEntry, "dial-time DNC list"),
    "email": _list("email", EmailEntry, "email DNC list"),
    "sms": _list("sms", SmsEntry, "SMS DNC list"),
}


# --- creating jobs --------------------------------------------------------------------------


def job_actor(job: ImportJob) -> Actor:
    """Who asked for the job: the audit entry's actor (source "import"; how it was asked, the
    admin or a command, is in the entry's details)."""
    return Actor(source=Source.IMPORT, user_id=job.actor_user_id, name=job.actor_name)


def create_job(
    *,
    client: Client,
    list_name: str,
    upload: IO[bytes],
    original_name: str,
    actor: Actor,
    dry_run: bool = False,
    batch_size: int | None = None,
) -> ImportJob:
    """Record a job and store its file as ``dnc-imports/<job id>.csv`` in the default
    storage. Nothing runs yet: ``run_job`` (inline) or ``tasks.enqueue_job``.
    ``FileRefused`` when the client does not use that list (its Phone DNC Type)."""
    if list_name not in LISTS:
        raise ValueError(f"unknown list {list_name!r}")
    if refusal := list_refusal(client, list_name):
        raise FileRefused(refusal)
    job = ImportJob.objects.create(
        client=client,
        list_name=list_name,
        dry_run=dry_run,
        original_name=upload_name(original_name),
        batch_size=batch_size or settings.DNC_IMPORT_BATCH_SIZE,
        actor_user_id=actor.user_id,
        actor_name=actor.name,
        actor_source=actor.source,
    )
    return jobs.store_upload(job, IMPORT_DIR, upload)


def commit_job(preview: ImportJob, actor: Actor) -> ImportJob:
    """The real import of a finished preview's file (the same stored file)."""
    return ImportJob.objects.create(
        client_id=preview.client_id,
        list_name=preview.list_name,
        dry_run=False,
        preview=preview,
        original_name=preview.original_name,
        file_name=preview.file_name,
        batch_size=preview.batch_size,
        actor_user_id=actor.user_id,
        actor_name=actor.name,
        actor_source=actor.source,
    )


# --- the state of a job ---------------------------------------------------------------------


def can_resume(job: ImportJob) -> bool:
    return job.status == ImportStatus.FAILED or is_stale(job)


Progress = Callable[[ImportJob], None]


def run_job(job_id: int, progress: Progress | None = None) -> ImportJob:
    """Run (or resume, after its last committed batch) one job to its end, through the site's
    job engine (``livevox_site.jobs.run_job``: a file it cannot read fails the job in plain
    words; any other error fails it too and propagates).

    ``progress(job)`` is called after each committed batch."""
    return jobs.run_job(ImportJob, job_id, "import", lambda job: _run(job, progress))


def _read_header(job: ImportJob, spec: ListSpec) -> None:
    """Refuse a file whose header is not the list's (a file of another list, no header)."""
    expected = ",".join(spec.header)
    with jobs.open_job_file(job) as text:
        try:
            for record in csv.reader(text):
                if any(cell.strip() for cell in record):
                    names = [name.strip().lower() for name in record]
                    break
            else:
                raise FileRefused(f"The file is empty: its first line must be {expected}")
        except UnicodeDecodeError:
            raise not_utf8() from None
        except csv.Error as exc:
            raise FileRefused(f"line 1 cannot be read as CSV: {exc}") from None
    known = {name.lower() for name in spec.header}
    unknown = [name for name in names if name not in known]
    if unknown or spec.required.lower() not in names:
        raise FileRefused(
            f"The first line must name the columns {expected} (found {','.join(names)})"
        )


_END = object()


def _checked_batches(
    job: ImportJob, upsert: BulkUpsert, check, after: int
) -> Iterator[tuple[CheckedRows, dict[int, Any]]]:
    """The file's lines after line ``after`` in batches of ``job.batch_size``, each checked and
    ready to stage (``BulkUpsert.check_rows``), with the raw cells of its bad lines by line.

    A reader thread reads, checks and prepares the next batch while this thread stages and
    merges the current one: the checks are plain Python on values loaded before (no database
    access), and psycopg releases the GIL while it waits for the server, so the two overlap
    (the Python part was as long as the database's, bench/README.md)."""
    batches: queue.Queue = queue.Queue(maxsize=2)
    stop = threading.Event()

    def put(item) -> bool:
        while not stop.is_set():
            try:
                batches.put(item, timeout=0.1)
                return True
            except queue.Full:
                continue
        return False

    def checked(lines: list[Row]) -> tuple[CheckedRows, dict[int, Any]]:
        result = upsert.check_rows(lines, check, copy_ready=True)
        if not result.report.errors:
            return result, {}
        raws = dict(lines)
        return result, {error.line: raws[error.line] for error in result.report.errors}

    def read() -> None:
        try:
            with jobs.open_job_file(job) as text:
                batch: list[Row] = []
                for row in csv_lines(text):
                    if row[0] <= after:
                        continue  # committed by an earlier run of this job
                    batch.append(row)
                    if len(batch) >= job.batch_size:
                        if not put(checked(batch)):
                            return
                        batch = []
                if batch and not put(checked(batch)):
                    return
            put(_END)
        except BaseException as exc:  # noqa: BLE001 - handed to the importing thread
            put(exc)

    reader = threading.Thread(target=read, name=f"dnc-import-{job.pk}-reader", daemon=True)
    reader.start()
    try:
        while True:
            item = batches.get()
            if item is _END:
                return
            if isinstance(item, BaseException):
                raise item
            yield item
    finally:
        stop.set()
        reader.join(timeout=10)


def _run(job: ImportJob, progress: Progress | None) -> None:
    spec = LISTS[job.list_name]
    if refusal := list_refusal(job.client, job.list_name):
        raise FileRefused(refusal)  # the client's type changed since the job was made
    _read_header(job, spec)
    if job.total_lines is None:
        job.total_lines = jobs.count_lines(job)
        job.save(update_fields=["total_lines"])
    check = spec.checker(job.client)
    actor = job_actor(job)
    upsert = BulkUpsert(
        model=spec.model,
        key_fields=spec.key_fields,
        update_fields=spec.update_fields,
        fixed={
            "client": job.client_id,
            "filename": job.original_name,
            "added_by": job.actor_name,
            "added_via": "import",
        },
        # Plain inserts until a key exists (a file of new entries: a first load, a day's
        # opt-outs); a file of known keys fails its first insert at once, on its first line.
        new_keys=True,
    )
    try:
        for checked, bad_cells in _checked_batches(job, upsert, check, job.lines_done):
            _commit_batch(job, spec, upsert, checked, bad_cells, actor)
            if progress is not None:
                progress(job)
    except UnicodeDecodeError:
        raise not_utf8(f" after line {job.lines_done} (the lines before it are saved)") from None
    except csv.Error as exc:
        raise FileRefused(f"{exc} (the lines before it are saved)") from None
    _finish(job, spec, actor)


def _commit_batch(
    job, spec: ListSpec, upsert: BulkUpsert, checked: CheckedRows, bad_cells, actor
) -> None:
    """One batch: its rows, its bad lines and the job's progress, in one transaction (a
    preview rolls the rows back, and keeps the rest)."""
    with transaction.atomic():
        with transaction.atomic():
            report = upsert.write(
                checked,
                client=job.client_id,
                actor=actor,
                action=f"dnc.{spec.name}.imported",
                source_name=job.original_name,
                audit=False,
                batch_size=min(job.batch_size, 10_000),
            )
            if job.dry_run:
                transaction.set_rollback(True)
        if report.errors:
            ImportLineError.objects.bulk_create(
                ImportLineError(
                    job=job,
                    line=error.line,
                    reason=error.reason[:500],
                    cells=bad_cells[error.line] if isinstance(bad_cells[error.line], dict) else {},
                )
                for error in report.errors
            )
        job.lines_done = checked.last_line
        job.batches_done += 1
        job.received += report.received
        job.created += report.created
        job.updated += report.updated
        job.unchanged += report.unchanged
        job.duplicates += len(report.duplicates)
        job.failed += report.failed
        job.heartbeat_at = timezone.now()
        job.save(update_fields=[*PROGRESS_FIELDS, "heartbeat_at"])


PROGRESS_FIELDS = (
    "lines_done",
    "batches_done",
    "received",
    "created",
    "updated",
    "unchanged",
    "duplicates",
    "failed",
)


def counts(job: ImportJob) -> dict[str, int]:
    """The job's counts, as ``BulkReport.counts()`` names them."""
    return {
        "received": job.received,
        "created": job.created,
        "updated": job.updated,
        "unchanged": job.unchanged,
        "duplicates": job.duplicates,
        "failed": job.failed,
    }


def _write_errors_file(job: ImportJob, spec: ListSpec) -> str:
    """The bad lines as CSV (``line,reason`` and the line's cells, safe to open in a
    spreadsheet) in the default storage; "" when there are none."""
    from livevox_site.csv_export import safe_cell

    if not job.failed:
        return ""
    name = f"{IMPORT_DIR}/{job.pk}-errors.csv"
    with tempfile.SpooledTemporaryFile(max_size=4 << 20, mode="w+b") as spool:
        text = io.TextIOWrapper(spool, encoding="utf-8", newline="")
        writer = csv.writer(text)
        writer.writerow(["line", "reason", *spec.header])
        rows = (
            ImportLineError.objects.filter(job=job)
            .order_by("line")
            .values_list("line", "reason", "cells")
        )
        for line, reason, cells in rows.iterator(chunk_size=5000):
            writer.writerow(
                [line, safe_cell(reason)]
                + [safe_cell(cells.get(column.lower(), "")) for column in spec.header]
            )
        text.flush()
        spool.seek(0)
        if default_storage.exists(name):
            default_storage.delete(name)
        stored = default_storage.save(name, File(spool))
        text.detach()
    return stored


def _finish(job: ImportJob, spec: ListSpec, actor: Actor) -> None:
    errors_file = _write_errors_file(job, spec)
    with transaction.atomic():
        job.status = ImportStatus.SUCCEEDED
        job.errors_file_name = errors_file
        job.finished_at = timezone.now()
        job.save(update_fields=["status", "errors_file_name", "finished_at"])
        if not job.dry_run and (job.created or job.updated):
            # One entry per import, with its totals (bulk_upsert's own entry per batch is off);
            # none when nothing changed, as for bulk_upsert, so lastModified does not move.
            audit_bulk(
                actor=actor,
                client=job.client_id,
                action=f"dnc.{spec.name}.imported",
                obj_type=object_type(spec.model),
                counts=counts(job),
                source_name=job.original_name,
                details={"job": job.pk, "list": spec.name, "via": job.actor_source},
            )
