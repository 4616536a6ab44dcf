"""The contact groups' admin pages."""

from django import forms
from django.contrib import admin, messages
from django.contrib.admin.views.main import ChangeList
from django.http import HttpResponseRedirect
from django.urls import reverse

from livevox_site.admin_base import admin_actor, sees_all_clients
from livevox_site.errors import LVError
from livevox_site.models import Client

from ..models import (
    ContactGroup,
)
from ..services import groups as group_services
from .common import (
    MAX_ACTION_ROWS,
    DncAdmin,
    _error,
    _form_client,
    _with_client,
)


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
                danger=True,
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
