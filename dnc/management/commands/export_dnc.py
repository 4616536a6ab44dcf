"""``manage.py export_dnc --client ID --list {legacy,dialtime,email,sms} [-o FILE]``: a whole
DNC list as CSV (the import's header; see ``dnc/exports.py`` for the formula rule)."""

import csv
import io

from django.core.management.base import BaseCommand, CommandError

from livevox_site.models import Client

from ...exports import export_rows
from ...imports import LISTS


class Command(BaseCommand):
    help = "Write a DNC list as CSV, readable by import_dnc (stdout by default)."

    def add_arguments(self, parser) -> None:
        parser.add_argument("--client", type=int, required=True, help="the client's id")
        parser.add_argument("--list", dest="list_name", choices=sorted(LISTS), required=True)
        parser.add_argument("-o", "--output", help="the file to write (default: stdout)")

    def handle(self, *args, client: int, list_name: str, output: str | None, **options) -> None:
        if not Client.objects.filter(pk=client).exists():
            raise CommandError(f"no client {client}")
        spec = LISTS[list_name]
        if output:
            try:
                target = open(output, "w", newline="", encoding="utf-8")  # noqa: SIM115
            except OSError as exc:
                raise CommandError(f"cannot write {output}: {exc.strerror}") from None
            with target:
                self._write(spec, client, target.write)
        else:
            self._write(spec, client, lambda text: self.stdout.write(text, ending=""))

    def _write(self, spec, client_id: int, write) -> None:
        # Rows go out a few thousand at a time: one write per row costs more than the query.
        buffer = io.StringIO()
        writer = csv.writer(buffer)
        writer.writerow(spec.header)
        for count, row in enumerate(export_rows(spec, client_id), 1):
            writer.writerow(row)
            if count % 5000 == 0:
                write(buffer.getvalue())
                buffer.seek(0)
                buffer.truncate()
        write(buffer.getvalue())
