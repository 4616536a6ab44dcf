from django.apps import AppConfig, apps
from django.contrib.admin.apps import AdminConfig
from django.db.models.signals import post_migrate


class LiveVoxAdminConfig(AdminConfig):
    """The admin, with a login page that asks for the client code too."""

    default_site = "livevox_site.admin_site.LiveVoxAdminSite"


class ResourceAppConfig(AppConfig):
    """Base of every resource app (strategies, profiles, DNC, recordings).

    An app registers itself here, so that adding one touches no module of ``livevox_site`` but
    the one line naming it in ``settings.INSTALLED_APPS``:

    - ``role_permissions``: {group name: ["app_label.codename", ...]}, its share of each role
      and power group (``livevox_site.roles``);
    - ``wire_urls``: the module of its LiveVox routes (full paths such as
      ``"configuration/dialingStrategies"``), mounted by ``livevox_site.urls`` before the catch-all;
    - ``admin_links``: [(permission, "what the page does", admin URL name)] of its admin pages
      that are not a model's (listed on the admin's home page for users with the permission);
    - ``hot_paths``: {path: "module.function"} of lean answers that ``HotPathMiddleware`` tries
      before the rest of the middleware and the URL conf (a function returns a response, or
      None to let the ordinary route answer);
    - ``error_shapes``: {path prefix: shape} for the families it serves that answer
      ``{"errorCode", "errorMessage"}`` (``livevox_site.errors``); ``{"code", "message"}`` is the
      default;
    - ``seed_demo(actor)``: its demo data, called by ``manage.py seed_demo`` after the site's;
    - ``admin_urls``: dotted paths of functions ``(admin site) -> [URL patterns]``, its admin
      pages that are not ModelAdmins (the DNC import and export pages, the suppression
      preview), mounted under ``/admin/`` before the admin's own, inside its namespace;
    - ``job_recovery``: dotted paths of functions ``() -> [lines]`` that queue again the app's
      background jobs whose worker died (``livevox_site.jobs.stopped_jobs``); ``manage.py
      db_worker`` calls them when it starts and every ``LV_JOBS_SWEEP_SECONDS`` after;
    - ``client_checks``: dotted paths of functions ``(client, {field: new value}) -> str | None``
      that refuse a change of a client's settings with a reason (the DNC app refuses a
      Dial-Time client turned Legacy while it holds dial-time entries); the client's admin
      page shows the reason and saves nothing.
    """

    role_permissions: dict[str, list[str]] = {}
    wire_urls: str | None = None
    hot_paths: dict[str, str] = {}
    admin_links: list[tuple[str, str, str]] = []
    admin_urls: tuple[str, ...] = ()
    error_shapes: dict[str, str] = {}
    job_recovery: tuple[str, ...] = ()
    client_checks: tuple[str, ...] = ()

    def seed_demo(self, actor) -> None:
        """Create this app's demo data (idempotent)."""


def resource_apps() -> list[ResourceAppConfig]:
    return [config for config in apps.get_app_configs() if isinstance(config, ResourceAppConfig)]


def client_change_refusals(client, changed: dict) -> list[str]:
    """Every resource app's reason to refuse these changes of a client (``client_checks``)."""
    from django.utils.module_loading import import_string

    return [
        reason
        for config in resource_apps()
        for path in config.client_checks
        if (reason := import_string(path)(client, changed))
    ]


def _sync_groups_after_migrate(sender, **kwargs) -> None:
    from .roles import sync_role_groups

    sync_role_groups(kwargs.get("apps") or apps)


class LiveVoxSiteConfig(AppConfig):
    name = "livevox_site"
    verbose_name = "Account and audit"

    def ready(self) -> None:
        # Keep role groups in step with the declared permissions whenever an app adds models.
        post_migrate.connect(_sync_groups_after_migrate, sender=self)
