import json
from importlib import import_module

from django import forms
from django.conf import settings
from django.contrib import admin, messages
from django.contrib.auth.admin import UserAdmin as DjangoUserAdmin
from django.contrib.auth.forms import BaseUserCreationForm, UserChangeForm
from django.contrib.auth.models import Group
from django.template.response import TemplateResponse
from django.utils import dateformat, timezone
from django.utils.html import format_html, format_html_join
from django_tasks_db.models import DBTaskResult

from .admin_base import (
    ReadOnlyAdminMixin,
    TenantAdminMixin,
    admin_actor,
    sees_all_clients,
)
from .apps import client_change_refusals
from .audit import audit_visible_to
from .audit_display import changes, kind_of, sentence
from .csv_export import csv_response
from .errors import LVError
from .models import AccessToken, AuditEntry, Client, Service, User
from .roles import ROLE_RANK, Role
from .services import (
    access_token_create,
    access_token_revoke,
    service_delete,
    user_auth_change_audit,
)

admin.site.unregister(Group)  # groups are derived from roles and powers, never edited by hand
# django-tasks' results hold every client's job arguments and are not tenant-scoped: the apps
# show their own jobs (the DNC import pages), scoped to the client. Its admin module is
# imported first: this app comes before django_tasks_db in INSTALLED_APPS (for db_worker), so
# autodiscovery would register it after this line.
import_module("django_tasks_db.admin")
if admin.site.is_registered(DBTaskResult):
    admin.site.unregister(DBTaskResult)


class ExplicitIdForm(forms.ModelForm):
    new_id = forms.IntegerField(
        label="ID",
        required=False,
        min_value=1,
        help_text="Optional: keep the id LiveVox assigned. Leave empty to assign the next one.",
    )

    def clean_new_id(self):
        new_id = self.cleaned_data.get("new_id")
        if new_id and self._meta.model.objects.filter(pk=new_id).exists():
            raise forms.ValidationError("This id is already taken.")
        return new_id


class ExplicitIdAdminMixin:
    """Sysadmins (who migrate clients from LiveVox) may keep the vendor's ids. Ids are global,
    so only they may pick one: anyone else could probe which ids other clients hold."""

    def _gives_ids(self, request, obj) -> bool:
        return obj is None and sees_all_clients(request)

    def get_form(self, request, obj=None, change=False, **kwargs):
        if self._gives_ids(request, obj):
            kwargs["form"] = type("AddForm", (ExplicitIdForm,), {})
        return super().get_form(request, obj, change, **kwargs)

    def get_fields(self, request, obj=None):
        fields = [f for f in super().get_fields(request, obj) if f != "new_id"]
        return ["new_id", *fields] if self._gives_ids(request, obj) else fields

    def save_model(self, request, obj, form, change):
        if not change and form.cleaned_data.get("new_id"):
            obj.pk = form.cleaned_data["new_id"]
        super().save_model(request, obj, form, change)


# Resource apps add their per-client settings to the client's page (e.g. the default dialing
# strategy) with ``client_inlines.append(InlineClass)``, so this module names none of them.
client_inlines: list[type[admin.options.InlineModelAdmin]] = []


class ClientForm(forms.ModelForm):
    """A client's settings; each resource app may refuse a change with its reason
    (``ResourceAppConfig.client_checks``: a Dial-Time client holding dial-time entries does not
    turn Legacy)."""

    def clean(self):
        cleaned = super().clean()
        if self.instance.pk is not None and not self.errors:
            changed = {name: cleaned[name] for name in self.changed_data if name in cleaned}
            for reason in client_change_refusals(self.instance, changed):
                self.add_error(None, reason)
        return cleaned


@admin.register(Client)
class ClientAdmin(ExplicitIdAdminMixin, TenantAdminMixin, admin.ModelAdmin):
    form = ClientForm
    list_display = ["id", "code", "name", "phone_dnc_type", "time_zone"]
    search_fields = ["code", "name", "=id"]
    list_filter = ["phone_dnc_type"]
    fields = ["code", "name", "phone_dnc_type", "time_zone"]

    def get_inlines(self, request, obj):
        # A new client has no strategies yet to choose from: its settings come after saving.
        return list(client_inlines) if obj is not None else []

    def get_readonly_fields(self, request, obj=None):
        if sees_all_clients(request):
            return ["id"] if obj else []
        return ["id", "code", "phone_dnc_type"]


@admin.register(Service)
class ServiceAdmin(ExplicitIdAdminMixin, TenantAdminMixin, admin.ModelAdmin):
    list_display = ["id", "name"]
    search_fields = ["name", "=id"]
    fields = ["client", "name"]

    def get_readonly_fields(self, request, obj=None):
        # A service stays with its client: its assignments and lists belong to that client.
        return ["client"] if obj is not None and sees_all_clients(request) else []

    def delete_model(self, request, obj):
        service_delete(actor=admin_actor(request), service=obj)

    def delete_queryset(self, request, queryset):
        for service in queryset:
            service_delete(actor=admin_actor(request), service=service)


