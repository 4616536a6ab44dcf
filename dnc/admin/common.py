"""What the DNC admin pages share: the forms' client, the labels and choices of groups and
services, the filters, and the change list and actions of every list (``DncAdmin``)."""

from collections.abc import Callable
from datetime import date

from django import forms
from django.contrib import admin, messages
from django.contrib.admin.helpers import ACTION_CHECKBOX_NAME
from django.contrib.admin.views.main import ChangeList
from django.db import models
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils.http import urlencode

from livevox_site.admin_base import TenantAdminMixin, sees_all_clients
from livevox_site.csv_export import csv_response
from livevox_site.errors import LVError
from livevox_site.models import Client, Service

from ..exports import export_queryset
from ..imports import LISTS
from ..models import (
    NO_GROUP,
    NO_SERVICE,
    ContactGroup,
)
from ..services.dnc_type import LIST_TYPE, list_refusal
from ..wire import local_today, zone_of

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
        danger: bool = False,
    ) -> TemplateResponse:
        """A confirmation page for an action: what it does, the selected rows (the first
        ``SHOWN_ON_CONFIRMATION``), an optional form; it posts the same selection back with
        ``apply``, to the same URL (the search and filters of a "select all"). ``danger``: the
        button is red, as on the admin's own deletion pages."""
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
                "danger": danger,
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
                danger=True,
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
