"""The admin's import and export pages of the DNC lists (not ModelAdmins: mounted through
``DncConfig.admin_urls``).

- ``/admin/dnc/import/<list>/``: upload a CSV file; it is previewed as a background job.
- ``/admin/dnc/import/jobs/<id>/``: a job's progress (the page refreshes itself while it runs),
  its counts and every bad line; a finished preview offers "Import these entries", a failed or
  stopped job "Finish the import"; a finished job links its error file.
- ``/admin/dnc/import/jobs/<id>/errors.csv``: the error file, from the default storage.
- ``/admin/dnc/export/<list>/``: the whole list as CSV, streamed.

Rights: importing needs the list's add permission (Managers with the "Edit DNC Lists" power,
Superusers, Sysadmins), exporting its view permission; a missing right is a 403 decided before
any lookup. Tenancy: the user's own client; a Sysadmin picks one. Another client's job is a 404.
"""

from django import forms
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpResponseNotAllowed, HttpResponseRedirect
from django.shortcuts import get_object_or_404
from django.template.response import TemplateResponse
from django.urls import path, reverse

from livevox_site.admin_base import admin_actor, sees_all_clients
from livevox_site.csv_export import csv_response
from livevox_site.jobs import (
    FileRefused,
    check_upload,
    is_stale,
    job_file_response,
    percent_done,
)
from livevox_site.models import Client
from livevox_site.tenancy import OtherClientRefused, client_to_act_for

from ..exports import export_rows
from ..imports import LISTS, can_resume, commit_job, create_job
from ..models import ImportJob, ImportLineError, ImportStatus
from ..services.dnc_type import list_refusal
from ..tasks import enqueue_job

# Bad lines named on the job page; all of them are in the error file.
ERRORS_SHOWN = 1000


def admin_urlpatterns(site) -> list:
    """The pages, each behind the admin's login and its right (``site.tenant_admin_view``:
    a 403 naming the missing right before any lookup)."""
    views = _Views(site)
    any_import = tuple(spec.add_perm for spec in LISTS.values())
    return [
        path(
            "dnc/import/jobs/<int:job_id>/",
            site.tenant_admin_view(views.job, perm=any_import, refusal=_needs("see imports")),
            name="dnc_import_job",
        ),
        path(
            "dnc/import/jobs/<int:job_id>/errors.csv",
            site.tenant_admin_view(
                views.errors_file, perm=any_import, refusal=_needs("see imports")
            ),
            name="dnc_import_errors",
        ),
        path(
            "dnc/import/<str:list_name>/",
            site.tenant_admin_view(
                views.start,
                perm=lambda kw: _spec(kw["list_name"]).add_perm,
                refusal=lambda kw: _needs(f"import into the {_spec(kw['list_name']).label}"),
            ),
            name="dnc_import",
        ),
        path(
            "dnc/export/<str:list_name>/",
            site.tenant_admin_view(
                views.export,
                perm=lambda kw: _spec(kw["list_name"]).view_perm,
                refusal=lambda kw: _needs(f"export the {_spec(kw['list_name']).label}"),
            ),
            name="dnc_export",
        ),
    ]


def _spec(list_name: str):
    spec = LISTS.get(list_name)
    if spec is None:
        raise Http404("No such DNC list")
    return spec


def _needs(doing: str) -> str:
    return f"You need the Edit DNC Lists power (or the Superuser role) to {doing}."


def _require(request, perm: str, doing: str) -> None:
    """A second check after a lookup: the right of the job's own list."""
    if not request.user.has_perm(perm):
        raise PermissionDenied(_needs(doing))


def _client_for(request, client_id) -> Client:
    """The client acted for (``?client=``): the user's own; another one only for a Sysadmin
    (anyone else: 403, as the API answers; ``tenancy.client_to_act_for`` decides for both)."""
    if client_id in (None, ""):
        return request.user.client
    if not (client_id.isascii() and client_id.isdigit() and len(client_id) <= 18):
        raise Http404("No such client")
    try:
        client = client_to_act_for(request.user, int(client_id))
    except OtherClientRefused as refused:
        raise PermissionDenied(str(refused)) from None
    if client is None:
        raise Http404("No such client")
    return client


class UploadForm(forms.Form):
    client = forms.ModelChoiceField(queryset=Client.objects.none(), required=False)
    file = forms.FileField(
        label="CSV file",
        help_text="Saved as “CSV UTF-8”, its first line naming the columns shown above.",
    )

    def __init__(
        self,
        *args,
        sysadmin: bool = False,
        list_name: str | None = None,
        own_client: Client | None = None,
        **kwargs,
    ):
        super().__init__(*args, **kwargs)
        # The list imported into (none for a suppression preview), and the client of a user
        # who sees only their own: a list the client does not use is refused (dnc_type).
        self.list_name = list_name
        self.own_client = own_client
        if sysadmin:
            self.fields["client"].queryset = Client.objects.order_by("name")
            self.fields["client"].required = True
            self.fields["client"].label = "Client"
        else:
            del self.fields["client"]

    def clean_file(self):
        """Refuse a file that is not UTF-8 text now, before any job is made."""
        upload = self.cleaned_data["file"]
        try:
            check_upload(upload)
        except FileRefused as refused:
            raise forms.ValidationError(str(refused)) from None
        return upload

    def clean(self):
        cleaned = super().clean()
        client = cleaned.get("client") or self.own_client
        refusal = client and self.list_name and list_refusal(client, self.list_name)
        if refusal:
            self.add_error("client" if "client" in self.fields else None, refusal)
        return cleaned


