"""The DNC lists in the browser: one page per list (legacy entries, account flags, dial-time
phones, emails, SMS numbers) and the contact groups.

Built for 10 million rows per client: the change list never counts the table (the foundation's
``EstimatedCountPaginator``), pages come newest first through a (client, id) index and cannot
be sorted by another column (a sort of 10 million rows takes seconds), a search is an exact
match on the normalized value (any punctuation in a phone number), which the list's unique
index serves, and the filters follow indexes (type and service, contact group, expired).
Every add, change and removal goes through the same services as the API, which audit it (one
entry per action, whatever the number of rows).

Forms: a Sysadmin sees every client and picks the client when adding; the contact group and
service choices then list every client's (grouped by client) and ``clean()`` checks the one
picked against the client picked. Everyone else's forms are their own client's.

Contact groups are named by their id within their client (``ContactGroup.group_id``, the
vendor's ``contactGroupId``, which entries store): every label, choice and filter here looks a
group up by (client, id), never by the id alone, which another client may use too.
"""

from collections.abc import Callable
from datetime import date

from django import forms
from django.contrib import admin, messages
from django.contrib.admin.helpers import ACTION_CHECKBOX_NAME
from django.contrib.admin.views.main import ChangeList
from django.db import models
from django.http import HttpResponseRedirect
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils.http import urlencode

from livevox_site.admin_base import TenantAdminMixin, admin_actor, sees_all_clients
from livevox_site.csv_export import csv_response
from livevox_site.errors import InvalidInput, LVError
from livevox_site.models import Client, Service

from .exports import export_queryset
from .imports import LISTS
from .models import (
    NO_GROUP,
    NO_SERVICE,
    AccountFlag,
    ContactGroup,
    DialtimeEntry,
    DoNotDial,
    EmailEntry,
    LegacyEntry,
    SmsEntry,
)
from .services import groups as group_services
from .services import legacy as legacy_services
from .services import lists as list_services
from .services.dnc_type import LIST_TYPE, list_refusal
from .wire import local_today, parse_account, parse_email, parse_phone, parse_zip, zone_of

PHONE_HELP = "Ten digits; +1, spaces, dashes, dots and parentheses are fine."
# Selections are bounded: the change list selects a page (100) or, with "select all", every
# match; an action on more than this many rows asks for the CSV import or purge instead.
MAX_ACTION_ROWS = 10_000
# Entries named on an action's confirmation page.
SHOWN_ON_CONFIRMATION = 100
# The largest id a crafted "_selected_action" may name (bigint): more is no row of ours.
_MAX_ID_DIGITS = 18


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


def _form_client(request, obj) -> Client | None:
    """The client a form is for: the object's; on an add page the user's own, or None for a
    Sysadmin, who picks it in the form."""
    if obj is not None:
        return obj.client
    return None if sees_all_clients(request) else request.user.client


def _with_client(form_class: type, client: Client | None, **attrs) -> type:
    """``form_class`` built with ``client=`` (and ``attrs`` as class attributes)."""

    class Form(form_class):
        def __init__(self, *args, **kw):
            kw.setdefault("client", client)
            super().__init__(*args, **kw)

    for name, value in attrs.items():
        setattr(Form, name, value)
    Form.__name__ = form_class.__name__
    return Form


def _sentence(message: str, label: str, wire_key: str) -> str:
    """A service's complaint in the manager's words: its wire key ("sms must be 10 digits")
    replaced with the field's label ("SMS number must be 10 digits"), first letter capital."""
    if wire_key and message.startswith(f"{wire_key} "):
        message = f"{label} {message[len(wire_key) + 1 :]}"
    return message[:1].upper() + message[1:]


def _error(form: forms.BaseForm, error: LVError, fields: dict[str, str]) -> None:
    """Show a service's complaint under the form field it names (``fields``: the service's or
    the wire's name -> the form field), or above the form."""
    wire_key = (error.field or "").rsplit(".", 1)[-1]
    field = fields.get(wire_key)
    if field not in form.fields:
        field = None
    label = str(form.fields[field].label) if field else ""
    message = error.message
    if label and message.startswith(("must ", "is ", "may ")):
        message = f"{wire_key} {message}"  # "must be 5 digits" -> "Zip must be 5 digits"
    form.add_error(field, _sentence(message, label, wire_key))


def _grouped_choices(
    rows: models.QuerySet,
    client: Client | None,
    label: Callable[[models.Model], str],
    value: str = "pk",
) -> list:
    """Choices of one client's rows, or (client None: a Sysadmin's add page) every client's,
    grouped under the client's name. ``value``: the column a choice stands for (a contact
    group's ``group_id``, which is unique within its client only: ``clean()`` checks it
    against the client picked)."""
    if client is not None:
        return [(getattr(row, value), label(row)) for row in rows.filter(client=client)]
    grouped: dict[str, list] = {}
    for row in rows.select_related("client").order_by("client__name", value):
        grouped.setdefault(f"{row.client.name} ({row.client.code})", []).append(
            (getattr(row, value), label(row))
        )
    return list(grouped.items())


