"""CSV import of the DNC lists: preview and commit with bad lines from the
shell and the admin, idempotent re-import, batches and resume, tenancy and rights, a job run by
the database backend's worker, and (PostgreSQL) an import killed with SIGKILL mid-file."""

import io
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import CommandError, call_command
from django.db import connection

from dnc.imports import create_job, run_job
from dnc.models import (
    ContactGroup,
    DialtimeEntry,
    EmailEntry,
    ImportJob,
    ImportStatus,
    LegacyEntry,
    SmsEntry,
)
from livevox_site.audit import Actor
from livevox_site.jobs import is_stale
from livevox_site.models import AuditEntry

ROOT = Path(__file__).resolve().parent.parent
IMMEDIATE = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}
DATABASE = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}

DIALTIME_CSV = (
    "phone,contactGroupId,expirationDate\n"
    "4155553734,,2030-01-02\n"  # line 2
    "123,,\n"  # line 3: bad phone
    "(415) 555-0000,1320,\n"  # line 4
    "4155550001,999,\n"  # line 5: no such group
    "4155550002,,not a date\n"  # line 6: bad date
    "4155553734,,2030-01-02\n"  # line 7: duplicate of line 2
)
DIALTIME_ERRORS = [
    "line 3: phone must be 10 digits",
    "line 5: Contact Group is not valid",
    "line 6: expirationDate is not a date",
]


@pytest.fixture
def group_a(client_a) -> ContactGroup:
    return ContactGroup.objects.create(group_id=1320, client=client_a, name="Collections")


def write(tmp_path: Path, text: str, name: str = "blocked.csv", bom: bool = False) -> str:
    path = tmp_path / name
    path.write_bytes((b"\xef\xbb\xbf" if bom else b"") + text.encode())
    return str(path)


def import_dnc(*args) -> str:
    out = io.StringIO()
    call_command("import_dnc", *[str(a) for a in args], stdout=out, stderr=io.StringIO())
    return out.getvalue()


def imports_audited(client_id: int) -> list[AuditEntry]:
    return list(AuditEntry.objects.filter(client_id=client_id, action__endswith=".imported"))


# --- the command ----------------------------------------------------------------------------


def test_preview_counts_and_names_every_bad_line_and_writes_nothing(tmp_path, client_a, group_a):
    out = import_dnc(
        "--client", 4199, "--list", "dialtime", "--dry-run", write(tmp_path, DIALTIME_CSV)
    )

    assert "2 would be new, 0 would be updated, 0 unchanged, 1 duplicate lines, 3 bad lines" in out
    assert [line for line in out.splitlines() if line.startswith("line ")] == DIALTIME_ERRORS
    assert DialtimeEntry.objects.count() == 0
    assert imports_audited(4199) == []
    job = ImportJob.objects.get()
    assert (job.dry_run, job.status, job.received, job.failed) == (True, "succeeded", 6, 3)


def test_import_saves_good_lines_skips_bad_ones_and_a_rerun_changes_nothing(
    tmp_path, client_a, group_a
):
    path = write(tmp_path, DIALTIME_CSV, bom=True)  # a spreadsheet's BOM is dropped
    out = import_dnc("--client", 4199, "--list", "dialtime", path)

    assert "2 new, 0 updated, 0 unchanged, 1 duplicate lines, 3 bad lines" in out
    assert [line for line in out.splitlines() if line.startswith("line ")] == DIALTIME_ERRORS
    saved = DialtimeEntry.objects.order_by("phone").values_list(
        "client_id", "phone", "contact_group_id", "expiration_date", "filename", "added_via"
    )
    assert [(c, p, g, str(e), f, v) for c, p, g, e, f, v in saved] == [
        (4199, "4155550000", 1320, "None", "blocked.csv", "import"),
        (4199, "4155553734", 0, "2030-01-02", "blocked.csv", "import"),
    ]
    (entry,) = imports_audited(4199)
    assert entry.action == "dnc.dialtime.imported"
    assert entry.source == "import"
    assert entry.details["source"] == "blocked.csv"
    assert entry.details["counts"] == {
        "received": 6,
        "created": 2,
        "updated": 0,
        "unchanged": 0,
        "duplicates": 1,
        "failed": 3,
    }

    again = import_dnc("--client", 4199, "--list", "dialtime", path)

    assert "0 new, 0 updated, 2 unchanged" in again
    assert DialtimeEntry.objects.count() == 2
    assert len(imports_audited(4199)) == 1  # nothing changed: no entry


