"""Do-Not-Call lists: the legacy list (phone, account, phone+account, zip; permanent or daily;
one service or the whole client), account Do Not Dial flags, and the dial-time phone, email and
SMS lists with contact groups and expiration dates.

Built for 10 million entries per client:

- Which rows block is decided by one column per table, read by ``isBlocked`` in one statement
  (``dnc/selectors/checks.py``): ``blocks_through`` (legacy entries, account flags) and
  ``expiration_date`` (dial-time lists) are the last date, in the client's time zone, on which
  the row blocks; NULL blocks for ever. A DAILY entry blocks through the date it was added, so
  it stops at the next midnight in the client's zone; an entry expiring on 3/6 first allows a
  call on 3/7. ``purge_dnc`` only tidies: correctness never depends on it having run.
- "No service" (a client-level legacy entry) is service 0 and "no contact group" is group 0,
  never NULL: both are part of a unique key that bulk writes merge on, and NULLs never
  conflict. Neither is a foreign key for the same reason; services and groups are checked
  against the client by the services that write them (``dnc/services.py``).
- The client foreign key has no database constraint (``db_constraint=False``): every write
  names the client from the request, and the deferred constraint check was 40% of a bulk load
  (bench/README.md). Deleting a client still deletes its entries (Django's collector).
- ``info`` never counts rows (0.7 s at 10 million, bench/README.md): ``DncCounter`` holds one
  size per (client, list, service), kept by database triggers on every insert, update and
  delete (``dnc/migrations/0002_counters.py``), whatever wrote the rows: the API, the admin, an
  import, the purge, a client's deletion.

The index of each table is listed in its ``Meta`` with the query it serves. Phones are stored
as 10 digits, emails in lower case (matched without case), accounts as given.
"""

import secrets

from django.db import models
from django.utils import timezone

from livevox_site.jobs import JobStatus, UploadJob
from livevox_site.models import Client
from livevox_site.tenancy import TenantQuerySet

# The service / contact group value that means "none".
NO_SERVICE = 0
NO_GROUP = 0


class DncType(models.TextChoices):
    PERMANENT = "PERMANENT", "Permanent"
    DAILY = "DAILY", "Daily (until midnight)"


class DoNotDial(models.TextChoices):
    NONE = "NONE", "No"
    DAILY = "DAILY", "Today (until midnight)"
    PERMANENT = "PERMANENT", "Permanently"


def _client_fk(related_name: str) -> models.ForeignKey:
    # No index of its own: every index of these tables starts with the client, and one more
    # index to update per inserted row slowed imports (make bench).
    return models.ForeignKey(
        Client,
        on_delete=models.CASCADE,
        db_constraint=False,
        db_index=False,
        related_name=related_name,
    )


class Provenance(models.Model):
    """Who added or last changed an entry, when, and from which request or file."""

    added_at = models.DateTimeField(default=timezone.now)
    added_by = models.CharField(max_length=200, blank=True, default="")
    # "POST /compliance/dnc/multiplePhoneDnc", "admin", "import", ...
    added_via = models.CharField(max_length=200, blank=True, default="")
    # The import file it came from (the legacy Read DNC answers it as "filename").
    filename = models.CharField(max_length=255, blank=True, default="")
    changed_at = models.DateTimeField(default=timezone.now)

    class Meta:
        abstract = True


