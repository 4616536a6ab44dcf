"""Dialing strategies in the browser. Every save goes through ``strategies.services`` (the same
validation and the same audit entries as the API); the forms turn ``InvalidInput`` into form
errors."""

import json

from django import forms
from django.contrib import admin, messages
from django.db.models import CharField, Count, Exists, OuterRef, Prefetch, Subquery
from django.db.models.functions import Cast
from django.http import HttpResponse, QueryDict
from django.utils import dateformat, timezone
from django.utils.html import format_html, format_html_join

from livevox_site.admin import client_inlines
from livevox_site.admin_base import (
    TenantAdminMixin,
    TenantInlineMixin,
    add_service_error,
    admin_actor,
    scope_to_client,
    sees_all_clients,
)
from livevox_site.audit_display import short_actor
from livevox_site.errors import InvalidValue, LVError
from livevox_site.models import AuditEntry, Service
from livevox_site.selectors import check_services_of_client

from . import selectors, services
from .models import ClientStrategies, DialingStrategy, Outcome, Result

# Service parameter -> form field, to show a service's InvalidValue under its field.
STRATEGY_FIELDS = {
    "name": "name",
    "dialing_sequence": "dialing_sequence_text",
    "service_ids": "services",
}
OUTCOME_FIELDS = {
    "result_id": "result",
    "dial_another_number": "dial_another_number",
    "max_number_of_retries": "max_number_of_retries",
    "retry_delay": "retry_delay",
    "requeue": "requeue",
}


def outcome_settings(outcome: Outcome) -> services.OutcomeSettings:
    return services.OutcomeSettings(
        result_id=outcome.result_id,
        dial_another_number=outcome.dial_another_number,
        max_number_of_retries=outcome.max_number_of_retries,
        retry_delay=outcome.retry_delay,
        requeue=outcome.requeue,
    )


class DialingStrategyForm(forms.ModelForm):
    dialing_sequence_text = forms.CharField(
        label="Dialing sequence",
        help_text="Phone positions in the order they are dialed, e.g. 1, 3, 2",
    )

    class Meta:
        model = DialingStrategy
        fields = ["client", "name", "services"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if self.instance.pk:
            self.initial["dialing_sequence_text"] = ", ".join(
                str(position) for position in self.instance.dialing_sequence
            )
        services_field = self.fields.get("services")
        if services_field is not None and self.instance.client_id:
            # Say when a service is already in another strategy of the client.
            elsewhere = selectors.other_strategies_by_service(
                self.instance.client_id, self.instance.pk
            )

            def label(service: Service) -> str:
                others = elsewhere.get(service.pk)
                text = f"{service.name} ({service.pk})"
                return f"{text} — also in {', '.join(others)}" if others else text

            services_field.label_from_instance = label
            services_field.help_text = (
                "The services that dial with this strategy. A service already in another "
                "strategy says so."
            )

    def _get_validation_exclusions(self):
        # clean() checks the name's uniqueness through the service rule, once.
        exclusions = super()._get_validation_exclusions()
        exclusions.add("name")
        return exclusions

    def clean(self):
        cleaned = super().clean()
        client = cleaned.get("client") or (
            self.instance.client if self.instance.client_id else None
        )
        if client is None:
            return cleaned
        text = cleaned.get("dialing_sequence_text") or ""
        checks = [
            (
                "name",
                lambda: services.clean_name(
                    cleaned.get("name") or "", client=client, exclude_id=self.instance.pk
                ),
            ),
            ("dialing_sequence", lambda: services.clean_dialing_sequence(_positions(text))),
            (
                "service_ids",
                lambda: check_services_of_client(
                    client=client,
                    service_ids=[service.pk for service in cleaned.get("services") or []],
                ),
            ),
        ]
        for key, check in checks:
            try:
                cleaned[key] = check()
            except LVError as error:
                add_service_error(self, error, STRATEGY_FIELDS)
        return cleaned


def _positions(text: str) -> list[int]:
    """ "1, 3, 2" -> [1, 3, 2]; a part that is not a whole number is an error of the field."""
    positions = []
    for part in text.replace(",", " ").split():
        if not (part.isascii() and part.isdigit() and int(part) >= 1):
            raise InvalidValue(
                f"must hold whole numbers of 1 or more, not {part!r}", field="dialing_sequence"
            )
        positions.append(int(part))
    return positions


class ResultChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj: Result) -> str:
        return f"{obj.name} ({obj.pk}) — {obj.description}" if obj.description else str(obj)


class OutcomeFormSet(forms.BaseInlineFormSet):
    """One message per problem, on the row it concerns: "Busy (316) is listed twice"."""

    def validate_unique(self) -> None:
        # Replaces Django's two generic messages for the (strategy, result) constraint.
        seen: set[int] = set()
        for form in self.forms:
            if not form.is_valid() or form.cleaned_data.get("DELETE"):
                continue
            result = form.cleaned_data.get("result")
            if result is None:
                continue
            if result.pk in seen:
                form.add_error("result", f"{result} is listed twice")
            seen.add(result.pk)


