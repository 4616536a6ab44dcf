"""The DNC lists in the browser: one page per list (legacy entries, account flags, dial-time
phones, emails, SMS numbers) and the contact groups.

Built for 10 million rows per client: the change list never counts the table (the foundation's
``EstimatedCountPaginator``), pages come newest first through a (client, id) index, a search is
an exact match on the normalized value (any punctuation in a phone number), which the list's
unique index serves, and the filters follow indexes (type and service, contact group, expired).
Every add, change and removal goes through the same services as the API, which audit it.
"""

from datetime import date

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied
from django.db import models
from django.http import HttpResponseRedirect
from django.template.response import TemplateResponse

from livevox_site.admin_base import TenantAdminMixin, admin_actor, sees_all_clients
from livevox_site.errors import InvalidInput, LVError
from livevox_site.models import Client, Service

from .models import (
    NO_GROUP,
    NO_SERVICE,
    AccountFlag,
    ContactGroup,
    DialtimeEntry,
    EmailEntry,
    LegacyEntry,
    SmsEntry,
)
from .services import groups as group_services
from .services import legacy as legacy_services
from .services import lists as list_services
from .views.common import zone_of
from .wire import local_today, parse_account, parse_email, parse_phone, parse_zip


def _client_ids(request) -> list[int] | None:
    """The clients a search may look in: every one for a Sysadmin (as ``client IN (...)``, so
    that each is an index probe of (client, value) rather than a scan), else None (the page is
    already the user's client)."""
    if not sees_all_clients(request):
        return None
    return list(Client.objects.values_list("id", flat=True))


def _today(request) -> date:
    """Today in the user's client's time zone (the admin's "expired" filter)."""
    return local_today(zone_of(request.user.client.time_zone))


def _error(form: forms.BaseForm, error: LVError, fields: dict[str, str]) -> None:
    field = fields.get((error.field or "").rsplit(".", 1)[-1])
    message = error.message[:1].upper() + error.message[1:]
    form.add_error(field if field in form.fields else None, message)


PHONE_HELP = "Ten digits; +1, spaces, dashes, dots and parentheses are fine."


# --- filters ----------------------------------------------------------------------------------


class ExpiredFilter(admin.SimpleListFilter):
    """Whether the row still blocks: its last day (in the client's time zone) has passed."""

    title = "still blocks"
    parameter_name = "expired"
    column = "expiration_date"

    def lookups(self, request, model_admin):
        return [("no", "Blocks"), ("yes", "No longer blocks (expired)")]

    def queryset(self, request, queryset):
        today = _today(request)
        before = {f"{self.column}__lt": today}
        if self.value() == "yes":
            return queryset.filter(**before)
        if self.value() == "no":
            return queryset.exclude(**before)
        return queryset


class BlocksThroughFilter(ExpiredFilter):
    column = "blocks_through"


class ContactGroupFilter(admin.SimpleListFilter):
    title = "contact group"
    parameter_name = "group"

    def lookups(self, request, model_admin):
        groups = ContactGroup.objects.all()
        if not sees_all_clients(request):
            groups = groups.for_client(request.user.client_id)
        return [(str(NO_GROUP), "No group"), *((str(g.pk), str(g)) for g in groups[:500])]

    def queryset(self, request, queryset):
        value = self.value()
        if value is None:
            return queryset
        if not (value.isascii() and value.isdigit()):
            return queryset.none()
        return queryset.filter(contact_group_id=int(value))


class ServiceFilter(admin.SimpleListFilter):
    title = "service"
    parameter_name = "service"

    def lookups(self, request, model_admin):
        services = Service.objects.all()
        if not sees_all_clients(request):
            services = services.for_client(request.user.client_id)
        return [
            (str(NO_SERVICE), "All services (client-level)"),
            *((str(s.pk), str(s)) for s in services[:500]),
        ]

    def queryset(self, request, queryset):
        value = self.value()
        if value is None:
            return queryset
        if not (value.isascii() and value.isdigit()):
            return queryset.none()
        return queryset.filter(service_id=int(value))