class UserChange(UserChangeForm):
    class Meta(UserChangeForm.Meta):
        model = User
        fields = "__all__"


class UserCreation(BaseUserCreationForm):
    class Meta(BaseUserCreationForm.Meta):
        model = User
        fields = ("client", "username")


@admin.register(User)
class UserAdmin(TenantAdminMixin, DjangoUserAdmin):
    form = UserChange
    add_form = UserCreation
    list_display = [
        "username",
        "role",
        "power_dialing_strategies",
        "power_edit_dnc",
        "is_active",
        "last_login",
    ]
    list_filter = ["role", "power_dialing_strategies", "power_edit_dnc", "is_active"]
    search_fields = ["username", "first_name", "last_name", "email"]
    ordering = ["client_id", "username"]
    readonly_fields = ["last_login", "date_joined", "password_changed_at"]
    _role = ("Role and powers", {"fields": ("role", "power_dialing_strategies", "power_edit_dnc")})

    def get_fieldsets(self, request, obj=None):
        head = ("client", "username") if sees_all_clients(request) else ("username",)
        if obj is None:
            return (
                (None, {"fields": (*head, "password1", "password2")}),
                self._role,
                ("Personal info", {"fields": ("first_name", "last_name", "email")}),
            )
        return (
            (None, {"fields": (*head, "password")}),
            self._role,
            ("Personal info", {"fields": ("first_name", "last_name", "email")}),
            (
                "Status",
                {"fields": ("is_active", "last_login", "date_joined", "password_changed_at")},
            ),
        )

    def scope_queryset(self, request, queryset):
        # Nobody sees (or can reset the password of) a user of a higher role.
        if sees_all_clients(request):
            return queryset
        return queryset.filter(role__in=self._grantable_roles(request))

    def _grantable_roles(self, request) -> list[str]:
        rank = ROLE_RANK[Role(request.user.role)]
        return [role.value for role in Role if ROLE_RANK[role] <= rank]

    def log_change(self, request, obj, message):
        # The change form and the password form both log here after saving: User.save ended
        # the user's sessions on a new password or a deactivation; audit that with its actor.
        entry = super().log_change(request, obj, message)
        user_auth_change_audit(actor=admin_actor(request), user=obj)
        return entry

    def formfield_for_choice_field(self, db_field, request, **kwargs):
        if db_field.name == "role":
            allowed = self._grantable_roles(request)
            kwargs["choices"] = [(v, label) for v, label in Role.choices if v in allowed]
        return super().formfield_for_choice_field(db_field, request, **kwargs)


class AccessTokenForm(forms.ModelForm):
    class Meta:
        model = AccessToken
        fields = ["client", "name"]

    def clean(self):
        cleaned = super().clean()
        client = cleaned.get("client") or (
            self.instance.client if self.instance.client_id else None
        )
        limit = settings.LV_MAX_ACCESS_TOKENS_PER_CLIENT
        if client and AccessToken.objects.active().filter(client=client).count() >= limit:
            raise forms.ValidationError(
                f"A client may have at most {limit} active access tokens; revoke one first."
            )
        return cleaned


@admin.register(AccessToken)
class AccessTokenAdmin(TenantAdminMixin, admin.ModelAdmin):
    form = AccessTokenForm
    audit_in_admin = False  # the token services audit creation and revocation
    list_display = ["name", "prefix", "created_at", "revoked_at", "active"]
    list_filter = ["revoked_at"]
    search_fields = ["name", "prefix"]
    readonly_fields = ["prefix", "created_at", "revoked_at"]
    actions = ["revoke_selected"]

    @admin.display(boolean=True)
    def active(self, obj):
        return obj.is_active

    def get_fields(self, request, obj=None):
        fields = ["client", "name"] if sees_all_clients(request) else ["name"]
        return fields if obj is None else [*fields, "prefix", "created_at", "revoked_at"]

    def has_change_permission(self, request, obj=None):
        return obj is None and super().has_change_permission(request, obj)

    def has_delete_permission(self, request, obj=None):
        return False  # revoke instead: a token's history stays

    def save_model(self, request, obj, form, change):
        if change:
            return
        if not sees_all_clients(request):
            obj.client = request.user.client
        try:
            _, raw = access_token_create(
                actor=admin_actor(request), client=obj.client, name=obj.name, token=obj
            )
        except LVError as exc:
            messages.error(request, exc.message)
            return
        messages.warning(
            request,
            format_html(
                "Access token created. Copy it now, it will not be shown again: <code>{}</code>",
                raw,
            ),
        )

    @admin.action(description="Revoke selected access tokens", permissions=["change"])
    def revoke_selected(self, request, queryset):
        """Asks first: programs that log in with a revoked token stop working at once."""
        tokens = list(queryset.filter(revoked_at__isnull=True))
        if request.POST.get("confirm") != "yes":
            return TemplateResponse(
                request,
                "admin/livevox_site/accesstoken/revoke_confirmation.html",
                {
                    **self.admin_site.each_context(request),
                    "title": "Revoke access tokens?",
                    "tokens": tokens,
                    "queryset": queryset,
                    "opts": self.model._meta,
                    "action_checkbox_name": admin.helpers.ACTION_CHECKBOX_NAME,
                },
            )
        for token in tokens:
            access_token_revoke(actor=admin_actor(request), token=token)
        names = ", ".join(f"“{token.name}”" for token in tokens) or "none (already revoked)"
        self.message_user(request, f"Revoked {names}.", messages.SUCCESS)
        return None