def _ids_by_client(queryset: models.QuerySet) -> dict[int, list[int]] | None:
    """The selection's ids per client; None when it holds more than ``MAX_ACTION_ROWS``."""
    rows = list(queryset.order_by().values_list("client_id", "pk")[: MAX_ACTION_ROWS + 1])
    if len(rows) > MAX_ACTION_ROWS:
        return None
    found: dict[int, list[int]] = {}
    for client_id, pk in rows:
        found.setdefault(client_id, []).append(pk)
    return found


def _too_many() -> str:
    return (
        f"An action may change at most {MAX_ACTION_ROWS:,} entries at once; narrow the "
        "selection (search or filters), or use the CSV import."
    )


# --- filters ----------------------------------------------------------------------------------


class ExpiredFilter(admin.SimpleListFilter):
    """Whether the row still blocks: its last day (in the client's time zone) has passed."""

    title = "still blocks"
    parameter_name = "expired"
    column = "expiration_date"

    def lookups(self, request, model_admin):
        return [("no", "Blocks"), ("yes", "No longer blocks (expired)")]

    def queryset(self, request, queryset):
        before = {f"{self.column}__lt": _today(request)}
        if self.value() == "yes":
            return queryset.filter(**before)
        if self.value() == "no":
            return queryset.exclude(**before)
        return queryset


class BlocksThroughFilter(ExpiredFilter):
    column = "blocks_through"


def _is_id(value: str) -> bool:
    """Whether a filter's value can be an id (an integer column's)."""
    return value.isascii() and value.isdigit() and len(value) <= 10


class _IdFilter(admin.SimpleListFilter):
    """A filter by one integer column; a crafted value that is no number matches nothing."""

    column = ""

    def queryset(self, request, queryset):
        value = self.value()
        if value is None:
            return queryset
        if not _is_id(value):
            return queryset.none()
        return queryset.filter(**{self.column: int(value)})


class ContactGroupFilter(admin.SimpleListFilter):
    """By contact group: ``?group=1320`` (the group id, within the page's client), or, from a
    Sysadmin's choices, ``?group=4199-1320`` (that client's group 1320: ids repeat across
    clients). A crafted value that is neither matches nothing."""

    title = "contact group"
    parameter_name = "group"

    def queryset(self, request, queryset):
        value = self.value()
        if value is None:
            return queryset
        *client, group = value.split("-")
        if len(client) > 1 or not all(_is_id(part) for part in (*client, group)):
            return queryset.none()
        if client:
            queryset = queryset.filter(client_id=int(client[0]))
        found = queryset.filter(contact_group_id=int(group))
        if int(group) != NO_GROUP:
            # Redundant, but it names the condition of the (client, group, id) partial index,
            # which SQLite's planner needs literally to use it.
            found = found.exclude(contact_group_id=NO_GROUP)
        return found

    def lookups(self, request, model_admin):
        groups = ContactGroup.objects.select_related("client")
        if not sees_all_clients(request):
            groups = groups.for_client(request.user.client_id)
            return [
                (str(NO_GROUP), "No group"),
                *((str(g.group_id), _group_label(g)) for g in groups.order_by("name")[:500]),
            ]
        return [
            (str(NO_GROUP), "No group"),
            *(
                (f"{g.client_id}-{g.group_id}", _group_label(g, request))
                for g in groups.order_by("name", "client_id")[:500]
            ),
        ]


class ServiceFilter(_IdFilter):
    title = "service"
    parameter_name = "service"
    column = "service_id"

    def lookups(self, request, model_admin):
        services = Service.objects.select_related("client")
        if not sees_all_clients(request):
            services = services.for_client(request.user.client_id)
        return [
            (str(NO_SERVICE), "All services (client-level)"),
            *((str(s.pk), _service_label(s, request)) for s in services[:500]),
        ]


def _group_label(group: ContactGroup, request=None) -> str:
    label = f"{group.name} ({group.group_id})"
    return f"{label}, {group.client.code}" if request and sees_all_clients(request) else label


def _service_label(service: Service, request=None) -> str:
    label = f"{service.name} ({service.pk})"
    return f"{label}, {service.client.code}" if request and sees_all_clients(request) else label


# --- what every DNC page shares ---------------------------------------------------------------


class NewestFirstChangeList(ChangeList):
    """Newest first, always: the (client, id) index pages it at any size; a crafted ``?o=``
    (Django does not check it against ``sortable_by``) cannot ask for a sort of the table."""

    def get_ordering(self, request, queryset):
        return ["-pk"]

    def get_ordering_field_columns(self):
        return {}

    def get_results(self, request):
        super().get_results(request)
        self.model_admin.decorate_page(self.result_list)


