"""Site-wide models: tenants (clients and services), users, access tokens, LiveVox sessions,
failed-login records and the append-only audit log."""

import hashlib
import math
import secrets
from datetime import timedelta

from django.conf import settings
from django.contrib.auth.base_user import BaseUserManager
from django.contrib.auth.models import AbstractUser
from django.db import connection, models, transaction
from django.utils import timezone

from .roles import POWER_DIALING_STRATEGIES, POWER_EDIT_DNC, POWER_GROUPS, ROLE_GROUPS, Role
from .tenancy import TenantQuerySet


def sync_id_sequence(model: type[models.Model]) -> None:
    """After rows were inserted with explicit ids (migration from LiveVox), move PostgreSQL's
    sequence past them so that assigned ids never collide. SQLite does this by itself."""
    if connection.vendor != "postgresql":
        return
    table = model._meta.db_table
    pk = model._meta.pk.column
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT setval(pg_get_serial_sequence(%s, %s), "  # noqa: S608 (names from _meta)
            f"GREATEST((SELECT MAX({pk}) FROM {table}), 1))",
            [table, pk],
        )


class ExplicitIdMixin:
    """Ids may be given (as LiveVox assigned them) or left to the database."""

    def save(self, *args, **kwargs):
        explicit = self._state.adding and self.pk is not None
        super().save(*args, **kwargs)
        if explicit:
            sync_id_sequence(type(self))


class PhoneDncType(models.TextChoices):
    LEGACY = "LEGACY", "Legacy DNC"
    DIAL_TIME = "DIAL_TIME", "Dial-Time Phone DNC"


class Client(ExplicitIdMixin, models.Model):
    """A LiveVox client: the tenant. Every piece of customer data belongs to exactly one."""

    id = models.AutoField(primary_key=True)
    code = models.CharField(
        max_length=64, unique=True, help_text="Client code used to log in (clientName)."
    )
    name = models.CharField(max_length=200)
    phone_dnc_type = models.CharField(
        "Phone DNC Type",
        max_length=16,
        choices=PhoneDncType.choices,
        default=PhoneDncType.DIAL_TIME,
    )
    time_zone = models.CharField(max_length=64, default="America/New_York")

    tenant_path = "pk"
    objects = TenantQuerySet.as_manager()

    class Meta:
        ordering = ["id"]

    def __str__(self) -> str:
        return f"{self.code} ({self.id})"

    def save(self, *args, **kwargs):
        self.code = self.code.strip().upper()
        super().save(*args, **kwargs)


class Service(ExplicitIdMixin, models.Model):
    id = models.AutoField(primary_key=True)
    client = models.ForeignKey(Client, on_delete=models.CASCADE, related_name="services")
    name = models.CharField(max_length=200)

    tenant_path = "client"
    objects = TenantQuerySet.as_manager()

    class Meta:
        ordering = ["id"]

    def __str__(self) -> str:
        return f"{self.name} ({self.id})"


class UserManager(BaseUserManager.from_queryset(TenantQuerySet)):
    use_in_migrations = True

    def create_user(self, username, password=None, *, client, **extra):
        if isinstance(client, int | str):
            client = Client.objects.get(pk=client)
        user = self.model(username=username, client=client, **extra)
        user.set_password(password)
        user.save(using=self._db)
        return user

    def create_superuser(self, username, email=None, password=None, **extra):
        """``createsuperuser``: a Sysadmin of the client given."""
        extra.pop("is_superuser", None)
        extra.pop("is_staff", None)
        extra["role"] = Role.SYSADMIN
        return self.create_user(username, password, email=email or "", **extra)

    def get_by_natural_key(self, username):
        # Only reached by code that ignores the client (Django's own commands); ambiguous names
        # raise MultipleObjectsReturned rather than picking one.
        return self.get(username=username)


