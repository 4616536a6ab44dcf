"""A background job fails alone, whatever its file holds, and a job whose worker died is found
again: UTF-16 and NUL bytes refused in plain words (the admin refuses them before any job
exists), nothing from a file or the database quoted unescaped, the task worker going on with
the next client's job, and stopped jobs queued again when a worker starts."""

import io
import os
import signal
import socket
import subprocess
import sys
from datetime import timedelta

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import CommandError, call_command
from django.db.utils import OperationalError
from django.utils import timezone
from django_tasks_db.models import DBTaskResult

from dnc.imports import create_job, run_job
from dnc.models import DialtimeEntry, ImportJob, ImportStatus, SuppressionPreview
from dnc.suppression import create_preview, run_preview
from dnc.tasks import recover_jobs
from livevox_site.audit import Actor
from livevox_site.jobs import check_upload, fail_job, safe_text

IMMEDIATE = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}
DATABASE = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}
HEADER = "phone,contactGroupId,expirationDate\n"
SAVE_AS = 'save it as "CSV UTF-8" (in Excel: File, Save As, CSV UTF-8) and upload it again.'
UTF16_NO_MARK = f"The file is not UTF-8 text (it holds NUL bytes, as UTF-16 files do): {SAVE_AS}"


def numbers(count: int, start: int = 0) -> str:
    return HEADER + "".join(f"415{5000000 + i:07d},,\n" for i in range(start, start + count))


def utf16(text: str, mark: bool = False) -> bytes:
    return text.encode("utf-16" if mark else "utf-16-le")


def make_job(client, data: bytes, list_name: str = "dialtime", **kw) -> ImportJob:
    return create_job(
        client=client,
        list_name=list_name,
        upload=io.BytesIO(data),
        original_name="contacts.csv",
        actor=Actor.command("test"),
        **kw,
    )


def run_worker() -> None:
    """``manage.py db_worker --batch``: runs every queued task, then stops."""
    handlers = {sig: signal.getsignal(sig) for sig in (signal.SIGINT, signal.SIGTERM)}
    try:
        call_command(
            "db_worker", "--batch", "--no-reload", "--no-startup-delay", "--interval", "0",
            verbosity=0, stderr=io.StringIO(),
        )  # fmt: skip
    finally:
        for sig, handler in handlers.items():
            signal.signal(sig, handler)


def dead_pid() -> int:
    process = subprocess.Popen([sys.executable, "-c", "pass"])
    process.wait()
    return process.pid


# --- the file -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (utf16(numbers(3)), UTF16_NO_MARK),
        (utf16(numbers(3), mark=True), f"The file is not UTF-8 text (it is UTF-16): {SAVE_AS}"),
        (
            numbers(3).encode("utf-32"),
            f"The file is not UTF-8 text (it is UTF-32): {SAVE_AS}",
        ),
    ],
)
def test_a_file_in_another_encoding_fails_its_job_in_plain_words(client_a, data, message):
    job = run_job(make_job(client_a, data).pk)

    job.refresh_from_db()
    assert (job.status, job.message, job.created) == (ImportStatus.FAILED, message, 0)
    assert DialtimeEntry.objects.count() == 0


def test_a_nul_byte_after_the_first_batches_keeps_them_and_fails_in_plain_words(client_a):
    # 2 MiB of good lines first: the NUL is met in a later read, after whole batches committed.
    good = numbers(60_000).encode()
    job = make_job(client_a, good + b"4155559999\x00,,\n", batch_size=20_000)

    run_job(job.pk)

    job.refresh_from_db()
    assert (job.status, job.message) == (ImportStatus.FAILED, UTF16_NO_MARK)
    assert job.created == DialtimeEntry.objects.count() > 0
    assert job.lines_done == job.created + 1  # whole batches, the header counted


def test_a_header_quoting_control_characters_is_escaped_in_the_message(client_a):
    job = run_job(make_job(client_a, b"ph\x01one,\x1b[31mred\n4155550000\n").pk)

    job.refresh_from_db()
    assert job.status == ImportStatus.FAILED
    assert job.message == (
        "The first line must name the columns phone,contactGroupId,expirationDate "
        "(found ph\\x01one,\\x1b[31mred)"
    )


def test_an_unexpected_error_shows_a_sentence_never_the_exception(client_a, monkeypatch):
    def broken(*args, **kwargs):
        raise OperationalError('unsupported Unicode escape sequence\nCONTEXT: "\\u0000"')

    monkeypatch.setattr("dnc.imports._commit_batch", broken)
    job = make_job(client_a, numbers(2).encode())

    with pytest.raises(OperationalError):
        run_job(job.pk)

    job.refresh_from_db()
    assert job.status == ImportStatus.FAILED
    assert job.message == (
        "The import stopped: the database could not be reached. What was saved before stays "
        f"saved; start it again to finish it (the server log names job {job.pk})."
    )


