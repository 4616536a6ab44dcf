"""``python manage.py purge_dnc [--dry-run] [--client ID] [--batch N]``: delete the DNC rows
that no longer block (``dnc/services/purge.py``). Meant to run nightly, e.g. from cron::

    15 3 * * *  cd /srv/livevox && .venv/bin/python manage.py purge_dnc >> /var/log/purge_dnc.log

Any time of day is right: each client's "today" is taken in its own time zone, and isBlocked
never depends on the purge having run."""

from django.core.management.base import BaseCommand, CommandError

from livevox_site.audit import Actor
from livevox_site.models import Client

from ...services.purge import BATCH, ClientPurge, purge_dnc


class Command(BaseCommand):
    help = (
        "Delete expired DNC entries: daily and dated entries whose day has passed, account "
        "flags set to NONE, dial-time, email and SMS entries past their expiration date."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--dry-run", action="store_true", help="print what would go, remove nothing"
        )
        parser.add_argument("--client", type=int, help="only this client (its id)")
        parser.add_argument(
            "--batch", type=int, default=BATCH, help=f"rows per transaction (default {BATCH})"
        )

    def handle(self, *args, dry_run=False, client=None, batch=BATCH, **options):
        if client is not None and not Client.objects.filter(pk=client).exists():
            raise CommandError(f"no client {client}")
        if batch < 1:
            raise CommandError("--batch must be at least 1")
        verb = "would remove" if dry_run else "removed"

        def report(result: ClientPurge) -> None:
            self.stdout.write(f"{verb}: {result.line()}")

        results = purge_dnc(
            actor=Actor.command("purge_dnc"),
            client_id=client,
            dry_run=dry_run,
            batch=batch,
            report=report,
        )
        total = sum(r.total for r in results)
        self.stdout.write(f"{verb} {total} rows in {len(results)} clients")
