"""Recording writes. The API, the admin, the import command and the demo data all call these,
so a recording's file and its row are always created and deleted together.

The file lives in the storage, the row in the database, and no transaction spans both; the
order of the steps is what keeps them in step:

- create: store the file, then write the row; when the row fails, delete the file again;
- delete: delete the row inside a transaction, delete the file before it commits, and roll the
  row back when the storage refuses. Only a failure of the COMMIT itself, after the storage
  delete succeeded, could leave a row without its file.
"""

import hashlib
from dataclasses import dataclass
from datetime import datetime

from botocore.exceptions import BotoCoreError, ClientError
from django.core.files import File
from django.db import IntegrityError, transaction

from livevox_site.audit import Actor, audit_record, snapshot
from livevox_site.errors import AlreadyExists, InvalidValue, StorageUnavailable
from livevox_site.lenient import MAX_INT
from livevox_site.models import Client

from .models import Recording, recording_path

# What the filesystem and S3 storages raise when they fail.
STORAGE_ERRORS = (OSError, BotoCoreError, ClientError)

ID_MAX_LENGTH = Recording._meta.get_field("recording_id").max_length
CHUNK_SIZE = 64 * 1024


@dataclass(frozen=True)
class RecordingMetadata:
    """What the vendor says about one recording (Get Call Recording Info's fields)."""

    call_center_id: int
    service_id: int
    agent_id: int
    campaign_id: int
    account: str
    phone: str
    term_code_id: int
    start_time: datetime
    end_time: datetime
    duration: int
    original_account_number: str = ""


def _check_id(recording_id: str) -> str:
    value = (recording_id or "").strip()
    if not value:
        raise InvalidValue("is required", field="recording_id")
    if len(value) > ID_MAX_LENGTH or "/" in value or not value.isprintable():
        raise InvalidValue(
            f"must be at most {ID_MAX_LENGTH} printable characters, no slash", field="recording_id"
        )
    if value.lower() == "info":
        # /compliance/recording/info is the metadata method: such a recording could not be read.
        raise InvalidValue("may not be 'info'", field="recording_id")
    return value


def _check_metadata(meta: RecordingMetadata) -> None:
    for name in ("call_center_id", "service_id", "agent_id", "campaign_id", "term_code_id"):
        value = getattr(meta, name)
        if isinstance(value, bool) or not isinstance(value, int) or not 0 <= value <= MAX_INT:
            raise InvalidValue("must be a whole number from 0", field=name)
    for name, limit in (("account", 100), ("phone", 32), ("original_account_number", 100)):
        value = getattr(meta, name)
        if not isinstance(value, str) or len(value) > limit:
            raise InvalidValue(f"must be text of at most {limit} characters", field=name)
    if not meta.account:
        raise InvalidValue("is required", field="account")
    if not meta.phone:
        raise InvalidValue("is required", field="phone")
    if meta.end_time < meta.start_time:
        raise InvalidValue("must not be before the start time", field="end_time")
    if isinstance(meta.duration, bool) or not 0 <= meta.duration <= MAX_INT:
        raise InvalidValue("must be a whole number of seconds from 0", field="duration")


def _digest(audio: File) -> tuple[str, int]:
    """SHA-256 and size, read in chunks (a recording can be large)."""
    digest, size = hashlib.sha256(), 0
    audio.seek(0)
    for chunk in audio.chunks(CHUNK_SIZE):
        digest.update(chunk)
        size += len(chunk)
    audio.seek(0)
    return digest.hexdigest(), size


def recording_exists(*, client: Client | int, recording_id: str) -> bool:
    """Whether ``client`` holds a recording with this id. Ids are per client: another client's
    recordings are never looked at, so no answer built on this one reveals them."""
    client_id = client.pk if isinstance(client, Client) else client
    return Recording.objects.filter(client_id=client_id, recording_id=recording_id).exists()


def recording_check(*, client: Client | int, recording_id: str, metadata: RecordingMetadata) -> str:
    """The rules recording_create applies before storing anything (for forms that show errors
    before saving): the cleaned id, or ``InvalidValue`` / ``AlreadyExists`` (when ``client``
    itself already holds the id)."""
    recording_id = _check_id(recording_id)
    _check_metadata(metadata)
    if recording_exists(client=client, recording_id=recording_id):
        raise AlreadyExists("A recording with this id already exists", field="recording_id")
    return recording_id


def recording_create(
    *, actor: Actor, client: Client, recording_id: str, metadata: RecordingMetadata, audio: File
) -> Recording:
    """Store ``audio`` (an mp3) and its metadata as one recording of ``client``.

    Raises ``InvalidValue`` for bad metadata and ``AlreadyExists`` when ``client`` already holds
    the id. Ids are per client (the vendor's ids of one client's calls): an id another client
    holds is free for this one, and the answer is the same as for any free id.
    """
    recording_id = recording_check(client=client, recording_id=recording_id, metadata=metadata)
    sha256, size = _digest(audio)
    if size == 0:
        raise InvalidValue("is empty", field="audio")
    recording = Recording(
        recording_id=recording_id,
        client=client,
        call_center_id=metadata.call_center_id,
        service_id=metadata.service_id,
        agent_id=metadata.agent_id,
        campaign_id=metadata.campaign_id,
        account=metadata.account,
        phone=metadata.phone,
        term_code_id=metadata.term_code_id,
        start_time=metadata.start_time,
        end_time=metadata.end_time,
        original_account_number=metadata.original_account_number,
        duration=metadata.duration,
        size=size,
        sha256=sha256,
    )
    field = Recording._meta.get_field("audio")
    stored = field.storage.save(recording_path(recording, ""), audio, max_length=field.max_length)
    recording.audio.name = stored
    try:
        with transaction.atomic():
            # force_insert: never an UPDATE of a row with the same key.
            recording.save(force_insert=True)
            audit_record(
                actor=actor,
                client=client,
                action="recordings.recording.created",
                obj=recording,
                obj_id=recording.recording_id,
                after=snapshot(recording),
            )
    except IntegrityError:
        # Another writer stored this client's id between the check and the insert (the
        # (client, recording id) constraint).
        field.storage.delete(stored)
        raise AlreadyExists("A recording with this id already exists") from None
    except BaseException:
        # No orphan file: the row did not make it, so neither does the file.
        field.storage.delete(stored)
        raise
    return recording


def recording_delete(*, actor: Actor, recording: Recording, action: str = "") -> None:
    """Delete the recording's row and its stored file together (see the module's docstring).
    Only Sysadmins may call this through the API and the admin; the caller checks that."""
    before = snapshot(recording)
    name = recording.audio.name
    with transaction.atomic():
        Recording.objects.filter(pk=recording.pk).delete()
        audit_record(
            actor=actor,
            client=recording.client_id,
            action=action or "recordings.recording.deleted",
            obj_type="recordings.recording",
            obj_id=recording.recording_id,
            name=recording.recording_id,
            subject=recording.audit_subject(),
            before=before,
        )
        # Last step inside the transaction: when the storage raises, the row comes back.
        if name:
            try:
                recording.audio.storage.delete(name)
            except STORAGE_ERRORS as error:
                raise StorageUnavailable() from error