# --- the dial-time, email and SMS lists -------------------------------------------------------


class ListEntryForm(forms.ModelForm):
    contact_group_id = forms.TypedChoiceField(
        label="Contact group", coerce=int, required=False, empty_value=NO_GROUP
    )
    expiration_date = forms.DateField(
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}),
        help_text="Last day it blocks, in the client's time zone. Empty: never expires.",
    )

    def __init__(self, *args, client: Client | None = None, **kwargs):
        super().__init__(*args, **kwargs)
        self.client = client or (self.instance.client if self.instance.client_id else None)
        key = self._meta.model.value_field
        if key in ("phone", "sms") and key in self.fields:
            # Typed with punctuation ("(415) 555-3734"); the service keeps the ten digits.
            self.fields[key] = forms.CharField(
                label=self.fields[key].label, max_length=32, help_text=PHONE_HELP
            )
        groups = ContactGroup.objects.for_client(self.client) if self.client else []
        self.fields["contact_group_id"].choices = [
            (NO_GROUP, "No group"),
            *((g.pk, str(g)) for g in groups),
        ]

    list_name = ""

    def clean(self):
        cleaned = super().clean()
        if self.errors or self.client is None:
            return cleaned
        model = self._meta.model
        key = model.value_field
        try:
            value = list_services.clean_value(self.list_name, cleaned.get(key))
            group = list_services.check_contact_group(self.client, cleaned["contact_group_id"])
        except LVError as error:
            _error(
                self,
                error,
                {
                    key: key,
                    "phone": key,
                    "email": key,
                    "sms": key,
                    "contact_group_id": "contact_group_id",
                    "contactGroupId": "contact_group_id",
                },
            )
            return cleaned
        taken = model.objects.for_client(self.client).filter(**{key: value}, contact_group_id=group)
        if self.instance.pk is not None:
            taken = taken.exclude(pk=self.instance.pk)
        if taken.exists():
            self.add_error(key, "This value is already listed in that contact group.")
        cleaned[key] = value
        return cleaned

    def _post_clean(self):
        # The checks above are the services'; the model's own validation would check
        # uniqueness without the client the form leaves out.
        pass


