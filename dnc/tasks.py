"""Background tasks of the DNC lists, run by django-tasks (``settings.TASKS``: the database
backend and ``manage.py db_worker`` by default; any other backend by setting).

A task never lets an exception out whose text could quote the file or the database's words
about it: the job row already says what happened in plain words (``livevox_site.jobs``), and
the task fails with ``JobStopped`` naming the job (raised outside the ``except``, so that no
exception of the job's is chained to it), so the task library can always save its own failure
and the worker goes on with the next job."""

import logging

from django.conf import settings
from django_tasks import task

from livevox_site.jobs import JobStatus, fail_job, stopped_jobs

from .models import ImportJob, SuppressionPreview

logger = logging.getLogger("livevox.jobs")


class JobStopped(Exception):
    """A job failed; its row holds the message for the user."""


def finished(run, job_id: int, what: str):
    """``run(job_id)``'s job when it finished; ``JobStopped`` (raised outside any ``except``,
    so no exception of the job's is chained to it) when it failed or stopped on an error."""
    try:
        job = run(job_id)
    except Exception:
        job = None
    if job is None or job.status == JobStatus.FAILED:
        raise JobStopped(f"{what} {job_id} failed (its page says why)")
    return job


@task()
def run_import(job_id: int) -> dict:
    """Run (or resume) one CSV import or preview; its progress is on the ``ImportJob`` row."""
    from .imports import counts, run_job

    job = finished(run_job, job_id, "import job")
    return {"status": job.status, **counts(job)}


def enqueue_job(job: ImportJob) -> ImportJob:
    """Queue the job for a worker and remember the task's id. (With the immediate backend the
    job has run by the time this returns.)"""
    result = run_import.enqueue(job.pk)
    job.task_id = str(result.id)[:64]
    ImportJob.objects.filter(pk=job.pk).update(task_id=job.task_id)
    job.refresh_from_db()
    return job


@task()
def run_suppression_preview(preview_id: int) -> dict:
    """Run one suppression preview; its progress is on the ``SuppressionPreview`` row."""
    from .suppression import run_preview

    preview = finished(run_preview, preview_id, "suppression preview")
    return {
        "status": preview.status,
        "contacts": preview.contacts,
        "suppressed": preview.suppressed,
    }


def enqueue_preview(preview: SuppressionPreview) -> SuppressionPreview:
    """Queue the preview for a worker and remember the task's id (with the immediate backend
    it has run by the time this returns)."""
    result = run_suppression_preview.enqueue(preview.pk)
    SuppressionPreview.objects.filter(pk=preview.pk).update(task_id=str(result.id)[:64])
    preview.refresh_from_db()
    return preview


def recover_jobs() -> list[str]:
    """Queue again every import and preview that a dead worker left running (or queued behind
    a task it had taken): an import resumes after its last committed batch, a preview starts
    over. A job resumed ``LV_JOBS_MAX_AUTO_RESUMES`` times already is failed instead, for a
    person to look at (a file that kills its worker must not kill every worker in turn).
    Answers what it did, a line per job (the worker logs them)."""
    done = []
    kinds = (
        (ImportJob, run_import, enqueue_job, "import"),
        (SuppressionPreview, run_suppression_preview, enqueue_preview, "preview"),
    )
    for model, runner, enqueue, what in kinds:
        for job in stopped_jobs(model, runner):
            if job.auto_resumes >= settings.LV_JOBS_MAX_AUTO_RESUMES:
                fail_job(
                    job,
                    f"The {what} stopped {job.auto_resumes + 1} times without finishing (its "
                    "worker ended each time). What was saved before stays saved; start it "
                    "again from this page, or ask your administrator to look at the server "
                    "log.",
                )
                done.append(f"{what} {job.pk}: failed after {job.auto_resumes} resumes")
                continue
            model.objects.filter(pk=job.pk).update(auto_resumes=job.auto_resumes + 1)
            enqueue(job)
            done.append(f"{what} {job.pk}: queued again")
    for line in done:
        logger.warning("stopped job %s", line)
    return done
