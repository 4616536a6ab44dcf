"""The tenant guard for the browser: every app's ModelAdmin (and inline) uses these mixins.

- Querysets are filtered to the user's client (a Sysadmin sees every client).
- Foreign-key and many-to-many choices of tenant-owned models are limited the same way.
- The client is stamped on save for non-Sysadmins and hidden from their forms; uniqueness
  within the client is still validated, so a duplicate is a form error, not a crash.
- Rights come from the role and power groups (Django model permissions), as in the API.
- Every add, change and delete is written to the audit log with before and after snapshots,
  unless the admin saves through a service that audits itself (``audit_in_admin = False``).
- A change list filters only by what the page offers; a crafted lookup is a 400, not a 500.
"""

from django.contrib import admin
from django.contrib.admin import widgets
from django.contrib.admin.utils import get_fields_from_path, unquote
from django.core.exceptions import PermissionDenied
from django.db import models
from django.template.response import TemplateResponse
from django.utils.text import capfirst

from .audit import Actor, audit_deleted, audit_record, audit_visible_to, snapshot
from .audit_display import changes, sentence
from .models import AuditEntry, Source
from .paginator import EstimatedCountPaginator
from .tenancy import client_id_of, for_client, tenant_path, visible_to


def sees_all_clients(request) -> bool:
    return request.user.is_authenticated and request.user.is_sysadmin


def scope_to_client(queryset: models.QuerySet, request) -> models.QuerySet:
    """The queryset as the user may choose from it: every client for a Sysadmin, else their own
    (through the model's declared ``tenant_path``; shared models unchanged)."""
    if sees_all_clients(request):
        return queryset
    return for_client(queryset, request.user.client_id)


def visible_rows(queryset: models.QuerySet, request) -> models.QuerySet:
    """The queryset as the user may read it: ``scope_to_client`` and, for a model with shared
    rows (``tenant_shared_when_empty``), those too."""
    if sees_all_clients(request):
        return queryset
    return visible_to(queryset, request.user.client_id)


def add_service_error(form, error, fields: dict[str, str]) -> None:
    """A service's ``LVError`` shown under the form field it names (``fields``: the service's
    or the wire's field name -> the form's field; the last dotted part of ``error.field`` is
    looked up), or above the form, as a sentence: "Position 1 appears twice"."""
    field = fields.get((error.field or "").rsplit(".", 1)[-1])
    message = error.message[:1].upper() + error.message[1:]
    form.add_error(field if field in form.fields else None, message)


def admin_actor(request) -> Actor:
    return Actor.from_request(request, source=Source.ADMIN)


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