class ListEntryAdmin(TenantAdminMixin, admin.ModelAdmin):
    """One of the three dial-time lists."""

    audit_in_admin = False  # the services audit
    list_name = ""
    form = ListEntryForm
    list_filter = [ContactGroupFilter, ExpiredFilter]
    ordering = ["-id"]
    list_per_page = 100
    show_full_result_count = False
    search_help_text = ""
    readonly_fields = ["added_at", "added_by", "added_via", "filename", "changed_at"]
    actions = ["delete_selected_entries", "set_expiration", "clear_expiration"]

    def get_search_fields(self, request):
        return ["_value"]  # makes the search box show; get_search_results does the search

    def get_fields(self, request, obj=None):
        fields = [self.model.value_field, "contact_group_id", "expiration_date"]
        if sees_all_clients(request) and obj is None:
            fields.insert(0, "client")
        if obj is not None:
            fields += self.readonly_fields
        return fields

    def get_form(self, request, obj=None, change=False, **kwargs):
        form_class = super().get_form(request, obj, change=change, **kwargs)
        client = obj.client if obj is not None else request.user.client

        list_name = self.list_name

        class Form(form_class):
            def __init__(self, *args, **kw):
                kw.setdefault("client", client)
                super().__init__(*args, **kw)
                self.list_name = list_name

        return Form

    def normalize(self, term: str) -> str:
        return parse_phone(term)

    def get_search_results(self, request, queryset, search_term):
        term = search_term.strip()
        if not term:
            return queryset, False
        try:
            value = self.normalize(term)
        except InvalidInput:
            return queryset.none(), False
        found = queryset.filter(**{self.model.value_field: value})
        ids = _client_ids(request)
        if ids is not None:
            found = found.filter(client_id__in=ids)
        return found, False

    @admin.display(description="contact group", ordering="contact_group_id")
    def group(self, obj) -> str:
        return str(obj.contact_group_id) if obj.contact_group_id else "—"

    # --- writes through the services ---
    def save_model(self, request, obj, form, change):
        data = form.cleaned_data
        client = data.get("client") or (obj.client if change else request.user.client)
        if change:
            saved = list_services.list_entry_update(
                actor=admin_actor(request),
                client=client,
                entry=obj,
                value=data[self.model.value_field],
                contact_group_id=data["contact_group_id"],
                expiration_date=data["expiration_date"],
                clear_expiration=data["expiration_date"] is None,
                via="admin",
            )
        else:
            saved = list_services.list_entry_create(
                actor=admin_actor(request),
                client=client,
                list_name=self.list_name,
                value=data[self.model.value_field],
                contact_group_id=data["contact_group_id"],
                expiration_date=data["expiration_date"],
                via="admin",
            )
        obj.__dict__.update({k: v for k, v in saved.__dict__.items() if k != "_state"})
        obj._state.adding = False

    def delete_model(self, request, obj):
        list_services.list_entry_delete(
            actor=admin_actor(request), client=obj.client, entry=obj, via="admin"
        )

    def delete_queryset(self, request, queryset):
        self._delete(request, queryset)

    def _delete(self, request, queryset) -> int:
        total = 0
        for client_id, ids in _ids_by_client(queryset).items():
            total += list_services.list_entries_delete(
                actor=admin_actor(request), client=client_id, list_name=self.list_name, ids=ids
            )
        return total

    # --- actions ---
    @admin.action(description="Delete the selected entries", permissions=["delete"])
    def delete_selected_entries(self, request, queryset):
        removed = self._delete(request, queryset)
        self.message_user(request, f"Removed {removed} entries.", messages.SUCCESS)

    @admin.action(
        description="Set an expiration date on the selected entries", permissions=["change"]
    )
    def set_expiration(self, request, queryset):
        if "apply" in request.POST:
            form = ExpirationForm(request.POST)
            if form.is_valid():
                changed = self._set_expiration(request, queryset, form.cleaned_data["date"])
                self.message_user(request, f"Set the expiration of {changed} entries.")
                return HttpResponseRedirect(request.get_full_path())
        else:
            form = ExpirationForm()
        return TemplateResponse(
            request,
            "admin/dnc/set_expiration.html",
            {
                **self.admin_site.each_context(request),
                "title": "Set an expiration date",
                "opts": self.model._meta,
                "form": form,
                "queryset": queryset[:100],
                "count": len(queryset.values_list("pk", flat=True)[:10_001]),
                "selected": request.POST.getlist(admin.helpers.ACTION_CHECKBOX_NAME),
                "select_across": request.POST.get("select_across", "0"),
                "action": "set_expiration",
            },
        )

    @admin.action(description="Clear the expiration date (block for ever)", permissions=["change"])
    def clear_expiration(self, request, queryset):
        changed = self._set_expiration(request, queryset, None)
        self.message_user(request, f"Cleared the expiration of {changed} entries.")

    def _set_expiration(self, request, queryset, day: date | None) -> int:
        total = 0
        for client_id, ids in _ids_by_client(queryset).items():
            total += list_services.list_entries_set_expiration(
                actor=admin_actor(request),
                client=client_id,
                list_name=self.list_name,
                ids=ids,
                expiration_date=day,
            )
        return total


class ExpirationForm(forms.Form):
    date = forms.DateField(
        widget=forms.DateInput(attrs={"type": "date"}),
        help_text="The last day the entries block, in the client's time zone.",
    )


# Selections are bounded: the change list selects a page (100) or, with "select all", every
# match; an action on more than this many rows asks for the CSV import or purge instead.
MAX_ACTION_ROWS = 10_000


def _ids_by_client(queryset: models.QuerySet) -> dict[int, list[int]]:
    rows = list(queryset.order_by().values_list("client_id", "pk")[: MAX_ACTION_ROWS + 1])
    if len(rows) > MAX_ACTION_ROWS:
        raise PermissionDenied(
            f"An action may change at most {MAX_ACTION_ROWS} entries at once; narrow the "
            "selection (search or filters) or use the import."
        )
    found: dict[int, list[int]] = {}
    for client_id, pk in rows:
        found.setdefault(client_id, []).append(pk)
    return found


