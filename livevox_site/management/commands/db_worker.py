"""``manage.py db_worker``: django-tasks-db's worker, which first queues again the jobs a dead
worker left behind, and looks for them again every ``LV_JOBS_SWEEP_SECONDS`` while it runs.

Each app names its recovery functions (``ResourceAppConfig.job_recovery``); a job's own claim
(a row lock and ``livevox_site.jobs.is_stale``) keeps two workers from running it at once, so
several workers sweeping together is safe."""

import logging
import threading

from django.conf import settings
from django.db import connections
from django.utils.module_loading import import_string
from django_tasks_db.management.commands.db_worker import Command as DbWorkerCommand

from livevox_site.apps import resource_apps

logger = logging.getLogger("livevox.jobs")


def recover_stopped_jobs() -> list[str]:
    """Run every app's job recovery once; answers what was done, a line per job."""
    done: list[str] = []
    for config in resource_apps():
        for path in config.job_recovery:
            done += import_string(path)()
    return done


def _sweep_forever(stop: threading.Event, every: float) -> None:
    while not stop.wait(every):
        try:
            recover_stopped_jobs()
        except Exception:  # a sweep that failed (the database away) is tried again later
            logger.exception("looking for stopped jobs failed")
        finally:
            connections.close_all()  # this thread's own connections


class Command(DbWorkerCommand):
    help = DbWorkerCommand.help + " (resuming jobs whose worker died, at start and periodically)"

    def handle(self, *args, **options) -> None:
        for line in recover_stopped_jobs():
            self.stderr.write(f"Stopped job found: {line}")
        connections.close_all()
        stop = threading.Event()
        every = settings.LV_JOBS_SWEEP_SECONDS
        if every > 0:
            threading.Thread(
                target=_sweep_forever, args=(stop, every), name="job-sweeper", daemon=True
            ).start()
        try:
            super().handle(*args, **options)
        finally:
            stop.set()