class DncAdmin(TenantAdminMixin, admin.ModelAdmin):
    """The change list and actions every DNC page shares."""

    audit_in_admin = False  # the services audit
    list_per_page = 100
    list_max_show_all = 100  # "Show all" is a page, never the table
    sortable_by: tuple = ()
    ordering = ["-id"]
    list_name = ""  # the import/export list ("legacy", "dialtime", ...), if any
    change_list_template = "admin/dnc/change_list.html"

    def get_changelist(self, request, **kwargs):
        return NewestFirstChangeList

    def decorate_page(self, rows) -> None:
        """Fetch what a page's rows show beyond their own columns (one query per page)."""

    def get_actions(self, request):
        # Django's "Delete selected" lists every row it takes along and writes a log row each;
        # ours removes through the services with one audit entry (delete_selected_entries).
        actions = super().get_actions(request)
        actions.pop("delete_selected", None)
        return actions

    def changelist_view(self, request, extra_context=None):
        if request.method == "POST" and ACTION_CHECKBOX_NAME in request.POST:
            # A crafted id ("abc", 30 digits) is no row of ours, not a database error.
            post = request.POST.copy()
            post.setlist(
                ACTION_CHECKBOX_NAME,
                [
                    value
                    for value in post.getlist(ACTION_CHECKBOX_NAME)
                    if value.isascii() and value.isdigit() and len(value) <= _MAX_ID_DIGITS
                ],
            )
            request.POST = post
        return super().changelist_view(request, {**self._tools(request), **(extra_context or {})})

    def _refusal(self, request, client: Client | None = None) -> str | None:
        """Why this list takes no entries for ``client`` (by default the user's own, for a
        user who sees only their client): it is not the list its Phone DNC Type uses."""
        if self.list_name not in LIST_TYPE:
            return None
        if client is None:
            if sees_all_clients(request):
                return None
            client = request.user.client
        return list_refusal(client, self.list_name)

    def has_add_permission(self, request) -> bool:
        return super().has_add_permission(request) and not self._refusal(request)

    def has_change_permission(self, request, obj=None) -> bool:
        if obj is not None and self._refusal(request, obj.client):
            return False  # shown read-only: its client does not use this list
        return super().has_change_permission(request, obj)

    def _tools(self, request) -> dict:
        """The change list's "Import from CSV" and "Export all as CSV" buttons, each shown
        only with its right (the import and export pages check it again), and why the list
        takes no entries, when it does not for the user's client."""
        spec = LISTS.get(self.list_name)
        if spec is None:
            return {}
        refusal = self._refusal(request)
        tools = {"lv_list_refused": refusal} if refusal else {}
        if request.user.has_perm(spec.add_perm) and not refusal:
            tools["lv_import_url"] = reverse("admin:dnc_import", args=[spec.name])
        if request.user.has_perm(spec.view_perm):
            url = reverse("admin:dnc_export", args=[spec.name])
            # A Sysadmin exports the client the page is filtered to (else their own).
            client_id = request.GET.get("client__id__exact", "")
            if sees_all_clients(request) and client_id.isascii() and client_id.isdigit():
                url += "?" + urlencode({"client": client_id})
            tools["lv_export_url"] = url
        return tools

    # --- actions ---
    def _confirm(
        self,
        request,
        queryset,
        *,
        action: str,
        title: str,
        intro: str,
        button: str,
        form: forms.Form | None = None,
    ) -> TemplateResponse:
        """A confirmation page for an action: what it does, the selected rows (the first
        ``SHOWN_ON_CONFIRMATION``), an optional form; it posts the same selection back with
        ``apply``, to the same URL (the search and filters of a "select all")."""
        count = queryset.order_by().values_list("pk", flat=True)[: MAX_ACTION_ROWS + 1]
        count = len(count)
        return TemplateResponse(
            request,
            "admin/dnc/action_confirm.html",
            {
                **self.admin_site.each_context(request),
                "title": title,
                "opts": self.model._meta,
                "intro": intro,
                "button": button,
                "form": form,
                "entries": queryset.order_by("-pk")[:SHOWN_ON_CONFIRMATION],
                "count": count,
                "more": count > SHOWN_ON_CONFIRMATION,
                "too_many": count > MAX_ACTION_ROWS,
                "max_rows": MAX_ACTION_ROWS,
                "selected": request.POST.getlist(ACTION_CHECKBOX_NAME),
                "select_across": request.POST.get("select_across", "0"),
                "action": action,
            },
        )

    def _by_client(self, request, queryset) -> dict[int, list[int]] | None:
        ids = _ids_by_client(queryset)
        if ids is None:
            self.message_user(request, _too_many(), messages.ERROR)
        return ids

    @admin.action(description="Remove the selected entries", permissions=["delete"])
    def delete_selected_entries(self, request, queryset):
        if "apply" not in request.POST:
            return self._confirm(
                request,
                queryset,
                action="delete_selected_entries",
                title="Remove entries",
                intro="These entries will be removed from the list and stop blocking calls.",
                button="Yes, remove them",
            )
        ids = self._by_client(request, queryset)
        if ids is None:
            return None
        removed = sum(self.delete_ids(request, client_id, pks) for client_id, pks in ids.items())
        self.message_user(request, f"Removed {removed} entries.", messages.SUCCESS)
        return None

    def delete_ids(self, request, client_id: int, ids: list[int]) -> int:
        raise NotImplementedError

    def delete_queryset(self, request, queryset):
        ids = self._by_client(request, queryset) or {}
        for client_id, pks in ids.items():
            self.delete_ids(request, client_id, pks)

    @admin.action(description="Export the selected entries as CSV", permissions=["view"])
    def export_selected(self, request, queryset):
        """The selected rows as the whole-list export writes them (same header and cells:
        the file imports back)."""
        spec = LISTS[self.list_name]
        return csv_response(
            f"dnc-{spec.name}-selected.csv", spec.header, export_queryset(spec, queryset)
        )


