"""The tenant guard for the browser: every app's ModelAdmin (and inline) uses these mixins.

- Querysets are filtered to the user's client (a Sysadmin sees every client).
- Foreign-key and many-to-many choices of tenant-owned models are limited the same way.
- The client is stamped on save for non-Sysadmins and hidden from their forms; uniqueness
  within the client is still validated, so a duplicate is a form error, not a crash.
- Rights come from the role and power groups (Django model permissions), as in the API.
- Every add, change and delete is written to the audit log with before and after snapshots,
  unless the admin saves through a service that audits itself (``audit_in_admin = False``).
"""

from django.contrib import admin
from django.db import models

from .audit import Actor, audit_deleted, audit_record, snapshot
from .models import Client, Source
from .paginator import EstimatedCountPaginator


def sees_all_clients(request) -> bool:
    return request.user.is_authenticated and request.user.is_sysadmin


def tenant_path(model: type[models.Model]) -> str | None:
    """The lookup from a model to its client, or None for shared models (e.g. the results
    catalog)."""
    if model is Client:
        return "pk"
    path = getattr(model, "tenant_path", None)
    if path:
        return path
    names = {f.name for f in model._meta.get_fields()}
    return "client" if "client" in names else None


def scope_to_client(queryset: models.QuerySet, request) -> models.QuerySet:
    if sees_all_clients(request):
        return queryset
    path = tenant_path(queryset.model)
    if path is None:
        return queryset
    return queryset.filter(**{path: request.user.client_id})


def admin_actor(request) -> Actor:
    return Actor.from_request(request, source=Source.ADMIN)


def _client_of(obj) -> int | None:
    path = tenant_path(type(obj))
    if path is None:
        return None
    value = obj
    for part in path.replace("pk", "id").split("__"):
        value = getattr(value, part if part != "client" else "client_id", None)
        if value is None:
            return None
    return value if isinstance(value, int) else getattr(value, "pk", None)


def _without_client(fields) -> list:
    kept = []
    for field in fields:
        if isinstance(field, list | tuple):
            line = [name for name in field if name != "client"]
            if line:
                kept.append(tuple(line))
        elif field != "client":
            kept.append(field)
    return kept


class TenantScopedChoicesMixin:
    """Limits related-object choices to the user's client."""

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        if "queryset" not in kwargs:
            kwargs["queryset"] = scope_to_client(
                db_field.related_model._default_manager.all(), request
            )
        return super().formfield_for_foreignkey(db_field, request, **kwargs)

    def formfield_for_manytomany(self, db_field, request, **kwargs):
        if "queryset" not in kwargs:
            kwargs["queryset"] = scope_to_client(
                db_field.related_model._default_manager.all(), request
            )
        return super().formfield_for_manytomany(db_field, request, **kwargs)


class TenantAdminMixin(TenantScopedChoicesMixin):
    audit_in_admin = True
    # Tables grow to millions of rows (DNC): never count a whole one per page view.
    paginator = EstimatedCountPaginator
    show_full_result_count = False
    show_facets = admin.ShowFacets.NEVER  # facet counts are unbounded COUNTs per filter choice

    # --- what the user sees ---
    def get_queryset(self, request):
        return scope_to_client(super().get_queryset(request), request)

    def _stamps_client(self, request) -> bool:
        return tenant_path(self.model) == "client" and not sees_all_clients(request)

    def get_exclude(self, request, obj=None):
        exclude = list(super().get_exclude(request, obj) or [])
        if self._stamps_client(request):
            exclude.append("client")
        return exclude

    def get_list_display(self, request):
        display = list(super().get_list_display(request))
        if sees_all_clients(request) and tenant_path(self.model) == "client":
            display.append("client")
        return display

    def get_list_filter(self, request):
        filters = list(super().get_list_filter(request))
        if sees_all_clients(request) and tenant_path(self.model) == "client":
            filters.insert(0, "client")
        return filters

    def get_fieldsets(self, request, obj=None):
        # The form leaves the stamped client out (get_exclude); the layout must too, or the
        # admin fails rendering a field the form does not have.
        fieldsets = super().get_fieldsets(request, obj)
        if not self._stamps_client(request):
            return fieldsets
        return [
            (name, {**options, "fields": _without_client(options.get("fields", ()))})
            for name, options in fieldsets
        ]

    def get_form(self, request, obj=None, change=False, **kwargs):
        # change by keyword: Django's UserAdmin.get_form takes (request, obj=None, **kwargs).
        form_class = super().get_form(request, obj, change=change, **kwargs)
        if not self._stamps_client(request):
            return form_class
        client = request.user.client

        class TenantForm(form_class):
            def __init__(self, *args, **kw):
                super().__init__(*args, **kw)
                if self.instance.client_id is None:
                    self.instance.client = client

            def _get_validation_exclusions(self):
                # The client is not on the form but is set: check (client, ...) uniqueness too.
                exclusions = super()._get_validation_exclusions()
                exclusions.discard("client")
                return exclusions

        TenantForm.__name__ = form_class.__name__
        return TenantForm

    # --- audit ---
    def _audit_action(self, verb: str) -> str:
        return f"{self.model._meta.app_label}.{self.model._meta.model_name}.{verb}"

    def save_model(self, request, obj, form, change):
        if self._stamps_client(request) and not change:
            obj.client = request.user.client
        if change and self.audit_in_admin:
            fresh = type(obj)._default_manager.filter(pk=obj.pk).first()
            request._audit_before = snapshot(fresh)
        super().save_model(request, obj, form, change)

    def _audit_client(self, request, obj) -> int | None:
        # Shared models (no client, e.g. the results catalog) are logged under the editor's.
        return request.user.client_id if tenant_path(type(obj)) is None else _client_of(obj)

    def _audit(self, request, obj, verb: str, before) -> None:
        client_id = self._audit_client(request, obj)
        if not self.audit_in_admin or client_id is None:
            return
        audit_record(
            actor=admin_actor(request),
            client=client_id,
            action=self._audit_action(verb),
            obj=obj,
            before=before,
            after=snapshot(obj) if verb != "deleted" else None,
        )

    def log_addition(self, request, obj, message):
        self._audit(request, obj, "added", None)
        return super().log_addition(request, obj, message)

    def log_change(self, request, obj, message):
        self._audit(request, obj, "changed", getattr(request, "_audit_before", None))
        return super().log_change(request, obj, message)

    def log_deletions(self, request, queryset):
        # "Delete selected" writes one summary entry per client, not one per row; deleting one
        # object stays one ordinary entry (audit_deleted decides).
        if self.audit_in_admin:
            by_client: dict[int, list] = {}
            for obj in queryset:
                client_id = self._audit_client(request, obj)
                if client_id is not None:
                    by_client.setdefault(client_id, []).append(obj)
            for client_id, objects in by_client.items():
                audit_deleted(
                    actor=admin_actor(request),
                    client=client_id,
                    objects_or_snapshots=objects,
                    action=self._audit_action("deleted"),
                )
        return super().log_deletions(request, queryset)


class TenantInlineMixin(TenantScopedChoicesMixin):
    """For inlines: scoped choices. Their parent's admin audits the change as a whole."""


class ReadOnlyAdminMixin:
    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


admin.site.empty_value_display = "—"