def test_a_changed_expiration_is_an_update(tmp_path, client_a):
    import_dnc("--client", 4199, "--list", "dialtime", write(tmp_path, "phone\n4155553734\n"))
    out = import_dnc(
        "--client",
        4199,
        "--list",
        "dialtime",
        write(tmp_path, "phone,expirationDate\n4155553734,2031-05-06\n", "later.csv"),
    )

    assert "0 new, 1 updated, 0 unchanged" in out
    assert str(DialtimeEntry.objects.get().expiration_date) == "2031-05-06"


@pytest.mark.parametrize(
    "list_name, text, model, saved",
    [
        (
            "email",
            "email,contactGroupId,expirationDate\nJane@Example.com,,\nnot-an-email,,\n",
            EmailEntry,
            ["jane@example.com"],
        ),
        ("sms", "sms\n+1 415 555 3734\n12\n", SmsEntry, ["4155553734"]),
        (
            "legacy",
            "type,serviceId,phone,account,zip\nPERMANENT,,4155553734,,\nDAILY,123,,A-1,\n"
            "SOMETIMES,,4155550000,,\nPERMANENT,,,,\nPERMANENT,77,4155550000,,\n",
            LegacyEntry,
            ["4155553734", ""],
        ),
    ],
)
def test_every_list_imports_with_its_own_header(
    tmp_path, client_a, client_b, list_name, text, model, saved
):
    # The legacy list is a Legacy client's (B), the others a Dial-Time client's (A).
    client = client_b if list_name == "legacy" else client_a
    out = import_dnc("--client", client.pk, "--list", list_name, write(tmp_path, text))

    value = "phone" if list_name == "legacy" else model.value_field
    assert sorted(model.objects.values_list(value, flat=True)) == sorted(saved)
    bad = text.count("\n") - 1 - len(saved)
    assert f"{bad} bad lines" in out


def test_legacy_bad_lines_are_named(tmp_path, client_b):
    text = (
        "type,serviceId,phone,account,zip\n"
        "SOMETIMES,,4155550000,,\nPERMANENT,,,,\nPERMANENT,77,4155550000,,\n"
    )
    out = import_dnc("--client", 93119, "--list", "legacy", write(tmp_path, text))

    errors = [line for line in out.splitlines() if line.startswith("line ")]
    assert errors[0].startswith("line 2: type")
    assert errors[1] == "line 3: at least one of phone, account or zip is required"
    assert errors[2] == "line 4: serviceId: no service 77 in this client"


@pytest.mark.parametrize(
    "text, message",
    [
        ("email\njane@example.com\n", "The first line must name the columns phone,contactGroupId"),
        ("4155553734\n", "The first line must name the columns"),
        ("", "The file is empty"),
        ("phone\n\xe9\n", None),
    ],
)
def test_a_file_that_is_not_the_lists_fails_with_what_to_fix(tmp_path, client_a, text, message):
    path = tmp_path / "x.csv"
    path.write_bytes(text.encode("latin-1"))
    with pytest.raises(CommandError) as failure:
        import_dnc("--client", 4199, "--list", "dialtime", path)

    expected = message or "The file is not UTF-8 text"
    assert expected in str(failure.value)
    job = ImportJob.objects.get()
    assert job.status == ImportStatus.FAILED
    assert expected in job.message
    assert DialtimeEntry.objects.count() == 0


def test_an_unknown_client_is_refused(tmp_path, db):
    with pytest.raises(CommandError, match="no client 4199"):
        import_dnc("--client", 4199, "--list", "dialtime", write(tmp_path, "phone\n"))