class KindFilter(admin.SimpleListFilter):
    """By kind of object, in the admin's words, offering only kinds the user may read."""

    title = "kind"
    parameter_name = "object_type"

    def lookups(self, request, model_admin):
        kinds = (
            model_admin.get_queryset(request)
            .order_by()
            .values_list("object_type", flat=True)
            .distinct()
        )
        return sorted(((kind, kind_of(kind).capitalize()) for kind in kinds), key=lambda c: c[1])

    def queryset(self, request, queryset):
        return queryset.filter(object_type=self.value()) if self.value() else queryset


@admin.register(AuditEntry)
class AuditEntryAdmin(ReadOnlyAdminMixin, TenantAdminMixin, admin.ModelAdmin):
    """The audit trail as sentences: who changed what, when, from what to what."""

    list_display = ["when", "what_happened", "source"]
    list_display_links = ["when"]
    actions = ["export_csv"]
    list_filter = ["source", KindFilter, "at"]
    search_fields = ["object_name", "actor_name", "action", "=object_id"]
    search_help_text = "Search by the name of what changed, by who changed it, or by an id."
    date_hierarchy = "at"
    list_per_page = 100
    show_full_result_count = False
    fields = [
        "what_happened",
        "when",
        "who",
        "source",
        "changes_table",
        "raw_json",
    ]
    readonly_fields = fields

    def scope_queryset(self, request, queryset):
        # The list, the entry page, the kind filter's choices and the CSV export all read this
        # queryset: an entry is shown only to who may read its kind of object.
        return audit_visible_to(queryset, request.user)

    @admin.display(description="when", ordering="at")
    def when(self, obj):
        # In the viewer's client's time zone (ClientTimeZoneMiddleware), with its abbreviation.
        return dateformat.format(timezone.localtime(obj.at), "Y-m-d H:i:s T")

    @admin.display(description="what happened")
    def what_happened(self, obj):
        return sentence(obj)

    @admin.display(description="who")
    def who(self, obj):
        parts = [obj.actor_name or "—"]
        if obj.actor_session:
            parts.append(f"session {obj.actor_session}…")
        if obj.actor_token:
            parts.append(f"access token {obj.actor_token}…")
        return ", ".join(parts)

    @admin.display(description="before and after")
    def changes_table(self, obj):
        rows = changes(obj)
        if not rows:
            return "—"
        return format_html(
            '<table class="lv-diff"><thead><tr><th>field</th><th>before</th><th>after</th>'
            "</tr></thead><tbody>{}</tbody></table>",
            format_html_join(
                "",
                '<tr><th scope="row">{}</th><td class="lv-before">{}</td>'
                '<td class="lv-after">{}</td></tr>',
                ((row.label.capitalize(), row.before, row.after) for row in rows),
            ),
        )

    @admin.display(description="raw entry")
    def raw_json(self, obj):
        raw = {
            "action": obj.action,
            "object_type": obj.object_type,
            "object_id": obj.object_id,
            "before": obj.before,
            "after": obj.after,
            "details": obj.details,
        }
        return format_html(
            "<details><summary>Show the raw JSON</summary><pre>{}</pre></details>",
            json.dumps(raw, indent=2, sort_keys=True),
        )

    @admin.action(description="Export selected as CSV", permissions=["view"])
    def export_csv(self, request, queryset):
        header = [
            "at", "client", "actor", "source", "action", "object_type", "object_id",
            "before", "after", "details", "what happened",
        ]  # fmt: skip
        rows = (
            (
                entry.at.isoformat(),
                entry.client_id,
                entry.actor_name,
                entry.source,
                entry.action,
                entry.object_type,
                entry.object_id,
                json.dumps(entry.before),
                json.dumps(entry.after),
                json.dumps(entry.details),
                sentence(entry),
            )  # fmt: skip
            for entry in queryset.order_by("at", "id").iterator(chunk_size=2000)
        )
        return csv_response("audit-log.csv", header, rows)
