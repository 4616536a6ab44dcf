"""Dialing profiles in the browser. Every save goes through ``profiles.services`` (the same
validation and the same audit entries as the API); a service's ``InvalidValue`` shows under
its form field.

A user sees the client's profiles and the system-wide ones (marked); only a Sysadmin changes a
system-wide one, and anyone may start from it with "Copy to my client". Policy times are local
times of day, shown and edited as "HH:MM".

Holidays and blackout dates (an extension of ours) are a second inline: a date, a range or a
federal holiday, optionally only in some states, with no calls that day or calls only within
a window; saved through the same services as the API's ``/blackouts``.
"""

from django import forms
from django.contrib import admin, messages
from django.db.models import Count

from livevox_site.admin_base import (
    TenantAdminMixin,
    TenantInlineMixin,
    add_service_error,
    admin_actor,
    sees_all_clients,
)
from livevox_site.errors import LVError
from livevox_site.models import Service

from . import services
from .federal_holidays import holiday_names
from .models import DialingBlackout, DialingPolicy, DialingProfile, ServiceProfile

# Service parameter -> form field, to show a service's InvalidValue under its field.
POLICY_FIELDS = {
    "day_of_week": "day_of_week",
    "country": "country",
    "state": "state",
    "area_code": "area_code",
    "start_time": "start_time",
    "end_time": "end_time",
}
TIME_FORMAT = "%H:%M"


def _may_change(request, profile: DialingProfile | None) -> bool:
    """A system-wide profile is changed by Sysadmins only."""
    return profile is None or profile.client_id is not None or sees_all_clients(request)


def _settings(data: dict) -> services.PolicySettings:
    return services.PolicySettings(
        day_of_week=data.get("day_of_week") or "",
        do_not_dial=bool(data.get("do_not_dial")),
        do_not_leave_message=bool(data.get("do_not_leave_message")),
        country=data.get("country") or "",
        state=(data.get("state") or "").strip().upper(),
        area_code=(data.get("area_code") or "").strip(),
        start_time=data.get("start_time"),
        end_time=data.get("end_time"),
    )


def _time_field(label: str, help_text: str) -> forms.TimeField:
    """A local time of day typed as HH:MM (seconds accepted), empty allowed."""
    return forms.TimeField(
        label=label,
        required=False,
        input_formats=[TIME_FORMAT, "%H:%M:%S"],
        widget=forms.TimeInput(format=TIME_FORMAT, attrs={"size": 5, "placeholder": "HH:MM"}),
        help_text=help_text,
    )


class PolicyInlineForm(forms.ModelForm):
    start_time = _time_field("From", "Local time where the person called is.")
    end_time = _time_field("Until", "Earlier than “From”: the window runs past midnight.")

    class Meta:
        model = DialingPolicy
        fields = [
            "day_of_week",
            "do_not_dial",
            "do_not_leave_message",
            "country",
            "state",
            "area_code",
            "start_time",
            "end_time",
        ]

    def clean(self):
        cleaned = super().clean()
        if self.errors or cleaned.get("DELETE"):
            return cleaned
        try:
            checked = services.check_policy(_settings(cleaned))
        except LVError as error:
            add_service_error(self, error, POLICY_FIELDS)
            return cleaned
        cleaned["state"] = checked.state
        return cleaned


class DialingPolicyInline(TenantInlineMixin, admin.TabularInline):
    model = DialingPolicy
    form = PolicyInlineForm
    extra = 1
    verbose_name = "policy"
    verbose_name_plural = "policies"

    def has_add_permission(self, request, obj=None):
        return super().has_add_permission(request, obj) and _may_change(request, obj)

    def has_change_permission(self, request, obj=None):
        return super().has_change_permission(request, obj) and _may_change(request, obj)

    def has_delete_permission(self, request, obj=None):
        return super().has_delete_permission(request, obj) and _may_change(request, obj)


# --- holidays and blackout dates ---------------------------------------------------------------

BLACKOUT_FIELDS = {
    "start_date": "start_date",
    "end_date": "end_date",
    "holiday": "holiday",
    "states": "states",
    "start_time": "start_time",
    "end_time": "end_time",
}


def _blackout_settings(data: dict) -> services.BlackoutSettings:
    states = data.get("states") or ()
    if isinstance(states, str):
        states = [part for part in states.replace(",", " ").split() if part]
    return services.BlackoutSettings(
        start_date=data.get("start_date"),
        end_date=data.get("end_date"),
        holiday=data.get("holiday") or "",
        states=tuple(states),
        do_not_dial=bool(data.get("do_not_dial")),
        start_time=data.get("start_time"),
        end_time=data.get("end_time"),
    )


class StatesField(forms.CharField):
    """Two-letter codes typed as "CA, NV"; stored as a list."""

    def prepare_value(self, value):
        if isinstance(value, list):
            return ", ".join(value)
        return value

    def to_python(self, value):
        text = super().to_python(value) or ""
        return [part.upper() for part in text.replace(",", " ").split() if part]


