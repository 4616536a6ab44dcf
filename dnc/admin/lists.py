"""The dial-time, email and SMS lists' admin pages."""

from datetime import date

from django import forms
from django.contrib import admin, messages

from livevox_site.admin_base import admin_actor, sees_all_clients
from livevox_site.errors import InvalidInput, LVError
from livevox_site.models import Client

from ..models import (
    NO_GROUP,
    ContactGroup,
    DialtimeEntry,
    EmailEntry,
    SmsEntry,
)
from ..services import lists as list_services
from ..services.dnc_type import list_refusal
from ..wire import local_today, parse_email, parse_phone, zone_of
from .common import (
    PHONE_HELP,
    ContactGroupFilter,
    DncAdmin,
    ExpiredFilter,
    _client_ids,
    _error,
    _form_client,
    _group_label,
    _grouped_choices,
    _with_client,
)


def past_day(client: Client) -> str:
    return (
        f"This day has passed in {client.name}'s time zone ({client.time_zone}): the entries "
        "would stop blocking at once. Choose today or a later day, or leave it empty for no "
        "expiration."
    )


class ListEntryForm(forms.ModelForm):
    """A dial-time phone, email or SMS entry, checked by the list services' own rules."""

    contact_group_id = forms.TypedChoiceField(
        label="Contact group", coerce=int, required=False, empty_value=NO_GROUP
    )
    expiration_date = forms.DateField(
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}),
        help_text="Last day it blocks, in the client's time zone. Empty: never expires.",
    )
    list_name = ""

    def __init__(self, *args, client: Client | None = None, **kwargs):
        super().__init__(*args, **kwargs)
        self.client = client or (self.instance.client if self.instance.client_id else None)
        key = self._meta.model.value_field
        if key in ("phone", "sms") and key in self.fields:
            # Typed with punctuation ("(415) 555-3734"); the service keeps the ten digits.
            self.fields[key] = forms.CharField(
                label="SMS number" if key == "sms" else "Phone",
                max_length=32,
                help_text=PHONE_HELP,
            )
        self.fields["contact_group_id"].choices = [
            (NO_GROUP, "No group"),
            *_grouped_choices(
                ContactGroup.objects.all(), self.client, _group_label, value="group_id"
            ),
        ]

    def clean(self):
        cleaned = super().clean()
        client = cleaned.get("client") or self.client
        if self.errors or client is None:
            return cleaned
        if refusal := list_refusal(client, self.list_name):
            self.add_error(None, refusal)
            return cleaned
        key = self._meta.model.value_field
        try:
            value = list_services.clean_value(self.list_name, cleaned.get(key))
        except LVError as error:
            _error(self, error, {key: key})
            return cleaned
        day = cleaned.get("expiration_date")
        passed = day is not None and day < local_today(zone_of(client.time_zone))
        if passed and "expiration_date" in self.changed_data:
            self.add_error("expiration_date", past_day(client))
            return cleaned
        try:
            group = list_services.check_contact_group(client, cleaned["contact_group_id"])
        except LVError:
            self.add_error("contact_group_id", f"Choose a contact group of {client.name}.")
            return cleaned
        taken = self._meta.model.objects.for_client(client).filter(
            **{key: value}, contact_group_id=group
        )
        if self.instance.pk is not None:
            taken = taken.exclude(pk=self.instance.pk)
        if taken.exists():
            self.add_error(
                key,
                "This value is already listed in that contact group."
                if group
                else "This value is already listed (without a contact group).",
            )
        cleaned[key] = value
        return cleaned

    def _post_clean(self):
        # The checks above are the services'; the model's own validation would check
        # uniqueness without the client the form leaves out.
        pass


class ListEntryAdmin(DncAdmin):
    """One of the three dial-time lists."""

    form = ListEntryForm
    list_filter = [ContactGroupFilter, ExpiredFilter]
    search_help_text = ""
    readonly_fields = ["added_at", "added_by", "added_via", "filename", "changed_at"]
    actions = ["delete_selected_entries", "set_expiration", "clear_expiration", "export_selected"]

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
        return _with_client(form_class, _form_client(request, obj), list_name=self.list_name)

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

    def decorate_page(self, rows) -> None:
        # A page may hold several clients' entries (a Sysadmin's): each names a group of its
        # own client.
        wanted = {(row.client_id, row.contact_group_id) for row in rows if row.contact_group_id}
        found = ContactGroup.objects.filter(
            client_id__in={client_id for client_id, _ in wanted},
            group_id__in={group_id for _, group_id in wanted},
        ).values_list("client_id", "group_id", "name")
        names = {(client_id, group_id): name for client_id, group_id, name in found}
        for row in rows:
            row.lv_group_name = names.get((row.client_id, row.contact_group_id))

    @admin.display(description="contact group")
    def group(self, obj) -> str:
        if not obj.contact_group_id:
            return "—"
        name = getattr(obj, "lv_group_name", None)
        return f"{name} ({obj.contact_group_id})" if name else str(obj.contact_group_id)

    # --- writes through the services ---
    def save_model(self, request, obj, form, change):
        data = form.cleaned_data
        if change:
            saved = list_services.list_entry_update(
                actor=admin_actor(request),
                client=obj.client,
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
                client=data.get("client") or request.user.client,
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

    def delete_ids(self, request, client_id: int, ids: list[int]) -> int:
        return list_services.list_entries_delete(
            actor=admin_actor(request),
            client=Client.objects.get(pk=client_id),
            list_name=self.list_name,
            ids=ids,
        )

    # --- actions ---
    @admin.action(description="Set an expiration date", permissions=["change"])
    def set_expiration(self, request, queryset):
        form = ExpirationForm(request.POST if "apply" in request.POST else None)
        if form.is_valid() and not self._passed(form, queryset):
            self._set_expiration(request, queryset, form.cleaned_data["date"])
            return None
        return self._confirm(
            request,
            queryset,
            action="set_expiration",
            title="Set an expiration date",
            intro="These entries will stop blocking after the day you choose (in the "
            "client's time zone).",
            button="Set the expiration date",
            form=form,
        )

    @staticmethod
    def _passed(form: forms.Form, queryset) -> bool:
        """Whether the chosen day has passed for a client of the selection (its entries would
        stop blocking at once): then the form says so, and nothing changes."""
        day = form.cleaned_data["date"]
        client_ids = queryset.order_by().values_list("client_id", flat=True).distinct()
        for client in Client.objects.filter(pk__in=client_ids):
            if day < local_today(zone_of(client.time_zone)):
                form.add_error("date", past_day(client))
                return True
        return False

    @admin.action(description="Clear the expiration date (block for ever)", permissions=["change"])
    def clear_expiration(self, request, queryset):
        self._set_expiration(request, queryset, None)

    def _set_expiration(self, request, queryset, day: date | None) -> None:
        ids = self._by_client(request, queryset)
        if ids is None:
            return
        changed = sum(
            list_services.list_entries_set_expiration(
                actor=admin_actor(request),
                client=Client.objects.get(pk=client_id),
                list_name=self.list_name,
                ids=pks,
                expiration_date=day,
            )
            for client_id, pks in ids.items()
        )
        done = (
            f"Set the expiration date of {changed}"
            if day
            else f"Cleared the expiration of {changed}"
        )
        self.message_user(request, f"{done} entries.", messages.SUCCESS)


class ExpirationForm(forms.Form):
    date = forms.DateField(
        label="Last day they block",
        widget=forms.DateInput(attrs={"type": "date"}),
        help_text="In the client's time zone; they no longer block from the next day on.",
    )


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