def test_safe_text_escapes_what_no_column_or_page_takes():
    assert safe_text("a\x00b\tc\nd\x7f\udc80") == "a\\x00b\tc\nd\\x7f\\udc80"
    assert safe_text("x" * 3000, limit=10) == "xxxxxxxxx…"


@pytest.mark.django_db
def test_fail_job_stores_a_message_with_nul_bytes_escaped(client_a):
    job = make_job(client_a, numbers(1).encode())

    fail_job(job, "found p\x00h\x00o\x00n\x00e")

    job.refresh_from_db()
    assert (job.status, job.message) == (ImportStatus.FAILED, "found p\\x00h\\x00o\\x00n\\x00e")


def test_a_suppression_preview_of_a_utf16_file_fails_alone(client_a):
    preview = create_preview(
        client=client_a,
        upload=io.BytesIO(utf16("phone,service\n4155550000,20180\n")),
        original_name="list.csv",
        actor=Actor.command("test"),
    )

    run_preview(preview.pk)

    preview.refresh_from_db()
    assert (preview.status, preview.message) == (ImportStatus.FAILED, UTF16_NO_MARK)


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (utf16("phone\n"), UTF16_NO_MARK),
        (b"\xfe\xff\x00p", f"The file is not UTF-8 text (it is UTF-16): {SAVE_AS}"),
        (
            "phone\nR\xe9sum\xe9\n".encode("latin-1"),
            f"The file is not UTF-8 text (it may be saved as Windows or Mac text): {SAVE_AS}",
        ),
    ],
)
def test_check_upload_refuses_what_the_jobs_cannot_read(data, message):
    with pytest.raises(Exception) as refused:
        check_upload(io.BytesIO(data))
    assert str(refused.value) == message


def test_check_upload_takes_utf8_cut_inside_a_character():
    upload = io.BytesIO(b"phone\n" + "é".encode() * 40_000)  # the 64 KiB cut splits an "é"
    check_upload(upload)
    assert upload.tell() == 0


# --- the admin refuses such a file before any job exists ------------------------------------


@pytest.mark.parametrize(
    ("url", "fields"),
    [("/admin/dnc/import/dialtime/", {}), ("/admin/dnc/suppression/", {"as_of": ""})],
)
def test_the_admin_refuses_a_utf16_upload_with_the_reason(admin_as, client_a, url, fields):
    browser = admin_as("superuser")
    upload = SimpleUploadedFile("list.csv", utf16(numbers(2)), content_type="text/csv")

    response = browser.post(url, {"file": upload, **fields})

    assert response.status_code == 200
    assert response.context["form"].errors == {"file": [UTF16_NO_MARK]}
    assert ImportJob.objects.count() == SuppressionPreview.objects.count() == 0


def test_finishing_a_stopped_import_of_a_utf16_file_fails_it_again_cleanly(
    admin_as, client_a, settings
):
    settings.TASKS = IMMEDIATE
    job = make_job(client_a, utf16(numbers(2)), dry_run=True)
    ImportJob.objects.filter(pk=job.pk).update(status=ImportStatus.FAILED, message="stopped")

    response = admin_as("superuser").post(f"/admin/dnc/import/jobs/{job.pk}/", {"action": "resume"})

    assert response.status_code == 302
    job.refresh_from_db()
    assert (job.status, job.message) == (ImportStatus.FAILED, UTF16_NO_MARK)


# --- the worker goes on ---------------------------------------------------------------------


@pytest.mark.django_db(transaction=True)
def test_the_worker_fails_a_utf16_job_and_runs_the_next_clients_job(client_a, client_b, settings):
    settings.TASKS = DATABASE
    from dnc.tasks import enqueue_job, enqueue_preview

    bad = enqueue_job(make_job(client_a, utf16(numbers(2))))
    bad_preview = enqueue_preview(
        create_preview(
            client=client_a,
            upload=io.BytesIO(utf16("phone,service\n4155550000,20180\n")),
            original_name="list.csv",
            actor=Actor.command("test"),
        )
    )
    good = enqueue_job(make_job(client_b, b"type,phone\nPERMANENT,4155550000\n", "legacy"))

    run_worker()  # before: the failure save hit the NUL again, and the worker exited

    bad.refresh_from_db()
    bad_preview.refresh_from_db()
    good.refresh_from_db()
    assert (bad.status, bad.message) == (ImportStatus.FAILED, UTF16_NO_MARK)
    assert (bad_preview.status, bad_preview.message) == (ImportStatus.FAILED, UTF16_NO_MARK)
    assert (good.status, good.created) == (ImportStatus.SUCCEEDED, 1)
    failed = DBTaskResult.objects.get(pk=bad.task_id)
    assert (failed.status, failed.exception_class_path) == ("FAILED", "dnc.tasks.JobStopped")
    assert DBTaskResult.objects.get(pk=good.task_id).status == "SUCCESSFUL"


