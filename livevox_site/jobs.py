"""What every background job over an uploaded file shares (the DNC imports, the suppression
previews, and the imports to come): reading the file as text safely, failing a job with a
message a manager understands, and finding jobs whose worker died.

Every such job is a row of a model built on ``UploadJob`` (the fields a job shares: its file,
its state, who asked, which process runs it, its progress in lines and batches) and runs
through ``run_job``: ``claim`` marks it running in this process (never twice at once), the
app's body does the work batch by batch, and any failure ends it as below. An app adds a kind
of job with a model (its own counts), a body, a task (``dnc/tasks.py``) and a recovery line.

A job must fail alone, whatever its file holds. Three rules keep it so:

- **Only UTF-8 text is read.** ``open_text`` refuses, with a plain sentence, a file that
  starts with a UTF-16 or UTF-32 byte-order mark or that holds a NUL byte anywhere (UTF-16
  without a mark is mostly NUL bytes; no CSV text has one). PostgreSQL cannot store a NUL in a
  text or JSON column, so a NUL that reached a line error, a cell or a message would fail the
  save, and the task library's own failure save after it. ``check_upload`` applies the same
  rules to the start of an upload, so the admin refuses such a file before any job exists.
- **Nothing a file holds reaches a message unescaped.** ``safe_text`` escapes control
  characters and lone surrogates and bounds the length; ``fail_job`` stores only such text.
  An unexpected error is logged in full for the operator and shown to the user as a plain
  sentence (``stopped_message``), never as an exception's text (which may quote SQL or cells).
- **A job whose worker died is found again.** ``stopped_jobs`` lists the jobs of a model
  that a dead process left "running" (or queued behind a task that will never run); each app's
  ``recover_jobs`` (``ResourceAppConfig.job_recovery``) resumes them, and ``manage.py
  db_worker`` calls those at start and every ``LV_JOBS_SWEEP_SECONDS`` after.
"""

import codecs
import io
import logging
import os
import re
import socket
from collections.abc import Callable, Iterator
from datetime import timedelta
from typing import IO

from django.conf import settings
from django.core.files.storage import default_storage
from django.db import models, transaction
from django.utils import timezone

logger = logging.getLogger("livevox.jobs")

SAVE_AS = 'save it as "CSV UTF-8" (in Excel: File, Save As, CSV UTF-8) and upload it again'
_MARKS = (
    # UTF-32 first: its little-endian mark starts with UTF-16's.
    (codecs.BOM_UTF32_LE, "UTF-32"),
    (codecs.BOM_UTF32_BE, "UTF-32"),
    (codecs.BOM_UTF16_LE, "UTF-16"),
    (codecs.BOM_UTF16_BE, "UTF-16"),
)
SNIFF_BYTES = 64 * 1024


class JobStatus(models.TextChoices):
    QUEUED = "queued", "Waiting for a worker"
    RUNNING = "running", "Running"
    SUCCEEDED = "succeeded", "Finished"
    FAILED = "failed", "Failed"


class FileRefused(Exception):
    """The file cannot be read at all (its encoding, its header): the job fails with this
    message, which names what to fix and quotes nothing unescaped."""

    def __init__(self, message: str):
        super().__init__(safe_text(message))


def not_utf8(detail: str = "") -> FileRefused:
    return FileRefused(f"The file is not UTF-8 text{detail}: {SAVE_AS}.")


# --- safe messages --------------------------------------------------------------------------

_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f]")


def safe_text(text: str, limit: int = 2000) -> str:
    """``text`` fit for any column and any page: control characters (NUL included) written as
    ``\\x00``, lone surrogates as ``\\udc80``, at most ``limit`` characters."""
    text = str(text)
    if not text.isprintable():
        text = text.encode("utf-8", "backslashreplace").decode("utf-8")
        text = _CONTROL.sub(lambda match: f"\\x{ord(match.group()):02x}", text)
    return text if len(text) <= limit else text[: limit - 1] + "…"


def upload_name(name: str) -> str:
    """An uploaded file's own name as a job keeps and shows it: no folder, escaped, bounded."""
    return safe_text(os.path.basename(name), limit=255)


def stopped_message(job: models.Model, what: str, exc: BaseException) -> str:
    """The sentence a user reads when a job stopped on an error that is not the file's: the
    details go to the server log (with the job's id), never to the page."""
    from django.db import DatabaseError, InterfaceError, OperationalError

    logger.error("%s %s stopped", what, job.pk, exc_info=exc)
    if isinstance(exc, OperationalError | InterfaceError):
        cause = "the database could not be reached"
    elif isinstance(exc, DatabaseError):
        cause = "the database refused a write"
    else:
        cause = "an unexpected error"
    return (
        f"The {what} stopped: {cause}. What was saved before stays saved; start it again "
        f"to finish it (the server log names job {job.pk})."
    )


def fail_job(job: models.Model, message: str) -> None:
    """Mark a job row (any model with ``status``, ``message`` and ``finished_at``) failed, with
    ``message`` made safe to store and show."""
    job.status = JobStatus.FAILED
    job.message = safe_text(message)
    job.finished_at = timezone.now()
    type(job).objects.filter(pk=job.pk).update(
        status=job.status, message=job.message, finished_at=job.finished_at
    )