@admin.register(DialtimeEntry)
class DialtimeEntryAdmin(ListEntryAdmin):
    list_name = "dialtime"
    list_display = ["phone", "group", "expiration_date", "added_at", "added_by", "filename"]
    search_help_text = "A whole phone number, with or without punctuation"


@admin.register(EmailEntry)
class EmailEntryAdmin(ListEntryAdmin):
    list_name = "email"
    list_display = ["email", "group", "expiration_date", "added_at", "added_by", "filename"]
    search_help_text = "A whole email address (any case)"

    def normalize(self, term: str) -> str:
        return parse_email(term)


@admin.register(SmsEntry)
class SmsEntryAdmin(ListEntryAdmin):
    list_name = "sms"
    list_display = ["sms", "group", "expiration_date", "added_at", "added_by", "filename"]
    search_help_text = "A whole phone number, with or without punctuation"


# --- the legacy list and the account flags ----------------------------------------------------


class LegacyEntryForm(forms.ModelForm):
    service_id = forms.TypedChoiceField(label="Service", coerce=int, empty_value=NO_SERVICE)

    class Meta:
        model = LegacyEntry
        fields = ["dnc_type", "service_id", "phone", "account", "zip"]

    def __init__(self, *args, client: Client | None = None, **kwargs):
        super().__init__(*args, **kwargs)
        self.client = client
        for name in ("phone", "account", "zip"):
            self.fields[name].required = False
        self.fields["phone"] = forms.CharField(
            label="Phone",
            max_length=32,
            required=False,
            help_text=PHONE_HELP + " The vendor's * wildcards are kept as typed.",
        )
        services = Service.objects.for_client(client) if client else []
        self.fields["service_id"].choices = [
            (NO_SERVICE, "All services of the client"),
            *((s.pk, str(s)) for s in services),
        ]

    def clean(self):
        cleaned = super().clean()
        client = getattr(self, "client", None)
        if self.errors or client is None:
            return cleaned
        try:
            values = legacy_services.check_entry_values(
                client=client,
                dnc_type=cleaned.get("dnc_type") or "",
                service_id=cleaned.get("service_id") or NO_SERVICE,
                phone=cleaned.get("phone") or "",
                account=cleaned.get("account") or "",
                zip=cleaned.get("zip") or "",
            )
        except LVError as error:
            _error(self, error, {name: name for name in self.fields})
            return cleaned
        existing = LegacyEntry.objects.for_client(client).filter(**values).first()
        today = local_today(zone_of(client.time_zone))
        if existing is not None and (
            existing.blocks_through is None or existing.blocks_through >= today
        ):
            self.add_error(None, "This entry is already on the list.")
        cleaned.update(values)
        return cleaned

    def _post_clean(self):
        pass  # the service's checks above