class User(AbstractUser):
    """A person who logs in to one client. Role and powers decide what they may do; they are
    mirrored into Django groups on save so the admin and the API read the same permissions."""

    client = models.ForeignKey(Client, on_delete=models.PROTECT, related_name="users")
    username = models.CharField(max_length=150)
    role = models.CharField(max_length=16, choices=Role.choices, default=Role.MANAGER)
    power_dialing_strategies = models.BooleanField(
        "Dialing Strategies power",
        default=False,
        help_text="Managers only: may view and edit dialing strategies.",
    )
    power_edit_dnc = models.BooleanField(
        "Edit DNC Lists power",
        default=False,
        help_text="Managers only: may edit Do-Not-Call lists.",
    )
    password_changed_at = models.DateTimeField(default=timezone.now)

    tenant_path = "client"
    objects = UserManager()
    REQUIRED_FIELDS = ["client"]

    class Meta:
        ordering = ["client_id", "username"]
        constraints = [
            models.UniqueConstraint(fields=["client", "username"], name="user_unique_per_client")
        ]

    def __str__(self) -> str:
        return f"{self.username}@{self.client.code}" if self.client_id else self.username

    @property
    def is_sysadmin(self) -> bool:
        return self.role == Role.SYSADMIN

    @property
    def powers(self) -> list[str]:
        found = []
        if self.power_dialing_strategies:
            found.append(POWER_DIALING_STRATEGIES)
        if self.power_edit_dnc:
            found.append(POWER_EDIT_DNC)
        return found

    # What the last save did to the user's LiveVox sessions (see save), for the caller's audit.
    auth_change: dict | None = None

    def set_password(self, raw_password):
        super().set_password(raw_password)
        self.password_changed_at = timezone.now()
        self._password_set = True

    def days_until_password_expires(self) -> int:
        expires = self.password_changed_at + timedelta(days=settings.LV_PASSWORD_MAX_AGE_DAYS)
        seconds = (expires - timezone.now()).total_seconds()
        return max(0, math.ceil(seconds / 86400))

    def save(self, *args, **kwargs):
        # Powers are a Manager's options; other roles already hold what the powers give.
        if self.role != Role.MANAGER:
            self.power_dialing_strategies = False
            self.power_edit_dnc = False
        self.is_staff = self.role != Role.AGENT
        self.is_superuser = False  # every right comes from the role's group, never a bypass
        update_fields = kwargs.get("update_fields")
        self.auth_change = None
        with transaction.atomic():
            password_changed, deactivated = self._credential_changes(update_fields)
            super().save(*args, **kwargs)
            if password_changed or deactivated:
                # Every path (session API, the admin's own and UserAdmin's password forms, the
                # change form, commands) saves here, so none can leave a session alive.
                ended, _ = LVSession.objects.filter(user=self).delete()
                self.auth_change = {
                    "password_changed": password_changed,
                    "deactivated": deactivated,
                    "sessions_ended": ended,
                }
        self._password_set = False
        if update_fields is None or {"role", "power_dialing_strategies", "power_edit_dnc"} & set(
            update_fields
        ):
            self.sync_groups()

    def _credential_changes(self, update_fields) -> tuple[bool, bool]:
        """``(password changed, deactivated)`` by the save about to happen, compared with the
        row as it is in the database now."""
        if self._state.adding or self.pk is None:
            return False, False
        writes = set(update_fields) if update_fields is not None else {"password", "is_active"}
        if not writes & {"password", "is_active"}:
            return False, False
        row = User.objects.filter(pk=self.pk).values("password", "is_active").first()
        if row is None:
            return False, False
        # On login Django rewrites the hash of the same password for a stronger hasher: it calls
        # set_password and then clears _password ("hash upgrades aren't password changes").
        upgrade = getattr(self, "_password_set", False) and self._password is None
        password_changed = "password" in writes and row["password"] != self.password and not upgrade
        deactivated = "is_active" in writes and row["is_active"] and not self.is_active
        return password_changed, deactivated

    def group_names(self) -> frozenset[str]:
        """The role and power groups this user belongs to (derived, never edited by hand)."""
        return frozenset([ROLE_GROUPS[Role(self.role)], *(POWER_GROUPS[p] for p in self.powers)])

    def sync_groups(self) -> None:
        from django.contrib.auth.models import Group

        self.groups.set(Group.objects.filter(name__in=self.group_names()))


def hash_token(raw: str) -> str:
    return hashlib.sha256(raw.encode()).hexdigest()


class AccessTokenQuerySet(TenantQuerySet):
    def active(self):
        return self.filter(revoked_at__isnull=True)


class AccessToken(models.Model):
    """An API access token (``LV-Access``). Only its SHA-256 is stored; the token itself is
    shown once, when it is created."""

    client = models.ForeignKey(Client, on_delete=models.CASCADE, related_name="access_tokens")
    name = models.CharField(max_length=100)
    token_hash = models.CharField(max_length=64, unique=True, editable=False)
    prefix = models.CharField(
        max_length=8, editable=False, help_text="First characters, to tell tokens apart."
    )
    created_at = models.DateTimeField(default=timezone.now, editable=False)
    revoked_at = models.DateTimeField(null=True, blank=True, editable=False)

    tenant_path = "client"
    objects = AccessTokenQuerySet.as_manager()

    class Meta:
        ordering = ["client_id", "-created_at"]

    def __str__(self) -> str:
        state = "revoked" if self.revoked_at else "active"
        return f"{self.name} ({self.prefix}…, {state})"

    @property
    def is_active(self) -> bool:
        return self.revoked_at is None

    @staticmethod
    def generate() -> str:
        return secrets.token_urlsafe(32)

    def set_token(self, raw: str) -> None:
        self.token_hash = hash_token(raw)
        self.prefix = raw[:8]

    def audit_snapshot(self) -> dict:
        # Not model_to_dict: it skips non-editable fields, and revoked_at is what changes.
        return {
            "id": self.pk,
            "client": self.client_id,
            "name": self.name,
            "prefix": self.prefix,
            "created_at": self.created_at,
            "revoked_at": self.revoked_at,
        }