class BlackoutInlineForm(forms.ModelForm):
    holiday = forms.ChoiceField(
        label="Holiday",
        required=False,
        choices=[("", "—")],
        help_text="Every year, and on its observed day too. Or give dates instead.",
    )
    states = StatesField(
        label="Only in",
        required=False,
        widget=forms.TextInput(attrs={"size": 10, "placeholder": "CA, NV"}),
        help_text="States or provinces; empty: everywhere.",
    )
    start_time = _time_field("Calls from", "Local time where the person called is.")
    end_time = _time_field(
        "Calls until", "Leave both times empty and tick “Do not dial” for no calls that day."
    )

    class Meta:
        model = DialingBlackout
        fields = [
            "start_date",
            "end_date",
            "holiday",
            "states",
            "do_not_dial",
            "start_time",
            "end_time",
        ]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["holiday"].choices = [("", "—"), *((n, n) for n in holiday_names())]

    def clean(self):
        cleaned = super().clean()
        if self.errors or cleaned.get("DELETE"):
            return cleaned
        try:
            checked = services.check_blackout(_blackout_settings(cleaned))
        except LVError as error:
            add_service_error(self, error, BLACKOUT_FIELDS)
            return cleaned
        cleaned["states"] = list(checked.states)
        cleaned["end_date"] = checked.end_date
        return cleaned


class DialingBlackoutInline(TenantInlineMixin, admin.TabularInline):
    model = DialingBlackout
    form = BlackoutInlineForm
    extra = 0
    verbose_name = "holiday or blackout date"
    verbose_name_plural = "holidays and blackout dates (no calls, or calls only within a window)"

    def has_add_permission(self, request, obj=None):
        return super().has_add_permission(request, obj) and _may_change(request, obj)

    def has_change_permission(self, request, obj=None):
        return super().has_change_permission(request, obj) and _may_change(request, obj)

    def has_delete_permission(self, request, obj=None):
        return super().has_delete_permission(request, obj) and _may_change(request, obj)


class DialingProfileForm(forms.ModelForm):
    assigned_services = forms.ModelMultipleChoiceField(
        queryset=Service.objects.none(),
        required=False,
        label="Services",
        widget=admin.widgets.FilteredSelectMultiple("services", is_stacked=False),
        help_text="Services that use this profile by default. A service has one: choosing it "
        "here moves it from its former profile.",
    )

    class Meta:
        model = DialingProfile
        fields = ["client", "name", "description"]

    def clean(self):
        cleaned = super().clean()
        for key, check in (
            ("name", lambda: services.clean_name(cleaned.get("name") or "")),
            ("description", lambda: services.clean_description(cleaned.get("description"))),
        ):
            try:
                cleaned[key] = check()
            except LVError as error:
                add_service_error(self, error, {"name": "name", "description": "description"})
        return cleaned