class LegacyEntry(Provenance):
    """One entry of the legacy list (``/compliance/dnc``). It blocks a call when every value it
    holds (phone, account, zip: at least one) equals the call's, for its service or, with
    service 0, every service of the client (the spec's DNC Rules). Phones may hold the vendor's
    ``*`` wildcards, matched literally."""

    id = models.BigAutoField(primary_key=True)
    client = _client_fk("legacy_dnc")
    service_id = models.IntegerField(default=NO_SERVICE, help_text="0: every service")
    dnc_type = models.CharField(
        "DNC type", max_length=9, choices=DncType.choices, default=DncType.PERMANENT
    )
    phone = models.CharField(max_length=10, blank=True, default="")
    account = models.CharField(max_length=64, blank=True, default="")
    zip = models.CharField(max_length=10, blank=True, default="")
    # Last local date it blocks; NULL: for ever (PERMANENT).
    blocks_through = models.DateField(null=True, blank=True)

    tenant_path = "client"
    objects = TenantQuerySet.as_manager()

    class Meta:
        ordering = ["id"]
        verbose_name = "legacy DNC entry"
        verbose_name_plural = "legacy DNC entries"
        permissions = [
            # isBlocked: every Manager and Agent sessions, not only the "Edit DNC Lists" power.
            ("check_isblocked", "Can ask whether a call is blocked (isBlocked)"),
        ]
        constraints = [
            # The merge key of bulk writes and the one-entry rule. Leading (client, phone):
            # isBlocked's phone branch and a search by phone.
            models.UniqueConstraint(
                fields=["client", "phone", "account", "zip", "service_id", "dnc_type"],
                name="dnc_legacy_key",
            ),
            models.CheckConstraint(
                condition=~models.Q(phone="", account="", zip=""), name="dnc_legacy_not_empty"
            ),
        ]
        indexes = [
            # isBlocked's account branch (account = %s AND account <> '') and search by account.
            models.Index(
                fields=["client", "account", "service_id"],
                name="dnc_legacy_account",
                condition=~models.Q(account=""),
            ),
            # isBlocked's zip branch.
            models.Index(
                fields=["client", "zip", "service_id"],
                name="dnc_legacy_zip",
                condition=~models.Q(zip=""),
            ),
            # List DNC Entries: WHERE client, dncType[, service] ORDER BY id, a page at a time.
            models.Index(fields=["client", "dnc_type", "service_id", "id"], name="dnc_legacy_list"),
            # The admin's change list: WHERE client ORDER BY id DESC, a page at a time.
            models.Index(fields=["client", "id"], name="dnc_legacy_recent"),
            # purge_dnc: the daily entries whose day has passed.
            models.Index(
                fields=["blocks_through"],
                name="dnc_legacy_expiry",
                condition=models.Q(blocks_through__isnull=False),
            ),
        ]

    def __str__(self) -> str:
        return self.audit_name()

    def audit_name(self) -> str:
        parts = [
            f"phone {self.phone}" if self.phone else "",
            f"account {self.account}" if self.account else "",
            f"zip {self.zip}" if self.zip else "",
        ]
        where = f"service {self.service_id}" if self.service_id else "all services"
        return f"{' + '.join(p for p in parts if p)} ({self.dnc_type.lower()}, {where})"

    def audit_snapshot(self) -> dict:
        return {
            "id": self.pk,
            "type": self.dnc_type,
            "serviceId": self.service_id or None,
            "phone": self.phone or None,
            "account": self.account or None,
            "zip": self.zip or None,
            "blocksThrough": self.blocks_through,
            "filename": self.filename or None,
        }


class AccountFlag(models.Model):
    """An account's Do Not Dial flag (the vendor's ACCOUNT table), which isBlocked reads: set by
    Multiple Account DND (and by agents through their desktop, in the vendor's product)."""

    id = models.BigAutoField(primary_key=True)
    client = _client_fk("dnc_accounts")
    account = models.CharField(max_length=64)
    do_not_dial = models.CharField(
        max_length=9, choices=DoNotDial.choices, default=DoNotDial.PERMANENT
    )
    blocks_through = models.DateField(null=True, blank=True)
    changed_at = models.DateTimeField(default=timezone.now)
    changed_by = models.CharField(max_length=200, blank=True, default="")
    changed_via = models.CharField(max_length=200, blank=True, default="")

    tenant_path = "client"
    objects = TenantQuerySet.as_manager()

    class Meta:
        ordering = ["id"]
        verbose_name = "account Do Not Dial flag"
        constraints = [
            # The merge key and isBlocked's account-flag probe.
            models.UniqueConstraint(fields=["client", "account"], name="dnc_account_key"),
        ]
        indexes = [
            # The admin's change list: WHERE client ORDER BY id DESC, a page at a time.
            models.Index(fields=["client", "id"], name="dnc_account_recent"),
            # purge_dnc: the daily flags whose day has passed.
            models.Index(
                fields=["blocks_through"],
                name="dnc_account_expiry",
                condition=models.Q(blocks_through__isnull=False),
            ),
        ]

    def __str__(self) -> str:
        return f"account {self.account}: {self.get_do_not_dial_display()}"

    def audit_snapshot(self) -> dict:
        return {
            "id": self.pk,
            "account": self.account,
            "doNotDial": self.do_not_dial,
            "blocksThrough": self.blocks_through,
        }


# New contact groups' stored keys: above every vendor id (at most 2**31 - 1, which the groups
# stored before migration 0010 keep as their key), within JavaScript's exact integers.
GROUP_KEY_MIN = 2**32
GROUP_KEY_MAX = 2**53


def new_group_key() -> int:
    """A contact group's stored key: random, so it says nothing of the vendor id nor of the
    groups other clients hold (a sequence would count them)."""
    return GROUP_KEY_MIN + secrets.randbelow(GROUP_KEY_MAX - GROUP_KEY_MIN)