class LVSession(models.Model):
    """A LiveVox API session (``LV-Session``), valid until it goes unused for
    ``LV_SESSION_IDLE_SECONDS``. The id is kept as issued because logging in again with the same
    user and token must return the same id."""

    key = models.CharField(max_length=64, primary_key=True)
    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="lv_sessions")
    access_token = models.ForeignKey(AccessToken, on_delete=models.CASCADE, related_name="sessions")
    agent = models.BooleanField(default=False)
    created_at = models.DateTimeField(default=timezone.now)
    last_used_at = models.DateTimeField(default=timezone.now)

    tenant_path = "user__client"
    objects = TenantQuerySet.as_manager()

    class Meta:
        indexes = [models.Index(fields=["user", "access_token", "agent"])]

    def __str__(self) -> str:
        return f"session of {self.user}"

    @property
    def expires_at(self):
        return self.last_used_at + timedelta(seconds=settings.LV_SESSION_IDLE_SECONDS)

    def is_valid(self, now=None) -> bool:
        return (now or timezone.now()) < self.expires_at and self.access_token.is_active


class FailedLogin(models.Model):
    """One failed login, kept for the throttling window (shared by every worker process)."""

    client_code = models.CharField(max_length=64)
    username = models.CharField(max_length=150)
    ip = models.GenericIPAddressField(null=True)
    at = models.DateTimeField(default=timezone.now, db_index=True)

    class Meta:
        # The two throttling buckets: one user at one address, and one address.
        indexes = [
            models.Index(fields=["client_code", "username", "ip", "at"]),
            models.Index(fields=["ip", "at"]),
        ]

    def __str__(self) -> str:
        return f"{self.client_code}/{self.username} at {self.at:%Y-%m-%d %H:%M:%S}"


class Source(models.TextChoices):
    API = "api", "API"
    ADMIN = "admin", "Admin"
    IMPORT = "import", "Import"
    COMMAND = "command", "Command"


class ImmutableQuerySet(TenantQuerySet):
    def update(self, **kwargs):
        raise PermissionError("Audit entries cannot be changed")

    def delete(self):
        raise PermissionError("Audit entries cannot be deleted")


class AuditEntry(models.Model):
    """Who changed what, when, from what to what. Append-only: the ORM refuses to change or
    delete an entry, on PostgreSQL a trigger refuses raw UPDATE and DELETE too (migration 0005),
    and a client with history cannot be deleted (PROTECT)."""

    client = models.ForeignKey(Client, on_delete=models.PROTECT, related_name="+")
    at = models.DateTimeField("when", default=timezone.now, db_index=True)
    # The actor is copied, not linked, so that the entry outlives the user.
    actor_id = models.IntegerField(null=True, blank=True)
    actor_name = models.CharField(max_length=200, blank=True)
    actor_session = models.CharField(max_length=16, blank=True, help_text="Session id prefix")
    actor_token = models.CharField(max_length=16, blank=True, help_text="Access token prefix")
    source = models.CharField(max_length=8, choices=Source.choices)
    action = models.CharField(max_length=100, db_index=True)
    object_type = models.CharField(max_length=100)
    object_id = models.CharField(max_length=64, blank=True)
    object_name = models.CharField(
        max_length=200, blank=True, help_text="What a person calls the object, when it changed"
    )
    # The object whose history this belongs to (an outcome's change is its strategy's).
    subject_type = models.CharField(max_length=100, blank=True)
    subject_id = models.CharField(max_length=64, blank=True)
    before = models.JSONField(null=True, blank=True)
    after = models.JSONField(null=True, blank=True)
    details = models.JSONField(null=True, blank=True, help_text="Counts, file names")

    tenant_path = "client"
    objects = ImmutableQuerySet.as_manager()

    class Meta:
        ordering = ["-at", "-id"]
        verbose_name_plural = "audit entries"
        base_manager_name = "objects"  # related lookups get the immutable queryset too
        indexes = [
            models.Index(fields=["client", "object_type", "at"]),
            # History of one object, and "last changed" columns.
            models.Index(fields=["client", "subject_type", "subject_id", "at"]),
            # Changes of shared objects (system-wide dialing profiles), whoever made them.
            models.Index(fields=["subject_type", "subject_id", "at"]),
        ]

    def __str__(self) -> str:
        return f"{self.action} {self.object_type}#{self.object_id} by {self.actor_name}"

    def save(self, *args, **kwargs):
        if not self._state.adding:
            raise PermissionError("Audit entries cannot be changed")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise PermissionError("Audit entries cannot be deleted")
