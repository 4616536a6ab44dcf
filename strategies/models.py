"""Dialing strategies: which phone positions to dial in which order, and what to do after each
call result."""

from django.core.exceptions import ValidationError
from django.db import models

from livevox_site.models import Client, ExplicitIdMixin, Service
from livevox_site.tenancy import SHARED, TenantQuerySet


class Result(models.Model):
    """The catalog of call results (``lvResultId``), shared by every client; Sysadmins edit it."""

    id = models.IntegerField("result id", primary_key=True)
    name = models.CharField(max_length=100)
    description = models.CharField(max_length=300, blank=True)

    tenant_path = SHARED

    class Meta:
        ordering = ["id"]
        verbose_name = "call result"

    def __str__(self) -> str:
        return f"{self.name} ({self.id})"


class DialingStrategy(ExplicitIdMixin, models.Model):
    id = models.AutoField(primary_key=True)
    client = models.ForeignKey(Client, on_delete=models.CASCADE, related_name="dialing_strategies")
    name = models.CharField(max_length=200)
    # Phone positions in dialing order, e.g. [1, 3, 2].
    dialing_sequence = models.JSONField("dialing sequence", default=list)
    services = models.ManyToManyField(
        Service, blank=True, related_name="dialing_strategies", verbose_name="services"
    )

    tenant_path = "client"
    objects = TenantQuerySet.as_manager()
    # Audit snapshots use the API's keys; the audit trail shows the admin's labels.
    audit_labels = {
        "dialingSequenceItem": "dialing sequence",
        "service": "services",
        "outcomeItem": "outcomes",
    }

    class Meta:
        ordering = ["id"]
        verbose_name_plural = "dialing strategies"
        constraints = [
            models.UniqueConstraint(
                fields=["client", "name"], name="strategy_name_unique_per_client"
            )
        ]

    def __str__(self) -> str:
        return self.name

    def audit_snapshot(self) -> dict:
        return {
            "id": self.pk,
            "name": self.name,
            "dialingSequenceItem": list(self.dialing_sequence),
            "service": sorted(self.services.values_list("id", flat=True)) if self.pk else [],
        }


class Outcome(ExplicitIdMixin, models.Model):
    """What to do after one call result, within one strategy."""

    id = models.AutoField(primary_key=True)
    strategy = models.ForeignKey(
        DialingStrategy,
        on_delete=models.CASCADE,
        related_name="outcomes",
        verbose_name="dialing strategy",
    )
    result = models.ForeignKey(
        Result, on_delete=models.PROTECT, related_name="+", verbose_name="call result"
    )
    dial_another_number = models.BooleanField(
        "dial another number", default=False, help_text="Go on to the next phone number."
    )
    max_number_of_retries = models.PositiveIntegerField("max retries", default=0)
    retry_delay = models.PositiveIntegerField("retry delay (minutes)", default=0)
    requeue = models.BooleanField(
        "requeue", default=False, help_text="Put the call back in the queue."
    )

    tenant_path = "strategy__client"
    objects = TenantQuerySet.as_manager()
    audit_labels = {
        "strategyId": "dialing strategy",
        "lvResultId": "call result",
        "dialAnotherNumber": "dial another number",
        "maxNumberOfRetries": "max retries",
        "retryDelay": "retry delay (minutes)",
        "requeue": "requeue",
    }

    class Meta:
        ordering = ["id"]
        constraints = [
            models.UniqueConstraint(fields=["strategy", "result"], name="outcome_unique_per_result")
        ]

    def __str__(self) -> str:
        return f"What to do after {self.result}"

    def audit_name(self) -> str:
        return f"{self.result} in {self.strategy.name}"

    def audit_subject(self) -> tuple[str, int]:
        """Outcome changes belong to their strategy's history."""
        return "strategies.dialingstrategy", self.strategy_id

    def audit_snapshot(self) -> dict:
        return {
            "outcomeId": self.pk,
            "strategyId": self.strategy_id,
            "lvResultId": self.result_id,
            "dialAnotherNumber": self.dial_another_number,
            "maxNumberOfRetries": self.max_number_of_retries,
            "retryDelay": self.retry_delay,
            "requeue": self.requeue,
        }


class ClientStrategies(models.Model):
    """A client's default and requeue dialing strategies (docs/wire.md section 8). Kept by this
    app, one row per client, so that the site's ``Client`` names no resource app."""

    client = models.OneToOneField(
        Client, primary_key=True, on_delete=models.CASCADE, related_name="strategy_settings"
    )
    default_dialing_strategy = models.ForeignKey(
        DialingStrategy,
        verbose_name="default dialing strategy",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        help_text="Used by services that have no dialing strategy of their own.",
    )
    requeue_dialing_strategy = models.ForeignKey(
        DialingStrategy,
        verbose_name="requeue dialing strategy",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        help_text="Used for calls that are requeued.",
    )

    tenant_path = "client"
    objects = TenantQuerySet.as_manager()

    class Meta:
        verbose_name = "default and requeue strategies"
        verbose_name_plural = "default and requeue strategies"

    def __str__(self) -> str:
        return f"Default and requeue strategies of {self.client}"

    def clean(self) -> None:
        for field in ("default_dialing_strategy", "requeue_dialing_strategy"):
            strategy = getattr(self, field)
            if strategy is not None and strategy.client_id != self.client_id:
                raise ValidationError({field: "Choose a dialing strategy of this client."})

    def audit_snapshot(self) -> dict:
        return {
            "client": self.client_id,
            "default_dialing_strategy": self.default_dialing_strategy_id,
            "requeue_dialing_strategy": self.requeue_dialing_strategy_id,
        }