class ContactGroup(models.Model):
    """A client's contact group, managed in the admin and named by dial-time, email and SMS
    entries.

    ``group_id`` is the vendor's id (1320), the one entries store in ``contact_group_id`` and
    the wire calls ``contactGroupId``; it is unique within a client only, so that no answer to
    a client depends on the ids another client holds. ``id`` is the stored key (the admin's
    URLs, the audit History): random for new groups, the vendor id for those stored before
    migration 0010 (then unique across clients)."""

    id = models.BigIntegerField("key", primary_key=True, default=new_group_key, editable=False)
    group_id = models.IntegerField("id")
    client = models.ForeignKey(Client, on_delete=models.CASCADE, related_name="contact_groups")
    name = models.CharField(max_length=200)

    tenant_path = "client"
    objects = TenantQuerySet.as_manager()

    class Meta:
        ordering = ["group_id", "id"]
        constraints = [
            models.UniqueConstraint(fields=["client", "name"], name="dnc_contact_group_name"),
            # Also the index of every lookup: (the client, the id an entry names).
            models.UniqueConstraint(fields=["client", "group_id"], name="dnc_contact_group_id"),
        ]

    def __str__(self) -> str:
        return f"{self.name} ({self.group_id})"

    def audit_subject(self) -> tuple[str, int]:
        # The audit names the vendor id (object_id, what people search for); the History page
        # finds the entries by the stored key.
        return ("dnc.contactgroup", self.pk)

    def audit_snapshot(self) -> dict:
        # The shape the audit kept before 0010 ({"id", "client", "name"}), the id the vendor's.
        return {"id": self.group_id, "client": self.client_id, "name": self.name}


class ListEntry(Provenance):
    """A dial-time phone, email or SMS entry: one per value per contact group per client."""

    id = models.BigAutoField(primary_key=True)
    contact_group_id = models.IntegerField(default=NO_GROUP, help_text="0: no contact group")
    # Last local date it blocks; NULL: no expiration.
    expiration_date = models.DateField(null=True, blank=True)

    tenant_path = "client"
    objects = TenantQuerySet.as_manager()
    value_field = ""  # "phone", "email", "sms": the wire key and the column

    class Meta:
        abstract = True
        ordering = ["id"]

    def __str__(self) -> str:
        return self.audit_name()

    @property
    def value(self) -> str:
        return getattr(self, self.value_field)

    def audit_name(self) -> str:
        group = f", group {self.contact_group_id}" if self.contact_group_id else ""
        return f"{self.value}{group}"

    def audit_snapshot(self) -> dict:
        return {
            "id": self.pk,
            self.value_field: self.value,
            "contactGroupId": self.contact_group_id or None,
            "expirationDate": self.expiration_date,
        }


def _list_meta(name: str, value: str, verbose: str, plural: str) -> type:
    """The Meta of one list: its merge key (leading (client, value): isBlocked's dial-time
    probe, find matching by value) and (client, id) for list pages in id order."""
    return type(
        "Meta",
        (),
        {
            "ordering": ["id"],
            "verbose_name": verbose,
            "verbose_name_plural": plural,
            "constraints": [
                models.UniqueConstraint(
                    fields=["client", value, "contact_group_id"], name=f"dnc_{name}_key"
                )
            ],
            "indexes": [
                # List pages (API and admin): WHERE client ORDER BY id, a page at a time.
                models.Index(fields=["client", "id"], name=f"dnc_{name}_list"),
                # The admin's contact group filter, a group's deletion check.
                models.Index(
                    fields=["client", "contact_group_id", "id"],
                    name=f"dnc_{name}_group",
                    condition=~models.Q(contact_group_id=NO_GROUP),
                ),
                models.Index(
                    fields=["expiration_date"],
                    name=f"dnc_{name}_expiry",
                    condition=models.Q(expiration_date__isnull=False),
                ),
            ],
        },
    )


class DialtimeEntry(ListEntry):
    client = _client_fk("dialtime_dnc")
    phone = models.CharField(max_length=10)
    value_field = "phone"
    Meta = _list_meta("dialtime", "phone", "dial-time DNC entry", "dial-time DNC entries")


class EmailEntry(ListEntry):
    client = _client_fk("email_dnc")
    email = models.CharField(max_length=254)
    value_field = "email"
    Meta = _list_meta("email", "email", "email DNC entry", "email DNC entries")


class SmsEntry(ListEntry):
    client = _client_fk("sms_dnc")
    sms = models.CharField(max_length=10)
    value_field = "sms"
    Meta = _list_meta("sms", "sms", "SMS DNC entry", "SMS DNC entries")


class DncList(models.TextChoices):
    """The lists a counter counts; legacy entries by type."""

    LEGACY_PERMANENT = "legacy:PERMANENT"
    LEGACY_DAILY = "legacy:DAILY"
    DIALTIME = "dialtime"
    EMAIL = "email"
    SMS = "sms"
    ACCOUNT = "account"