@admin.register(DialingProfile)
class DialingProfileAdmin(TenantAdminMixin, admin.ModelAdmin):
    form = DialingProfileForm
    audit_in_admin = False  # the services audit every change
    inlines = [DialingPolicyInline, DialingBlackoutInline]
    list_display = ["name", "scope", "description", "policy_count", "id"]
    search_fields = ["name", "description", "=id"]
    actions = ["copy_to_my_client", "make_client_default"]

    def scope_queryset(self, request, queryset):
        # The client's profiles and the system-wide ones: the model declares both visible.
        return queryset.select_related("client").annotate(policy_total=Count("policies"))

    def get_fields(self, request, obj=None):
        fields = ["name", "description"]
        if _may_change(request, obj):
            # A form field, not a model one: it cannot be shown read-only.
            fields.append("assigned_services")
        return ["client", *fields] if sees_all_clients(request) else fields

    def get_readonly_fields(self, request, obj=None):
        # A profile stays where it is (its service assignments belong there).
        return ["client"] if obj is not None and sees_all_clients(request) else []

    def has_change_permission(self, request, obj=None):
        return super().has_change_permission(request, obj) and _may_change(request, obj)

    def has_delete_permission(self, request, obj=None):
        return super().has_delete_permission(request, obj) and _may_change(request, obj)

    def get_form(self, request, obj=None, change=False, **kwargs):
        form_class = super().get_form(request, obj, change=change, **kwargs)
        # Services offered: the profile's client's, or the user's own for a system-wide one.
        client_id = obj.client_id if obj is not None and obj.client_id else request.user.client_id
        system_wide = obj is not None and obj.client_id is None

        class ProfileForm(form_class):
            def __init__(self, *args, **kw):
                super().__init__(*args, **kw)
                if system_wide:
                    # The tenant form stamps the user's client on an instance without one: a
                    # system-wide profile stays system-wide.
                    self.instance.client = None
                field = self.fields["assigned_services"]
                field.queryset = Service.objects.for_client(client_id).order_by("name")
                if obj is not None:
                    self.initial["assigned_services"] = list(
                        ServiceProfile.objects.filter(
                            profile=obj, service__client_id=client_id
                        ).values_list("service_id", flat=True)
                    )

        ProfileForm.__name__ = form_class.__name__
        return ProfileForm

    @admin.display(description="used by")
    def scope(self, obj: DialingProfile) -> str:
        return "All clients (system-wide)" if obj.client_id is None else str(obj.client)

    @admin.display(description="policies", ordering="policy_total")
    def policy_count(self, obj: DialingProfile) -> int:
        return obj.policy_total

    # --- saving through the services ---

    def save_model(self, request, obj, form, change):
        data = form.cleaned_data
        actor = admin_actor(request)
        if change:
            services.profile_update(
                actor=actor,
                client=request.user.client,
                profile=obj,
                name=data["name"],
                description=data.get("description") or "",
            )
            return
        client = data.get("client") if sees_all_clients(request) else request.user.client
        created = services.profile_create(
            actor=actor,
            client=client,
            audit_client=request.user.client,
            name=data["name"],
            description=data.get("description"),
        )
        obj.pk = created.pk
        obj.client = created.client
        obj._state.adding = False
        obj._state.db = created._state.db

    def save_related(self, request, form, formsets, change):
        profile = form.instance
        actor = admin_actor(request)
        for formset in formsets:
            formset.save(commit=False)
            if formset.model is DialingBlackout:
                self._save_blackouts(request, profile, formset)
                continue
            for policy in formset.deleted_objects:
                services.policy_delete(actor=actor, client=request.user.client, policy=policy)
            for policy, _changed in formset.changed_objects:
                settings = _settings(vars(policy))
                services.policy_update(
                    actor=actor,
                    client=request.user.client,
                    policy=DialingPolicy.objects.get(pk=policy.pk),
                    changes=services.PolicyChanges(
                        **vars(settings),
                        clear_area_code=not settings.area_code,
                        clear_time_range=settings.start_time is None,
                    ),
                )
            for policy in formset.new_objects:
                services.policy_create(
                    actor=actor,
                    client=request.user.client,
                    profile=profile,
                    settings=_settings(vars(policy)),
                )
        self._save_services(request, profile, form.cleaned_data.get("assigned_services"))

    def _save_blackouts(self, request, profile: DialingProfile, formset) -> None:
        actor = admin_actor(request)
        client = request.user.client
        for blackout in formset.deleted_objects:
            services.blackout_delete(actor=actor, client=client, blackout=blackout)
        for blackout, _changed in formset.changed_objects:
            services.blackout_update(
                actor=actor,
                client=client,
                blackout=DialingBlackout.objects.get(pk=blackout.pk),
                settings=_blackout_settings(vars(blackout)),
            )
        for blackout in formset.new_objects:
            services.blackout_create(
                actor=actor,
                client=client,
                profile=profile,
                settings=_blackout_settings(vars(blackout)),
            )

    def _save_services(self, request, profile: DialingProfile, chosen) -> None:
        if chosen is None:
            return
        actor = admin_actor(request)
        client_id = profile.client_id or request.user.client_id
        wanted = {service.pk: service for service in chosen if service.client_id == client_id}
        current = {
            link.service_id: link.service
            for link in ServiceProfile.objects.filter(
                profile=profile, service__client_id=client_id
            ).select_related("service")
        }
        for service_id, service in current.items():
            if service_id not in wanted:
                services.profile_service_remove(actor=actor, profile=profile, service=service)
        for service_id, service in wanted.items():
            if service_id not in current:
                services.profile_service_add(actor=actor, profile=profile, service=service)

    def delete_model(self, request, obj):
        services.profile_delete(actor=admin_actor(request), client=request.user.client, profile=obj)

    def delete_queryset(self, request, queryset):
        kept = []
        for profile in queryset.order_by("id"):
            if _may_change(request, profile):
                self.delete_model(request, profile)
            else:
                kept.append(profile.name)
        if kept:
            self.message_user(
                request,
                "Not deleted, because only a Sysadmin may delete a system-wide profile: "
                + ", ".join(kept)
                + ".",
                messages.WARNING,
            )

    # --- actions ---

    @admin.action(description="Copy to my client", permissions=["add"])
    def copy_to_my_client(self, request, queryset):
        copies = [
            services.profile_copy(
                actor=admin_actor(request), client=request.user.client, profile=profile
            )
            for profile in queryset.order_by("id")
        ]
        self.message_user(
            request,
            "Created " + ", ".join(f"“{copy.name}”" for copy in copies) + ".",
            messages.SUCCESS,
        )

    @admin.action(description="Make the client's default dialing profile", permissions=["change"])
    def make_client_default(self, request, queryset):
        chosen = list(queryset[:2])
        if len(chosen) != 1:
            self.message_user(request, "Choose exactly one dialing profile.", messages.ERROR)
            return
        profile = chosen[0]
        if profile.client_id not in (None, request.user.client_id):
            self.message_user(
                request, "Choose a profile of your own client or a system-wide one.", messages.ERROR
            )
            return
        services.client_default_set(
            actor=admin_actor(request), client=request.user.client, profile=profile
        )
        self.message_user(
            request, f"“{profile.name}” is now the client's default.", messages.SUCCESS
        )
