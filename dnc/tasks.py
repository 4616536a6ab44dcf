"""Background tasks of the DNC lists, run by django-tasks (``settings.TASKS``: the database
backend and ``manage.py db_worker`` by default; any other backend by setting)."""

from django_tasks import task

from .models import ImportJob, SuppressionPreview


@task()
def run_import(job_id: int) -> dict:
    """Run (or resume) one CSV import or preview; its progress is on the ``ImportJob`` row."""
    from .imports import counts, run_job

    job = run_job(job_id)
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

    preview = run_preview(preview_id)
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