@admin.register(LegacyEntry)
class LegacyEntryAdmin(TenantAdminMixin, admin.ModelAdmin):
    audit_in_admin = False  # the services audit
    form = LegacyEntryForm
    list_display = [
        "phone",
        "account",
        "zip",
        "dnc_type",
        "service",
        "blocks_through",
        "added_at",
        "added_by",
        "filename",
    ]
    list_filter = ["dnc_type", ServiceFilter, BlocksThroughFilter]
    ordering = ["-id"]
    list_per_page = 100
    search_help_text = "A whole phone number (any punctuation), account or zip code"
    readonly_fields = ["blocks_through", "added_at", "added_by", "added_via", "filename"]
    actions = ["delete_selected_entries"]

    def get_search_fields(self, request):
        return ["_value"]

    def get_fields(self, request, obj=None):
        if obj is not None:
            return ["dnc_type", "service_id", "phone", "account", "zip", *self.readonly_fields]
        fields = ["dnc_type", "service_id", "phone", "account", "zip"]
        return ["client", *fields] if sees_all_clients(request) else fields

    def has_change_permission(self, request, obj=None) -> bool:
        # An entry is added or removed, never edited (as in the vendor's API); the form shows
        # it read-only.
        return False if obj is not None else super().has_change_permission(request, obj)

    def get_form(self, request, obj=None, change=False, **kwargs):
        form_class = super().get_form(request, obj, change=change, **kwargs)
        client = obj.client if obj is not None else request.user.client

        class Form(form_class):
            def __init__(self, *args, **kw):
                kw.setdefault("client", client)
                super().__init__(*args, **kw)

        return Form

    @admin.display(description="service", ordering="service_id")
    def service(self, obj) -> str:
        return str(obj.service_id) if obj.service_id else "All services"

    def get_search_results(self, request, queryset, search_term):
        term = search_term.strip()
        if not term:
            return queryset, False
        ids = _client_ids(request)
        if ids is not None:
            queryset = queryset.filter(client_id__in=ids)
        match = models.Q(account=term)
        for parse, column in ((parse_phone, "phone"), (parse_zip, "zip")):
            try:
                value = parse(term, column, wildcards=True) if column == "phone" else parse(term)
            except InvalidInput:
                continue
            match |= models.Q(**{column: value})
        return queryset.filter(match), False

    def save_model(self, request, obj, form, change):
        data = form.cleaned_data
        client = data.get("client") or request.user.client
        saved = legacy_services.legacy_entry_create(
            actor=admin_actor(request),
            client=client,
            dnc_type=data["dnc_type"],
            service_id=data["service_id"],
            phone=data.get("phone") or "",
            account=data.get("account") or "",
            zip=data.get("zip") or "",
            today=local_today(zone_of(client.time_zone)),
            via="admin",
        )
        obj.__dict__.update({k: v for k, v in saved.__dict__.items() if k != "_state"})
        obj._state.adding = False

    def delete_model(self, request, obj):
        legacy_services.legacy_entry_delete(
            actor=admin_actor(request), client=obj.client, entry=obj
        )

    def delete_queryset(self, request, queryset):
        self._delete(request, queryset)

    def _delete(self, request, queryset) -> int:
        total = 0
        for client_id, ids in _ids_by_client(queryset).items():
            total += legacy_services.legacy_entries_delete(
                actor=admin_actor(request), client=client_id, ids=ids
            )
        return total

    @admin.action(description="Delete the selected entries", permissions=["delete"])
    def delete_selected_entries(self, request, queryset):
        removed = self._delete(request, queryset)
        self.message_user(request, f"Removed {removed} entries.", messages.SUCCESS)


class AccountFlagForm(forms.ModelForm):
    class Meta:
        model = AccountFlag
        fields = ["account", "do_not_dial"]

    def clean(self):
        cleaned = super().clean()
        if "account" in self.fields and cleaned.get("account"):
            try:
                cleaned["account"] = parse_account(cleaned["account"])
            except LVError as error:
                self.add_error("account", error.message[:1].upper() + error.message[1:])
        return cleaned

    def _post_clean(self):
        pass  # the service checks the flag


@admin.register(AccountFlag)
class AccountFlagAdmin(TenantAdminMixin, admin.ModelAdmin):
    audit_in_admin = False
    form = AccountFlagForm
    list_display = ["account", "do_not_dial", "blocks_through", "changed_at", "changed_by"]
    list_filter = ["do_not_dial", BlocksThroughFilter]
    ordering = ["-id"]
    list_per_page = 100
    search_fields = ["=account"]
    search_help_text = "A whole account number"
    readonly_fields = ["blocks_through", "changed_at", "changed_by", "changed_via"]

    def get_fields(self, request, obj=None):
        if obj is not None:
            return ["account", "do_not_dial", *self.readonly_fields]
        return (
            ["client", "account", "do_not_dial"]
            if sees_all_clients(request)
            else ["account", "do_not_dial"]
        )

    def get_readonly_fields(self, request, obj=None):
        return ["account", *self.readonly_fields] if obj is not None else []

    def save_model(self, request, obj, form, change):
        data = form.cleaned_data
        client = obj.client if change else (data.get("client") or request.user.client)
        saved = legacy_services.account_flag_set(
            actor=admin_actor(request),
            client=client,
            account=obj.account if change else data["account"],
            do_not_dial=data["do_not_dial"],
            today=local_today(zone_of(client.time_zone)),
            via="admin",
        )
        if saved is not None:
            obj.__dict__.update({k: v for k, v in saved.__dict__.items() if k != "_state"})
            obj._state.adding = False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False  # a flag is cleared ("No"), and the purge removes cleared flags


