"""The legacy list's and the account Do Not Dial flags' admin pages."""

from django import forms
from django.contrib import admin
from django.db import models

from livevox_site.admin_base import admin_actor, sees_all_clients
from livevox_site.errors import InvalidInput, LVError
from livevox_site.models import Client, Service

from ..models import (
    NO_SERVICE,
    AccountFlag,
    DoNotDial,
    LegacyEntry,
)
from ..services import legacy as legacy_services
from ..services.dnc_type import list_refusal
from ..wire import local_today, parse_account, parse_phone, parse_zip, zone_of
from .common import (
    PHONE_HELP,
    BlocksThroughFilter,
    DncAdmin,
    ServiceFilter,
    _client_ids,
    _error,
    _form_client,
    _grouped_choices,
    _service_label,
    _with_client,
)


class LegacyEntryForm(forms.ModelForm):
    service_id = forms.TypedChoiceField(label="Service", coerce=int, empty_value=NO_SERVICE)

    class Meta:
        model = LegacyEntry
        fields = ["dnc_type", "service_id", "phone", "account", "zip"]

    def __init__(self, *args, client: Client | None = None, **kwargs):
        super().__init__(*args, **kwargs)
        self.client = client or (self.instance.client if self.instance.client_id else None)
        if "phone" not in self.fields:
            return  # the read-only page of an entry (entries are never edited)
        for name in ("account", "zip"):
            self.fields[name].required = False
        self.fields["phone"] = forms.CharField(
            label="Phone",
            max_length=32,
            required=False,
            help_text=PHONE_HELP + " The vendor's * wildcards are kept as typed.",
        )
        self.fields["service_id"].choices = [
            (NO_SERVICE, "All services of the client"),
            *_grouped_choices(Service.objects.all(), self.client, _service_label),
        ]

    def clean(self):
        cleaned = super().clean()
        client = cleaned.get("client") or self.client
        if self.errors or client is None:
            return cleaned
        if refusal := list_refusal(client, "legacy"):
            self.add_error(None, refusal)
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
            if error.field == "service_id":
                self.add_error("service_id", f"Choose a service of {client.name}.")
            elif "at least one of" in error.message:
                self.add_error(None, "Give a phone, an account or a zip code (or several).")
            else:
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
class LegacyEntryAdmin(DncAdmin):
    form = LegacyEntryForm
    list_name = "legacy"
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
    search_help_text = "A whole phone number (any punctuation), account or zip code"
    readonly_fields = ["blocks_through", "added_at", "added_by", "added_via", "filename"]
    actions = ["delete_selected_entries", "export_selected"]

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
        return _with_client(form_class, _form_client(request, obj))

    def decorate_page(self, rows) -> None:
        wanted = {row.service_id for row in rows} - {NO_SERVICE}
        names = dict(Service.objects.filter(pk__in=wanted).values_list("pk", "name"))
        for row in rows:
            row.lv_service_name = names.get(row.service_id)

    @admin.display(description="service")
    def service(self, obj) -> str:
        if not obj.service_id:
            return "All services"
        name = getattr(obj, "lv_service_name", None)
        return f"{name} ({obj.service_id})" if name else str(obj.service_id)

    def get_search_results(self, request, queryset, search_term):
        # Each branch is an index: (client, phone, ...) the key, (client, account, service)
        # and (client, zip, service) partial indexes.
        term = search_term.strip()
        if not term:
            return queryset, False
        ids = _client_ids(request)
        if ids is not None:
            queryset = queryset.filter(client_id__in=ids)
        # The "<> ''" terms are redundant but name the partial indexes' condition, which
        # SQLite's planner needs literally (PostgreSQL proves it from the equality).
        match = models.Q(account=term) & ~models.Q(account="")
        for parse, column in ((parse_phone, "phone"), (parse_zip, "zip")):
            try:
                value = parse(term, column, wildcards=True) if column == "phone" else parse(term)
            except InvalidInput:
                continue
            probe = models.Q(**{column: value})
            match |= probe & ~models.Q(zip="") if column == "zip" else probe
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

    def delete_ids(self, request, client_id: int, ids: list[int]) -> int:
        return legacy_services.legacy_entries_delete(
            actor=admin_actor(request), client=Client.objects.get(pk=client_id), ids=ids
        )


class AccountFlagForm(forms.ModelForm):
    class Meta:
        model = AccountFlag
        fields = ["account", "do_not_dial"]

    def __init__(self, *args, client: Client | None = None, **kwargs):
        super().__init__(*args, **kwargs)
        self.client = client or (self.instance.client if self.instance.client_id else None)

    def clean(self):
        cleaned = super().clean()
        if "account" not in self.fields or self.errors:
            return cleaned  # a change: the account is read-only, "No" clears the flag
        try:
            cleaned["account"] = parse_account(cleaned.get("account"))
        except LVError as error:
            _error(self, error, {"account": "account"})
            return cleaned
        if cleaned.get("do_not_dial") == DoNotDial.NONE:
            self.add_error("do_not_dial", "Choose Today or Permanently: “No” clears a flag.")
        client = cleaned.get("client") or self.client
        if client is not None and (
            AccountFlag.objects.for_client(client).filter(account=cleaned["account"]).exists()
        ):
            self.add_error("account", "This account already has a flag: open it to change it.")
        return cleaned

    def _post_clean(self):
        pass  # the service checks the flag


@admin.register(AccountFlag)
class AccountFlagAdmin(DncAdmin):
    form = AccountFlagForm
    list_display = ["account", "do_not_dial", "blocks_through", "changed_at", "changed_by"]
    list_filter = ["do_not_dial", BlocksThroughFilter]
    search_help_text = "A whole account number"
    readonly_fields = ["blocks_through", "changed_at", "changed_by", "changed_via"]
    actions: list = []

    def get_search_fields(self, request):
        return ["_value"]

    def get_search_results(self, request, queryset, search_term):
        # An exact match, which the (client, account) key serves (Django's "=account" would
        # be an iexact: UPPER(account), no index).
        term = search_term.strip()
        if not term:
            return queryset, False
        ids = _client_ids(request)
        if ids is not None:
            queryset = queryset.filter(client_id__in=ids)
        return queryset.filter(account=term), False

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

    def get_form(self, request, obj=None, change=False, **kwargs):
        form_class = super().get_form(request, obj, change=change, **kwargs)
        return _with_client(form_class, _form_client(request, obj))

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
