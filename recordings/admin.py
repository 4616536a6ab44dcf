"""Call recordings in the browser: find them (filters by service, agent, campaign and date
range; search by account, phone or id), play them (an HTML5 player fed by the same range
streaming as the API, through a permission-checked, tenant-scoped admin view), upload one with
its metadata (Superusers and Sysadmins: the ``add`` permission), delete (Sysadmins). Managers
read only. Nobody changes a recording. Every write goes through ``recordings.services``, which
audits it.

The admin's URLs name a recording by its stored key (``Recording.id``), never by the vendor id,
which is unique within a client only."""

from datetime import date, datetime, time

from django import forms
from django.contrib import admin
from django.contrib.admin.utils import unquote
from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.urls import path, reverse
from django.utils import timezone
from django.utils.html import format_html

from livevox_site.admin_base import TenantAdminMixin, admin_actor
from livevox_site.errors import LVError

from . import services
from .models import Recording
from .streaming import audio_response

# Service parameter -> form field, to show a service's InvalidValue under its field.
FORM_FIELDS = {
    "recording_id": "recording_id",
    "call_center_id": "call_center_id",
    "service_id": "service_id",
    "agent_id": "agent_id",
    "campaign_id": "campaign_id",
    "account": "account",
    "phone": "phone",
    "term_code_id": "term_code_id",
    "start_time": "start_time",
    "end_time": "end_time",
    "original_account_number": "original_account_number",
    "duration": "duration",
    "audio": "audio",
}
METADATA_FIELDS = [name for name in FORM_FIELDS if name not in ("recording_id", "audio")]


class DateRangeFilter(admin.DateFieldListFilter):
    """Django's date choices (today, past 7 days, ...) plus a from/to form: the same
    ``__gte``/``__lt`` parameters, so the admin's lookup guard accepts both."""

    template = "admin/recordings/date_range_filter.html"

    def __init__(self, field, request, params, model, model_admin, field_path):
        super().__init__(field, request, params, model, model_admin, field_path)
        # The form keeps the page's other filters and search.
        self.other_params = [
            (name, value)
            for name, value in request.GET.items()
            if name not in (self.lookup_kwarg_since, self.lookup_kwarg_until, "p")
        ]
        self.since_value = (self.date_params.get(self.lookup_kwarg_since) or "")[:10]
        self.until_value = (self.date_params.get(self.lookup_kwarg_until) or "")[:10]
        # The form sends plain dates: midnight in the user's time zone, not a naive datetime.
        for name, values in list(self.used_parameters.items()):
            self.used_parameters[name] = [_aware_day(value) for value in values]


def _aware_day(value: str):
    if len(value) != 10:
        return value
    try:
        day = date.fromisoformat(value)
    except ValueError:
        return value  # Django's own lookup answers the bad value
    return timezone.make_aware(datetime.combine(day, time()))


class RecordingUploadForm(forms.ModelForm):
    audio = forms.FileField(label="Audio (mp3)")

    class Meta:
        model = Recording
        fields = ["recording_id", "client", *METADATA_FIELDS, "audio"]
        labels = {"recording_id": "Recording id"}

    def clean(self):
        cleaned = super().clean()
        if self.errors:
            return cleaned
        try:
            # Taken means taken by this recording's client: another client's ids are not
            # looked at, so the answer reveals nothing of them.
            services.recording_check(
                client=self.owner(),
                recording_id=cleaned["recording_id"],
                metadata=self.metadata(),
            )
        except LVError as error:
            field = FORM_FIELDS.get(error.field or "")
            self.add_error(field if field in self.fields else None, error.message)
        return cleaned

    def owner(self):
        """The client the recording is for: chosen on the form by a Sysadmin, else the user's
        own (stamped on the instance by ``TenantAdminMixin``)."""
        return self.cleaned_data.get("client") or self.instance.client

    def metadata(self) -> services.RecordingMetadata:
        return services.RecordingMetadata(
            **{name: self.cleaned_data[name] for name in METADATA_FIELDS}
        )

    def _post_clean(self):
        # The service checks the row (id taken by this client, metadata); the model's own
        # validation would want the size and checksum, which the service computes from the file.
        pass


@admin.register(Recording)
class RecordingAdmin(TenantAdminMixin, admin.ModelAdmin):
    audit_in_admin = False  # recording_create and recording_delete audit
    form = RecordingUploadForm
    list_display = [
        "recording_id",
        "start_time",
        "duration",
        "service_id",
        "agent_id",
        "campaign_id",
        "account",
        "phone",
    ]
    list_filter = [
        "service_id",
        "agent_id",
        "campaign_id",
        ("start_time", DateRangeFilter),
    ]
    # Exact id; account and phone by their beginning, which their indexes serve.
    search_fields = ["=recording_id", "^account", "^phone"]
    search_help_text = "Recording id, account or phone number (its beginning)"
    date_hierarchy = "start_time"
    ordering = ["-start_time", "recording_id", "id"]
    readonly_fields = ["player", "size", "sha256"]

    def get_fields(self, request, obj=None):
        # The mixin leaves "client" out for everyone but Sysadmins (it is stamped).
        if obj is None:
            return ["recording_id", "client", "audio", *METADATA_FIELDS]
        return ["player", "recording_id", "client", *METADATA_FIELDS, "size", "sha256"]

    @admin.display(description="Recording")
    def player(self, obj: Recording) -> str:
        url = reverse("admin:recordings_recording_audio", args=[obj.pk])
        return format_html(
            '<audio controls preload="metadata" src="{}" data-recording="{}"></audio>',
            url,
            obj.pk,
        )

    # --- nobody edits a recording: it is what was said on the call ---
    # Adding asks Django's ``recordings.add_recording`` (Superusers and Sysadmins, apps.py);
    # Managers hold ``view`` only, so they get no "Add" button and a 403 on the add page.
    def has_change_permission(self, request, obj=None) -> bool:
        return False

    # --- the player's audio, streamed with ranges like the API ---
    def get_urls(self):
        audio = self.admin_site.admin_view(self.audio_view)
        return [
            path("<path:object_id>/audio/", audio, name="recordings_recording_audio"),
            *super().get_urls(),
        ]

    def audio_view(self, request, object_id: str):
        if not self.has_view_permission(request):
            raise PermissionDenied
        recording = self.get_object(request, unquote(object_id))  # tenant-scoped
        if recording is None:
            raise Http404("No such recording")
        return audio_response(request, recording)

    # --- writes through the services ---
    def save_model(self, request, obj, form, change):
        created = services.recording_create(
            actor=admin_actor(request),
            client=form.owner(),
            recording_id=form.cleaned_data["recording_id"],
            metadata=form.metadata(),
            audio=form.cleaned_data["audio"],
        )
        # The admin goes on with ``obj`` (its messages, the redirect): make it the stored one.
        obj.__dict__.update(
            {key: value for key, value in created.__dict__.items() if key != "_state"}
        )
        obj._state.adding = False

    def delete_model(self, request, obj):
        services.recording_delete(actor=admin_actor(request), recording=obj)

    def delete_queryset(self, request, queryset):
        for recording in queryset:
            services.recording_delete(actor=admin_actor(request), recording=recording)