def unlinks(obj, limit: int = 50) -> list[tuple[str, list[str]]]:
    """[(kind, [names])] of the objects linked to ``obj`` through many-to-many fields, in both
    directions: deleting ``obj`` removes the links, not them."""
    found = []
    relations = [(field.name, field.related_model) for field in obj._meta.many_to_many]
    relations += [
        (rel.get_accessor_name(), rel.related_model)
        for rel in obj._meta.related_objects
        if rel.many_to_many
    ]
    for accessor, model in relations:
        if model._meta.app_label == "auth":
            continue  # a user's groups and permissions are derived from the role, not linked
        names = [str(other) for other in getattr(obj, accessor).all()[:limit]]
        if names:
            found.append((capfirst(model._meta.verbose_name_plural), names))
    return found


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

    def __init_subclass__(cls, **kwargs):
        super().__init_subclass__(**kwargs)
        # What the class resolves: a mixin or a subclass replacing the scoping (or stepping
        # around it through admin.ModelAdmin.get_queryset) is refused when it is created.
        if cls.get_queryset is not TenantAdminMixin.get_queryset:
            raise TypeError(
                f"{cls.__name__}: extend scope_queryset(request, queryset), not get_queryset()"
            )

    # --- what the user sees ---
    def get_queryset(self, request):
        return self.scope_queryset(request, visible_rows(super().get_queryset(request), request))

    def scope_queryset(self, request, queryset):
        """Hook: narrow or annotate the rows the user may read (already the client's)."""
        return queryset

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

    # --- the manager's words ---
    def changelist_view(self, request, extra_context=None):
        # "Dialing strategies", not Django's "Select dialing strategy to change".
        title = capfirst(self.model._meta.verbose_name_plural)
        return super().changelist_view(request, {"title": title, **(extra_context or {})})

    def get_deleted_objects(self, objs, request):
        """Django's list of what a deletion takes along, without the link rows of many-to-many
        fields ("DialingStrategy_services object (11)"), which mean nothing to a manager."""
        deleted, counts, perms_needed, protected = super().get_deleted_objects(objs, request)
        hidden = [
            field.remote_field.through._meta
            for model in {type(obj) for obj in objs}
            for field in model._meta.many_to_many
            if field.remote_field.through._meta.auto_created
        ]
        prefixes = tuple(f"{capfirst(meta.verbose_name)}: " for meta in hidden)
        plurals = {str(meta.verbose_name_plural) for meta in hidden}

        def keep(items):
            return [
                keep(item) if isinstance(item, list) else item
                for item in items
                if isinstance(item, list) or not str(item).startswith(prefixes)
            ]

        counts = {name: n for name, n in counts.items() if str(name) not in plurals}
        return keep(deleted), counts, perms_needed, protected

    # --- change-list filters ---
    def lookup_allowed(self, lookup, value, request=None) -> bool:
        """Only what the page itself offers: its list_filter links, the date drill-down with
        plausible numbers, and the lookups of related-field popups (limit_choices_to).
        Anything else (``?id__in=99999999999999999999``, ``?name__regex=(``) is Django's
        DisallowedModelAdminLookup, a 400, instead of a query that fails in the database."""
        if self._popup_lookup(lookup, value):
            return super().lookup_allowed(lookup, value, request)
        hierarchy = self.date_hierarchy
        if hierarchy and lookup in {f"{hierarchy}__{part}" for part in ("year", "month", "day")}:
            # datetime() overflows (a 500) on a year of 20 digits; no calendar needs 5.
            plausible = value.isascii() and value.isdigit() and len(value) <= 4
            return plausible and super().lookup_allowed(lookup, value, request)
        if lookup not in self._offered_lookups(request):
            return False
        return super().lookup_allowed(lookup, value, request)

    def _popup_lookup(self, lookup: str, value: str) -> bool:
        # As Django's own lookup_allowed: a raw-id popup filters by limit_choices_to.
        for fk_lookup in self.model._meta.related_fkey_lookups:
            if callable(fk_lookup):
                fk_lookup = fk_lookup()
            if (lookup, value) in widgets.url_params_from_lookup_dict(fk_lookup).items():
                return True
        return False

    def _offered_lookups(self, request) -> set[str]:
        """The query parameters of this page's list filters, built once per request (a related
        field's filter reads its choices from the database)."""
        cache = request.__dict__.setdefault("_lv_offered_lookups", {}) if request else {}
        if self not in cache:
            cache[self] = self._list_filter_parameters(request)
        return cache[self]

    def _list_filter_parameters(self, request) -> set[str]:
        names: set[str] = set()
        list_filter = self.get_list_filter(request) if request is not None else self.list_filter
        for item in list_filter:
            if isinstance(item, type) and issubclass(item, admin.SimpleListFilter):
                names.add(item.parameter_name)
                continue
            if callable(item):  # a ListFilter class of another kind
                spec = item(request, {}, self.model, self)
            else:  # "field__path" or ("field__path", FieldListFilter subclass)
                path, filter_class = (
                    item if isinstance(item, list | tuple) else (item, admin.FieldListFilter.create)
                )
                field = get_fields_from_path(self.model, path)[-1]
                spec = filter_class(field, request, {}, self.model, self, field_path=path)
            names.update(name for name in spec.expected_parameters() if name)
        return names

    def delete_view(self, request, object_id, extra_context=None):
        # What the deletion unlinks without deleting (a service's strategies, a strategy's
        # services): named on the confirmation page, since the link rows themselves are hidden.
        obj = self.get_object(request, unquote(object_id))
        extra = {"lv_unlinks": unlinks(obj) if obj is not None else [], **(extra_context or {})}
        return super().delete_view(request, object_id, extra)

    # --- history, read from the audit log ---
    object_history_template = "admin/lv_object_history.html"

    def history_view(self, request, object_id, extra_context=None):
        """The object's "History": its audit entries (and those of what belongs to it, such as
        a strategy's outcomes) as sentences, newest first; only kinds the user may read."""
        obj = self.get_object(request, unquote(object_id))
        if obj is None:
            return self._get_obj_does_not_exist_redirect(request, self.model._meta, object_id)
        if not self.has_view_or_change_permission(request, obj):
            raise PermissionDenied
        label = self.model._meta.label_lower
        entries = audit_visible_to(
            AuditEntry.objects.filter(client_id=client_id_of(obj) or request.user.client_id)
            .filter(
                models.Q(subject_type=label, subject_id=str(obj.pk))
                | models.Q(object_type=label, object_id=str(obj.pk))
            )
            .order_by("-at", "-id"),
            request.user,
        )[:200]
        context = {
            **self.admin_site.each_context(request),
            "title": f"History of {obj}",
            "subtitle": None,
            "object": obj,
            "opts": self.model._meta,
            "app_label": self.model._meta.app_label,
            "entries": [(entry, sentence(entry), changes(entry)) for entry in entries],
            "audit_url_name": "admin:livevox_site_auditentry_change",
            **(extra_context or {}),
        }
        request.current_app = self.admin_site.name
        return TemplateResponse(request, self.object_history_template, context)

    # --- audit ---
    def _audit_action(self, verb: str, obj=None) -> str:
        meta = (obj or self.model)._meta
        return f"{meta.app_label}.{meta.model_name}.{verb}"

    def save_model(self, request, obj, form, change):
        if self._stamps_client(request) and not change:
            obj.client = request.user.client
        if change and self.audit_in_admin:
            fresh = type(obj)._default_manager.filter(pk=obj.pk).first()
            request._audit_before = snapshot(fresh)
        super().save_model(request, obj, form, change)

    def _audit_client(self, request, obj) -> int | None:
        # Shared models (no client, e.g. the results catalog) are logged under the editor's.
        return request.user.client_id if tenant_path(type(obj)) is None else client_id_of(obj)

    def _audit(self, request, obj, verb: str, before) -> None:
        client_id = self._audit_client(request, obj)
        if not self.audit_in_admin or client_id is None:
            return
        after = snapshot(obj) if verb != "deleted" else None
        if verb == "changed" and before == after:
            return  # a save without edits changes nothing, and says so by writing nothing
        audit_record(
            actor=admin_actor(request),
            client=client_id,
            action=self._audit_action(verb, obj),
            obj=obj,
            before=before,
            after=after,
        )

    def save_formset(self, request, form, formset, change):
        """Inline rows are audited one entry each, like the object they belong to."""
        if not self.audit_in_admin:
            return super().save_formset(request, form, formset, change)
        manager = formset.model._default_manager
        before = {
            inline_form.instance.pk: snapshot(manager.filter(pk=inline_form.instance.pk).first())
            for inline_form in formset.initial_forms
            if inline_form.instance.pk is not None
        }
        # Written before the rows go (the admin's save is one transaction): a deleted row no
        # longer knows its id.
        for inline_form in formset.deleted_forms:
            if inline_form.instance.pk in before:
                self._audit(
                    request, inline_form.instance, "deleted", before[inline_form.instance.pk]
                )
        super().save_formset(request, form, formset, change)
        for obj in formset.new_objects:
            self._audit(request, obj, "added", None)
        for obj, _changed in formset.changed_objects:
            self._audit(request, obj, "changed", before.get(obj.pk))

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