class DncCounter(models.Model):
    """How many rows a list holds, per (client, list, service): what ``info`` answers instead of
    counting. Written only by the triggers of migration 0002; never by Python code.

    ``client_id`` is a plain column: a client's deletion deletes its entries (the triggers then
    lower these rows to 0) and its counters in any order."""

    client_id = models.IntegerField()
    list = models.CharField(max_length=20, choices=DncList.choices)
    service_id = models.IntegerField(default=NO_SERVICE)
    size = models.BigIntegerField(default=0)

    tenant_path = "client_id"
    objects = TenantQuerySet.as_manager()

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["client_id", "list", "service_id"], name="dnc_counter_key"
            )
        ]

    def __str__(self) -> str:
        return f"{self.list} of client {self.client_id}, service {self.service_id}: {self.size}"


# --- CSV imports -----------------------------------------------------


# The states every background job shares (``livevox_site.jobs``).
ImportStatus = JobStatus


class ImportJob(UploadJob):
    """One CSV import (or its preview, ``dry_run``) of one list of one client, run as a
    background task (``dnc/tasks.py``) or inline by ``import_dnc``, through the site's job
    engine (``livevox_site.jobs``).

    The job commits the file in batches; each batch's rows, its bad lines
    (``ImportLineError``) and this row's progress (``lines_done`` and the counts so far) commit
    in one transaction. A job whose process died (SIGKILL, a lost host) therefore shows how far
    it got, and a resume starts after ``lines_done`` with nothing lost and nothing counted
    twice."""

    client = models.ForeignKey(Client, on_delete=models.CASCADE, related_name="dnc_imports")
    list_name = models.CharField(max_length=10)  # legacy, dialtime, email, sms
    dry_run = models.BooleanField(default=False, help_text="A preview: nothing is written")
    # The preview this import commits (the same stored file).
    preview = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.SET_NULL, related_name="commits"
    )
    errors_file_name = models.CharField(max_length=255, blank=True, default="")
    batch_size = models.PositiveIntegerField(default=50_000)
    received = models.PositiveIntegerField(default=0)
    created = models.PositiveIntegerField(default=0)
    updated = models.PositiveIntegerField(default=0)
    unchanged = models.PositiveIntegerField(default=0)
    duplicates = models.PositiveIntegerField(default=0)
    failed = models.PositiveIntegerField(default=0)
    actor_source = models.CharField(max_length=8, default="command")

    tenant_path = "client"
    objects = TenantQuerySet.as_manager()

    class Meta(UploadJob.Meta):
        pass  # reached through the list's own add permission

    def __str__(self) -> str:
        kind = "preview" if self.dry_run else "import"
        return f"{self.list_name} {kind} {self.pk} of {self.original_name}"


class ImportLineError(models.Model):
    """A bad line of an import: its number, why, and the cells as read (for the error file)."""

    id = models.BigAutoField(primary_key=True)
    job = models.ForeignKey(ImportJob, on_delete=models.CASCADE, related_name="line_errors")
    line = models.PositiveIntegerField()
    reason = models.CharField(max_length=500)
    cells = models.JSONField(default=dict)

    tenant_path = "job__client"
    objects = TenantQuerySet.as_manager()

    class Meta:
        ordering = ["job", "line"]
        default_permissions = ()
        indexes = [models.Index(fields=["job", "line"], name="dnc_import_error_line")]

    def __str__(self) -> str:
        return f"line {self.line}: {self.reason}"


# --- suppression preview -----------------------------------------------------------


class SuppressionPreview(UploadJob):
    """How much of a contact list the DNC lists, account flags and calling hours would suppress
    at one moment (``as_of``), run as a background task (``dnc/suppression.py``) through the
    site's job engine. Nothing is changed: the upload (``file_name``) and the suppressed lines
    with their reasons (``result_file_name``) live in the default storage.

    ``counts`` holds the contacts blocked per reason, by the keys of
    ``dnc.suppression.REASON_KEYS`` (a contact blocked for several reasons counts in each);
    ``contacts`` and ``suppressed`` are the totals (invalid lines are suppressed)."""

    client = models.ForeignKey(
        Client, on_delete=models.CASCADE, related_name="dnc_suppression_previews"
    )
    result_file_name = models.CharField(max_length=255, blank=True, default="")
    # The moment asked about; None until the job starts when "now" was asked.
    as_of = models.DateTimeField(null=True, blank=True)
    batch_size = models.PositiveIntegerField(default=10_000)
    contacts = models.PositiveIntegerField(default=0)
    suppressed = models.PositiveIntegerField(default=0)
    counts = models.JSONField(default=dict, blank=True)
    actor_source = models.CharField(max_length=8, default="admin")

    tenant_path = "client"
    objects = TenantQuerySet.as_manager()

    class Meta(UploadJob.Meta):
        # Made and read through isBlocked's right (dnc.check_isblocked), each user their own;
        # every preview of the client with the right below (Superusers and Sysadmins).
        permissions = [
            ("view_every_preview", "Can see every suppression preview of the client"),
        ]

    def __str__(self) -> str:
        return f"suppression preview {self.pk} of {self.original_name}"