# --- reading uploads ------------------------------------------------------------------------


class _GuardedBytes(io.RawIOBase):
    """A binary file that refuses byte-order marks of UTF-16/32 at its start and NUL bytes
    anywhere (``bytes.find`` per chunk: nothing measurable per line)."""

    def __init__(self, raw: IO[bytes]):
        self._raw = raw
        self._offset = 0

    def readable(self) -> bool:
        return True

    def readinto(self, buffer) -> int:
        data = self._raw.read(len(buffer))
        if not data:
            return 0
        if self._offset == 0:
            _refuse_marks(data)
        if data.find(b"\x00") != -1:
            raise not_utf8(" (it holds NUL bytes, as UTF-16 files do)")
        self._offset += len(data)
        buffer[: len(data)] = data
        return len(data)

    def close(self) -> None:
        try:
            self._raw.close()
        finally:
            super().close()


def _refuse_marks(head: bytes) -> None:
    for mark, name in _MARKS:
        if head.startswith(mark):
            raise not_utf8(f" (it is {name})")


def open_text(raw: IO[bytes]) -> io.TextIOWrapper:
    """An uploaded CSV file (binary, from any storage) as UTF-8 text, with or without the BOM
    spreadsheet programs write. Reading raises ``FileRefused`` for UTF-16/32 and NUL bytes and
    ``UnicodeDecodeError`` for other encodings (callers name the line)."""
    buffered = io.BufferedReader(_GuardedBytes(raw), buffer_size=1 << 20)
    return io.TextIOWrapper(buffered, encoding="utf-8-sig", newline="")


def check_upload(upload: IO[bytes]) -> None:
    """Raise ``FileRefused`` when the start of an upload (its first 64 KiB) is not UTF-8 text,
    and rewind it: a form refuses such a file before any job is made."""
    head = upload.read(SNIFF_BYTES)
    upload.seek(0)
    _refuse_marks(head)
    if b"\x00" in head:
        raise not_utf8(" (it holds NUL bytes, as UTF-16 files do)")
    try:
        # An incomplete character at the cut is fine: final=False keeps it pending.
        codecs.getincrementaldecoder("utf-8")().decode(head, final=False)
    except UnicodeDecodeError:
        raise not_utf8(" (it may be saved as Windows or Mac text)") from None


# --- jobs whose worker died -----------------------------------------------------------------


def this_process() -> dict:
    """The fields that name the process running a job."""
    return {"worker_host": socket.gethostname()[:255], "worker_pid": os.getpid()}


def stale_after() -> timedelta:
    return timedelta(seconds=settings.DNC_IMPORT_STALE_SECONDS)


def is_stale(job: models.Model) -> bool:
    """A job marked running whose process is gone: on this host its process no longer exists;
    anywhere, no batch has finished for ``DNC_IMPORT_STALE_SECONDS``."""
    if job.status != JobStatus.RUNNING:
        return False
    if job.worker_host == socket.gethostname() and job.worker_pid:
        try:
            os.kill(job.worker_pid, 0)
        except ProcessLookupError:
            return True
        except PermissionError:
            pass  # exists, owned by someone else
    beat = job.heartbeat_at or job.started_at or job.created_at
    return timezone.now() - beat > stale_after()


def stopped_jobs(model: type[models.Model], task) -> Iterator[models.Model]:
    """The jobs of ``model`` that no process will finish: marked running by a process that is
    gone (``is_stale``), or queued long ago behind a task that is no longer waiting to run
    (its worker died after taking it, or the backend lost it). ``task`` is the django-tasks
    task that runs them (its ``get_result`` tells a task's state)."""
    old = timezone.now() - stale_after()
    for job in model.objects.filter(status=JobStatus.RUNNING).select_related("client"):
        if is_stale(job):
            yield job
    for job in model.objects.filter(status=JobStatus.QUEUED, created_at__lt=old).select_related(
        "client"
    ):
        if not _task_waiting(task, job.task_id):
            yield job


def _task_waiting(task, task_id: str) -> bool:
    if not task_id:
        return False
    try:
        return task.get_result(task_id).status == "READY"
    except Exception:  # noqa: BLE001 - a result the backend no longer knows: not waiting
        return False


# --- the engine -----------------------------------------------------------------------------


class JobBusy(Exception):
    """The job is running in a live process: it is not started twice."""


