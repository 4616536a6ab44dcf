"""``manage.py import_recordings MANIFEST.csv``: mp3 files and their metadata from a CSV
manifest. Every line is checked first ("line N: reason", and skipped when bad); the good ones
are stored through ``recording_create``, each audited. Running it again skips what is already
there. Exit status 0 when every line is in, 1 when some were skipped."""

import csv
import sys
from dataclasses import dataclass
from pathlib import Path

from django.core.files import File
from django.core.management.base import BaseCommand, CommandError

from livevox_site.audit import Actor
from livevox_site.errors import LVError
from livevox_site.lenient import MAX_INT, parse_date
from livevox_site.models import Client
from recordings.models import Recording
from recordings.services import RecordingMetadata, recording_create

COLUMNS = [
    "id",
    "clientId",
    "callCenterId",
    "serviceId",
    "agentId",
    "campaignId",
    "account",
    "phone",
    "termCodeId",
    "fromDate",
    "toDate",
    "originalAccountNumber",
    "duration",
    "file",
]
INT_COLUMNS = {
    "callCenterId": "call_center_id",
    "serviceId": "service_id",
    "agentId": "agent_id",
    "campaignId": "campaign_id",
    "termCodeId": "term_code_id",
    "duration": "duration",
}


class BadLine(Exception):
    pass


@dataclass(frozen=True)
class Line:
    number: int
    recording_id: str
    client: Client
    metadata: RecordingMetadata
    path: Path


def _int(row: dict, column: str) -> int:
    text = (row.get(column) or "").strip()
    if not (text.isascii() and text.isdigit() and int(text) <= MAX_INT):
        raise BadLine(f"{column} must be a whole number from 0")
    return int(text)


def _date(row: dict, column: str):
    try:
        value = parse_date(row.get(column), column)
    except LVError:
        value = None
    if value is None:
        raise BadLine(f"{column} must be a date (epoch ms or ISO-8601)")
    return value


def _looks_like_mp3(path: Path) -> bool:
    """An ID3 tag or an MPEG audio frame header (11 sync bits) at the start."""
    with path.open("rb") as audio:
        head = audio.read(3)
    return head.startswith(b"ID3") or (
        len(head) >= 2 and head[0] == 0xFF and head[1] & 0xE0 == 0xE0
    )


def parse_line(number: int, row: dict, base: Path, clients: dict[int, Client]) -> Line:
    """One manifest line as typed values; ``BadLine`` says what is wrong with it."""
    if None in row or any(value is None for value in row.values()):
        raise BadLine(f"expected {len(COLUMNS)} columns")
    recording_id = row["id"].strip()
    if not recording_id:
        raise BadLine("id is required")
    client = clients.get(_int(row, "clientId"))
    if client is None:
        raise BadLine(f"no client {row['clientId'].strip()}")
    values = {name: _int(row, column) for column, name in INT_COLUMNS.items()}
    file_name = row["file"].strip()
    if not file_name:
        raise BadLine("file is required")
    path = (base / file_name).resolve()
    if not path.is_file():
        raise BadLine(f"file {file_name} not found")
    if not _looks_like_mp3(path):
        raise BadLine(f"file {file_name} is not an mp3 (no ID3 tag or MPEG audio frame)")
    metadata = RecordingMetadata(
        account=row["account"].strip(),
        phone=row["phone"].strip(),
        start_time=_date(row, "fromDate"),
        end_time=_date(row, "toDate"),
        original_account_number=row["originalAccountNumber"].strip(),
        **values,
    )
    return Line(number, recording_id, client, metadata, path)


class Command(BaseCommand):
    help = "Import mp3 call recordings described by a CSV manifest."

    def add_arguments(self, parser):
        parser.add_argument("manifest", help="CSV file; its 'file' column is relative to it")

    def handle(self, *args, manifest: str, **options):
        manifest_path = Path(manifest)
        if not manifest_path.is_file():
            raise CommandError(f"{manifest}: no such file")
        clients = {client.pk: client for client in Client.objects.all()}
        actor = Actor.command("import_recordings")
        lines, skipped = [], 0
        try:
            with manifest_path.open(newline="", encoding="utf-8-sig") as handle:
                reader = csv.DictReader(handle)
                header = [name.strip() for name in reader.fieldnames or []]
                if header != COLUMNS:
                    raise CommandError(f"line 1: the header must be {','.join(COLUMNS)}")
                for row in reader:
                    number = reader.line_num
                    try:
                        lines.append(parse_line(number, row, manifest_path.parent, clients))
                    except BadLine as error:
                        skipped += 1
                        self.stderr.write(f"line {number}: {error}")
        except UnicodeDecodeError as error:
            raise CommandError(f"{manifest}: not UTF-8 text ({error.reason})") from None
        done = already = 0
        for index, line in enumerate(lines, start=1):
            self._progress(index, len(lines))
            existing = Recording.objects.filter(pk=line.recording_id).first()
            if existing is not None:
                if existing.client_id == line.client.pk:
                    already += 1  # imported by an earlier run
                else:
                    skipped += 1
                    self.stderr.write(f"\nline {line.number}: id belongs to another recording")
                continue
            try:
                with line.path.open("rb") as audio:
                    recording_create(
                        actor=actor,
                        client=line.client,
                        recording_id=line.recording_id,
                        metadata=line.metadata,
                        audio=File(audio, name=line.path.name),
                    )
            except LVError as error:
                skipped += 1
                field = f"{error.field}: " if error.field else ""
                self.stderr.write(f"\nline {line.number}: {field}{error.message}")
                continue
            done += 1
        if lines:
            self.stderr.write("")
        self.stdout.write(f"{done} imported, {already} already there, {skipped} skipped")
        if skipped:
            raise CommandError(f"{skipped} line(s) skipped", returncode=1)

    def _progress(self, done: int, total: int, width: int = 30) -> None:
        filled = width * done // total
        self.stderr.write(f"\r[{'#' * filled}{'.' * (width - filled)}] {done}/{total}", ending="")
        if hasattr(sys.stderr, "flush"):
            self.stderr.flush()