class OutcomeInlineForm(forms.ModelForm):
    result = ResultChoiceField(
        queryset=Result.objects.order_by("name"),
        label="Call result",
        help_text="The result of a call this row is about.",
    )

    class Meta:
        model = Outcome
        fields = [
            "result",
            "dial_another_number",
            "max_number_of_retries",
            "retry_delay",
            "requeue",
        ]

    def validate_unique(self) -> None:
        # Every row of the strategy is in the formset, which checks the results once for all
        # (OutcomeFormSet.validate_unique): one message per problem, not three.
        pass

    def clean(self):
        cleaned = super().clean()
        if cleaned.get("result") is None or self.errors:
            return cleaned
        try:
            services.check_result(cleaned["result"].pk)
        except LVError as error:
            add_service_error(self, error, OUTCOME_FIELDS)
        return cleaned


class OutcomeInline(TenantInlineMixin, admin.TabularInline):
    model = Outcome
    form = OutcomeInlineForm
    formset = OutcomeFormSet
    extra = 1
    fields = ["result", "dial_another_number", "max_number_of_retries", "retry_delay", "requeue"]


class ServiceFilter(admin.SimpleListFilter):
    """By service, offering only the services the user's client has."""

    title = "service"
    parameter_name = "service"

    def lookups(self, request, model_admin):
        return [
            (service.pk, str(service))
            for service in scope_to_client(Service.objects.all(), request)
        ]

    def queryset(self, request, queryset):
        value = self.value()
        if value and value.isdigit():
            return queryset.filter(services__id=int(value)).distinct()
        return queryset


_latest_change = AuditEntry.objects.filter(
    client_id=OuterRef("client_id"),
    subject_type="strategies.dialingstrategy",
    subject_id=Cast(OuterRef("pk"), CharField()),
).order_by("-at", "-id")