# --- the dial-time, email and SMS lists -------------------------------------------------------


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
            self.add_error(key, "This value is already listed in that contact group.")
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
        if form.is_valid():
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


class ContactGroupForm(forms.ModelForm):
    group_id = forms.IntegerField(
        label="Id",
        required=False,
        min_value=1,
        help_text="The id LiveVox gave the group (1320), if any; empty: the client's next free id.",
    )

    class Meta:
        model = ContactGroup
        fields = ["group_id", "name"]

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
                # A new group has its (random) key already: adding, not the key, tells.
                group_id=cleaned.get("group_id") if self.instance._state.adding else None,
                exclude=None if self.instance._state.adding else self.instance.pk,
            )
        except LVError as error:
            _error(self, error, {"name": "name", "group_id": "group_id"})
        return cleaned

    def _post_clean(self):
        pass  # the service's checks above


IN_USE = "Entries of the DNC lists still name this group: remove or move them first."


@admin.register(ContactGroup)
class ContactGroupAdmin(DncAdmin):
    form = ContactGroupForm
    list_display = ["group_id", "name"]
    search_fields = ["name"]  # a client has tens of groups, not millions
    ordering = ["group_id", "id"]
    sortable_by = ("group_id", "name")
    change_list_template = None
    actions = ["delete_selected_groups"]

    def get_changelist(self, request, **kwargs):
        return ChangeList

    def get_fields(self, request, obj=None):
        if obj is not None:
            return ["name"]
        return ["client", "group_id", "name"] if sees_all_clients(request) else ["group_id", "name"]

    def get_form(self, request, obj=None, change=False, **kwargs):
        form_class = super().get_form(request, obj, change=change, **kwargs)
        return _with_client(form_class, _form_client(request, obj))

    def delete_view(self, request, object_id, extra_context=None):
        group = self.get_object(request, object_id)
        if group is not None and group_services.entries_in_group(group):
            self.message_user(request, IN_USE, messages.ERROR)
            return HttpResponseRedirect(reverse("admin:dnc_contactgroup_change", args=[group.pk]))
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
                group_id=data.get("group_id"),
            )
        obj.__dict__.update({k: v for k, v in saved.__dict__.items() if k != "_state"})
        obj._state.adding = False

    def delete_model(self, request, obj):
        group_services.contact_group_delete(actor=admin_actor(request), group=obj)

    @admin.action(description="Delete the selected groups", permissions=["delete"])
    def delete_selected_groups(self, request, queryset):
        if "apply" not in request.POST:
            return self._confirm(
                request,
                queryset,
                action="delete_selected_groups",
                title="Delete contact groups",
                intro="These contact groups will be deleted. A group that entries of the DNC "
                "lists still name is kept.",
                button="Yes, delete them",
            )
        self.delete_queryset(request, queryset)
        return None

    def delete_queryset(self, request, queryset):
        deleted, kept = 0, []
        for group in queryset.select_related("client")[:MAX_ACTION_ROWS]:
            if group_services.entries_in_group(group):
                kept.append(str(group))
                continue
            group_services.contact_group_delete(actor=admin_actor(request), group=group)
            deleted += 1
        if deleted:
            self.message_user(request, f"Deleted {deleted} contact groups.", messages.SUCCESS)
        if kept:
            self.message_user(
                request,
                f"Kept {', '.join(kept)}: entries of the DNC lists still name them.",
                messages.WARNING,
            )