class UploadJob(models.Model):
    """What every background job over an uploaded file records (an abstract model: each kind
    adds its client, its batch size, its counts). The file lives in the default storage
    (``file_name``), so any worker host reads it; ``lines_done`` is the last line of the last
    committed batch, so a job whose process died shows how far it got."""

    id = models.BigAutoField(primary_key=True)
    status = models.CharField(max_length=10, choices=JobStatus.choices, default=JobStatus.QUEUED)
    original_name = models.CharField(max_length=255)  # the uploaded file's own name
    file_name = models.CharField(max_length=255)  # in default storage
    task_id = models.CharField(max_length=64, blank=True, default="")
    total_lines = models.PositiveIntegerField(null=True, blank=True)
    lines_done = models.PositiveIntegerField(default=0)
    batches_done = models.PositiveIntegerField(default=0)
    message = models.TextField(blank=True, default="")
    # Who asked (the audit entry's actor, rebuilt by the worker).
    actor_user_id = models.IntegerField(null=True, blank=True)
    actor_name = models.CharField(max_length=200, blank=True, default="")
    # The process running it, to tell a dead job from a slow one (``is_stale``).
    worker_host = models.CharField(max_length=255, blank=True, default="")
    worker_pid = models.IntegerField(null=True, blank=True)
    # Times a worker found it stopped (its worker died) and queued it again by itself.
    auto_resumes = models.PositiveSmallIntegerField(default=0)
    created_at = models.DateTimeField(default=timezone.now)
    started_at = models.DateTimeField(null=True, blank=True)
    heartbeat_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        abstract = True
        ordering = ["-id"]
        # Reached through the rights of what the job does, never through permissions of its own.
        default_permissions = ()

    # Progress in the file's data lines, as a person counts them: the header line left out
    # (``lines_done`` and ``total_lines`` are physical lines, as the error lines number them).
    @property
    def data_lines_done(self) -> int:
        return max(0, self.lines_done - 1)

    @property
    def data_lines_total(self) -> int | None:
        return None if self.total_lines is None else max(0, self.total_lines - 1)


def store_upload(job: UploadJob, folder: str, upload) -> UploadJob:
    """Save ``upload`` as ``<folder>/<job id>.csv`` in the default storage (any worker host
    reads it, never one web process's disk) and record its name on the job."""
    from django.core.files import File

    job.file_name = default_storage.save(f"{folder}/{job.pk}.csv", File(upload))
    job.save(update_fields=["file_name"])
    return job


def open_job_file(job: UploadJob) -> io.TextIOWrapper:
    """The job's stored file as UTF-8 text (``open_text``: UTF-16 and NUL bytes refused)."""
    return open_text(default_storage.open(job.file_name, "rb"))


def count_lines(job: UploadJob) -> int:
    """The stored file's lines (a last line without a newline counts), read as bytes."""
    lines, last = 0, b"\n"
    with default_storage.open(job.file_name, "rb") as raw:
        while chunk := raw.read(1 << 20):
            lines += chunk.count(b"\n")
            last = chunk[-1:]
    return lines + (last != b"\n")


def job_file_response(job: UploadJob, stored: str, suffix: str, missing: str):
    """A file a job wrote (its bad lines, its result) as a CSV download named after the upload
    (``contacts.csv`` -> ``contacts-<suffix>.csv``); a 404 saying ``missing`` when there is
    none yet."""
    from django.http import FileResponse, Http404

    if not stored:
        raise Http404(missing)
    stem = job.original_name.rsplit(".", 1)[0] or "file"
    return FileResponse(
        default_storage.open(stored, "rb"),
        as_attachment=True,
        filename=f"{stem}-{suffix}.csv",
        content_type="text/csv; charset=utf-8",
    )


def percent_done(job: UploadJob) -> int:
    if job.status == JobStatus.SUCCEEDED:
        return 100
    if not job.total_lines:
        return 0
    return min(99, job.lines_done * 100 // job.total_lines)


def claim(
    model: type[UploadJob],
    job_id: int,
    what: str,
    restart: Callable[[UploadJob], None] | None = None,
) -> UploadJob:
    """Mark the job running in this process, its row locked meanwhile, so two workers never
    run one job: ``JobBusy`` while a live process runs it; a finished job is answered as it
    is. ``restart(job)`` resets what a kind of job does not resume (a preview's counts)."""
    with transaction.atomic():
        job = model.objects.select_for_update().select_related("client").get(pk=job_id)
        if job.status == JobStatus.SUCCEEDED:
            return job
        if job.status == JobStatus.RUNNING and not is_stale(job):
            raise JobBusy(f"{what} job {job.pk} is already running (process {job.worker_pid})")
        now = timezone.now()
        job.status = JobStatus.RUNNING
        job.message = ""
        job.worker_host, job.worker_pid = this_process().values()
        job.started_at = job.started_at or now
        job.heartbeat_at = now
        job.finished_at = None
        if restart is not None:
            restart(job)
        job.save()
    return job


def run_job(
    model: type[UploadJob],
    job_id: int,
    what: str,
    body: Callable[[UploadJob], None],
    restart: Callable[[UploadJob], None] | None = None,
) -> UploadJob:
    """Claim the job and run ``body(job)`` to its end. A file that cannot be read
    (``FileRefused``) fails the job with its sentence; any other error fails it with a plain
    one (``stopped_message``, the details in the server log) and propagates (a bug, or the
    database gone)."""
    job = claim(model, job_id, what, restart)
    if job.status == JobStatus.SUCCEEDED:
        return job
    try:
        body(job)
    except FileRefused as exc:
        fail_job(job, str(exc))
    except BaseException as exc:
        fail_job(job, stopped_message(job, what, exc))
        raise
    return job
