"""Dialing strategies in the browser. Every save goes through ``strategies.services`` (the same
validation and the same audit entries as the API); the forms turn ``InvalidInput`` into form
errors."""

import json

from django import forms
from django.contrib import admin, messages
from django.http import HttpResponse

from livevox_site.admin_base import (
    TenantAdminMixin,
    TenantInlineMixin,
    admin_actor,
    scope_to_client,
    sees_all_clients,
)
from livevox_site.errors import LVError
from livevox_site.models import Service

from . import selectors, services
from .models import DialingStrategy, Outcome, Result

# Wire field (as services name it) -> form field.
STRATEGY_FIELDS = {
    "name": "name",
    "dialingSequenceItem": "dialing_sequence_text",
    "service": "services",
}
OUTCOME_FIELDS = {
    "lvResultId": "result",
    "dialAnotherNumber": "dial_another_number",
    "maxNumberOfRetries": "max_number_of_retries",
    "retryDelay": "retry_delay",
    "requeue": "requeue",
}


def _form_field(error: LVError, mapping: dict) -> str | None:
    field = (error.field or "").rsplit(".", 1)[-1]
    return mapping.get(field)


def _form_message(error: LVError, mapping: dict) -> str:
    """The service's message without the API field name when it sits under its own form field:
    "dialingSequenceItem: position 1 appears twice" -> "Position 1 appears twice"."""
    message = error.message
    if error.field and _form_field(error, mapping):
        for prefix in (f"{error.field}: ", f"{error.field} "):
            if message.startswith(prefix):
                rest = message[len(prefix) :]
                return rest[:1].upper() + rest[1:]
    return message


def outcome_wire(outcome: Outcome) -> dict:
    """An inline outcome as the services take it (the API's body, without its id)."""
    body = selectors.outcome_body(outcome)
    del body["outcomeId"]
    return body


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
                    cleaned.get("name"), client=client, exclude_id=self.instance.pk
                ),
            ),
            (
                "dialing_sequence",
                lambda: services.clean_dialing_sequence(
                    [part for part in text.replace(",", " ").split() if part]
                ),
            ),
            (
                "service_ids",
                lambda: services.clean_service_ids(
                    [service.pk for service in cleaned.get("services") or []], client=client
                ),
            ),
        ]
        for key, check in checks:
            try:
                cleaned[key] = check()
            except LVError as error:
                self.add_error(
                    _form_field(error, STRATEGY_FIELDS), _form_message(error, STRATEGY_FIELDS)
                )
        return cleaned


class OutcomeInlineForm(forms.ModelForm):
    class Meta:
        model = Outcome
        fields = [
            "result",
            "dial_another_number",
            "max_number_of_retries",
            "retry_delay",
            "requeue",
        ]

    def clean(self):
        cleaned = super().clean()
        if cleaned.get("result") is None or self.errors:
            return cleaned
        data = {
            "lvResultId": cleaned["result"].pk,
            **{
                key: cleaned.get(attr)
                for key, attr in OUTCOME_FIELDS.items()
                if key != "lvResultId"
            },
        }
        try:
            services.clean_outcome(data)
        except LVError as error:
            self.add_error(_form_field(error, OUTCOME_FIELDS), _form_message(error, OUTCOME_FIELDS))
        return cleaned


class OutcomeInline(TenantInlineMixin, admin.TabularInline):
    model = Outcome
    form = OutcomeInlineForm
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


@admin.register(DialingStrategy)
class DialingStrategyAdmin(TenantAdminMixin, admin.ModelAdmin):
    form = DialingStrategyForm
    audit_in_admin = False  # the services audit every change
    inlines = [OutcomeInline]
    list_display = ["id", "name", "dialing_sequence_display"]
    list_display_links = ["id", "name"]
    search_fields = ["name", "=id"]
    list_filter = [ServiceFilter]
    filter_horizontal = ["services"]
    actions = ["duplicate_selected", "export_selected_json"]

    @admin.display(description="dialing sequence")
    def dialing_sequence_display(self, obj: DialingStrategy) -> str:
        return ", ".join(str(position) for position in obj.dialing_sequence)

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
                services=data["service_ids"],
            )
            return
        created = services.strategy_create(
            actor=admin_actor(request),
            client=obj.client,
            name=data["name"],
            dialing_sequence=data["dialing_sequence"],
            services=data["service_ids"],
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
        for outcome, changed in formset.changed_objects:
            services.outcome_update(
                actor=actor,
                outcome=outcome,
                data=outcome_wire(outcome),
                result_id=outcome.result_id if "result" in changed else None,
            )
        for outcome in formset.new_objects:
            services.outcome_create(actor=actor, strategy=strategy, data=outcome_wire(outcome))

    def delete_model(self, request, obj):
        services.strategy_delete(actor=admin_actor(request), strategy=obj)

    def delete_queryset(self, request, queryset):
        for strategy in queryset.order_by("id"):
            services.strategy_delete(actor=admin_actor(request), strategy=strategy)

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

    @admin.action(description="Export selected as JSON (API read format)", permissions=["view"])
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
