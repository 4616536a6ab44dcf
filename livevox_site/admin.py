import json

from django import forms
from django.conf import settings
from django.contrib import admin, messages
from django.contrib.auth.admin import UserAdmin as DjangoUserAdmin
from django.contrib.auth.forms import BaseUserCreationForm, UserChangeForm
from django.contrib.auth.models import Group
from django.template.response import TemplateResponse
from django.utils.html import format_html

from .admin_base import (
    ReadOnlyAdminMixin,
    TenantAdminMixin,
    admin_actor,
    sees_all_clients,
)
from .audit import audit_visible_to
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


@admin.register(Client)
class ClientAdmin(ExplicitIdAdminMixin, TenantAdminMixin, admin.ModelAdmin):
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

    def get_queryset(self, request):
        # Nobody sees (or can reset the password of) a user of a higher role.
        queryset = super().get_queryset(request)
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


@admin.register(AuditEntry)
class AuditEntryAdmin(ReadOnlyAdminMixin, TenantAdminMixin, admin.ModelAdmin):
    list_display = ["at", "actor_name", "source", "action", "object_type", "object_id"]
    actions = ["export_csv"]
    list_filter = ["source", "object_type", "at"]
    search_fields = ["action", "actor_name", "object_id"]
    date_hierarchy = "at"
    list_per_page = 100
    show_full_result_count = False
    fields = [
        "at",
        "client",
        "actor_name",
        "actor_id",
        "actor_session",
        "actor_token",
        "source",
        "action",
        "object_type",
        "object_id",
        "before_pretty",
        "after_pretty",
        "details_pretty",
    ]
    readonly_fields = fields

    def get_queryset(self, request):
        # The list, the entry page, the object_type filter's choices and the CSV export all
        # read this queryset: an entry is shown only to who may read its kind of object.
        return audit_visible_to(super().get_queryset(request), request.user)

    def _pretty(self, value):
        return format_html("<pre>{}</pre>", json.dumps(value, indent=2, sort_keys=True))

    @admin.display(description="before")
    def before_pretty(self, obj):
        return self._pretty(obj.before)

    @admin.display(description="after")
    def after_pretty(self, obj):
        return self._pretty(obj.after)

    @admin.display(description="details")
    def details_pretty(self, obj):
        return self._pretty(obj.details)

    @admin.action(description="Export selected as CSV", permissions=["view"])
    def export_csv(self, request, queryset):
        header = [
            "at", "client", "actor", "source", "action", "object_type", "object_id",
            "before", "after", "details",
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
            )  # fmt: skip
            for entry in queryset.order_by("at", "id").iterator(chunk_size=2000)
        )
        return csv_response("audit-log.csv", header, rows)