# --- batches, progress and resume -----------------------------------------------------------


def numbers_csv(count: int, start: int = 0) -> str:
    return "phone\n" + "".join(f"415{5000000 + start + i:07d}\n" for i in range(count))


def test_batches_commit_one_by_one_and_yield_one_audit_entry(tmp_path, client_a):
    path = write(tmp_path, numbers_csv(7))
    out = import_dnc("--client", 4199, "--list", "dialtime", "--batch-size", 2, path)

    assert "7 new" in out
    job = ImportJob.objects.get()
    assert (job.batches_done, job.lines_done, job.total_lines, job.created) == (4, 8, 8, 7)
    (entry,) = imports_audited(4199)
    assert entry.details["counts"]["created"] == 7
    assert entry.details["job"] == job.pk


def test_a_key_repeated_in_a_later_batch_is_merged(tmp_path, client_a):
    """An import inserts plainly until a key exists (here in the second batch); that batch and
    the rest are merged, so the repeat updates the entry instead of failing."""
    text = (
        "phone,contactGroupId,expirationDate\n"
        "4155550001,,\n4155550002,,\n"  # batch 1: plain inserts
        "4155550003,,\n4155550001,,2030-01-02\n"  # batch 2: 0001 again, with a date
        "4155550004,,\n"  # batch 3
    )
    out = import_dnc(
        "--client", 4199, "--list", "dialtime", "--batch-size", 2, write(tmp_path, text)
    )

    assert "4 new, 1 updated, 0 unchanged, 0 duplicate lines, 0 bad lines" in out
    saved = DialtimeEntry.objects.order_by("phone").values_list("phone", "expiration_date")
    assert [(phone, str(day)) for phone, day in saved] == [
        ("4155550001", "2030-01-02"),
        ("4155550002", "None"),
        ("4155550003", "None"),
        ("4155550004", "None"),
    ]
    job = ImportJob.objects.get()
    assert (job.created, job.updated, job.batches_done) == (4, 1, 3)


def test_a_preview_over_known_keys_counts_as_the_import_would_and_writes_nothing(
    tmp_path, client_a
):
    import_dnc("--client", 4199, "--list", "dialtime", write(tmp_path, numbers_csv(3)))
    text = (
        "phone,contactGroupId,expirationDate\n"
        "4155000000,,\n"  # known, unchanged
        "4155000001,,2030-01-02\n"  # known, a new date
        "4155000099,,\n"  # new
    )
    out = import_dnc(
        "--client",
        4199,
        "--list",
        "dialtime",
        "--dry-run",
        "--batch-size",
        2,
        write(tmp_path, text),
    )

    assert "1 would be new, 1 would be updated, 1 unchanged" in out
    assert sorted(DialtimeEntry.objects.values_list("phone", "expiration_date")) == [
        ("4155000000", None),
        ("4155000001", None),
        ("4155000002", None),
    ]


def test_a_job_stopped_mid_file_keeps_whole_batches_and_a_resume_finishes_it(tmp_path, client_a):
    with open(write(tmp_path, numbers_csv(10)), "rb") as upload:
        job = create_job(
            client=client_a,
            list_name="dialtime",
            upload=upload,
            original_name="ten.csv",
            actor=Actor.command("test"),
            batch_size=3,
        )

    class Crash(Exception):
        pass

    def crash_after_two_batches(progress_job):
        if progress_job.batches_done == 2:
            raise Crash

    with pytest.raises(Crash):
        run_job(job.pk, progress=crash_after_two_batches)

    job.refresh_from_db()
    assert (job.status, job.lines_done, job.created) == ("failed", 7, 6)
    assert DialtimeEntry.objects.count() == 6
    assert imports_audited(4199) == []

    out = import_dnc("--resume", job.pk)

    assert "Resuming import job" in out
    job.refresh_from_db()
    assert (job.status, job.lines_done, job.received, job.created) == ("succeeded", 11, 10, 10)
    assert DialtimeEntry.objects.count() == 10
    (entry,) = imports_audited(4199)
    assert entry.details["counts"]["created"] == 10


