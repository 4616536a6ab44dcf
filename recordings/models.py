"""Call recordings: the vendor's metadata and the mp3, kept in the site's storage (the local
filesystem or S3, ``settings.STORAGES["default"]``)."""

import secrets

from django.db import models

from livevox_site.models import Client
from livevox_site.tenancy import TenantQuerySet


def new_key() -> str:
    """A recording's stored key: random, so it says nothing of the vendor id nor of how many
    recordings other clients hold."""
    return secrets.token_hex(16)


def recording_path(instance: "Recording", filename: str) -> str:
    """A random path: the stored name reveals neither the client nor the phone number (bucket
    listings and backups are read by people who may not see either)."""
    token = secrets.token_hex(16)
    return f"recordings/{token[:2]}/{token}.mp3"


class Recording(models.Model):
    """One call recording of one client.

    ``recording_id`` is the vendor's id, e.g. 8b4e88fe-2b9c-b6b1-d211-016c4d1b3ec6, the one the
    wire uses (``/compliance/recording/{id}``); it is unique within a client only, so that no
    answer to a client depends on the ids another client holds. ``id`` is the stored key (the
    admin's URLs, the audit History): random for new recordings, the vendor id for those stored
    before migration 0002 (then unique across clients)."""

    id = models.CharField("key", max_length=64, primary_key=True, default=new_key, editable=False)
    recording_id = models.CharField("recording id", max_length=64)
    # PROTECT: deleting a client must go through recording_delete, or its files would stay.
    client = models.ForeignKey(Client, on_delete=models.PROTECT, related_name="recordings")
    # Plain ids, not foreign keys: a recording outlives the service, agent or campaign it names.
    call_center_id = models.IntegerField("call center id")
    service_id = models.IntegerField("service id", db_index=True)
    agent_id = models.IntegerField("agent id")
    campaign_id = models.IntegerField("campaign id")
    account = models.CharField(max_length=100, db_index=True)
    phone = models.CharField(max_length=32, db_index=True)
    term_code_id = models.IntegerField("term code id")
    start_time = models.DateTimeField("start time", db_index=True)
    end_time = models.DateTimeField("end time")
    original_account_number = models.CharField(
        "original account number", max_length=100, blank=True
    )
    duration = models.IntegerField("duration (seconds)")
    audio = models.FileField("audio", upload_to=recording_path, max_length=200)
    size = models.BigIntegerField("size (bytes)")
    sha256 = models.CharField("SHA-256 checksum", max_length=64)

    tenant_path = "client"
    objects = TenantQuerySet.as_manager()

    class Meta:
        ordering = ["-start_time", "recording_id", "id"]
        verbose_name = "call recording"
        indexes = [models.Index(fields=["client", "start_time"], name="recording_client_start")]
        constraints = [
            # Also the index of the wire's lookup: (the caller's client, the id in the path).
            models.UniqueConstraint(
                fields=["client", "recording_id"], name="recording_client_recording_id"
            )
        ]

    def __str__(self) -> str:
        return self.recording_id

    def audit_subject(self) -> tuple[str, str]:
        # The audit names the vendor id (object_id, what people search for); the History page
        # finds the entries by the stored key.
        return ("recordings.recording", self.pk)

    def audit_snapshot(self) -> dict:
        # The metadata and where the file was: enough to say what was deleted, and by whom.
        return {
            "id": self.recording_id,
            "callCenterId": self.call_center_id,
            "serviceId": self.service_id,
            "agentId": self.agent_id,
            "campaignId": self.campaign_id,
            "account": self.account,
            "phone": self.phone,
            "termCodeId": self.term_code_id,
            "fromDate": self.start_time,
            "toDate": self.end_time,
            "originalAccountNumber": self.original_account_number,
            "duration": self.duration,
            "file": self.audio.name,
            "size": self.size,
            "sha256": self.sha256,
        }
