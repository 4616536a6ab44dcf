"""The admin's suppression preview pages (not ModelAdmins: mounted with the import
pages through ``DncConfig.admin_urls``).

- ``/admin/dnc/suppression/``: upload a contact list (and, optionally, the moment to judge it
  at); it runs as a background task. Recent previews are listed.
- ``/admin/dnc/suppression/<id>/``: its progress (the page refreshes itself while it runs),
  then "X of Y contacts would be suppressed", the counts by reason and the download.
- ``/admin/dnc/suppression/<id>/suppressed.csv``: the suppressed lines with their reasons.

Right: whoever may call isBlocked (``dnc.check_isblocked``: Sysadmins, Superusers, every
Manager); a missing right is a 403 decided before any lookup. Tenancy: the user's own client;
a Sysadmin picks one. A Manager sees the previews they made; Superusers (and Sysadmins) every
preview of the client (``dnc.view_every_preview``). Another client's preview, or another
user's for a Manager, is a 404.
"""

from datetime import datetime
from zoneinfo import ZoneInfo

from django import forms
from django.http import HttpResponseRedirect
from django.shortcuts import get_object_or_404
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils.dateparse import parse_datetime

from livevox_site.admin_base import admin_actor, sees_all_clients
from livevox_site.jobs import is_stale, job_file_response, percent_done

from ..models import ImportStatus, SuppressionPreview
from ..suppression import REASON_KEYS, create_preview
from ..tasks import enqueue_preview
from .imports import UploadForm

PERM = "dnc.check_isblocked"
REFUSAL = "Previewing suppression needs the right to check DNC lists."
EVERY_PREVIEW = "dnc.view_every_preview"


def suppression_urlpatterns(site) -> list:
    """The pages, each behind the admin's login and isBlocked's right
    (``site.tenant_admin_view``: a 403 naming it before any lookup)."""
    views = _Views(site)

    def page(view):
        return site.tenant_admin_view(view, perm=PERM, refusal=REFUSAL)

    return [
        path("dnc/suppression/", page(views.start), name="dnc_suppression"),
        path(
            "dnc/suppression/<int:preview_id>/",
            page(views.preview),
            name="dnc_suppression_preview",
        ),
        path(
            "dnc/suppression/<int:preview_id>/suppressed.csv",
            page(views.download),
            name="dnc_suppression_file",
        ),
    ]


def parse_as_of(text: str, zone: str) -> datetime | None:
    """The form's "as of": empty is None (now); a moment without an offset is read in the
    client's time zone; anything else that is no date and time is a ``ValueError``."""
    text = (text or "").strip()
    if not text:
        return None
    moment = parse_datetime(text)
    if moment is None:
        raise ValueError(text)
    return moment if moment.tzinfo else moment.replace(tzinfo=ZoneInfo(zone))


class PreviewForm(UploadForm):
    """The import's upload form (a Sysadmin picks the client), for a contact list."""

    file = forms.FileField(
        label="Contact list (CSV)",
        help_text="UTF-8, with a first line naming the columns (see above).",
    )
    as_of = forms.CharField(
        label="As of",
        required=False,
        help_text="Judge the list at this moment, e.g. 2026-11-24 22:30 (the client's time "
        "zone unless you give an offset). Empty: now.",
    )


class _Views:
    def __init__(self, site):
        self.site = site

    def _render(self, request, template: str, context: dict):
        return TemplateResponse(request, template, {**self.site.each_context(request), **context})

    @staticmethod
    def _previews_of(request):
        previews = SuppressionPreview.objects.select_related("client")
        if sees_all_clients(request):
            return previews
        previews = previews.filter(client_id=request.user.client_id)
        if request.user.has_perm(EVERY_PREVIEW):
            return previews
        return previews.filter(actor_user_id=request.user.pk)

    def start(self, request):
        sysadmin = sees_all_clients(request)
        if request.method == "POST":
            form = PreviewForm(request.POST, request.FILES, sysadmin=sysadmin)
            if form.is_valid():
                client = form.cleaned_data.get("client") or request.user.client
                try:
                    as_of = parse_as_of(form.cleaned_data["as_of"], client.time_zone)
                except ValueError:
                    form.add_error("as_of", "Give a date and time, e.g. 2026-11-24 22:30.")
                else:
                    upload = form.cleaned_data["file"]
                    preview = create_preview(
                        client=client,
                        upload=upload,
                        original_name=upload.name,
                        actor=admin_actor(request),
                        as_of=as_of,
                    )
                    enqueue_preview(preview)
                    return HttpResponseRedirect(
                        reverse("admin:dnc_suppression_preview", args=[preview.pk])
                    )
        else:
            form = PreviewForm(initial={"client": request.user.client_id}, sysadmin=sysadmin)
        return self._render(
            request,
            "admin/dnc/suppression_start.html",
            {
                "title": "Suppression preview of a contact list",
                "form": form,
                "recent": self._previews_of(request)[:10],
            },
        )

    def _preview(self, request, preview_id: int) -> SuppressionPreview:
        return get_object_or_404(self._previews_of(request), pk=preview_id)

    def preview(self, request, preview_id: int):
        preview = self._preview(request, preview_id)
        stale = is_stale(preview)
        running = preview.status in (ImportStatus.QUEUED, ImportStatus.RUNNING) and not stale
        counts = preview.counts or {}
        rows = [
            {"key": key, "label": label, "count": counts.get(key, 0), "sub": "." in key}
            for key, label in REASON_KEYS.items()
            # Each list's own line only when it blocks someone; the main reasons always.
            if "." not in key or counts.get(key)
        ]
        zone = ZoneInfo(preview.client.time_zone)
        return self._render(
            request,
            "admin/dnc/suppression_preview.html",
            {
                "title": f"Suppression preview of {preview.original_name}",
                "preview": preview,
                "stale": stale,
                "running": running,
                "percent": percent_done(preview),
                "rows": rows,
                "as_of": preview.as_of.astimezone(zone) if preview.as_of else None,
            },
        )

    def download(self, request, preview_id: int):
        preview = self._preview(request, preview_id)
        return job_file_response(
            preview, preview.result_file_name, "suppressed", "This preview has no file yet"
        )