# --- the database backend and its worker ----------------------------------------------------


@pytest.mark.django_db(transaction=True)
def test_a_background_import_is_run_by_the_database_worker(tmp_path, client_a, settings):
    settings.TASKS = DATABASE
    out = import_dnc(
        "--client", 4199, "--list", "dialtime", "--background", write(tmp_path, numbers_csv(3))
    )

    job = ImportJob.objects.get()
    assert out.startswith(f"Queued import job {job.pk} (task ")
    assert job.status == ImportStatus.QUEUED
    from django_tasks_db.models import DBTaskResult

    assert DBTaskResult.objects.get().status == "READY"

    handlers = {
        sig: signal.getsignal(sig) for sig in (signal.SIGINT, signal.SIGTERM, signal.SIGQUIT)
    }
    try:
        call_command(
            "db_worker",
            "--batch",
            "--no-reload",
            "--no-startup-delay",
            "--interval",
            "0",
            verbosity=0,
        )
    finally:
        for sig, handler in handlers.items():
            signal.signal(sig, handler)

    job.refresh_from_db()
    assert (job.status, job.created) == ("succeeded", 3)
    assert DialtimeEntry.objects.count() == 3
    result = DBTaskResult.objects.get()
    assert result.status == "SUCCESSFUL"
    assert result.return_value["created"] == 3


# --- the admin ------------------------------------------------------------------------------


@pytest.fixture
def immediate(settings):
    settings.TASKS = IMMEDIATE


def upload(text: str, name: str = "blocked.csv") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, text.encode(), content_type="text/csv")


def page_text(response) -> str:
    import re

    html = re.sub(r"<(script|style)[^>]*>.*?</\1>", " ", response.content.decode(), flags=re.S)
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", html)).strip()


def test_admin_upload_previews_then_commits_with_the_error_file(admin_as, group_a, immediate):
    browser = admin_as("manager_with_dnc_power")
    start = browser.get("/admin/dnc/import/dialtime/")
    assert start.status_code == 200
    assert "phone,contactGroupId,expirationDate" in page_text(start)

    response = browser.post("/admin/dnc/import/dialtime/", {"file": upload(DIALTIME_CSV)})

    preview = ImportJob.objects.get()
    assert response.status_code == 302
    assert response["Location"] == f"/admin/dnc/import/jobs/{preview.pk}/"
    page = page_text(browser.get(response["Location"]))
    assert "Checked every line: nothing is saved yet." in page
    assert "New entries it would add 2" in page
    assert "Lines we cannot use 3" in page
    assert 'value="Import these entries"' in browser.get(response["Location"]).content.decode()
    for error in DIALTIME_ERRORS:
        assert error in page
    assert DialtimeEntry.objects.count() == 0

    committed = browser.post(f"/admin/dnc/import/jobs/{preview.pk}/", {"action": "commit"})

    job = ImportJob.objects.get(dry_run=False)
    assert committed["Location"] == f"/admin/dnc/import/jobs/{job.pk}/"
    assert (job.preview_id, job.status, job.created, job.failed) == (preview.pk, "succeeded", 2, 3)
    assert DialtimeEntry.objects.count() == 2
    assert "Done: the entries are saved." in page_text(browser.get(committed["Location"]))
    (entry,) = imports_audited(4199)
    assert entry.actor_name == "manager_with_dnc_power@ACME"

    errors = browser.get(f"/admin/dnc/import/jobs/{job.pk}/errors.csv")
    assert errors.status_code == 200
    assert errors["Content-Disposition"] == 'attachment; filename="blocked-errors.csv"'
    assert b"".join(errors.streaming_content).decode().splitlines() == [
        "line,reason,phone,contactGroupId,expirationDate",
        "3,phone must be 10 digits,123,,",
        "5,Contact Group is not valid,4155550001,999,",
        "6,expirationDate is not a date,4155550002,,not a date",
    ]

    # A second click on the preview's button finds the same import.
    again = browser.post(f"/admin/dnc/import/jobs/{preview.pk}/", {"action": "commit"})
    assert again["Location"] == f"/admin/dnc/import/jobs/{job.pk}/"
    assert ImportJob.objects.filter(dry_run=False).count() == 1