class _Views:
    def __init__(self, site):
        self.site = site

    def _render(self, request, template: str, context: dict, status: int = 200):
        return TemplateResponse(
            request, template, {**self.site.each_context(request), **context}, status=status
        )

    # --- import: upload -> preview job ---
    @staticmethod
    def _jobs_of(request, client: Client | None = None):
        jobs = ImportJob.objects.select_related("client")
        if not sees_all_clients(request):
            return jobs.filter(client_id=request.user.client_id)
        return jobs if client is None else jobs.filter(client=client)

    def start(self, request, list_name: str):
        spec = _spec(list_name)
        sysadmin = sees_all_clients(request)
        if request.method == "POST":
            form = UploadForm(
                request.POST,
                request.FILES,
                sysadmin=sysadmin,
                list_name=spec.name,
                own_client=None if sysadmin else request.user.client,
            )
            if form.is_valid():
                client = form.cleaned_data.get("client") or request.user.client
                upload = form.cleaned_data["file"]
                job = create_job(
                    client=client,
                    list_name=spec.name,
                    upload=upload,
                    original_name=upload.name,
                    actor=admin_actor(request),
                    dry_run=True,
                )
                enqueue_job(job)
                return HttpResponseRedirect(reverse("admin:dnc_import_job", args=[job.pk]))
        else:
            form = UploadForm(initial={"client": request.user.client_id}, sysadmin=sysadmin)
        recent = self._jobs_of(request).filter(list_name=spec.name)[:10]
        refusal = None if sysadmin else list_refusal(request.user.client, spec.name)
        return self._render(
            request,
            "admin/dnc/import_start.html",
            {
                "title": f"Import into the {spec.label}",
                "spec": spec,
                "form": form,
                "header": ",".join(spec.header),
                "recent": recent,
                "refusal": refusal,
            },
        )

    # --- a job: progress, report, commit, resume ---
    def _job(self, request, job_id: int) -> ImportJob:
        job = get_object_or_404(self._jobs_of(request), pk=job_id)
        _require(request, LISTS[job.list_name].add_perm, f"see imports into the {job.list_name}")
        return job

    @staticmethod
    def _commit_of(job: ImportJob) -> ImportJob | None:
        return job.commits.exclude(status=ImportStatus.FAILED).order_by("-id").first()

    def job(self, request, job_id: int):
        job = self._job(request, job_id)
        spec = LISTS[job.list_name]
        if request.method == "POST":
            return self._act(request, job)
        stale = is_stale(job)
        done_word = "checked" if job.dry_run else "saved"
        running = job.status in (ImportStatus.QUEUED, ImportStatus.RUNNING) and not stale
        errors = list(ImportLineError.objects.filter(job=job).order_by("line")[:ERRORS_SHOWN])
        commit = self._commit_of(job) if job.dry_run else None
        return self._render(
            request,
            "admin/dnc/import_job.html",
            {
                "title": f"{'Preview of' if job.dry_run else 'Import of'} {job.original_name}",
                "job": job,
                "spec": spec,
                "stale": stale,
                "what": "preview" if job.dry_run else "import",
                "stopped_tail": (
                    f"The lines up to {job.lines_done} are {done_word}; finishing it goes on from "
                    "there (a worker also picks it up again by itself)."
                ),
                "failed_tail": f"The lines up to {job.lines_done} are {done_word}.",
                "running": running,
                "percent": percent_done(job),
                "errors": errors,
                "more_errors": max(0, job.failed - len(errors)),
                "commit": commit,
                "may_commit": (
                    job.dry_run and job.status == ImportStatus.SUCCEEDED and commit is None
                ),
                "may_resume": can_resume(job),
            },
        )

    def _act(self, request, job: ImportJob):
        action = request.POST.get("action")
        if action == "commit" and job.dry_run and job.status == ImportStatus.SUCCEEDED:
            commit = self._commit_of(job)
            if commit is None:  # a second click finds the first one's job
                commit = enqueue_job(commit_job(job, admin_actor(request)))
            return HttpResponseRedirect(reverse("admin:dnc_import_job", args=[commit.pk]))
        if action == "resume" and can_resume(job):
            ImportJob.objects.filter(pk=job.pk).update(status=ImportStatus.QUEUED)
            enqueue_job(job)
        return HttpResponseRedirect(reverse("admin:dnc_import_job", args=[job.pk]))

    def errors_file(self, request, job_id: int):
        job = self._job(request, job_id)
        return job_file_response(job, job.errors_file_name, "errors", "This job has no error file")

    # --- export ---
    def export(self, request, list_name: str):
        spec = _spec(list_name)
        if request.method != "GET":
            return HttpResponseNotAllowed(["GET"])
        client = _client_for(request, request.GET.get("client"))
        return csv_response(
            f"dnc-{spec.name}-{client.code}.csv", spec.header, export_rows(spec, client.pk)
        )
