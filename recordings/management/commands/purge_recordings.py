"""``manage.py purge_recordings --older-than DAYS [--client ID] [--dry-run]``: the retention
period. Recordings that started more than DAYS ago are deleted, file and row together, each
through ``recording_delete`` (audited as ``recordings.recording.purged``)."""

from datetime import timedelta

from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from livevox_site.audit import Actor
from livevox_site.models import Client
from recordings.models import Recording
from recordings.services import recording_delete


class Command(BaseCommand):
    help = "Delete call recordings (files and rows) older than a retention period."

    def add_arguments(self, parser):
        parser.add_argument("--older-than", type=int, required=True, metavar="DAYS")
        parser.add_argument("--client", type=int, metavar="ID", help="only this client's")
        parser.add_argument("--dry-run", action="store_true", help="count, delete nothing")

    def handle(self, *args, older_than: int, client: int | None, dry_run: bool, **options):
        if older_than < 0:
            raise CommandError("--older-than must be 0 or more days")
        queryset = Recording.objects.filter(
            start_time__lt=timezone.now() - timedelta(days=older_than)
        )
        if client is not None:
            if not Client.objects.filter(pk=client).exists():
                raise CommandError(f"no client {client}")
            queryset = queryset.for_client(client)
        if dry_run:
            self.stdout.write(f"{queryset.count()} recording(s) would be deleted")
            return
        actor = Actor.command("purge_recordings")
        deleted = 0
        # One at a time: each file leaves with its row (recording_delete), never in bulk.
        for recording in queryset.order_by("start_time").iterator(chunk_size=500):
            recording_delete(actor=actor, recording=recording, action="recordings.recording.purged")
            deleted += 1
        self.stdout.write(f"{deleted} recording(s) deleted")