def test_admin_job_page_refreshes_while_queued(admin_as, client_a, settings):
    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.dummy.DummyBackend"}}
    browser = admin_as("manager_with_dnc_power")
    browser.post("/admin/dnc/import/dialtime/", {"file": upload("phone\n4155553734\n")})
    job = ImportJob.objects.get()

    page = browser.get(f"/admin/dnc/import/jobs/{job.pk}/")

    assert '<meta http-equiv="refresh" content="2">' in page.content.decode()
    assert "Waiting for a worker" in page_text(page)


def test_a_dead_jobs_page_says_how_far_it_got_and_offers_to_finish(admin_as, client_a, immediate):
    browser = admin_as("manager_with_dnc_power")
    browser.post("/admin/dnc/import/dialtime/", {"file": upload(numbers_csv(4))})
    job = ImportJob.objects.get()
    # As a process killed after its first batch leaves it.
    dead = subprocess.Popen([sys.executable, "-c", "pass"])
    dead.wait()
    ImportJob.objects.filter(pk=job.pk).update(
        status="running", lines_done=3, worker_pid=dead.pid, errors_file_name=""
    )
    job.refresh_from_db()
    assert is_stale(job)

    response = browser.get(f"/admin/dnc/import/jobs/{job.pk}/")
    assert "stopped after line 3 of 5" in page_text(response)
    assert 'value="Finish the preview"' in response.content.decode()

    browser.post(f"/admin/dnc/import/jobs/{job.pk}/", {"action": "resume"})
    job.refresh_from_db()
    assert job.status == "succeeded"
    assert job.lines_done == 5


def test_plain_manager_may_not_import(admin_as, client_a, immediate):
    browser = admin_as("manager")
    assert browser.get("/admin/dnc/import/dialtime/").status_code == 403
    assert (
        browser.post("/admin/dnc/import/dialtime/", {"file": upload("phone\n")}).status_code == 403
    )
    assert ImportJob.objects.count() == 0


def test_an_unknown_list_is_a_404(admin_as, client_a):
    assert admin_as("superuser").get("/admin/dnc/import/fax/").status_code == 404


def test_a_manager_imports_only_into_their_own_client(admin_as, client_a, client_b, immediate):
    # A client field in the post is ignored: the form has none for them.
    browser = admin_as("manager_with_dnc_power")
    browser.post(
        "/admin/dnc/import/dialtime/",
        {"file": upload("phone\n4155553734\n"), "client": client_b.pk},
    )
    job = ImportJob.objects.get()
    assert job.client_id == 4199
    assert list(DialtimeEntry.objects.values_list("client_id", flat=True)) == []  # a preview


def test_another_clients_job_is_a_404(admin_as, client_a, client_b, immediate):
    outsider = admin_as("outsider")  # Superuser of client B (Legacy)
    outsider.post("/admin/dnc/import/legacy/", {"file": upload("type,phone\nDAILY,4155553734\n")})
    job_b = ImportJob.objects.get()
    assert job_b.client_id == 93119

    browser = admin_as("manager_with_dnc_power")
    assert browser.get(f"/admin/dnc/import/jobs/{job_b.pk}/").status_code == 404
    assert (
        browser.post(f"/admin/dnc/import/jobs/{job_b.pk}/", {"action": "commit"}).status_code == 404
    )
    assert browser.get(f"/admin/dnc/import/jobs/{job_b.pk}/errors.csv").status_code == 404
    assert ImportJob.objects.count() == 1
    # The plain manager is refused before any lookup.
    assert admin_as("manager").get(f"/admin/dnc/import/jobs/{job_b.pk}/").status_code == 403


