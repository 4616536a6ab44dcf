"""Call recordings: the vendor's metadata and the mp3, kept in the site's storage (the local
filesystem or S3, ``settings.STORAGES["default"]``)."""

import secrets

from django.db import models

from livevox_site.models import Client
from livevox_site.tenancy import TenantQuerySet


def recording_path(instance: "Recording", filename: str) -> str:
    """A random path: the stored name reveals neither the client nor the phone number (bucket
    listings and backups are read by people who may not see either)."""
    token = secrets.token_hex(16)
    return f"recordings/{token[:2]}/{token}.mp3"


class Recording(models.Model):
    # The vendor's UUID-like string, e.g. 8b4e88fe-2b9c-b6b1-d211-016c4d1b3ec6.
    id = models.CharField("recording id", max_length=64, primary_key=True)
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
        ordering = ["-start_time", "id"]
        verbose_name = "call recording"
        indexes = [models.Index(fields=["client", "start_time"], name="recording_client_start")]

    def __str__(self) -> str:
        return self.id

    def audit_snapshot(self) -> dict:
        # The metadata and where the file was: enough to say what was deleted, and by whom.
        return {
            "id": self.pk,
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