# --- contact groups ---------------------------------------------------------------------------


class ContactGroupForm(forms.ModelForm):
    id = forms.IntegerField(
        label="Id",
        required=False,
        min_value=1,
        help_text="The id LiveVox gave the group (1320), if any; empty: the next free id.",
    )

    class Meta:
        model = ContactGroup
        fields = ["id", "name"]

    def __init__(self, *args, client: Client | None = None, **kwargs):
        super().__init__(*args, **kwargs)
        self.client = client or (self.instance.client if self.instance.client_id else None)

    def clean(self):
        cleaned = super().clean()
        client = cleaned.get("client") or self.client
        if self.errors or client is None:
            return cleaned
        try:
            cleaned["name"] = group_services.contact_group_check(
                client=client,
                name=cleaned.get("name") or "",
                group_id=None if self.instance.pk else cleaned.get("id"),
                exclude=self.instance.pk,
            )
        except LVError as error:
            _error(self, error, {"name": "name", "id": "id"})
        return cleaned

    def _post_clean(self):
        pass  # the service's checks above


@admin.register(ContactGroup)
class ContactGroupAdmin(TenantAdminMixin, admin.ModelAdmin):
    audit_in_admin = False
    form = ContactGroupForm
    list_display = ["id", "name"]
    search_fields = ["name"]
    ordering = ["id"]

    def get_fields(self, request, obj=None):
        if obj is not None:
            return ["name"]
        return ["client", "id", "name"] if sees_all_clients(request) else ["id", "name"]

    def get_form(self, request, obj=None, change=False, **kwargs):
        form_class = super().get_form(request, obj, change=change, **kwargs)
        client = (
            None
            if sees_all_clients(request) and obj is None
            else (obj.client if obj is not None else request.user.client)
        )

        class Form(form_class):
            def __init__(self, *args, **kw):
                kw.setdefault("client", client)
                super().__init__(*args, **kw)

        return Form

    def delete_view(self, request, object_id, extra_context=None):
        group = self.get_object(request, object_id)
        if (
            group is not None
            and request.method == "POST"
            and group_services.entries_in_group(group)
        ):
            self.message_user(
                request,
                "Entries of the DNC lists still name this group: remove or move them first.",
                messages.ERROR,
            )
            return HttpResponseRedirect(request.path.rsplit("/delete/", 1)[0] + "/change/")
        return super().delete_view(request, object_id, extra_context)

    def save_model(self, request, obj, form, change):
        data = form.cleaned_data
        actor = admin_actor(request)
        if change:
            saved = group_services.contact_group_rename(actor=actor, group=obj, name=data["name"])
        else:
            saved = group_services.contact_group_create(
                actor=actor,
                client=data.get("client") or request.user.client,
                name=data["name"],
                group_id=data.get("id"),
            )
        obj.__dict__.update({k: v for k, v in saved.__dict__.items() if k != "_state"})
        obj._state.adding = False

    def delete_model(self, request, obj):
        group_services.contact_group_delete(actor=admin_actor(request), group=obj)

    def delete_queryset(self, request, queryset):
        kept = 0
        for group in queryset:
            if group_services.entries_in_group(group):
                kept += 1
                continue
            group_services.contact_group_delete(actor=admin_actor(request), group=group)
        if kept:
            self.message_user(
                request,
                f"{kept} groups are still named by entries of the DNC lists and were kept.",
                messages.WARNING,
            )