# --- jobs whose worker died -----------------------------------------------------------------


def stopped_running(job, **fields):
    """Mark the job as a worker that died left it: running, in a process that is gone."""
    type(job).objects.filter(pk=job.pk).update(
        status=ImportStatus.RUNNING,
        worker_host=socket.gethostname(),
        worker_pid=dead_pid(),
        **fields,
    )


class Killed(BaseException):
    pass


def test_a_job_whose_worker_died_is_resumed_after_its_last_batch(client_a, settings):
    settings.TASKS = IMMEDIATE
    job = make_job(client_a, numbers(4).encode(), batch_size=2)

    def die(job):
        raise Killed

    with pytest.raises(Killed):
        run_job(job.pk, progress=die)  # the first batch committed, then the worker "died"
    stopped_running(job)

    assert recover_jobs() == [f"import {job.pk}: queued again"]

    job.refresh_from_db()
    assert (job.status, job.received, job.created, job.auto_resumes) == (
        ImportStatus.SUCCEEDED,
        4,
        4,
        1,
    )
    assert sorted(DialtimeEntry.objects.values_list("phone", flat=True)) == [
        f"415500000{i}" for i in range(4)
    ]


def test_a_job_that_keeps_killing_its_worker_is_failed_for_a_person(client_a, settings):
    settings.TASKS = IMMEDIATE
    settings.LV_JOBS_MAX_AUTO_RESUMES = 3
    job = make_job(client_a, numbers(2).encode())
    stopped_running(job, auto_resumes=3)

    assert recover_jobs() == [f"import {job.pk}: failed after 3 resumes"]

    job.refresh_from_db()
    assert job.status == ImportStatus.FAILED
    assert job.message.startswith("The import stopped 4 times without finishing")


def test_a_live_or_finished_job_is_left_alone(client_a, settings):
    settings.TASKS = IMMEDIATE
    live = make_job(client_a, numbers(2).encode())
    ImportJob.objects.filter(pk=live.pk).update(
        status=ImportStatus.RUNNING,
        worker_host=socket.gethostname(),
        worker_pid=os.getpid(),
        heartbeat_at=timezone.now(),
    )
    done = run_job(make_job(client_a, numbers(2, start=5).encode()).pk)

    assert recover_jobs() == []
    assert ImportJob.objects.get(pk=live.pk).status == ImportStatus.RUNNING
    assert ImportJob.objects.get(pk=done.pk).status == ImportStatus.SUCCEEDED


def test_a_job_queued_behind_a_task_a_dead_worker_took_is_queued_again(client_a, settings):
    settings.TASKS = DATABASE
    from dnc.tasks import enqueue_job

    job = enqueue_job(make_job(client_a, numbers(2).encode()))
    # The worker took the task, then died before it could mark the job running.
    DBTaskResult.objects.filter(pk=job.task_id).update(status="RUNNING")
    ImportJob.objects.filter(pk=job.pk).update(created_at=timezone.now() - timedelta(days=1))

    assert recover_jobs() == [f"import {job.pk}: queued again"]

    job.refresh_from_db()
    assert DBTaskResult.objects.get(pk=job.task_id).status == "READY"


@pytest.mark.django_db(transaction=True)
def test_a_worker_that_starts_resumes_the_preview_its_predecessor_held(client_a, settings):
    settings.TASKS = DATABASE
    preview = create_preview(
        client=client_a,
        upload=io.BytesIO(b"phone,service\n4155550000,20180\n"),
        original_name="list.csv",
        actor=Actor.command("test"),
    )
    stopped_running(preview)

    run_worker()

    preview.refresh_from_db()
    assert (preview.status, preview.contacts, preview.auto_resumes) == (
        ImportStatus.SUCCEEDED,
        1,
        1,
    )


def test_import_dnc_names_a_utf16_file_in_its_error(client_a, tmp_path):
    path = tmp_path / "list.csv"
    path.write_bytes(utf16(numbers(2)))

    with pytest.raises(CommandError) as failed:
        call_command(
            "import_dnc", "--client", "4199", "--list", "dialtime", str(path),
            stdout=io.StringIO(), stderr=io.StringIO(),
        )  # fmt: skip

    job = ImportJob.objects.get()
    assert str(failed.value) == f"import job {job.pk} failed: {UTF16_NO_MARK}"


def test_a_file_name_with_control_characters_is_kept_escaped(client_a):
    job = create_job(
        client=client_a,
        list_name="dialtime",
        upload=io.BytesIO(numbers(1).encode()),
        original_name="../x/opt\x00outs\x1b.csv",
        actor=Actor.command("test"),
    )

    job.refresh_from_db()
    assert job.original_name == "opt\\x00outs\\x1b.csv"
