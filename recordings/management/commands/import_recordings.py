"""``manage.py import_recordings MANIFEST.csv``: mp3 files and their metadata from a CSV
manifest. Every line is checked first ("line N: reason", and skipped when bad); the good ones
are stored through ``recording_create``, each audited. Running it again skips what is already
there (the same id of the same client). Exit status 0 when every line is in, 1 when some were
skipped.

A line's ``file`` is a path relative to the manifest's own folder, and must lead to a regular
file inside that folder once resolved (symlinks followed): an absolute path, a ``..`` that
leaves the folder, or a symlink that leads out of it is a bad line ("file must be inside the
manifest's folder"). A file inside the recordings storage (``MEDIA_ROOT``, where every
client's stored recordings are) is refused too, wherever the manifest is: a manifest never
names another client's stored recording. The file is opened without following a symlink and
must still be the very file that was checked (device and inode), so swapping it in between
changes nothing.

Ids are per client: an id another client holds is imported like any free one."""

import csv
import os
import stat
import sys
from dataclasses import dataclass
from pathlib import Path, PurePath
from typing import BinaryIO

from django.conf import settings
from django.core.files import File
from django.core.files.storage import FileSystemStorage
from django.core.management.base import BaseCommand, CommandError

from livevox_site.audit import Actor
from livevox_site.errors import LVError
from livevox_site.lenient import MAX_INT, parse_date
from livevox_site.models import Client
from recordings.models import Recording
from recordings.services import RecordingMetadata, recording_create, recording_exists

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


OUTSIDE = "file must be inside the manifest's folder"
IN_STORAGE = "file is in the recordings storage; import from another folder"
# Open the checked path itself, never what a symlink put there since; a FIFO must not block.
OPEN_FLAGS = (
    os.O_RDONLY
    | getattr(os, "O_NOFOLLOW", 0)
    | getattr(os, "O_NONBLOCK", 0)
    | getattr(os, "O_BINARY", 0)
)


class BadLine(Exception):
    pass


@dataclass(frozen=True)
class Line:
    number: int
    recording_id: str
    client: Client
    metadata: RecordingMetadata
    file_name: str
    path: Path  # resolved: inside the manifest's folder, no symlink left
    identity: tuple[int, int]  # (device, inode) of the file that was checked


def storage_roots() -> list[Path]:
    """The folders where stored recordings live, resolved: the recordings' storage when it is a
    filesystem one (S3 objects are no local files) and ``MEDIA_ROOT``."""
    roots = []
    storage = Recording._meta.get_field("audio").storage
    if isinstance(storage, FileSystemStorage):
        roots.append(Path(storage.location).resolve())
    if settings.MEDIA_ROOT:
        roots.append(Path(settings.MEDIA_ROOT).resolve())
    return roots


def resolve_file(file_name: str, base: Path, forbidden: list[Path]) -> tuple[Path, tuple]:
    """The resolved path and (device, inode) of a line's regular file inside ``base`` (a
    resolved folder) and outside every ``forbidden`` folder; ``BadLine`` otherwise."""
    if PurePath(file_name).is_absolute():
        raise BadLine(OUTSIDE)
    try:
        path = (base / file_name).resolve()
    except (OSError, RuntimeError, ValueError):  # a symlink loop, a NUL in the name
        raise BadLine(f"file {file_name} not found") from None
    if not path.is_relative_to(base):
        raise BadLine(OUTSIDE)
    if any(path.is_relative_to(root) for root in forbidden):
        raise BadLine(IN_STORAGE)
    try:
        info = os.stat(path)
    except (OSError, ValueError):
        raise BadLine(f"file {file_name} not found") from None
    if not stat.S_ISREG(info.st_mode):
        raise BadLine(f"file {file_name} is not a regular file")
    return path, (info.st_dev, info.st_ino)


def open_checked(file_name: str, path: Path, identity: tuple[int, int]) -> BinaryIO:
    """``path`` opened for reading, if it is still the regular file that was checked."""
    try:
        fd = os.open(path, OPEN_FLAGS)
    except OSError:
        raise BadLine(f"file {file_name} cannot be read") from None
    try:
        info = os.fstat(fd)
        if not stat.S_ISREG(info.st_mode) or (info.st_dev, info.st_ino) != identity:
            raise BadLine(f"file {file_name} changed since it was checked")
        return os.fdopen(fd, "rb")
    except BaseException:
        os.close(fd)
        raise


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


def _looks_like_mp3(audio: BinaryIO) -> bool:
    """An ID3 tag or an MPEG audio frame header (11 sync bits) at the start."""
    head = audio.read(3)
    return head.startswith(b"ID3") or (
        len(head) >= 2 and head[0] == 0xFF and head[1] & 0xE0 == 0xE0
    )


def parse_line(
    number: int,
    row: dict,
    base: Path,
    clients: dict[int, Client],
    forbidden: list[Path] | None = None,
) -> Line:
    """One manifest line as typed values; ``BadLine`` says what is wrong with it. ``base`` is
    the manifest's folder, resolved; ``forbidden`` the folders no file may be in (default:
    ``storage_roots()``)."""
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
    if forbidden is None:
        forbidden = storage_roots()
    path, identity = resolve_file(file_name, base, forbidden)
    with open_checked(file_name, path, identity) as audio:
        if not _looks_like_mp3(audio):
            raise BadLine(f"file {file_name} is not an mp3 (no ID3 tag or MPEG audio frame)")
    metadata = RecordingMetadata(
        account=row["account"].strip(),
        phone=row["phone"].strip(),
        start_time=_date(row, "fromDate"),
        end_time=_date(row, "toDate"),
        original_account_number=row["originalAccountNumber"].strip(),
        **values,
    )
    return Line(number, recording_id, client, metadata, file_name, path, identity)


class Command(BaseCommand):
    help = (
        "Import mp3 call recordings described by a CSV manifest. Each line's file must be a "
        "regular file inside the manifest's folder (no absolute path, no way out by '..' or "
        "a symlink) and outside the recordings storage; other lines are skipped and named."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "manifest",
            help="CSV file; its 'file' column names mp3 files by paths relative to its folder",
        )

    def handle(self, *args, manifest: str, **options):
        manifest_path = Path(manifest)
        if not manifest_path.is_file():
            raise CommandError(f"{manifest}: no such file")
        base = manifest_path.absolute().parent.resolve()
        forbidden = storage_roots()
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
                        lines.append(parse_line(number, row, base, clients, forbidden))
                    except BadLine as error:
                        skipped += 1
                        self.stderr.write(f"line {number}: {error}")
        except UnicodeDecodeError as error:
            raise CommandError(f"{manifest}: not UTF-8 text ({error.reason})") from None
        done = already = 0
        for index, line in enumerate(lines, start=1):
            self._progress(index, len(lines))
            # Only this client's ids: another client's never answer "taken" (ids are per client).
            if recording_exists(client=line.client, recording_id=line.recording_id):
                already += 1  # imported by an earlier run
                continue
            try:
                with open_checked(line.file_name, line.path, line.identity) as audio:
                    recording_create(
                        actor=actor,
                        client=line.client,
                        recording_id=line.recording_id,
                        metadata=line.metadata,
                        audio=File(audio, name=line.path.name),
                    )
            except BadLine as error:
                skipped += 1
                self.stderr.write(f"\nline {line.number}: {error}")
                continue
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