def test_a_sysadmin_picks_the_client(admin_as, client_a, client_b, immediate):
    browser = admin_as("sysadmin")
    page = browser.get("/admin/dnc/import/sms/")
    assert 'name="client"' in page.content.decode()

    browser.post(
        "/admin/dnc/import/legacy/",
        {"file": upload("type,phone\nDAILY,4155553734\n"), "client": 93119},
    )

    assert ImportJob.objects.get().client_id == 93119


# --- PostgreSQL: SIGKILL in the middle of a file --------------------------------------------


def _database_url() -> str:
    s = connection.settings_dict
    password = f":{s['PASSWORD']}" if s.get("PASSWORD") else ""
    host = f"{s['HOST'] or '127.0.0.1'}:{s['PORT'] or 5432}"
    return f"postgres://{s['USER']}{password}@{host}/{s['NAME']}"


@pytest.mark.django_db(transaction=True)
def test_an_import_killed_mid_file_leaves_whole_batches_and_a_resume_finishes_it(
    tmp_path, client_a, settings
):
    if connection.vendor != "postgresql":
        pytest.skip(
            "needs PostgreSQL: the killed import runs in a subprocess on the test database, "
            "which SQLite's in-memory test database cannot share"
        )
    import psycopg

    lines = 20_000
    path = write(tmp_path, numbers_csv(lines), "big.csv")
    env = {
        **os.environ,
        "DATABASE_URL": _database_url(),
        "MEDIA_ROOT": str(settings.MEDIA_ROOT),
        "SECRET_KEY": os.environ.get("SECRET_KEY", "x" * 60),
    }
    command = [sys.executable, "manage.py", "import_dnc", "--client", "4199", "--list"]
    command += ["dialtime", "--batch-size", "1000", path]
    process = subprocess.Popen(
        command, cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE
    )
    # Once the job reports progress, lock its row from another connection: the import can then
    # commit no further batch (each batch's progress is saved in the batch's transaction), so
    # it is certainly killed mid-file, whatever the machine's speed.
    blocker = psycopg.connect(_database_url())
    try:
        deadline = time.monotonic() + 60
        while True:
            job = ImportJob.objects.filter(lines_done__gt=0).first()
            if job is not None:
                break
            assert process.poll() is None, process.stderr.read().decode()
            assert time.monotonic() < deadline, "the import made no progress"
            time.sleep(0.02)
        blocker.execute("SELECT id FROM dnc_importjob WHERE id = %s FOR UPDATE", [job.pk])
        process.send_signal(signal.SIGKILL)
        process.wait(timeout=30)
    finally:
        if process.poll() is None:
            process.kill()
            process.wait(timeout=30)
        blocker.rollback()
        blocker.close()

    job.refresh_from_db()
    assert job.status == ImportStatus.RUNNING
    assert is_stale(job)  # its process is gone
    done = job.batches_done * 1000
    assert 0 < done < lines
    assert (job.lines_done, job.received, job.created) == (done + 1, done, done)
    assert DialtimeEntry.objects.filter(client_id=4199).count() == done  # whole batches only
    assert imports_audited(4199) == []

    import_dnc("--resume", job.pk)

    job.refresh_from_db()
    assert (job.status, job.lines_done, job.received, job.created) == (
        "succeeded",
        lines + 1,
        lines,
        lines,
    )
    phones = DialtimeEntry.objects.filter(client_id=4199).values_list("phone", flat=True)
    assert sorted(phones) == [f"415{5000000 + i:07d}" for i in range(lines)]
    (entry,) = imports_audited(4199)
    assert entry.details["counts"]["created"] == lines

    out = import_dnc("--client", 4199, "--list", "dialtime", "--batch-size", 1000, path)
    assert f"0 new, 0 updated, {lines} unchanged" in out


def test_the_import_page_gives_the_date_format(admin_as, client_a):
    text = page_text(admin_as("manager_with_dnc_power").get("/admin/dnc/import/dialtime/"))
    assert "Dates as year-month-day (2027-12-31)" in text
    assert "see below" not in text
