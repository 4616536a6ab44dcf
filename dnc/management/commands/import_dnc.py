"""``manage.py import_dnc --client ID --list {legacy,dialtime,email,sms} FILE.csv``: import a
CSV file into one DNC list of one client (see ``dnc/imports.py``)."""

import sys
import time

from django.core.management.base import BaseCommand, CommandError

from livevox_site.audit import Actor
from livevox_site.jobs import FileRefused, JobBusy
from livevox_site.models import Client

from ...imports import LISTS, can_resume, create_job, run_job
from ...models import ImportJob, ImportLineError, ImportStatus
from ...tasks import enqueue_job


class Command(BaseCommand):
    help = (
        "Import a CSV file (header: the API's JSON keys) into a DNC list, in batches: bad lines "
        "are named and skipped, good ones saved; a re-run changes nothing."
    )

    def add_arguments(self, parser) -> None:
        parser.add_argument("file", nargs="?", help="the CSV file (UTF-8, with or without BOM)")
        parser.add_argument("--client", type=int, help="the client's id")
        parser.add_argument("--list", dest="list_name", choices=sorted(LISTS))
        parser.add_argument(
            "--dry-run",
            action="store_true",
            help="preview: count and name bad lines, write nothing",
        )
        parser.add_argument(
            "--background", action="store_true", help="queue it for a worker; print the job id"
        )
        parser.add_argument("--batch-size", type=int, help="lines per batch (one transaction)")
        parser.add_argument(
            "--resume", type=int, metavar="JOB_ID", help="finish a failed or stopped job"
        )

    def handle(self, *args, **options) -> None:
        job = self._resumable(options["resume"]) if options["resume"] else self._create(options)
        if options["background"]:
            job = enqueue_job(job)
            self.stdout.write(f"Queued import job {job.pk} (task {job.task_id})")
            return
        started = time.monotonic()
        try:
            job = run_job(job.pk, progress=self._progress_bar(started))
        except JobBusy as exc:
            raise CommandError(str(exc)) from None
        finally:
            sys.stderr.write("\n")
        self._report(job)
        if job.status == ImportStatus.FAILED:
            raise CommandError(f"import job {job.pk} failed: {job.message}")

    def _create(self, options) -> ImportJob:
        path, list_name, client_id = options["file"], options["list_name"], options["client"]
        if not (path and list_name and client_id):
            raise CommandError("give --client, --list and the file (or --resume JOB_ID)")
        client = Client.objects.filter(pk=client_id).first()
        if client is None:
            raise CommandError(f"no client {client_id}")
        if options["batch_size"] is not None and options["batch_size"] < 1:
            raise CommandError("--batch-size must be 1 or more")
        try:
            upload = open(path, "rb")  # noqa: SIM115 - closed below
        except OSError as exc:
            raise CommandError(f"cannot read {path}: {exc.strerror}") from None
        with upload:
            try:
                return create_job(
                    client=client,
                    list_name=list_name,
                    upload=upload,
                    original_name=path,
                    actor=Actor.command("import_dnc"),
                    dry_run=options["dry_run"],
                    batch_size=options["batch_size"],
                )
            except FileRefused as refused:
                raise CommandError(str(refused)) from None

    def _resumable(self, job_id: int) -> ImportJob:
        job = ImportJob.objects.filter(pk=job_id).first()
        if job is None:
            raise CommandError(f"no import job {job_id}")
        if job.status == ImportStatus.SUCCEEDED:
            raise CommandError(f"import job {job_id} has finished")
        if job.status == ImportStatus.RUNNING and not can_resume(job):
            raise CommandError(f"import job {job_id} is running (process {job.worker_pid})")
        self.stdout.write(f"Resuming import job {job.pk} after line {job.lines_done}")
        return job

    def _progress_bar(self, started: float):
        # On a terminal the bar redraws one line; in a log, one line per batch.
        start, end = ("\r", "") if sys.stderr.isatty() else ("", "\n")

        def show(job: ImportJob) -> None:
            total = job.total_lines or 1
            share = min(1.0, job.lines_done / total)
            bar = "#" * int(share * 30)
            rate = job.received / max(time.monotonic() - started, 1e-6)
            sys.stderr.write(
                f"{start}[{bar:<30}] {share:4.0%} line {job.lines_done:,} of "
                f"{total:,}, {job.failed:,} bad, {rate:,.0f} lines/s{end}"
            )
            sys.stderr.flush()

        return show

    def _report(self, job: ImportJob) -> None:
        kind = "Preview of" if job.dry_run else "Imported"
        verb = "would be " if job.dry_run else ""
        self.stdout.write(
            f"{kind} {job.original_name} into the {LISTS[job.list_name].label} of client "
            f"{job.client_id} (job {job.pk}): {job.created} {verb}new, {job.updated} {verb}"
            f"updated, {job.unchanged} unchanged, {job.duplicates} duplicate lines, "
            f"{job.failed} bad lines."
        )
        errors = ImportLineError.objects.filter(job=job).order_by("line")
        for line, reason in errors.values_list("line", "reason").iterator(chunk_size=5000):
            self.stdout.write(f"line {line}: {reason}")
        if job.errors_file_name:
            self.stdout.write(f"Error file: {job.errors_file_name} (default storage)")