@admin.register(DialingStrategy)
class DialingStrategyAdmin(TenantAdminMixin, admin.ModelAdmin):
    form = DialingStrategyForm
    audit_in_admin = False  # the services audit every change
    inlines = [OutcomeInline]
    list_display = [
        "name_with_badges",
        "dialing_sequence_display",
        "service_names",
        "outcome_count",
        "last_changed",
        "id",
    ]
    list_display_links = ["name_with_badges"]
    search_fields = ["name", "=id"]
    list_filter = [ServiceFilter]
    filter_horizontal = ["services"]
    actions = ["duplicate_selected", "export_selected_json"]
    change_form_template = "admin/strategies/dialingstrategy/change_form.html"
    delete_confirmation_template = "admin/strategies/dialingstrategy/delete_confirmation.html"

    def scope_queryset(self, request, queryset):
        return queryset.annotate(
            outcome_total=Count("outcomes", distinct=True),
            is_default=Exists(
                ClientStrategies.objects.filter(default_dialing_strategy=OuterRef("pk"))
            ),
            is_requeue=Exists(
                ClientStrategies.objects.filter(requeue_dialing_strategy=OuterRef("pk"))
            ),
            # The latest audit entry of the strategy or its outcomes (an indexed lookup).
            last_changed_at=Subquery(_latest_change.values("at")[:1]),
            last_changed_by=Subquery(_latest_change.values("actor_name")[:1]),
        ).prefetch_related(Prefetch("services", queryset=Service.objects.order_by("name")))

    @admin.display(description="name", ordering="name")
    def name_with_badges(self, obj: DialingStrategy) -> str:
        live = [
            role for role, on in (("Default", obj.is_default), ("Requeue", obj.is_requeue)) if on
        ]
        return format_html(
            "{}{}",
            obj.name,
            format_html_join(
                "", '<span class="lv-badge lv-{}">{}</span>', ((r.lower(), r) for r in live)
            ),
        )

    @admin.display(description="dialing sequence")
    def dialing_sequence_display(self, obj: DialingStrategy) -> str:
        return ", ".join(str(position) for position in obj.dialing_sequence)

    @admin.display(description="services")
    def service_names(self, obj: DialingStrategy) -> str:
        return ", ".join(service.name for service in obj.services.all()) or "—"

    @admin.display(description="last changed", ordering="last_changed_at")
    def last_changed(self, obj: DialingStrategy) -> str:
        if obj.last_changed_at is None:
            return "—"
        by = short_actor(obj.last_changed_by or "") or "someone"
        return (
            f"{dateformat.format(timezone.localtime(obj.last_changed_at), 'Y-m-d H:i T')} by {by}"
        )

    @admin.display(description="outcomes", ordering="outcome_total")
    def outcome_count(self, obj: DialingStrategy) -> int:
        return obj.outcome_total

    def change_view(self, request, object_id, form_url="", extra_context=None):
        extra = dict(extra_context or {})
        strategy = self.get_object(request, object_id)
        if strategy is not None:
            extra["lv_live"] = selectors.live_roles([strategy.client_id]).get(strategy.pk, [])
        return super().change_view(request, object_id, form_url, extra)

    def delete_view(self, request, object_id, extra_context=None):
        """A live strategy (the client's default or requeue strategy) is deleted only after an
        explicit confirmation that names the consequence."""
        strategy = self.get_object(request, object_id)
        live = selectors.live_roles([strategy.client_id]).get(strategy.pk, []) if strategy else []
        extra = {**(extra_context or {}), "lv_live": live}
        if live and request.method == "POST" and request.POST.get("confirm_live") != "yes":
            extra["lv_confirm_missing"] = True
            # Show the confirmation again, with the box to tick (Django deletes on any POST).
            request.POST = QueryDict()
        return super().delete_view(request, object_id, extra)

    def get_readonly_fields(self, request, obj=None):
        # A strategy stays with its client (its services and outcomes belong there).
        return ["client"] if obj is not None and sees_all_clients(request) else []

    def get_fields(self, request, obj=None):
        fields = ["name", "dialing_sequence_text", "services"]
        return ["client", *fields] if sees_all_clients(request) else fields

    # --- saving through the services ---

    def save_model(self, request, obj, form, change):
        data = form.cleaned_data
        if change:
            services.strategy_update(
                actor=admin_actor(request),
                strategy=obj,
                name=data["name"],
                dialing_sequence=data["dialing_sequence"],
                service_ids=data["service_ids"],
            )
            return
        created = services.strategy_create(
            actor=admin_actor(request),
            client=obj.client,
            name=data["name"],
            dialing_sequence=data["dialing_sequence"],
            service_ids=data["service_ids"],
        )
        # The admin goes on with its own instance (inlines, redirect): make it the saved one.
        obj.pk = created.pk
        obj._state.adding = False
        obj._state.db = created._state.db

    def save_related(self, request, form, formsets, change):
        # Services were saved by save_model (form.save_m2m would write them unaudited).
        for formset in formsets:
            if formset.model is Outcome:
                self._save_outcomes(request, form.instance, formset)
            else:
                self.save_formset(request, form, formset, change=change)

    def _save_outcomes(self, request, strategy: DialingStrategy, formset) -> None:
        actor = admin_actor(request)
        formset.save(commit=False)
        for outcome in formset.deleted_objects:
            services.outcome_delete(actor=actor, outcome=outcome)
        for outcome, _changed in formset.changed_objects:
            settings = outcome_settings(outcome)
            services.outcome_update(
                actor=actor,
                outcome=outcome,
                changes=services.OutcomeChanges(**vars(settings)),
            )
        for outcome in formset.new_objects:
            services.outcome_create(
                actor=actor, strategy=strategy, settings=outcome_settings(outcome)
            )

    def delete_model(self, request, obj):
        services.strategy_delete(actor=admin_actor(request), strategy=obj)

    def delete_queryset(self, request, queryset):
        # The bulk action never deletes a live strategy: that takes its own confirmation.
        live = selectors.live_roles(queryset.values_list("client_id", flat=True).distinct())
        kept = []
        for strategy in queryset.order_by("id"):
            if strategy.pk in live:
                kept.append(strategy.name)
                continue
            services.strategy_delete(actor=admin_actor(request), strategy=strategy)
        if kept:
            self.message_user(
                request,
                "Not deleted, because they are in use as a default or requeue strategy: "
                + ", ".join(kept)
                + ". Open each one and delete it there to confirm.",
                messages.WARNING,
            )

    # --- actions ---

    @admin.action(description="Duplicate selected dialing strategies", permissions=["add"])
    def duplicate_selected(self, request, queryset):
        copies = [
            services.strategy_duplicate(actor=admin_actor(request), strategy=strategy)
            for strategy in queryset.order_by("id")
        ]
        self.message_user(
            request,
            "Created " + ", ".join(f"“{copy.name}”" for copy in copies) + ".",
            messages.SUCCESS,
        )

    @admin.action(
        description="Export the selected strategies as JSON (as the API answers them)",
        permissions=["view"],
    )
    def export_selected_json(self, request, queryset):
        body = selectors.strategy_details(list(queryset.order_by("id")))
        response = HttpResponse(json.dumps(body, indent=2), content_type="application/json")
        response["Content-Disposition"] = 'attachment; filename="dialing-strategies.json"'
        return response


@admin.register(Result)
class ResultAdmin(TenantAdminMixin, admin.ModelAdmin):
    """The shared results catalog: Sysadmins edit, other roles view (permissions from the role
    groups). Changes are audited under the editor's own client."""

    list_display = ["id", "name", "description"]
    search_fields = ["=id", "name", "description"]

    def get_readonly_fields(self, request, obj=None):
        return ["id"] if obj else []


class ClientStrategiesInline(TenantInlineMixin, admin.StackedInline):
    """The client's default and requeue strategies, on the client's own page."""

    model = ClientStrategies
    can_delete = False
    max_num = 1
    min_num = 0
    fields = ["default_dialing_strategy", "requeue_dialing_strategy"]

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        # Only strategies of the client being edited (a Sysadmin edits any client).
        client_id = request.resolver_match.kwargs.get("object_id")
        kwargs["queryset"] = scope_to_client(
            DialingStrategy.objects.for_client(
                int(client_id) if client_id and client_id.isdigit() else 0
            ),
            request,
        )
        return super().formfield_for_foreignkey(db_field, request, **kwargs)


client_inlines.append(ClientStrategiesInline)
